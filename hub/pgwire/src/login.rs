//! Logging in on the wire: the user name is a token's name, the password is the token.
//!
//! The server asks for a cleartext password (`AuthenticationCleartextPassword`; bind the port
//! to loopback or put TLS in front of it), checks the token with
//! [`TokenStore::authenticate`](parkhub_access::TokenStore::authenticate) and requires the
//! token's name to be the startup `user`. Every refusal (an unknown, malformed, revoked or
//! expired token, another token's name) is the same `28P01` error, so that a stranger learns
//! nothing about which names exist; a startup without a user name is `28000`. The principal
//! is kept in the connection's session extensions ([`WireSession`]) for every statement that
//! follows, and refused logins are rows of `_audit` (at most as many a second as the rate
//! limit allows one token, so a flood of bad logins cannot flood the audit table).

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use datafusion_postgres::pgwire;
use futures::{Sink, SinkExt as _};
use parkhub_queries::QueryEngine;
use parkhub_queries::policy::Policy;
use pgwire::api::auth::{
    DefaultServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::{
    ClientInfo, ConnectionGuard, ConnectionHandle, ConnectionManager, METADATA_USER,
    PgWireConnectionState, PidSecretKeyGenerator, RandomPidSecretKeyGenerator,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::startup::Authentication;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use tokio::sync::oneshot;

use parkhub_access::ANONYMOUS_NAME;
use parkhub_access::audit::{AuditRecord, Interface};
use parkhub_access::store::Rejection;
use parkhub_queries::policy::{Principal, Role};

use crate::WireAuth;

/// The rate-limiter bucket refused logins are audited from: one for the whole server (the
/// space keeps it apart from every token's name).
const REFUSED_LOGINS_BUCKET: &str = "pg refused logins";

/// The longest user name repeated in an error or an audit row.
const MAX_ECHOED_NAME: usize = 64;

/// Who a wire connection logged in as, and the engine its statements run on.
pub(crate) struct WireSession {
    /// The token's principal.
    pub(crate) principal: Principal,
    /// The principal's engine (with its `pg_catalog`) and the policy it was built for; built
    /// again when the policy changes (a grant given or revoked, a new day).
    pub(crate) engine: Mutex<Option<(Option<Policy>, QueryEngine)>>,
}

impl WireSession {
    fn new(principal: Principal) -> WireSession {
        WireSession {
            principal,
            engine: Mutex::new(None),
        }
    }
}

/// How a login ended, for the connection's startup deadline.
pub(crate) type LoginOutcome = oneshot::Sender<bool>;

/// The startup handler of one connection.
pub(crate) struct WireLogin {
    auth: Arc<dyn WireAuth>,
    connections: Arc<ConnectionManager>,
    pids: Arc<RandomPidSecretKeyGenerator>,
    /// Told `true` once the client is logged in, `false` when it is refused.
    outcome: Mutex<Option<LoginOutcome>>,
}

impl WireLogin {
    pub(crate) fn new(
        auth: Arc<dyn WireAuth>,
        connections: Arc<ConnectionManager>,
        pids: Arc<RandomPidSecretKeyGenerator>,
        outcome: LoginOutcome,
    ) -> WireLogin {
        WireLogin {
            auth,
            connections,
            pids,
            outcome: Mutex::new(Some(outcome)),
        }
    }

    fn tell(&self, logged_in: bool) {
        let sender = self
            .outcome
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send(logged_in);
        }
    }

    /// Checks the password of `client`'s startup user and answers the client.
    async fn check_password<C>(&self, client: &mut C, password: &str) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let user = client
            .metadata()
            .get(METADATA_USER)
            .cloned()
            .unwrap_or_default();
        let principal = match self.auth.tokens().authenticate(password) {
            Ok(authenticated) if authenticated.principal.name == user => {
                if authenticated.touch_due {
                    self.auth.tokens().touch_off_thread(&user).await;
                }
                authenticated.principal
            }
            Ok(_) => return Err(self.refuse(client, &user, "user_mismatch").await),
            Err(rejection) => {
                let outcome = match rejection {
                    Rejection::Revoked { .. } => "token_revoked",
                    Rejection::Expired { .. } => "token_expired",
                    Rejection::Missing | Rejection::Malformed | Rejection::Unknown => {
                        "bad_password"
                    }
                };
                return Err(self.refuse(client, &user, outcome).await);
            }
        };

        let (pid, secret_key) = self.pids.generate(&*client);
        client.set_pid_and_secret_key(pid, secret_key.clone());
        // So that a client's cancel request finds this connection.
        let (handle, guard) = self.connections.register(pid, secret_key);
        client
            .session_extensions()
            .insert::<Arc<ConnectionHandle>>(handle);
        client.session_extensions().insert::<ConnectionGuard>(guard);
        client
            .session_extensions()
            .insert(WireSession::new(principal.clone()));
        tracing::debug!(peer = %client.socket_addr(), principal = %principal.name, "Postgres wire login");
        let mut record = AuditRecord::new(Some(&principal), Interface::Pg, "login");
        record.statement = Some(format!("login from {}", client.socket_addr().ip()));
        self.auth.audit().record(record).await;

        let mut parameters = DefaultServerParameterProvider::default();
        parameters.is_superuser = principal.role == Role::Admin;
        parameters.default_transaction_read_only = true;
        finish_authentication(client, &parameters).await?;
        self.tell(true);
        Ok(())
    }

    /// Records a refused login (`outcome`) and returns the error the client gets: the same
    /// for every reason.
    async fn refuse<C: ClientInfo>(&self, client: &C, user: &str, outcome: &str) -> PgWireError {
        let shown: String = user.chars().take(MAX_ECHOED_NAME).collect();
        tracing::info!(peer = %client.socket_addr(), user = %shown, reason = outcome, "Postgres wire login refused");
        self.audit_refusal(client, &shown, outcome).await;
        self.tell(false);
        let mut error = ErrorInfo::new(
            "FATAL".to_string(),
            "28P01".to_string(),
            format!("password authentication failed for user \"{shown}\""),
        );
        error.hint = Some(
            "the user name is a token's name and the password is the token itself (phk_…); \
             ask the park's administrator for a token (parkhub token create)"
                .to_string(),
        );
        PgWireError::UserError(Box::new(error))
    }

    async fn audit_refusal<C: ClientInfo>(&self, client: &C, user: &str, outcome: &str) {
        if self.auth.check_rate(REFUSED_LOGINS_BUCKET).is_err() {
            tracing::warn!(peer = %client.socket_addr(), "refused Postgres wire logins beyond the rate limit are not audited");
            return;
        }
        let mut record = AuditRecord::new(None, Interface::Pg, "login");
        if !user.is_empty() {
            record.principal = user.to_string();
        }
        record.statement = Some(format!("login from {}", client.socket_addr().ip()));
        record.outcome = outcome.to_string();
        self.auth.audit().record(record).await;
    }
}

#[async_trait]
impl StartupHandler for WireLogin {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                let has_user = client
                    .metadata()
                    .get(METADATA_USER)
                    .is_some_and(|user| !user.is_empty());
                if !has_user {
                    tracing::info!(peer = %client.socket_addr(), "Postgres wire login refused: no user name");
                    self.audit_refusal(client, ANONYMOUS_NAME, "no_user").await;
                    self.tell(false);
                    let mut error = ErrorInfo::new(
                        "FATAL".to_string(),
                        "28000".to_string(),
                        "no PostgreSQL user name specified in startup packet".to_string(),
                    );
                    error.hint = Some(
                        "connect with user=<token name> and the token as the password".to_string(),
                    );
                    return Err(PgWireError::UserError(Box::new(error)));
                }
                client.set_state(PgWireConnectionState::AuthenticationInProgress);
                client
                    .send(PgWireBackendMessage::Authentication(
                        Authentication::CleartextPassword,
                    ))
                    .await?;
            }
            PgWireFrontendMessage::PasswordMessageFamily(password)
                if matches!(
                    client.state(),
                    PgWireConnectionState::AuthenticationInProgress
                ) =>
            {
                let password = password.into_password()?;
                self.check_password(client, &password.password).await?;
            }
            _ => {}
        }
        Ok(())
    }
}
