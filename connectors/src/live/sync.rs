//! One sync of a database source: read from the cursor on, check, commit once with the new
//! cursor (see the module documentation of [`crate::live`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;

use super::config::{DatabaseSpec, SourceSpec};
use super::database::{ReadEvent, read_rows};
use super::state::{SourceState, commit_metadata, load_state, save_copy, sync_identity};
use super::text_rows::{TextRows, row_digest};
use crate::contract::{TableContract, WriteMode};
use crate::error::{Error, Result};
use crate::ingest::{Checked, Checker, IngestProgress, IngestReport, Ingestor, Origin};
use crate::validate::ValidationOptions;

/// Chunks of rows in flight between the reader and the checker.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The contract a source writes with: the table's, upserted on the source's key when it names
/// one (appended when the key is empty).
pub(crate) fn source_contract(contract: &TableContract, key: &[String]) -> TableContract {
    let mut contract = contract.clone();
    if key != contract.key.as_slice() {
        contract.key = key.to_vec();
        contract.mode = if key.is_empty() {
            WriteMode::Append
        } else {
            WriteMode::Upsert
        };
    }
    contract
}

/// What the checker made of a sync's rows.
struct Read {
    checked: Option<Checked>,
    /// Rows new to the table (not read and written by the last sync).
    new_rows: u64,
    cursor: Option<String>,
    at_cursor: Vec<String>,
}

/// Runs one sync of a database source and returns its report (also in `_ingest_log`). A
/// server that cannot be reached or fails mid-way ends in a `failed` report with nothing
/// written; `Err` means the lake could not be read or written.
pub(crate) async fn sync_database(
    ingestor: &Ingestor,
    spec: &SourceSpec,
    database: &DatabaseSpec,
    progress: Arc<IngestProgress>,
) -> Result<IngestReport> {
    let contracts = ingestor.contracts()?;
    let contract = Arc::new(source_contract(contracts.get(&spec.table)?, &database.key));
    let lake = ingestor.lake();
    let state = load_state(lake, &spec.name, &spec.table).await?;
    let mut report =
        IngestReport::started(uuid::Uuid::new_v4().to_string(), &spec.table, &spec.name);
    report.who = format!("source:{}", spec.name);
    report.uscc = spec.uscc.clone();
    let validation = ValidationOptions {
        owner: spec.uscc.clone(),
        ..ingestor.validation().clone()
    };
    let origin = Origin {
        batch_id: report.batch_id.clone(),
        source: spec.name.clone(),
        owner: spec.uscc.clone(),
    };

    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let checking = {
        let contract = Arc::clone(&contract);
        let data_dir = lake.data_dir().to_path_buf();
        let spec = spec.clone();
        let cursor = database.cursor.clone();
        let batch_rows = database.batch_rows;
        let state = state.clone();
        let progress = Arc::clone(&progress);
        tokio::task::spawn_blocking(move || {
            check_rows(
                receiver, &spec, &cursor, batch_rows, &state, &contract, validation, &data_dir,
                origin, &progress,
            )
        })
    };
    let read = read_rows(
        spec,
        database,
        state.cursor.as_deref(),
        ingestor.validation().local_offset,
        sender,
    )
    .await;
    let checked = checking
        .await
        .map_err(|error| Error::Background(error.to_string()))?;
    // The checker's error explains a reader that stopped because the checker did.
    let read = match (read, checked) {
        (_, Err(error)) | (Err(error), _) => {
            report.error = Some(error.to_string());
            return ingestor.finish(report).await;
        }
        (Ok(_), Ok(read)) => read,
    };
    let Some(checked) = read.checked.filter(|_| read.new_rows > 0) else {
        // Nothing new: the state stays, the sync is logged.
        report.status = crate::ingest::IngestStatus::Committed;
        return ingestor.finish(report).await;
    };
    let next = SourceState {
        seq: state.seq + 1,
        cursor: read.cursor,
        at_cursor: read.at_cursor,
        last_messages: Vec::new(),
    };
    let identity = crate::lake::BatchIdentity {
        batch_id: report.batch_id.clone(),
        ..sync_identity(&spec.name, next.seq)
    };
    report.content_sha256 = identity.content_sha256.clone();
    ingestor
        .commit_checked(
            &contract,
            checked,
            &identity,
            commit_metadata(&spec.name, &next),
            &mut report,
        )
        .await?;
    save_copy(lake, &spec.name, &spec.table, &next).await?;
    ingestor.finish(report).await
}

/// Receives the reader's rows, skips those the last sync wrote, tracks the new cursor, and
/// checks the rest in batches.
#[allow(clippy::too_many_arguments)]
fn check_rows(
    mut receiver: mpsc::Receiver<ReadEvent>,
    spec: &SourceSpec,
    cursor_column: &str,
    batch_rows: usize,
    state: &SourceState,
    contract: &Arc<TableContract>,
    validation: ValidationOptions,
    data_dir: &std::path::Path,
    origin: Origin,
    progress: &IngestProgress,
) -> Result<Read> {
    let written: HashSet<&str> = state.at_cursor.iter().map(String::as_str).collect();
    let last_cursor = state.cursor.as_deref();
    let mut read = Read {
        checked: None,
        new_rows: 0,
        cursor: state.cursor.clone(),
        at_cursor: Vec::new(),
    };
    let mut columns: Option<(TextRows, Checker, usize)> = None;
    let mut row_number = 0u64;
    while let Some(event) = receiver.blocking_recv() {
        match event {
            ReadEvent::Columns(names) => {
                let cursor_at = names
                    .iter()
                    .position(|name| name == cursor_column)
                    .or_else(|| {
                        names
                            .iter()
                            .position(|name| name.eq_ignore_ascii_case(cursor_column))
                    })
                    .ok_or_else(|| {
                        spec.invalid(format!(
                            "the cursor column '{cursor_column}' is not among the columns the \
                             query returns: {}",
                            names.join(", ")
                        ))
                    })?;
                let rows = TextRows::new(&names);
                let checker = Checker::new(
                    contract,
                    &rows.schema(),
                    validation.clone(),
                    data_dir,
                    origin.clone(),
                )
                .map_err(|error| spec.invalid(error.to_string()))?;
                columns = Some((rows, checker, cursor_at));
            }
            ReadEvent::Rows(chunk) => {
                let Some((rows, checker, cursor_at)) = columns.as_mut() else {
                    return Err(spec.invalid("the server sent rows before their columns"));
                };
                for cells in chunk {
                    row_number += 1;
                    let value = cells.get(*cursor_at).cloned().flatten();
                    let digest = row_digest(cells.iter().map(Option::as_deref));
                    if read.cursor != value {
                        read.cursor = value.clone();
                        read.at_cursor.clear();
                    }
                    read.at_cursor.push(digest.clone());
                    if value.is_some()
                        && value.as_deref() == last_cursor
                        && written.contains(digest.as_str())
                    {
                        continue;
                    }
                    read.new_rows += 1;
                    rows.push(cells, row_number, None);
                    if rows.len() >= batch_rows {
                        checker.check(&rows.take()?)?;
                    }
                }
                progress.rows.store(row_number, Ordering::Relaxed);
            }
        }
    }
    if let Some((mut rows, mut checker, _)) = columns {
        if rows.len() > 0 {
            checker.check(&rows.take()?)?;
        }
        read.checked = Some(checker.finish()?);
    }
    Ok(read)
}
