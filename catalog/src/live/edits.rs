//! Live edits of the catalog: an entry created, replaced or deleted is checked against the
//! contract of its lake table ([`parkhub_connectors::record::validate_records`]), written to
//! that table as one Delta commit (the lake stays the catalog's source of truth), then
//! applied to the index, whose commit records the table version it reflects
//! ([`Catalog::upsert`](crate::Catalog::upsert)). The index is committed before the edit
//! returns, so an acknowledged edit is searchable at once.
//!
//! When the index is not exactly one version behind the edit's (another process wrote the
//! table meanwhile), the table is re-indexed from the lake instead. When the index cannot be
//! written at all, the edit stays in the lake and [`CatalogRecord::indexed`] says so; the
//! next start's catch-up indexes it.

use std::sync::Arc;

use parkhub_connectors::arrow::array::{Array, AsArray, RecordBatch};
use parkhub_connectors::arrow::compute::cast;
use parkhub_connectors::arrow::datatypes::DataType;
use parkhub_connectors::lake::MemoryBatches;
use parkhub_connectors::record::{record_json, validate_records};
use parkhub_connectors::validate::ValidationOptions;
use parkhub_connectors::{BatchIdentity, CommitOutcome, Contracts, TableContract};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::entry::{CatalogEntry, EntryKind, entries_from_batches};
use crate::error::{Error, Result};
use crate::index::IndexUpdate;
use crate::live::LiveCatalog;

/// A catalog entry as the lake holds it, after an edit or as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "kind": "offering",
    "id": "OF-900",
    "lake_version": 7,
    "indexed": true,
    "entry": {"offering_id": "OF-900", "provider_id": "SP-01", "name": "注塑机预测性维护",
              "category": "platform", "scenarios": "predictive_maintenance", "price_min": 20.0}
})))]
pub struct CatalogRecord {
    /// `application`, `offering` or `provider`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub entry: Map<String, Value>,
}

/// A change to apply to the index after its lake commit.
enum IndexChange {
    Upsert(Box<CatalogEntry>),
    Delete(String),
}

impl LiveCatalog {
    /// Returns the entry of `kind` with `id` as the lake holds it, or
    /// [`Error::EntryNotFound`].
    pub async fn entry(&self, kind: EntryKind, id: &str) -> Result<CatalogRecord> {
        let contract = self.contract(kind)?;
        let snapshot = self.read_entry(kind, id).await?;
        let (Some(version), Some(batch)) = (snapshot.version, snapshot.first_row()) else {
            return Err(not_found(kind, id));
        };
        let indexed = self
            .index
            .indexed_versions()?
            .and_then(|versions| versions.get(kind.table()).copied())
            .is_some_and(|indexed| indexed >= version);
        Ok(CatalogRecord {
            kind,
            id: id.to_string(),
            lake_version: version,
            indexed,
            entry: record_json(&contract, batch, 0),
        })
    }

    /// Adds a new entry of `kind`: checks it against the table's contract (and, for
    /// offerings and applications, that its provider exists), refuses an id that exists
    /// ([`Error::EntryExists`]), commits it to the lake and then to the index.
    pub async fn create(
        &self,
        kind: EntryKind,
        entry: Map<String, Value>,
    ) -> Result<CatalogRecord> {
        let _turn = self.turn.lock().await;
        let contract = self.contract(kind)?;
        let batch = self.validate(kind, &contract, entry)?;
        let id = text_at(&batch, kind.id_column()).ok_or_else(|| invalid(kind, "no id"))?;
        if self.read_entry(kind, &id).await?.rows() > 0 {
            return Err(Error::EntryExists { kind, id });
        }
        self.check_provider(kind, &batch).await?;
        self.write_entry(kind, &contract, batch, id).await
    }

    /// Replaces the entry of `kind` with `id` by `entry` (every field: those left out become
    /// empty). The entry may leave out the id; when it gives one, it must be `id`.
    pub async fn replace(
        &self,
        kind: EntryKind,
        id: &str,
        mut entry: Map<String, Value>,
    ) -> Result<CatalogRecord> {
        let _turn = self.turn.lock().await;
        let contract = self.contract(kind)?;
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
        let batch = self.validate(kind, &contract, entry)?;
        if self.read_entry(kind, id).await?.rows() == 0 {
            return Err(not_found(kind, id));
        }
        self.check_provider(kind, &batch).await?;
        self.write_entry(kind, &contract, batch, id.to_string())
            .await
    }

    /// Deletes the entry of `kind` with `id` from the lake and then from the index; returns
    /// it as it was.
    pub async fn delete(&self, kind: EntryKind, id: &str) -> Result<CatalogRecord> {
        let _turn = self.turn.lock().await;
        let contract = self.contract(kind)?;
        let snapshot = self.read_entry(kind, id).await?;
        let Some(batch) = snapshot.first_row() else {
            return Err(not_found(kind, id));
        };
        let entry = record_json(&contract, batch, 0);
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

    /// Checks an entry against its table's contract and returns it as a one-row batch of the
    /// table's data schema, or [`Error::InvalidEntry`] naming every field at fault.
    fn validate(
        &self,
        kind: EntryKind,
        contract: &Arc<TableContract>,
        entry: Map<String, Value>,
    ) -> Result<RecordBatch> {
        let options = ValidationOptions::load(self.lake.data_dir())?;
        match validate_records(contract, &options, &[entry]) {
            Ok(batch) => Ok(batch),
            Err(parkhub_connectors::Error::InvalidRecords { rejected, .. }) => {
                let reasons: Vec<String> = rejected
                    .into_iter()
                    .flat_map(|record| record.problems)
                    .collect();
                Err(invalid(kind, reasons.join("; ")))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Commits one validated entry to its lake table, then to the index.
    async fn write_entry(
        &self,
        kind: EntryKind,
        contract: &Arc<TableContract>,
        batch: RecordBatch,
        id: String,
    ) -> Result<CatalogRecord> {
        let entry = record_json(contract, &batch, 0);
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
    /// is in the lake, and the next start indexes it. The caller holds `turn`.
    async fn apply_to_index(
        &self,
        kind: EntryKind,
        lake_version: u64,
        change: IndexChange,
    ) -> bool {
        let index = Arc::clone(&self.index);
        let applied = tokio::task::spawn_blocking(move || match change {
            IndexChange::Upsert(entry) => index.upsert(&entry, lake_version),
            IndexChange::Delete(id) => index.delete(kind, &id, lake_version),
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
                self.reindex_kind(kind).await.map(|_| ())
            }
            Ok(Err(error)) => Err(error),
            Err(error) => Err(Error::Background(error)),
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

    /// Refuses an offering or application whose provider is not in `service_providers`.
    async fn check_provider(&self, kind: EntryKind, batch: &RecordBatch) -> Result<()> {
        if kind == EntryKind::Provider {
            return Ok(());
        }
        let Some(provider_id) = text_at(batch, "provider_id") else {
            return Ok(());
        };
        if self
            .read_entry(EntryKind::Provider, &provider_id)
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

    /// Returns the contract of the lake table of `kind`, as the data directory has it now
    /// (a park may change its contracts while the server runs).
    fn contract(&self, kind: EntryKind) -> Result<Arc<TableContract>> {
        let contracts = Contracts::load(self.lake.data_dir())?;
        Ok(Arc::clone(contracts.get(kind.table())?))
    }
}

fn not_found(kind: EntryKind, id: &str) -> Error {
    Error::EntryNotFound {
        kind,
        id: id.to_string(),
    }
}

fn invalid(kind: EntryKind, reasons: impl Into<String>) -> Error {
    Error::InvalidEntry {
        kind,
        reasons: reasons.into(),
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
