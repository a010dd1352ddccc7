//! The source arguments of `parkhub ingest`: files, globs, directories and `s3://` URLs,
//! expanded into the list of files to ingest, and made available as local files.
//!
//! The rules, the same for every kind of argument:
//!
//! - A file (or an `s3://bucket/key` object) named directly is taken whatever its extension:
//!   the caller may say its format.
//! - A directory, or an `s3://bucket/prefix/`, stands for the files below it, recursively, that
//!   have the extension of a registered format ([`SourceFormat::from_extension`]); hidden files and folders (a name starting
//!   with `.`) and the `done/` and `failed/` folders a watched inbox keeps are skipped.
//! - A glob (`data/*.csv`, `inbox/**/*.json`, also in an `s3://` key) stands for the files it
//!   matches; `*` and `?` do not cross `/` (`**` does) and match no leading `.`; matches inside
//!   `done/` or `failed/` folders below the pattern's literal part are skipped, and so are
//!   directories (a glob selects files).
//! - Arguments are expanded in order; the files of one directory, prefix or glob are sorted by
//!   path; a file reached twice is listed once, where it was first reached.
//! - An argument that matches nothing is an error naming it.
//!
//! S3 credentials, region and endpoint come from the usual AWS environment variables
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` or
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` with `AWS_ALLOW_HTTP=true` for S3-compatible stores
//! over plain HTTP), read by [`AmazonS3Builder::from_env`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::{ObjectMeta, ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

use crate::decode::SourceFormat;
use crate::error::{Error, Result};

/// Folders skipped below a directory, prefix or glob: where a watched inbox keeps the files it
/// has handled.
const SKIPPED_FOLDERS: &[&str] = &["done", "failed"];

/// The characters that make a path or key a glob.
const GLOB_CHARACTERS: &[char] = &['*', '?', '['];

/// One file to ingest.
#[derive(Debug, Clone)]
pub struct SourceItem {
    /// The path as given (or as found below a directory or by a glob), or the `s3://` URL.
    pub display: String,
    /// Where its bytes are.
    pub location: SourceLocation,
    /// Its size in bytes, when known.
    pub size: Option<u64>,
}

/// Where a [`SourceItem`]'s bytes are.
#[derive(Debug, Clone)]
pub enum SourceLocation {
    /// A file on this machine.
    Local(PathBuf),
    /// An object in an object store.
    Remote {
        /// The store (one per bucket).
        store: Arc<dyn ObjectStore>,
        /// The object's path inside the store.
        path: object_store::path::Path,
        /// The object as a URL: `s3://bucket/key`.
        url: String,
    },
}

/// Builds the object store of one S3 bucket.
type StoreFactory<'a> =
    dyn Fn(&str) -> object_store::Result<Arc<dyn ObjectStore>> + Send + Sync + 'a;

/// Expands arguments in order, de-duplicated, sorted within each glob/dir/prefix. An argument
/// that matches nothing is an error naming it (a missing file, a glob with no match, an empty
/// prefix), as is an unsupported URL scheme (only file paths and s3:// for now).
pub async fn expand_sources(arguments: &[String]) -> Result<Vec<SourceItem>, Error> {
    let from_env = |bucket: &str| -> object_store::Result<Arc<dyn ObjectStore>> {
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        Ok(Arc::new(store))
    };
    expand_with(arguments, &from_env).await
}

/// [`expand_sources`] with the S3 stores built by `factory`.
async fn expand_with(arguments: &[String], factory: &StoreFactory<'_>) -> Result<Vec<SourceItem>> {
    let mut stores: HashMap<String, Arc<dyn ObjectStore>> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut items = Vec::new();
    for argument in arguments {
        let expanded = match Argument::parse(argument)? {
            Argument::Local(path) => {
                let argument = argument.clone();
                tokio::task::spawn_blocking(move || expand_local(&argument, &path))
                    .await
                    .map_err(|error| Error::Background(error.to_string()))??
            }
            Argument::S3 { bucket, key } => {
                let store = match stores.get(&bucket) {
                    Some(store) => Arc::clone(store),
                    None => {
                        let store = factory(&bucket).map_err(|source| Error::ObjectStore {
                            url: format!("s3://{bucket}"),
                            source,
                        })?;
                        stores.insert(bucket.clone(), Arc::clone(&store));
                        store
                    }
                };
                expand_s3(argument, store, &bucket, &key).await?
            }
        };
        for item in expanded {
            if seen.insert(identity(&item)) {
                items.push(item);
            }
        }
    }
    Ok(items)
}

/// Makes a source available as a local file: Local → the path itself; Remote → streamed into a
/// new file under `<data_dir>/tmp/` (named by [`crate::ingest::upload_path`]), chunk by chunk,
/// reporting the bytes received so far to `on_bytes`.
///
/// Returns the path and whether it is a temporary copy the caller must delete. A download that
/// fails (or whose future is dropped) leaves no file behind.
pub async fn fetch_local(
    item: &SourceItem,
    data_dir: &Path,
    on_bytes: &(dyn Fn(u64) + Send + Sync),
) -> Result<(PathBuf, bool), Error> {
    let (store, path, url) = match &item.location {
        SourceLocation::Local(path) => return Ok((path.clone(), false)),
        SourceLocation::Remote { store, path, url } => (store, path, url),
    };
    let object_error = |source| Error::ObjectStore {
        url: url.clone(),
        source,
    };
    let target = crate::ingest::upload_path(data_dir);
    if let Some(folder) = target.parent() {
        tokio::fs::create_dir_all(folder)
            .await
            .map_err(|source| Error::Io {
                path: folder.to_path_buf(),
                source,
            })?;
    }
    let io_error = |source| Error::Io {
        path: target.clone(),
        source,
    };
    let result = store.get(path).await.map_err(object_error)?;
    let expected = result.meta.size;
    let mut stream = result.into_stream();
    let partial = PartialFile(Some(target.clone()));
    let mut file = tokio::fs::File::create(&target).await.map_err(io_error)?;
    let mut received: u64 = 0;
    on_bytes(0);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(object_error)?;
        file.write_all(&chunk).await.map_err(io_error)?;
        received += chunk.len() as u64;
        on_bytes(received);
    }
    file.flush().await.map_err(io_error)?;
    drop(file);
    if received != expected {
        return Err(Error::SourceRead {
            offset: received,
            source: std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{url}: the object has {expected} bytes, {received} arrived"),
            ),
        });
    }
    partial.keep();
    Ok((target, true))
}

/// A download's file, removed when dropped unless kept.
struct PartialFile(Option<PathBuf>);

impl PartialFile {
    /// Keeps the file.
    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What an argument names.
#[derive(Debug, PartialEq)]
enum Argument {
    /// A local path, directory or glob.
    Local(PathBuf),
    /// An S3 object, prefix or glob; `key` is empty for the whole bucket.
    S3 {
        /// The bucket.
        bucket: String,
        /// The key, prefix or glob inside the bucket, as given.
        key: String,
    },
}

impl Argument {
    /// Tells a URL from a path by its `scheme://`.
    fn parse(argument: &str) -> Result<Argument> {
        let Some((scheme, rest)) = argument.split_once("://") else {
            return Ok(Argument::Local(PathBuf::from(argument)));
        };
        let is_scheme = scheme
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !is_scheme {
            return Ok(Argument::Local(PathBuf::from(argument)));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "s3" => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(Error::InvalidSource {
                        argument: argument.to_string(),
                        reason: "an S3 URL names a bucket: s3://bucket/key or s3://bucket/prefix/"
                            .into(),
                    });
                }
                Ok(Argument::S3 {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                })
            }
            "file" => {
                let path = url::Url::parse(argument)
                    .ok()
                    .and_then(|url| url.to_file_path().ok())
                    .ok_or_else(|| Error::InvalidSource {
                        argument: argument.to_string(),
                        reason: "not a file URL of this machine (file:///absolute/path)".into(),
                    })?;
                Ok(Argument::Local(path))
            }
            _ => Err(Error::UnsupportedScheme {
                argument: argument.to_string(),
                scheme: scheme.to_string(),
            }),
        }
    }
}

/// What makes two items the same file.
fn identity(item: &SourceItem) -> String {
    match &item.location {
        SourceLocation::Local(path) => {
            let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            format!("file:{}", path.display())
        }
        SourceLocation::Remote { url, .. } => url.clone(),
    }
}

/// True when a file name ends in the extension of a registered format (in any case).
fn has_known_extension(name: &str) -> bool {
    SourceFormat::from_extension(name).is_some()
}

/// True when a path below a directory, prefix or glob base is skipped: a hidden part, or a
/// `done/` or `failed/` folder. `parts` are the path's parts below the base, the file's last.
fn is_skipped<'a>(parts: impl IntoIterator<Item = &'a str>) -> bool {
    let parts: Vec<&str> = parts.into_iter().collect();
    let Some((_file, folders)) = parts.split_last() else {
        return false;
    };
    parts.iter().any(|part| part.starts_with('.'))
        || folders
            .iter()
            .any(|folder| SKIPPED_FOLDERS.contains(folder))
}

/// The glob matching options: `*` and `?` stay within a path part and match no leading dot.
fn match_options() -> glob::MatchOptions {
    glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    }
}

/// Expands a local argument (blocking: it reads the file system).
fn expand_local(argument: &str, path: &Path) -> Result<Vec<SourceItem>> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            let pattern = path.to_string_lossy();
            if pattern.contains(GLOB_CHARACTERS) {
                return expand_glob(argument, &pattern);
            }
            return Err(Error::SourceNotFound {
                argument: argument.to_string(),
                reason: "no such file or directory".into(),
            });
        }
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !metadata.is_dir() {
        return Ok(vec![SourceItem {
            display: argument.to_string(),
            location: SourceLocation::Local(path.to_path_buf()),
            size: Some(metadata.len()),
        }]);
    }
    let items = walk_directory(path)?;
    if items.is_empty() {
        return Err(Error::SourceNotFound {
            argument: argument.to_string(),
            reason: format!(
                "the directory holds no file with a known extension ({})",
                SourceFormat::extensions_list()
            ),
        });
    }
    Ok(items)
}

/// The files below a directory with a known extension, skipping hidden files and folders and
/// `done/` and `failed/` folders, sorted by path.
fn walk_directory(root: &Path) -> Result<Vec<SourceItem>> {
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            !(name.starts_with('.')
                || entry.file_type().is_dir() && SKIPPED_FOLDERS.contains(&name.as_ref()))
        });
    let mut items = Vec::new();
    for entry in walker {
        let entry = entry.map_err(|error| {
            let path = error
                .path()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
            let message = error.to_string();
            let source = error
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other(message));
            Error::Io { path, source }
        })?;
        if !entry.file_type().is_file()
            || !has_known_extension(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let size = entry.metadata().ok().map(|metadata| metadata.len());
        let path = entry.into_path();
        items.push(SourceItem {
            display: path.display().to_string(),
            location: SourceLocation::Local(path),
            size,
        });
    }
    items.sort_by(|a, b| local_path(a).cmp(&local_path(b)));
    Ok(items)
}

/// The path of a local item (items of other kinds sort first).
fn local_path(item: &SourceItem) -> Option<&Path> {
    match &item.location {
        SourceLocation::Local(path) => Some(path),
        SourceLocation::Remote { .. } => None,
    }
}

/// The files a local glob matches, sorted by path.
fn expand_glob(argument: &str, pattern: &str) -> Result<Vec<SourceItem>> {
    let matches =
        glob::glob_with(pattern, match_options()).map_err(|error| Error::InvalidSource {
            argument: argument.to_string(),
            reason: format!("not a valid glob: {error}"),
        })?;
    // The literal part of the pattern, before its first part with a wildcard.
    let base: PathBuf = Path::new(pattern)
        .components()
        .take_while(|component| {
            !component
                .as_os_str()
                .to_string_lossy()
                .contains(GLOB_CHARACTERS)
        })
        .collect();
    let mut items = Vec::new();
    for found in matches {
        let path = found.map_err(|error| Error::Io {
            path: error.path().to_path_buf(),
            source: error.into(),
        })?;
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            continue;
        }
        let below: Vec<String> = path
            .strip_prefix(&base)
            .unwrap_or(&path)
            .components()
            .map(|component| component.as_os_str().to_string_lossy().into_owned())
            .collect();
        // Hidden parts were matched literally (the options keep wildcards off them): only the
        // inbox folders are skipped here.
        if below
            .split_last()
            .is_some_and(|(_, folders)| folders.iter().any(|f| SKIPPED_FOLDERS.contains(&&**f)))
        {
            continue;
        }
        items.push(SourceItem {
            display: path.display().to_string(),
            location: SourceLocation::Local(path),
            size: Some(metadata.len()),
        });
    }
    if items.is_empty() {
        return Err(Error::SourceNotFound {
            argument: argument.to_string(),
            reason: "the glob matches no file".into(),
        });
    }
    items.sort_by(|a, b| local_path(a).cmp(&local_path(b)));
    Ok(items)
}

/// Expands an `s3://bucket/...` argument.
async fn expand_s3(
    argument: &str,
    store: Arc<dyn ObjectStore>,
    bucket: &str,
    key: &str,
) -> Result<Vec<SourceItem>> {
    let invalid = |reason: String| Error::InvalidSource {
        argument: argument.to_string(),
        reason,
    };
    let not_found = |reason: &str| Error::SourceNotFound {
        argument: argument.to_string(),
        reason: reason.to_string(),
    };
    let item = |meta: ObjectMeta| {
        let url = format!("s3://{bucket}/{}", meta.location);
        SourceItem {
            display: url.clone(),
            location: SourceLocation::Remote {
                store: Arc::clone(&store),
                path: meta.location,
                url,
            },
            size: Some(meta.size),
        }
    };

    if key.contains(GLOB_CHARACTERS) {
        let pattern = glob::Pattern::new(key.trim_start_matches('/'))
            .map_err(|error| invalid(format!("not a valid glob: {error}")))?;
        let literal: Vec<&str> = key
            .split('/')
            .filter(|part| !part.is_empty())
            .take_while(|part| !part.contains(GLOB_CHARACTERS))
            .collect();
        let prefix = object_path(&literal.join("/")).map_err(invalid)?;
        let objects = list(&store, argument, &prefix).await?;
        let mut items: Vec<SourceItem> = objects
            .into_iter()
            .filter(|meta| {
                let below: Vec<&str> = meta
                    .location
                    .as_ref()
                    .split('/')
                    .skip(literal.len())
                    .collect();
                let inbox = below.split_last().is_some_and(|(_, folders)| {
                    folders.iter().any(|f| SKIPPED_FOLDERS.contains(f))
                });
                !inbox && pattern.matches_with(meta.location.as_ref(), match_options())
            })
            .map(item)
            .collect();
        if items.is_empty() {
            return Err(not_found("the glob matches no object"));
        }
        items.sort_by(|a, b| a.display.cmp(&b.display));
        return Ok(items);
    }

    let path = object_path(key).map_err(invalid)?;
    if !key.is_empty() && !key.ends_with('/') {
        match store.head(&path).await {
            Ok(meta) => return Ok(vec![item(meta)]),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(source) => {
                return Err(Error::ObjectStore {
                    url: argument.to_string(),
                    source,
                });
            }
        }
    }
    let objects = list(&store, argument, &path).await?;
    let listed_any = !objects.is_empty();
    let mut items: Vec<SourceItem> = objects
        .into_iter()
        .filter(|meta| {
            meta.location.prefix_match(&path).is_some_and(|below| {
                let below: Vec<_> = below.collect();
                let is_known = below
                    .last()
                    .is_some_and(|name| has_known_extension(name.as_ref()));
                is_known && !is_skipped(below.iter().map(|part| part.as_ref()))
            })
        })
        .map(item)
        .collect();
    if items.is_empty() {
        let reason = if key.is_empty() || key.ends_with('/') || listed_any {
            format!(
                "no object with a known extension ({}) under this prefix",
                SourceFormat::extensions_list()
            )
        } else {
            "no such object, and no object under it as a prefix".to_string()
        };
        return Err(not_found(&reason));
    }
    items.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(items)
}

/// Parses a key or prefix as an object store path.
fn object_path(key: &str) -> std::result::Result<object_store::path::Path, String> {
    object_store::path::Path::parse(key)
        .map_err(|error| format!("not a usable object key: {error}"))
}

/// Lists every object under `prefix` (all of the bucket when it is empty).
async fn list(
    store: &Arc<dyn ObjectStore>,
    argument: &str,
    prefix: &object_store::path::Path,
) -> Result<Vec<ObjectMeta>> {
    let prefix = (!prefix.is_root()).then_some(prefix);
    store
        .list(prefix)
        .try_collect()
        .await
        .map_err(|source| Error::ObjectStore {
            url: argument.to_string(),
            source,
        })
}

#[cfg(test)]
mod tests;
