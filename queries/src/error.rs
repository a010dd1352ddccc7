//! The error type of the queries crate.

/// Everything that can go wrong while planning or running a query.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SQL text does not parse, or names a column or function that does not exist.
    #[error("{0}")]
    InvalidSql(String),
    /// The statement would change something: SQL in ParkHub is read-only.
    #[error(
        "{statement} is not allowed: SQL in ParkHub is read-only (SELECT, WITH, EXPLAIN, SHOW and DESCRIBE only)"
    )]
    ReadOnly {
        /// The kind of statement that was refused (e.g. `CREATE TABLE`, `COPY`, `SET`).
        statement: String,
    },
    /// A table that is not in the lake.
    #[error("unknown table '{name}'; the tables are: {known}")]
    UnknownTable {
        /// The name used in the query.
        name: String,
        /// The tables that exist, comma-separated.
        known: String,
    },
    /// Too many queries are running.
    #[error("{limit} queries are running, the most allowed at once; try again in a moment")]
    Busy {
        /// The concurrency limit.
        limit: usize,
    },
    /// The query ran longer than the time limit and was cancelled.
    #[error("the query was cancelled after {seconds} s, the time limit")]
    Timeout {
        /// The limit.
        seconds: u64,
    },
    /// The query needed more memory or spill space than the limits allow.
    #[error("resources exhausted: {0}")]
    ResourcesExhausted(String),
    /// An unknown indicator or parameter, a bad parameter value, or a broken indicator
    /// definition.
    #[error(transparent)]
    Indicator(#[from] crate::indicators::IndicatorError),
    /// A bad role, principal or grant, or an indicator answer that cannot be suppressed.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    /// An error while executing the query.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// An error from the lake.
    #[error(transparent)]
    Lake(#[from] parkhub_connectors::Error),
    /// An error from arrow while writing an answer.
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
}

impl Error {
    /// An error in the user's SQL, worded for them: a parser error says where the statement
    /// is wrong without the parser's type names (`ParserError("…")`), others keep DataFusion's
    /// text without its backtrace.
    pub fn invalid_sql(error: &datafusion::error::DataFusionError) -> Error {
        use datafusion::sql::sqlparser::parser::ParserError;
        Error::InvalidSql(match error.find_root() {
            datafusion::error::DataFusionError::SQL(parser_error, _) => match parser_error.as_ref()
            {
                ParserError::ParserError(message) | ParserError::TokenizerError(message) => {
                    format!("syntax error: {message}")
                }
                ParserError::RecursionLimitExceeded => {
                    "syntax error: the statement nests too deeply".to_string()
                }
            },
            other => other.strip_backtrace().to_string(),
        })
    }

    /// Classifies an error raised while a query runs.
    pub fn from_execution(error: datafusion::error::DataFusionError) -> Error {
        match error.find_root() {
            datafusion::error::DataFusionError::ResourcesExhausted(message) => {
                Error::ResourcesExhausted(message.clone())
            }
            _ => Error::DataFusion(error),
        }
    }

    /// Returns true when the error is the caller's fault (bad SQL, a refused statement, an
    /// unknown table) rather than the server's.
    pub fn is_client_error(&self) -> bool {
        match self {
            Error::InvalidSql(_) | Error::ReadOnly { .. } | Error::UnknownTable { .. } => true,
            Error::Busy { .. } | Error::Timeout { .. } | Error::ResourcesExhausted(_) => false,
            Error::Indicator(error) => error.is_client_error(),
            Error::Policy(error) => error.is_client_error(),
            Error::DataFusion(error) => is_planning_error(error),
            Error::Lake(_) | Error::Arrow(_) => false,
        }
    }
}

/// Returns true for DataFusion errors that come from the query text.
pub(crate) fn is_planning_error(error: &datafusion::error::DataFusionError) -> bool {
    use datafusion::error::DataFusionError;
    matches!(
        error.find_root(),
        DataFusionError::SQL(..)
            | DataFusionError::Plan(_)
            | DataFusionError::SchemaError(..)
            | DataFusionError::NotImplemented(_)
    )
}

/// The result type of the queries crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
