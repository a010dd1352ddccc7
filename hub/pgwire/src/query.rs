//! The simple and extended query protocols over the guarded query engine.
//!
//! A statement is parsed with the Postgres dialect and `datafusion-pg-catalog`'s compatibility
//! rewrites; session commands ([`crate::session`]) are answered here, everything else is
//! planned by [`QueryEngine::plan_statement`] (the read-only guard, unknown tables, the
//! lake-only object store) and run by [`QueryEngine::execute`] (time limit, memory pool,
//! concurrency limit). A prepared statement (Parse) is planned — and so checked — once; its
//! parameters (Bind) are values put into that checked plan, which is checked again before it
//! runs, so a prepared statement cannot do what a plain one may not.
//!
//! Every statement is planned and run on the engine of the connection's principal
//! ([`Sessions::engine`]), and every statement the engine plans is one row of `_audit`,
//! written when its answer has been sent (with the rows sent) or when it fails.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::ParamValues;
use datafusion::common::tree_node::{TreeNode as _, TreeNodeRecursion};
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::prelude::DataFrame;
use datafusion::sql::sqlparser::ast::Statement;
use datafusion_pg_catalog::sql::PostgresCompatibilityParser;
use datafusion_postgres::{arrow_pg, datafusion_pg_catalog, pgwire};
use futures::{Sink, StreamExt as _};
use parkhub_queries::{QueryEngine, QueryStream};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{FieldInfo, QueryResponse, Response};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, Type};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::DataRow;
use pgwire::messages::response::TransactionStatus;
use pgwire::types::format::FormatOptions;

use parkhub_access::audit::{AuditRecord, Interface};

use crate::WireAuth;
use crate::catalog::PgCatalog;
use crate::login::WireSession;
use crate::session::{self, Command, user_error};

/// What a client is told of an internal error (the detail goes to the server log).
pub(crate) const INTERNAL_ERROR: &str = "internal error; see the server log";

/// How long a plan made at Parse is used for Execute; an older prepared statement is planned
/// again, so that it reads the lake as it is when it runs.
const REPLAN_AFTER: Duration = Duration::from_secs(1);

/// A statement prepared for a connection: a checked plan, or a session command.
#[derive(Clone)]
pub(crate) enum Prepared {
    /// A read planned (and checked) by the query engine.
    Query(Arc<PreparedQuery>),
    /// A statement the wire server answers itself.
    Command(Command),
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Prepared::Query(query) => formatter
                .debug_struct("Query")
                .field("parameter_types", &query.parameter_types)
                .finish_non_exhaustive(),
            Prepared::Command(command) => formatter.debug_tuple("Command").field(command).finish(),
        }
    }
}

/// A planned read and its parameters (`$1`, `$2`, …).
pub(crate) struct PreparedQuery {
    /// The statement, planned again when the plan is older than [`REPLAN_AFTER`].
    statement: Statement,
    /// Its text, for the audit trail.
    text: String,
    /// The plan made at Parse, and when.
    frame: DataFrame,
    planned_at: Instant,
    /// The parameters' types as the plan infers them, by position.
    parameters: Vec<Option<DataType>>,
    /// The parameters' types as the client is told (`ParameterDescription`).
    parameter_types: Vec<Type>,
}

impl PreparedQuery {
    fn new(statement: Statement, text: String, frame: DataFrame) -> PgWireResult<PreparedQuery> {
        let parameters = parameter_fields(frame.logical_plan())?;
        let parameter_types = parameters
            .iter()
            .map(|field| match field {
                None => Ok(Type::UNKNOWN),
                Some(field) => wire_type(field),
            })
            .collect::<PgWireResult<Vec<_>>>()?;
        Ok(PreparedQuery {
            statement,
            text,
            frame,
            planned_at: Instant::now(),
            parameters: parameters
                .into_iter()
                .map(|field| field.map(|field| field.data_type().clone()))
                .collect(),
            parameter_types,
        })
    }

    /// The plan to run now: the one made at Parse when it is recent, otherwise a new one (a
    /// plan reads the lake tables as they were when it was made, and clients such as JDBC keep
    /// prepared statements for the whole connection). A new plan whose columns differ is
    /// refused, as Postgres does, since the client was told the columns at Parse.
    async fn current_frame(&self, engine: &QueryEngine) -> PgWireResult<DataFrame> {
        if self.planned_at.elapsed() < REPLAN_AFTER {
            return Ok(self.frame.clone());
        }
        tracing::debug!("Postgres wire: planning a prepared statement again");
        let frame = engine
            .plan_statement(datafusion::sql::parser::Statement::Statement(Box::new(
                self.statement.clone(),
            )))
            .await
            .map_err(query_error)?;
        if frame.schema().as_arrow().fields() != self.frame.schema().as_arrow().fields() {
            return Err(user_error(
                "0A000",
                "cached plan must not change result type: the table changed since the statement was prepared; prepare it again",
            ));
        }
        Ok(frame)
    }

    /// `frame` with the portal's parameter values in place, checked again.
    fn bind(&self, frame: DataFrame, portal: &Portal<Prepared>) -> PgWireResult<DataFrame> {
        if self.parameters.is_empty() && portal.parameter_len() == 0 {
            return Ok(frame);
        }
        // A type the client declared wins (the value is encoded in it); the value is cast to
        // the plan's type afterwards.
        let declared = &portal.statement.parameter_types;
        let decode_as: Vec<Option<&DataType>> = self
            .parameters
            .iter()
            .enumerate()
            .map(|(index, data_type)| {
                if declared.get(index).is_some_and(Option::is_some) {
                    None
                } else {
                    data_type.as_ref()
                }
            })
            .collect();
        let wire_types: Vec<Option<&Type>> = self.parameter_types.iter().map(Some).collect();
        let values = arrow_pg::datatypes::df::deserialize_parameters_with_server_types(
            portal,
            &decode_as,
            &wire_types,
        )?;
        let ParamValues::List(values) = values else {
            return Err(user_error(
                "42P02",
                "only positional parameters ($1, $2, …) are supported",
            ));
        };
        let values = values
            .into_iter()
            .zip(
                self.parameters
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .map(|(mut value, data_type)| {
                if let Some(Some(data_type)) = data_type
                    && value.value.data_type() != *data_type
                {
                    value.value = value.value.cast_to(data_type).map_err(|error| {
                        user_error(
                            "22023",
                            format!("parameter cannot be read as {data_type}: {error}"),
                        )
                    })?;
                }
                Ok(value)
            })
            .collect::<PgWireResult<Vec<_>>>()?;
        let frame = frame
            .with_param_values(ParamValues::List(values))
            .map_err(|error| user_error("22023", error.strip_backtrace().to_string()))?;
        parkhub_queries::guard::check_plan(frame.logical_plan()).map_err(query_error)?;
        Ok(frame)
    }
}

/// The parameters of a plan by position (`$1` first), with the field each was inferred as
/// (from a comparison with a column, or a cast).
fn parameter_fields(
    plan: &LogicalPlan,
) -> PgWireResult<Vec<Option<datafusion::arrow::datatypes::FieldRef>>> {
    let inferred = plan
        .get_parameter_fields()
        .map_err(|error| user_error("42P18", error.strip_backtrace().to_string()))?;
    if inferred.is_empty() {
        return Ok(Vec::new());
    }
    let mut cast_to: HashMap<String, DataType> = HashMap::new();
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|expression| {
            expression.apply(|expression| {
                let inner = match expression {
                    Expr::Cast(cast) => Some((&cast.expr, cast.field.data_type())),
                    Expr::TryCast(cast) => Some((&cast.expr, cast.field.data_type())),
                    _ => None,
                };
                if let Some((inner, data_type)) = inner
                    && let Expr::Placeholder(placeholder) = inner.as_ref()
                {
                    cast_to
                        .entry(placeholder.id.clone())
                        .or_insert_with(|| data_type.clone());
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })
    .map_err(|error| user_error("42P18", error.strip_backtrace().to_string()))?;
    let mut positional = Vec::new();
    for (id, field) in inferred {
        let position = id
            .strip_prefix('$')
            .and_then(|number| number.parse::<usize>().ok())
            .filter(|position| (1..=65_535).contains(position))
            .ok_or_else(|| {
                user_error(
                    "42P02",
                    format!("parameter {id}: only positional parameters ($1, $2, …) are supported"),
                )
            })?;
        let field = field.or_else(|| {
            cast_to.get(&id).map(|data_type| {
                Arc::new(datafusion::arrow::datatypes::Field::new(
                    &id,
                    data_type.clone(),
                    true,
                ))
            })
        });
        positional.push((position, field));
    }
    let count = positional
        .iter()
        .map(|(position, _)| *position)
        .max()
        .unwrap_or(0);
    let mut fields = vec![None; count];
    for (position, field) in positional {
        fields[position - 1] = field;
    }
    Ok(fields)
}

/// The Postgres type a parameter is described as: `oid` for the oid columns of `pg_catalog`,
/// otherwise the type of its Arrow type.
fn wire_type(field: &datafusion::arrow::datatypes::Field) -> PgWireResult<Type> {
    if field.data_type() == &DataType::Int32
        && let Some(kind) = field.metadata().get(arrow_pg::datatypes::PG_OID_ALIAS_KEY)
        && let Some(wire_type) = arrow_pg::datatypes::pg_type_for_alias_kind(kind)
    {
        return Ok(wire_type);
    }
    arrow_pg::datatypes::into_pg_type(field.data_type())
}

/// The principals' sessions: each connection's engine, built from the server's engine for
/// the principal that logged in.
pub(crate) struct Sessions {
    /// The engine over the whole lake; principals get theirs from it.
    base: QueryEngine,
    catalog: Arc<PgCatalog>,
    auth: Arc<dyn WireAuth>,
}

impl Sessions {
    /// The session of `client`'s connection. Ends the connection (a `FATAL` error) when it
    /// has not logged in, or when its token was revoked or expired since.
    fn session<C: ClientInfo + ?Sized>(&self, client: &C) -> PgWireResult<Arc<WireSession>> {
        let session = client
            .session_extensions()
            .get::<WireSession>()
            .ok_or_else(|| fatal("28000", "the connection has not logged in"))?;
        let name = &session.principal.name;
        match self.auth.tokens().get(name) {
            Ok(Some(token))
                if token.revoked_at.is_none() && !token.is_expired(chrono::Utc::now()) => {}
            Ok(_) => {
                tracing::info!(principal = %name, "Postgres wire: the token was revoked or expired; closing its connection");
                return Err(fatal(
                    "28000",
                    format!(
                        "the token '{name}' was revoked or has expired; connect again with a valid token"
                    ),
                ));
            }
            Err(error) => {
                tracing::error!(%error, "cannot re-read the token store; the connection's login stands");
            }
        }
        Ok(session)
    }

    /// Takes one statement from the token's rate limit (shared with HTTP).
    fn rate_limit(&self, session: &WireSession) -> PgWireResult<()> {
        self.auth
            .check_rate(&session.principal.name)
            .map_err(|wait| {
                let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                user_error(
                    "53400",
                    format!("too many statements for this token; retry in {seconds} s"),
                )
            })
    }

    /// The engine the session's principal queries with today: its tables and rows, its
    /// grants, and a `pg_catalog` of those tables. Kept by the session while its policy
    /// stays the same, so that `pg_catalog`'s oids are stable from one statement to the next.
    async fn engine(&self, session: &WireSession) -> PgWireResult<QueryEngine> {
        let engine = self.auth.engine_for(&self.base, &session.principal);
        {
            let cached = session
                .engine
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((policy, cached_engine)) = cached.as_ref()
                && policy.as_ref() == engine.policy()
            {
                return Ok(cached_engine.clone());
            }
        }
        let session_catalog = self
            .catalog
            .session_catalog(&engine, &session.principal.name)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "cannot build pg_catalog for a wire session");
                user_error("XX000", INTERNAL_ERROR)
            })?;
        let catalog = Arc::clone(&self.catalog);
        let policy = engine.policy().cloned();
        let engine =
            engine.with_session_setup(move |context| catalog.install(context, &session_catalog));
        *session
            .engine
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((policy, engine.clone()));
        Ok(engine)
    }

    /// Starts the audit row of a statement `text` run by `session` on `engine`.
    fn audit(&self, session: &WireSession, engine: &QueryEngine, text: &str) -> StatementAudit {
        let mut record = AuditRecord::new(Some(&session.principal), Interface::Pg, "sql");
        record.statement = Some(text.to_string());
        record.policies = Some(policies(engine));
        StatementAudit {
            auth: Arc::clone(&self.auth),
            record: Some(record),
            started: Instant::now(),
            rows: 0,
        }
    }
}

/// The row filters and grants a principal's engine applies, as `_audit` records them.
fn policies(engine: &QueryEngine) -> String {
    let Some(policy) = engine.policy() else {
        return "admin: the whole lake".to_string();
    };
    let principal = policy.principal();
    let rows = match &principal.uscc {
        Some(uscc) => format!("{} rows of uscc {uscc}", principal.role),
        None => format!("{} rows", principal.role),
    };
    let grants = policy.grant_ids();
    if grants.is_empty() {
        format!("{rows}; grants: none")
    } else {
        format!("{rows}; grants: {}", grants.join(","))
    }
}

/// The audit row of one statement; written when it is dropped (the answer sent, or the
/// statement given up), or at once by [`StatementAudit::failed`].
pub(crate) struct StatementAudit {
    auth: Arc<dyn WireAuth>,
    record: Option<AuditRecord>,
    started: Instant,
    rows: i64,
}

impl StatementAudit {
    fn set_tables(&mut self, plan: &LogicalPlan) {
        if let Some(record) = &mut self.record {
            record.tables = tables_read(plan);
        }
    }

    fn set_outcome(&mut self, error: &PgWireError) {
        if let Some(record) = &mut self.record {
            record.outcome = outcome(error);
        }
    }

    fn finish(&mut self) -> Option<AuditRecord> {
        let mut record = self.record.take()?;
        record.rows = Some(self.rows);
        record.duration_ms =
            Some(i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX));
        Some(record)
    }

    /// Records the statement as failed with `error`, now.
    async fn failed(mut self, error: &PgWireError) {
        self.set_outcome(error);
        if let Some(mut record) = self.finish() {
            record.rows = None;
            self.auth.audit().record(record).await;
        }
    }
}

impl Drop for StatementAudit {
    fn drop(&mut self) {
        let Some(record) = self.finish() else {
            return;
        };
        let auth = Arc::clone(&self.auth);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                drop(runtime.spawn(async move { auth.audit().record(record).await }));
            }
            Err(_) => tracing::error!(?record, "no runtime to write an audit row on"),
        }
    }
}

/// The tables a plan reads, comma-separated ([`parkhub_queries::policy::scanned_tables`]).
fn tables_read(plan: &LogicalPlan) -> Option<String> {
    let names = parkhub_queries::policy::scanned_tables(plan);
    (!names.is_empty()).then(|| names.join(","))
}

/// The `outcome` of a failed statement in `_audit`: the names the HTTP API uses for the same
/// errors, else the SQLSTATE.
fn outcome(error: &PgWireError) -> String {
    let PgWireError::UserError(info) = error else {
        return "internal".to_string();
    };
    match info.code.as_str() {
        "42601" => "invalid_sql",
        "42P01" => "unknown_table",
        "25006" => "read_only",
        "25P02" => "transaction_aborted",
        "53300" => "busy",
        "53400" => "rate_limited",
        "57014" => "query_timeout",
        "53200" => "resources_exhausted",
        "XX000" => "internal",
        code => return format!("sqlstate_{code}"),
    }
    .to_string()
}

/// A `FATAL` error: the client is told, then the connection is closed.
fn fatal(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "FATAL".to_string(),
        code.to_string(),
        message.into(),
    )))
}

fn is_fatal(error: &PgWireError) -> bool {
    matches!(error, PgWireError::UserError(info) if info.is_fatal())
}

/// The query handlers of every wire connection.
pub(crate) struct WireQueries {
    parser: Arc<WireParser>,
}

impl WireQueries {
    /// Handlers planning with `engine`, as each connection's principal may use it, with
    /// `catalog` for its `pg_catalog`.
    pub(crate) fn new(
        engine: QueryEngine,
        catalog: Arc<PgCatalog>,
        auth: Arc<dyn WireAuth>,
    ) -> WireQueries {
        WireQueries {
            parser: Arc::new(WireParser {
                sessions: Sessions {
                    base: engine,
                    catalog,
                    auth,
                },
                sql: PostgresCompatibilityParser::new(),
            }),
        }
    }

    fn sessions(&self) -> &Sessions {
        &self.parser.sessions
    }

    fn time_limit_seconds(&self) -> u64 {
        self.sessions().base.limits().timeout().as_secs()
    }

    /// Runs one prepared statement.
    async fn run<C>(
        &self,
        client: &mut C,
        prepared: &Prepared,
        portal: Option<&Portal<Prepared>>,
        format: &Format,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let ends_transaction = matches!(
            prepared,
            Prepared::Command(Command::Commit | Command::Rollback)
        );
        if client.transaction_status() == TransactionStatus::Error && !ends_transaction {
            return Err(user_error(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        match prepared {
            Prepared::Command(command) => {
                self.sessions().session(client)?;
                session::run(client, command, format, self.time_limit_seconds()).await
            }
            Prepared::Query(query) => {
                let sessions = self.sessions();
                let session = sessions.session(client)?;
                let engine = sessions.engine(&session).await?;
                let mut audit = sessions.audit(&session, &engine, &query.text);
                if let Err(error) = sessions.rate_limit(&session) {
                    audit.failed(&error).await;
                    return Err(error);
                }
                let frame = match portal {
                    Some(portal) => query
                        .current_frame(&engine)
                        .await
                        .and_then(|frame| query.bind(frame, portal)),
                    None if query.parameters.is_empty() => Ok(query.frame.clone()),
                    None => Err(user_error(
                        "42P02",
                        "there is no parameter $1: parameters need the extended query protocol",
                    )),
                };
                let frame = match frame {
                    Ok(frame) => frame,
                    Err(error) => {
                        audit.failed(&error).await;
                        return Err(error);
                    }
                };
                audit.set_tables(frame.logical_plan());
                let stream = match engine.execute(frame).map_err(query_error) {
                    Ok(stream) => stream,
                    Err(error) => {
                        audit.failed(&error).await;
                        return Err(error);
                    }
                };
                Ok(Response::Query(encode(
                    stream,
                    format,
                    session::format_options(client),
                    audit,
                )?))
            }
        }
    }
}

/// Parses and prepares statements for the extended protocol (and the simple one).
pub(crate) struct WireParser {
    sessions: Sessions,
    sql: PostgresCompatibilityParser,
}

impl WireParser {
    fn parse(&self, sql: &str) -> PgWireResult<Vec<Statement>> {
        let mut statements = self
            .sql
            .parse(sql)
            .map_err(|error| user_error("42601", format!("syntax error: {error}")))?;
        for statement in &mut statements {
            crate::compat::rewrite(statement);
        }
        Ok(statements)
    }

    /// Prepares `statement` (whose text is `text`) for `client`'s principal; a statement the
    /// engine refuses is recorded in the audit trail.
    async fn prepare<C: ClientInfo + ?Sized>(
        &self,
        client: &C,
        statement: Statement,
        text: String,
    ) -> PgWireResult<Prepared> {
        let session = self.sessions.session(client)?;
        if let Some(command) = session::command(&statement)? {
            return Ok(Prepared::Command(command));
        }
        let engine = self.sessions.engine(&session).await?;
        let planned = engine
            .plan_statement(datafusion::sql::parser::Statement::Statement(Box::new(
                statement.clone(),
            )))
            .await
            .map_err(query_error)
            .and_then(|frame| PreparedQuery::new(statement, text.clone(), frame));
        match planned {
            Ok(query) => Ok(Prepared::Query(Arc::new(query))),
            Err(error) => {
                self.sessions
                    .audit(&session, &engine, &text)
                    .failed(&error)
                    .await;
                Err(error)
            }
        }
    }

    /// Records a statement that does not parse.
    async fn audit_unparsed<C: ClientInfo + ?Sized>(
        &self,
        client: &C,
        sql: &str,
        error: &PgWireError,
    ) -> PgWireResult<()> {
        let session = self.sessions.session(client)?;
        let engine = self.sessions.engine(&session).await?;
        self.sessions
            .audit(&session, &engine, sql)
            .failed(error)
            .await;
        Ok(())
    }

    /// Parses `sql` for `client`, recording it when it does not parse.
    async fn parse_for<C: ClientInfo + ?Sized>(
        &self,
        client: &C,
        sql: &str,
    ) -> PgWireResult<Vec<Statement>> {
        match self.parse(sql) {
            Ok(statements) => Ok(statements),
            Err(error) => {
                self.audit_unparsed(client, sql, &error).await?;
                Err(error)
            }
        }
    }
}

#[async_trait]
impl QueryParser for WireParser {
    type Statement = Prepared;

    async fn parse_sql<C>(
        &self,
        client: &C,
        sql: &str,
        _types: &[Option<Type>],
    ) -> PgWireResult<Option<Prepared>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        tracing::debug!(sql, "Postgres wire: parse");
        let mut statements = self.parse_for(client, sql).await?;
        match statements.len() {
            0 => Ok(None),
            1 => self
                .prepare(client, statements.remove(0), sql.to_string())
                .await
                .map(Some),
            _ => {
                let error = user_error(
                    "42601",
                    "cannot insert multiple commands into a prepared statement",
                );
                self.audit_unparsed(client, sql, &error).await?;
                Err(error)
            }
        }
    }

    fn get_parameter_types(&self, statement: &Prepared) -> PgWireResult<Vec<Type>> {
        Ok(match statement {
            Prepared::Query(query) => query.parameter_types.clone(),
            Prepared::Command(_) => Vec::new(),
        })
    }

    fn get_result_schema(
        &self,
        statement: &Prepared,
        column_format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        let format = column_format.unwrap_or(&Format::UnifiedText);
        match statement {
            Prepared::Query(query) => arrow_pg::datatypes::arrow_schema_to_pg_fields(
                query.frame.schema().as_arrow(),
                format,
                None,
            ),
            Prepared::Command(Command::Show { name }) => Ok(session::show_fields(name, format)),
            Prepared::Command(_) => Ok(Vec::new()),
        }
    }
}

#[async_trait]
impl SimpleQueryHandler for WireQueries {
    async fn do_query<C>(&self, client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        tracing::debug!(sql = query, "Postgres wire: query");
        let statements = self.parser.parse_for(&*client, query).await?;
        if statements.is_empty() {
            return Ok(vec![Response::EmptyQuery]);
        }
        let single = statements.len() == 1;
        let mut responses = Vec::with_capacity(statements.len());
        for statement in statements {
            let text = if single {
                query.to_string()
            } else {
                statement.to_string()
            };
            let outcome = match self.parser.prepare(&*client, statement, text).await {
                Ok(prepared) => {
                    self.run(client, &prepared, None, &Format::UnifiedText)
                        .await
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(response) => responses.push(response),
                // A revoked token or a connection that never logged in: end it.
                Err(error) if is_fatal(&error) => return Err(error),
                Err(error) => {
                    // Like Postgres: the statements before the failing one have answered, the
                    // ones after it are not run.
                    responses.push(Response::Error(Box::new(ErrorInfo::from(error))));
                    break;
                }
            }
        }
        Ok(responses)
    }
}

#[async_trait]
impl ExtendedQueryHandler for WireQueries {
    type Statement = Prepared;
    type QueryParser = WireParser;

    fn query_parser(&self) -> Arc<WireParser> {
        Arc::clone(&self.parser)
    }

    async fn do_query<C>(
        &self,
        client: &mut C,
        portal: &Portal<Prepared>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = &portal.statement.statement;
        self.run(client, prepared, Some(portal), &portal.result_column_format)
            .await
    }
}

/// The rows of a running query, encoded as the client asked.
fn encode(
    stream: QueryStream,
    format: &Format,
    options: Arc<FormatOptions>,
    mut audit: StatementAudit,
) -> PgWireResult<QueryResponse> {
    let schema: Arc<Schema> = stream.schema();
    let fields =
        match arrow_pg::datatypes::arrow_schema_to_pg_fields(&schema, format, Some(options)) {
            Ok(fields) => Arc::new(fields),
            Err(error) => {
                audit.set_outcome(&error);
                return Err(error);
            }
        };
    let row_fields = Arc::clone(&fields);
    let rows = stream
        .map(move |batch| {
            // The audit row is written when the stream is dropped: answered, failed or given up.
            let rows: Box<dyn Iterator<Item = PgWireResult<DataRow>> + Send> = match batch {
                Ok(batch) => {
                    audit.rows += i64::try_from(batch.num_rows()).unwrap_or(i64::MAX);
                    arrow_pg::datatypes::encode_recordbatch(Arc::clone(&row_fields), batch)
                }
                Err(error) => {
                    let error = query_error(error);
                    audit.set_outcome(&error);
                    Box::new(std::iter::once(Err(error)))
                }
            };
            futures::stream::iter(rows)
        })
        .flatten();
    Ok(QueryResponse::new(fields, rows))
}

/// A query engine error as the client sees it, with its SQLSTATE code.
fn query_error(error: parkhub_queries::Error) -> PgWireError {
    use parkhub_queries::Error;
    let code = match &error {
        Error::ReadOnly { .. } => "25006",
        Error::UnknownTable { .. } => "42P01",
        Error::InvalidSql(_) => "42601",
        Error::Busy { .. } => "53300",
        Error::Timeout { .. } => "57014",
        Error::ResourcesExhausted(_) => "53200",
        error if error.is_client_error() => "42000",
        _ => "XX000",
    };
    if code == "XX000" {
        // File paths and library detail stay in the log.
        tracing::warn!(%error, "a Postgres wire query failed");
        return user_error(code, INTERNAL_ERROR);
    }
    user_error(code, error.to_string())
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::datasource::empty::EmptyTable;
    use datafusion::datasource::provider_as_source;
    use datafusion::logical_expr::LogicalPlanBuilder;

    use super::*;

    fn scan(name: &str) -> LogicalPlanBuilder {
        let schema = Arc::new(Schema::new(vec![Field::new("uscc", DataType::Utf8, true)]));
        LogicalPlanBuilder::scan(
            name,
            provider_as_source(Arc::new(EmptyTable::new(schema))),
            None,
        )
        .expect("scan")
    }

    #[test]
    fn the_audit_names_the_tables_a_plan_reads() {
        let plan = scan("energy_readings")
            .union(scan("lake.production_monthly").build().expect("plan"))
            .expect("union")
            .union(scan("pg_catalog.pg_class").build().expect("plan"))
            .expect("union")
            .union(scan("energy_readings").build().expect("plan"))
            .expect("union")
            .build()
            .expect("plan");
        assert_eq!(
            tables_read(&plan).as_deref(),
            Some("energy_readings,pg_catalog.pg_class,production_monthly")
        );
        let values = LogicalPlanBuilder::empty(true).build().expect("plan");
        assert_eq!(tables_read(&values), None);
    }

    #[test]
    fn failed_statements_are_audited_under_the_http_names_of_their_errors() {
        assert_eq!(
            outcome(&user_error("42P01", "unknown table")),
            "unknown_table"
        );
        assert_eq!(outcome(&user_error("57014", "time limit")), "query_timeout");
        assert_eq!(
            outcome(&user_error("42P02", "no parameter")),
            "sqlstate_42P02"
        );
        assert_eq!(outcome(&PgWireError::QueryCanceled), "internal");
        assert!(is_fatal(&fatal("28000", "revoked")));
        assert!(!is_fatal(&user_error("42P01", "unknown table")));
    }
}
