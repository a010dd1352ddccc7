//! Reliability of `parkhub ingest`: a corpus of bad inputs (generated here into temporary
//! folders, not committed) that must each end in a clear error, exit code 1, no panic, no hang
//! and unchanged tables; and `parkhub ingest` killed with SIGKILL at random moments, then run
//! again, leaving the table with exactly the input's rows.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::ingest::{fixture, uscc};
use crate::support::{parkhub, sql_json};

/// The longest any single `parkhub ingest` of the corpus may take (debug build).
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// A temporary folder under Cargo's for this test binary, removed when dropped (the corpus has
/// files of 100 MB and more).
fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("e2e-{name}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temporary folder")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs `parkhub ARGS` on `data_dir` and returns its output, failing the test when it does not
/// finish within `limit` (the process is then killed).
fn run_bounded(data_dir: &Path, args: &[&str], limit: Duration) -> Output {
    let child = parkhub(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("parkhub starts");
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(limit) {
        Ok(output) => output.expect("parkhub output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("parkhub {args:?} did not finish within {limit:?}: it hangs");
        }
    }
}

/// (rows of `table`, rows of `_quarantine`) in one query.
fn counts(data_dir: &Path, table: &str) -> (i64, i64) {
    let rows = sql_json(
        data_dir,
        &format!(
            "SELECT (SELECT count(*) FROM {table}) AS table_rows, \
             (SELECT count(*) FROM _quarantine) AS quarantined"
        ),
    );
    let number = |key: &str| rows[0][key].as_i64().expect("a count");
    (number("table_rows"), number("quarantined"))
}

/// A CSV of energy readings: a header, `good` valid rows, then the lines in `tail` as they are.
fn readings_csv(good: usize, tail: &str) -> String {
    let code = uscc("91320500MA1N0A0B1");
    let mut text = String::from("uscc,meter_id,ts,energy_type,value,unit\n");
    for row in 0..good {
        text.push_str(&format!(
            "{code},E-{row},2025-01-15 08:{:02}:00,electricity,{}.25,kWh\n",
            row % 60,
            row + 1
        ));
    }
    text.push_str(tail);
    text
}

/// A data directory whose `table` already holds rows (and `_quarantine` some rejected rows),
/// so that "unchanged" means something.
fn seeded(scratch: &Path, table: &str) -> PathBuf {
    let data = scratch.join("data");
    let (file, expected) = match table {
        "energy_readings" => {
            let file = scratch.join("seed.csv");
            let code = uscc("91320500MA1N0A0B2");
            let tail = format!("{code},E-x,2025-01-15 09:00:00,electricity,-1,kWh\n");
            std::fs::write(&file, readings_csv(3, &tail)).expect("write");
            (file, (3, 1))
        }
        "production_monthly" => (fixture("mixed_good_bad.csv"), (14, 6)),
        "enterprises" => (fixture("enterprises_gbk.csv"), (6, 4)),
        other => panic!("no seed for {other}"),
    };
    let output = run_bounded(
        &data,
        &["ingest", "--table", table, path_str(&file)],
        RUN_LIMIT,
    );
    assert!(
        output.status.success(),
        "seeding {table}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(counts(&data, table), expected);
    data
}

/// Ingests `file` into a seeded `table` and asserts that it fails as a whole: exit code 1, a
/// `failed` report whose error contains every one of `keywords`, no panic, and the table and
/// the quarantine unchanged.
fn assert_refused(scratch: &Path, table: &str, file: &Path, extra: &[&str], keywords: &[&str]) {
    let data = seeded(scratch, table);
    let before = counts(&data, table);
    let mut args = vec!["ingest", "--table", table, "--report", "json"];
    args.extend_from_slice(extra);
    args.push(path_str(file));
    let started = Instant::now();
    let output = run_bounded(&data, &args, RUN_LIMIT);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{}: parkhub panicked:\n{stderr}",
        file.display()
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}: exit code\nstdout:\n{stdout}\nstderr:\n{stderr}",
        file.display()
    );
    let reports: Vec<Value> = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("not a JSON report ({error}):\n{stdout}\n{stderr}"));
    assert_eq!(reports.len(), 1, "{reports:#?}");
    let report = &reports[0];
    assert_eq!(report["status"], "failed", "{report:#}");
    assert_eq!(report["rows_written"], 0, "{report:#}");
    let error = report["error"].as_str().unwrap_or_default();
    for keyword in keywords {
        assert!(
            error.contains(keyword),
            "{}: the error should say '{keyword}': {error}",
            file.display()
        );
    }
    assert_eq!(
        counts(&data, table),
        before,
        "{}: the table or the quarantine changed",
        file.display()
    );
    eprintln!(
        "{} refused in {:.1} s: {error}",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_csv_cut_inside_a_quoted_field_is_refused() {
    let scratch = scratch("bad-truncated-csv");
    let code = uscc("91320500MA1N0A0B1");
    let file = scratch.path().join("truncated.csv");
    // The file ends inside the quoted meter id: the last row was cut off mid-transfer.
    let tail = format!("{code},\"E-cut off here, in the middle of a quoted");
    std::fs::write(&file, readings_csv(5, &tail)).expect("write");
    assert_refused(scratch.path(), "energy_readings", &file, &[], &["quote"]);
}

#[test]
fn a_parquet_file_cut_in_half_is_refused() {
    let scratch = scratch("bad-truncated-parquet");
    let whole = std::fs::read(fixture("production.parquet")).expect("fixture");
    let file = scratch.path().join("half.parquet");
    std::fs::write(&file, &whole[..whole.len() / 2]).expect("write");
    assert_refused(
        scratch.path(),
        "production_monthly",
        &file,
        &[],
        &["Parquet"],
    );
}

#[test]
fn gbk_bytes_declared_as_utf8_are_refused() {
    let scratch = scratch("bad-encoding");
    let file = scratch.path().join("gbk.csv");
    std::fs::copy(fixture("enterprises_gbk.csv"), &file).expect("copy");
    // Another content than the seed's, so that it is not recognised as a duplicate first.
    let mut more = std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .expect("open");
    more.write_all(b"\r\n").expect("append");
    drop(more);
    assert_refused(
        scratch.path(),
        "enterprises",
        &file,
        &["--encoding", "utf-8"],
        &["not valid UTF-8", "GBK"],
    );
}

#[test]
fn a_100_mb_field_is_refused_with_bounded_memory() {
    let scratch = scratch("bad-huge-field");
    let file = scratch.path().join("huge.csv");
    let code = uscc("91320500MA1N0A0B1");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("create"));
    out.write_all(readings_csv(2, "").as_bytes())
        .expect("write");
    write!(out, "{code},\"").expect("write");
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        out.write_all(&chunk).expect("write");
    }
    writeln!(out, "\",2025-01-15 08:00:00,electricity,1,kWh").expect("write");
    out.flush().expect("flush");
    drop(out);
    assert!(std::fs::metadata(&file).expect("size").len() > 100 << 20);
    assert_refused(
        scratch.path(),
        "energy_readings",
        &file,
        &[],
        &["row 4", "longer than"],
    );
}

#[test]
fn an_xlsx_that_is_not_a_zip_is_refused() {
    let scratch = scratch("bad-xlsx");
    let file = scratch.path().join("table.xlsx");
    std::fs::write(&file, readings_csv(3, "")).expect("write");
    assert_refused(
        scratch.path(),
        "energy_readings",
        &file,
        &[],
        &["not a zip archive"],
    );
    // An old binary workbook renamed to .xlsx.
    let old = scratch.path().join("old.xlsx");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&old, bytes).expect("write");
    let data = scratch.path().join("data");
    let before = counts(&data, "energy_readings");
    let output = run_bounded(
        &data,
        &["ingest", "--table", "energy_readings", path_str(&old)],
        RUN_LIMIT,
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Excel 97-2003"), "{stdout}");
    assert_eq!(counts(&data, "energy_readings"), before);
}

#[test]
fn a_zip_bomb_saved_as_xlsx_is_refused_before_it_expands() {
    let scratch = scratch("bad-zip-bomb");
    let file = scratch.path().join("bomb.xlsx");
    let expanded = write_zip_bomb(&file, 5_000_000);
    assert!(expanded > 1 << 30, "more than 1 GiB: {expanded}");
    let compressed = std::fs::metadata(&file).expect("size").len();
    assert!(
        compressed < 16 << 20,
        "a bomb: {compressed} bytes on disk for {expanded}"
    );
    assert_refused(
        scratch.path(),
        "energy_readings",
        &file,
        &[],
        &["refusing the archive", "xl/worksheets/sheet1.xml"],
    );
}

#[test]
fn binary_junk_is_refused_whatever_it_is_called() {
    let scratch = scratch("bad-junk");
    let mut rng = Lcg::new(7);
    let junk: Vec<u8> = (0..256 * 1024).map(|_| (rng.next() >> 24) as u8).collect();
    let csv = scratch.path().join("junk.csv");
    std::fs::write(&csv, &junk).expect("write");
    assert_refused(scratch.path(), "energy_readings", &csv, &[], &["not valid"]);
    for (name, keyword) in [
        ("junk.parquet", "Parquet"),
        ("junk.ndjson", "not valid"),
        ("junk.xlsx", "not a zip archive"),
    ] {
        let file = scratch.path().join(name);
        std::fs::write(&file, &junk).expect("write");
        let data = scratch.path().join("data");
        let before = counts(&data, "energy_readings");
        let output = run_bounded(
            &data,
            &["ingest", "--table", "energy_readings", path_str(&file)],
            RUN_LIMIT,
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert_eq!(output.status.code(), Some(1), "{name}: {stdout}{stderr}");
        assert!(
            stdout.contains("FAILED") && stdout.contains(keyword),
            "{name}: {stdout}"
        );
        assert_eq!(counts(&data, "energy_readings"), before, "{name}");
    }
}

#[test]
fn an_empty_file_is_refused() {
    let scratch = scratch("bad-empty");
    let file = scratch.path().join("empty.csv");
    std::fs::write(&file, b"").expect("write");
    assert_refused(scratch.path(), "energy_readings", &file, &[], &["empty"]);
}

#[test]
fn a_header_without_any_known_column_is_refused() {
    let scratch = scratch("bad-header");
    let file = scratch.path().join("unknown.csv");
    std::fs::write(&file, "a,b,c\n1,2,3\n4,5,6\n").expect("write");
    assert_refused(
        scratch.path(),
        "energy_readings",
        &file,
        &[],
        &["expected columns", "[a, b, c]"],
    );
    // Some known columns, but not the required ones.
    let partial = scratch.path().join("partial.csv");
    std::fs::write(&partial, "uscc,value\n91320500MA1N0A0B1J,1\n").expect("write");
    let data = scratch.path().join("data");
    let before = counts(&data, "energy_readings");
    let output = run_bounded(
        &data,
        &["ingest", "--table", "energy_readings", path_str(&partial)],
        RUN_LIMIT,
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("needs columns the source does not have") && stdout.contains("meter_id"),
        "{stdout}"
    );
    assert_eq!(counts(&data, "energy_readings"), before);
}

#[test]
fn ragged_rows_are_row_problems_quarantined_while_the_rest_lands() {
    let scratch = scratch("bad-ragged");
    let data = seeded(scratch.path(), "energy_readings");
    let before = counts(&data, "energy_readings");
    let code = uscc("91320500MA1N0A0B1");
    let tail = format!(
        "{code},E-short,2025-01-15 10:00:00\n\
         {code},E-ok,2025-01-15 10:05:00,electricity,7,kWh\n\
         {code},E-long,2025-01-15 10:10:00,electricity,8,kWh,surplus,cells\n\
         {code},E-trailing,2025-01-15 10:15:00,electricity,9,kWh,,\n"
    );
    let file = scratch.path().join("ragged.csv");
    std::fs::write(&file, readings_csv(4, &tail)).expect("write");
    let output = run_bounded(
        &data,
        &[
            "ingest",
            "--table",
            "energy_readings",
            "--report",
            "json",
            path_str(&file),
        ],
        RUN_LIMIT,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let reports: Vec<Value> = serde_json::from_str(&stdout).expect("JSON");
    let report = &reports[0];
    // 4 good rows, the short and the long row rejected, the row with empty trailing cells kept.
    assert_eq!(report["status"], "committed", "{report:#}");
    assert_eq!(report["rows_read"], 8, "{report:#}");
    assert_eq!(report["rows_written"], 6, "{report:#}");
    assert_eq!(report["rows_rejected"], 2, "{report:#}");
    let ragged: Vec<(u64, String)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter(|error| {
            error["reason"]
                .as_str()
                .is_some_and(|reason| reason.contains("fields, header has"))
        })
        .map(|error| {
            (
                error["row"].as_u64().expect("row"),
                error["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ragged.iter().map(|(row, _)| *row).collect::<Vec<_>>(),
        vec![6, 8],
        "{ragged:#?}"
    );
    assert!(ragged[0].1.contains("row has 3 fields, header has 6"));
    assert_eq!(
        counts(&data, "energy_readings"),
        (before.0 + 6, before.1 + 2)
    );
}

/// Runs `parkhub ingest --report json` on each file at once, one process each, all on
/// `data_dir`; returns (exit code, reports) per process.
fn ingest_in_parallel(
    data_dir: &Path,
    table: &str,
    files: &[PathBuf],
) -> Vec<(Option<i32>, String)> {
    let children: Vec<_> = files
        .iter()
        .map(|file| {
            parkhub(data_dir)
                .args(["ingest", "--table", table, "--report", "json"])
                .arg(file)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("parkhub starts")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("output");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            (output.status.code(), text)
        })
        .collect()
}

#[test]
fn separate_processes_ingesting_into_one_new_table_at_once_all_land_exactly_once() {
    let scratch = scratch("processes");
    // Different files: upserts with disjoint keys, into a table that does not exist yet.
    let files: Vec<PathBuf> = (0..4)
        .map(|process| {
            let file = scratch.path().join(format!("part-{process}.csv"));
            let mut text = String::from("uscc,period,output_value\n");
            for enterprise in 0..10 {
                let code = uscc(&format!("91320500000{process:02}{enterprise:04}"));
                for month in 1..=3 {
                    text.push_str(&format!("{code},2025-{month:02},{}\n", 100 + month));
                }
            }
            std::fs::write(&file, text).expect("write");
            file
        })
        .collect();
    for round in 0..3 {
        let data = scratch.path().join(format!("round-{round}"));
        let outcomes = ingest_in_parallel(&data, "production_monthly", &files);
        for (code, text) in &outcomes {
            assert_eq!(*code, Some(0), "round {round}: {text}");
        }
        assert_eq!(
            counts(&data, "production_monthly"),
            (120, 0),
            "round {round}"
        );
    }

    // The same file from 4 processes: written once, and reported committed once.
    let data = scratch.path().join("same");
    let same = vec![files[0].clone(); 4];
    let outcomes = ingest_in_parallel(&data, "production_monthly", &same);
    let mut statuses = Vec::new();
    for (code, text) in &outcomes {
        assert_eq!(*code, Some(0), "{text}");
        let json_start = text.find('[').expect("a JSON report");
        let reports: Vec<Value> = serde_json::Deserializer::from_str(&text[json_start..])
            .into_iter()
            .next()
            .expect("one JSON value")
            .expect("JSON");
        statuses.push(reports[0]["status"].as_str().unwrap_or("?").to_string());
    }
    assert_eq!(counts(&data, "production_monthly"), (30, 0));
    statuses.sort();
    assert_eq!(
        statuses,
        ["committed", "duplicate", "duplicate", "duplicate"],
        "one process wrote the rows, the others must not say they did"
    );
}

/// A linear congruential generator: the test's randomness, fixed by its seed.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Lcg {
        Lcg(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 32 random bits.
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 32) as u32
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        f64::from(self.next()) / f64::from(u32::MAX) * 0.999_999
    }
}

/// Writes `rows` energy readings for 40 enterprises, every 997th with a negative value (which
/// the contract rejects); returns (valid rows, rejected rows).
fn write_kill_input(path: &Path, rows: usize) -> (i64, i64) {
    let codes: Vec<String> = (0..40)
        .map(|i| uscc(&format!("9132050000000{i:04}")))
        .collect();
    let mut rng = Lcg::new(2025);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    writeln!(out, "uscc,meter_id,ts,energy_type,value,unit").expect("write");
    let mut rejected = 0;
    for row in 0..rows {
        let enterprise = row % codes.len();
        let value = if row % 997 == 996 {
            rejected += 1;
            -1.0
        } else {
            f64::from(rng.next() % 100_000) / 10.0
        };
        writeln!(
            out,
            "{},E-{enterprise}-{},2025-02-{:02} {:02}:{:02}:00,electricity,{value},kWh",
            codes[enterprise],
            row % 3,
            1 + row / 1440 % 28,
            row / 60 % 24,
            row % 60
        )
        .expect("write");
    }
    out.flush().expect("flush");
    (rows as i64 - rejected, rejected)
}

#[test]
fn ingest_killed_with_sigkill_at_random_moments_then_rerun_leaves_exactly_the_input_rows() {
    const TRIALS: usize = 20;
    const ROWS: usize = 50_000;
    let scratch = scratch("kill");
    let input = scratch.path().join("readings.csv");
    let expected = write_kill_input(&input, ROWS);
    let args = ["ingest", "--table", "energy_readings", path_str(&input)];

    // How long an uninterrupted run takes: the kills fall anywhere in it.
    let calibration = scratch.path().join("calibration");
    let started = Instant::now();
    let output = run_bounded(&calibration, &args, RUN_LIMIT);
    let full = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(counts(&calibration, "energy_readings"), expected);

    let mut rng = Lcg::new(9);
    let mut killed = Vec::new();
    let mut reruns_found_committed = 0;
    // Until TRIALS runs were really interrupted: a run can finish before its kill comes.
    let mut trial = 0;
    while killed.len() < TRIALS {
        assert!(
            trial < 3 * TRIALS,
            "too few runs were really interrupted in {trial} trials: {killed:?}"
        );
        let data = scratch.path().join(format!("trial-{trial}"));
        // Half the kills anywhere in the run, half in its last part, where the commits are.
        let delay = if trial % 2 == 0 {
            full.mul_f64(rng.unit() * 0.95)
        } else {
            full.mul_f64(0.5 + rng.unit() * 0.45)
        };
        let mut child = parkhub(&data)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("parkhub starts");
        std::thread::sleep(delay);
        // SIGKILL: no handler runs, no buffer is flushed, no destructor cleans up.
        Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .stderr(Stdio::null())
            .status()
            .expect("kill runs");
        let status = child.wait().expect("wait");
        let was_killed = status.signal() == Some(9);
        if was_killed {
            killed.push(delay);
        } else {
            assert!(
                status.success(),
                "trial {trial}: the first run failed on its own: {status}"
            );
        }

        let output = run_bounded(&data, &args, RUN_LIMIT);
        assert!(
            output.status.success(),
            "trial {trial} (killed after {delay:?}): the re-run failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let rerun = String::from_utf8_lossy(&output.stdout);
        if rerun.starts_with("duplicate") {
            // The killed run had committed the rows already (and maybe not the quarantine).
            reruns_found_committed += 1;
        }
        assert_eq!(
            counts(&data, "energy_readings"),
            expected,
            "trial {trial} (killed: {was_killed}, after {delay:?}): (table rows, quarantined rows)"
        );
        // And once more: nothing is written twice.
        if trial % 5 == 0 {
            let output = run_bounded(&data, &args, RUN_LIMIT);
            assert!(output.status.success());
            assert!(String::from_utf8_lossy(&output.stdout).contains("duplicate"));
            assert_eq!(counts(&data, "energy_readings"), expected);
        }
        let _ = std::fs::remove_dir_all(&data);
        trial += 1;
    }
    eprintln!(
        "kill -9: {} of {trial} runs killed mid-way (full run {full:?}), at {:?}; {} re-runs \
         found the rows committed already; every re-run left exactly {} rows and {} quarantined",
        killed.len(),
        killed,
        reruns_found_committed,
        expected.0,
        expected.1
    );
}

/// Bits as deflate packs them: least significant first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    buffer: u64,
    count: u32,
}

impl Bits {
    fn put(&mut self, value: u64, count: u32) {
        self.buffer |= value << self.count;
        self.count += count;
        while self.count >= 8 {
            self.out.push(self.buffer as u8);
            self.buffer >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code, which deflate sends most significant bit first.
    fn code(&mut self, code: u64, length: u32) {
        self.put(reverse(code, length), length);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.buffer as u8);
        }
        self.out
    }
}

/// The low `length` bits of `code` in reverse order.
fn reverse(code: u64, length: u32) -> u64 {
    (0..length).fold(0, |acc, bit| {
        acc | (((code >> bit) & 1) << (length - 1 - bit))
    })
}

/// A deflate stream of `1 + 258 × matches` zero bytes: one literal zero, then back-references
/// of the longest length to the byte before (fixed Huffman codes, 13 bits per 258 bytes).
fn deflate_zeros(matches: u64) -> (Vec<u8>, u64) {
    let mut bits = Bits::default();
    bits.out.reserve((matches * 13 / 8 + 16) as usize);
    bits.put(1, 1); // the final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    // Length 258 is code 285 (8 bits 11000101), distance 1 is code 0 (5 bits 00000); neither
    // has extra bits.
    let pattern = reverse(0xC5, 8);
    for _ in 0..matches {
        bits.put(pattern, 13);
    }
    bits.code(0, 7); // end of block
    (bits.finish(), 1 + 258 * matches)
}

/// CRC-32 (the zip one), bit by bit.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// CRC-32 of `length` zero bytes without reading them: a zero bit changes the CRC register by
/// a linear map over GF(2), applied 8 × `length` times by repeated squaring.
fn crc32_of_zeros(length: u64) -> u32 {
    fn apply(map: &[u32; 32], vector: u32) -> u32 {
        (0..32)
            .filter(|bit| vector >> bit & 1 == 1)
            .fold(0, |acc, bit| acc ^ map[bit])
    }
    let mut map: [u32; 32] = std::array::from_fn(|bit| {
        if bit == 0 {
            0xEDB8_8320
        } else {
            1 << (bit - 1)
        }
    });
    let mut state = 0xFFFF_FFFFu32;
    let mut bits = length * 8;
    while bits > 0 {
        if bits & 1 == 1 {
            state = apply(&map, state);
        }
        map = std::array::from_fn(|bit| apply(&map, map[bit]));
        bits >>= 1;
    }
    !state
}

/// Writes an XLSX-shaped zip whose worksheet entry is a valid deflate stream expanding to
/// more than a gibibyte of zeros; returns its expanded size.
fn write_zip_bomb(path: &Path, matches: u64) -> u64 {
    let content_types = br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
    let (bomb, expanded) = deflate_zeros(matches);
    let entries: [(&str, u16, &[u8], u32, u64); 2] = [
        (
            "[Content_Types].xml",
            0,
            content_types,
            crc32(content_types),
            content_types.len() as u64,
        ),
        (
            "xl/worksheets/sheet1.xml",
            8,
            &bomb,
            crc32_of_zeros(expanded),
            expanded,
        ),
    ];
    let u16le = |out: &mut Vec<u8>, value: u16| out.extend_from_slice(&value.to_le_bytes());
    let u32le = |out: &mut Vec<u8>, value: u32| out.extend_from_slice(&value.to_le_bytes());
    let size32 = |value: u64| u32::try_from(value).expect("below 4 GiB");
    let mut zip = Vec::with_capacity(bomb.len() + 1024);
    let mut central = Vec::new();
    for (name, method, data, crc, size) in entries {
        let offset = size32(zip.len() as u64);
        // Local file header.
        u32le(&mut zip, 0x0403_4b50);
        u16le(&mut zip, 20);
        u16le(&mut zip, 0);
        u16le(&mut zip, method);
        u16le(&mut zip, 0);
        u16le(&mut zip, 0x21);
        u32le(&mut zip, crc);
        u32le(&mut zip, size32(data.len() as u64));
        u32le(&mut zip, size32(size));
        u16le(&mut zip, name.len() as u16);
        u16le(&mut zip, 0);
        zip.extend_from_slice(name.as_bytes());
        zip.extend_from_slice(data);
        // Its central directory entry.
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 20);
        u16le(&mut central, 20);
        u16le(&mut central, 0);
        u16le(&mut central, method);
        u16le(&mut central, 0);
        u16le(&mut central, 0x21);
        u32le(&mut central, crc);
        u32le(&mut central, size32(data.len() as u64));
        u32le(&mut central, size32(size));
        u16le(&mut central, name.len() as u16);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = size32(zip.len() as u64);
    let central_size = size32(central.len() as u64);
    zip.extend_from_slice(&central);
    // End of central directory.
    u32le(&mut zip, 0x0605_4b50);
    u16le(&mut zip, 0);
    u16le(&mut zip, 0);
    u16le(&mut zip, 2);
    u16le(&mut zip, 2);
    u32le(&mut zip, central_size);
    u32le(&mut zip, central_offset);
    u16le(&mut zip, 0);
    std::fs::write(path, zip).expect("write the bomb");
    expanded
}

#[test]
fn the_zip_bomb_helpers_are_right() {
    // The CRC shortcut agrees with the plain CRC, and the stream is the zeros it claims.
    for length in [0u64, 1, 7, 259, 4097] {
        assert_eq!(
            crc32_of_zeros(length),
            crc32(&vec![0; length as usize]),
            "{length}"
        );
    }
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    let (stream, expanded) = deflate_zeros(3);
    assert_eq!(expanded, 775);
    // 3 + 8 + 3 × 13 + 7 bits.
    assert_eq!(stream.len(), 57_usize.div_ceil(8));

    // A small one, opened with the zip crate, holds the zeros it claims, CRC checked.
    let dir = scratch("zip-helpers");
    let path = dir.path().join("small.xlsx");
    let expanded = write_zip_bomb(&path, 1000);
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("a zip archive");
    let mut entry = archive
        .by_name("xl/worksheets/sheet1.xml")
        .expect("the sheet entry");
    assert_eq!(entry.size(), expanded);
    let mut content = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut content).expect("inflates with a good CRC");
    assert_eq!(content.len() as u64, expanded);
    assert!(content.iter().all(|&byte| byte == 0));
}
