//! The HTTP server: the router over [`AppState`], binding, and clean shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::api::{self, ApiError};
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
}

/// Returns the router of the whole API.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(api::health::health))
        .route("/api/tables", get(api::tables::list_tables))
        .route("/api/sql", post(api::sql::run_sql))
        .route("/api/catalog/search", get(api::catalog::search))
        .route(
            "/api/ingest/{table_or_batch}",
            post(api::ingest::ingest).get(api::ingest::report),
        )
        .route("/api/quarantine", get(api::quarantine::list))
        .route("/api/indicators", get(api::indicators::list))
        .route("/api/indicators/{name}", get(api::indicators::run))
        .fallback(not_found)
        .with_state(state)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route for {}", uri.path()))
}

/// Binds `listen` and serves until Ctrl-C or SIGTERM; in-flight requests are finished first.
pub async fn serve(state: AppState, listen: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, "serving");
    // Tests and scripts read this line to learn the port when they asked for port 0.
    println!("parkhub listening on http://{bound}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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
