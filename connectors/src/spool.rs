//! Spool files: Arrow IPC files in the data directory's `tmp/` folder that hold a batch's rows
//! between validation and commit, so the commit can read them again when it has to (a merge
//! reads its source twice; a conflicting commit is retried) without holding them in memory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::ipc::reader::FileReader;
use datafusion::arrow::ipc::writer::FileWriter;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;

use crate::error::{Error, Result};
use crate::lake::BatchSource;

/// Folder of spool files inside the data directory.
pub const SPOOL_FOLDER: &str = "tmp";

/// An Arrow IPC file being written; deleted when dropped unless finished into a [`SpoolFile`].
pub struct SpoolWriter {
    path: PathBuf,
    writer: Option<FileWriter<File>>,
    schema: SchemaRef,
    rows: u64,
}

impl std::fmt::Debug for SpoolWriter {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SpoolWriter")
            .field("path", &self.path)
            .field("rows", &self.rows)
            .finish()
    }
}

impl SpoolWriter {
    /// Creates a spool file for batches of `schema` under `<data_dir>/tmp/`.
    pub fn create(data_dir: &Path, schema: SchemaRef) -> Result<SpoolWriter> {
        let folder = data_dir.join(SPOOL_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|source| Error::Io {
            path: folder.clone(),
            source,
        })?;
        let path = folder.join(format!("spool-{}.arrow", uuid::Uuid::new_v4()));
        let file = File::create(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let writer = FileWriter::try_new(file, &schema)?;
        Ok(SpoolWriter {
            path,
            writer: Some(writer),
            schema,
            rows: 0,
        })
    }

    /// Appends a batch (empty batches are skipped).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if let Some(writer) = self.writer.as_mut() {
            writer.write(batch)?;
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Finishes the file and returns it as a re-readable batch source.
    pub fn finish(mut self) -> Result<SpoolFile> {
        if let Some(mut writer) = self.writer.take() {
            writer.finish()?;
        }
        let path = std::mem::take(&mut self.path);
        Ok(SpoolFile {
            path,
            schema: Arc::clone(&self.schema),
            rows: self.rows,
        })
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A finished spool file; deleted when dropped.
#[derive(Debug)]
pub struct SpoolFile {
    path: PathBuf,
    schema: SchemaRef,
    rows: u64,
}

impl SpoolFile {
    /// Rows in the file.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

impl BatchSource for SpoolFile {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn open(&self) -> Result<SendableRecordBatchStream> {
        let file = File::open(&self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        let reader = FileReader::try_new(file, None)?;
        let batches = reader.map(|batch| batch.map_err(datafusion::error::DataFusionError::from));
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            futures::stream::iter(batches),
        )))
    }
}

impl Drop for SpoolFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes spool files left behind by a process that was killed (called at start).
pub fn clean_stale_spool_files(data_dir: &Path) {
    let folder = data_dir.join(SPOOL_FOLDER);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < an_hour_ago);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
