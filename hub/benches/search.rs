//! Search benchmark over HTTP: the demo park's catalog generated at 100,000 entries
//! (`parkhub_demo::DemoCatalog`, the same generator and query mix as the in-process bench
//! `cargo bench -p parkhub-catalog --bench search`) is written as NDJSON and ingested into the
//! three catalog tables of a fresh data directory (`parkhub ingest`), `parkhub serve` is started
//! on it (it builds its index from the lake), and the mix of 35 queries is sent as
//! `GET /api/catalog/search` by one client alone, then by 16 concurrent clients over keep-alive
//! connections.
//!
//! ```text
//! cargo bench -p parkhub --bench search              # 100,000 entries
//! ```
//!
//! Environment: `PARKHUB_BENCH_ENTRIES` (100000), `PARKHUB_BENCH_HTTP_ROUNDS` (passes per
//! client, 10), `PARKHUB_BENCH_CLIENTS` (16), `PARKHUB_BENCH_ONLY=FAMILY|QUERY` (one family or
//! query of the mix), `PARKHUB_BENCH_BIN` (another `parkhub` binary than the one Cargo builds
//! for the bench).
//!
//! Prints the ingest and server start times, latency percentiles (p50, p90, p99, max) per query
//! family and overall, and queries per second.

#[path = "../../catalog/benches/search/mix.rs"]
mod mix;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use parkhub_catalog::SearchRequest;
use parkhub_connectors::arrow::json::LineDelimitedWriter;
use parkhub_demo::{CatalogSize, DemoCatalog, DemoParams};
use serde_json::Value;

use self::mix::{ENTRIES, env_number, mix, segments};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Concurrent clients, unless `PARKHUB_BENCH_CLIENTS` says otherwise.
const CLIENTS: usize = 16;

/// The `parkhub` binary: `PARKHUB_BENCH_BIN`, else the one Cargo built for this bench (the
/// release build under `cargo bench`).
fn parkhub_binary() -> PathBuf {
    std::env::var_os("PARKHUB_BENCH_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_parkhub")),
        PathBuf::from,
    )
}

/// Kills the server when the benchmark ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() -> Result<(), BoxError> {
    let parkhub = parkhub_binary();
    let count = env_number("PARKHUB_BENCH_ENTRIES", ENTRIES);
    let mix = mix();
    let clients = env_number("PARKHUB_BENCH_CLIENTS", CLIENTS);
    let rounds = env_number("PARKHUB_BENCH_HTTP_ROUNDS", 10);
    let folder = tempfile::tempdir()?;
    let data_dir = folder.path().join("data");

    let started = Instant::now();
    let catalog = DemoCatalog::generate(&DemoParams::default(), CatalogSize::with_entries(count))?;
    println!("generated {count} entries in {:.2?}", started.elapsed());
    let started = Instant::now();
    for table in DemoCatalog::table_names() {
        let path = folder.path().join(format!("{table}.ndjson"));
        let mut writer =
            LineDelimitedWriter::new(std::io::BufWriter::new(std::fs::File::create(&path)?));
        for batch in catalog.batches(table)? {
            writer.write(&batch)?;
        }
        writer.finish()?;
        drop(writer);
        let output = Command::new(&parkhub)
            .args(["ingest", "--table", table, "--data-dir"])
            .arg(&data_dir)
            .arg(&path)
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "parkhub ingest {table} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
    }
    println!(
        "ingested {count} entries into the lake in {:.2?}",
        started.elapsed()
    );

    let started = Instant::now();
    let log = std::fs::File::create(folder.path().join("serve.log"))?;
    let mut child = Command::new(&parkhub)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let Some(line) = lines.next() else {
            let log = std::fs::read_to_string(folder.path().join("serve.log"))?;
            return Err(format!("parkhub serve stopped:\n{log}").into());
        };
        if let Some(address) = line?.strip_prefix("parkhub listening on http://") {
            break address.trim().to_string();
        }
    };
    // Keep reading the server's output so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    println!(
        "parkhub serve ready on {address} in {:.2?} (index built from the lake)",
        started.elapsed()
    );
    // The server merges the segments of its new index in the background: measure once
    // their number has held for three seconds, as a server that has been up a while.
    let index = data_dir.join("catalog");
    let started = Instant::now();
    let (mut segment_count, mut since) = (segments(&index)?, Instant::now());
    while since.elapsed() < Duration::from_secs(3) && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(250));
        let now = segments(&index)?;
        if now != segment_count {
            (segment_count, since) = (now, Instant::now());
        }
    }
    println!(
        "{segment_count} segments after merging ({:.2?})",
        started.elapsed()
    );

    let paths: Vec<(&str, String)> = mix
        .iter()
        .map(|(family, request)| (*family, path_of(request)))
        .collect();
    let mut warm = Client::connect(&address)?;
    for (family, path) in &paths {
        let body = warm.get(path)?;
        let total = total_of(&body);
        if total == Some(0) || total.is_none() {
            println!("warning: {family} {path} answered {total:?} hits");
        }
    }

    // One client alone: the latency of a request, HTTP and JSON included.
    let mut alone = Vec::new();
    for _ in 0..rounds {
        for (family, path) in &paths {
            let begun = Instant::now();
            warm.get(path)?;
            alone.push((*family, begun.elapsed()));
        }
    }
    drop(warm);
    report("1 client", alone, None);

    // Many clients at once, each over its own connection, starting at different queries.
    let barrier = Barrier::new(clients);
    let started = Instant::now();
    let results: Vec<Result<Vec<(&str, Duration)>, BoxError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|client| {
                let (paths, barrier, address) = (&paths, &barrier, &address);
                scope.spawn(move || -> Result<Vec<(&str, Duration)>, BoxError> {
                    let mut connection = Client::connect(address)?;
                    let mut latencies = Vec::with_capacity(rounds * paths.len());
                    barrier.wait();
                    for round in 0..rounds {
                        for step in 0..paths.len() {
                            let (family, path) = &paths[(client * 7 + round + step) % paths.len()];
                            let begun = Instant::now();
                            connection.get(path)?;
                            latencies.push((*family, begun.elapsed()));
                        }
                    }
                    Ok(latencies)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|_| Err("client panicked".into()))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let mut all = Vec::new();
    for result in results {
        all.extend(result.map_err(|error| error.to_string())?);
    }
    report(&format!("{clients} clients"), all, Some(elapsed));
    drop(server);
    Ok(())
}

/// The URL path and query string of a search request.
fn path_of(request: &SearchRequest) -> String {
    let mut parameters: Vec<(&str, String)> = vec![("q", request.query.clone())];
    if let Some(kind) = request.kind {
        parameters.push(("kind", kind.as_str().to_string()));
    }
    for (name, value) in [
        ("industry", &request.industry),
        ("division", &request.division),
        ("category", &request.category),
        ("scenario", &request.scenario),
        ("deployment", &request.deployment),
        ("provider", &request.provider),
    ] {
        if let Some(value) = value {
            parameters.push((name, value.clone()));
        }
    }
    for (name, value) in [
        ("price_min", request.price_min),
        ("price_max", request.price_max),
    ] {
        if let Some(value) = value {
            parameters.push((name, value.to_string()));
        }
    }
    parameters.push(("sort", request.sort.as_str().to_string()));
    parameters.push(("limit", request.limit.to_string()));
    parameters.push(("offset", request.offset.to_string()));
    let query: Vec<String> = parameters
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    format!("/api/catalog/search?{}", query.join("&"))
}

fn encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn total_of(body: &[u8]) -> Option<u64> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("total")?.as_u64()
}

/// A minimal HTTP/1.1 client over one keep-alive connection.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
}

impl Client {
    fn connect(address: &str) -> Result<Client, BoxError> {
        let stream = TcpStream::connect(address)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Client {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
            host: address.to_string(),
        })
    }

    /// Sends a GET and returns the body of a 200 answer.
    fn get(&mut self, path: &str) -> Result<Vec<u8>, BoxError> {
        write!(
            self.writer,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\r\n",
            self.host
        )?;
        self.writer.flush()?;
        let mut status = String::new();
        self.reader.read_line(&mut status)?;
        let mut length = None;
        let mut chunked = false;
        loop {
            let mut header = String::new();
            if self.reader.read_line(&mut header)? == 0 {
                return Err("connection closed".into());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.trim().eq_ignore_ascii_case("chunked");
            }
        }
        let body = if chunked {
            let mut body = Vec::new();
            loop {
                let mut size = String::new();
                self.reader.read_line(&mut size)?;
                let size = usize::from_str_radix(size.trim(), 16)?;
                let mut chunk = vec![0; size + 2];
                self.reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break body;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else {
            let mut body = vec![0; length.ok_or("no content-length")?];
            self.reader.read_exact(&mut body)?;
            body
        };
        if !status.starts_with("HTTP/1.1 200") {
            return Err(format!(
                "{path}: {} {}",
                status.trim(),
                String::from_utf8_lossy(&body)
            )
            .into());
        }
        Ok(body)
    }
}

fn report(name: &str, mut latencies: Vec<(&str, Duration)>, elapsed: Option<Duration>) {
    let mut by_family: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    for (family, latency) in &latencies {
        by_family.entry(family).or_default().push(*latency);
    }
    println!();
    println!(
        "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8}   (ms, HTTP, {name}, facets on)",
        "queries", "count", "p50", "p90", "p99", "max"
    );
    for (family, durations) in &mut by_family {
        mix::report(family, durations);
    }
    let mut all: Vec<Duration> = latencies.drain(..).map(|(_, latency)| latency).collect();
    let count = all.len();
    mix::report("all", &mut all);
    let elapsed = elapsed.unwrap_or_else(|| all.iter().sum());
    println!(
        "{name}: {:.0} queries/s",
        count as f64 / elapsed.as_secs_f64()
    );
}
