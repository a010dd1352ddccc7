//! The files of `<data-dir>/auth/`: private (folder 0700, files 0600), replaced atomically
//! (a temporary file renamed over the old one), changed under an OS file lock, and re-read by
//! readers when their identity changes. The token store and the grant store keep their JSON
//! this way, so a change made by `parkhub token …` or `parkhub grant …` counts in a running
//! `serve` from its next request on.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// What identifies one version of a file: every write renames a new file over it, so its inode
/// changes even when its length and time do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    length: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

/// Returns a closure that names `path` in an I/O error.
pub fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::StoreIo {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `folder` and its parents, the folder itself with mode 0700.
pub fn create_private_dir(folder: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(folder).map_err(io_error(folder))
}

/// Takes the writers' lock `lock_name` in `folder`; released when the returned file is dropped.
pub fn lock(folder: &Path, lock_name: &str) -> Result<File> {
    let path = folder.join(lock_name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    file.lock().map_err(io_error(&path))?;
    Ok(file)
}

/// Writes `bytes` to `path` through a temporary file with mode 0600 renamed over it.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let temporary = folder.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|name| name.to_string_lossy())
            .unwrap_or_default(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let written = (|| {
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // Make the rename itself durable.
        if let Ok(directory) = File::open(folder) {
            let _ = directory.sync_all();
        }
        Ok(())
    })();
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::StoreIo {
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Writes `value` to `path` as pretty JSON, atomically and privately.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_vec_pretty(value).map_err(|source| Error::StoreCorrupt {
        path: path.to_path_buf(),
        source,
    })?;
    text.push(b'\n');
    write_private(path, &text)
}

/// Reads the JSON of `path`; a missing file reads as the default value.
pub fn read_json<T: DeserializeOwned + Default>(path: &Path) -> Result<T> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| Error::StoreCorrupt {
            path: path.to_path_buf(),
            source,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(Error::StoreIo {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Returns the identity of `path` now; `None` when it does not exist.
pub fn stamp_of(path: &Path) -> Result<Option<FileStamp>> {
    match std::fs::metadata(path) {
        Ok(metadata) => {
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
            #[cfg(not(unix))]
            let inode = 0;
            Ok(Some(FileStamp {
                length: metadata.len(),
                modified: metadata.modified().ok(),
                inode,
            }))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::StoreIo {
            path: path.to_path_buf(),
            source,
        }),
    }
}
