//! The catalog index on disk: opening it, rebuilding it from entries, reloading its reader.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use crate::analysis::{self, TEXT_ANALYZER};
use crate::entry::CatalogEntry;
use crate::error::{Error, Result};
use crate::schema::CatalogSchema;

/// Memory the index writer may use while rebuilding, split among its threads.
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// The searchable catalog: a tantivy index in one folder, derived from the catalog lake
/// tables and rebuilt from them as a whole.
///
/// A `Catalog` is `Send + Sync`; share it behind an `Arc`. Searches run concurrently;
/// rebuilds are serialised, and the index writer (with its lock file) exists only while a
/// rebuild runs, so other processes may open the same folder to search it.
pub struct Catalog {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    pub(crate) fields: CatalogSchema,
    rebuild_lock: Mutex<()>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Catalog")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Opens the index in `dir`, creating the folder and an empty index when there is none,
    /// and registers the catalog's analyzer. Loads the jieba dictionary too, so that the
    /// first search is not slowed by it.
    ///
    /// An index built by a version with another schema is [`Error::IncompatibleIndex`]: the
    /// index is derived data, delete the folder and rebuild.
    pub fn open(dir: &Path) -> Result<Catalog> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let fields = CatalogSchema::new();
        let directory = MmapDirectory::open(dir).map_err(TantivyError::from)?;
        let index =
            Index::open_or_create(directory, fields.schema.clone()).map_err(
                |error| match error {
                    TantivyError::SchemaError(reason) => Error::IncompatibleIndex {
                        path: dir.to_path_buf(),
                        reason,
                    },
                    other => Error::Tantivy(other),
                },
            )?;
        index
            .tokenizers()
            .register(TEXT_ANALYZER, analysis::text_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let dictionary_load = analysis::load_dictionary();
        tracing::debug!(
            path = %dir.display(),
            dictionary_load_ms = dictionary_load.as_millis(),
            "catalog index opened"
        );
        Ok(Catalog {
            path: dir.to_path_buf(),
            index,
            reader,
            fields,
            rebuild_lock: Mutex::new(()),
        })
    }

    /// Returns the schema of the index with its fields resolved, for filters and facets on
    /// the exact-value fields.
    pub fn schema(&self) -> &CatalogSchema {
        &self.fields
    }

    /// Returns the folder of the index.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the whole content of the index with `entries` in one commit, and reloads the
    /// reader so that the next search sees them. Returns how many entries were indexed:
    /// when two entries share kind and id, the later one wins.
    pub fn rebuild(&self, entries: &[CatalogEntry]) -> Result<usize> {
        let _only_rebuild = self
            .rebuild_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let mut writer: IndexWriter<TantivyDocument> = self.index.writer(WRITER_HEAP_BYTES)?;
        writer.delete_all_documents()?;
        let mut seen = HashSet::with_capacity(entries.len());
        let mut indexed = 0;
        for entry in entries.iter().rev() {
            if !seen.insert((entry.kind, entry.id.as_str())) {
                continue;
            }
            writer.add_document(self.fields.document(entry))?;
            indexed += 1;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        if indexed < entries.len() {
            tracing::warn!(
                duplicates = entries.len() - indexed,
                "duplicate catalog entries skipped"
            );
        }
        tracing::info!(
            entries = indexed,
            elapsed_ms = started.elapsed().as_millis(),
            "catalog index rebuilt"
        );
        Ok(indexed)
    }

    /// Makes searches see the last commit, for when another process rebuilt the index.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Returns the number of entries in the index.
    pub fn len(&self) -> Result<u64> {
        Ok(self.reader.searcher().num_docs())
    }

    /// Returns true when the index holds no entry.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    pub(crate) fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryKind;

    #[test]
    fn a_catalog_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Catalog>();
    }

    #[test]
    fn opens_empty_rebuilds_and_reopens() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|source| Error::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = folder.path().join("catalog");
        let catalog = Catalog::open(&path)?;
        assert!(catalog.is_empty()?);

        let entries = vec![
            CatalogEntry::new(EntryKind::Application, "A-1", "能耗监测平台"),
            CatalogEntry::new(EntryKind::Offering, "O-1", "预测性维护"),
            CatalogEntry::new(EntryKind::Application, "A-1", "能耗监测平台 v2"),
        ];
        assert_eq!(catalog.rebuild(&entries)?, 2);
        assert_eq!(catalog.len()?, 2);
        assert_eq!(catalog.rebuild(&entries[..1])?, 1);
        assert_eq!(catalog.len()?, 1, "a rebuild replaces everything");
        drop(catalog);

        let reopened = Catalog::open(&path)?;
        assert_eq!(reopened.len()?, 1);
        assert_eq!(reopened.rebuild(&[])?, 0);
        assert!(reopened.is_empty()?);
        Ok(())
    }
}
