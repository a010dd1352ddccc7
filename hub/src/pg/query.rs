//! The simple and extended query protocols over the guarded query engine.
//!
//! A statement is parsed with the Postgres dialect and `datafusion-pg-catalog`'s compatibility
//! rewrites; session commands ([`super::session`]) are answered here, everything else is
//! planned by [`QueryEngine::plan_statement`] (the read-only guard, unknown tables, the
//! lake-only object store) and run by [`QueryEngine::execute`] (time limit, memory pool,
//! concurrency limit). A prepared statement (Parse) is planned — and so checked — once; its
//! parameters (Bind) are values put into that checked plan, which is checked again before it
//! runs, so a prepared statement cannot do what a plain one may not.

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

use super::session::{self, Command, user_error};

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
    /// The plan made at Parse, and when.
    frame: DataFrame,
    planned_at: Instant,
    /// The parameters' types as the plan infers them, by position.
    parameters: Vec<Option<DataType>>,
    /// The parameters' types as the client is told (`ParameterDescription`).
    parameter_types: Vec<Type>,
}

impl PreparedQuery {
    fn new(statement: Statement, frame: DataFrame) -> PgWireResult<PreparedQuery> {
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

/// The query handlers of every wire connection.
pub(crate) struct WireQueries {
    engine: QueryEngine,
    parser: Arc<WireParser>,
}

impl WireQueries {
    /// Handlers planning with `engine` (whose sessions carry `pg_catalog`).
    pub(crate) fn new(engine: QueryEngine) -> WireQueries {
        WireQueries {
            parser: Arc::new(WireParser {
                engine: engine.clone(),
                sql: PostgresCompatibilityParser::new(),
            }),
            engine,
        }
    }

    fn time_limit_seconds(&self) -> u64 {
        self.engine.limits().timeout().as_secs()
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
                session::run(client, command, format, self.time_limit_seconds()).await
            }
            Prepared::Query(query) => {
                let frame = match portal {
                    Some(portal) => query.bind(query.current_frame(&self.engine).await?, portal)?,
                    None if query.parameters.is_empty() => query.frame.clone(),
                    None => {
                        return Err(user_error(
                            "42P02",
                            "there is no parameter $1: parameters need the extended query protocol",
                        ));
                    }
                };
                let stream = self.engine.execute(frame).map_err(query_error)?;
                Ok(Response::Query(encode(
                    stream,
                    format,
                    session::format_options(client),
                )?))
            }
        }
    }
}

/// Parses and prepares statements for the extended protocol (and the simple one).
pub(crate) struct WireParser {
    engine: QueryEngine,
    sql: PostgresCompatibilityParser,
}

impl WireParser {
    fn parse(&self, sql: &str) -> PgWireResult<Vec<Statement>> {
        self.sql
            .parse(sql)
            .map_err(|error| user_error("42601", format!("syntax error: {error}")))
    }

    async fn prepare(&self, statement: Statement) -> PgWireResult<Prepared> {
        if let Some(command) = session::command(&statement)? {
            return Ok(Prepared::Command(command));
        }
        let frame = self
            .engine
            .plan_statement(datafusion::sql::parser::Statement::Statement(Box::new(
                statement.clone(),
            )))
            .await
            .map_err(query_error)?;
        Ok(Prepared::Query(Arc::new(PreparedQuery::new(
            statement, frame,
        )?)))
    }
}

#[async_trait]
impl QueryParser for WireParser {
    type Statement = Prepared;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        _types: &[Option<Type>],
    ) -> PgWireResult<Option<Prepared>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        tracing::debug!(sql, "Postgres wire: parse");
        let mut statements = self.parse(sql)?;
        match statements.len() {
            0 => Ok(None),
            1 => self.prepare(statements.remove(0)).await.map(Some),
            _ => Err(user_error(
                "42601",
                "cannot insert multiple commands into a prepared statement",
            )),
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
        let statements = self.parser.parse(query)?;
        if statements.is_empty() {
            return Ok(vec![Response::EmptyQuery]);
        }
        let mut responses = Vec::with_capacity(statements.len());
        for statement in statements {
            let outcome = match self.parser.prepare(statement).await {
                Ok(prepared) => {
                    self.run(client, &prepared, None, &Format::UnifiedText)
                        .await
                }
                Err(error) => Err(error),
            };
            match outcome {
                Ok(response) => responses.push(response),
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
) -> PgWireResult<QueryResponse> {
    let schema: Arc<Schema> = stream.schema();
    let fields = Arc::new(arrow_pg::datatypes::arrow_schema_to_pg_fields(
        &schema,
        format,
        Some(options),
    )?);
    let row_fields = Arc::clone(&fields);
    let rows = stream
        .map(move |batch| {
            let rows: Box<dyn Iterator<Item = PgWireResult<DataRow>> + Send> = match batch {
                Ok(batch) => {
                    arrow_pg::datatypes::encode_recordbatch(Arc::clone(&row_fields), batch)
                }
                Err(error) => Box::new(std::iter::once(Err(query_error(error)))),
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
        tracing::warn!(%error, "a Postgres wire query failed");
    }
    user_error(code, error.to_string())
}
