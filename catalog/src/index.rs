//! The catalog index on disk: opening it, rebuilding it from entries, changing it entry by
//! entry, reloading its reader, and the lake versions each commit reflects.
//!
//! Every commit of the index stores, in tantivy's commit payload, the Delta versions of the
//! catalog lake tables it reflects ([`LakeVersions`], read back with
//! [`Catalog::indexed_versions`]). A process that finds them behind the lake's versions at
//! start re-indexes the tables that moved, so a crash between a lake commit and the index
//! commit that follows it loses nothing.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::directory::error::LockError;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::analysis::{self, TEXT_ANALYZER};
use crate::dictionary::Dictionary;
use crate::entry::{CatalogEntry, EntryKind};
use crate::error::{Error, Result};
use crate::schema::CatalogSchema;

/// The Delta versions of the catalog lake tables an index commit reflects, by table name
/// (`service_providers`, …). A table the lake does not have is absent.
pub type LakeVersions = BTreeMap<String, u64>;

/// What is stored in tantivy's payload of each commit of the catalog index.
#[derive(Debug, Serialize, Deserialize)]
struct CommitPayload {
    /// The lake versions the commit reflects.
    lake_versions: LakeVersions,
}

/// What an incremental change ([`Catalog::upsert`], [`Catalog::delete`]) did to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexUpdate {
    /// The change was committed: the index now reflects the given lake version of the
    /// entry's table.
    Applied,
    /// The index already reflects that lake version of the table, or a later one: nothing
    /// was done.
    AlreadyIndexed,
    /// The index reflects an older version of the table than the one just before the
    /// change's (or none): other commits came in between, which the change alone would not
    /// bring into the index. Nothing was done; re-index the table
    /// ([`Catalog::replace_kind`]).
    Behind {
        /// The version of the table the index reflects, if any.
        indexed: Option<u64>,
    },
}

/// Memory the index writer may use while rebuilding, split among its threads.
const WRITER_HEAP_BYTES: usize = 50_000_000;

/// The searchable catalog: a tantivy index in one folder, derived from the catalog lake
/// tables: rebuilt from them as a whole, or changed entry by entry as the lake changes.
///
/// A `Catalog` is `Send + Sync`; share it behind an `Arc`. Searches run concurrently;
/// writes (rebuilds and incremental changes) are serialised on one index writer, created at
/// the first write and kept for the life of the `Catalog`. Its lock file keeps other
/// processes from writing meanwhile (they get [`Error::IndexLocked`]); they may still open
/// the same folder to search it.
pub struct Catalog {
    path: PathBuf,
    index: Index,
    reader: IndexReader,
    pub(crate) fields: CatalogSchema,
    dictionary: RwLock<Arc<Dictionary>>,
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
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
            writer: Mutex::new(None),
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
    /// when two entries share kind and id, the later one wins. The commit records no lake
    /// versions ([`Catalog::indexed_versions`] is then `None`); use [`Catalog::rebuild_at`]
    /// when the entries come from the lake.
    pub fn rebuild(&self, entries: &[CatalogEntry]) -> Result<usize> {
        self.rebuild_with_payload(entries, None)
    }

    /// Like [`Catalog::rebuild`], and records in the commit that the index reflects
    /// `versions` of the catalog lake tables.
    pub fn rebuild_at(&self, entries: &[CatalogEntry], versions: &LakeVersions) -> Result<usize> {
        self.rebuild_with_payload(entries, Some(versions))
    }

    fn rebuild_with_payload(
        &self,
        entries: &[CatalogEntry],
        versions: Option<&LakeVersions>,
    ) -> Result<usize> {
        let started = Instant::now();
        let mut writer = self.writer()?;
        let indexed = self.write(&mut writer, versions, |writer| {
            writer.delete_all_documents()?;
            self.add_entries(writer, entries)
        })?;
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

    /// Returns the lake versions the last commit of the index reflects, or `None` when it
    /// recorded none (an index built by [`Catalog::rebuild`], by an older version, or never
    /// committed): such an index must be rebuilt from the lake to be trusted.
    pub fn indexed_versions(&self) -> Result<Option<LakeVersions>> {
        let metas = self.index.load_metas()?;
        let Some(payload) = metas.payload else {
            return Ok(None);
        };
        match serde_json::from_str::<CommitPayload>(&payload) {
            Ok(payload) => Ok(Some(payload.lake_versions)),
            Err(error) => {
                tracing::warn!(%error, "catalog index payload unreadable; it will be rebuilt");
                Ok(None)
            }
        }
    }

    /// Adds `entry`, or replaces the entry of the same kind and id, as the change that made
    /// `lake_version` of its lake table; commits with that version recorded and reloads the
    /// reader, so that the next search sees it.
    ///
    /// The change is applied only when the index reflects the version just before
    /// (`lake_version - 1`); see [`IndexUpdate`] for the other cases.
    pub fn upsert(&self, entry: &CatalogEntry, lake_version: u64) -> Result<IndexUpdate> {
        self.apply(entry.kind, lake_version, |writer| {
            writer.delete_query(self.entry_query(entry.kind, &entry.id))?;
            writer.add_document(self.fields.document(entry))?;
            Ok(())
        })
    }

    /// Removes the entry of `kind` with `id` (if the index has it) as the change that made
    /// `lake_version` of its lake table; commits and reloads like [`Catalog::upsert`].
    pub fn delete(&self, kind: EntryKind, id: &str, lake_version: u64) -> Result<IndexUpdate> {
        self.apply(kind, lake_version, |writer| {
            writer.delete_query(self.entry_query(kind, id))?;
            Ok(())
        })
    }

    /// Replaces every entry of `kind` with `entries` (all of that kind) in one commit that
    /// records `lake_version` for its table (none: the lake has no such table), whatever the
    /// index reflected before. Returns how many entries were indexed.
    pub fn replace_kind(
        &self,
        kind: EntryKind,
        entries: &[CatalogEntry],
        lake_version: Option<u64>,
    ) -> Result<usize> {
        if let Some(other) = entries.iter().find(|entry| entry.kind != kind) {
            return Err(Error::InvalidKind(format!(
                "{} (entry {} given to replace the {kind} entries)",
                other.kind, other.id
            )));
        }
        let mut writer = self.writer()?;
        let mut versions = self.indexed_versions()?.unwrap_or_default();
        match lake_version {
            Some(version) => versions.insert(kind.table().to_string(), version),
            None => versions.remove(kind.table()),
        };
        let indexed = self.write(&mut writer, Some(&versions), |writer| {
            writer.delete_term(Term::from_field_text(self.fields.kind, kind.as_str()));
            self.add_entries(writer, entries)
        })?;
        tracing::info!(
            kind = kind.as_str(),
            entries = indexed,
            lake_version,
            "catalog entries of one kind re-indexed"
        );
        Ok(indexed)
    }

    /// Applies one change to the entries of `kind` as `lake_version` of their table.
    fn apply(
        &self,
        kind: EntryKind,
        lake_version: u64,
        change: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<()>,
    ) -> Result<IndexUpdate> {
        let mut writer = self.writer()?;
        let Some(mut versions) = self.indexed_versions()? else {
            return Ok(IndexUpdate::Behind { indexed: None });
        };
        let table = kind.table();
        let indexed = versions.get(table).copied();
        match indexed {
            Some(indexed) if indexed >= lake_version => return Ok(IndexUpdate::AlreadyIndexed),
            Some(indexed) if indexed + 1 == lake_version => {}
            _ => return Ok(IndexUpdate::Behind { indexed }),
        }
        versions.insert(table.to_string(), lake_version);
        self.write(&mut writer, Some(&versions), change)?;
        Ok(IndexUpdate::Applied)
    }

    /// Runs `change` on the writer, commits it with `versions` as payload and reloads the
    /// reader. On failure the writer is dropped, which discards what `change` did, and the
    /// next write creates a fresh one.
    fn write<T>(
        &self,
        writer: &mut MutexGuard<'_, Option<IndexWriter<TantivyDocument>>>,
        versions: Option<&LakeVersions>,
        change: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<T>,
    ) -> Result<T> {
        let Some(index_writer) = writer.as_mut() else {
            return Err(Error::Tantivy(TantivyError::InternalError(
                "the catalog index writer is not open".into(),
            )));
        };
        let outcome = (|| {
            let value = change(index_writer)?;
            let mut commit = index_writer.prepare_commit()?;
            if let Some(versions) = versions {
                let payload = CommitPayload {
                    lake_versions: versions.clone(),
                };
                let text = serde_json::to_string(&payload).map_err(|error| {
                    TantivyError::InternalError(format!("catalog payload: {error}"))
                })?;
                commit.set_payload(&text);
            }
            commit.commit()?;
            Ok(value)
        })();
        match outcome {
            Ok(value) => {
                self.reader.reload()?;
                Ok(value)
            }
            Err(error) => {
                **writer = None;
                Err(error)
            }
        }
    }

    /// Returns the index writer, created at the first write of this `Catalog`; fails with
    /// [`Error::IndexLocked`] when another process writes the index.
    fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter<TantivyDocument>>>> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        if writer.is_none() {
            let created = self
                .index
                .writer(WRITER_HEAP_BYTES)
                .map_err(|error| match error {
                    TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                        path: self.path.clone(),
                    },
                    other => Error::Tantivy(other),
                })?;
            *writer = Some(created);
        }
        Ok(writer)
    }

    /// Adds `entries` (the later of two with the same kind and id wins); returns how many
    /// were added.
    fn add_entries(
        &self,
        writer: &mut IndexWriter<TantivyDocument>,
        entries: &[CatalogEntry],
    ) -> Result<usize> {
        let mut seen = HashSet::with_capacity(entries.len());
        let mut indexed = 0;
        for entry in entries.iter().rev() {
            if !seen.insert((entry.kind, entry.id.as_str())) {
                continue;
            }
            writer.add_document(self.fields.document(entry))?;
            indexed += 1;
        }
        Ok(indexed)
    }

    /// Returns the query matching the entry of `kind` with `id`: ids are unique within a
    /// kind only.
    fn entry_query(&self, kind: EntryKind, id: &str) -> Box<dyn Query> {
        let term = |term: Term| -> (Occur, Box<dyn Query>) {
            (
                Occur::Must,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            )
        };
        Box::new(BooleanQuery::new(vec![
            term(Term::from_field_text(self.fields.kind, kind.as_str())),
            term(Term::from_field_text(self.fields.id, id)),
        ]))
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

    fn temporary_folder() -> Result<tempfile::TempDir> {
        tempfile::tempdir().map_err(|source| Error::Io {
            path: "tmp".into(),
            source,
        })
    }

    /// Returns `(id, title)` of every entry of `kind`, by id.
    fn listed(catalog: &Catalog, kind: EntryKind) -> Result<Vec<(String, String)>> {
        let results = catalog.search(&crate::SearchRequest {
            kind: Some(kind),
            limit: 100,
            ..Default::default()
        })?;
        let mut entries: Vec<(String, String)> = results
            .hits
            .into_iter()
            .map(|hit| (hit.id, hit.title))
            .collect();
        entries.sort();
        Ok(entries)
    }

    fn versions(pairs: &[(&str, u64)]) -> LakeVersions {
        pairs
            .iter()
            .map(|(table, version)| ((*table).to_string(), *version))
            .collect()
    }

    #[test]
    fn entries_change_one_by_one_and_commits_record_the_lake_versions() -> Result<()> {
        let folder = temporary_folder()?;
        let path = folder.path().join("catalog");
        let catalog = Catalog::open(&path)?;
        assert_eq!(
            catalog.indexed_versions()?,
            None,
            "a new index reflects nothing"
        );
        let start = versions(&[("service_offerings", 3), ("shared_applications", 1)]);
        catalog.rebuild_at(
            &[
                CatalogEntry::new(EntryKind::Offering, "X-1", "数字孪生"),
                CatalogEntry::new(EntryKind::Application, "X-1", "能耗监测平台"),
            ],
            &start,
        )?;
        assert_eq!(catalog.indexed_versions()?, Some(start));

        // The next version of the table: applied, searchable at once.
        let added = CatalogEntry::new(EntryKind::Offering, "X-2", "预测性维护");
        assert_eq!(catalog.upsert(&added, 4)?, IndexUpdate::Applied);
        assert_eq!(
            listed(&catalog, EntryKind::Offering)?,
            [
                ("X-1".to_string(), "数字孪生".to_string()),
                ("X-2".to_string(), "预测性维护".to_string())
            ]
        );
        // Replacing an entry keeps one document for it.
        let renamed = CatalogEntry::new(EntryKind::Offering, "X-2", "设备健康管理");
        assert_eq!(catalog.upsert(&renamed, 5)?, IndexUpdate::Applied);
        assert_eq!(catalog.len()?, 3);
        assert_eq!(
            listed(&catalog, EntryKind::Offering)?[1],
            ("X-2".to_string(), "设备健康管理".to_string())
        );
        // A version the index already reflects, or one after a gap, changes nothing.
        assert_eq!(catalog.upsert(&added, 5)?, IndexUpdate::AlreadyIndexed);
        assert_eq!(catalog.upsert(&added, 4)?, IndexUpdate::AlreadyIndexed);
        assert_eq!(
            catalog.upsert(&added, 7)?,
            IndexUpdate::Behind { indexed: Some(5) }
        );
        assert_eq!(
            listed(&catalog, EntryKind::Offering)?[1].1,
            "设备健康管理",
            "nothing applied"
        );
        // A table the index has no version of is behind too.
        let provider = CatalogEntry::new(EntryKind::Provider, "SP-1", "华兴");
        assert_eq!(
            catalog.upsert(&provider, 1)?,
            IndexUpdate::Behind { indexed: None }
        );

        // Deleting the offering X-1 leaves the application X-1.
        assert_eq!(
            catalog.delete(EntryKind::Offering, "X-1", 6)?,
            IndexUpdate::Applied
        );
        assert_eq!(
            listed(&catalog, EntryKind::Offering)?,
            [("X-2".to_string(), "设备健康管理".to_string())]
        );
        assert_eq!(listed(&catalog, EntryKind::Application)?.len(), 1);
        let expected = versions(&[("service_offerings", 6), ("shared_applications", 1)]);
        assert_eq!(catalog.indexed_versions()?, Some(expected.clone()));
        drop(catalog);

        let reopened = Catalog::open(&path)?;
        assert_eq!(reopened.indexed_versions()?, Some(expected));
        assert_eq!(reopened.len()?, 2);
        Ok(())
    }

    #[test]
    fn one_kind_is_replaced_without_touching_the_others() -> Result<()> {
        let folder = temporary_folder()?;
        let catalog = Catalog::open(&folder.path().join("catalog"))?;
        catalog.rebuild_at(
            &[
                CatalogEntry::new(EntryKind::Offering, "O-1", "数字孪生"),
                CatalogEntry::new(EntryKind::Offering, "O-2", "视觉检测"),
                CatalogEntry::new(EntryKind::Provider, "SP-1", "华兴"),
            ],
            &versions(&[("service_offerings", 2), ("service_providers", 1)]),
        )?;
        let offerings = [
            CatalogEntry::new(EntryKind::Offering, "O-2", "视觉质检"),
            CatalogEntry::new(EntryKind::Offering, "O-3", "能耗监测"),
        ];
        assert_eq!(
            catalog.replace_kind(EntryKind::Offering, &offerings, Some(9))?,
            2
        );
        assert_eq!(
            listed(&catalog, EntryKind::Offering)?,
            [
                ("O-2".to_string(), "视觉质检".to_string()),
                ("O-3".to_string(), "能耗监测".to_string())
            ]
        );
        assert_eq!(listed(&catalog, EntryKind::Provider)?.len(), 1);
        assert_eq!(
            catalog.indexed_versions()?,
            Some(versions(&[
                ("service_offerings", 9),
                ("service_providers", 1)
            ]))
        );
        // A table gone from the lake: no entries, no version.
        assert_eq!(catalog.replace_kind(EntryKind::Provider, &[], None)?, 0);
        assert_eq!(
            catalog.indexed_versions()?,
            Some(versions(&[("service_offerings", 9)]))
        );
        assert!(listed(&catalog, EntryKind::Provider)?.is_empty());
        // Entries of another kind are refused.
        assert!(
            catalog
                .replace_kind(EntryKind::Provider, &offerings, Some(2))
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn a_rebuild_without_versions_is_behind_every_change() -> Result<()> {
        let folder = temporary_folder()?;
        let catalog = Catalog::open(&folder.path().join("catalog"))?;
        catalog.rebuild_at(&[], &versions(&[("service_offerings", 1)]))?;
        catalog.rebuild(&[CatalogEntry::new(EntryKind::Offering, "O-1", "数字孪生")])?;
        assert_eq!(catalog.indexed_versions()?, None);
        let entry = CatalogEntry::new(EntryKind::Offering, "O-2", "视觉检测");
        assert_eq!(
            catalog.upsert(&entry, 2)?,
            IndexUpdate::Behind { indexed: None }
        );
        assert_eq!(catalog.len()?, 1);
        Ok(())
    }

    #[test]
    fn a_second_writer_of_the_same_folder_is_refused_while_the_first_lives() -> Result<()> {
        let folder = temporary_folder()?;
        let path = folder.path().join("catalog");
        let first = Catalog::open(&path)?;
        first.rebuild_at(&[], &LakeVersions::new())?;
        let second = Catalog::open(&path)?;
        let error = second
            .rebuild(&[])
            .expect_err("the first catalog holds the writer");
        assert!(matches!(error, Error::IndexLocked { .. }), "{error}");
        assert!(error.to_string().contains("another process"));
        // Searching needs no writer.
        assert!(second.is_empty()?);
        drop(first);
        assert_eq!(second.rebuild(&[])?, 0);
        Ok(())
    }
}
