//! Serving the public record over HTTP: every GET goes through [`Site::get`], so the server and
//! the static export answer with the same bytes. Read-only by construction (GET and HEAD only,
//! a read-only database connection), and pages carry a content security policy that allows no
//! script at all, so nothing a member typed can ever run in a reader's browser.

use super::{Document, Site};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// No scripts, no frames, no forms, styles and images from the site only.
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
                      form-action 'none'; frame-ancestors 'none'";

/// The site as an axum router (for embedding; [`serve`] runs it).
pub fn router(site: Site) -> Router {
    Router::new().fallback(handle).with_state(site)
}

/// Binds `addr`, saying what to do when it cannot.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot serve the public site on {addr} ({e}); free the port or change [web] listen"
        )
    })
}

/// Serves `site` on `listener` until `stop` turns true; requests in flight are finished.
pub async fn serve(listener: TcpListener, site: Site, mut stop: watch::Receiver<bool>) {
    let addr = listener.local_addr().ok();
    tracing::info!(?addr, "serving the public record");
    let shutdown = async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    if let Err(e) = axum::serve(listener, router(site))
        .with_graceful_shutdown(shutdown)
        .await
    {
        tracing::error!("the public site stopped: {e}");
    }
}

fn respond(status: StatusCode, doc: Document, head: bool) -> Response {
    let length = doc.body.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(doc.body)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(doc.content_type),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    respond(
        status,
        Document {
            content_type: "text/plain; charset=utf-8",
            body: text.to_owned(),
        },
        false,
    )
}

async fn handle(State(site): State<Site>, method: Method, uri: Uri) -> Response {
    let head = method == Method::HEAD;
    if method != Method::GET && !head {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "The public record is read-only: GET and HEAD only.\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = uri.path();
    let found = match site.get(path).await {
        Ok(Some(doc)) => return respond(StatusCode::OK, doc, head),
        Ok(None) => {
            let depth = path.trim_start_matches('/').matches('/').count();
            site.not_found(depth).await
        }
        Err(e) => Err(e),
    };
    match found {
        Ok(doc) => respond(StatusCode::NOT_FOUND, doc, head),
        Err(e) => {
            tracing::error!("the public site could not answer {path}: {e}");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The record could not be read just now; try again in a moment.\n",
            )
        }
    }
}
