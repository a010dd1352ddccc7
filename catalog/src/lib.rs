//! The searchable catalog of ParkHub: service providers, service offerings and shared
//! applications, indexed with tantivy for Chinese and English search.
//!
//! The catalog is derived data: its source of truth is the lake tables `service_providers`,
//! `service_offerings` and `shared_applications`, and the index (in `<data-dir>/catalog/`)
//! is rebuilt from them as a whole, or changed entry by entry as they change
//! ([`Catalog::upsert`], [`Catalog::delete`]); each commit records the lake versions it
//! reflects ([`Catalog::indexed_versions`]), so that a process can catch up at start. Text is
//! segmented with jieba (Chinese) and stemmed (English) by the `analysis` module. A query is planned into weighted clauses by [`query`]: typed
//! words, the dictionary words inside them, translations from the bilingual dictionary and
//! synonyms ([`Dictionary`]: `bilingual.tsv` and `synonyms.txt` in the index folder extend
//! the built-in lists), Latin words one typo away. [`Catalog::search`] ranks with BM25 over
//! boosted fields with coordination between the query's concepts, filters on the exact
//! values, sorts, counts facets over every match ([`facets`]), pages, and highlights matches
//! in snippets. [`relevance`] measures nDCG@10 and recall@10 on judged queries. [`matching`]
//! scores offerings for an enterprise's need from facts the caller gathers (the enterprise's
//! profile, the providers' track records) and explains every score.
//!
//! ```
//! use parkhub_catalog::{Catalog, CatalogEntry, EntryKind, SearchRequest};
//!
//! let index_dir = tempfile::tempdir()?;
//! let catalog = Catalog::open(index_dir.path())?;
//! // Entries come from the catalog lake tables (`entries_from_batches`); here, by hand.
//! let mut maintenance = CatalogEntry::new(EntryKind::Offering, "O1", "注塑机预测性维护服务");
//! maintenance.description = "振动与温度在线监测，故障预警，减少非计划停机".into();
//! maintenance.key_industries = vec!["machinery".into()];
//! maintenance.scenarios = vec!["predictive_maintenance".into()];
//! let mut energy = CatalogEntry::new(EntryKind::Offering, "O2", "能源管理系统");
//! energy.key_industries = vec!["iron_steel".into()];
//! catalog.rebuild(&[maintenance, energy])?;
//!
//! // English words find Chinese text through the bilingual dictionary.
//! let results = catalog.search(&SearchRequest {
//!     query: "predictive maintenance".into(),
//!     industry: Some("machinery".into()),
//!     ..Default::default()
//! })?;
//! assert_eq!(results.total, 1);
//! assert_eq!(results.hits[0].id, "O1");
//! assert_eq!(results.facets["scenario"][0].value, "predictive_maintenance");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Rebuilding and searching are blocking, CPU-bound calls: async callers run them with
//! `spawn_blocking`. [`LiveCatalog`] does that for the index bound to its lake tables: it
//! catches the index up with the lake and writes live edits to the lake and then the index.

pub(crate) mod analysis;
mod coordination;
pub(crate) mod dictionary;
pub mod entry;
pub mod error;
pub mod facets;
pub mod index;
pub mod live;
pub mod matching;
pub mod query;
pub mod relevance;
pub mod schema;
pub mod search;
pub mod vocabulary;

pub use dictionary::Dictionary;
pub use entry::{CatalogEntry, EntryKind, entries_from_batches};
pub use error::{Error, Result};
pub use facets::FacetCount;
pub use index::{Catalog, IndexUpdate, LakeVersions};
pub use live::{CatalogRecord, CatchUp, LiveCatalog};
pub use matching::{MatchRequest, MatchResults};
pub use relevance::{Judgements, Metrics, evaluate};
pub use search::{SearchHit, SearchRequest, SearchResults, SortOrder};
