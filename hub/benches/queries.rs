//! Query benchmark, through the real HTTP interface of the release `parkhub` binary, beside
//! DuckDB running the same SQL over the same Parquet files in the same run:
//!
//! 1. the `energy_intensity` indicator over ~10 million energy readings (ParkHub over HTTP vs
//!    DuckDB's Python API over the lake's Parquet files), median of 5 runs after a warm-up;
//! 2. 10-row queries per second over HTTP with 16 concurrent clients, with p50 / p99 latency;
//!    both this and 1. also as one enterprise's token, whose session reads through its row
//!    filter, to give the filter's cost as a ratio against the admin's unfiltered run;
//! 3. optionally (`PARKHUB_BENCH_BIG=1`), the same indicator over ~50 million readings with a
//!    256 MiB query memory pool: it must complete (spilling), and the server's peak RSS is
//!    reported.
//!
//! ```text
//! pip install -r bench/requirements.txt      # DuckDB, from PyPI
//! cargo bench -p parkhub --bench queries
//! PARKHUB_BENCH_READINGS=2000000 cargo bench -p parkhub --bench queries   # a quick check
//! ```
//!
//! Settings (environment): `PARKHUB_BENCH_READINGS` (default 10,000,000), `PARKHUB_BENCH_BIG=1`,
//! `PARKHUB_BENCH_BIN` (a `parkhub` binary instead of building `target/release/parkhub`),
//! `PARKHUB_BENCH_PYTHON` (default `python3`). Generated lakes are kept in
//! `target/tmp/bench-queries/` between runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Meters per enterprise in the demo park, on average (903 meters for 300 enterprises).
const METERS_PER_ENTERPRISE: f64 = 3.01;
/// Days of hourly readings generated.
const ENERGY_DAYS: u64 = 90;

fn main() {
    let readings: u64 = env_number("PARKHUB_BENCH_READINGS").unwrap_or(10_000_000);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf();
    let binary = parkhub_binary(&workspace);
    let python = std::env::var("PARKHUB_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let bench_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-queries");
    std::fs::create_dir_all(&bench_dir).expect("bench folder");

    println!("== energy_intensity over ~{readings} readings ==");
    let data_dir = demo_lake(&binary, &bench_dir, readings, ENERGY_DAYS);
    let actual = count_rows(&binary, &data_dir, "energy_readings");
    println!(
        "lake: {} ({actual} energy readings, {:.0} MB on disk)",
        data_dir.display(),
        dir_size(&data_dir) as f64 / 1e6
    );
    let config = bench_dir.join("bench.toml");
    std::fs::write(&config, BENCH_LIMITS).expect("config");
    let server = Server::start(&binary, &data_dir, &config);
    let admin = server.admin();
    let uscc = first_uscc(&binary, &data_dir);
    let enterprise = server.as_principal(
        &binary,
        &data_dir,
        &["--role", "enterprise", "--uscc", &uscc],
    );
    let parkhub_seconds = median_of(5, || admin.indicator("energy_intensity"));
    let duckdb_seconds = duckdb_energy_intensity(&python, &data_dir, 5);
    println!("ParkHub over HTTP : {parkhub_seconds:.3} s (median of 5)");
    println!("DuckDB (Python)   : {duckdb_seconds:.3} s (median of 5)");
    println!(
        "ratio ParkHub / DuckDB time: {:.2}",
        parkhub_seconds / duckdb_seconds
    );
    // The row filter's cost: the same indicator for one enterprise, whose session reads the
    // readings through its `uscc` filter (the admin's reads them whole).
    let filtered_seconds = median_of(5, || enterprise.indicator("energy_intensity"));
    println!("ParkHub, one enterprise's token (row filter): {filtered_seconds:.3} s (median of 5)");
    println!(
        "ratio filtered / admin time: {:.2}",
        filtered_seconds / parkhub_seconds
    );

    println!("\n== 10-row queries, 16 concurrent HTTP clients, 10 s ==");
    let small_query = "SELECT uscc, period, output_value FROM production_monthly LIMIT 10";
    let mut admin_qps = 0.0;
    for (label, caller) in [
        ("admin (no filter)", &admin),
        ("enterprise (row filter)", &enterprise),
    ] {
        let (qps, p50, p99) = caller.throughput(small_query, 16, Duration::from_secs(10));
        println!(
            "{label}: {qps:.0} queries/s, latency p50 {:.1} ms, p99 {:.1} ms",
            p50 * 1e3,
            p99 * 1e3
        );
        if admin_qps == 0.0 {
            admin_qps = qps;
        } else {
            println!(
                "ratio filtered / admin queries per second: {:.2}",
                qps / admin_qps
            );
        }
    }
    drop(server);

    if std::env::var("PARKHUB_BENCH_BIG").is_ok_and(|value| value == "1") {
        let big_readings = 50_000_000;
        println!("\n== energy_intensity over ~{big_readings} readings with a 256 MiB pool ==");
        let big_dir = demo_lake(&binary, &bench_dir, big_readings, 450);
        let config = bench_dir.join("pool-256.toml");
        std::fs::write(
            &config,
            format!("[query]\nmemory_bytes = 268435456\ntimeout_seconds = 3600\n{BENCH_LIMITS}"),
        )
        .expect("config");
        let server = Server::start(&binary, &big_dir, &config);
        let seconds = server.admin().indicator("energy_intensity");
        println!(
            "completed in {seconds:.1} s; server peak RSS {:.0} MiB",
            server.peak_rss_bytes() as f64 / 1048576.0
        );
    }
}

/// The bench measures the engine, not the per-token rate limit, which 16 clients sharing one
/// token would reach at the default 50 requests a second.
const BENCH_LIMITS: &str = "[limits]\nrequests_per_second = 1000000\nburst = 1000000\n";

/// The USCC of the enterprise with the most readings (the row filter keeps the most of them).
fn first_uscc(binary: &Path, data_dir: &Path) -> String {
    let output = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "sql",
            "SELECT uscc FROM energy_readings GROUP BY uscc ORDER BY count(*) DESC LIMIT 1",
            "--format",
            "csv",
        ])
        .env("PARKHUB_LOG", "warn")
        .output()
        .expect("parkhub sql runs");
    assert!(
        output.status.success(),
        "parkhub sql: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .nth(1)
        .expect("a USCC")
        .trim()
        .to_string()
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|text| {
        text.replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name} is a number"))
    })
}

fn parkhub_binary(workspace: &Path) -> PathBuf {
    if let Some(binary) = std::env::var_os("PARKHUB_BENCH_BIN") {
        return PathBuf::from(binary);
    }
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--bin", "parkhub"])
        .current_dir(workspace)
        .status()
        .expect("cargo build runs");
    assert!(status.success(), "the release build failed");
    workspace.join("target/release/parkhub")
}

/// Returns a data dir holding a demo park with about `readings` energy readings (made once).
fn demo_lake(binary: &Path, bench_dir: &Path, readings: u64, days: u64) -> PathBuf {
    let enterprises =
        ((readings as f64) / (METERS_PER_ENTERPRISE * 24.0 * days as f64)).ceil() as u64;
    let data_dir = bench_dir.join(format!("lake-{enterprises}x{days}"));
    if data_dir.join("lake/energy_readings/_delta_log").is_dir() {
        return data_dir;
    }
    let started = Instant::now();
    let status = Command::new(binary)
        .args(["--data-dir"])
        .arg(&data_dir)
        .args([
            "demo",
            "--enterprises",
            &enterprises.to_string(),
            "--months",
            "24",
            "--energy-days",
            &days.to_string(),
        ])
        .env("PARKHUB_LOG", "warn")
        .status()
        .expect("parkhub demo runs");
    assert!(status.success(), "parkhub demo failed");
    println!(
        "generated the demo park ({enterprises} enterprises, {days} days) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    data_dir
}

fn count_rows(binary: &Path, data_dir: &Path, table: &str) -> u64 {
    let output = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "sql",
            &format!("SELECT count(*) AS n FROM {table}"),
            "--format",
            "csv",
        ])
        .output()
        .expect("parkhub sql runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .nth(1)
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or(0)
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.file_type() {
                    Ok(kind) if kind.is_dir() => dir_size(&entry.path()),
                    _ => entry.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn median_of(runs: usize, mut measure: impl FnMut() -> f64) -> f64 {
    measure(); // warm-up: caches, Delta log replay
    let mut times: Vec<f64> = (0..runs).map(|_| measure()).collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

/// The same indicator in DuckDB, over the lake's Parquet files, with the same parameter values.
fn duckdb_energy_intensity(python: &str, data_dir: &Path, runs: usize) -> f64 {
    // The indicator's SQL as the hub runs it, its base query included.
    let library = parkhub_queries::indicators::IndicatorLibrary::builtin().expect("indicators");
    let sql = library
        .get("energy_intensity")
        .expect("energy_intensity")
        .sql
        .replace("$from", "DATE '1900-01-01'")
        .replace("$to", "current_date");
    let script = r#"
import duckdb, statistics, sys, time
lake, runs, sql = sys.argv[1], int(sys.argv[2]), sys.stdin.read()
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
for table in ("energy_readings", "production_monthly", "enterprises"):
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{lake}/lake/{table}/*.parquet')")
con.execute(sql).fetchall()
times = []
for _ in range(runs):
    started = time.perf_counter()
    rows = con.execute(sql).fetchall()
    times.append(time.perf_counter() - started)
print("RESULT", statistics.median(times), len(rows))
"#;
    let mut child = Command::new(python)
        .args(["-c", script])
        .arg(data_dir)
        .arg(runs.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs (pip install -r bench/requirements.txt)");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), sql.as_bytes())
        .expect("send SQL");
    drop(child.stdin.take());
    let output = child.wait_with_output().expect("DuckDB finishes");
    assert!(
        output.status.success(),
        "DuckDB failed (pip install -r bench/requirements.txt)"
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let result = text
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .unwrap_or_else(|| panic!("no result from DuckDB:\n{text}"));
    let mut parts = result.split_whitespace();
    let seconds: f64 = parts.next().and_then(|p| p.parse().ok()).expect("a time");
    println!("DuckDB answered {} rows", parts.next().unwrap_or("?"));
    seconds
}

/// A running `parkhub serve`.
struct Server {
    child: Child,
    base_url: String,
    client: reqwest::blocking::Client,
}

impl Server {
    fn start(binary: &Path, data_dir: &Path, config: &Path) -> Server {
        // Every route but /health needs a token: make one for this run.
        let token = create_token(binary, data_dir, &["--role", "admin"]);
        let mut command = Command::new(binary);
        command
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--config")
            .arg(config);
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("PARKHUB_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("parkhub serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut base_url = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(address) = line.strip_prefix("parkhub listening on ") {
                base_url = address.to_string();
                break;
            }
        }
        assert!(!base_url.is_empty(), "the server did not start");
        Server {
            child,
            base_url,
            client: client_with(&token),
        }
    }

    /// The same server as another principal: a client sending a new token of `role_args`
    /// (`--role enterprise --uscc …`), which the running server accepts at once.
    fn as_principal(&self, binary: &Path, data_dir: &Path, role_args: &[&str]) -> Caller<'_> {
        Caller {
            server: self,
            client: client_with(&create_token(binary, data_dir, role_args)),
        }
    }

    fn admin(&self) -> Caller<'_> {
        Caller {
            server: self,
            client: self.client.clone(),
        }
    }
}

/// A client of the server with one principal's token.
struct Caller<'a> {
    server: &'a Server,
    client: reqwest::blocking::Client,
}

impl Caller<'_> {
    fn indicator(&self, name: &str) -> f64 {
        let started = Instant::now();
        let response = self
            .client
            .get(format!("{}/api/indicators/{name}", self.server.base_url))
            .send()
            .expect("request");
        let status = response.status();
        let body = response.text().expect("body");
        assert!(status.is_success(), "{name}: {status} {body}");
        started.elapsed().as_secs_f64()
    }

    fn throughput(&self, sql: &str, clients: usize, duration: Duration) -> (f64, f64, f64) {
        let stop = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let stop = Arc::clone(&stop);
                let client = self.client.clone();
                let url = format!("{}/api/sql", self.server.base_url);
                let body = serde_json::json!({ "sql": sql });
                std::thread::spawn(move || {
                    let mut latencies = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let response = client.post(&url).json(&body).send().expect("request");
                        assert!(response.status().is_success(), "{}", response.status());
                        response.bytes().expect("body");
                        latencies.push(started.elapsed().as_secs_f64());
                    }
                    latencies
                })
            })
            .collect();
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
        let mut latencies: Vec<f64> = workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("client"))
            .collect();
        latencies.sort_by(f64::total_cmp);
        let quantile = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
        (
            latencies.len() as f64 / duration.as_secs_f64(),
            quantile(0.5),
            quantile(0.99),
        )
    }
}

impl Server {
    fn peak_rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| {
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map_or(0, |kib| kib * 1024)
    }
}

/// Creates a token with `parkhub token create ROLE_ARGS --name …` and returns it.
fn create_token(binary: &Path, data_dir: &Path, role_args: &[&str]) -> String {
    let created = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["token", "create"])
        .args(role_args)
        .arg("--name")
        .arg(format!(
            "bench-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|since| since.as_nanos())
                .unwrap_or_default()
        ))
        .env("PARKHUB_LOG", "warn")
        .output()
        .expect("parkhub token create runs");
    assert!(
        created.status.success(),
        "parkhub token create: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    String::from_utf8(created.stdout)
        .expect("UTF-8")
        .trim()
        .to_string()
}

fn client_with(token: &str) -> reqwest::blocking::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
    );
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(3600))
        .default_headers(headers)
        .build()
        .expect("client")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
