//! Ingestion: a source file into a lake table, exactly once, with rejected rows quarantined
//! and one `_ingest_log` row per batch.
//!
//! 1. The input's bytes are hashed (sha256): the same content for the same table is the same
//!    batch, recognised and reported as a duplicate instead of being written again.
//! 2. The source is decoded and validated in a blocking thread; valid rows go to a spool file,
//!    rejected rows (with every reason) to another. A file-level problem (unreadable, wrong
//!    encoding, a header without the table's columns) fails the batch and writes nothing.
//! 3. The valid rows are committed to the table as one Delta commit that records the content
//!    hash (see [`crate::Lake::commit`]); then the rejected rows to `_quarantine` and the
//!    report to `_ingest_log`, each idempotent too, so a run killed at any moment and run again
//!    leaves every table with exactly the input's rows.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::SchemaRef;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::contract::{
    Contracts, INGEST_LOG_TABLE, QUARANTINE_TABLE, TableContract, system_contract,
};
use crate::decode::{DecodeOptions, decoder_for_file};
use crate::error::{Error, Result};
use crate::lake::{BatchIdentity, CommitOutcome, Lake, MemoryBatches};
use crate::spool::{SpoolFile, SpoolWriter};
use crate::validate::{RejectedRow, ValidationOptions, Validator};

/// The most row errors a report carries; all of them are in `_quarantine`.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IngestStatus {
    /// The valid rows were committed (possibly zero of them).
    Committed,
    /// The same content was committed to the table before; nothing was written.
    Duplicate,
    /// The source could not be read as a whole; nothing was written.
    Failed,
}

impl IngestStatus {
    /// The name stored in `_ingest_log`.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestStatus::Committed => "committed",
            IngestStatus::Duplicate => "duplicate",
            IngestStatus::Failed => "failed",
        }
    }
}

/// One rejected row, as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    /// The row's number in the source.
    pub row: u64,
    /// The column concerned (the contract's name), when there is one.
    pub column: Option<String>,
    /// The offending value.
    pub value: Option<String>,
    /// What is wrong, in Chinese and English.
    pub reason: String,
}

/// What happened to one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestReport {
    /// The batch's id (also in `_batch_id` of the rows it wrote).
    pub batch_id: String,
    /// The target table.
    pub table: String,
    /// Where the data came from.
    pub source: String,
    /// How it ended.
    pub status: IngestStatus,
    /// Rows decoded.
    pub rows_read: u64,
    /// Rows written to the table.
    pub rows_written: u64,
    /// Rows sent to quarantine.
    pub rows_rejected: u64,
    /// True when the same content had been committed before.
    pub duplicate: bool,
    /// The first [`MAX_REPORTED_ERRORS`] row errors.
    pub errors: Vec<RowError>,
    /// Why the batch failed, when it did.
    pub error: Option<String>,
    /// sha256 of the input's bytes.
    pub content_sha256: String,
    /// When ingestion started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// Who delivered it.
    #[serde(default)]
    pub who: String,
    /// The enterprise that delivered it, when an enterprise did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
}

impl IngestReport {
    /// Returns the report of a batch that starts now: nothing read or written yet, and
    /// `failed` until it ends otherwise.
    pub(crate) fn started(batch_id: String, table: &str, source: &str) -> IngestReport {
        let now = Utc::now();
        IngestReport {
            batch_id,
            table: table.to_string(),
            source: source.to_string(),
            status: IngestStatus::Failed,
            rows_read: 0,
            rows_written: 0,
            rows_rejected: 0,
            duplicate: false,
            errors: Vec::new(),
            error: None,
            content_sha256: String::new(),
            started_at: now,
            finished_at: now,
            who: String::new(),
            uscc: None,
        }
    }

    /// Returns the report of a delivery that failed before it became a batch (the file could
    /// not be fetched, its format could not be told, the lake refused it): no batch id,
    /// nothing read or written, and `error` saying why.
    pub fn failed(table: &str, source: &str, error: impl Into<String>) -> IngestReport {
        IngestReport {
            error: Some(error.into()),
            ..IngestReport::started(String::new(), table, source)
        }
    }
}

/// Counters a caller can watch while a batch is ingested (for progress bars).
#[derive(Debug, Default)]
pub struct IngestProgress {
    /// Bytes of the source read so far (hashing, then decoding).
    pub bytes: AtomicU64,
    /// Rows decoded so far.
    pub rows: AtomicU64,
}

/// What a caller says about one delivery.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    /// The target table.
    pub table: String,
    /// How to decode the source (format, encoding, sheet, …); the contract's headers are added.
    pub decode: DecodeOptions,
    /// A human-readable origin (file path, URL, `http`).
    pub source: String,
    /// Who delivered it.
    pub who: String,
    /// The enterprise (USCC) delivering it, when an enterprise delivers it: only its own rows
    /// are accepted, and the batch's log and quarantine rows are its own.
    pub owner: Option<String>,
}

/// Which reports [`Ingestor::reports`] lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFilter {
    /// Only batches meant for this table.
    pub table: Option<String>,
    /// Only batches this enterprise (USCC) delivered; batches delivered by other roles have
    /// none and are left out too.
    pub uscc: Option<String>,
    /// Only batches from this source (a file path, `http`, a live source's name).
    pub source: Option<String>,
    /// At most this many reports, the newest.
    pub limit: usize,
}

impl Default for ReportFilter {
    fn default() -> ReportFilter {
        ReportFilter {
            table: None,
            uscc: None,
            source: None,
            limit: 50,
        }
    }
}

/// Ingests sources into the lake.
#[derive(Debug, Clone)]
pub struct Ingestor {
    lake: Arc<Lake>,
    validation: ValidationOptions,
}

/// The result of decoding and validating one source.
pub(crate) struct Checked {
    pub(crate) valid: SpoolFile,
    pub(crate) quarantine: SpoolFile,
    pub(crate) rows_read: u64,
    pub(crate) errors: Vec<RowError>,
    /// sha256 of the rejected rows as the source wrote them.
    pub(crate) rejected_sha256: String,
}

impl Ingestor {
    /// Creates an ingestor over a lake. Contracts are read from the data directory at each
    /// ingest, so a contract the park adds applies to the next batch.
    pub fn new(lake: Arc<Lake>, validation: ValidationOptions) -> Ingestor {
        Ingestor { lake, validation }
    }

    /// Returns the contracts in force: the built-in ones and the park's.
    pub fn contracts(&self) -> Result<Contracts> {
        Contracts::load(self.lake.data_dir())
    }

    /// Returns the lake.
    pub fn lake(&self) -> &Arc<Lake> {
        &self.lake
    }

    /// Returns how rows are validated.
    pub fn validation(&self) -> &ValidationOptions {
        &self.validation
    }

    /// Ingests a local file. Problems with the file itself end in a report with status
    /// `failed`; `Err` means the lake could not be written (or the table is unknown).
    pub async fn ingest_file(
        &self,
        path: &Path,
        request: IngestRequest,
        progress: Arc<IngestProgress>,
    ) -> Result<IngestReport> {
        let contract = Arc::clone(self.contracts()?.get(&request.table)?);
        let mut report = IngestReport::started(
            uuid::Uuid::new_v4().to_string(),
            &request.table,
            &request.source,
        );
        report.who = request.who.clone();
        report.uscc = request.owner.clone();
        let hashed = {
            let path = path.to_path_buf();
            let progress = Arc::clone(&progress);
            run_blocking(move || sha256_file(&path, &progress)).await
        };
        match hashed {
            Ok(sha) => report.content_sha256 = sha,
            Err(error) => return self.finish_failed(report, error).await,
        }
        let identity = BatchIdentity {
            batch_id: report.batch_id.clone(),
            content_sha256: report.content_sha256.clone(),
            source: request.source.clone(),
        };
        let already_committed = self.lake.is_committed(&contract.name, &identity).await?;
        let quarantine_identity = self.quarantine_identity(&contract.name, &identity);
        if already_committed
            && self
                .lake
                .is_committed(QUARANTINE_TABLE, &quarantine_identity)
                .await?
        {
            report.status = IngestStatus::Duplicate;
            report.duplicate = true;
            return self.finish(report).await;
        }

        progress.bytes.store(0, Ordering::Relaxed);
        let checked = {
            let path = path.to_path_buf();
            let contract = Arc::clone(&contract);
            let validation = ValidationOptions {
                owner: request.owner.clone(),
                ..self.validation.clone()
            };
            let data_dir = self.lake.data_dir().to_path_buf();
            let batch_id = report.batch_id.clone();
            let source = request.source.clone();
            let owner = request.owner.clone();
            let decode = request.decode.clone();
            let progress = Arc::clone(&progress);
            run_blocking(move || {
                let origin = Origin {
                    batch_id,
                    source,
                    owner,
                };
                check_source(
                    &path, &contract, decode, validation, &data_dir, origin, &progress,
                )
            })
            .await
        };
        let checked = match checked {
            Ok(checked) => checked,
            Err(error) => return self.finish_failed(report, error).await,
        };
        report.rows_read = checked.rows_read;
        report.rows_rejected = checked.quarantine.rows();
        report.errors = checked.errors;

        if already_committed {
            // The rows were committed by an earlier run that stopped before its quarantine
            // commit: only the quarantine is missing.
            report.status = IngestStatus::Duplicate;
            report.duplicate = true;
        } else {
            let rows_to_write = checked.valid.rows();
            match self
                .lake
                .commit(&contract, Arc::new(checked.valid), &identity)
                .await?
            {
                CommitOutcome::Committed { .. } => {
                    report.status = IngestStatus::Committed;
                    report.rows_written = rows_to_write;
                }
                CommitOutcome::Duplicate => {
                    report.status = IngestStatus::Duplicate;
                    report.duplicate = true;
                }
            }
        }
        // The quarantine commit is made even when it is empty: it marks the batch as complete.
        let quarantine_contract = system_contract(QUARANTINE_TABLE)?;
        self.lake
            .commit(
                &quarantine_contract,
                Arc::new(checked.quarantine),
                &quarantine_identity,
            )
            .await?;
        self.finish(report).await
    }

    fn quarantine_identity(&self, table: &str, identity: &BatchIdentity) -> BatchIdentity {
        BatchIdentity {
            batch_id: identity.batch_id.clone(),
            content_sha256: hex::encode(Sha256::digest(format!(
                "quarantine:{table}:{}",
                identity.content_sha256
            ))),
            source: identity.source.clone(),
        }
    }

    async fn finish_failed(&self, mut report: IngestReport, error: Error) -> Result<IngestReport> {
        report.status = IngestStatus::Failed;
        report.error = Some(error.to_string());
        self.finish(report).await
    }

    /// Commits the rows a live source's batch checked: its quarantine rows first (so that a
    /// crash between the two commits loses no rejected row: the batch is read again), then the
    /// valid rows with `metadata` (the source's new cursor) in one commit. Fills the report's
    /// counts; the caller records the source's state and then the report.
    pub(crate) async fn commit_checked(
        &self,
        contract: &TableContract,
        checked: Checked,
        identity: &BatchIdentity,
        metadata: serde_json::Map<String, serde_json::Value>,
        report: &mut IngestReport,
    ) -> Result<()> {
        report.rows_read = checked.rows_read;
        report.rows_rejected = checked.quarantine.rows();
        report.errors = checked.errors;
        if checked.quarantine.rows() > 0 {
            let quarantine_identity = BatchIdentity {
                content_sha256: hex::encode(Sha256::digest(format!(
                    "quarantine:{}:{}:{}",
                    contract.name, identity.content_sha256, checked.rejected_sha256
                ))),
                ..identity.clone()
            };
            let quarantine_contract = system_contract(QUARANTINE_TABLE)?;
            self.lake
                .commit(
                    &quarantine_contract,
                    Arc::new(checked.quarantine),
                    &quarantine_identity,
                )
                .await?;
        }
        let rows_to_write = checked.valid.rows();
        match self
            .lake
            .commit_with_metadata(contract, Arc::new(checked.valid), identity, metadata)
            .await?
        {
            CommitOutcome::Committed { .. } => {
                report.status = IngestStatus::Committed;
                report.rows_written = rows_to_write;
            }
            CommitOutcome::Duplicate => {
                report.status = IngestStatus::Duplicate;
                report.duplicate = true;
            }
        }
        Ok(())
    }

    /// Writes the report to `_ingest_log` and returns it.
    pub(crate) async fn finish(&self, mut report: IngestReport) -> Result<IngestReport> {
        report.finished_at = Utc::now();
        let contract = system_contract(INGEST_LOG_TABLE)?;
        let batch = log_row(&contract, &report)?;
        let identity = BatchIdentity {
            batch_id: report.batch_id.clone(),
            content_sha256: hex::encode(Sha256::digest(format!("log:{}", report.batch_id))),
            source: report.source.clone(),
        };
        self.lake
            .commit(
                &contract,
                Arc::new(MemoryBatches::new(contract.data_schema(), vec![batch])),
                &identity,
            )
            .await?;
        Ok(report)
    }

    /// Returns the report of a batch from `_ingest_log`, read through the lake's own scan.
    pub async fn report(&self, batch_id: &str) -> Result<Option<IngestReport>> {
        use datafusion::arrow::array::AsArray as _;
        let Some(contents) = self.lake.read_table(INGEST_LOG_TABLE).await? else {
            return Ok(None);
        };
        for batch in &contents.batches {
            let Some(ids) = batch.column_by_name("batch_id") else {
                continue;
            };
            let ids = datafusion::arrow::compute::cast(
                ids,
                &datafusion::arrow::datatypes::DataType::Utf8,
            )?;
            if let Some(row) = ids
                .as_string::<i32>()
                .iter()
                .position(|id| id == Some(batch_id))
            {
                return Ok(Some(report_from_log_row(&batch.slice(row, 1))?));
            }
        }
        Ok(None)
    }

    /// Returns the reports of `_ingest_log` that `filter` selects, newest first (by when
    /// ingestion started, then by batch id), at most `filter.limit` of them; read through the
    /// lake's own scan, like [`Ingestor::report`].
    pub async fn reports(&self, filter: &ReportFilter) -> Result<Vec<IngestReport>> {
        use datafusion::arrow::array::{Array as _, AsArray as _};
        use datafusion::arrow::datatypes::DataType;
        let Some(contents) = self.lake.read_table(INGEST_LOG_TABLE).await? else {
            return Ok(Vec::new());
        };
        let wanted = |batch: &RecordBatch, column: &str, value: &Option<String>| {
            let Some(value) = value else {
                return Ok(None);
            };
            let Some(values) = batch.column_by_name(column) else {
                // A log written before the column existed: no row names a value in it.
                return Ok(Some(BooleanArray::from(vec![false; batch.num_rows()])));
            };
            let values = datafusion::arrow::compute::cast(values, &DataType::Utf8)?;
            let matches: BooleanArray = values
                .as_string::<i32>()
                .iter()
                .map(|cell| Some(cell == Some(value.as_str())))
                .collect();
            Ok::<_, Error>(Some(matches))
        };
        let mut reports = Vec::new();
        for batch in &contents.batches {
            let table_matches = wanted(batch, "table_name", &filter.table)?;
            let uscc_matches = wanted(batch, "uscc", &filter.uscc)?;
            let source_matches = wanted(batch, "source", &filter.source)?;
            for row in 0..batch.num_rows() {
                let selected = [&table_matches, &uscc_matches, &source_matches]
                    .into_iter()
                    .flatten()
                    .all(|matches| matches.is_valid(row) && matches.value(row));
                if selected {
                    reports.push(report_from_log_row(&batch.slice(row, 1))?);
                }
            }
        }
        reports.sort_by(|left, right| {
            right
                .started_at
                .cmp(&left.started_at)
                .then_with(|| right.batch_id.cmp(&left.batch_id))
        });
        reports.truncate(filter.limit);
        Ok(reports)
    }
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| Error::Background(error.to_string()))?
}

fn sha256_file(path: &Path, progress: &IngestProgress) -> Result<String> {
    let io_error = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(io_error)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        progress.bytes.fetch_add(read as u64, Ordering::Relaxed);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Where a batch's rows come from, as its quarantine rows record it.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) batch_id: String,
    pub(crate) source: String,
    pub(crate) owner: Option<String>,
}

fn check_source(
    path: &Path,
    contract: &Arc<TableContract>,
    mut decode: DecodeOptions,
    validation: ValidationOptions,
    data_dir: &Path,
    origin: Origin,
    progress: &IngestProgress,
) -> Result<Checked> {
    decode.known_headers = contract
        .columns
        .iter()
        .flat_map(|column| {
            std::iter::once(column.name.clone()).chain(column.aliases.iter().cloned())
        })
        .collect();
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = decoder_for_file(file, &decode)?;
    let mut checker = Checker::new(contract, &rows.schema(), validation, data_dir, origin)?;
    while let Some(batch) = rows.next() {
        checker.check(&batch?)?;
        progress.rows.store(checker.rows_read, Ordering::Relaxed);
        progress.bytes.store(rows.bytes_read(), Ordering::Relaxed);
    }
    checker.finish()
}

/// Validates decoded batches against a contract and spools the valid rows and the quarantine
/// rows of the rejected ones; [`Checker::finish`] hands both over for committing. Files and
/// live sources check their rows through it alike.
pub(crate) struct Checker {
    contract_name: String,
    validator: Validator,
    quarantine_schema: SchemaRef,
    valid: SpoolWriter,
    quarantine: SpoolWriter,
    origin: Origin,
    quarantined_at: i64,
    rows_read: u64,
    errors: Vec<RowError>,
    rejected_digest: Sha256,
}

impl Checker {
    /// Starts checking batches of `source_schema` (headers as the source wrote them).
    pub(crate) fn new(
        contract: &Arc<TableContract>,
        source_schema: &datafusion::arrow::datatypes::Schema,
        validation: ValidationOptions,
        data_dir: &Path,
        origin: Origin,
    ) -> Result<Checker> {
        let validator = Validator::new(Arc::clone(contract), source_schema, validation)?;
        let quarantine_schema = system_contract(QUARANTINE_TABLE)?.data_schema();
        Ok(Checker {
            contract_name: contract.name.clone(),
            valid: SpoolWriter::create(data_dir, validator.output_schema())?,
            quarantine: SpoolWriter::create(data_dir, Arc::clone(&quarantine_schema))?,
            validator,
            quarantine_schema,
            origin,
            quarantined_at: Utc::now().timestamp_micros(),
            rows_read: 0,
            errors: Vec::new(),
            rejected_digest: Sha256::new(),
        })
    }

    /// Checks one batch: valid rows to the table's spool, rejected ones to the quarantine's.
    pub(crate) fn check(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows_read += batch.num_rows() as u64;
        let checked = self.validator.validate(batch)?;
        self.valid.write(&checked.valid)?;
        if checked.rejected.is_empty() {
            return Ok(());
        }
        for rejected in &checked.rejected {
            self.rejected_digest
                .update(serde_json::Value::Object(rejected.record.clone()).to_string());
            for problem in &rejected.problems {
                if self.errors.len() < MAX_REPORTED_ERRORS {
                    self.errors.push(RowError {
                        row: rejected.source_row,
                        column: problem.column.clone(),
                        value: problem.value.clone(),
                        reason: format!("{} / {}", problem.reason_zh(), problem.reason_en()),
                    });
                }
            }
        }
        self.quarantine.write(&quarantine_rows(
            &self.quarantine_schema,
            &self.contract_name,
            &self.origin,
            self.quarantined_at,
            &checked.rejected,
        )?)
    }

    /// Ends checking: the spooled rows, ready to commit.
    pub(crate) fn finish(self) -> Result<Checked> {
        Ok(Checked {
            valid: self.valid.finish()?,
            quarantine: self.quarantine.finish()?,
            rows_read: self.rows_read,
            errors: self.errors,
            rejected_sha256: hex::encode(self.rejected_digest.finalize()),
        })
    }
}

fn quarantine_rows(
    schema: &SchemaRef,
    table: &str,
    origin: &Origin,
    quarantined_at: i64,
    rejected: &[RejectedRow],
) -> Result<RecordBatch> {
    let rows = rejected.len();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![table; rows])),
        Arc::new(StringArray::from(vec![origin.batch_id.as_str(); rows])),
        Arc::new(StringArray::from(vec![origin.source.as_str(); rows])),
        Arc::new(Int64Array::from(
            rejected
                .iter()
                .map(|row| row.source_row as i64)
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|row| serde_json::Value::Object(row.record.clone()).to_string())
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|row| {
                    row.problems
                        .iter()
                        .map(|problem| problem.message(row.source_row))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|row| serde_json::to_string(&row.problems).unwrap_or_default())
                .collect::<Vec<_>>(),
        )),
        Arc::new(
            TimestampMicrosecondArray::from(vec![quarantined_at; rows])
                .with_timezone(crate::contract::TIMESTAMP_ZONE),
        ),
        Arc::new(StringArray::from(vec![origin.owner.as_deref(); rows])),
    ];
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

fn log_row(contract: &TableContract, report: &IngestReport) -> Result<RecordBatch> {
    let timestamp = |instant: DateTime<Utc>| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from(vec![instant.timestamp_micros()])
                .with_timezone(crate::contract::TIMESTAMP_ZONE),
        )
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![report.batch_id.as_str()])),
        Arc::new(StringArray::from(vec![report.table.as_str()])),
        Arc::new(StringArray::from(vec![report.source.as_str()])),
        Arc::new(StringArray::from(vec![report.content_sha256.as_str()])),
        Arc::new(StringArray::from(vec![report.status.as_str()])),
        Arc::new(Int64Array::from(vec![report.rows_read as i64])),
        Arc::new(Int64Array::from(vec![report.rows_written as i64])),
        Arc::new(Int64Array::from(vec![report.rows_rejected as i64])),
        Arc::new(StringArray::from(vec![report.error.as_deref()])),
        Arc::new(StringArray::from(vec![
            serde_json::to_string(&report.errors).unwrap_or_default(),
        ])),
        Arc::new(StringArray::from(vec![report.who.as_str()])),
        timestamp(report.started_at),
        timestamp(report.finished_at),
        Arc::new(StringArray::from(vec![report.uscc.as_deref()])),
    ];
    let _ = BooleanArray::from(vec![report.duplicate]);
    Ok(RecordBatch::try_new(contract.data_schema(), columns)?)
}

fn report_from_log_row(batch: &RecordBatch) -> Result<IngestReport> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{DataType, Int64Type, TimestampMicrosecondType};
    let text = |name: &str| -> Option<String> {
        let column = batch.column_by_name(name)?;
        let column = datafusion::arrow::compute::cast(column, &DataType::Utf8).ok()?;
        let column = column.as_string::<i32>();
        (!column.is_null(0)).then(|| column.value(0).to_string())
    };
    let number = |name: &str| -> u64 {
        batch
            .column_by_name(name)
            .map(|column| column.as_primitive::<Int64Type>().value(0).max(0) as u64)
            .unwrap_or(0)
    };
    let instant = |name: &str| -> DateTime<Utc> {
        batch
            .column_by_name(name)
            .and_then(|column| {
                DateTime::from_timestamp_micros(
                    column.as_primitive::<TimestampMicrosecondType>().value(0),
                )
            })
            .unwrap_or_default()
    };
    let status = match text("status").as_deref() {
        Some("committed") => IngestStatus::Committed,
        Some("duplicate") => IngestStatus::Duplicate,
        _ => IngestStatus::Failed,
    };
    Ok(IngestReport {
        batch_id: text("batch_id").unwrap_or_default(),
        table: text("table_name").unwrap_or_default(),
        source: text("source").unwrap_or_default(),
        status,
        rows_read: number("rows_read"),
        rows_written: number("rows_written"),
        rows_rejected: number("rows_rejected"),
        duplicate: status == IngestStatus::Duplicate,
        errors: text("first_errors")
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default(),
        error: text("error"),
        content_sha256: text("content_sha256").unwrap_or_default(),
        started_at: instant("started_at"),
        finished_at: instant("finished_at"),
        who: text("who").unwrap_or_default(),
        uscc: text("uscc"),
    })
}

/// Returns the path of a fresh file for an upload under `<data-dir>/tmp/`.
pub fn upload_path(data_dir: &Path) -> PathBuf {
    data_dir
        .join(crate::spool::SPOOL_FOLDER)
        .join(format!("upload-{}", uuid::Uuid::new_v4()))
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};

    use super::*;
    use crate::decode::SourceFormat;

    async fn count(lake: &Lake, table: &str, filter: &str) -> i64 {
        let Some(delta_table) = lake.load_table(table).await.expect("load") else {
            return 0;
        };
        let context = datafusion::prelude::SessionContext::new();
        context
            .register_table("t", delta_table.table_provider().await.expect("provider"))
            .expect("register");
        let batches = context
            .sql(&format!("SELECT count(*) FROM t WHERE {filter}"))
            .await
            .expect("sql")
            .collect()
            .await
            .expect("collect");
        batches[0]
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>()
            .value(0)
    }

    fn request(table: &str, format: SourceFormat) -> IngestRequest {
        IngestRequest {
            table: table.into(),
            decode: DecodeOptions::new(format),
            source: "test.csv".into(),
            who: "test".into(),
            owner: None,
        }
    }

    #[tokio::test]
    async fn an_enterprise_delivers_only_its_own_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::default());
        let file = dir.path().join("mine.csv");
        std::fs::write(
            &file,
            "统一社会信用代码,企业名称,行业代码,重点行业\n\
             91110000600037341L,甲公司,C3411,machinery\n\
             9144030071526726XG,丁公司,C2614,petrochemicals\n",
        )
        .expect("write");
        let mut own = request("enterprises", SourceFormat::CSV);
        own.owner = Some("91110000600037341L".into());
        own.who = "acme".into();
        let report = ingestor
            .ingest_file(&file, own.clone(), Arc::default())
            .await
            .expect("ingest");
        assert_eq!((report.rows_written, report.rows_rejected), (1, 1));
        assert!(
            report.errors[0].reason.contains("不是本企业的数据")
                && report.errors[0].reason.contains("not your enterprise"),
            "{:?}",
            report.errors[0]
        );
        assert_eq!(
            count(&lake, QUARANTINE_TABLE, "uscc = '91110000600037341L'").await,
            1
        );
        let stored = ingestor
            .report(&report.batch_id)
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(stored.uscc.as_deref(), Some("91110000600037341L"));
        assert_eq!(stored.who, "acme");

        let catalog = dir.path().join("funds.csv");
        std::fs::write(
            &catalog,
            "disbursement_id,project_id,disbursed_on,amount,fund_source\nD1,P1,2024-01-01,5,local\n",
        )
        .expect("write");
        let mut not_owned = request("fund_disbursements", SourceFormat::CSV);
        not_owned.owner = own.owner.clone();
        let refused = ingestor
            .ingest_file(&catalog, not_owned, Arc::default())
            .await
            .expect("a report");
        assert_eq!(refused.status, IngestStatus::Failed);
        assert!(
            refused
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("no enterprise"),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn good_rows_land_bad_rows_are_quarantined_and_repeats_are_duplicates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::default());
        let file = dir.path().join("enterprises.csv");
        std::fs::write(
            &file,
            "统一社会信用代码,企业名称,行业代码,重点行业,用地面积（亩）\n\
             91110000600037341L,甲公司,C3411,machinery,12\n\
             91110000600037341N,乙公司,C3411,machinery,8\n\
             91440300568520498A,丙公司,C3130,iron_steel,平方米\n\
             9144030071526726XG,丁公司,C2614,petrochemicals,30\n",
        )
        .expect("write");
        let progress = Arc::new(IngestProgress::default());
        let report = ingestor
            .ingest_file(
                &file,
                request("enterprises", SourceFormat::CSV),
                Arc::clone(&progress),
            )
            .await
            .expect("ingest");
        assert_eq!(report.status, IngestStatus::Committed);
        assert_eq!(
            (report.rows_read, report.rows_written, report.rows_rejected),
            (4, 2, 2)
        );
        assert_eq!(report.errors.len(), 2);
        assert_eq!(report.errors[0].row, 3);
        assert_eq!(report.errors[0].column.as_deref(), Some("uscc"));
        assert!(
            report.errors[0].reason.contains("校验位错误"),
            "{:?}",
            report.errors[0]
        );
        assert_eq!(progress.rows.load(Ordering::Relaxed), 4);
        assert_eq!(count(&lake, "enterprises", "true").await, 2);
        assert_eq!(
            count(&lake, QUARANTINE_TABLE, "table_name = 'enterprises'").await,
            2
        );
        assert_eq!(
            count(&lake, INGEST_LOG_TABLE, "status = 'committed'").await,
            1
        );

        let again = ingestor
            .ingest_file(
                &file,
                request("enterprises", SourceFormat::CSV),
                Arc::clone(&progress),
            )
            .await
            .expect("ingest");
        assert_eq!(again.status, IngestStatus::Duplicate);
        assert!(again.duplicate);
        assert_eq!(count(&lake, "enterprises", "true").await, 2);
        assert_eq!(count(&lake, QUARANTINE_TABLE, "true").await, 2);
        assert_eq!(
            count(&lake, INGEST_LOG_TABLE, "true").await,
            2,
            "every batch gets a log row"
        );

        let stored = ingestor
            .report(&report.batch_id)
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(
            (stored.rows_written, stored.rows_rejected, stored.status),
            (2, 2, IngestStatus::Committed)
        );
        assert_eq!(stored.errors, report.errors);
        assert!(
            ingestor
                .report("no-such-batch")
                .await
                .expect("lookup")
                .is_none()
        );
    }

    #[tokio::test]
    async fn reports_are_listed_newest_first_by_table_and_by_delivering_enterprise() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::default());
        assert!(
            ingestor
                .reports(&ReportFilter::default())
                .await
                .expect("an empty lake")
                .is_empty()
        );
        let acme = "91110000600037341L";
        let other = "9144030071526726XG";
        let enterprises = |code: &str, name: &str| {
            format!("统一社会信用代码,企业名称,行业代码,重点行业\n{code},{name},C3411,machinery\n")
        };
        let production = |code: &str| format!("uscc,period,output_value\n{code},2026-09-01,12.5\n");
        let deliveries = [
            ("enterprises", enterprises(acme, "甲公司"), Some(acme)),
            ("enterprises", enterprises(other, "丁公司"), Some(other)),
            ("production_monthly", production(acme), Some(acme)),
            ("production_monthly", production(other), None),
        ];
        let mut batch_ids = Vec::new();
        for (position, (table, text, owner)) in deliveries.iter().enumerate() {
            let file = dir.path().join(format!("delivery-{position}.csv"));
            std::fs::write(&file, text).expect("write");
            let mut delivery = request(table, SourceFormat::CSV);
            delivery.owner = owner.map(str::to_string);
            let report = ingestor
                .ingest_file(&file, delivery, Arc::default())
                .await
                .expect("ingest");
            assert_eq!(report.status, IngestStatus::Committed, "{report:?}");
            batch_ids.push(report.batch_id);
        }
        let listed = |filter: ReportFilter| {
            let ingestor = ingestor.clone();
            async move {
                ingestor
                    .reports(&filter)
                    .await
                    .expect("reports")
                    .into_iter()
                    .map(|report| report.batch_id)
                    .collect::<Vec<_>>()
            }
        };
        let newest_first: Vec<String> = batch_ids.iter().rev().cloned().collect();
        assert_eq!(listed(ReportFilter::default()).await, newest_first);
        assert_eq!(
            listed(ReportFilter {
                source: None,
                limit: 2,
                ..ReportFilter::default()
            })
            .await,
            newest_first[..2]
        );
        assert_eq!(
            listed(ReportFilter {
                source: None,
                table: Some("enterprises".into()),
                ..ReportFilter::default()
            })
            .await,
            vec![batch_ids[1].clone(), batch_ids[0].clone()]
        );
        assert_eq!(
            listed(ReportFilter {
                source: None,
                uscc: Some(acme.into()),
                ..ReportFilter::default()
            })
            .await,
            vec![batch_ids[2].clone(), batch_ids[0].clone()]
        );
        assert_eq!(
            listed(ReportFilter {
                source: None,
                table: Some("production_monthly".into()),
                uscc: Some(other.into()),
                ..ReportFilter::default()
            })
            .await,
            Vec::<String>::new(),
            "the admin's delivery of the other enterprise's rows is not the enterprise's"
        );
        let reports = ingestor
            .reports(&ReportFilter {
                source: None,
                uscc: Some(acme.into()),
                limit: 1,
                ..ReportFilter::default()
            })
            .await
            .expect("reports");
        let stored = ingestor
            .report(&batch_ids[2])
            .await
            .expect("lookup")
            .expect("found");
        assert_eq!(reports, vec![stored]);
        assert_eq!(
            (
                reports[0].table.as_str(),
                reports[0].rows_written,
                reports[0].uscc.as_deref()
            ),
            ("production_monthly", 1, Some(acme))
        );
    }

    #[test]
    fn a_delivery_that_never_became_a_batch_has_a_failed_report() {
        let report = IngestReport::failed("enterprises", "s3://park/a.xls", "unknown file type");
        assert_eq!(report.status, IngestStatus::Failed);
        assert_eq!(report.error.as_deref(), Some("unknown file type"));
        assert_eq!(
            (
                report.batch_id.as_str(),
                report.table.as_str(),
                report.source.as_str()
            ),
            ("", "enterprises", "s3://park/a.xls")
        );
        assert_eq!(
            (report.rows_read, report.rows_written, report.rows_rejected),
            (0, 0, 0)
        );
        assert!(!report.duplicate && report.errors.is_empty() && report.content_sha256.is_empty());
        assert_eq!(report.started_at, report.finished_at);
    }

    #[tokio::test]
    async fn an_unreadable_source_fails_and_changes_no_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let ingestor = Ingestor::new(Arc::clone(&lake), ValidationOptions::default());
        let file = dir.path().join("junk.csv");
        std::fs::write(&file, "a,b,c\n1,2,3\n").expect("write");
        let report = ingestor
            .ingest_file(
                &file,
                request("enterprises", SourceFormat::CSV),
                Arc::new(IngestProgress::default()),
            )
            .await
            .expect("ingest");
        assert_eq!(report.status, IngestStatus::Failed);
        assert!(
            report
                .error
                .as_deref()
                .is_some_and(|e| e.contains("names any of the expected columns")),
            "{report:?}"
        );
        assert!(
            lake.load_table("enterprises")
                .await
                .expect("load")
                .is_none()
        );
        assert_eq!(count(&lake, INGEST_LOG_TABLE, "status = 'failed'").await, 1);

        let missing = ingestor
            .ingest_file(
                &dir.path().join("absent.csv"),
                request("enterprises", SourceFormat::CSV),
                Arc::new(IngestProgress::default()),
            )
            .await
            .expect("ingest");
        assert_eq!(missing.status, IngestStatus::Failed);
        assert!(
            missing
                .error
                .as_deref()
                .is_some_and(|e| e.contains("absent.csv")),
            "{missing:?}"
        );
        let _ = Array::len(&StringArray::from(vec!["x"]));
    }
}
