//! Live edits of the catalog, and keeping its search index in step with the lake.
//!
//! An edit (`POST /api/catalog/{kind}`, `PUT`/`DELETE /api/catalog/{kind}/{id}`) is checked
//! against the contract of the entry's lake table, written to that table as one Delta commit
//! (the lake stays the catalog's source of truth), then applied to the search index, whose
//! commit records the table version it reflects ([`parkhub_catalog::Catalog::upsert`]). The
//! edits of a process take turns ([`Services::catalog_edits`]), and the index is committed
//! before the edit is answered, so an acknowledged edit is searchable at once.
//!
//! When the index is not exactly one version behind the edit's (another process wrote the
//! table meanwhile), the table is re-indexed from the lake instead. A crash between the lake
//! commit and the index commit leaves the index behind the lake;
//! [`Services::ensure_catalog_index`], run at every start, compares the versions the index
//! records with the lake's and re-indexes the tables that moved. An index that records no
//! versions (built by an older ParkHub, or deleted) is rebuilt whole.
//!
//! ```ignore
//! let services = Services::open(&data_dir, QueryLimits::default())?;
//! services.ensure_catalog_index().await?;
//! let entry = serde_json::json!({"offering_id": "OF-900", "provider_id": "SP-01",
//!     "name": "注塑机预测性维护", "category": "platform"});
//! let created = services
//!     .create_catalog_entry(EntryKind::Offering, entry.as_object().cloned().unwrap_or_default())
//!     .await?;
//! assert!(created.indexed);
//! ```

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{SessionContext, col, lit};
use parkhub_catalog::{CatalogEntry, EntryKind, IndexUpdate, LakeVersions, entries_from_batches};
use parkhub_connectors::lake::MemoryBatches;
use parkhub_connectors::validate::{ValidationOptions, Validator};
use parkhub_connectors::{BatchIdentity, ColumnContract, ColumnType, CommitOutcome, TableContract};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::services::{ServiceError, Services};

/// The text columns of the catalog tables that hold `;`-separated lists; an edit may give
/// them as JSON arrays of strings.
pub const LIST_COLUMNS: [&str; 4] = ["scenarios", "key_industries", "divisions", "qualifications"];

/// What can go wrong with a catalog edit.
#[derive(Debug, thiserror::Error)]
pub enum CatalogEditError {
    /// The entry does not fit its table's contract; the message names every field at fault.
    #[error("invalid {kind}: {reasons}")]
    InvalidEntry {
        /// The kind of entry.
        kind: EntryKind,
        /// What is wrong, field by field, separated by `; `.
        reasons: String,
    },
    /// No entry of that kind has that id.
    #[error("no {kind} with id '{id}' in the catalog")]
    NotFound {
        /// The kind of entry.
        kind: EntryKind,
        /// The id asked for.
        id: String,
    },
    /// A new entry whose id is taken.
    #[error(
        "the catalog already has the {kind} '{id}'; change it with PUT /api/catalog/{kind}/{id}"
    )]
    AlreadyExists {
        /// The kind of entry.
        kind: EntryKind,
        /// The id.
        id: String,
    },
    /// The lake, the index or a query.
    #[error(transparent)]
    Service(Box<ServiceError>),
}

impl From<ServiceError> for CatalogEditError {
    fn from(error: ServiceError) -> CatalogEditError {
        CatalogEditError::Service(Box::new(error))
    }
}

impl From<parkhub_connectors::Error> for CatalogEditError {
    fn from(error: parkhub_connectors::Error) -> CatalogEditError {
        CatalogEditError::from(ServiceError::from(error))
    }
}

impl From<parkhub_catalog::Error> for CatalogEditError {
    fn from(error: parkhub_catalog::Error) -> CatalogEditError {
        CatalogEditError::from(ServiceError::from(error))
    }
}

impl From<datafusion::error::DataFusionError> for CatalogEditError {
    fn from(error: datafusion::error::DataFusionError) -> CatalogEditError {
        CatalogEditError::from(ServiceError::from(error))
    }
}

/// A catalog entry as the lake holds it, after an edit or as read.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "kind": "offering",
    "id": "OF-900",
    "lake_version": 7,
    "indexed": true,
    "entry": {"offering_id": "OF-900", "provider_id": "SP-01", "name": "注塑机预测性维护",
              "category": "platform", "scenarios": "predictive_maintenance", "price_min": 20.0}
}))]
pub struct CatalogRecord {
    /// `application`, `offering` or `provider`.
    #[schema(value_type = String)]
    pub kind: EntryKind,
    /// The entry's id (its key in its lake table).
    pub id: String,
    /// The version of the entry's lake table the edit made (or the read saw).
    pub lake_version: u64,
    /// Whether the search index reflects the edit, or for a read that version of the table
    /// (false when the index could not be written: the edit is in the lake, and the next
    /// start or edit of the table indexes it).
    pub indexed: bool,
    /// The entry's fields as the lake holds them (the table contract's columns; lists as
    /// `;`-separated text, dates as `YYYY-MM-DD`); empty fields are left out.
    #[schema(value_type = Object)]
    pub entry: Map<String, Value>,
}

/// What [`Services::catch_up_catalog`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogCatchUp {
    /// The index reflected the lake already.
    UpToDate,
    /// The index recorded no lake versions and was rebuilt whole with this many entries.
    Rebuilt {
        /// Entries indexed.
        entries: usize,
    },
    /// These tables had moved since the index's last commit and were re-indexed.
    Reindexed {
        /// The tables re-indexed.
        tables: Vec<&'static str>,
    },
}

/// One catalog table read at one version.
struct TableSnapshot {
    /// The version read; none when the lake has no such table.
    version: Option<u64>,
    /// Its rows (all of them, or those of one id).
    batches: Vec<RecordBatch>,
}

impl TableSnapshot {
    fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// A change to apply to the index after its lake commit.
enum IndexChange {
    Upsert(Box<CatalogEntry>),
    Delete(String),
}

impl Services {
    /// Returns the current versions of the catalog lake tables that exist.
    pub async fn catalog_lake_versions(&self) -> Result<LakeVersions, ServiceError> {
        let mut versions = LakeVersions::new();
        for kind in EntryKind::ALL {
            if let Some(version) = self.lake.table_version(kind.table()).await? {
                versions.insert(kind.table().to_string(), version);
            }
        }
        Ok(versions)
    }

    /// Rebuilds the catalog index from the three catalog lake tables, recording the versions
    /// read; returns the number of entries indexed. Fails with
    /// [`parkhub_catalog::Error::IndexLocked`] while another process writes the index.
    pub async fn reindex_catalog(&self) -> Result<usize, ServiceError> {
        let _turn = self.catalog_edits.lock().await;
        self.rebuild_catalog_index().await
    }

    /// Brings the catalog index up to the lake: nothing when the versions it records are the
    /// lake's, a re-index of the tables that moved otherwise, a whole rebuild when it records
    /// none while the lake has catalog tables (a fresh data directory after `ingest`, a
    /// deleted index, an index of an older ParkHub).
    pub async fn catch_up_catalog(&self) -> Result<CatalogCatchUp, ServiceError> {
        let _turn = self.catalog_edits.lock().await;
        let lake_versions = self.catalog_lake_versions().await?;
        let Some(indexed) = self.catalog.indexed_versions()? else {
            if lake_versions.is_empty() && self.catalog.is_empty()? {
                return Ok(CatalogCatchUp::UpToDate);
            }
            let entries = self.rebuild_catalog_index().await?;
            return Ok(CatalogCatchUp::Rebuilt { entries });
        };
        let mut tables = Vec::new();
        for kind in EntryKind::ALL {
            let table = kind.table();
            if lake_versions.get(table) != indexed.get(table) {
                tracing::info!(
                    table,
                    indexed = ?indexed.get(table),
                    lake = ?lake_versions.get(table),
                    "the catalog index is behind the lake; re-indexing the table"
                );
                self.reindex_catalog_kind(kind).await?;
                tables.push(table);
            }
        }
        Ok(if tables.is_empty() {
            CatalogCatchUp::UpToDate
        } else {
            CatalogCatchUp::Reindexed { tables }
        })
    }

    /// Catches the catalog index up with the lake ([`Services::catch_up_catalog`]), as every
    /// start does. When another process holds the index's writer (a running server, while
    /// this is a command-line search), the index is searched as it is.
    pub async fn ensure_catalog_index(&self) -> Result<(), ServiceError> {
        match self.catch_up_catalog().await {
            Ok(CatalogCatchUp::UpToDate) => Ok(()),
            Ok(CatalogCatchUp::Rebuilt { entries }) => {
                tracing::info!(entries, "built the catalog index from the lake");
                Ok(())
            }
            Ok(CatalogCatchUp::Reindexed { tables }) => {
                tracing::info!(?tables, "caught the catalog index up with the lake");
                Ok(())
            }
            Err(ServiceError::Catalog(parkhub_catalog::Error::IndexLocked { path })) => {
                tracing::warn!(
                    path = %path.display(),
                    "another process writes the catalog index; searching it as it is"
                );
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Brings the index up to the lake after an ingest wrote `rows_written` rows into
    /// `table`, when that is a catalog table, so that ingested entries are searchable at
    /// once. A failure is logged, not returned: the ingest itself succeeded, and the next
    /// start catches up.
    pub async fn index_ingested_rows(&self, table: &str, rows_written: u64) {
        if rows_written == 0 || !EntryKind::ALL.iter().any(|kind| kind.table() == table) {
            return;
        }
        if let Err(error) = self.catch_up_catalog().await {
            tracing::warn!(
                table,
                %error,
                "ingested catalog rows are not indexed yet; the next start indexes them"
            );
        }
    }

    /// Returns the catalog entry of `kind` with `id` as the lake holds it, or
    /// [`CatalogEditError::NotFound`].
    pub async fn catalog_entry(
        &self,
        kind: EntryKind,
        id: &str,
    ) -> Result<CatalogRecord, CatalogEditError> {
        let contract = self.catalog_contract(kind)?;
        let snapshot = self.read_catalog_table(kind, Some(id)).await?;
        let (Some(version), Some(batch)) = (
            snapshot.version,
            snapshot.batches.iter().find(|batch| batch.num_rows() > 0),
        ) else {
            return Err(not_found(kind, id));
        };
        let indexed = self
            .catalog
            .indexed_versions()?
            .and_then(|versions| versions.get(kind.table()).copied())
            .is_some_and(|indexed| indexed >= version);
        Ok(CatalogRecord {
            kind,
            id: id.to_string(),
            lake_version: version,
            indexed,
            entry: entry_json(&contract, batch, 0),
        })
    }

    /// Adds a new entry of `kind`: checks it against the table's contract (and, for
    /// offerings and applications, that its provider exists), refuses an id that exists,
    /// commits it to the lake and then to the index.
    pub async fn create_catalog_entry(
        &self,
        kind: EntryKind,
        entry: Map<String, Value>,
    ) -> Result<CatalogRecord, CatalogEditError> {
        let _turn = self.catalog_edits.lock().await;
        let contract = self.catalog_contract(kind)?;
        let batch = validate_entry(kind, &contract, &self.validation_options()?, &entry)?;
        let id = text_at(&batch, kind.id_column()).ok_or_else(|| invalid(kind, "no id"))?;
        if self.read_catalog_table(kind, Some(&id)).await?.rows() > 0 {
            return Err(CatalogEditError::AlreadyExists { kind, id });
        }
        self.check_provider(kind, &batch).await?;
        self.write_entry(kind, &contract, batch, id).await
    }

    /// Replaces the entry of `kind` with `id` by `entry` (every field: those left out become
    /// empty). The body may leave out the id; when it gives one, it must be `id`.
    pub async fn replace_catalog_entry(
        &self,
        kind: EntryKind,
        id: &str,
        mut entry: Map<String, Value>,
    ) -> Result<CatalogRecord, CatalogEditError> {
        let _turn = self.catalog_edits.lock().await;
        let contract = self.catalog_contract(kind)?;
        let key = kind.id_column();
        match entry.get(key) {
            None | Some(Value::Null) => {
                entry.insert(key.to_string(), Value::String(id.to_string()));
            }
            Some(Value::String(given)) if given.trim() == id => {}
            Some(other) => {
                return Err(invalid(
                    kind,
                    format!(
                        "{key}: the body says {other} but the path says '{id}'; an entry's id \
                         cannot change (delete it and create another)"
                    ),
                ));
            }
        }
        let batch = validate_entry(kind, &contract, &self.validation_options()?, &entry)?;
        if self.read_catalog_table(kind, Some(id)).await?.rows() == 0 {
            return Err(not_found(kind, id));
        }
        self.check_provider(kind, &batch).await?;
        self.write_entry(kind, &contract, batch, id.to_string())
            .await
    }

    /// Deletes the entry of `kind` with `id` from the lake and then from the index; returns
    /// it as it was.
    pub async fn delete_catalog_entry(
        &self,
        kind: EntryKind,
        id: &str,
    ) -> Result<CatalogRecord, CatalogEditError> {
        let _turn = self.catalog_edits.lock().await;
        let contract = self.catalog_contract(kind)?;
        let snapshot = self.read_catalog_table(kind, Some(id)).await?;
        let Some(batch) = snapshot.batches.iter().find(|batch| batch.num_rows() > 0) else {
            return Err(not_found(kind, id));
        };
        let entry = entry_json(&contract, batch, 0);
        let deleted = self.lake.delete_by_key(&contract, &[id]).await?;
        if deleted == 0 {
            // Another process deleted it between the read and the delete.
            return Err(not_found(kind, id));
        }
        // Read after the commit: when another writer committed after this delete, the
        // version is past it, and the index re-reads the table instead of applying the delete.
        let lake_version = self
            .lake
            .table_version(kind.table())
            .await?
            .unwrap_or_default();
        let indexed = self
            .apply_to_index(kind, lake_version, IndexChange::Delete(id.to_string()))
            .await;
        Ok(CatalogRecord {
            kind,
            id: id.to_string(),
            lake_version,
            indexed,
            entry,
        })
    }

    /// Commits one validated entry to its lake table, then to the index.
    async fn write_entry(
        &self,
        kind: EntryKind,
        contract: &Arc<TableContract>,
        batch: RecordBatch,
        id: String,
    ) -> Result<CatalogRecord, CatalogEditError> {
        let entry = entry_json(contract, &batch, 0);
        let catalog_entry = entries_from_batches(kind, std::slice::from_ref(&batch))?
            .into_iter()
            .next()
            .ok_or_else(|| invalid(kind, "name is required but empty"))?;
        // Every edit is a batch of its own, also when it repeats an earlier one (an entry
        // deleted and created again): its content hash includes a fresh id.
        let mut digest = Sha256::new();
        digest.update(uuid::Uuid::new_v4().as_bytes());
        digest.update(Value::Object(entry.clone()).to_string().as_bytes());
        let identity = BatchIdentity::new(
            format!("api:catalog/{kind}/{id}"),
            hex::encode(digest.finalize()),
        );
        let source = Arc::new(MemoryBatches::new(contract.data_schema(), vec![batch]));
        let lake_version = match self.lake.commit(contract, source, &identity).await? {
            CommitOutcome::Committed { version, .. } => version,
            CommitOutcome::Duplicate => self
                .lake
                .table_version(kind.table())
                .await?
                .unwrap_or_default(),
        };
        let indexed = self
            .apply_to_index(
                kind,
                lake_version,
                IndexChange::Upsert(Box::new(catalog_entry)),
            )
            .await;
        Ok(CatalogRecord {
            kind,
            id,
            lake_version,
            indexed,
            entry,
        })
    }

    /// Applies a change committed to the lake as `lake_version` of its table to the index,
    /// or re-indexes the table when the index is not just one version behind; returns
    /// whether the index reflects the change. A failure is logged, not returned: the edit
    /// is in the lake, and the next start indexes it.
    async fn apply_to_index(
        &self,
        kind: EntryKind,
        lake_version: u64,
        change: IndexChange,
    ) -> bool {
        let catalog = Arc::clone(&self.catalog);
        let applied = tokio::task::spawn_blocking(move || match change {
            IndexChange::Upsert(entry) => catalog.upsert(&entry, lake_version),
            IndexChange::Delete(id) => catalog.delete(kind, &id, lake_version),
        })
        .await;
        let outcome = match applied {
            Ok(Ok(IndexUpdate::Applied | IndexUpdate::AlreadyIndexed)) => Ok(()),
            Ok(Ok(IndexUpdate::Behind { indexed })) => {
                tracing::info!(
                    table = kind.table(),
                    ?indexed,
                    lake_version,
                    "the catalog index missed commits of the table; re-indexing it"
                );
                self.reindex_catalog_kind(kind).await.map(|_| ())
            }
            Ok(Err(error)) => Err(ServiceError::Catalog(error)),
            Err(error) => Err(ServiceError::Background(error.to_string())),
        };
        match outcome {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(
                    %error,
                    table = kind.table(),
                    lake_version,
                    "catalog edit committed to the lake but not indexed; the next start indexes it"
                );
                false
            }
        }
    }

    /// Rebuilds the whole index from the lake. The caller holds `catalog_edits`.
    async fn rebuild_catalog_index(&self) -> Result<usize, ServiceError> {
        let mut entries: Vec<CatalogEntry> = Vec::new();
        let mut versions = LakeVersions::new();
        for kind in EntryKind::ALL {
            let snapshot = self.read_catalog_table(kind, None).await?;
            if let Some(version) = snapshot.version {
                versions.insert(kind.table().to_string(), version);
            }
            entries.extend(entries_from_batches(kind, &snapshot.batches)?);
        }
        // Indexing is CPU work (jieba, tantivy's commit): keep it off the async threads.
        let catalog = Arc::clone(&self.catalog);
        let indexed = tokio::task::spawn_blocking(move || catalog.rebuild_at(&entries, &versions))
            .await
            .map_err(|error| ServiceError::Background(error.to_string()))??;
        Ok(indexed)
    }

    /// Re-indexes the entries of one kind from its lake table. The caller holds
    /// `catalog_edits`.
    async fn reindex_catalog_kind(&self, kind: EntryKind) -> Result<usize, ServiceError> {
        let snapshot = self.read_catalog_table(kind, None).await?;
        let entries = entries_from_batches(kind, &snapshot.batches)?;
        let catalog = Arc::clone(&self.catalog);
        let version = snapshot.version;
        let indexed =
            tokio::task::spawn_blocking(move || catalog.replace_kind(kind, &entries, version))
                .await
                .map_err(|error| ServiceError::Background(error.to_string()))??;
        Ok(indexed)
    }

    /// Reads the lake table of `kind` at its latest version (only the rows of `id` when
    /// given), and says which version that was.
    async fn read_catalog_table(
        &self,
        kind: EntryKind,
        id: Option<&str>,
    ) -> Result<TableSnapshot, ServiceError> {
        let Some(table) = self.lake.load_table(kind.table()).await? else {
            return Ok(TableSnapshot {
                version: None,
                batches: Vec::new(),
            });
        };
        let version = table.version();
        let context = SessionContext::new();
        table
            .update_datafusion_session(&context.state())
            .map_err(parkhub_connectors::Error::from)?;
        let provider = table.table_provider().await?;
        let mut frame = context.read_table(provider)?;
        if let Some(id) = id {
            frame = frame.filter(col(kind.id_column()).eq(lit(id)))?;
        }
        Ok(TableSnapshot {
            version,
            batches: frame.collect().await?,
        })
    }

    /// Refuses an offering or application whose provider is not in `service_providers`.
    async fn check_provider(
        &self,
        kind: EntryKind,
        batch: &RecordBatch,
    ) -> Result<(), CatalogEditError> {
        if kind == EntryKind::Provider {
            return Ok(());
        }
        let Some(provider_id) = text_at(batch, "provider_id") else {
            return Ok(());
        };
        if self
            .read_catalog_table(EntryKind::Provider, Some(&provider_id))
            .await?
            .rows()
            == 0
        {
            return Err(invalid(
                kind,
                format!(
                    "provider_id: no provider '{provider_id}' in the catalog; create it first \
                     with POST /api/catalog/provider"
                ),
            ));
        }
        Ok(())
    }

    /// Returns the contract of the lake table of `kind`, as the data directory has it now.
    fn catalog_contract(&self, kind: EntryKind) -> Result<Arc<TableContract>, ServiceError> {
        let contracts = self.ingestor.contracts()?;
        Ok(Arc::clone(contracts.get(kind.table())?))
    }

    fn validation_options(&self) -> Result<ValidationOptions, ServiceError> {
        Ok(ValidationOptions::load(self.lake.data_dir())?)
    }
}

fn not_found(kind: EntryKind, id: &str) -> CatalogEditError {
    CatalogEditError::NotFound {
        kind,
        id: id.to_string(),
    }
}

fn invalid(kind: EntryKind, reasons: impl Into<String>) -> CatalogEditError {
    CatalogEditError::InvalidEntry {
        kind,
        reasons: reasons.into(),
    }
}

/// Checks a JSON entry against its table's contract and returns it as a one-row batch of
/// the table's data schema.
///
/// Every field must be a column of the contract; text columns take strings (list columns
/// also arrays of strings), number columns numbers (or text that reads as one, as in a CSV
/// file), date columns `YYYY-MM-DD`. The contract's checks then apply as at ingest:
/// required values, allowed values, ranges, USCC check characters. Every problem is
/// reported at once, each naming its field.
pub fn validate_entry(
    kind: EntryKind,
    contract: &Arc<TableContract>,
    options: &ValidationOptions,
    entry: &Map<String, Value>,
) -> Result<RecordBatch, CatalogEditError> {
    let mut problems: Vec<String> = entry
        .keys()
        .filter(|field| contract.column(field).is_none())
        .map(|field| format!("{field}: not a field of {}", contract.name))
        .collect();
    if !problems.is_empty() {
        let names: Vec<&str> = contract
            .columns
            .iter()
            .map(|column| column.name.as_str())
            .collect();
        problems.push(format!("the fields are: {}", names.join(", ")));
        return Err(invalid(kind, problems.join("; ")));
    }
    let mut fields = Vec::with_capacity(contract.columns.len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(contract.columns.len());
    for column in &contract.columns {
        let text = match entry.get(&column.name) {
            None => None,
            Some(value) => cell_text(column, value).unwrap_or_else(|problem| {
                problems.push(problem);
                None
            }),
        };
        fields.push(Field::new(&column.name, DataType::Utf8, true));
        columns.push(Arc::new(StringArray::from(vec![text])));
    }
    if !problems.is_empty() {
        return Err(invalid(kind, problems.join("; ")));
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns)
        .map_err(parkhub_connectors::Error::from)?;
    let mut validator = Validator::new(Arc::clone(contract), &schema, options.clone())?;
    let validated = validator.validate(&batch)?;
    if let Some(rejected) = validated.rejected.first() {
        let reasons: Vec<String> = rejected
            .problems
            .iter()
            .map(|problem| problem.reason_en())
            .collect();
        return Err(invalid(kind, reasons.join("; ")));
    }
    Ok(validated.valid)
}

/// Returns a JSON value as the text the validator reads, or what is wrong with its type.
fn cell_text(column: &ColumnContract, value: &Value) -> Result<Option<String>, String> {
    let name = &column.name;
    let expected = match column.column_type {
        ColumnType::String if LIST_COLUMNS.contains(&name.as_str()) => "text or a list of texts",
        ColumnType::String => "text",
        ColumnType::Int32 | ColumnType::Int64 => "an integer",
        ColumnType::Float64 => "a number",
        ColumnType::Boolean => "true or false",
        ColumnType::Date => "a date (YYYY-MM-DD)",
        ColumnType::Timestamp => "a time (RFC 3339)",
    };
    let numeric = matches!(
        column.column_type,
        ColumnType::Int32 | ColumnType::Int64 | ColumnType::Float64
    );
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        Value::Number(number) if numeric => Ok(Some(number.to_string())),
        Value::Bool(flag) if column.column_type == ColumnType::Boolean => {
            Ok(Some(flag.to_string()))
        }
        Value::Array(items) if LIST_COLUMNS.contains(&name.as_str()) => {
            let mut texts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(text) if text.contains([';', '；']) => {
                        return Err(format!(
                            "{name}: the item '{text}' holds a ';', which separates items"
                        ));
                    }
                    Value::String(text) if !text.trim().is_empty() => {
                        texts.push(text.trim().to_string());
                    }
                    Value::String(_) => {}
                    other => {
                        return Err(format!(
                            "{name}: expected a list of texts, found the item {other}"
                        ));
                    }
                }
            }
            Ok((!texts.is_empty()).then(|| texts.join(";")))
        }
        other => Err(format!(
            "{name}: expected {expected}, found {}",
            json_type(other)
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Returns the trimmed text of column `name` in the first row of `batch`, if any.
fn text_at(batch: &RecordBatch, name: &str) -> Option<String> {
    let column = batch.column_by_name(name)?;
    let text = cast(column, &DataType::Utf8).ok()?;
    let text = text.as_string::<i32>();
    if batch.num_rows() == 0 || text.is_null(0) {
        return None;
    }
    let value = text.value(0).trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Returns row `row` of `batch` as a JSON object of the contract's columns, empty ones left
/// out.
fn entry_json(contract: &TableContract, batch: &RecordBatch, row: usize) -> Map<String, Value> {
    let mut entry = Map::new();
    for column in &contract.columns {
        let Some(array) = batch.column_by_name(&column.name) else {
            continue;
        };
        let value = parkhub_queries::format::json_cell(array, row);
        if !value.is_null() {
            entry.insert(column.name.clone(), value);
        }
    }
    entry
}

#[cfg(test)]
mod tests {
    use parkhub_connectors::Contracts;
    use serde_json::json;

    use super::*;

    fn check(kind: EntryKind, entry: Value) -> Result<RecordBatch, CatalogEditError> {
        let contracts = Contracts::builtin().expect("built-in contracts");
        let contract = Arc::clone(contracts.get(kind.table()).expect("catalog contract"));
        let entry = entry.as_object().cloned().expect("an object");
        validate_entry(kind, &contract, &ValidationOptions::default(), &entry)
    }

    fn reasons(result: Result<RecordBatch, CatalogEditError>) -> String {
        match result {
            Err(CatalogEditError::InvalidEntry { reasons, .. }) => reasons,
            other => panic!("expected an invalid entry, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_offering_becomes_one_typed_row() {
        let batch = check(
            EntryKind::Offering,
            json!({
                "offering_id": " OF-900 ",
                "provider_id": "SP-01",
                "name": "注塑机预测性维护",
                "category": "platform",
                "scenarios": ["predictive_maintenance", "equipment_management"],
                "deployment": "edge",
                "price_min": 20,
                "price_max": "45.5",
                "target_maturity_level": 3,
                "published_on": "2026-03-01"
            }),
        )
        .expect("valid");
        assert_eq!(batch.num_rows(), 1);
        assert_eq!(text_at(&batch, "offering_id").as_deref(), Some("OF-900"));
        let contracts = Contracts::builtin().expect("contracts");
        let contract = contracts.get("service_offerings").expect("contract");
        let entry = entry_json(contract, &batch, 0);
        assert_eq!(
            entry["scenarios"],
            "predictive_maintenance;equipment_management"
        );
        assert_eq!(entry["price_min"], 20.0);
        assert_eq!(entry["price_max"], 45.5);
        assert_eq!(entry["target_maturity_level"], 3);
        assert_eq!(entry["published_on"], "2026-03-01");
        assert!(!entry.contains_key("rating"), "empty fields are left out");
        let entries = entries_from_batches(EntryKind::Offering, &[batch]).expect("entries");
        assert_eq!(entries[0].scenarios.len(), 2);
        assert_eq!(entries[0].price_max, Some(45.5));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let text = reasons(check(
            EntryKind::Offering,
            json!({
                "offering_id": "OF-1",
                "name": "x",
                "category": "platform",
                "deployment": "cloud",
                "rating": 7,
                "published_on": "next week"
            }),
        ));
        for expected in [
            "provider_id is required",
            "deployment: 'cloud' is not one of saas, on_premise, hybrid, edge",
            "rating: 7 is above the maximum 5",
            "published_on: 'next week' is not",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }

        let text = reasons(check(
            EntryKind::Application,
            json!({"app_id": "A-1", "colour": "red", "name": "x"}),
        ));
        assert!(
            text.contains("colour: not a field of shared_applications"),
            "{text}"
        );
        assert!(text.contains("app_id, provider_id, name"), "{text}");

        let text = reasons(check(
            EntryKind::Provider,
            json!({"provider_id": "SP-9", "name": 42, "rating": "high",
                   "scenarios": ["mes", 3], "region": {"city": "苏州"}}),
        ));
        for expected in [
            "name: expected text, found a number",
            "scenarios: expected a list of texts, found the item 3",
            "region: expected text, found an object",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        let text = reasons(check(
            EntryKind::Provider,
            json!({"provider_id": "SP-9", "name": "华兴", "rating": "high"}),
        ));
        assert!(text.contains("rating: 'high' is not a number"), "{text}");
        let text = reasons(check(
            EntryKind::Provider,
            json!({"provider_id": "SP-9", "name": "华兴", "uscc": "91320500MA1N0B000C"}),
        ));
        assert!(text.contains("uscc: USCC check digit wrong"), "{text}");
        let text = reasons(check(
            EntryKind::Provider,
            json!({"provider_id": "SP-9", "name": "  "}),
        ));
        assert!(text.contains("name is required but empty"), "{text}");
    }
}
