//! The Postgres wire protocol: `parkhub serve --pg 127.0.0.1:5433` lets psql, JDBC, psycopg
//! and BI tools query the lake.
//!
//! Every statement from a wire client goes through ParkHub's guarded planning
//! ([`parkhub_queries::QueryEngine::plan_statement`]: read-only, lake-only, unknown tables
//! named) and runs on the query runtime through [`parkhub_queries::QueryEngine::execute`]
//! (memory pool, time limit, concurrency limit); a refused or failed statement is an error
//! to the client, never a crash. The protocol itself is `pgwire`; the SQL is parsed with the
//! Postgres dialect and the client-compatibility rewrites of `datafusion-pg-catalog` and of
//! [`compat`]; `pg_catalog` and `information_schema` ([`catalog`], [`information_schema`],
//! [`functions`]) are what psql, pgjdbc, SQLAlchemy and node-postgres inspect: the
//! principal's tables, with the contracts' descriptions as comments and the upsert keys as
//! primary keys.
//!
//! What the wire server answers itself, without the engine ([`session`]): session parameters
//! (`SET application_name = …`, `SET extra_float_digits = 3`, `SET TIME ZONE …`, `SHOW …`)
//! are kept per connection and never change the engine's settings (`SET datafusion.…` is
//! refused); `BEGIN` / `COMMIT` / `ROLLBACK` are accepted (everything is a read).
//!
//! Who asks ([`login`]): the user name is a token's name and the password is the token
//! (cleartext password authentication: keep the port on loopback or behind TLS). Every
//! statement — simple or extended protocol, Describe included — runs on the principal's
//! engine ([`WireAuth::engine_for`]): only the tables its role may read exist for it, each
//! with its row filter below the client's SQL, and its `pg_catalog` and `information_schema`
//! list only those tables. Each statement the engine plans is a row of `_audit` (interface
//! `pg`, action `sql`), as is each login, refused or not.
//!
//! The edge: at most [`MAX_CONNECTIONS`] connections; a connection that has not logged in
//! within [`STARTUP_DEADLINE`] is closed; statements count against the token's rate limit
//! (shared with HTTP) and run under the engine's time, memory and concurrency limits; a token
//! revoked or expired while its connection is open ends the connection at its next
//! statement; internal errors reach the client as "internal error", their detail only the
//! server log.
//!
//! What the hub it runs in gives it ([`WireAuth`]): the token store, the audit log, the
//! shared rate limit and a principal's engine; this crate knows nothing else of the hub.

mod catalog;
mod compat;
mod functions;
mod information_schema;
mod login;
mod query;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use datafusion_postgres::pgwire;
use parkhub_queries::QueryEngine;
use pgwire::api::auth::StartupHandler;
use pgwire::api::cancel::{CancelHandler, DefaultCancelHandler};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::{
    ClientInfo, ConnectionManager, ErrorHandler, PgWireServerHandlers, RandomPidSecretKeyGenerator,
};
use pgwire::error::PgWireError;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use parkhub_access::TokenStore;
use parkhub_access::audit::AuditLog;
use parkhub_queries::policy::Principal;

/// What the wire server needs of the hub that runs it, shared with the hub's HTTP edge: the
/// tokens logins are checked against, the audit trail, the per-token rate limit and the
/// engine each principal queries with.
pub trait WireAuth: Send + Sync + 'static {
    /// The data directory's tokens: a login's password is checked against them, and each
    /// statement checks that its connection's token still stands.
    fn tokens(&self) -> &Arc<TokenStore>;
    /// Where logins and statements are recorded (`_audit`, interface `pg`).
    fn audit(&self) -> &Arc<AuditLog>;
    /// Takes one request from `key`'s rate limit (a token's name, shared with HTTP); the
    /// time to wait when it is spent.
    fn check_rate(&self, key: &str) -> Result<(), Duration>;
    /// Returns `engine` as `principal` may use it: its role's tables and rows, and the grants
    /// in force for it today.
    fn engine_for(&self, engine: &QueryEngine, principal: &Principal) -> QueryEngine;
}

/// What can keep the wire server from starting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address cannot be bound (in use, not local, not permitted).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server's `pg_catalog` (the static tables and functions every session shares)
    /// cannot be built.
    #[error("cannot build the Postgres catalog: {0}")]
    Catalog(#[source] datafusion::error::DataFusionError),
}

/// The result type of the wire server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The most wire connections served at once; more are closed at once (queries have their own
/// limit, `max_concurrent`, shared with HTTP).
pub const MAX_CONNECTIONS: usize = 256;

/// How long a new connection has to log in (send its startup message and a good password);
/// one that has not by then is closed, so idle or half-open connections cannot hold the
/// connection slots.
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(30);

/// How long a refused connection gets to read its error before it is closed.
const REFUSED_GRACE: Duration = Duration::from_secs(1);

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
    /// Binds `listen` and prepares the wire sessions over `engine`'s lake: each principal
    /// that logs in with a token of `auth` gets the engine [`WireAuth::engine_for`] gives
    /// it, with a `pg_catalog` of its own tables. Fails when the address cannot be bound.
    pub async fn bind<A: WireAuth>(
        listen: SocketAddr,
        engine: &QueryEngine,
        auth: Arc<A>,
    ) -> Result<PgServer> {
        let auth: Arc<dyn WireAuth> = auth;
        let catalog = Arc::new(catalog::PgCatalog::new().map_err(Error::Catalog)?);
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| Error::Bind {
                address: listen,
                source,
            })?;
        let connections = Arc::new(ConnectionManager::new());
        let handlers = Arc::new(Handlers {
            queries: Arc::new(query::WireQueries::new(
                engine.clone(),
                catalog,
                Arc::clone(&auth),
            )),
            cancel: Arc::new(DefaultCancelHandler::new(Arc::clone(&connections))),
            connections,
            auth,
            pids: Arc::new(RandomPidSecretKeyGenerator::default()),
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
                            tokio::time::sleep(Duration::from_millis(100)).await;
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
                        serve_connection(socket, peer, handlers).await;
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

/// Serves one connection; closes it when it has not logged in within [`STARTUP_DEADLINE`],
/// and soon after a refused login.
async fn serve_connection(
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    handlers: Arc<Handlers>,
) {
    tracing::debug!(%peer, "Postgres wire connection");
    let (outcome, logged_in) = tokio::sync::oneshot::channel();
    let startup = Arc::new(login::WireLogin::new(
        Arc::clone(&handlers.auth),
        Arc::clone(&handlers.connections),
        Arc::clone(&handlers.pids),
        outcome,
    ));
    let connection = Connection { handlers, startup };
    let served = pgwire::tokio::process_socket(socket, None, connection);
    tokio::pin!(served);
    let ended = |result: std::io::Result<()>| {
        if let Err(error) = result {
            tracing::debug!(%peer, %error, "Postgres wire connection ended with an error");
        }
    };
    tokio::select! {
        result = &mut served => return ended(result),
        login = tokio::time::timeout(STARTUP_DEADLINE, logged_in) => match login {
            Ok(Ok(true)) => {}
            Ok(Ok(false) | Err(_)) => {
                // Refused: the error is on its way; then the connection is closed whatever
                // the client does.
                if let Ok(result) = tokio::time::timeout(REFUSED_GRACE, &mut served).await {
                    ended(result);
                }
                return;
            }
            Err(_) => {
                tracing::info!(%peer, seconds = STARTUP_DEADLINE.as_secs(), "closing a Postgres wire connection that did not log in in time");
                return;
            }
        },
    }
    ended(served.await);
}

/// The pgwire handlers every connection shares.
struct Handlers {
    queries: Arc<query::WireQueries>,
    cancel: Arc<DefaultCancelHandler>,
    connections: Arc<ConnectionManager>,
    auth: Arc<dyn WireAuth>,
    pids: Arc<RandomPidSecretKeyGenerator>,
}

/// The handlers of one connection: the shared ones and its own login.
struct Connection {
    handlers: Arc<Handlers>,
    startup: Arc<login::WireLogin>,
}

impl PgWireServerHandlers for Connection {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        Arc::clone(&self.handlers.queries)
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        Arc::clone(&self.handlers.queries)
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        Arc::clone(&self.startup)
    }

    fn error_handler(&self) -> Arc<impl ErrorHandler> {
        Arc::new(LogErrors)
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        Arc::clone(&self.handlers.cancel)
    }
}

/// Logs the errors sent to clients, and keeps internal detail (file paths, library
/// messages) in the log: the client is told only that an internal error happened.
struct LogErrors;

impl ErrorHandler for LogErrors {
    fn on_error<C>(&self, client: &C, error: &mut PgWireError)
    where
        C: ClientInfo,
    {
        let internal = match error {
            PgWireError::UserError(info) => info.code == "XX000",
            PgWireError::ApiError(_) | PgWireError::IoError(_) => true,
            _ => false,
        };
        if internal {
            tracing::warn!(peer = %client.socket_addr(), %error, "Postgres wire internal error");
            *error = session::user_error("XX000", query::INTERNAL_ERROR);
        } else {
            tracing::info!(peer = %client.socket_addr(), %error, "Postgres wire error");
        }
    }
}
