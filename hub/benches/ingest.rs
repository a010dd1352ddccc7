//! Ingest benchmark: `parkhub ingest` (release build, validation on) of a 10-million-row
//! `energy_readings` CSV of about 600 MB, beside DuckDB converting the same file to Parquet with
//! `COPY (SELECT * FROM read_csv('f.csv')) TO 'f.parquet' (FORMAT parquet)`, in the same run:
//! wall time, rows/s, MB/s and peak RSS of each, and the ratio.
//!
//! ```text
//! pip install -r bench/requirements.txt                   # DuckDB, from PyPI
//! cargo bench -p parkhub --bench ingest
//! PARKHUB_BENCH_ROWS=1000000 cargo bench -p parkhub --bench ingest   # a quick check
//! ```
//!
//! Settings (environment): `PARKHUB_BENCH_ROWS` (default 10,000,000), `PARKHUB_BENCH_DIR`
//! (where the generated CSV is kept between runs; default `target/tmp/bench-ingest`),
//! `PARKHUB_BENCH_BIN` (a `parkhub` binary to use instead of building `target/release/parkhub`),
//! `PARKHUB_BENCH_PYTHON` (default `python3`), `PARKHUB_BENCH_SKIP_DUCKDB=1`.
//!
//! Peak RSS is read from `/usr/bin/time -v` when it exists, else by polling `VmHWM` in
//! `/proc/PID/status` every 10 ms.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The default size of the benchmark file.
const DEFAULT_ROWS: u64 = 10_000_000;

/// Enterprises in the generated park (each with a valid USCC).
const ENTERPRISES: u64 = 2_000;

/// What one measured run gave.
struct Measurement {
    seconds: f64,
    peak_rss_bytes: Option<u64>,
    stdout: String,
    stderr: String,
}

fn main() {
    let rows = std::env::var("PARKHUB_BENCH_ROWS")
        .ok()
        .map(|text| {
            text.replace('_', "")
                .parse::<u64>()
                .expect("PARKHUB_BENCH_ROWS is a number")
        })
        .unwrap_or(DEFAULT_ROWS);
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace folder")
        .to_path_buf();
    let dir = std::env::var_os("PARKHUB_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_tmp.join("bench-ingest"));
    std::fs::create_dir_all(&dir).expect("bench folder");

    let csv = dir.join(format!("energy_readings_{rows}.csv"));
    if !csv.exists() {
        let started = Instant::now();
        generate(&csv, rows);
        eprintln!(
            "generated {} in {:.1} s",
            csv.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::metadata(&csv).expect("the CSV").len();
    let binary = parkhub_binary(&workspace, &target_tmp);

    println!();
    println!(
        "energy_readings CSV: {} rows, {:.1} MB ({}), {} cores",
        thousands(rows),
        bytes as f64 / 1e6,
        csv.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    // ParkHub: a fresh data directory, so the whole file is ingested (not a duplicate).
    let data_dir = dir.join("parkhub-data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir).expect("remove the old data dir");
    }
    let mut command = Command::new(&binary);
    command
        .env("PARKHUB_LOG", "warn")
        .env_remove("PARKHUB_DATA_DIR")
        .env_remove("PARKHUB_CONFIG")
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["ingest", "--table", "energy_readings", "--report", "json"])
        .arg(&csv);
    let parkhub = measure(command);
    let reports: serde_json::Value = serde_json::from_str(&parkhub.stdout).unwrap_or_else(|e| {
        panic!(
            "parkhub ingest did not print a report ({e}):\n{}\n{}",
            parkhub.stdout, parkhub.stderr
        )
    });
    let report = &reports[0];
    assert_eq!(report["status"], "committed", "{report:#}");
    let written = report["rows_written"].as_u64().expect("rows_written");
    assert_eq!(written, rows, "every generated row is valid: {report:#}");
    let _ = std::fs::remove_dir_all(&data_dir);

    let duckdb = if std::env::var_os("PARKHUB_BENCH_SKIP_DUCKDB").is_some() {
        None
    } else {
        run_duckdb(&workspace, &dir, &csv, rows)
    };

    println!();
    println!(
        "{:<34} {:>9} {:>13} {:>9} {:>12}",
        "", "seconds", "rows/s", "MB/s", "peak RSS"
    );
    print_row("parkhub ingest (validated, Delta)", rows, bytes, &parkhub);
    if let Some((duckdb, copy_seconds, version)) = &duckdb {
        print_row(
            &format!("duckdb {version} COPY → Parquet"),
            rows,
            bytes,
            duckdb,
        );
        println!(
            "{:<34} {:>9.2} {:>13}   (the COPY alone, without starting Python)",
            "",
            copy_seconds,
            thousands((rows as f64 / copy_seconds) as u64)
        );
        println!();
        println!(
            "ratio of rows/s, parkhub / duckdb: {:.2} (process to process), {:.2} (against the COPY alone)",
            duckdb.seconds / parkhub.seconds,
            copy_seconds / parkhub.seconds
        );
    }
    println!();
}

/// Writes `rows` valid energy readings: 2,000 enterprises, electricity, gas, steam and water.
fn generate(path: &Path, rows: u64) {
    let partial = path.with_extension("csv.partial");
    let mut out = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&partial).expect("create the CSV"),
    );
    let codes: Vec<String> = (0..ENTERPRISES)
        .map(|i| uscc(&format!("913205000{i:08}")))
        .collect();
    const KINDS: [(&str, &str, u64); 4] = [
        ("electricity", "kWh", 50_000),
        ("natural_gas", "m3", 5_000),
        ("steam", "t", 300),
        ("water", "m3", 2_000),
    ];
    let mut random = 0x2545_F491_4F6C_DD1Du64;
    writeln!(out, "uscc,meter_id,ts,energy_type,value,unit").expect("write");
    for row in 0..rows {
        random = random
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let enterprise = row % ENTERPRISES;
        let (kind, unit, scale) = KINDS[(row / ENTERPRISES % 4) as usize];
        let reading = row / (ENTERPRISES * 4);
        let minutes = reading * 15;
        let day = minutes / 1440;
        let value = (random >> 33) % (scale * 10);
        writeln!(
            out,
            "{},M{enterprise:04}{},2025-{:02}-{:02} {:02}:{:02}:00,{kind},{}.{},{unit}",
            codes[enterprise as usize],
            row / ENTERPRISES % 4,
            1 + day / 28 % 12,
            1 + day % 28,
            minutes / 60 % 24,
            minutes % 60,
            value / 10,
            value % 10
        )
        .expect("write");
    }
    out.flush().expect("flush");
    drop(out);
    std::fs::rename(&partial, path).expect("rename the CSV");
}

/// A valid USCC: the GB 32100-2015 check character appended to 17 characters.
fn uscc(first17: &str) -> String {
    parkhub_connectors::uscc::with_check_character(first17).expect("17 USCC characters")
}

/// The release `parkhub`: `PARKHUB_BENCH_BIN`, else `target/release/parkhub` brought up to
/// date with `cargo build --release`.
fn parkhub_binary(workspace: &Path, target_tmp: &Path) -> PathBuf {
    if let Some(binary) = std::env::var_os("PARKHUB_BENCH_BIN") {
        return PathBuf::from(binary);
    }
    let binary = target_tmp
        .parent()
        .expect("the target folder")
        .join("release/parkhub");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building the release binary (cargo build --release --bin parkhub)…");
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "-p", "parkhub", "--bin", "parkhub"])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cargo build --release failed");
    assert!(binary.exists(), "{} is missing", binary.display());
    binary
}

/// Runs DuckDB's COPY; returns its measurement, the COPY's own seconds and DuckDB's version.
fn run_duckdb(
    workspace: &Path,
    dir: &Path,
    csv: &Path,
    rows: u64,
) -> Option<(Measurement, f64, String)> {
    let python = std::env::var("PARKHUB_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_duckdb = Command::new(&python)
        .args(["-c", "import duckdb"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_duckdb {
        println!(
            "DuckDB skipped: `{python} -c 'import duckdb'` fails; pip install -r bench/requirements.txt"
        );
        return None;
    }
    let parquet = dir.join("duckdb_out.parquet");
    let _ = std::fs::remove_file(&parquet);
    let mut command = Command::new(&python);
    command
        .arg(workspace.join("bench/duckdb_copy.py"))
        .arg(csv)
        .arg(&parquet);
    let measurement = measure(command);
    let _ = std::fs::remove_file(&parquet);
    let line = measurement.stdout.lines().last().unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "duckdb_copy.py printed no JSON ({e}):\n{}\n{}",
            measurement.stdout, measurement.stderr
        )
    });
    assert_eq!(answer["rows"].as_u64(), Some(rows), "{answer}");
    let seconds = answer["seconds"].as_f64().expect("seconds");
    let version = answer["version"].as_str().unwrap_or("?").to_string();
    Some((measurement, seconds, version))
}

/// Runs a command to the end and measures its wall time and peak RSS.
fn measure(command: Command) -> Measurement {
    let time = Path::new("/usr/bin/time");
    let with_time = time.exists();
    let report = std::env::temp_dir().join(format!("parkhub-bench-time-{}", std::process::id()));
    let mut wrapped = if with_time {
        let mut wrapped = Command::new(time);
        wrapped
            .arg("-v")
            .arg("-o")
            .arg(&report)
            .arg(command.get_program())
            .args(command.get_args());
        for (key, value) in command.get_envs() {
            match value {
                Some(value) => wrapped.env(key, value),
                None => wrapped.env_remove(key),
            };
        }
        if let Some(dir) = command.get_current_dir() {
            wrapped.current_dir(dir);
        }
        wrapped
    } else {
        command
    };
    let started = Instant::now();
    let mut child = wrapped
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(stdout));
    let stderr = read(Box::new(stderr));
    let mut polled_peak = 0u64;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !with_time {
            polled_peak = polled_peak.max(vm_hwm(child.id()).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let seconds = started.elapsed().as_secs_f64();
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    assert!(
        status.success(),
        "{:?} failed with {status}:\n{stdout}\n{stderr}",
        command_line(&wrapped)
    );
    let peak_rss_bytes = if with_time {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        text.lines()
            .find_map(|line| {
                line.trim()
                    .strip_prefix("Maximum resident set size (kbytes):")
            })
            .and_then(|kb| kb.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    } else {
        (polled_peak > 0).then_some(polled_peak)
    };
    Measurement {
        seconds,
        peak_rss_bytes,
        stdout,
        stderr,
    }
}

/// `VmHWM` (peak resident set) of a process, in bytes.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn command_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_row(label: &str, rows: u64, bytes: u64, measurement: &Measurement) {
    let rss = measurement
        .peak_rss_bytes
        .map_or_else(|| "?".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
    println!(
        "{label:<34} {:>9.2} {:>13} {:>9.1} {:>12}",
        measurement.seconds,
        thousands((rows as f64 / measurement.seconds) as u64),
        bytes as f64 / 1e6 / measurement.seconds,
        rss
    );
}

/// 1234567 → "1,234,567".
fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
