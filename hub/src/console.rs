//! The web console: its pages and scripts, embedded in the binary, served at `/` without a
//! token (the pages ask for one and send it with every API call).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

/// The console's files (`hub/console/`), embedded at build time.
#[derive(RustEmbed)]
#[folder = "console/"]
struct ConsoleFiles;

/// Only the hub's own origin may be reached by the console's pages: no CDN, no outside fonts,
/// no request to another host even if a page tried.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
     font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Returns the router of the console's files: `/` is its page, `/console/…` its assets.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(|| async { serve("index.html") }))
        .route(
            "/console/{*path}",
            get(|Path(path): Path<String>| async move { serve(&path) }),
        )
}

/// Returns whether `path` is one of the console's files.
pub fn has_file(path: &str) -> bool {
    ConsoleFiles::get(path).is_some()
}

fn serve(path: &str) -> Response {
    let Some(file) = ConsoleFiles::get(path) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("the console has no file '{path}'"),
        )
            .into_response();
    };
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media_type(path)),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // The page itself is re-validated on every load so a new binary's console shows at once;
    // its assets are revalidated by their content hash.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// Returns the media type of a console file by its extension.
fn media_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_its_scripts_are_embedded() {
        assert!(has_file("index.html"));
        assert_eq!(media_type("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(
            media_type("vendor/echarts/echarts.esm.min.mjs"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(media_type("LICENSE"), "text/plain; charset=utf-8");
    }

    #[test]
    fn a_missing_file_is_a_404() {
        assert_eq!(serve("no-such-file.js").status(), StatusCode::NOT_FOUND);
        assert_eq!(serve("index.html").status(), StatusCode::OK);
    }
}
