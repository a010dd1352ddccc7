//! The HTTP server: the router over [`AppState`], binding, and clean shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{self, ApiError};
use crate::auth::http::AuthState;
use crate::config::EdgeLimits;
use crate::services::Services;

/// The default largest request body of an ingest: 1 GiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 1 << 30;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The lake, engine and catalog.
    pub services: Arc<Services>,
    /// The largest ingest body accepted.
    pub max_body_bytes: u64,
    /// Counters and histograms served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Tokens, rate limits and the audit log.
    pub auth: Arc<AuthState>,
    /// Body size, rate and shutdown limits.
    pub edge: EdgeLimits,
}

impl AppState {
    /// Creates the state of a server over `services`, checking callers with `auth`.
    pub fn new(
        services: Arc<Services>,
        max_body_bytes: u64,
        auth: Arc<AuthState>,
        edge: EdgeLimits,
    ) -> AppState {
        AppState {
            services,
            max_body_bytes,
            metrics: Arc::new(crate::metrics::Metrics::default()),
            auth,
            edge,
        }
    }
}

/// Name of the header carrying a request's id (taken from the client when it sends one).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Returns the routes of the API together with their OpenAPI description.
///
/// Every route is added here with utoipa-axum's `routes!`, which registers the handler in the
/// router and its `#[utoipa::path]` operation in the description in one step, so the served
/// routes and the described ones cannot drift apart. Add routes only this way.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(api::openapi::ApiDocument::openapi())
        .routes(routes!(api::health::health))
        .routes(routes!(api::tables::list_tables))
        .routes(routes!(api::sql::run_sql))
        .routes(routes!(api::catalog::search))
        .routes(routes!(api::matching::match_offerings))
        .routes(routes!(api::matching::match_need))
        .routes(routes!(api::catalog_entries::create))
        .routes(routes!(
            api::catalog_entries::get,
            api::catalog_entries::replace,
            api::catalog_entries::delete
        ))
        .routes(api::ingest::routes())
        .routes(routes!(api::ingest::list))
        .routes(routes!(api::quarantine::list))
        .routes(routes!(api::sources::list))
        .routes(routes!(api::sources::sync))
        .routes(routes!(api::tokens::list, api::tokens::create))
        .routes(routes!(api::tokens::revoke))
        .routes(routes!(api::whoami::whoami))
        .routes(routes!(api::grants::list, api::grants::create))
        .routes(routes!(api::grants::revoke))
        .routes(routes!(api::indicators::list))
        .routes(routes!(api::indicators::run))
        .routes(routes!(metrics))
        .routes(routes!(api::openapi::openapi_json))
}

/// Returns the OpenAPI description of every route [`app`] serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
}

/// Returns every route [`app`] serves as `(method, path)`, the method upper-case and the path in
/// the router's `{parameter}` syntax, read from the description built with the router.
pub fn routes() -> Vec<(String, String)> {
    let document = openapi();
    let mut routes = Vec::new();
    for (path, item) in &document.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
            ("QUERY", &item.query),
        ];
        for (method, operation) in operations {
            if operation.is_some() {
                routes.push((method.to_string(), path.clone()));
            }
        }
        for method in item.additional_operations.keys() {
            routes.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    routes
}

/// Returns the router of the whole API.
///
/// Every request passes, outermost first: [`observe_request`] (request id, log, metrics), then
/// [`crate::auth::http::authorize`] (token, role, rate limit, audit), then the body limit
/// (extractors of every route refuse a body over `[limits] max_request_bytes`; ingest streams
/// its body and stops it at `max_ingest_bytes` itself).
pub fn app(state: AppState) -> Router {
    let (router, _description) = api_router().split_for_parts();
    router
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(
            state.edge.max_request_bytes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::http::authorize,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observe_request,
        ))
        // The console's files are public (its pages ask for a token), so they sit outside the
        // token check.
        .merge(crate::console::router())
        .with_state(state)
}

/// Returns the counters and histograms in the Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "health",
    responses(
        (status = 200, description = "Counters and histograms of requests, queries, searches and \
                                      ingests in the Prometheus text exposition format 0.0.4.",
            body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
    )
)]
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// Gives every request an id (the client's `x-request-id`, or a new one), returns it in the
/// response header, logs the request in a span carrying it, and counts it in the metrics.
async fn observe_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument as _;
    let started = std::time::Instant::now();
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| {
            !value.is_empty() && value.len() <= 128 && value.chars().all(|c| c.is_ascii_graphic())
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let method = request.method().to_string();
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id) {
        request.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    let span = tracing::info_span!("request", request_id = %request_id, %method, path = %request.uri().path());
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    let elapsed = started.elapsed();
    span.in_scope(|| {
        if status == axum::http::StatusCode::SERVICE_UNAVAILABLE {
            // Busy or still starting: the client is told to retry; nothing failed.
            tracing::warn!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                "request refused for now"
            );
        } else if status.is_server_error() {
            tracing::error!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                "request failed"
            );
        } else {
            tracing::info!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                "request"
            );
        }
    });
    state.metrics.increment(
        "parkhub_http_requests_total",
        &[
            ("route", &route),
            ("method", &method),
            ("status", status.as_str()),
        ],
    );
    state.metrics.observe(
        "parkhub_http_request_duration_seconds",
        &[("route", &route)],
        elapsed,
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {}", uri.path()))
}

/// Binds `listen`; [`serve`] then serves on it (apart, so that the caller knows the port
/// before serving, e.g. to print how to call it).
pub async fn bind(listen: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(listen).await
}

/// Serves on `listener` until Ctrl-C or SIGTERM. In-flight requests then get
/// `[limits] shutdown_grace_seconds` to finish before they are dropped, and the audit log
/// writes what it holds before this returns.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, "serving");
    // Tests and scripts read this line to learn the port when they asked for port 0.
    println!("parkhub listening on http://{bound}");
    let grace = state.edge.shutdown_grace;
    let audit = Arc::clone(&state.auth.audit);
    let (signalled, mut signal_seen) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, app(state)).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = signalled.send(true);
    });
    let deadline = async move {
        if signal_seen.wait_for(|seen| *seen).await.is_err() {
            // The server stopped without a signal: no deadline to keep.
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(grace).await;
    };
    let served = tokio::select! {
        served = std::future::IntoFuture::into_future(server) => served,
        () = deadline => {
            tracing::warn!(grace_seconds = grace.as_secs(), "requests still running after the shutdown grace period; dropping them");
            Ok(())
        }
    };
    audit.shutdown().await;
    served?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
