//! Keeping the index in step with the lake: the version catch-up run at every start and after
//! ingests into a catalog table, and the whole re-index.
//!
//! A crash between an edit's lake commit and its index commit, an ingest, or another process
//! writing a catalog table leaves the index behind the lake. [`LiveCatalog::catch_up`]
//! compares the versions the index's last commit records with the lake's and re-indexes the
//! tables that moved; an index that records no versions (built by an older ParkHub, or
//! deleted) is rebuilt whole.

use std::sync::Arc;

use crate::entry::{CatalogEntry, EntryKind, entries_from_batches};
use crate::error::{Error, Result};
use crate::index::LakeVersions;
use crate::live::LiveCatalog;

/// What [`LiveCatalog::catch_up`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatchUp {
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

impl LiveCatalog {
    /// Returns the current versions of the catalog lake tables that exist.
    pub async fn lake_versions(&self) -> Result<LakeVersions> {
        let mut versions = LakeVersions::new();
        for kind in EntryKind::ALL {
            if let Some(version) = self.lake.table_version(kind.table()).await? {
                versions.insert(kind.table().to_string(), version);
            }
        }
        Ok(versions)
    }

    /// Rebuilds the index from the three catalog lake tables, recording the versions read;
    /// returns the number of entries indexed. Fails with [`Error::IndexLocked`] while another
    /// process writes the index.
    pub async fn reindex(&self) -> Result<usize> {
        let _turn = self.turn.lock().await;
        self.rebuild().await
    }

    /// Brings the index up to the lake: nothing when the versions it records are the lake's,
    /// a re-index of the tables that moved otherwise, a whole rebuild when it records none
    /// while the lake has catalog tables (a fresh data directory after `ingest`, a deleted
    /// index, an index of an older ParkHub).
    pub async fn catch_up(&self) -> Result<CatchUp> {
        let _turn = self.turn.lock().await;
        let lake_versions = self.lake_versions().await?;
        let Some(indexed) = self.index.indexed_versions()? else {
            if lake_versions.is_empty() && self.index.is_empty()? {
                return Ok(CatchUp::UpToDate);
            }
            let entries = self.rebuild().await?;
            return Ok(CatchUp::Rebuilt { entries });
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
                self.reindex_kind(kind).await?;
                tables.push(table);
            }
        }
        Ok(if tables.is_empty() {
            CatchUp::UpToDate
        } else {
            CatchUp::Reindexed { tables }
        })
    }

    /// Catches the index up with the lake ([`LiveCatalog::catch_up`]), as every start does.
    /// When another process holds the index's writer (a running server, while this is a
    /// command-line search), the index is searched as it is.
    pub async fn ensure_caught_up(&self) -> Result<()> {
        match self.catch_up().await {
            Ok(CatchUp::UpToDate) => Ok(()),
            Ok(CatchUp::Rebuilt { entries }) => {
                tracing::info!(entries, "built the catalog index from the lake");
                Ok(())
            }
            Ok(CatchUp::Reindexed { tables }) => {
                tracing::info!(?tables, "caught the catalog index up with the lake");
                Ok(())
            }
            Err(Error::IndexLocked { path }) => {
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
        if let Err(error) = self.catch_up().await {
            tracing::warn!(
                table,
                %error,
                "ingested catalog rows are not indexed yet; the next start indexes them"
            );
        }
    }

    /// Rebuilds the whole index from the lake. The caller holds `turn`.
    async fn rebuild(&self) -> Result<usize> {
        let mut entries: Vec<CatalogEntry> = Vec::new();
        let mut versions = LakeVersions::new();
        for kind in EntryKind::ALL {
            let snapshot = self.read_kind(kind).await?;
            if let Some(version) = snapshot.version {
                versions.insert(kind.table().to_string(), version);
            }
            entries.extend(entries_from_batches(kind, &snapshot.batches)?);
        }
        // Indexing is CPU work (jieba, tantivy's commit): keep it off the async threads.
        let index = Arc::clone(&self.index);
        tokio::task::spawn_blocking(move || index.rebuild_at(&entries, &versions)).await?
    }

    /// Re-indexes the entries of one kind from its lake table. The caller holds `turn`.
    pub(super) async fn reindex_kind(&self, kind: EntryKind) -> Result<usize> {
        let snapshot = self.read_kind(kind).await?;
        let entries = entries_from_batches(kind, &snapshot.batches)?;
        let index = Arc::clone(&self.index);
        let version = snapshot.version;
        tokio::task::spawn_blocking(move || index.replace_kind(kind, &entries, version)).await?
    }
}
