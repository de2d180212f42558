//! Reading what people post, at 10 KB, 100 KB and 1 MB: the mention scan
//! (`template_message::mentions`), a whole template message (`template_message::read`, which
//! checks the length before parsing), and the Markdown escaping of echoed text
//! (`markdown::escape`). Each beside a plain byte scan of the same input in the same run (counting
//! `<`), so the ratio is the parser's own cost; and the mention scan as it was before (a search
//! for `>` after every `<@`, quadratic), on the sizes it finishes in reasonable time.
//! Run: `cargo bench --bench parsing -- [repetitions]`. The goal: 1 MB in under 100 ms.

use govbot::discord::markdown;
use govbot::discord::template_message::{mentions, read, Reading};
use govbot::governance::MemberId;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The median of `reps` runs of `f`.
fn median<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// The baseline: one pass over the bytes, counting `<`.
fn byte_scan(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'<').count()
}

/// The mention scan before it was made linear, kept here to measure the difference.
fn mentions_before(text: &str) -> Vec<MemberId> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let body = rest.strip_prefix('!').unwrap_or(rest);
        if let Some(end) = body.find('>') {
            if let Ok(id) = body[..end].parse::<u64>() {
                let id = MemberId(id);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// `len` bytes of `unit` repeated.
fn sized(unit: &str, len: usize) -> String {
    unit.repeat(len / unit.len() + 1)[..len].to_string()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn row(what: &str, size: &str, took: Duration, base: Duration) {
    println!(
        "{what:<44} {size:>6}  {:>10.3} ms   byte scan {:>8.3} ms   ratio {:>8.1}",
        ms(took),
        ms(base),
        took.as_secs_f64() / base.as_secs_f64().max(1e-9)
    );
}

fn main() {
    let reps: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(11);
    println!(
        "median of {reps} runs each, debug={}; goal: 1 MB in under 100 ms",
        cfg!(debug_assertions)
    );
    // The worst case for a scan that searches for `>` after each `<@`: none ever comes.
    let adversarial = "<@";
    // What a long message with mentions looks like.
    let ordinary =
        "- **Facilitator(s):** <@123456789012345678> and <@!876543210987654321>, thanks\n";
    // What an echoed answer holding every Markdown character looks like.
    let hostile = "[MCP Registry](https://evil.example/login) <@&1> @everyone `x` **b** _i_ # h\n";
    let mut worst_1mb = Duration::ZERO;
    for (size, len) in [
        ("10 KB", 10 << 10),
        ("100 KB", 100 << 10),
        ("1 MB", 1 << 20),
    ] {
        let evil = sized(adversarial, len);
        let base = median(reps, || byte_scan(&evil));
        let took = median(reps, || mentions(&evil));
        row("mentions, `<@` repeated (adversarial)", size, took, base);
        if len <= 100 << 10 {
            let before = median(reps.min(3), || mentions_before(&evil));
            row("  the quadratic scan it replaced", size, before, base);
        }
        if len == 1 << 20 {
            worst_1mb = worst_1mb.max(took);
        }

        let text = sized(ordinary, len);
        let base = median(reps, || byte_scan(&text));
        let took = median(reps, || mentions(&text));
        assert_eq!(mentions(&text).len(), 2);
        row("mentions, ordinary text", size, took, base);

        let message = format!("## WG: Registry\n{text}");
        let base = median(reps, || byte_scan(&message));
        let took = median(reps, || read(&message));
        assert!(matches!(read(&message), Reading::TooLong(_)));
        row("read: a template over the length limit", size, took, base);

        let echoed = sized(hostile, len);
        let base = median(reps, || byte_scan(&echoed));
        let took = median(reps, || markdown::escape(&echoed));
        row("markdown::escape, echoed text", size, took, base);
        if len == 1 << 20 {
            worst_1mb = worst_1mb.max(took);
        }
    }
    println!(
        "slowest 1 MB figure: {:.3} ms ({})",
        ms(worst_1mb),
        if worst_1mb < Duration::from_millis(100) {
            "under the 100 ms goal"
        } else {
            "OVER the 100 ms goal"
        }
    );
}
