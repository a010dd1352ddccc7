//! The lake: one Delta table per lake table under `<data-dir>/lake/<table>/`, and the writer
//! that commits a batch to a table as exactly one Delta commit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use chrono::Utc;
use datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::datasource::provider_as_source;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::{LogicalPlanBuilder, UNNAMED_TABLE};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::DataFrame;
use deltalake::DeltaTable;
use deltalake::kernel::Transaction;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel as _;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::protocol::SaveMode;
use futures::{StreamExt, TryStreamExt};
use sha2::{Digest as _, Sha256};
use url::Url;

use crate::contract::{TableContract, WriteMode};
use crate::error::{Error, Result};

/// Folder of the lake inside the data directory.
pub const LAKE_FOLDER: &str = "lake";

/// Prefix of the Delta application transaction id that records a batch's content in the very
/// commit that writes it.
const TRANSACTION_PREFIX: &str = "parkhub-batch-";

/// The rows of a table as one version of it holds them ([`Lake::read_table`]).
#[derive(Debug, Clone)]
pub struct TableContents {
    /// The version read.
    pub version: u64,
    /// Every row, with the lineage columns.
    pub batches: Vec<RecordBatch>,
}

/// Where a batch came from and what it contained, recorded with its commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchIdentity {
    /// A fresh id for this batch (written to `_batch_id`).
    pub batch_id: String,
    /// Hex sha256 of the decoded input: the same content is the same batch.
    pub content_sha256: String,
    /// A human-readable origin (file path, URL, `http`, `demo`).
    pub source: String,
}

impl BatchIdentity {
    /// Creates an identity with a fresh batch id.
    pub fn new(source: impl Into<String>, content_sha256: impl Into<String>) -> BatchIdentity {
        BatchIdentity {
            batch_id: uuid::Uuid::new_v4().to_string(),
            content_sha256: content_sha256.into(),
            source: source.into(),
        }
    }

    fn transaction_app_id(&self) -> String {
        format!("{TRANSACTION_PREFIX}{}", self.content_sha256)
    }

    /// The version recorded with the application transaction: drawn from the batch id, so
    /// that a writer can tell its own commit of some content from another writer's commit of
    /// the same content (two processes ingesting one file at once).
    fn transaction_version(&self) -> i64 {
        let digest = Sha256::digest(self.batch_id.as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        // Positive and never 0, so it cannot be mistaken for a default.
        (i64::from_le_bytes(bytes) & i64::MAX).max(1)
    }
}

/// What happened to a batch handed to [`Lake::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// The batch was written as the given table version.
    Committed {
        /// The Delta version the commit created.
        version: u64,
        /// Rows in the batch.
        rows: u64,
    },
    /// A batch with the same content was committed before; nothing was written.
    Duplicate,
}

/// Something that yields a batch's rows, possibly more than once (a commit that has to be
/// retried reads its input again).
pub trait BatchSource: Send + Sync {
    /// The schema of the batches, which must match the table contract's columns.
    fn schema(&self) -> SchemaRef;
    /// Opens a fresh stream over the rows.
    fn open(&self) -> Result<SendableRecordBatchStream>;
}

/// Batches held in memory.
#[derive(Debug, Clone)]
pub struct MemoryBatches {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl MemoryBatches {
    /// Wraps batches that all have `schema`.
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> MemoryBatches {
        MemoryBatches { schema, batches }
    }
}

impl BatchSource for MemoryBatches {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn open(&self) -> Result<SendableRecordBatchStream> {
        let batches = self.batches.clone();
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            futures::stream::iter(batches.into_iter().map(Ok)),
        )))
    }
}

/// The lake of one data directory.
#[derive(Debug)]
pub struct Lake {
    data_dir: PathBuf,
    lake_dir: PathBuf,
    root_url: Url,
    /// One lock per table so that writers inside this process take turns instead of
    /// conflicting; writers in other processes are handled by Delta's optimistic concurrency.
    table_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Lake {
    /// Opens (creating if needed) the lake of a data directory, and checks that it can be written.
    pub fn open(data_dir: &Path) -> Result<Lake> {
        let data_dir_error = |reason: String| Error::DataDir {
            path: data_dir.to_path_buf(),
            reason,
        };
        std::fs::create_dir_all(data_dir.join(LAKE_FOLDER))
            .map_err(|error| data_dir_error(format!("cannot create it: {error}")))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(|error| data_dir_error(format!("cannot resolve it: {error}")))?;
        let lake_dir = data_dir.join(LAKE_FOLDER);
        // A name of its own: processes opening the lake at once must not remove each other's.
        let probe = lake_dir.join(format!(
            ".parkhub-write-check-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::write(&probe, b"ok")
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|error| Error::DataDir {
                path: data_dir.clone(),
                reason: format!("it is not writable: {error}"),
            })?;
        let root_url =
            Url::from_directory_path(&lake_dir).map_err(|()| Error::InvalidLocation {
                location: lake_dir.display().to_string(),
                reason: "not an absolute path".into(),
            })?;
        Ok(Lake {
            data_dir,
            lake_dir,
            root_url,
            table_locks: Mutex::new(HashMap::new()),
        })
    }

    /// Returns the data directory (absolute).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Returns the lake folder (absolute).
    pub fn lake_dir(&self) -> &Path {
        &self.lake_dir
    }

    /// Returns the location of a table.
    pub fn table_url(&self, table: &str) -> Result<Url> {
        self.root_url
            .join(&format!("{table}/"))
            .map_err(|error| Error::InvalidLocation {
                location: table.to_string(),
                reason: error.to_string(),
            })
    }

    /// Returns the local folder of a table.
    pub fn table_dir(&self, table: &str) -> PathBuf {
        self.lake_dir.join(table)
    }

    /// Loads the latest version of a table, or `None` when it has never been written.
    pub async fn load_table(&self, table: &str) -> Result<Option<DeltaTable>> {
        if !self.table_dir(table).join("_delta_log").is_dir() {
            return Ok(None);
        }
        let delta_table = DeltaTable::try_from_url(self.table_url(table)?).await?;
        Ok(delta_table.version().is_some().then_some(delta_table))
    }

    /// Returns the names of the tables that exist in the lake, sorted.
    pub fn existing_tables(&self) -> Result<Vec<String>> {
        let entries = std::fs::read_dir(&self.lake_dir).map_err(|source| Error::Io {
            path: self.lake_dir.clone(),
            source,
        })?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| Error::Io {
                path: self.lake_dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Dot-folders are ours (write checks); `_`-tables (quarantine, ingest log) are
            // system tables, queryable by name but not listed among the park's tables.
            if !name.starts_with('.')
                && !name.starts_with('_')
                && entry.path().join("_delta_log").is_dir()
            {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Creates the table for a contract when it does not exist yet, and returns it.
    pub async fn ensure_table(&self, contract: &TableContract) -> Result<DeltaTable> {
        if let Some(existing) = self.load_table(&contract.name).await? {
            return self.evolve(contract, existing).await;
        }
        let schema = contract.lake_schema();
        let kernel_schema: deltalake::kernel::StructType = schema.as_ref().try_into_kernel()?;
        let location = self.table_url(&contract.name)?;
        std::fs::create_dir_all(self.table_dir(&contract.name)).map_err(|source| Error::Io {
            path: self.table_dir(&contract.name),
            source,
        })?;
        let started = SystemTime::now();
        // Building (not loading) the table: there is nothing to load yet.
        let created = match deltalake::DeltaTableBuilder::from_url(location)?
            .build()?
            .create()
            .with_table_name(&contract.name)
            .with_comment(contract.description())
            .with_columns(kernel_schema.fields().cloned())
            .with_save_mode(SaveMode::Ignore)
            // Version 0 or nothing: when another process created the table first, retrying
            // would commit a second table definition on top of it, and every writer that had
            // read the first one would then fail with "Metadata changed since last commit".
            .with_commit_properties(CommitProperties::default().with_max_retries(0))
            .await
        {
            Ok(created) => created,
            // Another process created the table between the look and the create: use that one.
            Err(error) => match self.load_table(&contract.name).await? {
                Some(existing) => return self.evolve(contract, existing).await,
                None => return Err(error.into()),
            },
        };
        sync_table_files(&self.table_dir(&contract.name), started);
        Ok(created)
    }

    /// Deletes the rows of an upsert table whose key equals `key` (one value per key column),
    /// as one Delta commit; returns how many rows were deleted (0 when none matched or the
    /// table does not exist).
    pub async fn delete_by_key(&self, contract: &TableContract, key: &[&str]) -> Result<u64> {
        if contract.key.len() != key.len() {
            return Err(Error::SchemaMismatch {
                table: contract.name.clone(),
                reason: format!(
                    "the key has {} columns ({}), {} values were given",
                    contract.key.len(),
                    contract.key.join(", "),
                    key.len()
                ),
            });
        }
        let lock = self.table_lock(&contract.name);
        let _turn = lock.lock().await;
        let Some(delta_table) = self.load_table(&contract.name).await? else {
            return Ok(0);
        };
        let predicate = contract
            .key
            .iter()
            .zip(key)
            .map(|(column, value)| {
                datafusion::prelude::col(column.as_str())
                    .eq(datafusion::prelude::lit(value.to_string()))
            })
            .reduce(datafusion::prelude::Expr::and)
            .ok_or_else(|| Error::SchemaMismatch {
                table: contract.name.clone(),
                reason: "the table has no key".into(),
            })?;
        let started = SystemTime::now();
        let (_, metrics) = delta_table.delete().with_predicate(predicate).await?;
        sync_table_files(&self.table_dir(&contract.name), started);
        Ok(metrics.num_deleted_rows.unwrap_or(0) as u64)
    }

    /// Returns the current version of a table, or `None` when it does not exist.
    pub async fn table_version(&self, table: &str) -> Result<Option<u64>> {
        Ok(self
            .load_table(table)
            .await?
            .and_then(|table| table.version()))
    }

    /// Reads every row of a table at its latest version through deltalake's own scan, or
    /// returns `None` when the table has never been written. Meant for small tables (the
    /// catalog's): queries go through the guarded engine instead.
    pub async fn read_table(&self, table: &str) -> Result<Option<TableContents>> {
        let Some(delta_table) = self.load_table(table).await? else {
            return Ok(None);
        };
        let Some(version) = delta_table.version() else {
            return Ok(None);
        };
        let (_, stream) = delta_table.scan_table().await?;
        let batches = stream.try_collect().await?;
        Ok(Some(TableContents { version, batches }))
    }

    /// Adds the contract's columns the table lacks (nullable ones only): the files already
    /// written are kept as they are, their rows read the new columns as null.
    async fn evolve(&self, contract: &TableContract, table: DeltaTable) -> Result<DeltaTable> {
        let existing: Vec<String> = table
            .snapshot()?
            .schema()
            .fields()
            .map(|field| field.name().clone())
            .collect();
        let lake_schema = contract.lake_schema();
        let missing: Vec<_> = lake_schema
            .fields()
            .iter()
            .filter(|field| !existing.contains(field.name()))
            .collect();
        if missing.is_empty() {
            return Ok(table);
        }
        if let Some(required) = missing.iter().find(|field| !field.is_nullable()) {
            return Err(Error::SchemaMismatch {
                table: contract.name.clone(),
                reason: format!(
                    "the table has no column '{}', and a required column cannot be added to rows already written",
                    required.name()
                ),
            });
        }
        let new_fields = datafusion::arrow::datatypes::Schema::new(
            missing.into_iter().cloned().collect::<Vec<_>>(),
        );
        let kernel: deltalake::kernel::StructType = (&new_fields).try_into_kernel()?;
        let started = SystemTime::now();
        let evolved = table
            .add_columns()
            .with_fields(kernel.fields().cloned().collect::<Vec<_>>())
            .await?;
        sync_table_files(&self.table_dir(&contract.name), started);
        tracing::info!(table = %contract.name, "added new contract columns to the table");
        Ok(evolved)
    }

    fn table_lock(&self, table: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .table_locks
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(locks.entry(table.to_string()).or_default())
    }

    /// Returns the information of the newest of the table's latest `depth` commits whose
    /// information has `value` under `key` (see [`Lake::commit_with_metadata`]).
    pub async fn find_commit(
        &self,
        table: &str,
        key: &str,
        value: &serde_json::Value,
        depth: usize,
    ) -> Result<Option<HashMap<String, serde_json::Value>>> {
        use futures::TryStreamExt as _;
        let Some(delta_table) = self.load_table(table).await? else {
            return Ok(None);
        };
        let mut history = delta_table.history(Some(depth));
        while let Some(info) = history.try_next().await? {
            if info.info.get(key) == Some(value) {
                return Ok(Some(info.info));
            }
        }
        Ok(None)
    }

    /// Returns true when a batch with this identity's content is already in the table.
    pub async fn is_committed(&self, table: &str, identity: &BatchIdentity) -> Result<bool> {
        Ok(self.committed_version(table, identity).await?.is_some())
    }

    /// The transaction version recorded by the commit of this identity's content, if any.
    async fn committed_version(
        &self,
        table: &str,
        identity: &BatchIdentity,
    ) -> Result<Option<i64>> {
        let Some(delta_table) = self.load_table(table).await? else {
            return Ok(None);
        };
        transaction_version_in(&delta_table, identity).await
    }

    /// Commits a batch to a table as one Delta commit: appended for append tables, merged on
    /// the key for upsert tables. Lineage columns are added here. The batch's content hash is
    /// recorded in the same commit, so a batch with the same content is recognised and not
    /// written twice, also after a crash or a commit error whose outcome was unknown.
    pub async fn commit(
        &self,
        contract: &TableContract,
        source: Arc<dyn BatchSource>,
        identity: &BatchIdentity,
    ) -> Result<CommitOutcome> {
        self.commit_with_metadata(contract, source, identity, serde_json::Map::new())
            .await
    }

    /// Commits like [`Lake::commit`], with `metadata` added to the commit's information (a
    /// live source's cursor, written in the same commit as its rows; read back with
    /// [`Lake::find_commit`]).
    pub async fn commit_with_metadata(
        &self,
        contract: &TableContract,
        source: Arc<dyn BatchSource>,
        identity: &BatchIdentity,
        metadata: serde_json::Map<String, serde_json::Value>,
    ) -> Result<CommitOutcome> {
        check_columns(contract, &source.schema())?;
        let lock = self.table_lock(&contract.name);
        let _turn = lock.lock().await;
        let delta_table = self.ensure_table(contract).await?;
        // The table was just loaded: its log answers without reading it a second time.
        if transaction_version_in(&delta_table, identity)
            .await?
            .is_some()
        {
            return Ok(CommitOutcome::Duplicate);
        }
        let table_was_empty = delta_table.snapshot()?.log_data().num_files() == 0;
        let started = SystemTime::now();
        let input = Arc::new(LineagePartition {
            source,
            lineage: Arc::new(Lineage {
                lake_schema: contract.lake_schema(),
                table: contract.name.clone(),
                batch_id: identity.batch_id.clone(),
                ingested_at_micros: Utc::now().timestamp_micros(),
            }),
            rows_read: Arc::new(AtomicU64::new(0)),
        });
        let commit_properties = CommitProperties::default()
            .with_application_transaction(Transaction::new(
                identity.transaction_app_id(),
                identity.transaction_version(),
            ))
            .with_metadata(
                [
                    (
                        "parkhub.batch_id".to_string(),
                        serde_json::json!(identity.batch_id),
                    ),
                    (
                        "parkhub.source".to_string(),
                        serde_json::json!(identity.source),
                    ),
                    (
                        "parkhub.content_sha256".to_string(),
                        serde_json::json!(identity.content_sha256),
                    ),
                ]
                .into_iter()
                .chain(metadata),
            );
        let result = if contract.mode == WriteMode::Append || table_was_empty {
            append(delta_table, Arc::clone(&input), commit_properties)
                .await
                .map(|version| (version, input.rows_read.load(Ordering::Relaxed)))
        } else {
            upsert(contract, delta_table, Arc::clone(&input), commit_properties).await
        };
        match result {
            Ok((version, rows)) => {
                sync_table_files(&self.table_dir(&contract.name), started);
                Ok(CommitOutcome::Committed { version, rows })
            }
            Err(error) => {
                // The commit may have landed even though the call failed (a lost reply from the
                // store, an error after the log entry was written): the log is the truth. The
                // same content committed by another writer meanwhile is a duplicate, not ours.
                let landed = self
                    .committed_version(&contract.name, identity)
                    .await
                    .unwrap_or(None);
                if landed.is_some_and(|version| version != identity.transaction_version()) {
                    tracing::info!(table = %contract.name, "another writer committed the same content first");
                    return Ok(CommitOutcome::Duplicate);
                }
                if landed.is_some() {
                    let version = self
                        .load_table(&contract.name)
                        .await?
                        .and_then(|table| table.version())
                        .unwrap_or_default();
                    tracing::warn!(table = %contract.name, %error, "commit reported an error but is in the log");
                    return Ok(CommitOutcome::Committed {
                        version,
                        rows: input.rows_read.load(Ordering::Relaxed),
                    });
                }
                Err(error)
            }
        }
    }
}

/// The transaction version recorded by the commit of this identity's content in a loaded
/// table, if any.
async fn transaction_version_in(
    delta_table: &DeltaTable,
    identity: &BatchIdentity,
) -> Result<Option<i64>> {
    let version = delta_table
        .snapshot()?
        .transaction_version(
            delta_table.log_store().as_ref(),
            identity.transaction_app_id(),
        )
        .await?;
    Ok(version)
}

async fn append(
    delta_table: DeltaTable,
    input: Arc<LineagePartition>,
    commit_properties: CommitProperties,
) -> Result<u64> {
    let context = deltalake::delta_datafusion::create_session().into_inner();
    let written = delta_table
        .write(Vec::new())
        .with_input_plan(scan_plan(input)?)
        .with_session_state(Arc::new(context.state()))
        .with_save_mode(SaveMode::Append)
        .with_commit_properties(commit_properties)
        .await?;
    Ok(written.version().unwrap_or_default())
}

/// Merges the input into the table on the contract's key; returns the new version and the
/// number of source rows.
async fn upsert(
    contract: &TableContract,
    delta_table: DeltaTable,
    input: Arc<LineagePartition>,
    commit_properties: CommitProperties,
) -> Result<(u64, u64)> {
    let context = deltalake::delta_datafusion::create_session().into_inner();
    let source = DataFrame::new(context.state(), scan_plan(input)?);
    let predicate = contract
        .key
        .iter()
        .map(|key| format!("target.{key} = source.{key}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let all_columns: Vec<String> = contract
        .lake_schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let update_columns = all_columns.clone();
    let (merged, metrics) = delta_table
        .merge(source, predicate)
        .with_source_alias("source")
        .with_target_alias("target")
        .with_session_state(Arc::new(context.state()))
        .with_commit_properties(commit_properties)
        .when_matched_update(move |update| {
            update_columns.iter().fold(update, |update, column| {
                update.update(column.as_str(), format!("source.{column}"))
            })
        })?
        .when_not_matched_insert(move |insert| {
            all_columns.iter().fold(insert, |insert, column| {
                insert.set(column.as_str(), format!("source.{column}"))
            })
        })?
        .await?;
    Ok((
        merged.version().unwrap_or_default(),
        metrics.num_source_rows as u64,
    ))
}

/// The input of a commit as a DataFusion partition: each execution re-opens the source (a merge
/// reads its source more than once), casts it to the lake schema and appends the lineage
/// columns with the same values every time.
struct LineagePartition {
    source: Arc<dyn BatchSource>,
    lineage: Arc<Lineage>,
    /// Rows produced by the latest execution.
    rows_read: Arc<AtomicU64>,
}

/// The lineage values of one commit and the schema they complete.
struct Lineage {
    lake_schema: SchemaRef,
    table: String,
    batch_id: String,
    ingested_at_micros: i64,
}

impl std::fmt::Debug for LineagePartition {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LineagePartition")
            .field("table", &self.lineage.table)
            .field("batch_id", &self.lineage.batch_id)
            .finish_non_exhaustive()
    }
}

impl Lineage {
    fn complete(&self, batch: RecordBatch) -> datafusion::error::Result<RecordBatch> {
        let rows = batch.num_rows();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.lake_schema.fields().len());
        for (array, field) in batch.columns().iter().zip(self.lake_schema.fields()) {
            if array.data_type() == field.data_type() {
                columns.push(Arc::clone(array));
            } else {
                columns.push(cast(array, field.data_type())?);
            }
        }
        columns.push(Arc::new(StringArray::from(vec![
            self.batch_id.as_str();
            rows
        ])));
        columns.push(Arc::new(
            TimestampMicrosecondArray::from(vec![self.ingested_at_micros; rows])
                .with_timezone(crate::contract::TIMESTAMP_ZONE),
        ));
        RecordBatch::try_new(Arc::clone(&self.lake_schema), columns).map_err(|error| {
            datafusion::error::DataFusionError::Execution(format!(
                "table '{}': {error}",
                self.table
            ))
        })
    }
}

impl PartitionStream for LineagePartition {
    fn schema(&self) -> &SchemaRef {
        &self.lineage.lake_schema
    }

    fn execute(&self, _context: Arc<TaskContext>) -> SendableRecordBatchStream {
        self.rows_read.store(0, Ordering::Relaxed);
        let schema = Arc::clone(&self.lineage.lake_schema);
        let input = match self.source.open() {
            Ok(input) => input,
            Err(error) => {
                let message = error.to_string();
                return Box::pin(RecordBatchStreamAdapter::new(
                    schema,
                    futures::stream::once(async move {
                        Err(datafusion::error::DataFusionError::Execution(message))
                    }),
                ));
            }
        };
        let lineage = Arc::clone(&self.lineage);
        let rows_read = Arc::clone(&self.rows_read);
        let stream = input.map(move |batch| {
            let batch = lineage.complete(batch?)?;
            rows_read.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
            Ok(batch)
        });
        Box::pin(RecordBatchStreamAdapter::new(schema, stream))
    }
}

fn scan_plan(input: Arc<LineagePartition>) -> Result<datafusion::logical_expr::LogicalPlan> {
    let schema = Arc::clone(&input.lineage.lake_schema);
    let table = StreamingTable::try_new(schema, vec![input as Arc<dyn PartitionStream>])?;
    Ok(
        LogicalPlanBuilder::scan(UNNAMED_TABLE, provider_as_source(Arc::new(table)), None)?
            .build()?,
    )
}

/// Checks that a source's columns are the contract's columns, in order, with castable types.
fn check_columns(contract: &TableContract, schema: &SchemaRef) -> Result<()> {
    let mismatch = |reason: String| Error::SchemaMismatch {
        table: contract.name.clone(),
        reason,
    };
    if schema.fields().len() != contract.columns.len() {
        return Err(mismatch(format!(
            "expected {} columns ({}), found {} ({})",
            contract.columns.len(),
            contract
                .columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            schema.fields().len(),
            schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )));
    }
    for (field, column) in schema.fields().iter().zip(&contract.columns) {
        if field.name() != &column.name {
            return Err(mismatch(format!(
                "expected column '{}', found '{}'",
                column.name,
                field.name()
            )));
        }
        let target = column.column_type.arrow_type();
        if field.data_type() != &target
            && !datafusion::arrow::compute::can_cast_types(field.data_type(), &target)
        {
            return Err(mismatch(format!(
                "column '{}' has type {}, which cannot become {}",
                column.name,
                field.data_type(),
                target
            )));
        }
    }
    Ok(())
}

/// Flushes a local table's files and folders to disk: the object store for local folders
/// does not fsync, so a commit acknowledged to a client could otherwise be lost on power
/// failure. Best effort: a failure is logged, the commit itself already happened.
fn sync_table_files(table_dir: &Path, since: SystemTime) {
    fn sync_dir(path: &Path, since: SystemTime) -> std::io::Result<()> {
        for entry in std::fs::read_dir(path)? {
            let entry = entry?;
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                sync_dir(&entry.path(), since)?;
            } else if file_type.is_file() && entry.metadata()?.modified()? >= since {
                std::fs::File::open(entry.path())?.sync_all()?;
            }
        }
        std::fs::File::open(path)?.sync_all()
    }
    if let Err(error) = sync_dir(table_dir, since) {
        tracing::warn!(table_dir = %table_dir.display(), %error, "could not fsync the table");
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, Float64Array, Int64Array};
    use datafusion::prelude::SessionContext;

    use super::*;
    use crate::contract::Contracts;

    fn test_contract() -> TableContract {
        TableContract::from_toml(
            "test",
            r#"
name = "scores"
description_zh = "测试"
description_en = "test"
mode = "upsert"
key = ["id"]

[[columns]]
name = "id"
type = "string"
required = true

[[columns]]
name = "score"
type = "int64"
"#,
        )
        .expect("contract")
    }

    fn batch(contract: &TableContract, ids: &[&str], scores: &[i64]) -> Arc<MemoryBatches> {
        let schema = contract.data_schema();
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from(ids.to_vec())),
                Arc::new(Int64Array::from(scores.to_vec())),
            ],
        )
        .expect("batch");
        Arc::new(MemoryBatches::new(schema, vec![batch]))
    }

    async fn read_all(lake: &Lake, table: &str) -> Vec<(String, i64)> {
        let delta_table = lake.load_table(table).await.expect("load").expect("exists");
        let context = SessionContext::new();
        delta_table
            .update_datafusion_session(&context.state())
            .expect("session");
        context
            .register_table(table, delta_table.table_provider().await.expect("provider"))
            .expect("register");
        let batches = context
            .sql(&format!("SELECT id, score FROM {table} ORDER BY id"))
            .await
            .expect("sql")
            .collect()
            .await
            .expect("collect");
        let mut rows = Vec::new();
        for batch in batches {
            let ids = cast(
                batch.column(0),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .expect("cast");
            let ids = ids.as_any().downcast_ref::<StringArray>().expect("ids");
            let scores = batch
                .column(1)
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("scores");
            for row in 0..batch.num_rows() {
                rows.push((ids.value(row).to_string(), scores.value(row)));
            }
        }
        rows
    }

    #[tokio::test]
    async fn a_table_is_read_whole_at_its_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contract = test_contract();
        assert!(lake.read_table("scores").await.expect("read").is_none());
        for (content, ids, scores) in [("one", ["a", "b"], [1, 2]), ("two", ["b", "c"], [20, 30])] {
            lake.commit(
                &contract,
                batch(&contract, &ids, &scores),
                &BatchIdentity::new("test", content),
            )
            .await
            .expect("commit");
        }
        let contents = lake
            .read_table("scores")
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(
            Some(contents.version),
            lake.table_version("scores").await.expect("version")
        );
        let mut rows = Vec::new();
        for batch in &contents.batches {
            assert!(
                batch.column_by_name("_batch_id").is_some(),
                "lineage is read"
            );
            let ids = cast(
                batch.column_by_name("id").expect("id"),
                &datafusion::arrow::datatypes::DataType::Utf8,
            )
            .expect("cast");
            let ids = ids.as_any().downcast_ref::<StringArray>().expect("ids");
            let scores = batch
                .column_by_name("score")
                .and_then(|scores| scores.as_any().downcast_ref::<Int64Array>().cloned())
                .expect("scores");
            for row in 0..batch.num_rows() {
                rows.push((ids.value(row).to_string(), scores.value(row)));
            }
        }
        rows.sort();
        assert_eq!(
            rows,
            vec![("a".into(), 1), ("b".into(), 20), ("c".into(), 30)]
        );
    }

    #[tokio::test]
    async fn upsert_replaces_by_key_and_duplicates_are_not_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contract = test_contract();

        let first = BatchIdentity::new("test", "aaa");
        let outcome = lake
            .commit(&contract, batch(&contract, &["a", "b"], &[1, 2]), &first)
            .await
            .expect("commit");
        assert!(
            matches!(outcome, CommitOutcome::Committed { rows: 2, .. }),
            "{outcome:?}"
        );

        let second = BatchIdentity::new("test", "bbb");
        let outcome = lake
            .commit(&contract, batch(&contract, &["b", "c"], &[20, 30]), &second)
            .await
            .expect("commit");
        assert!(
            matches!(outcome, CommitOutcome::Committed { rows: 2, .. }),
            "{outcome:?}"
        );
        assert_eq!(
            read_all(&lake, "scores").await,
            vec![("a".into(), 1), ("b".into(), 20), ("c".into(), 30)]
        );

        // The same content again, under a new batch id, is recognised.
        let again = BatchIdentity::new("test", "bbb");
        let outcome = lake
            .commit(&contract, batch(&contract, &["b", "c"], &[20, 30]), &again)
            .await
            .expect("commit");
        assert_eq!(outcome, CommitOutcome::Duplicate);
        assert_eq!(read_all(&lake, "scores").await.len(), 3);
        assert!(lake.is_committed("scores", &again).await.expect("check"));
        assert_eq!(
            lake.existing_tables().expect("tables"),
            vec!["scores".to_string()]
        );
    }

    #[tokio::test]
    async fn rows_are_deleted_by_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contract = test_contract();
        assert_eq!(
            lake.delete_by_key(&contract, &["a"])
                .await
                .expect("no table"),
            0
        );
        lake.commit(
            &contract,
            batch(&contract, &["a", "b"], &[1, 2]),
            &BatchIdentity::new("t", "x"),
        )
        .await
        .expect("commit");
        assert_eq!(
            lake.delete_by_key(&contract, &["a"]).await.expect("delete"),
            1
        );
        assert_eq!(
            lake.delete_by_key(&contract, &["zzz"])
                .await
                .expect("delete"),
            0
        );
        assert_eq!(read_all(&lake, "scores").await, vec![("b".into(), 2)]);
        assert!(lake.delete_by_key(&contract, &["a", "b"]).await.is_err());
        assert_eq!(
            lake.table_version("scores").await.expect("version"),
            Some(2),
            "a delete matching nothing commits nothing"
        );
    }

    #[tokio::test]
    async fn append_tables_append_and_carry_lineage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("energy_readings").expect("energy_readings");
        let schema = contract.data_schema();
        let make = |value: f64| {
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![
                    Arc::new(StringArray::from(vec!["91110000600037341L"])),
                    Arc::new(StringArray::from(vec!["E-1"])),
                    Arc::new(
                        TimestampMicrosecondArray::from(vec![1_700_000_000_000_000])
                            .with_timezone("UTC"),
                    ),
                    Arc::new(StringArray::from(vec!["electricity"])),
                    Arc::new(Float64Array::from(vec![value])),
                    Arc::new(StringArray::from(vec!["kWh"])),
                    Arc::new(Float64Array::from(vec![value * 0.0001229])),
                ],
            )
            .expect("batch")
        };
        for (content, value) in [("one", 10.0), ("two", 20.0)] {
            let source = Arc::new(MemoryBatches::new(Arc::clone(&schema), vec![make(value)]));
            let identity = BatchIdentity::new("test", content);
            lake.commit(contract, source, &identity)
                .await
                .expect("commit");
        }
        let delta_table = lake
            .load_table("energy_readings")
            .await
            .expect("load")
            .expect("exists");
        assert_eq!(delta_table.version(), Some(2), "create + two appends");
        let context = SessionContext::new();
        delta_table
            .update_datafusion_session(&context.state())
            .expect("session");
        context
            .register_table("t", delta_table.table_provider().await.expect("provider"))
            .expect("register");
        let batches = context
            .sql("SELECT count(*), count(DISTINCT _batch_id), min(_ingested_at) IS NOT NULL FROM t")
            .await
            .expect("sql")
            .collect()
            .await
            .expect("collect");
        let counts = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("count");
        let batch_ids = batches[0]
            .column(1)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("distinct");
        assert_eq!((counts.value(0), batch_ids.value(0)), (2, 2));
        assert!(!batches[0].column(2).is_null(0));
    }

    #[tokio::test]
    async fn ensure_table_creates_an_empty_table_with_the_lake_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("enterprises").expect("enterprises");
        assert!(
            lake.load_table("enterprises")
                .await
                .expect("load")
                .is_none()
        );
        lake.ensure_table(contract).await.expect("create");
        let delta_table = lake
            .load_table("enterprises")
            .await
            .expect("load")
            .expect("exists");
        let provider = delta_table.table_provider().await.expect("provider");
        let names: Vec<String> = provider
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names.first().map(String::as_str), Some("uscc"));
        assert!(names.contains(&"land_area_mu".to_string()));
        assert_eq!(
            names.last().map(String::as_str),
            Some(crate::contract::INGESTED_AT_COLUMN)
        );
    }

    #[tokio::test]
    async fn batches_that_do_not_fit_the_contract_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contract = test_contract();
        let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(vec![
            datafusion::arrow::datatypes::Field::new(
                "key",
                datafusion::arrow::datatypes::DataType::Utf8,
                false,
            ),
            datafusion::arrow::datatypes::Field::new(
                "score",
                datafusion::arrow::datatypes::DataType::Int64,
                true,
            ),
        ]));
        let source = Arc::new(MemoryBatches::new(schema, Vec::new()));
        let error = lake
            .commit(&contract, source, &BatchIdentity::new("t", "x"))
            .await
            .expect_err("mismatch");
        assert_eq!(
            error.to_string(),
            "batch does not fit table 'scores': expected column 'id', found 'key'"
        );
        assert!(
            lake.load_table("scores").await.expect("load").is_none(),
            "nothing was created"
        );
    }

    #[tokio::test]
    async fn a_nullable_column_added_to_the_contract_evolves_the_table_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Lake::open(dir.path()).expect("lake");
        let contract = test_contract();
        lake.commit(
            &contract,
            batch(&contract, &["a"], &[1]),
            &BatchIdentity::new("t", "one"),
        )
        .await
        .expect("commit");
        let files_before = std::fs::read_dir(lake.table_dir("scores"))
            .expect("dir")
            .count();

        let mut evolved = contract.clone();
        evolved.columns.push(crate::contract::ColumnContract {
            name: "comment".into(),
            column_type: crate::contract::ColumnType::String,
            required: false,
            check: None,
            derive: None,
            allowed: Vec::new(),
            value_aliases: Default::default(),
            min: None,
            max: None,
            unit: None,
            description: String::new(),
            aliases: Vec::new(),
            list: false,
        });
        let schema = evolved.data_schema();
        let rows = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from(vec!["b"])),
                Arc::new(Int64Array::from(vec![2])),
                Arc::new(StringArray::from(vec!["新列"])),
            ],
        )
        .expect("batch");
        lake.commit(
            &evolved,
            Arc::new(MemoryBatches::new(schema, vec![rows])),
            &BatchIdentity::new("t", "two"),
        )
        .await
        .expect("commit with the new column");
        assert_eq!(
            read_all(&lake, "scores").await,
            vec![("a".into(), 1), ("b".into(), 2)]
        );
        let delta_table = lake
            .load_table("scores")
            .await
            .expect("load")
            .expect("exists");
        let context = SessionContext::new();
        context
            .register_table("t", delta_table.table_provider().await.expect("provider"))
            .expect("register");
        let comments = context
            .sql("SELECT count(comment) FROM t")
            .await
            .expect("sql")
            .collect()
            .await
            .expect("run");
        let comments = comments[0]
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("count")
            .value(0);
        assert_eq!(comments, 1, "old rows read the new column as null");
        let files_after = std::fs::read_dir(lake.table_dir("scores"))
            .expect("dir")
            .count();
        assert_eq!(
            files_after,
            files_before + 1,
            "one new data file, nothing rewritten"
        );
    }

    #[test]
    fn an_unwritable_data_dir_is_reported() {
        let error = Lake::open(Path::new("/proc/parkhub")).expect_err("not writable");
        assert!(
            error
                .to_string()
                .starts_with("data directory /proc/parkhub is not usable"),
            "{error}"
        );
    }
}
