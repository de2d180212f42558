//! The public record in a real browser: headless Chromium, driven over its DevTools protocol,
//! opens the directory and a group page at a phone's size and a desktop's, reads what a reader
//! sees (the page's rendered text, not its source), checks it, and saves screenshots in
//! `target/web-screenshots/` for a person to look at.
//!
//! Chromium comes from the distribution (`apt-get install chromium`; `.ci/run` installs it), or
//! from `GOVBOT_CHROMIUM`. Without it the test fails under CI (`CI` set) and is skipped with a
//! printed reason otherwise.

use super::{fixture, serve, site, PURPOSE};
use base64::Engine as _;
use serde_json::{json, Value};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Where the screenshots go: `target/web-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is target/tmp")
        .join("web-screenshots")
}

/// `GOVBOT_CHROMIUM`, or the first of the usual names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GOVBOT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

const STEP: Duration = Duration::from_secs(20);

/// A headless Chromium with one tab, over the DevTools protocol.
struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(binary)
            .args([
                "--headless",
                // The sandbox needs user namespaces or a non-root user; the pages are our own.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--hide-scrollbars",
                "--force-color-profile=srgb",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        // Chromium writes its port and the browser's WebSocket path here once it listens.
        let port_file = profile.path().join("DevToolsActivePort");
        let start = Instant::now();
        let endpoint = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    break format!("ws://127.0.0.1:{port}{path}");
                }
            }
            assert!(
                start.elapsed() < STEP,
                "{} did not open its DevTools port",
                binary.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let (ws, _) = tungstenite::connect(endpoint.as_str()).unwrap();
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(STEP)).unwrap();
        }
        let mut b = Browser {
            child,
            ws,
            session: String::new(),
            next: 0,
            _profile: profile,
        };
        let target = b.call("Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().unwrap().to_owned();
        let attached = b.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_owned();
        b
    }

    /// Sends a command (to the tab once attached) and waits for its answer; events are skipped.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::Text(message.to_string().into()))
            .unwrap();
        loop {
            let answer = match self.ws.read().unwrap() {
                Message::Text(t) => serde_json::from_str::<Value>(t.as_str()).unwrap(),
                _ => continue,
            };
            if answer["id"] != id {
                continue;
            }
            if let Some(e) = answer.get("error") {
                panic!("{method} failed: {e}");
            }
            return answer["result"].clone();
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expression} threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Light or dark, as `prefers-color-scheme` tells the page.
    fn scheme(&mut self, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Opens `url` at `width` pixels wide and waits until it is loaded.
    fn open(&mut self, url: &str, width: u32, mobile: bool) {
        self.viewport(width, 800, mobile);
        self.call("Page.navigate", json!({"url": url}));
        let start = Instant::now();
        while !(self.eval("document.readyState") == "complete" && self.eval("location.href") == url)
        {
            assert!(start.elapsed() < STEP, "{url} did not load");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The whole page as a PNG.
    fn screenshot(&mut self, path: &Path, width: u32, mobile: bool) {
        let height = self
            .eval("document.documentElement.scrollHeight")
            .as_u64()
            .unwrap()
            .clamp(200, 8000) as u32;
        self.viewport(width, height, mobile);
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the page shows and how it is built, read in the browser.
const INSPECT: &str = r#"(() => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const rgba = c => (c.match(/[\d.]+/g) || []).map(Number);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const texts = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own && visible(el)) texts.push({
      tag: el.tagName, text: el.textContent.trim().slice(0, 40),
      fg: rgba(getComputedStyle(el).color).slice(0, 3), bg: background(el) });
  }
  return {
    text: document.body.innerText,
    title: document.title,
    lang: document.documentElement.lang,
    scripts: document.scripts.length,
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main').length,
    nav: document.querySelectorAll('nav').length,
    emptyLinks: [...document.querySelectorAll('a')].filter(a => !a.textContent.trim()).length,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    texts,
  };
})()"#;

/// WCAG's contrast ratio of two sRGB colours.
fn contrast(a: &[f64], b: &[f64]) -> f64 {
    let lum = |c: &[f64]| {
        let ch = |v: f64| {
            let v = v / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn colour(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_f64().unwrap())
        .collect()
}

/// Opens `url` at a phone's and a desktop's width, and at a desktop's in the dark colour scheme,
/// checks the page each time, saves the screenshots as `name-phone.png`, `name-desktop.png` and
/// `name-dark.png`; returns the text a reader sees.
fn look(b: &mut Browser, url: &str, name: &str) -> String {
    let dir = screenshot_dir();
    let mut seen = String::new();
    for (size, width, mobile, scheme) in [
        ("phone", 390, true, "light"),
        ("desktop", 1280, false, "light"),
        ("dark", 1280, false, "dark"),
    ] {
        b.scheme(scheme);
        b.open(url, width, mobile);
        let page = b.eval(INSPECT);
        let text = page["text"].as_str().unwrap().to_owned();
        assert_eq!(page["lang"], "en", "{url}");
        assert_eq!(page["scripts"], 0, "{url} runs a script");
        assert_eq!(page["h1"], 1, "{url}: one main heading");
        assert_eq!(page["main"], 1, "{url}: one main landmark");
        assert!(page["nav"].as_u64().unwrap() >= 1, "{url}: navigation");
        assert_eq!(page["emptyLinks"], 0, "{url}: a link without text");
        assert!(
            page["overflow"].as_i64().unwrap() <= 0,
            "{url} scrolls sideways at {width} pixels ({} too wide)",
            page["overflow"]
        );
        for t in page["texts"].as_array().unwrap() {
            let ratio = contrast(&colour(&t["fg"]), &colour(&t["bg"]));
            assert!(
                ratio >= 4.5,
                "{url} ({scheme}): {} {:?} has contrast {ratio:.2} (fg {} on bg {}), under 4.5",
                t["tag"],
                t["text"],
                t["fg"],
                t["bg"]
            );
        }
        // No markup, template syntax or JavaScript leftovers: the only angle brackets a
        // reader sees are those a member typed, shown as text.
        let rest = text.replace(PURPOSE, "");
        for leftover in [
            "<",
            ">",
            "{{",
            "}}",
            "{%",
            "&lt;",
            "&gt;",
            "&amp;",
            "&#",
            "undefined",
            "null",
            "NaN",
            "[object",
        ] {
            assert!(
                !rest.contains(leftover),
                "{url} at {width} pixels shows {leftover:?}:\n{text}"
            );
        }
        b.screenshot(&dir.join(format!("{name}-{size}.png")), width, mobile);
        seen = text;
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_sees_the_groups_their_facilitators_and_the_vote_results_in_a_browser() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing, and CI needs this test: install it (`apt-get install -y \
             chromium`, as .ci/run does) or point GOVBOT_CHROMIUM at it"
        );
        eprintln!(
            "skipped: no Chromium on PATH (apt-get install chromium, or set GOVBOT_CHROMIUM); \
             under CI this test fails instead"
        );
        return;
    };
    let f = fixture();
    let addr = serve(site(f).await).await;
    let (ig, wg) = (f.ig, f.wg);
    std::fs::create_dir_all(screenshot_dir()).unwrap();
    let (directory, ig_page, wg_page) = tokio::task::spawn_blocking(move || {
        let mut b = Browser::launch(&binary);
        let base = format!("http://{addr}");
        (
            look(&mut b, &format!("{base}/index.html"), "directory"),
            look(&mut b, &format!("{base}/groups/{}.html", ig.0), "group-ig"),
            look(&mut b, &format!("{base}/groups/{}.html", wg.0), "group-wg"),
        )
    })
    .await
    .unwrap();

    // The directory: both groups, their facilitator, the IG's purpose as the member wrote it.
    for expected in [
        "Interest Groups",
        "Security & Trust",
        "Working Groups",
        "Registry",
        "Facilitators",
        "alice",
        "Registry on Discord",
        "SEP-1234",
        PURPOSE,
    ] {
        assert!(
            directory.contains(expected),
            "the directory lacks {expected:?}:\n{directory}"
        );
    }
    // A group page: its name, facilitator, vote result and tally, history.
    for page in [&ig_page, &wg_page] {
        for expected in [
            "Facilitators",
            "alice",
            "Result",
            "approved",
            "3 approve, 0 reject, 0 abstain; 0 of 3 did not vote",
            "History",
        ] {
            assert!(
                page.contains(expected),
                "a group page lacks {expected:?}:\n{page}"
            );
        }
    }
    assert!(ig_page.contains("Security & Trust"), "{ig_page}");
    assert!(ig_page.contains(PURPOSE), "{ig_page}");
    for name in ["directory", "group-ig", "group-wg"] {
        for size in ["phone", "desktop", "dark"] {
            let shot = screenshot_dir().join(format!("{name}-{size}.png"));
            let bytes = std::fs::read(&shot).unwrap();
            assert!(bytes.starts_with(b"\x89PNG"), "{}", shot.display());
        }
    }
    eprintln!("screenshots: {}", screenshot_dir().display());
}
