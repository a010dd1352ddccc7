//! The catalog index on disk: opening it, rebuilding it from entries, reloading its reader.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use crate::analysis::{self, TEXT_ANALYZER};
use crate::dictionary::Dictionary;
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
    dictionary: RwLock<Arc<Dictionary>>,
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
    /// first search is not slowed by it, and the query dictionaries of the folder
    /// ([`Dictionary::load`]: `bilingual.tsv` when present, `synonyms.txt`, written with the
    /// default groups when absent).
    ///
    /// An index built by a version with another schema is derived data of an older layout:
    /// its files are removed (the park's `bilingual.tsv` and `synonyms.txt` stay) and an
    /// empty index is created, which [`Catalog::is_empty`] reports so that callers rebuild
    /// it. When that fails, [`Error::IncompatibleIndex`].
    pub fn open(dir: &Path) -> Result<Catalog> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let fields = CatalogSchema::new();
        let open = || -> Result<Index> {
            let directory = MmapDirectory::open(dir).map_err(TantivyError::from)?;
            Index::open_or_create(directory, fields.schema.clone()).map_err(|error| match error {
                TantivyError::SchemaError(reason) => Error::IncompatibleIndex {
                    path: dir.to_path_buf(),
                    reason,
                },
                other => Error::Tantivy(other),
            })
        };
        let index = match open() {
            Err(Error::IncompatibleIndex { reason, .. }) => {
                tracing::warn!(
                    path = %dir.display(),
                    reason,
                    "catalog index of another layout removed; it must be rebuilt from the lake"
                );
                remove_index_files(dir)?;
                open()?
            }
            other => other?,
        };
        index
            .tokenizers()
            .register(TEXT_ANALYZER, analysis::text_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let dictionary_load = analysis::load_dictionary();
        let dictionary = Dictionary::load(dir)?;
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
            dictionary: RwLock::new(Arc::new(dictionary)),
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

    /// Makes searches see the last commit, for when another process rebuilt the index, and
    /// reads the folder's `bilingual.tsv` and `synonyms.txt` again.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        self.reload_dictionary()
    }

    /// Reads the folder's `bilingual.tsv` and `synonyms.txt` again, for the next searches.
    pub fn reload_dictionary(&self) -> Result<()> {
        let dictionary = Arc::new(Dictionary::load(&self.path)?);
        *self
            .dictionary
            .write()
            .unwrap_or_else(PoisonError::into_inner) = dictionary;
        Ok(())
    }

    /// Returns the query dictionaries (bilingual terms and synonyms) searches use.
    pub fn dictionary(&self) -> Arc<Dictionary> {
        Arc::clone(
            &self
                .dictionary
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
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

/// Removes the files of a tantivy index from `dir`: `meta.json`, `.managed.json` and the
/// segment files (named by a 32-digit hexadecimal id); other files are left alone.
fn remove_index_files(dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    for item in std::fs::read_dir(dir).map_err(io)? {
        let path = item.map_err(io)?.path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let stem = name.split('.').next().unwrap_or_default();
        let segment_file = stem.len() == 32 && stem.chars().all(|c| c.is_ascii_hexdigit());
        if (name == "meta.json" || name == ".managed.json" || segment_file) && path.is_file() {
            std::fs::remove_file(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
        }
    }
    Ok(())
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

    #[test]
    fn an_index_of_another_layout_is_replaced_by_an_empty_one() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|source| Error::Io {
            path: "tmp".into(),
            source,
        })?;
        let path = folder.path().join("catalog");
        std::fs::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        // An index of another schema, with a document, and the park's files beside it.
        let mut builder = tantivy::schema::Schema::builder();
        let title = builder.add_text_field("title", tantivy::schema::TEXT);
        let old = Index::create_in_dir(&path, builder.build())?;
        let mut writer: IndexWriter<TantivyDocument> = old.writer(15_000_000)?;
        writer.add_document(tantivy::doc!(title => "old"))?;
        writer.commit()?;
        drop(writer);
        std::fs::write(path.join("bilingual.tsv"), "gizmo\t小玩意\n").map_err(|source| {
            Error::Io {
                path: path.clone(),
                source,
            }
        })?;

        let catalog = Catalog::open(&path)?;
        assert!(catalog.is_empty()?);
        assert!(
            path.join("bilingual.tsv").is_file(),
            "the park's files stay"
        );
        assert!(!catalog.dictionary().lookup("gizmo").is_empty());
        catalog.rebuild(&[CatalogEntry::new(EntryKind::Offering, "O-1", "数字孪生")])?;
        drop(catalog);
        assert_eq!(Catalog::open(&path)?.len()?, 1);
        Ok(())
    }
}
