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
    /// A match request names a malformed USCC.
    #[error("uscc '{uscc}' is not a valid Unified Social Credit Code: {reason}")]
    InvalidUscc {
        /// The code as given.
        uscc: String,
        /// What is wrong with it.
        reason: parkhub_connectors::uscc::UsccError,
    },
    /// A match request names a USCC that no enterprise of the registry has.
    #[error("no enterprise with uscc '{0}' in the enterprises table")]
    UnknownEnterprise(String),
    /// A match request names a need the lake does not have.
    #[error("no need '{0}' in the enterprise_needs table")]
    UnknownNeed(String),
    /// A match request is incomplete or a value is out of range
    /// ([`parkhub_catalog::Error::NothingToMatch`], …), or searching the catalog failed
    /// (boxed: beside the lake's error it would make every query error larger).
    #[error(transparent)]
    Catalog(Box<parkhub_catalog::Error>),
    /// Binding a match request's values to the parameters of a constant query failed: a
    /// fault of the query, not of the request.
    #[error(transparent)]
    BindParameters(datafusion::error::DataFusionError),
    /// The catalog search of a match, run off the async threads, panicked or was cancelled.
    #[error("the catalog search failed: {0}")]
    Background(#[from] tokio::task::JoinError),
    /// An answer asked for as a workbook has more rows than an Excel sheet holds.
    #[error(
        "the answer has more than {max} rows, the most an Excel sheet holds; ask for text/csv \
         or application/vnd.apache.arrow.stream (no row cap), or narrow the query",
        max = crate::format::xlsx::MAX_XLSX_ROWS
    )]
    TooManyXlsxRows,
    /// An answer asked for as a workbook has more columns than an Excel sheet holds.
    #[error(
        "the answer has {columns} columns and an Excel sheet holds at most {max}; ask for \
         text/csv or select fewer columns",
        max = crate::format::xlsx::MAX_XLSX_COLUMNS
    )]
    TooManyXlsxColumns {
        /// The answer's columns.
        columns: usize,
    },
    /// The workbook library refused a value or failed to write.
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

impl From<parkhub_catalog::Error> for Error {
    fn from(error: parkhub_catalog::Error) -> Error {
        Error::Catalog(Box::new(error))
    }
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
    /// unknown table, a match request naming what does not exist) rather than the server's.
    pub fn is_client_error(&self) -> bool {
        match self {
            Error::InvalidSql(_) | Error::ReadOnly { .. } | Error::UnknownTable { .. } => true,
            Error::Busy { .. } | Error::Timeout { .. } | Error::ResourcesExhausted(_) => false,
            Error::Indicator(error) => error.is_client_error(),
            Error::Policy(error) => error.is_client_error(),
            Error::DataFusion(error) => is_planning_error(error),
            Error::InvalidUscc { .. } | Error::UnknownEnterprise(_) | Error::UnknownNeed(_) => true,
            Error::Catalog(error) => is_catalog_request_error(error),
            Error::TooManyXlsxRows | Error::TooManyXlsxColumns { .. } => true,
            Error::Lake(_)
            | Error::Arrow(_)
            | Error::BindParameters(_)
            | Error::Background(_)
            | Error::Xlsx(_) => false,
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

/// Returns true for catalog errors that come from the request (its text, kind, sort, filters,
/// limit or budget), not from the index.
fn is_catalog_request_error(error: &parkhub_catalog::Error) -> bool {
    use parkhub_catalog::Error;
    matches!(
        error,
        Error::EmptyQuery
            | Error::InvalidKind(_)
            | Error::InvalidSort(_)
            | Error::InvalidFilter { .. }
            | Error::NothingToMatch
            | Error::InvalidMatchLimit { .. }
            | Error::InvalidMatchBudget { .. }
    )
}

/// The result type of the queries crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
