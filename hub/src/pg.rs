//! The Postgres wire protocol: `parkhub serve --pg 127.0.0.1:5433` lets psql, JDBC, psycopg
//! and BI tools query the lake.
//!
//! Every statement from a wire client goes through ParkHub's guarded planning
//! ([`parkhub_queries::QueryEngine::plan_statement`]: read-only, lake-only, unknown tables
//! named) and runs on the query runtime through [`parkhub_queries::QueryEngine::execute`]
//! (memory pool, time limit, concurrency limit); a refused or failed statement is an error
//! to the client, never a crash. The protocol itself is `pgwire`; the SQL is parsed with the
//! Postgres dialect and the client-compatibility rewrites of `datafusion-pg-catalog`, which
//! also provides `pg_catalog` ([`catalog`]) so that psql's `\dt` and `\d table` work.
//!
//! What the wire server answers itself, without the engine ([`session`]): session parameters
//! (`SET application_name = …`, `SET extra_float_digits = 3`, `SET TIME ZONE …`, `SHOW …`)
//! are kept per connection and never change the engine's settings (`SET datafusion.…` is
//! refused); `BEGIN` / `COMMIT` / `ROLLBACK` are accepted (everything is a read).
//!
//! Authentication: none yet — any user name is accepted without a password, so bind the
//! wire server to a loopback address. Users and roles come with the roles issue.

mod catalog;
mod query;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use datafusion_postgres::pgwire;
use parkhub_queries::QueryEngine;
use pgwire::api::auth::StartupHandler;
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::cancel::{CancelHandler, DefaultCancelHandler};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::{ClientInfo, ConnectionManager, ErrorHandler, PgWireServerHandlers};
use pgwire::error::PgWireError;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The most wire connections served at once; more are closed at once (queries have their own
/// limit, `max_concurrent`, shared with HTTP).
pub const MAX_CONNECTIONS: usize = 256;

/// A bound Postgres wire server; [`PgServer::run`] serves it.
pub struct PgServer {
    listener: TcpListener,
    handlers: Arc<Handlers>,
}

impl std::fmt::Debug for PgServer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PgServer")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

impl PgServer {
    /// Binds `listen` and prepares the wire sessions over `engine`'s lake (its `pg_catalog`
    /// included). Fails when the address cannot be bound.
    pub async fn bind(listen: SocketAddr, engine: &QueryEngine) -> anyhow::Result<PgServer> {
        let catalog = Arc::new(catalog::PgCatalog::new(engine)?);
        let engine = engine.with_session_setup(move |context| catalog.install(context));
        let listener = TcpListener::bind(listen).await?;
        let connections = Arc::new(ConnectionManager::new());
        let handlers = Arc::new(Handlers {
            queries: Arc::new(query::WireQueries::new(engine)),
            startup: Arc::new(Startup {
                connections: Arc::clone(&connections),
            }),
            cancel: Arc::new(DefaultCancelHandler::new(connections)),
        });
        Ok(PgServer { listener, handlers })
    }

    /// The address the server listens on (the real port when asked for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts and serves connections until the future is dropped (the caller aborts its
    /// task at shutdown); dropping it closes every connection it serves.
    pub async fn run(self) {
        let limit = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (socket, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            // Out of file descriptors and the like: wait a little, go on.
                            tracing::warn!(%error, "cannot accept a Postgres wire connection");
                            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let Ok(permit) = Arc::clone(&limit).try_acquire_owned() else {
                        tracing::warn!(%peer, limit = MAX_CONNECTIONS, "too many Postgres wire connections: closing a new one");
                        continue;
                    };
                    let handlers = Arc::clone(&self.handlers);
                    connections.spawn(async move {
                        let _permit = permit;
                        tracing::debug!(%peer, "Postgres wire connection");
                        if let Err(error) = pgwire::tokio::process_socket(socket, None, handlers).await {
                            tracing::debug!(%peer, %error, "Postgres wire connection ended with an error");
                        }
                    });
                }
                // Reap finished connections so the set does not grow.
                Some(finished) = connections.join_next(), if !connections.is_empty() => {
                    if let Err(error) = finished
                        && error.is_panic()
                    {
                        tracing::error!(%error, "a Postgres wire connection panicked");
                    }
                }
            }
        }
    }
}

/// The pgwire handlers of every connection.
struct Handlers {
    queries: Arc<query::WireQueries>,
    startup: Arc<Startup>,
    cancel: Arc<DefaultCancelHandler>,
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::clone(&self.queries)
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::clone(&self.startup)
    }

    fn error_handler(&self) -> Arc<impl ErrorHandler> {
        Arc::new(LogErrors)
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        Arc::clone(&self.cancel)
    }
}

/// Startup without authentication (any user, no password: loopback use only for now); it
/// registers the connection so that a client's cancel request reaches it.
struct Startup {
    connections: Arc<ConnectionManager>,
}

impl NoopStartupHandler for Startup {
    fn connection_manager(&self) -> Option<Arc<ConnectionManager>> {
        Some(Arc::clone(&self.connections))
    }
}

/// Logs the errors sent to clients.
struct LogErrors;

impl ErrorHandler for LogErrors {
    fn on_error<C>(&self, client: &C, error: &mut PgWireError)
    where
        C: ClientInfo,
    {
        tracing::info!(peer = %client.socket_addr(), %error, "Postgres wire error");
    }
}
