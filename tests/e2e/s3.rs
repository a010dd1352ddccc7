//! `parkhub ingest s3://bucket/prefix/` against a real S3-compatible server: moto's server mode
//! (from PyPI, installed by `make test-deps`), started on a free loopback port. The CLI reads
//! credentials and the endpoint from the usual AWS environment variables.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parkhub_connectors::datafusion::object_store::aws::AmazonS3Builder;
use parkhub_connectors::datafusion::object_store::path::Path as ObjectPath;
use parkhub_connectors::datafusion::object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::support::{fresh_dir, parkhub, plain_http, sql_count};

const HEADER: &str = "统一社会信用代码,企业名称,行业代码,重点行业\n";

const PART_1: &str = "91110000600037341L,北京精工机械有限公司,C3411,machinery\n\
                      91110000710926094P,首钢轧材科技有限公司,C3130,iron_steel\n\
                      91440300568520498A,深圳智造装备股份有限公司,C3411,machinery\n";

const PART_2: &str = "9144030071526726XG,深圳特钢材料有限公司,C3130,iron_steel\n\
                      91310115MA1K3BTP2B,上海浦东动力机械有限公司,C3411,machinery\n";

/// A moto S3 server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
    log: PathBuf,
}

impl Moto {
    /// Starts `python3 -m moto.server` (`PARKHUB_TEST_PYTHON` overrides the interpreter) and
    /// waits until it answers; fails the test loudly when moto is not installed.
    fn start(dir: &Path) -> Moto {
        let python = std::env::var("PARKHUB_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
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
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            log,
        };
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("HTTP client");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = moto.child.try_wait().expect("wait") {
                panic!(
                    "the moto S3 server ({python} -m moto.server) exited with {status} before answering; \
                     is moto[server] installed? install it with `make test-deps`\n{}",
                    moto.log_text()
                );
            }
            if client.get(&moto.endpoint).send().is_ok() {
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

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn create_bucket(&self, bucket: &str) {
        let response = plain_http()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .expect("create bucket");
        assert!(
            response.status().is_success(),
            "create bucket {bucket}: {}\n{}",
            response.status(),
            self.log_text()
        );
    }

    /// Uploads objects into `bucket` through object_store's S3 client.
    fn put(&self, bucket: &str, objects: &[(&str, String)]) {
        let store: Arc<dyn ObjectStore> = Arc::new(
            AmazonS3Builder::new()
                .with_endpoint(&self.endpoint)
                .with_allow_http(true)
                .with_region("us-east-1")
                .with_access_key_id("test")
                .with_secret_access_key("test")
                .with_bucket_name(bucket)
                .build()
                .expect("S3 client"),
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            for (key, content) in objects {
                store
                    .put(&ObjectPath::from(*key), PutPayload::from(content.clone()))
                    .await
                    .unwrap_or_else(|error| panic!("upload {key}: {error}"));
            }
        });
    }

    /// `parkhub` on `data_dir` with the AWS environment pointing at this server (and nothing
    /// else of the developer's AWS settings).
    fn parkhub(&self, data_dir: &Path) -> Command {
        let mut command = parkhub(data_dir);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ALLOW_HTTP", "true");
        command
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `parkhub ingest --report json` and returns the reports, failing with stderr on failure.
fn ingest(moto: &Moto, data_dir: &Path, url: &str) -> Vec<serde_json::Value> {
    let output = moto
        .parkhub(data_dir)
        .args(["ingest", "--table", "enterprises", "--report", "json", url])
        .output()
        .expect("the parkhub binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "parkhub ingest {url} failed with {}:\nstdout:\n{stdout}\nstderr:\n{}\nmoto log:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        moto.log_text()
    );
    serde_json::from_str(&stdout).unwrap_or_else(|error| panic!("not JSON ({error}):\n{stdout}"))
}

#[test]
fn ingest_reads_every_known_file_under_an_s3_prefix_once() {
    let dir = fresh_dir("s3-ingest");
    let data_dir = dir.join("data");
    let moto = Moto::start(&dir);
    moto.create_bucket("park-inbox");
    moto.put(
        "park-inbox",
        &[
            ("enterprises/2026/part-2.csv", format!("{HEADER}{PART_2}")),
            ("enterprises/2026/part-1.csv", format!("{HEADER}{PART_1}")),
            // Not data, hidden, or already handled: not ingested.
            ("enterprises/2026/README.md", "# enterprises\n".to_string()),
            ("enterprises/2026/.part-3.csv", format!("{HEADER}{PART_1}")),
            (
                "enterprises/2026/done/old.csv",
                "not,a,valid,file\n".to_string(),
            ),
            // Beside the prefix, not under it.
            ("enterprises/2026-old.csv", "not,a,valid,file\n".to_string()),
        ],
    );
    let url = "s3://park-inbox/enterprises/2026/";

    let reports = ingest(&moto, &data_dir, url);
    let sources: Vec<&str> = reports
        .iter()
        .map(|report| report["source"].as_str().expect("source"))
        .collect();
    assert_eq!(
        sources,
        [
            "s3://park-inbox/enterprises/2026/part-1.csv",
            "s3://park-inbox/enterprises/2026/part-2.csv",
        ],
        "{reports:#?}"
    );
    for (report, rows) in reports.iter().zip([3, 2]) {
        assert_eq!(report["status"], "committed", "{report:#}");
        assert_eq!(report["rows_written"], rows, "{report:#}");
        assert_eq!(report["rows_rejected"], 0, "{report:#}");
    }
    assert_eq!(sql_count(&data_dir, "SELECT count(*) FROM enterprises"), 5);
    assert_eq!(
        sql_count(
            &data_dir,
            "SELECT count(*) FROM enterprises WHERE key_industry = 'iron_steel'"
        ),
        2
    );

    // The same objects again: recognised by their content, nothing written twice.
    let reports = ingest(&moto, &data_dir, url);
    assert_eq!(reports.len(), 2, "{reports:#?}");
    for report in &reports {
        assert_eq!(report["status"], "duplicate", "{report:#}");
        assert_eq!(report["duplicate"], true, "{report:#}");
        assert_eq!(report["rows_written"], 0, "{report:#}");
    }
    assert_eq!(sql_count(&data_dir, "SELECT count(*) FROM enterprises"), 5);

    // The downloads were temporary.
    let left: Vec<PathBuf> = std::fs::read_dir(data_dir.join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("upload-"))
        })
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn ingest_names_an_s3_prefix_that_holds_nothing() {
    let dir = fresh_dir("s3-empty");
    let data_dir = dir.join("data");
    let moto = Moto::start(&dir);
    moto.create_bucket("park-empty");
    let url = "s3://park-empty/enterprises/";
    let output = moto
        .parkhub(&data_dir)
        .args(["ingest", "--table", "enterprises", url])
        .output()
        .expect("the parkhub binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "an empty prefix is an error");
    assert!(stderr.contains(url), "the error names the URL:\n{stderr}");
}
