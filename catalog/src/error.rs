//! The error type of the catalog crate.

use std::path::PathBuf;

use parkhub_connectors::arrow::error::ArrowError;

use crate::entry::EntryKind;

/// Everything that can go wrong while building or searching the catalog.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A search whose query text is empty or only blanks.
    #[error("the search query is empty; type at least one word")]
    EmptyQuery,
    /// A catalog entry kind that does not exist.
    #[error("unknown catalog entry kind '{0}'; the kinds are: application, offering, provider")]
    InvalidKind(String),
    /// A sort order that does not exist.
    #[error("unknown sort order '{0}'; the orders are: relevance, rating, price, newest")]
    InvalidSort(String),
    /// A search filter whose value cannot be used.
    #[error("invalid filter {name}: {reason}")]
    InvalidFilter {
        /// The filter (`price_min`, …).
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A match request that names none of an enterprise, a text and a scenario.
    #[error("give at least one of uscc, text and scenario")]
    NothingToMatch,
    /// A match request asking for too few or too many matches.
    #[error("limit must be between 1 and {max}, not {limit}")]
    InvalidMatchLimit {
        /// The limit asked for.
        limit: usize,
        /// The most matches one request may ask for.
        max: usize,
    },
    /// A match request whose budget is not an amount.
    #[error("budget must be an amount in 10k yuan (0 or more), not {budget}")]
    InvalidMatchBudget {
        /// The budget given.
        budget: f64,
    },
    /// A relevance judgement file that cannot be read.
    #[error("relevance judgements, line {line}: {reason}")]
    InvalidJudgements {
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A lake table lacking a column the catalog cannot do without.
    #[error("table '{table}' has no column '{column}', which the catalog needs")]
    MissingColumn {
        /// The lake table the batch came from.
        table: &'static str,
        /// The column that is missing.
        column: &'static str,
    },
    /// A lake column whose type cannot be read as what the catalog expects.
    #[error("column '{column}' of table '{table}' is {found}, expected {expected}")]
    ColumnType {
        /// The lake table the batch came from.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// The Arrow type it has.
        found: String,
        /// What the catalog reads it as.
        expected: &'static str,
    },
    /// An index folder that holds an index with another layout than this version's.
    #[error(
        "the catalog index in {path} was built with another schema ({reason}); \
         delete that folder and rebuild the catalog from the lake"
    )]
    IncompatibleIndex {
        /// The index folder.
        path: PathBuf,
        /// What tantivy reported.
        reason: String,
    },
    /// An index that another process is writing (its writer lock is held).
    #[error(
        "the catalog index in {path} is being written by another process (a running \
         `parkhub serve`?); try again when it has stopped"
    )]
    IndexLocked {
        /// The index folder.
        path: PathBuf,
    },
    /// A stored document lacking a field every catalog document has.
    #[error("catalog document {address} has no stored '{field}'; rebuild the catalog")]
    CorruptDocument {
        /// The document's address in the index, for the log.
        address: String,
        /// The field that is missing or unreadable.
        field: &'static str,
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
    /// An error from the tantivy search library.
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    /// An error from tantivy's query-syntax parser. [`crate::Catalog::search`] builds its
    /// queries from analysed terms and never returns it; it is here for callers that parse
    /// query syntax themselves.
    #[error(transparent)]
    QueryParse(#[from] tantivy::query::QueryParserError),
    /// An error from arrow while reading a lake batch.
    #[error(transparent)]
    Arrow(#[from] ArrowError),
    /// An edited entry that does not fit its table's contract; the reasons name every field
    /// at fault.
    #[error("invalid {kind}: {reasons}")]
    InvalidEntry {
        /// The kind of entry.
        kind: EntryKind,
        /// What is wrong, field by field, separated by `; `.
        reasons: String,
    },
    /// No entry of that kind has that id.
    #[error("no {kind} with id '{id}' in the catalog")]
    EntryNotFound {
        /// The kind of entry.
        kind: EntryKind,
        /// The id asked for.
        id: String,
    },
    /// A new entry whose id is taken.
    #[error(
        "the catalog already has the {kind} '{id}'; change it with PUT /api/catalog/{kind}/{id}"
    )]
    EntryExists {
        /// The kind of entry.
        kind: EntryKind,
        /// The id.
        id: String,
    },
    /// The lake: reading the catalog tables, their contracts, or committing an edit.
    #[error(transparent)]
    Lake(#[from] parkhub_connectors::Error),
    /// Indexing work run off the async threads that panicked or was cancelled.
    #[error("catalog indexing task failed: {0}")]
    Background(#[from] tokio::task::JoinError),
}

/// The result type of the catalog crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
