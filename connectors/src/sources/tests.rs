//! Tests of source expansion: local files, globs and directories on a temporary folder, and
//! `s3://` URLs against a real S3-compatible server (moto, from PyPI: `make test-deps`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use object_store::PutPayload;

use super::*;

/// Creates `relative` under `root` (and its folders) holding `content`.
fn touch(root: &Path, relative: &str, content: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// Expands local arguments (no S3 store may be built).
async fn expand(arguments: &[String]) -> Result<Vec<SourceItem>> {
    let no_store = |bucket: &str| -> object_store::Result<Arc<dyn ObjectStore>> {
        panic!("no S3 store expected, asked for bucket {bucket}")
    };
    expand_with(arguments, &no_store).await
}

/// The paths of local items relative to `root`, with `/` separators.
fn relative(items: &[SourceItem], root: &Path) -> Vec<String> {
    items
        .iter()
        .map(|item| match &item.location {
            SourceLocation::Local(path) => path
                .strip_prefix(root)
                .expect("below the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            SourceLocation::Remote { url, .. } => panic!("remote item {url}"),
        })
        .collect()
}

fn argument(root: &Path, relative: &str) -> String {
    root.join(relative).display().to_string()
}

/// A folder like a park's inbox: known and unknown extensions, nesting, hidden files, and the
/// `done/` and `failed/` folders.
fn inbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    touch(root, "b.csv", "b");
    touch(root, "a.csv", "aa");
    touch(root, "c.xlsx", "c");
    touch(root, "notes.md", "not data");
    touch(root, "UPPER.CSV", "u");
    touch(root, ".hidden.csv", "h");
    touch(root, ".cache/in-hidden-folder.csv", "h");
    touch(root, "done/old.csv", "d");
    touch(root, "failed/bad.csv", "f");
    touch(root, "2024/01/x.ndjson", "x");
    touch(root, "2024/01/done/deep-done.csv", "d");
    touch(root, "2024/02/y.parquet", "y");
    touch(root, "2024/02/z.jsonl", "z");
    touch(root, "2024/readme.txt", "t");
    touch(root, "2024/data.tsv", "t");
    touch(root, "2024/e.json", "e");
    dir
}

#[tokio::test]
async fn a_directory_stands_for_its_known_files_recursively_sorted() {
    let dir = inbox();
    let items = expand(&[dir.path().display().to_string()])
        .await
        .expect("expand");
    assert_eq!(
        relative(&items, dir.path()),
        [
            "2024/01/x.ndjson",
            "2024/02/y.parquet",
            "2024/02/z.jsonl",
            "2024/data.tsv",
            "2024/e.json",
            "2024/readme.txt",
            "UPPER.CSV",
            "a.csv",
            "b.csv",
            "c.xlsx",
        ]
    );
    let a = &items[7];
    assert_eq!(a.size, Some(2));
    assert_eq!(a.display, dir.path().join("a.csv").display().to_string());
}

#[tokio::test]
async fn a_file_is_taken_as_given_whatever_its_extension() {
    let dir = inbox();
    let given = argument(dir.path(), "notes.md");
    let items = expand(std::slice::from_ref(&given)).await.expect("expand");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].display, given);
    assert_eq!(items[0].size, Some(8));
    // Named directly, a file in done/ or a hidden file is taken too.
    let items = expand(&[
        argument(dir.path(), "done/old.csv"),
        argument(dir.path(), ".hidden.csv"),
    ])
    .await
    .expect("expand");
    assert_eq!(
        relative(&items, dir.path()),
        ["done/old.csv", ".hidden.csv"]
    );
}

#[tokio::test]
async fn globs_match_files_sorted_skipping_hidden_and_inbox_folders() {
    let dir = inbox();
    let items = expand(&[argument(dir.path(), "*.csv")])
        .await
        .expect("expand");
    assert_eq!(relative(&items, dir.path()), ["a.csv", "b.csv"]);

    let items = expand(&[argument(dir.path(), "**/*.csv")])
        .await
        .expect("expand");
    assert_eq!(relative(&items, dir.path()), ["a.csv", "b.csv"]);

    let items = expand(&[argument(dir.path(), "2024/**/*")])
        .await
        .expect("expand");
    assert_eq!(
        relative(&items, dir.path()),
        [
            "2024/01/x.ndjson",
            "2024/02/y.parquet",
            "2024/02/z.jsonl",
            "2024/data.tsv",
            "2024/e.json",
            "2024/readme.txt",
        ]
    );

    // A glob selects files, whatever their extension; not directories.
    let items = expand(&[argument(dir.path(), "*")]).await.expect("expand");
    assert_eq!(
        relative(&items, dir.path()),
        ["UPPER.CSV", "a.csv", "b.csv", "c.xlsx", "notes.md"]
    );

    // An inbox folder named literally in the pattern is taken.
    let items = expand(&[argument(dir.path(), "done/*.csv")])
        .await
        .expect("expand");
    assert_eq!(relative(&items, dir.path()), ["done/old.csv"]);

    let items = expand(&[argument(dir.path(), "2024/0[12]/?.*")])
        .await
        .expect("expand");
    assert_eq!(
        relative(&items, dir.path()),
        ["2024/01/x.ndjson", "2024/02/y.parquet", "2024/02/z.jsonl"]
    );
}

#[tokio::test]
async fn arguments_keep_their_order_and_files_are_listed_once() {
    let dir = inbox();
    let root = dir.path();
    let items = expand(&[
        argument(root, "b.csv"),
        argument(root, "*.csv"),
        argument(root, "2024/01"),
        root.join("2024/01/../01/x.ndjson").display().to_string(),
        argument(root, "a.csv"),
        format!("file://{}", root.join("c.xlsx").display()),
    ])
    .await
    .expect("expand");
    assert_eq!(
        relative(&items, root),
        ["b.csv", "a.csv", "2024/01/x.ndjson", "c.xlsx"]
    );
    assert_eq!(items[0].display, argument(root, "b.csv"));
}

#[tokio::test]
async fn an_argument_that_matches_nothing_is_an_error_naming_it() {
    let dir = inbox();
    let root = dir.path();

    let missing = argument(root, "missing.csv");
    let error = expand(&[argument(root, "a.csv"), missing.clone()])
        .await
        .expect_err("missing file");
    assert!(matches!(error, Error::SourceNotFound { .. }), "{error:?}");
    assert!(error.to_string().contains(&missing), "{error}");
    assert!(error.to_string().contains("no such file"), "{error}");

    let glob = argument(root, "*.parquet");
    let error = expand(std::slice::from_ref(&glob))
        .await
        .expect_err("glob without match");
    assert!(matches!(error, Error::SourceNotFound { .. }), "{error:?}");
    assert!(error.to_string().contains(&glob), "{error}");
    assert!(error.to_string().contains("matches no file"), "{error}");

    // Only hidden or inbox files match: still nothing.
    let error = expand(&[argument(root, "**/*done.csv")])
        .await
        .expect_err("only inbox matches");
    assert!(matches!(error, Error::SourceNotFound { .. }), "{error:?}");

    std::fs::create_dir_all(root.join("empty/done")).expect("mkdir");
    touch(root, "empty/done/x.csv", "x");
    touch(root, "empty/notes.md", "x");
    let empty = argument(root, "empty");
    let error = expand(std::slice::from_ref(&empty))
        .await
        .expect_err("empty directory");
    assert!(error.to_string().contains(&empty), "{error}");
    assert!(error.to_string().contains("known extension"), "{error}");

    let error = expand(&[argument(root, "[")]).await.expect_err("bad glob");
    assert!(matches!(error, Error::InvalidSource { .. }), "{error:?}");
}

#[tokio::test]
async fn only_file_paths_and_s3_urls_are_sources() {
    for url in ["https://example.invalid/a.csv", "gs://bucket/a.csv"] {
        let error = expand(&[url.to_string()])
            .await
            .expect_err("unsupported scheme");
        assert!(
            matches!(error, Error::UnsupportedScheme { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(url), "{error}");
    }
    let error = expand(&["s3:///key.csv".to_string()])
        .await
        .expect_err("no bucket");
    assert!(matches!(error, Error::InvalidSource { .. }), "{error:?}");
}

#[test]
fn arguments_are_told_apart_by_their_scheme() {
    assert_eq!(
        Argument::parse("s3://bucket/a/b.csv").expect("s3"),
        Argument::S3 {
            bucket: "bucket".into(),
            key: "a/b.csv".into()
        }
    );
    assert_eq!(
        Argument::parse("S3://bucket").expect("s3"),
        Argument::S3 {
            bucket: "bucket".into(),
            key: String::new()
        }
    );
    assert_eq!(
        Argument::parse("data/x://y.csv").expect("path"),
        Argument::Local(PathBuf::from("data/x://y.csv"))
    );
    assert_eq!(
        Argument::parse("file:///tmp/a.csv").expect("file URL"),
        Argument::Local(PathBuf::from("/tmp/a.csv"))
    );
    assert!(has_known_extension("a.JSONL"));
    assert!(!has_known_extension(".csv"));
    assert!(!has_known_extension("csv"));
    assert!(!has_known_extension("a.csv.gz"));
}

#[tokio::test]
async fn a_local_item_is_fetched_as_itself() {
    let dir = inbox();
    let items = expand(&[argument(dir.path(), "a.csv")])
        .await
        .expect("expand");
    let (path, temporary) = fetch_local(&items[0], dir.path(), &|_| {})
        .await
        .expect("fetch");
    assert_eq!(path, dir.path().join("a.csv"));
    assert!(!temporary);
}

/// A moto S3 server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Moto {
    /// Starts `python3 -m moto.server` (`PARKHUB_TEST_PYTHON` overrides the interpreter) and
    /// waits until it answers. Fails the test loudly when moto is not installed.
    fn start(dir: &Path) -> Moto {
        let python = std::env::var("PARKHUB_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("moto.log");
        let log_file = std::fs::File::create(&log).expect("moto log");
        let child = Command::new(&python)
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run {python} for the moto S3 server ({error}); install it with `make test-deps`"
                )
            });
        let mut moto = Moto { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = moto.child.try_wait().expect("wait") {
                panic!(
                    "the moto S3 server ({python} -m moto.server) exited with {status} before answering; \
                     is moto[server] installed? install it with `make test-deps`\n{}",
                    moto.log_text()
                );
            }
            if moto.request("GET", "/").is_ok() {
                return moto;
            }
            assert!(
                Instant::now() < deadline,
                "the moto S3 server did not answer within 60 s\n{}",
                moto.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends a bodiless HTTP/1.1 request and returns the status code.
    fn request(&self, method: &str, target: &str) -> std::io::Result<u16> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response}")))
    }

    fn create_bucket(&self, bucket: &str) {
        let status = self
            .request("PUT", &format!("/{bucket}"))
            .expect("create bucket");
        assert_eq!(status, 200, "create bucket {bucket}\n{}", self.log_text());
    }

    /// A store of `bucket` on this server.
    fn store(&self, bucket: &str) -> object_store::Result<Arc<dyn ObjectStore>> {
        let store = AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_bucket_name(bucket)
            .build()?;
        Ok(Arc::new(store))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_urls_expand_and_fetch_against_a_real_s3_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let moto = Moto::start(dir.path());
    moto.create_bucket("park");
    let store = moto.store("park").expect("store");
    let big: String = (0..40_000)
        .map(|row| format!("{row},row {row}\n"))
        .collect();
    for (key, content) in [
        ("in/b.csv", "b"),
        ("in/a.csv", "aa"),
        ("in/sub/c.json", "[]"),
        ("in/notes.md", "not data"),
        ("in/.hidden.csv", "h"),
        ("in/done/old.csv", "d"),
        ("in/big.csv", big.as_str()),
        ("inbox/other.csv", "not under in/"),
        ("top.csv", "t"),
    ] {
        store
            .put(
                &object_store::path::Path::from(key),
                PutPayload::from(content.to_string()),
            )
            .await
            .expect("put");
    }
    let built = Mutex::new(Vec::new());
    let factory = |bucket: &str| {
        built.lock().expect("lock").push(bucket.to_string());
        moto.store(bucket)
    };
    let displays = |items: &[SourceItem]| -> Vec<String> {
        items.iter().map(|item| item.display.clone()).collect()
    };

    let items = expand_with(
        &[
            "s3://park/in/".to_string(),
            "s3://park/in/a.csv".to_string(),
            "s3://park/top.csv".to_string(),
            "s3://park/in/*.md".to_string(),
        ],
        &factory,
    )
    .await
    .expect("expand");
    assert_eq!(
        displays(&items),
        [
            "s3://park/in/a.csv",
            "s3://park/in/b.csv",
            "s3://park/in/big.csv",
            "s3://park/in/sub/c.json",
            "s3://park/top.csv",
            "s3://park/in/notes.md",
        ]
    );
    assert_eq!(items[0].size, Some(2));
    assert_eq!(
        *built.lock().expect("lock"),
        ["park"],
        "one store per bucket"
    );

    // A prefix without its slash, and a glob across folders.
    let items = expand_with(&["s3://park/in".to_string()], &factory)
        .await
        .expect("expand");
    assert_eq!(items.len(), 4);
    let items = expand_with(&["s3://park/**/*.csv".to_string()], &factory)
        .await
        .expect("expand");
    assert_eq!(
        displays(&items),
        [
            "s3://park/in/a.csv",
            "s3://park/in/b.csv",
            "s3://park/in/big.csv",
            "s3://park/inbox/other.csv",
            "s3://park/top.csv",
        ]
    );

    for missing in [
        "s3://park/nothing/",
        "s3://park/in/missing.csv",
        "s3://park/in/*.parquet",
    ] {
        let error = expand_with(&[missing.to_string()], &factory)
            .await
            .expect_err("matches nothing");
        assert!(matches!(error, Error::SourceNotFound { .. }), "{error:?}");
        assert!(error.to_string().contains(missing), "{error}");
    }
    let error = expand_with(&["s3://no-such-bucket/".to_string()], &factory)
        .await
        .expect_err("no bucket");
    assert!(
        error.to_string().contains("s3://no-such-bucket/"),
        "{error}"
    );

    // Fetching streams the object into <data_dir>/tmp/, reporting bytes as they arrive.
    let items = expand_with(&["s3://park/in/big.csv".to_string()], &factory)
        .await
        .expect("expand");
    let data_dir = dir.path().join("data");
    let reported = Mutex::new(Vec::new());
    let (path, temporary) = fetch_local(&items[0], &data_dir, &|bytes| {
        reported.lock().expect("lock").push(bytes);
    })
    .await
    .expect("fetch");
    assert!(temporary);
    assert!(path.starts_with(data_dir.join(crate::spool::SPOOL_FOLDER)));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), big);
    let reported = reported.into_inner().expect("lock");
    assert_eq!(reported.first(), Some(&0));
    assert_eq!(reported.last(), Some(&(big.len() as u64)));
    assert!(reported.is_sorted());
    std::fs::remove_file(&path).expect("remove");

    // An object that disappeared between listing and fetching: an error, and no file left.
    let items = expand_with(&["s3://park/in/a.csv".to_string()], &factory)
        .await
        .expect("expand");
    store
        .delete(&object_store::path::Path::from("in/a.csv"))
        .await
        .expect("delete");
    let error = fetch_local(&items[0], &data_dir, &|_| {})
        .await
        .expect_err("gone");
    assert!(matches!(error, Error::ObjectStore { .. }), "{error:?}");
    assert!(error.to_string().contains("s3://park/in/a.csv"), "{error}");
    let left: Vec<_> = std::fs::read_dir(data_dir.join(crate::spool::SPOOL_FOLDER))
        .expect("tmp")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
