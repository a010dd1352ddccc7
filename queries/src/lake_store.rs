//! The only files a query can touch: the lake. DataFusion's default object store registry
//! serves `file://` for the whole filesystem; the engine's registry serves a read-only store
//! that refuses every path outside the lake folder, and nothing else.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::execution::object_store::ObjectStoreRegistry;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use url::Url;

/// A read-only view of the local filesystem limited to one folder.
#[derive(Debug)]
pub struct LakeOnlyStore {
    inner: LocalFileSystem,
    /// The lake folder as an object-store path (no leading slash).
    root: Path,
}

impl fmt::Display for LakeOnlyStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "LakeOnlyStore(/{})", self.root)
    }
}

impl LakeOnlyStore {
    /// Creates the store for the lake folder `lake_dir` (absolute).
    pub fn new(lake_dir: &std::path::Path) -> crate::Result<LakeOnlyStore> {
        // As DataFusion reports a store's errors.
        let root = Path::from_absolute_path(lake_dir)
            .map_err(|error| crate::Error::DataFusion(object_store::Error::from(error).into()))?;
        Ok(LakeOnlyStore {
            inner: LocalFileSystem::new(),
            root,
        })
    }

    fn allowed(&self, location: &Path) -> bool {
        location.prefix_matches(&self.root) && !location.parts().any(|part| part.as_ref() == "..")
    }

    fn refuse(&self, location: &Path) -> object_store::Error {
        object_store::Error::PermissionDenied {
            path: location.to_string(),
            source: format!("only the lake (/{}) can be read by queries", self.root).into(),
        }
    }

    fn read_only(&self, location: &Path) -> object_store::Error {
        object_store::Error::PermissionDenied {
            path: location.to_string(),
            source: "queries are read-only".into(),
        }
    }
}

#[async_trait]
impl ObjectStore for LakeOnlyStore {
    async fn put_opts(
        &self,
        location: &Path,
        _payload: PutPayload,
        _options: PutOptions,
    ) -> object_store::Result<PutResult> {
        Err(self.read_only(location))
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        _options: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        Err(self.read_only(location))
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        if !self.allowed(location) {
            return Err(self.refuse(location));
        }
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        locations
            .map(|location| {
                let location = location?;
                Err(object_store::Error::PermissionDenied {
                    path: location.to_string(),
                    source: "queries are read-only".into(),
                })
            })
            .boxed()
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        match prefix {
            Some(prefix) if self.allowed(prefix) => self.inner.list(Some(prefix)),
            other => {
                let error = self.refuse(other.unwrap_or(&Path::default()));
                futures::stream::once(async move { Err(error) }).boxed()
            }
        }
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        match prefix {
            Some(prefix) if self.allowed(prefix) => {
                self.inner.list_with_delimiter(Some(prefix)).await
            }
            other => Err(self.refuse(other.unwrap_or(&Path::default()))),
        }
    }

    async fn copy_opts(
        &self,
        _from: &Path,
        to: &Path,
        _options: CopyOptions,
    ) -> object_store::Result<()> {
        Err(self.read_only(to))
    }
}

/// An object store registry that knows one store: the lake, read-only, under `file://`.
#[derive(Debug)]
pub struct LakeOnlyRegistry {
    store: Arc<dyn ObjectStore>,
}

impl LakeOnlyRegistry {
    /// Creates the registry for the lake folder `lake_dir`.
    pub fn new(lake_dir: &std::path::Path) -> crate::Result<LakeOnlyRegistry> {
        Ok(LakeOnlyRegistry {
            store: Arc::new(LakeOnlyStore::new(lake_dir)?),
        })
    }
}

impl ObjectStoreRegistry for LakeOnlyRegistry {
    fn register_store(
        &self,
        url: &Url,
        _store: Arc<dyn ObjectStore>,
    ) -> Option<Arc<dyn ObjectStore>> {
        // Stores are fixed: the lake's is the only one. A table provider asking to register the
        // lake's root gets the guarded store anyway through `get_store`.
        tracing::debug!(%url, "ignored an object store registration");
        None
    }

    fn get_store(&self, url: &Url) -> datafusion::error::Result<Arc<dyn ObjectStore>> {
        if url.scheme() == "file" {
            return Ok(Arc::clone(&self.store));
        }
        Err(datafusion::error::DataFusionError::Plan(format!(
            "{url} cannot be read: queries read the lake's tables only"
        )))
    }
}

#[cfg(test)]
mod tests {
    use object_store::ObjectStoreExt;

    use super::*;

    #[tokio::test]
    async fn only_the_lake_can_be_read_and_nothing_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = dir.path().join("lake");
        std::fs::create_dir_all(lake.join("t")).expect("mkdir");
        std::fs::write(lake.join("t/part.parquet"), b"data").expect("write");
        std::fs::write(dir.path().join("secret.txt"), b"secret").expect("write");
        let store = LakeOnlyStore::new(&lake).expect("store");

        let inside = Path::from_absolute_path(lake.join("t/part.parquet")).expect("path");
        assert_eq!(
            store
                .get(&inside)
                .await
                .expect("read")
                .bytes()
                .await
                .expect("bytes")
                .as_ref(),
            b"data"
        );
        for outside in [
            dir.path().join("secret.txt"),
            std::path::PathBuf::from("/etc/passwd"),
        ] {
            let outside = Path::from_absolute_path(&outside).expect("path");
            let error = store.get(&outside).await.expect_err("refused");
            assert!(error.to_string().contains("only the lake"), "{error}");
        }
        let error = store
            .put(&inside, PutPayload::from_static(b"x"))
            .await
            .expect_err("read-only");
        assert!(error.to_string().contains("read-only"), "{error}");
        assert_eq!(
            std::fs::read(lake.join("t/part.parquet")).expect("read"),
            b"data"
        );
        let listed: Vec<_> = store.list(Some(&Path::from("etc"))).collect().await;
        assert!(listed.iter().all(Result::is_err));

        let registry = LakeOnlyRegistry::new(&lake).expect("registry");
        assert!(
            registry
                .get_store(&Url::parse("s3://bucket/x").expect("url"))
                .is_err()
        );
    }
}
