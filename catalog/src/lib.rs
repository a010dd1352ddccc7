//! The searchable catalog of ParkHub: service providers, service offerings and shared
//! applications, indexed with tantivy for Chinese and English search.
//!
//! The catalog is derived data: its source of truth is the lake tables `service_providers`,
//! `service_offerings` and `shared_applications`, and the index (in `<data-dir>/catalog/`)
//! is rebuilt from them as a whole. Text is segmented with jieba (Chinese) and stemmed
//! (English) by [`analysis`]; [`Catalog::search`] ranks with BM25 over boosted fields,
//! filters by kind, pages, and highlights matches in snippets.
//!
//! ```ignore
//! use parkhub_catalog::{entries_from_batches, Catalog, EntryKind, SearchRequest};
//!
//! let catalog = Catalog::open(&data_dir.join("catalog"))?;
//! let mut entries = Vec::new();
//! for kind in EntryKind::ALL {
//!     let batches = read_lake_table(kind.table()).await?; // Vec<RecordBatch>
//!     entries.extend(entries_from_batches(kind, &batches)?);
//! }
//! catalog.rebuild(&entries)?;
//!
//! let results = catalog.search(&SearchRequest::new("预测性维护").with_kind(EntryKind::Offering))?;
//! for hit in results.hits {
//!     println!("{} {} {:.2} {}", hit.kind, hit.title, hit.score, hit.snippet);
//! }
//! ```
//!
//! Rebuilding and searching are blocking, CPU-bound calls: async callers run them with
//! `spawn_blocking`.

pub mod analysis;
pub mod entry;
pub mod error;
pub mod index;
pub mod schema;
pub mod search;
pub mod vocabulary;

pub use entry::{CatalogEntry, EntryKind, entries_from_batches};
pub use error::{Error, Result};
pub use index::Catalog;
pub use search::{SearchHit, SearchRequest, SearchResults};
