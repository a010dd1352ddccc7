//! `[[sources]]` in `parkhub.toml`: what a park writes, and the checked form the runner uses.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::contract::Contracts;
use crate::error::{Error, Result};

/// One `[[sources]]` table as written in `parkhub.toml`.
///
/// ```
/// use parkhub_connectors::Contracts;
/// use parkhub_connectors::live::{SourceConfig, SourceKind};
///
/// let config: SourceConfig = toml::from_str(r#"
///     name = "acme-erp"
///     kind = "postgres"
///     url = "postgres://reader@127.0.0.1:5432/erp"
///     password_env = "ACME_ERP_PASSWORD"
///     table = "production_monthly"
///     from = "monthly_output"
///     cursor = "updated_at"
///     every = "5m"
/// "#).map_err(|error| error.to_string())?;
/// let spec = config.check(&Contracts::builtin()?)?;
/// assert!(matches!(spec.kind, SourceKind::Database(_)));
/// assert_eq!(spec.every().map(|every| every.as_secs()), Some(300));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// The source's name: unique, used in logs, `parkhub sync NAME` and the ingest log.
    pub name: String,
    /// `postgres`, `mysql` or `mqtt`.
    pub kind: String,
    /// Where the server is, without a password (`postgres://user@host:5432/db`,
    /// `mysql://user@host:3306/db`, `mqtt://host:1883`).
    pub url: String,
    /// The environment variable that holds the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// The lake table the rows go to.
    pub table: String,
    /// How often a database source syncs (`30s`, `5m`, `1h`, `1d`; default `5m`).
    #[serde(default)]
    pub every: Option<String>,
    /// The SELECT whose rows are synced (database sources; or `from`).
    #[serde(default)]
    pub query: Option<String>,
    /// The source table whose rows are synced (database sources; or `query`).
    #[serde(default)]
    pub from: Option<String>,
    /// An increasing column of the rows (`updated_at`, an id) (database sources).
    #[serde(default)]
    pub cursor: Option<String>,
    /// The columns rows are upserted on (default: the lake table's key; none appends).
    #[serde(default)]
    pub key: Option<Vec<String>>,
    /// The enterprise (USCC) whose database this is: only its rows are accepted.
    #[serde(default)]
    pub uscc: Option<String>,
    /// Rows per batch read from a database, or messages per commit from a broker.
    #[serde(default)]
    pub batch_rows: Option<usize>,
    /// The longest an MQTT batch waits for more messages before it is committed (seconds).
    #[serde(default)]
    pub batch_seconds: Option<f64>,
    /// The MQTT topic filter (wildcards allowed: `park/+/meter/#`).
    #[serde(default)]
    pub topic: Option<String>,
    /// The MQTT quality of service: 0 or 1 (default 1).
    #[serde(default)]
    pub qos: Option<u8>,
    /// The payload format; only `json`.
    #[serde(default)]
    pub format: Option<String>,
    /// The MQTT client id, which names the broker's persistent session (default
    /// `parkhub-<name>`).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Payload fields (dotted paths into nested objects) → the table's columns, for fields not
    /// named like a column or one of its aliases.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Columns taken from a level of the message's topic, counted from 1
    /// (`uscc = 2` for `park/<uscc>/meter/<id>`).
    #[serde(default)]
    pub topic_levels: BTreeMap<String, usize>,
}

/// A source checked against the contracts, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    /// The source's name.
    pub name: String,
    /// The lake table.
    pub table: String,
    /// The enterprise whose rows alone are accepted, when one is named.
    pub uscc: Option<String>,
    /// The environment variable holding the password.
    pub password_env: Option<String>,
    /// What kind of source it is.
    pub kind: SourceKind,
}

/// The kinds of live source.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// A database read on a schedule.
    Database(DatabaseSpec),
    /// A broker subscribed to continuously.
    Mqtt(MqttSpec),
}

/// The database servers a source can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseEngine {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

/// A database source.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSpec {
    /// Which server.
    pub engine: DatabaseEngine,
    /// Where it is (no password).
    pub url: Url,
    /// The SELECT whose rows are synced (`from` becomes `SELECT * FROM <from>`).
    pub select: String,
    /// The cursor column.
    pub cursor: String,
    /// The upsert key (empty: append).
    pub key: Vec<String>,
    /// How often it syncs.
    pub every: Duration,
    /// Rows per batch handed to validation.
    pub batch_rows: usize,
}

/// An MQTT source.
#[derive(Debug, Clone, PartialEq)]
pub struct MqttSpec {
    /// The broker's host.
    pub host: String,
    /// The broker's port.
    pub port: u16,
    /// The user name, when the broker wants one.
    pub user: Option<String>,
    /// The topic filter.
    pub topic: String,
    /// 0 or 1.
    pub qos: u8,
    /// The persistent session's client id.
    pub client_id: String,
    /// Messages per commit.
    pub batch_rows: usize,
    /// The longest a batch waits.
    pub batch_wait: Duration,
    /// Payload paths → columns.
    pub fields: BTreeMap<String, String>,
    /// Columns from topic levels (counted from 1).
    pub topic_levels: BTreeMap<String, usize>,
}

/// Rows a database batch holds by default.
pub const DEFAULT_DATABASE_BATCH_ROWS: usize = 8192;
/// Messages an MQTT batch holds by default.
pub const DEFAULT_MQTT_BATCH_ROWS: usize = 1000;
/// How long an MQTT batch waits by default.
pub const DEFAULT_MQTT_BATCH_SECONDS: f64 = 2.0;
/// How often a database source syncs by default.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(300);

impl SourceSpec {
    /// How often the source syncs (database sources; MQTT runs continuously).
    pub fn every(&self) -> Option<Duration> {
        match &self.kind {
            SourceKind::Database(database) => Some(database.every),
            SourceKind::Mqtt(_) => None,
        }
    }

    /// `postgres`, `mysql` or `mqtt`.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            SourceKind::Database(database) => match database.engine {
                DatabaseEngine::Postgres => "postgres",
                DatabaseEngine::Mysql => "mysql",
            },
            SourceKind::Mqtt(_) => "mqtt",
        }
    }

    /// The password from the environment, when the source names a variable; an error naming
    /// the variable (never a value) when it is not set.
    pub fn password(&self) -> Result<Option<String>> {
        let Some(variable) = &self.password_env else {
            return Ok(None);
        };
        match std::env::var(variable) {
            Ok(password) => Ok(Some(password)),
            Err(_) => Err(self.invalid(format!(
                "the environment variable {variable} (password_env) is not set"
            ))),
        }
    }

    pub(crate) fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::SourceConfig {
            name: self.name.clone(),
            reason: reason.into(),
        }
    }
}

/// Parses a schedule such as `30s`, `5m`, `1h` or `1d` (a bare number is seconds).
///
/// ```
/// use parkhub_connectors::live::parse_every;
/// assert_eq!(parse_every("5m").map(|every| every.as_secs()), Some(300));
/// assert_eq!(parse_every("90").map(|every| every.as_secs()), Some(90));
/// assert!(parse_every("soon").is_none());
/// assert!(parse_every("0s").is_none());
/// ```
pub fn parse_every(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        "d" => number * 86_400.0,
        _ => return None,
    };
    (seconds >= 1.0 && seconds.is_finite()).then(|| Duration::from_secs_f64(seconds))
}

impl SourceConfig {
    /// Checks the source against the contracts: its kind, table, URL, and what its kind needs.
    pub fn check(&self, contracts: &Contracts) -> Result<SourceSpec> {
        let invalid = |reason: String| Error::SourceConfig {
            name: if self.name.is_empty() {
                "(unnamed)".to_string()
            } else {
                self.name.clone()
            },
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(invalid("every source needs a name".to_string()));
        }
        let contract = contracts
            .get(&self.table)
            .map_err(|error| invalid(error.to_string()))?;
        let url = Url::parse(&self.url)
            .map_err(|error| invalid(format!("url '{}' is not a URL: {error}", self.url)))?;
        if url.password().is_some() {
            return Err(invalid(
                "the url carries a password: put it in an environment variable and name that \
                 variable in password_env"
                    .to_string(),
            ));
        }
        let kind = match self.kind.as_str() {
            "postgres" | "postgresql" => SourceKind::Database(self.database(
                DatabaseEngine::Postgres,
                url,
                contract,
                &invalid,
            )?),
            "mysql" | "mariadb" => SourceKind::Database(self.database(
                DatabaseEngine::Mysql,
                url,
                contract,
                &invalid,
            )?),
            "mqtt" => SourceKind::Mqtt(self.mqtt(url, contract, &invalid)?),
            other => {
                return Err(invalid(format!(
                    "unknown kind '{other}'; the kinds are postgres, mysql, mqtt"
                )));
            }
        };
        Ok(SourceSpec {
            name: self.name.clone(),
            table: self.table.clone(),
            uscc: self.uscc.clone(),
            password_env: self.password_env.clone(),
            kind,
        })
    }

    fn database(
        &self,
        engine: DatabaseEngine,
        url: Url,
        contract: &crate::contract::TableContract,
        invalid: &dyn Fn(String) -> Error,
    ) -> Result<DatabaseSpec> {
        let scheme_ok = match engine {
            DatabaseEngine::Postgres => matches!(url.scheme(), "postgres" | "postgresql"),
            DatabaseEngine::Mysql => matches!(url.scheme(), "mysql" | "mariadb"),
        };
        if !scheme_ok || url.host_str().is_none() {
            return Err(invalid(format!(
                "url '{}' is not a {} address such as {}",
                self.url,
                self.kind,
                match engine {
                    DatabaseEngine::Postgres => "postgres://user@host:5432/database",
                    DatabaseEngine::Mysql => "mysql://user@host:3306/database",
                }
            )));
        }
        let identifier = |name: &str| quote_identifier(engine, name);
        let select = match (&self.query, &self.from) {
            (Some(query), None) => {
                let query = query.trim().trim_end_matches(';').trim();
                let starts = query
                    .get(..6)
                    .is_some_and(|word| word.eq_ignore_ascii_case("select"))
                    || query
                        .get(..4)
                        .is_some_and(|word| word.eq_ignore_ascii_case("with"));
                if !starts || query.contains(';') {
                    return Err(invalid("query must be one SELECT".to_string()));
                }
                query.to_string()
            }
            (None, Some(from)) => {
                let quoted: Vec<String> = from.split('.').map(identifier).collect();
                format!("SELECT * FROM {}", quoted.join("."))
            }
            _ => {
                return Err(invalid(
                    "a database source needs either query (a SELECT) or from (a table)".to_string(),
                ));
            }
        };
        let cursor = self
            .cursor
            .clone()
            .filter(|cursor| !cursor.trim().is_empty())
            .ok_or_else(|| {
                invalid("a database source needs cursor, an increasing column".to_string())
            })?;
        let key = match &self.key {
            Some(key) => {
                for column in key {
                    if contract.column(column).is_none() {
                        return Err(invalid(format!(
                            "key column '{column}' is not a column of table '{}'",
                            contract.name
                        )));
                    }
                }
                key.clone()
            }
            None => contract.key.clone(),
        };
        let every = match &self.every {
            None => DEFAULT_EVERY,
            Some(text) => parse_every(text).ok_or_else(|| {
                invalid(format!(
                    "every '{text}' is not a period such as 30s, 5m, 1h or 1d"
                ))
            })?,
        };
        self.refuse_mqtt_settings(invalid)?;
        Ok(DatabaseSpec {
            engine,
            url,
            select,
            cursor,
            key,
            every,
            batch_rows: self
                .batch_rows
                .unwrap_or(DEFAULT_DATABASE_BATCH_ROWS)
                .max(1),
        })
    }

    fn refuse_mqtt_settings(&self, invalid: &dyn Fn(String) -> Error) -> Result<()> {
        let mqtt_only = [
            ("topic", self.topic.is_some()),
            ("qos", self.qos.is_some()),
            ("format", self.format.is_some()),
            ("client_id", self.client_id.is_some()),
            ("batch_seconds", self.batch_seconds.is_some()),
            ("fields", !self.fields.is_empty()),
            ("topic_levels", !self.topic_levels.is_empty()),
        ];
        match mqtt_only.iter().find(|(_, set)| *set) {
            Some((setting, _)) => Err(invalid(format!(
                "{setting} is a setting of mqtt sources, not of {} ones",
                self.kind
            ))),
            None => Ok(()),
        }
    }

    fn mqtt(
        &self,
        url: Url,
        contract: &crate::contract::TableContract,
        invalid: &dyn Fn(String) -> Error,
    ) -> Result<MqttSpec> {
        if url.scheme() != "mqtt" || url.host_str().is_none() {
            return Err(invalid(format!(
                "url '{}' is not an MQTT address such as mqtt://host:1883",
                self.url
            )));
        }
        let topic = self
            .topic
            .clone()
            .filter(|topic| !topic.trim().is_empty())
            .ok_or_else(|| invalid("an mqtt source needs topic".to_string()))?;
        let qos = self.qos.unwrap_or(1);
        if qos > 1 {
            return Err(invalid(format!("qos must be 0 or 1, not {qos}")));
        }
        if let Some(format) = &self.format
            && format != "json"
        {
            return Err(invalid(format!(
                "format '{format}' is not supported; payloads are json"
            )));
        }
        for (field, column) in &self.fields {
            if contract.column(column).is_none() {
                return Err(invalid(format!(
                    "fields maps '{field}' to '{column}', which is not a column of table '{}'",
                    contract.name
                )));
            }
        }
        for (column, level) in &self.topic_levels {
            if contract.column(column).is_none() {
                return Err(invalid(format!(
                    "topic_levels names '{column}', which is not a column of table '{}'",
                    contract.name
                )));
            }
            if *level == 0 {
                return Err(invalid(format!(
                    "topic_levels.{column} = 0: levels are counted from 1"
                )));
            }
        }
        for (setting, set) in [
            ("query", self.query.is_some()),
            ("from", self.from.is_some()),
            ("cursor", self.cursor.is_some()),
            ("every", self.every.is_some()),
            ("key", self.key.is_some()),
        ] {
            if set {
                return Err(invalid(format!(
                    "{setting} is a setting of database sources; an mqtt source runs continuously"
                )));
            }
        }
        let batch_seconds = self.batch_seconds.unwrap_or(DEFAULT_MQTT_BATCH_SECONDS);
        if !(batch_seconds > 0.0 && batch_seconds.is_finite()) {
            return Err(invalid(format!(
                "batch_seconds must be above 0, not {batch_seconds}"
            )));
        }
        Ok(MqttSpec {
            host: url.host_str().unwrap_or_default().to_string(),
            port: url.port().unwrap_or(1883),
            user: (!url.username().is_empty()).then(|| url.username().to_string()),
            topic,
            qos,
            client_id: self
                .client_id
                .clone()
                .unwrap_or_else(|| format!("parkhub-{}", self.name)),
            batch_rows: self.batch_rows.unwrap_or(DEFAULT_MQTT_BATCH_ROWS).max(1),
            batch_wait: Duration::from_secs_f64(batch_seconds),
            fields: self.fields.clone(),
            topic_levels: self.topic_levels.clone(),
        })
    }
}

/// Quotes an identifier for the engine (`"name"` or `` `name` ``).
pub(crate) fn quote_identifier(engine: DatabaseEngine, name: &str) -> String {
    match engine {
        DatabaseEngine::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        DatabaseEngine::Mysql => format!("`{}`", name.replace('`', "``")),
    }
}

/// Quotes a text literal for the engine.
pub(crate) fn quote_literal(engine: DatabaseEngine, text: &str) -> String {
    match engine {
        DatabaseEngine::Postgres => format!("'{}'", text.replace('\'', "''")),
        DatabaseEngine::Mysql => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''")),
    }
}

/// Checks every source of a configuration: the good ones, and an error for each bad one (a bad
/// source does not stop the others). Two sources with one name are both refused.
pub fn check_sources(
    configs: &[SourceConfig],
    contracts: &Contracts,
) -> (Vec<SourceSpec>, Vec<Error>) {
    let mut specs = Vec::new();
    let mut errors = Vec::new();
    for config in configs {
        let repeated = configs
            .iter()
            .filter(|other| other.name == config.name)
            .count()
            > 1;
        if repeated {
            errors.push(Error::SourceConfig {
                name: config.name.clone(),
                reason: "two sources have this name".to_string(),
            });
            continue;
        }
        match config.check(contracts) {
            Ok(spec) => specs.push(spec),
            Err(error) => errors.push(error),
        }
    }
    (specs, errors)
}
