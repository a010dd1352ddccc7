//! The error type of the connectors crate.

use std::path::PathBuf;

/// Everything that can go wrong while reading sources or writing the lake.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A live source declared wrongly in `parkhub.toml` (or whose password is not set).
    #[error("source '{name}': {reason}")]
    SourceConfig {
        /// The source's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A live source's server could not be reached, refused us, or failed during a sync.
    #[error("source '{name}': {context}: {source}")]
    SourceServer {
        /// The source's name.
        name: String,
        /// What was being done (`connecting to 127.0.0.1:5432`, `reading rows`, …).
        context: String,
        /// The client's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A source name `parkhub.toml` does not declare.
    #[error("unknown source '{name}'; the sources are: {known}")]
    UnknownSource {
        /// The name asked for.
        name: String,
        /// The sources declared, comma-separated (or `none`).
        known: String,
    },
    /// A source that is already syncing (a sync asked for while one runs).
    #[error("source '{name}' is already syncing; try again when it is done")]
    SourceBusy {
        /// The source's name.
        name: String,
    },
    /// A table name that no contract describes.
    #[error("unknown table '{name}'; the tables are: {known}")]
    UnknownTable {
        /// The name asked for.
        name: String,
        /// The tables that exist, comma-separated.
        known: String,
    },
    /// A contract file that does not parse or does not make sense.
    #[error("contract '{source_name}': {reason}")]
    InvalidContract {
        /// Where the contract came from (file name or built-in name).
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A batch whose columns do not fit the table's contract.
    #[error("batch does not fit table '{table}': {reason}")]
    SchemaMismatch {
        /// The table written to.
        table: String,
        /// What does not fit.
        reason: String,
    },
    /// The data directory cannot be created or written.
    #[error("data directory {path} is not usable: {reason}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
    /// A commit that kept conflicting with other writers.
    #[error("commit to table '{table}' failed after {attempts} attempts: {last_error}")]
    CommitRetriesExhausted {
        /// The table written to.
        table: String,
        /// How many commits were tried.
        attempts: usize,
        /// The last commit error.
        last_error: String,
    },
    /// A source whose header lacks columns the table requires.
    #[error("table '{table}' needs columns the source does not have: {}; the source has: {}", missing.join(", "), found.join(", "))]
    MissingColumns {
        /// The table.
        table: String,
        /// The missing columns, each with its first alias.
        missing: Vec<String>,
        /// The source's headers.
        found: Vec<String>,
    },
    /// A source with neither a header nor records: an empty file, or only blank lines.
    #[error("the source is empty: no header and no rows for table '{table}'")]
    EmptySource {
        /// The table.
        table: String,
    },
    /// A source none of whose columns belongs to the table.
    #[error("no column of the source is a column of table '{table}' (is the header row there, and is this the right table?); the source has: {}", found.join(", "))]
    NoKnownColumn {
        /// The table.
        table: String,
        /// The source's headers.
        found: Vec<String>,
    },
    /// A header naming a unit that cannot be converted into the column's.
    #[error(
        "header '{header}' names unit '{unit}', which cannot be converted into {expected} for column '{column}'"
    )]
    UnknownUnit {
        /// The header.
        header: String,
        /// The unit written in it.
        unit: String,
        /// The contract column.
        column: String,
        /// The contract's unit.
        expected: String,
    },
    /// JSON records that do not fit their table's contract ([`crate::record::validate_records`]).
    #[error(
        "records do not fit table '{table}': {}",
        describe_invalid_records(rejected)
    )]
    InvalidRecords {
        /// The table.
        table: String,
        /// The records at fault, each with every problem it has.
        rejected: Vec<crate::record::InvalidRecord>,
    },
    /// A background task that panicked or was cancelled.
    #[error("background task failed: {0}")]
    Background(String),
    /// An enterprise delivering rows to a table whose rows belong to no enterprise.
    #[error(
        "the rows of '{table}' belong to no enterprise (it has no uscc column), so an enterprise cannot deliver them"
    )]
    NotOwnedByEnterprises {
        /// The table.
        table: String,
    },
    /// Local file I/O.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An error from the Delta Lake library.
    #[error(transparent)]
    Delta(#[from] deltalake::DeltaTableError),
    /// An error from DataFusion.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// An error from arrow.
    #[error(transparent)]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    /// A malformed URL for the lake location.
    #[error("invalid lake location {location}: {reason}")]
    InvalidLocation {
        /// The location given.
        location: String,
        /// Why it is not usable.
        reason: String,
    },
    /// A source that does not decode as its format, or that breaks a decoder limit.
    #[error("{format} source{}: {reason}", location(.row, .column))]
    Decode {
        /// The format the source was read as.
        format: crate::decode::SourceFormat,
        /// The row in the source, as a user counts it (CSV line, sheet row, array element).
        row: Option<u64>,
        /// The column, when one is to blame.
        column: Option<String>,
        /// What is wrong.
        reason: String,
    },
    /// Bytes that are not valid text in the source's encoding.
    #[error(
        "the source is not valid {encoding} text: {reason} at byte offset {offset} (line {line})"
    )]
    Encoding {
        /// The encoding the text was read as, and whether it was declared or detected.
        encoding: String,
        /// The offset of the first bad byte from the start of the source.
        offset: u64,
        /// The 1-based line the bad bytes are on.
        line: u64,
        /// What is wrong, and what to do about it.
        reason: String,
    },
    /// A source format name that no decoder handles.
    #[error("unknown source format '{given}'; the formats are: {supported}")]
    UnsupportedFormat {
        /// The name given.
        given: String,
        /// The formats there are, comma-separated.
        supported: String,
    },
    /// A text encoding name that no decoder handles.
    #[error("unknown text encoding '{given}'; the encodings are: {supported}")]
    UnsupportedEncoding {
        /// The name given.
        given: String,
        /// The encodings there are, comma-separated.
        supported: String,
    },
    /// A source in which no row looks like a header naming the table's columns.
    #[error(
        "{format} source: no row near the top names any of the expected columns; the first \
         non-empty row has [{}]; expected some of [{}]",
        .found.join(", "), .expected.join(", ")
    )]
    UnknownHeader {
        /// The format of the source.
        format: crate::decode::SourceFormat,
        /// The cells of the first non-empty row.
        found: Vec<String>,
        /// The column names and aliases looked for.
        expected: Vec<String>,
    },
    /// A worksheet name the workbook does not have.
    #[error("the workbook has no sheet '{sheet}'; its sheets are: {}", .available.join(", "))]
    UnknownSheet {
        /// The sheet asked for.
        sheet: String,
        /// The sheets the workbook has.
        available: Vec<String>,
    },
    /// A compressed archive (an XLSX workbook) that would expand beyond the decoder's limits.
    #[error(
        "refusing the archive: entry '{entry}' expands to {size} bytes from {compressed} bytes; {reason}"
    )]
    ArchiveTooLarge {
        /// The entry inside the archive.
        entry: String,
        /// Its uncompressed size.
        size: u64,
        /// Its compressed size.
        compressed: u64,
        /// Which limit it breaks.
        reason: String,
    },
    /// Reading the source stream failed.
    #[error("reading the source failed after {offset} bytes: {source}")]
    SourceRead {
        /// Bytes read from the source before the failure.
        offset: u64,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A source argument (file, glob, directory, URL) that matches nothing.
    #[error("{argument}: {reason}")]
    SourceNotFound {
        /// The argument as given.
        argument: String,
        /// What was looked for and not found.
        reason: String,
    },
    /// A source argument that cannot be read as a path, glob or URL.
    #[error("{argument}: {reason}")]
    InvalidSource {
        /// The argument as given.
        argument: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A source URL whose scheme has no reader.
    #[error(
        "{argument}: unsupported URL scheme '{scheme}'; sources are file paths, globs, directories and s3:// URLs"
    )]
    UnsupportedScheme {
        /// The argument as given.
        argument: String,
        /// Its scheme.
        scheme: String,
    },
    /// An error from an object store (S3 and S3-compatible stores).
    #[error("{url}: {source}")]
    ObjectStore {
        /// The object or prefix, as a URL.
        url: String,
        /// The underlying error.
        #[source]
        source: object_store::Error,
    },
}

/// Formats where in a source a decode problem is: " (row 7, column 'name')".
fn location(row: &Option<u64>, column: &Option<String>) -> String {
    match (row, column) {
        (Some(row), Some(column)) => format!(" (row {row}, column '{column}')"),
        (Some(row), None) => format!(" (row {row})"),
        (None, Some(column)) => format!(" (column '{column}')"),
        (None, None) => String::new(),
    }
}

/// Formats the problems of invalid JSON records: "record 2: rating: 9 is above the maximum 5".
fn describe_invalid_records(rejected: &[crate::record::InvalidRecord]) -> String {
    rejected
        .iter()
        .map(|record| {
            format!(
                "record {}: {}",
                record.index + 1,
                record.problems.join("; ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The result type of the connectors crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
