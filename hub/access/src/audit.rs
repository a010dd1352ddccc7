//! The audit trail: what principals did, appended to the `_audit` lake table.
//!
//! Requests hand an [`AuditRecord`] to the [`AuditLog`] through a bounded channel and go on;
//! one background task gathers them and writes a batch as one Delta commit every second, or
//! as soon as 500 rows wait, so a request pays a channel send, not a commit. A full channel
//! makes requests wait (back-pressure) rather than lose records. [`AuditLog::shutdown`]
//! writes what is left and waits for the task.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use parkhub_connectors::contract::{AUDIT_TABLE, TIMESTAMP_ZONE, system_contract};
use parkhub_connectors::lake::MemoryBatches;
use parkhub_connectors::{BatchIdentity, Lake, TableContract};
use sha2::{Digest as _, Sha256};
use tokio::sync::{Notify, mpsc};

use crate::{Error, Result};
use parkhub_queries::policy::{Principal, Role};

/// Rows written at once, at most; a full batch is written without waiting for the tick.
pub const BATCH_ROWS: usize = 500;
/// How often waiting rows are written.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Records the channel holds before senders wait.
pub const CHANNEL_CAPACITY: usize = 10_000;
/// Rows kept for another try when the lake cannot be written, at most; older ones are dropped
/// with an error in the log.
pub const MAX_PENDING_ROWS: usize = 100_000;

/// The interface an action came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    /// The HTTP API.
    Http,
    /// The Postgres wire port.
    Pg,
    /// The command line.
    Cli,
}

impl Interface {
    /// Returns the name written in the `interface` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Http => "http",
            Interface::Pg => "pg",
            Interface::Cli => "cli",
        }
    }
}

/// One row of `_audit`. What the query layer reports later (tables read, rows, policies) is
/// optional so that every interface can record what it knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When the action was done.
    pub at: DateTime<Utc>,
    /// The token's name (`cli`, `anonymous`).
    pub principal: String,
    /// The principal's role; none for an anonymous caller.
    pub role: Option<Role>,
    /// The enterprise of an enterprise principal.
    pub uscc: Option<String>,
    /// How the action came in.
    pub interface: Interface,
    /// What kind of action (`sql`, `indicator`, `match`, `ingest`, `catalog_edit`, `token`, …).
    pub action: String,
    /// The SQL, the request's method and path, or the command.
    pub statement: Option<String>,
    /// The tables read, comma-separated.
    pub tables: Option<String>,
    /// Rows answered or written.
    pub rows: Option<i64>,
    /// `ok`, or the error code.
    pub outcome: String,
    /// The row filters and grants applied.
    pub policies: Option<String>,
    /// The request's id.
    pub request_id: Option<String>,
    /// How long it took.
    pub duration_ms: Option<i64>,
}

impl AuditRecord {
    /// Starts a record of `action` by `principal` through `interface`, now, with outcome `ok`.
    pub fn new(principal: Option<&Principal>, interface: Interface, action: &str) -> AuditRecord {
        AuditRecord {
            at: Utc::now(),
            principal: principal.map_or_else(
                || crate::ANONYMOUS_NAME.to_string(),
                |principal| principal.name.clone(),
            ),
            role: principal.map(|principal| principal.role),
            uscc: principal.and_then(|principal| principal.uscc.clone()),
            interface,
            action: action.to_string(),
            statement: None,
            tables: None,
            rows: None,
            outcome: "ok".to_string(),
            policies: None,
            request_id: None,
            duration_ms: None,
        }
    }
}

/// What a handler knows about its action beyond the route, handed to the audit middleware as
/// a response extension (e.g. the SQL text, the tables read, the rows answered).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditNote {
    /// Replaces the request's method and path as the statement.
    pub statement: Option<String>,
    /// The tables read, comma-separated.
    pub tables: Option<String>,
    /// Rows answered or written.
    pub rows: Option<i64>,
    /// The row filters and grants applied.
    pub policies: Option<String>,
}

impl AuditNote {
    /// Notes the tables a query read and the policies it read them under.
    pub fn read(&mut self, reads: &parkhub_queries::policy::Reads) {
        self.tables = Some(reads.tables_text());
        self.policies = Some(reads.policies_text());
    }
}

/// Writes records to `_audit` in the background.
#[derive(Debug)]
pub struct AuditLog {
    sender: mpsc::Sender<AuditRecord>,
    closing: Arc<Notify>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl AuditLog {
    /// Starts the writer task over `lake` on the current runtime.
    pub fn start(lake: Arc<Lake>) -> Result<AuditLog> {
        let contract = system_contract(AUDIT_TABLE).map_err(Error::AuditWrite)?;
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let closing = Arc::new(Notify::new());
        let task = tokio::spawn(run_writer(lake, contract, receiver, Arc::clone(&closing)));
        Ok(AuditLog {
            sender,
            closing,
            task: std::sync::Mutex::new(Some(task)),
        })
    }

    /// Hands a record to the writer, waiting while the channel is full. After
    /// [`AuditLog::shutdown`] the record is logged instead.
    pub async fn record(&self, record: AuditRecord) {
        if let Err(error) = self.sender.send(record).await {
            tracing::error!(record = ?error.0, "the audit log is closed; record not written");
        }
    }

    /// Writes every record handed over so far and stops the writer.
    pub async fn shutdown(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            self.closing.notify_one();
            if let Err(error) = task.await {
                tracing::error!(%error, "the audit writer failed");
            }
        }
    }
}

/// Writes `records` to `_audit` now, as one commit: for the command line, which has no
/// background writer.
pub async fn write_now(lake: &Lake, records: &[AuditRecord]) -> Result<()> {
    let contract = system_contract(AUDIT_TABLE).map_err(Error::AuditWrite)?;
    write_records(lake, &contract, records).await
}

async fn run_writer(
    lake: Arc<Lake>,
    contract: TableContract,
    mut receiver: mpsc::Receiver<AuditRecord>,
    closing: Arc<Notify>,
) {
    let mut pending: Vec<AuditRecord> = Vec::new();
    let mut ticker = tokio::time::interval(FLUSH_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = closing.notified() => {
                receiver.close();
                while let Some(record) = receiver.recv().await {
                    pending.push(record);
                }
                flush(&lake, &contract, &mut pending).await;
                if !pending.is_empty() {
                    tracing::error!(rows = pending.len(), "audit rows could not be written before shutdown");
                }
                return;
            }
            received = receiver.recv_many(&mut pending, BATCH_ROWS) => {
                if received == 0 {
                    // Every sender is gone.
                    flush(&lake, &contract, &mut pending).await;
                    return;
                }
                if pending.len() >= BATCH_ROWS {
                    flush(&lake, &contract, &mut pending).await;
                }
            }
            _ = ticker.tick() => {
                flush(&lake, &contract, &mut pending).await;
            }
        }
    }
}

/// Writes the pending rows; on failure keeps them for the next try, up to
/// [`MAX_PENDING_ROWS`].
async fn flush(lake: &Lake, contract: &TableContract, pending: &mut Vec<AuditRecord>) {
    if pending.is_empty() {
        return;
    }
    match write_records(lake, contract, pending).await {
        Ok(()) => pending.clear(),
        Err(error) => {
            tracing::error!(%error, rows = pending.len(), "cannot write the audit table; will retry");
            if pending.len() > MAX_PENDING_ROWS {
                let dropped = pending.len() - MAX_PENDING_ROWS;
                pending.drain(..dropped);
                tracing::error!(
                    dropped,
                    "audit rows dropped: the audit table cannot be written"
                );
            }
        }
    }
}

async fn write_records(
    lake: &Lake,
    contract: &TableContract,
    records: &[AuditRecord],
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let batch = audit_batch(contract, records)?;
    let batch_id = uuid::Uuid::new_v4().to_string();
    let identity = BatchIdentity {
        content_sha256: hex::encode(Sha256::digest(format!("audit:{batch_id}"))),
        batch_id,
        source: "audit".to_string(),
    };
    lake.commit(
        contract,
        Arc::new(MemoryBatches::new(contract.data_schema(), vec![batch])),
        &identity,
    )
    .await
    .map_err(Error::AuditWrite)?;
    Ok(())
}

fn audit_batch(contract: &TableContract, records: &[AuditRecord]) -> Result<RecordBatch> {
    let text = |value: fn(&AuditRecord) -> Option<&str>| -> ArrayRef {
        Arc::new(records.iter().map(value).collect::<StringArray>())
    };
    let number = |value: fn(&AuditRecord) -> Option<i64>| -> ArrayRef {
        Arc::new(records.iter().map(value).collect::<Int64Array>())
    };
    let at: ArrayRef = Arc::new(
        records
            .iter()
            .map(|record| Some(record.at.timestamp_micros()))
            .collect::<TimestampMicrosecondArray>()
            .with_timezone(TIMESTAMP_ZONE),
    );
    let columns: Vec<ArrayRef> = vec![
        at,
        text(|record| Some(record.principal.as_str())),
        text(|record| record.role.map(Role::as_str)),
        text(|record| record.uscc.as_deref()),
        text(|record| Some(record.interface.as_str())),
        text(|record| Some(record.action.as_str())),
        text(|record| record.statement.as_deref()),
        text(|record| record.tables.as_deref()),
        number(|record| record.rows),
        text(|record| Some(record.outcome.as_str())),
        text(|record| record.policies.as_deref()),
        text(|record| record.request_id.as_deref()),
        number(|record| record.duration_ms),
    ];
    RecordBatch::try_new(contract.data_schema(), columns).map_err(Error::AuditBatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn audit_rows(lake: &Lake) -> Vec<(String, String, String)> {
        use datafusion::arrow::array::AsArray as _;
        let Some(table) = lake.load_table(AUDIT_TABLE).await.expect("loads") else {
            return Vec::new();
        };
        let context = datafusion::prelude::SessionContext::new();
        context
            .register_table("audit", table.table_provider().await.expect("provider"))
            .expect("registers");
        let batches = context
            .sql("SELECT principal, action, outcome FROM audit ORDER BY at, principal")
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        let mut rows = Vec::new();
        for batch in batches {
            let column = |index: usize| -> Vec<String> {
                let text = datafusion::arrow::compute::cast(
                    batch.column(index),
                    &datafusion::arrow::datatypes::DataType::Utf8,
                )
                .expect("text");
                text.as_string::<i32>()
                    .iter()
                    .map(|value| value.unwrap_or_default().to_string())
                    .collect()
            };
            let (principals, actions, outcomes) = (column(0), column(1), column(2));
            for index in 0..batch.num_rows() {
                rows.push((
                    principals[index].clone(),
                    actions[index].clone(),
                    outcomes[index].clone(),
                ));
            }
        }
        rows
    }

    #[tokio::test]
    async fn records_are_written_in_batches_and_flushed_on_shutdown() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let log = AuditLog::start(Arc::clone(&lake)).expect("starts");
        let principal = Principal {
            name: "firm".into(),
            role: Role::Enterprise,
            uscc: Some("91320500MA1XXXXX0X".into()),
        };
        for index in 0..(BATCH_ROWS + 20) {
            let mut record = AuditRecord::new(Some(&principal), Interface::Http, "sql");
            record.statement = Some(format!("SELECT {index}"));
            log.record(record).await;
        }
        let mut denied = AuditRecord::new(None, Interface::Http, "search");
        denied.outcome = "unauthorized".into();
        log.record(denied).await;
        log.shutdown().await;
        let rows = audit_rows(&lake).await;
        assert_eq!(rows.len(), BATCH_ROWS + 21);
        assert!(rows.contains(&("anonymous".into(), "search".into(), "unauthorized".into())));
        assert_eq!(
            rows.iter()
                .filter(|(name, action, _)| name == "firm" && action == "sql")
                .count(),
            BATCH_ROWS + 20
        );
        // Two commits at least (a full batch, then the rest at shutdown), never one per row.
        let version = lake
            .table_version(AUDIT_TABLE)
            .await
            .expect("version")
            .expect("exists");
        assert!((1..=4).contains(&version), "{version}");
        // Shut down, the log still takes records without panicking, and drops them.
        log.record(AuditRecord::new(None, Interface::Http, "sql"))
            .await;
    }

    #[tokio::test]
    async fn the_command_line_writes_its_records_at_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lake = Lake::open(dir.path()).expect("lake");
        let mut record = AuditRecord::new(Some(&crate::cli_principal()), Interface::Cli, "token");
        record.statement = Some("token create committee-1".into());
        write_now(&lake, &[record]).await.expect("writes");
        assert_eq!(
            audit_rows(&lake).await,
            vec![("cli".to_string(), "token".to_string(), "ok".to_string())]
        );
    }
}
