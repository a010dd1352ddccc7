//! The test harness: a shared small demo park, the `parkhub` binary, and a server on a free port.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The size of the shared demo park.
pub const DEMO_ENTERPRISES: usize = 24;
/// Months of production in the shared demo park.
pub const DEMO_MONTHS: usize = 6;
/// Days of energy readings in the shared demo park.
pub const DEMO_ENERGY_DAYS: usize = 2;
/// Enterprises of the shared demo park that are late with the current round (8% of 24,
/// rounded; none of them also misses the month before, which is 2% of 24, rounded): no
/// production row for the last month, and their readings stop 3 to 6 days before the end of
/// the energy window, so before these 2 days begin.
pub const DEMO_LATE_ENTERPRISES: usize = 2;
/// Rows of `production_monthly` in the shared demo park: every month of every enterprise but
/// the last month of the late ones.
pub const DEMO_PRODUCTION_ROWS: usize = DEMO_ENTERPRISES * DEMO_MONTHS - DEMO_LATE_ENTERPRISES;

/// Returns the path of the real binary under test: the one Cargo built, or the one
/// `PARKHUB_TEST_BINARY` names (a release build, or a copy that a concurrent build of the
/// same target folder cannot replace mid-run).
pub fn binary() -> &'static str {
    static BINARY: OnceLock<String> = OnceLock::new();
    BINARY.get_or_init(|| {
        std::env::var("PARKHUB_TEST_BINARY")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_parkhub").to_string())
    })
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

/// Creates a token with `parkhub token create` and returns it.
pub fn create_token(data_dir: &Path, name: &str, role: &str, extra_args: &[&str]) -> String {
    let mut args = vec!["token", "create", "--role", role, "--name", name];
    args.extend_from_slice(extra_args);
    let token = run_ok(data_dir, &args).trim().to_string();
    assert!(token.starts_with("phk_"), "not a token: {token}");
    token
}

/// Returns a token name no other test of this run uses.
pub fn unique_token_name(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A running `parkhub serve`, killed when dropped.
pub struct TestHub {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// An admin token of the hub's data directory, sent by [`TestHub::http`].
    pub token: String,
    /// The name of [`TestHub::token`] (the user name on the Postgres wire).
    pub token_name: String,
    /// The tokens `serve` printed when it started (`parkhub token NAME ROLE TOKEN` lines), by
    /// name.
    pub printed_tokens: BTreeMap<String, String>,
}

impl TestHub {
    /// Creates an admin token on `data_dir`, then starts `parkhub serve` on a free loopback
    /// port over it and waits until it listens.
    pub fn start(data_dir: &Path, extra_args: &[&str]) -> TestHub {
        let token_name = unique_token_name("testhub");
        let token = create_token(data_dir, &token_name, "admin", &[]);
        let mut hub = TestHub::start_without_token(data_dir, extra_args);
        hub.token = token;
        hub.token_name = token_name;
        hub
    }

    /// Starts `parkhub serve` without creating a token first; [`TestHub::token`] is the admin
    /// token `serve` printed, if it printed one.
    pub fn start_without_token(data_dir: &Path, extra_args: &[&str]) -> TestHub {
        let mut command = parkhub(data_dir);
        command.stderr(Stdio::inherit());
        TestHub::start_command(command, extra_args)
    }

    /// Starts `parkhub serve` from `command`, a [`parkhub`] command whose environment or
    /// stderr the test has set, on a free loopback port and waits until it listens;
    /// [`TestHub::token`] is the admin token `serve` printed, if it printed one.
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
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(300);
        let mut printed_tokens = BTreeMap::new();
        let base_url = loop {
            if let Ok(line) = receiver.recv_timeout(Duration::from_millis(200)) {
                if let Some(address) = line.strip_prefix("parkhub listening on ") {
                    break address.to_string();
                }
                let words: Vec<&str> = line.split_whitespace().collect();
                if let ["parkhub", "token", name, _role, token] = words.as_slice() {
                    printed_tokens.insert(name.to_string(), token.to_string());
                }
                continue;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("parkhub serve exited with {status} before listening");
            }
            assert!(
                Instant::now() < deadline,
                "parkhub serve did not listen within 300 s"
            );
        };
        let (token_name, token) = ["admin", "demo-admin"]
            .into_iter()
            .find_map(|name| {
                printed_tokens
                    .get(name)
                    .map(|token| (name.to_string(), token.clone()))
            })
            .unwrap_or_default();
        TestHub {
            child,
            base_url,
            token,
            token_name,
            printed_tokens,
        }
    }

    /// A blocking HTTP client that sends the hub's admin token on every request.
    pub fn http(&self) -> reqwest::blocking::Client {
        http_with_token(&self.token)
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

impl TestHub {
    /// Kills `parkhub serve` with SIGKILL, as a crash would, and returns its exit status.
    pub fn kill(mut self) -> std::process::ExitStatus {
        let _ = self.child.kill();
        self.child.wait().expect("wait")
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking HTTP client with a generous timeout and no token.
pub fn plain_http() -> reqwest::blocking::Client {
    client_builder(None, Duration::from_secs(120))
        .build()
        .expect("HTTP client")
}

/// A blocking HTTP client with a generous timeout that sends `token` on every request.
pub fn http_with_token(token: &str) -> reqwest::blocking::Client {
    client_builder(Some(token), Duration::from_secs(120))
        .build()
        .expect("HTTP client")
}

/// A client builder with `timeout` that sends `token`, when given, on every request.
pub fn client_builder(token: Option<&str>, timeout: Duration) -> reqwest::blocking::ClientBuilder {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
            .expect("a token is a header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .default_headers(headers)
}
