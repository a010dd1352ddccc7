//! The statements the wire server answers itself: session parameters and transactions.
//!
//! Clients set and read session parameters on connect (JDBC: `SET extra_float_digits = 3`,
//! `SET application_name = …`; psql and BI tools: `SHOW …`, `BEGIN` / `COMMIT`). They are
//! kept per connection, in [`SessionParameters`], and only shape how answers are written
//! (date style, float digits); they never reach the query engine, whose settings every client
//! shares: `SET datafusion.…` is refused. Transactions are accepted: every statement is a
//! read, so there is nothing to commit or roll back.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use datafusion::sql::sqlparser::ast::{
    Expr, ObjectName, Reset, ResetStatement, Set, Statement, Value,
};
use datafusion_postgres::pgwire;
use pgwire::api::portal::Format;
use pgwire::api::results::{DataRowEncoder, FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::{ClientInfo, Type};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::TransactionStatus;
use pgwire::messages::startup::ParameterStatus;
use pgwire::types::format::FormatOptions;

use crate::catalog::server_version;

/// A statement answered by the wire server rather than the query engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// `SET name = value`, `SET TIME ZONE …`, `SET NAMES …`: a parameter of this connection.
    Set {
        /// The parameter, lower case (`application_name`, `timezone`).
        name: String,
        /// Its value, unquoted.
        value: String,
    },
    /// `RESET name`, `RESET ALL`, `DISCARD ALL`.
    Reset {
        /// The parameter, or `None` for all of them.
        name: Option<String>,
        /// The command tag of the answer.
        tag: String,
    },
    /// `SHOW name`.
    Show {
        /// The parameter, lower case, with `time zone` spelled `timezone`.
        name: String,
    },
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`.
    Commit,
    /// `ROLLBACK`, `ABORT`.
    Rollback,
    /// Accepted and without effect: `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`, `SET TRANSACTION`,
    /// `SET SESSION CHARACTERISTICS`, `DEALLOCATE`.
    NoOp {
        /// The command tag of the answer.
        tag: String,
    },
}

/// Returns the command a statement is, `None` when it is for the query engine, or the error
/// refusing it (an engine setting, a role change, a character set other than UTF-8).
pub(crate) fn command(statement: &Statement) -> PgWireResult<Option<Command>> {
    let command = match statement {
        Statement::Set(set) => set_command(set)?,
        Statement::Reset(ResetStatement { reset }) => Command::Reset {
            name: match reset {
                Reset::ALL => None,
                Reset::ConfigurationParameter(name) => Some(parameter_name(name)),
            },
            tag: "RESET".into(),
        },
        Statement::Discard { object_type } => Command::Reset {
            name: None,
            tag: format!("DISCARD {object_type}"),
        },
        Statement::ShowVariable { variable } => {
            let name = variable
                .iter()
                .map(|part| part.value.to_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            Command::Show {
                name: canonical_name(&name),
            }
        }
        Statement::StartTransaction { .. } => Command::Begin,
        Statement::Commit { .. } => Command::Commit,
        Statement::Rollback {
            savepoint: None, ..
        } => Command::Rollback,
        Statement::Rollback {
            savepoint: Some(_), ..
        } => Command::NoOp {
            tag: "ROLLBACK".into(),
        },
        Statement::Savepoint { .. } => Command::NoOp {
            tag: "SAVEPOINT".into(),
        },
        Statement::ReleaseSavepoint { .. } => Command::NoOp {
            tag: "RELEASE".into(),
        },
        Statement::Deallocate { .. } => Command::NoOp {
            tag: "DEALLOCATE".into(),
        },
        _ => return Ok(None),
    };
    Ok(Some(command))
}

fn set_command(set: &Set) -> PgWireResult<Command> {
    match set {
        Set::SingleAssignment {
            variable, values, ..
        } => {
            let name = canonical_name(&parameter_name(variable));
            let value = values
                .iter()
                .map(expression_text)
                .collect::<Vec<_>>()
                .join(", ");
            check_settable(&name, &value)?;
            Ok(Command::Set { name, value })
        }
        Set::SetTimeZone { value, .. } => Ok(Command::Set {
            name: "timezone".into(),
            value: expression_text(value),
        }),
        Set::SetNames { charset_name, .. } => {
            let value = charset_name.value.clone();
            check_settable("client_encoding", &value)?;
            Ok(Command::Set {
                name: "client_encoding".into(),
                value,
            })
        }
        Set::SetNamesDefault {} => Ok(Command::Reset {
            name: Some("client_encoding".into()),
            tag: "SET".into(),
        }),
        Set::SetTransaction { .. } => Ok(Command::NoOp { tag: "SET".into() }),
        Set::SetRole { .. } | Set::SetSessionAuthorization(_) => Err(user_error(
            "0A000",
            "SET ROLE and SET SESSION AUTHORIZATION are not supported (roles come later)",
        )),
        Set::ParenthesizedAssignments { .. }
        | Set::MultipleAssignments { .. }
        | Set::SetSessionParam(_) => Err(user_error(
            "0A000",
            format!("{set} is not supported: set one parameter at a time"),
        )),
    }
}

/// Refuses the settings a wire client must not change: the engine's (`datafusion.…`), shared
/// by every client, and a client encoding other than UTF-8.
fn check_settable(name: &str, value: &str) -> PgWireResult<()> {
    if name == "datafusion" || name.starts_with("datafusion.") {
        return Err(user_error(
            "55P02",
            format!(
                "{name} cannot be set: the query engine's settings are shared by every client and read-only over the wire (session parameters such as application_name can be set)"
            ),
        ));
    }
    if name == "client_encoding" && !is_utf8(value) {
        return Err(user_error(
            "22023",
            format!("client_encoding {value} is not supported: ParkHub speaks UTF8 only"),
        ));
    }
    Ok(())
}

fn is_utf8(encoding: &str) -> bool {
    matches!(
        encoding
            .to_ascii_lowercase()
            .replace(['-', '_'], "")
            .as_str(),
        "utf8" | "unicode"
    )
}

fn parameter_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|part| {
            part.as_ident()
                .map_or_else(|| part.to_string(), |ident| ident.value.clone())
        })
        .collect::<Vec<_>>()
        .join(".")
        .to_lowercase()
}

/// Spells a parameter the way Postgres keys it (`time zone` is `timezone`, `transaction
/// isolation level` is `transaction_isolation`).
fn canonical_name(name: &str) -> String {
    match name {
        "time zone" => "timezone".into(),
        "transaction isolation level" => "transaction_isolation".into(),
        "session authorization" => "session_authorization".into(),
        other => other.to_string(),
    }
}

/// The text of a parameter value: a literal unquoted, an identifier by name.
fn expression_text(expression: &Expr) -> String {
    match expression {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text)
            | Value::DoubleQuotedString(text)
            | Value::EscapedStringLiteral(text)
            | Value::NationalStringLiteral(text) => text.clone(),
            other => other.to_string(),
        },
        Expr::Identifier(ident) => ident.value.clone(),
        other => other.to_string(),
    }
}

/// The session parameters a client set on its connection.
#[derive(Debug, Default)]
pub(crate) struct SessionParameters(Mutex<BTreeMap<String, String>>);

impl SessionParameters {
    /// The parameters of `client`'s connection.
    pub(crate) fn of<C: ClientInfo + ?Sized>(client: &C) -> Arc<SessionParameters> {
        client
            .session_extensions()
            .get_or_insert_with(SessionParameters::default)
    }

    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, name: &str) -> Option<String> {
        self.map().get(name).cloned()
    }
}

/// How answers are written for `client`: its startup parameters, then what it `SET`.
pub(crate) fn format_options<C: ClientInfo + ?Sized>(client: &C) -> Arc<FormatOptions> {
    let mut parameters: std::collections::HashMap<String, String> = client
        .metadata()
        .iter()
        .map(|(name, value)| (name.to_lowercase(), value.clone()))
        .collect();
    parameters.extend(SessionParameters::of(client).map().clone());
    let mut options = FormatOptions::from_client_metadata(&parameters);
    if let Some(time_zone) = parameters.get("timezone") {
        options.time_zone = time_zone.clone();
    }
    Arc::new(options)
}

/// The Postgres name a parameter is reported under in `ParameterStatus`, for those a client
/// is told about when they change.
fn reported_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "application_name" => "application_name",
        "client_encoding" => "client_encoding",
        "datestyle" => "DateStyle",
        "intervalstyle" => "IntervalStyle",
        "timezone" => "TimeZone",
        "extra_float_digits" => "extra_float_digits",
        "search_path" => "search_path",
        "bytea_output" => "bytea_output",
        _ => return None,
    })
}

/// The column name `SHOW name` answers under.
pub(crate) fn show_column(name: &str) -> String {
    reported_name(name).map_or_else(|| name.to_string(), str::to_string)
}

/// The parameters [`default_value`] knows, as `pg_settings` lists them.
pub(crate) const SETTINGS: &[&str] = &[
    "server_version",
    "server_version_num",
    "server_encoding",
    "client_encoding",
    "standard_conforming_strings",
    "integer_datetimes",
    "transaction_read_only",
    "default_transaction_read_only",
    "is_superuser",
    "transaction_isolation",
    "default_transaction_isolation",
    "timezone",
    "datestyle",
    "intervalstyle",
    "bytea_output",
    "extra_float_digits",
    "search_path",
    "application_name",
    "max_identifier_length",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "lc_collate",
    "lc_ctype",
    "lc_messages",
];

/// The value of a parameter the client did not set.
pub(crate) fn default_value(name: &str, time_limit_seconds: u64) -> Option<String> {
    let defaults = pgwire::api::auth::DefaultServerParameterProvider::default();
    Some(match name {
        "server_version" => server_version(),
        "server_version_num" => server_version_num(&server_version()),
        "server_encoding" | "client_encoding" => "UTF8".into(),
        "standard_conforming_strings" | "integer_datetimes" => "on".into(),
        "transaction_read_only" | "default_transaction_read_only" => "on".into(),
        "is_superuser" => "off".into(),
        "transaction_isolation" | "default_transaction_isolation" => "read committed".into(),
        "timezone" => defaults.time_zone,
        "datestyle" => defaults.date_style,
        "intervalstyle" => defaults.interval_style,
        "bytea_output" => "hex".into(),
        "extra_float_digits" => "1".into(),
        "search_path" => parkhub_queries::engine::SCHEMA_NAME.into(),
        "application_name" => String::new(),
        "max_identifier_length" => "63".into(),
        "statement_timeout" => format!("{time_limit_seconds}s"),
        "lock_timeout" | "idle_in_transaction_session_timeout" => "0".into(),
        "lc_collate" | "lc_ctype" | "lc_messages" => "C.UTF-8".into(),
        _ => return None,
    })
}

/// `16.6-pgwire-…` as `160006`.
fn server_version_num(version: &str) -> String {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major * 10_000 + minor).to_string()
}

/// Runs a command for `client`; `time_limit_seconds` is what `SHOW statement_timeout` says
/// when the client did not set it.
pub(crate) async fn run<C>(
    client: &mut C,
    command: &Command,
    format: &Format,
    time_limit_seconds: u64,
) -> PgWireResult<Response>
where
    C: ClientInfo + futures::Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    PgWireError: From<<C as futures::Sink<PgWireBackendMessage>>::Error>,
{
    use futures::SinkExt as _;
    match command {
        Command::Set { name, value } => {
            SessionParameters::of(client)
                .map()
                .insert(name.clone(), value.clone());
            if let Some(reported) = reported_name(name) {
                client
                    .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                        reported.to_string(),
                        value.clone(),
                    )))
                    .await?;
            }
            Ok(Response::Execution(Tag::new("SET")))
        }
        Command::Reset { name, tag } => {
            let parameters = SessionParameters::of(client);
            let removed: Vec<String> = match name {
                Some(name) => parameters
                    .map()
                    .remove(name)
                    .map(|_| name.clone())
                    .into_iter()
                    .collect(),
                None => std::mem::take(&mut *parameters.map()).into_keys().collect(),
            };
            for name in removed {
                if let (Some(reported), Some(value)) = (
                    reported_name(&name),
                    client
                        .metadata()
                        .get(&name)
                        .cloned()
                        .or_else(|| default_value(&name, time_limit_seconds)),
                ) {
                    client
                        .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                            reported.to_string(),
                            value,
                        )))
                        .await?;
                }
            }
            Ok(Response::Execution(Tag::new(tag)))
        }
        Command::Show { name } => {
            let value = SessionParameters::of(client)
                .get(name)
                .or_else(|| client.metadata().get(name).cloned())
                .or_else(|| default_value(name, time_limit_seconds))
                .ok_or_else(|| {
                    user_error(
                        "42704",
                        format!("unrecognized configuration parameter \"{name}\""),
                    )
                })?;
            Ok(Response::Query(one_value(
                &show_column(name),
                &value,
                format,
            )?))
        }
        Command::Begin => Ok(Response::TransactionStart(Tag::new("BEGIN"))),
        Command::Commit => Ok(Response::TransactionEnd(Tag::new(
            if client.transaction_status() == TransactionStatus::Error {
                "ROLLBACK"
            } else {
                "COMMIT"
            },
        ))),
        Command::Rollback => Ok(Response::TransactionEnd(Tag::new("ROLLBACK"))),
        Command::NoOp { tag } => Ok(Response::Execution(Tag::new(tag))),
    }
}

/// The fields of `SHOW name`'s answer: one text column.
pub(crate) fn show_fields(name: &str, format: &Format) -> Vec<FieldInfo> {
    vec![FieldInfo::new(
        show_column(name),
        None,
        None,
        Type::TEXT,
        format.format_for(0),
    )]
}

fn one_value(name: &str, value: &str, format: &Format) -> PgWireResult<QueryResponse> {
    let fields = Arc::new(show_fields(name, format));
    let mut encoder = DataRowEncoder::new(Arc::clone(&fields));
    encoder.encode_field(&Some(value))?;
    let row = encoder.take_row();
    Ok(QueryResponse::new(
        fields,
        futures::stream::once(async move { Ok(row) }),
    ))
}

/// A client error with a Postgres SQLSTATE code.
pub(crate) fn user_error(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        "ERROR".to_string(),
        code.to_string(),
        message.into(),
    )))
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    use super::*;

    fn parse(sql: &str) -> Statement {
        Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .expect("parses")
            .remove(0)
    }

    #[test]
    fn session_parameters_are_commands_and_engine_settings_are_refused() {
        assert_eq!(
            command(&parse("SET extra_float_digits = 3")).expect("ok"),
            Some(Command::Set {
                name: "extra_float_digits".into(),
                value: "3".into()
            })
        );
        assert_eq!(
            command(&parse("SET application_name = 'PostgreSQL JDBC Driver'")).expect("ok"),
            Some(Command::Set {
                name: "application_name".into(),
                value: "PostgreSQL JDBC Driver".into()
            })
        );
        assert_eq!(
            command(&parse("SET TIME ZONE 'Asia/Shanghai'")).expect("ok"),
            Some(Command::Set {
                name: "timezone".into(),
                value: "Asia/Shanghai".into()
            })
        );
        assert_eq!(
            command(&parse("SET datestyle TO ISO, MDY")).expect("ok"),
            Some(Command::Set {
                name: "datestyle".into(),
                value: "ISO, MDY".into()
            })
        );
        assert_eq!(
            command(&parse("SHOW TRANSACTION ISOLATION LEVEL")).expect("ok"),
            Some(Command::Show {
                name: "transaction_isolation".into()
            })
        );
        assert_eq!(command(&parse("BEGIN")).expect("ok"), Some(Command::Begin));
        assert_eq!(
            command(&parse("COMMIT")).expect("ok"),
            Some(Command::Commit)
        );
        assert_eq!(command(&parse("SELECT 1")).expect("ok"), None);
        assert_eq!(command(&parse("DROP TABLE enterprises")).expect("ok"), None);
        for refused in [
            "SET datafusion.execution.batch_size = 1",
            "SET DataFusion.Execution.Target_Partitions TO 1",
            "SET client_encoding = 'LATIN1'",
            "SET ROLE admin",
        ] {
            assert!(command(&parse(refused)).is_err(), "{refused}");
        }
    }

    #[test]
    fn server_version_num_follows_the_version() {
        assert_eq!(server_version_num("16.6-pgwire-0.41.1"), "160006");
    }
}
