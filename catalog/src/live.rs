//! The catalog kept in step with its lake tables: the index caught up with the lake at start
//! and after ingests ([`sync`]), and live edits written to the lake and then to the index
//! ([`edits`]).
//!
//! The lake tables `service_providers`, `service_offerings` and `shared_applications` are
//! the catalog's source of truth; every index commit records the table versions it reflects
//! ([`Catalog::indexed_versions`]). The tables are read through [`Lake::read_table`] (a
//! catalog holds thousands of entries, not millions) and written through the lake's writer
//! only. The edits, re-indexes and catch-ups of one process take turns on one lock, from
//! the lake read to the index commit.
//!
//! ```
//! use std::sync::Arc;
//!
//! use parkhub_catalog::{Catalog, EntryKind, LiveCatalog, SearchRequest};
//! use parkhub_connectors::Lake;
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let data_dir = tempfile::tempdir()?;
//! let lake = Arc::new(Lake::open(data_dir.path())?);
//! let catalog = Arc::new(Catalog::open(&data_dir.path().join("catalog"))?);
//! let live = LiveCatalog::new(Arc::clone(&lake), Arc::clone(&catalog));
//! live.ensure_caught_up().await?;
//!
//! let provider = serde_json::json!({"provider_id": "SP-01", "name": "苏州精衡工业互联网科技有限公司"});
//! live.create(EntryKind::Provider, provider.as_object().cloned().unwrap_or_default())
//!     .await?;
//! let offering = serde_json::json!({"offering_id": "OF-900", "provider_id": "SP-01",
//!     "name": "注塑机预测性维护", "category": "platform"});
//! let created = live
//!     .create(EntryKind::Offering, offering.as_object().cloned().unwrap_or_default())
//!     .await?;
//! assert!(created.indexed); // in the lake, and searchable once answered
//! let hits = catalog.search(&SearchRequest::new("注塑机").with_kind(EntryKind::Offering))?.hits;
//! assert_eq!(hits[0].id, "OF-900");
//! # Ok(())
//! # }
//! ```

pub mod edits;
pub mod sync;

use std::sync::Arc;

use parkhub_connectors::Lake;
use parkhub_connectors::arrow::array::{BooleanArray, RecordBatch, Scalar, StringArray};
use parkhub_connectors::arrow::compute::kernels::cmp::eq;
use parkhub_connectors::arrow::compute::{cast, filter_record_batch};
use parkhub_connectors::arrow::datatypes::DataType;

use crate::entry::EntryKind;
use crate::error::Result;
use crate::index::Catalog;

pub use edits::CatalogRecord;
pub use sync::CatchUp;

/// The catalog index bound to the catalog lake tables it is derived from.
pub struct LiveCatalog {
    lake: Arc<Lake>,
    index: Arc<Catalog>,
    /// Serialises this process's edits, re-indexes and catch-ups, from the lake read to the
    /// index commit.
    turn: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for LiveCatalog {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("LiveCatalog")
            .field("lake", &self.lake.lake_dir())
            .field("index", &self.index.path())
            .finish()
    }
}

impl LiveCatalog {
    /// Binds `index` to the catalog tables of `lake`.
    pub fn new(lake: Arc<Lake>, index: Arc<Catalog>) -> LiveCatalog {
        LiveCatalog {
            lake,
            index,
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Returns the search index.
    pub fn index(&self) -> &Arc<Catalog> {
        &self.index
    }

    /// Reads the lake table of `kind` at its latest version.
    async fn read_kind(&self, kind: EntryKind) -> Result<TableSnapshot> {
        Ok(match self.lake.read_table(kind.table()).await? {
            Some(contents) => TableSnapshot {
                version: Some(contents.version),
                batches: contents.batches,
            },
            None => TableSnapshot {
                version: None,
                batches: Vec::new(),
            },
        })
    }

    /// Reads the rows of the entry of `kind` with `id` from the latest version of its lake
    /// table.
    async fn read_entry(&self, kind: EntryKind, id: &str) -> Result<TableSnapshot> {
        let snapshot = self.read_kind(kind).await?;
        let batches = snapshot
            .batches
            .iter()
            .map(|batch| rows_with_text(batch, kind.id_column(), id))
            .collect::<Result<Vec<_>>>()?;
        Ok(TableSnapshot {
            version: snapshot.version,
            batches,
        })
    }
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

    /// Returns the first batch with a row.
    fn first_row(&self) -> Option<&RecordBatch> {
        self.batches.iter().find(|batch| batch.num_rows() > 0)
    }
}

/// Returns the rows of `batch` whose text column `column` is exactly `value` (none when the
/// batch has no such column).
fn rows_with_text(batch: &RecordBatch, column: &str, value: &str) -> Result<RecordBatch> {
    let Some(array) = batch.column_by_name(column) else {
        return Ok(batch.slice(0, 0));
    };
    let texts = cast(array, &DataType::Utf8)?;
    let wanted = Scalar::new(StringArray::from(vec![value]));
    let matches: BooleanArray = eq(&texts, &wanted)?;
    Ok(filter_record_batch(batch, &matches)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use parkhub_connectors::arrow::array::{Int64Array, RecordBatch, StringArray};
    use parkhub_connectors::arrow::datatypes::{DataType, Field, Schema};
    use parkhub_connectors::record::validate_records;
    use parkhub_connectors::validate::ValidationOptions;
    use parkhub_connectors::{BatchIdentity, Contracts, Lake, lake::MemoryBatches};
    use serde_json::{Map, Value, json};

    use super::{CatchUp, LiveCatalog, rows_with_text};
    use crate::entry::EntryKind;
    use crate::error::Error;
    use crate::index::Catalog;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    fn open(dir: &std::path::Path) -> LiveCatalog {
        let lake = Arc::new(Lake::open(dir).expect("lake"));
        let index = Arc::new(Catalog::open(&dir.join("catalog")).expect("index"));
        LiveCatalog::new(lake, index)
    }

    /// Writes providers to the lake the way an ingest does, behind the index's back.
    async fn ingest_provider(live: &LiveCatalog, id: &str, name: &str) {
        let contracts = Contracts::builtin().expect("contracts");
        let contract = Arc::clone(contracts.get("service_providers").expect("contract"));
        let batch = validate_records(
            &contract,
            &ValidationOptions::default(),
            &[object(json!({"provider_id": id, "name": name}))],
        )
        .expect("valid");
        live.lake
            .commit(
                &contract,
                Arc::new(MemoryBatches::new(contract.data_schema(), vec![batch])),
                &BatchIdentity::new("test", id),
            )
            .await
            .expect("commit");
    }

    #[tokio::test]
    async fn edits_reach_the_lake_and_the_index_and_refuse_what_does_not_fit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = open(dir.path());
        assert_eq!(live.catch_up().await.expect("catch up"), CatchUp::UpToDate);

        let provider = live
            .create(
                EntryKind::Provider,
                object(json!({"provider_id": "SP-01", "name": "华兴智能",
                              "scenarios": ["mes", "aps"]})),
            )
            .await
            .expect("created");
        assert!(provider.indexed);
        assert_eq!(provider.entry["scenarios"], "mes;aps");
        assert_eq!(live.index().len().expect("len"), 1);

        match live
            .create(
                EntryKind::Provider,
                object(json!({"provider_id": "SP-01", "name": "again"})),
            )
            .await
        {
            Err(error @ Error::EntryExists { .. }) => assert_eq!(
                error.to_string(),
                "the catalog already has the provider 'SP-01'; change it with PUT \
                 /api/catalog/provider/SP-01"
            ),
            other => panic!("expected an existing entry, got {other:?}"),
        }
        let offering = json!({"offering_id": "OF-1", "provider_id": "SP-02", "name": "预测性维护",
                              "category": "platform"});
        match live.create(EntryKind::Offering, object(offering)).await {
            Err(error @ Error::InvalidEntry { .. }) => assert_eq!(
                error.to_string(),
                "invalid offering: provider_id: no provider 'SP-02' in the catalog; create it \
                 first with POST /api/catalog/provider"
            ),
            other => panic!("expected an invalid entry, got {other:?}"),
        }
        match live
            .create(
                EntryKind::Provider,
                object(json!({"provider_id": "SP-03", "rating": 9})),
            )
            .await
        {
            Err(error @ Error::InvalidEntry { .. }) => assert_eq!(
                error.to_string(),
                "invalid provider: name is required but empty; rating: 9 is above the maximum 5"
            ),
            other => panic!("expected an invalid entry, got {other:?}"),
        }
        match live
            .replace(
                EntryKind::Provider,
                "SP-01",
                object(json!({"provider_id": "SP-09", "name": "x"})),
            )
            .await
        {
            Err(Error::InvalidEntry { reasons, .. }) => {
                assert!(reasons.contains("an entry's id cannot change"), "{reasons}");
            }
            other => panic!("expected an invalid entry, got {other:?}"),
        }

        let replaced = live
            .replace(
                EntryKind::Provider,
                "SP-01",
                object(json!({"name": "华兴"})),
            )
            .await
            .expect("replaced");
        assert_eq!(replaced.lake_version, provider.lake_version + 1);
        assert!(
            !replaced.entry.contains_key("scenarios"),
            "PUT replaces the whole entry"
        );
        let read = live
            .entry(EntryKind::Provider, "SP-01")
            .await
            .expect("read");
        assert_eq!(read.entry["name"], "华兴");
        assert!(read.indexed);

        let deleted = live
            .delete(EntryKind::Provider, "SP-01")
            .await
            .expect("deleted");
        assert_eq!(deleted.entry["name"], "华兴");
        assert!(deleted.indexed);
        assert_eq!(live.index().len().expect("len"), 0);
        for missing in [
            live.entry(EntryKind::Provider, "SP-01").await,
            live.delete(EntryKind::Provider, "SP-01").await,
            live.replace(EntryKind::Provider, "SP-01", object(json!({"name": "x"})))
                .await,
        ] {
            match missing {
                Err(error @ Error::EntryNotFound { .. }) => {
                    assert_eq!(
                        error.to_string(),
                        "no provider with id 'SP-01' in the catalog"
                    );
                }
                other => panic!("expected a missing entry, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn the_index_catches_up_with_tables_that_moved_and_is_rebuilt_when_lost() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = open(dir.path());
        ingest_provider(&live, "SP-01", "华兴智能").await;
        // An index that records no versions while the lake has catalog tables is rebuilt.
        assert_eq!(
            live.catch_up().await.expect("catch up"),
            CatchUp::Rebuilt { entries: 1 }
        );
        assert_eq!(live.catch_up().await.expect("catch up"), CatchUp::UpToDate);

        ingest_provider(&live, "SP-02", "智造云").await;
        assert_eq!(
            live.catch_up().await.expect("catch up"),
            CatchUp::Reindexed {
                tables: vec!["service_providers"]
            }
        );
        assert_eq!(live.index().len().expect("len"), 2);
        let versions = live.lake_versions().await.expect("versions");
        assert_eq!(
            live.index().indexed_versions().expect("indexed"),
            Some(versions)
        );

        ingest_provider(&live, "SP-03", "数联").await;
        live.index_ingested_rows("enterprises", 5).await;
        assert_eq!(live.index().len().expect("len"), 2, "not a catalog table");
        live.index_ingested_rows("service_providers", 1).await;
        assert_eq!(live.index().len().expect("len"), 3);
        assert_eq!(live.reindex().await.expect("reindex"), 3);
    }

    #[test]
    fn rows_are_picked_by_their_exact_text() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    None,
                    Some("b"),
                    Some("a "),
                ])),
                Arc::new(Int64Array::from(vec![1, 2, 3, 4])),
            ],
        )
        .expect("batch");
        let picked = rows_with_text(&batch, "id", "a").expect("filter");
        assert_eq!(picked.num_rows(), 1);
        assert_eq!(
            picked
                .column(1)
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("n")
                .value(0),
            1
        );
        assert_eq!(
            rows_with_text(&batch, "missing", "a")
                .expect("filter")
                .num_rows(),
            0
        );
    }
}
