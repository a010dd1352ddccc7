//! Reading a database source's rows from its cursor on, as text, whichever server it is.

use tokio::sync::mpsc;

use super::config::{DatabaseEngine, DatabaseSpec, SourceSpec, quote_identifier, quote_literal};
use crate::error::{Error, Result};

/// What a reader hands the sync, in order: the columns once, then rows in chunks.
#[derive(Debug)]
pub(crate) enum ReadEvent {
    /// The names of the query's columns.
    Columns(Vec<String>),
    /// Rows of text cells (null as `None`), in cursor order.
    Rows(Vec<Vec<Option<String>>>),
}

/// The SELECT a sync runs: the source's rows whose cursor is at or past `since` (all rows with
/// a cursor on a first sync), ordered by the cursor.
pub(crate) fn sync_query(database: &DatabaseSpec, since: Option<&str>) -> String {
    let cursor = quote_identifier(database.engine, &database.cursor);
    let filter = match since {
        Some(since) => format!("{cursor} >= {}", quote_literal(database.engine, since)),
        None => format!("{cursor} IS NOT NULL"),
    };
    format!(
        "SELECT * FROM ({}) AS parkhub_source WHERE {filter} ORDER BY {cursor}",
        database.select
    )
}

/// Reads the rows of a sync into `sender`; returns how many were read.
pub(crate) async fn read_rows(
    spec: &SourceSpec,
    database: &DatabaseSpec,
    since: Option<&str>,
    local_offset: chrono::FixedOffset,
    sender: mpsc::Sender<ReadEvent>,
) -> Result<u64> {
    let password = spec.password()?;
    let query = sync_query(database, since);
    match database.engine {
        DatabaseEngine::Postgres => {
            super::postgres::read(spec, database, password, &query, sender).await
        }
        DatabaseEngine::Mysql => {
            super::mysql::read(spec, database, password, &query, local_offset, sender).await
        }
    }
}

/// Wraps a client's error as the source's, saying what was being done.
pub(crate) fn server_error(
    spec: &SourceSpec,
    context: impl Into<String>,
    error: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::SourceServer {
        name: spec.name.clone(),
        context: context.into(),
        source: Box::new(error),
    }
}

/// Where a database source is, for messages (host and port, never a password).
pub(crate) fn address(database: &DatabaseSpec) -> String {
    let default_port = match database.engine {
        DatabaseEngine::Postgres => 5432,
        DatabaseEngine::Mysql => 3306,
    };
    format!(
        "{}:{}",
        database.url.host_str().unwrap_or_default(),
        database.url.port().unwrap_or(default_port)
    )
}

/// Hands a reader's rows to the sync in chunks of `batch_rows`, the columns first.
pub(crate) struct RowSender<'a> {
    spec: &'a SourceSpec,
    sender: mpsc::Sender<ReadEvent>,
    batch_rows: usize,
    chunk: Vec<Vec<Option<String>>>,
    rows: u64,
    described: bool,
}

impl<'a> RowSender<'a> {
    pub(crate) fn new(
        spec: &'a SourceSpec,
        database: &DatabaseSpec,
        sender: mpsc::Sender<ReadEvent>,
    ) -> RowSender<'a> {
        RowSender {
            spec,
            sender,
            batch_rows: database.batch_rows,
            chunk: Vec::with_capacity(database.batch_rows),
            rows: 0,
            described: false,
        }
    }

    async fn send(&self, event: ReadEvent) -> Result<()> {
        self.sender
            .send(event)
            .await
            .map_err(|_| receiver_gone(self.spec))
    }

    /// Sends the column names, once (later calls do nothing).
    pub(crate) async fn columns(&mut self, names: impl FnOnce() -> Vec<String>) -> Result<()> {
        if !self.described {
            self.described = true;
            self.send(ReadEvent::Columns(names())).await?;
        }
        Ok(())
    }

    /// Adds a row; a full chunk is sent.
    pub(crate) async fn row(&mut self, cells: Vec<Option<String>>) -> Result<()> {
        self.chunk.push(cells);
        self.rows += 1;
        if self.chunk.len() >= self.batch_rows {
            let full = std::mem::replace(&mut self.chunk, Vec::with_capacity(self.batch_rows));
            self.send(ReadEvent::Rows(full)).await?;
        }
        Ok(())
    }

    /// Sends the last chunk and returns how many rows were read.
    pub(crate) async fn finish(mut self) -> Result<u64> {
        if !self.chunk.is_empty() {
            let last = std::mem::take(&mut self.chunk);
            self.send(ReadEvent::Rows(last)).await?;
        }
        Ok(self.rows)
    }
}

/// The sync stopped reading (its receiver is gone): the reader ends quietly.
pub(crate) fn receiver_gone(spec: &SourceSpec) -> Error {
    Error::SourceConfig {
        name: spec.name.clone(),
        reason: "the sync stopped reading rows".to_string(),
    }
}
