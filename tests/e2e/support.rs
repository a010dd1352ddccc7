//! The test harness: a shared small demo park, the `parkhub` binary, and a server on a free port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The size of the shared demo park.
pub const DEMO_ENTERPRISES: usize = 24;
/// Months of production in the shared demo park.
pub const DEMO_MONTHS: usize = 6;
/// Days of energy readings in the shared demo park.
pub const DEMO_ENERGY_DAYS: usize = 2;

/// Returns the path of the real binary under test.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_parkhub")
}

/// A `parkhub` command on `data_dir`, with the environment cleaned of settings that would
/// leak in from the developer's shell.
pub fn parkhub(data_dir: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .env_remove("PARKHUB_DATA_DIR")
        .env_remove("PARKHUB_LISTEN")
        .env_remove("PARKHUB_CONFIG")
        .env("PARKHUB_LOG", "warn")
        .arg("--data-dir")
        .arg(data_dir)
        .current_dir(std::env::temp_dir());
    command
}

/// Runs `parkhub` with `args` and returns its output.
pub fn run(data_dir: &Path, args: &[&str]) -> Output {
    parkhub(data_dir)
        .args(args)
        .output()
        .expect("the parkhub binary runs")
}

/// Runs `parkhub` and returns its stdout, failing the test with stderr when it fails.
pub fn run_ok(data_dir: &Path, args: &[&str]) -> String {
    let output = run(data_dir, args);
    assert!(
        output.status.success(),
        "parkhub {args:?} failed with {}:\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

/// A fresh, empty directory under Cargo's temporary folder for this test binary.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-{}-{name}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove an old test dir");
    }
    std::fs::create_dir_all(&dir).expect("create the test dir");
    dir
}

/// The data directory of a small demo park, generated once per test run by `parkhub demo`.
/// Tests only read it.
pub fn demo_dir() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = fresh_dir("demo");
        run_ok(
            &dir,
            &[
                "demo",
                "--enterprises",
                &DEMO_ENTERPRISES.to_string(),
                "--months",
                &DEMO_MONTHS.to_string(),
                "--energy-days",
                &DEMO_ENERGY_DAYS.to_string(),
                "--seed",
                "7",
            ],
        );
        dir
    })
}

/// Runs a query with `--format json` and returns the rows as JSON objects.
pub fn sql_json(data_dir: &Path, query: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let stdout = run_ok(data_dir, &["sql", query, "--format", "json"]);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("{query}: not JSON ({error}):\n{stdout}"))
}

/// Returns the single integer a query answers.
pub fn sql_count(data_dir: &Path, query: &str) -> i64 {
    let rows = sql_json(data_dir, query);
    assert_eq!(rows.len(), 1, "{query}");
    let value = rows[0].values().next().expect("one column");
    value
        .as_i64()
        .unwrap_or_else(|| panic!("{query}: {value} is not an integer"))
}

/// A running `parkhub serve`, killed when dropped.
pub struct TestHub {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl TestHub {
    /// Starts `parkhub serve` on a free loopback port over `data_dir` and waits until it listens.
    pub fn start(data_dir: &Path, extra_args: &[&str]) -> TestHub {
        let mut command = parkhub(data_dir);
        command.stderr(Stdio::inherit());
        TestHub::start_command(command, extra_args)
    }

    /// Starts `parkhub serve` from `command`, a [`parkhub`] command whose environment or
    /// stderr the test has set, on a free loopback port and waits until it listens.
    pub fn start_command(mut command: Command, extra_args: &[&str]) -> TestHub {
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra_args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("parkhub serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("parkhub listening on ") {
                    let _ = sender.send(address.to_string());
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(300);
        let base_url = loop {
            if let Ok(address) = receiver.recv_timeout(Duration::from_millis(200)) {
                break address;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("parkhub serve exited with {status} before listening");
            }
            assert!(
                Instant::now() < deadline,
                "parkhub serve did not listen within 300 s"
            );
        };
        TestHub { child, base_url }
    }

    /// Returns the URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Sends SIGTERM and returns the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "parkhub serve did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client with a generous timeout.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("HTTP client")
}
