//! Ingestion through the real interfaces: `parkhub ingest` on the fixtures of `tests/data/`
//! (GBK CSV with Chinese headers, an XLSX written by LibreOffice, nested NDJSON, Parquet, mixed
//! good and bad rows), `parkhub quarantine list`, and `POST /api/ingest/{table}` with
//! `GET /api/ingest/{batch_id}`, `GET /api/ingest` and `GET /api/quarantine`, including 8
//! concurrent pushes into one table. Every count is exact: see `tests/data/README.md` for what
//! each fixture holds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::support::{
    TestHub, create_token, fresh_dir, http_with_token, run, run_ok, sql_count, sql_json,
    unique_token_name,
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A USCC whose check character is wrong (it should be Q): line 4 of `enterprises_gbk.csv`.
const BAD_CHECK_USCC: &str = "91320500MA1N0A0B30";

/// Returns the path of a committed fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/data")
        .join(name)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// Runs `parkhub ingest --table TABLE --report json EXTRA... FILES...`; returns the exit code
/// and the reports.
pub fn ingest_json(data_dir: &Path, table: &str, args: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut all = vec!["ingest", "--table", table, "--report", "json"];
    all.extend_from_slice(args);
    let output = run(data_dir, &all);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reports: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "ingest {args:?}: stdout is not a JSON array ({error}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), reports)
}

/// Ingests one file that must succeed; returns its report.
fn ingest_one(data_dir: &Path, table: &str, args: &[&str]) -> Value {
    let (code, reports) = ingest_json(data_dir, table, args);
    assert_eq!(code, Some(0), "{reports:#?}");
    assert_eq!(reports.len(), 1, "{reports:#?}");
    reports.into_iter().next().expect("one report")
}

/// Asserts the counters of a report: (rows_read, rows_written, rows_rejected).
fn assert_counts(report: &Value, status: &str, counts: (u64, u64, u64)) {
    let actual = (
        report["rows_read"].as_u64().expect("rows_read"),
        report["rows_written"].as_u64().expect("rows_written"),
        report["rows_rejected"].as_u64().expect("rows_rejected"),
    );
    assert_eq!(report["status"], status, "{report:#}");
    assert_eq!(actual, counts, "{report:#}");
    assert_eq!(report["duplicate"], status == "duplicate", "{report:#}");
    if status != "failed" {
        assert!(report["error"].is_null(), "{report:#}");
    }
}

/// The (row, column) of every error in a report.
fn error_places(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                error["row"].as_u64().expect("row"),
                error["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn count(data_dir: &Path, table: &str) -> i64 {
    sql_count(data_dir, &format!("SELECT count(*) FROM {table}"))
}

fn quarantined(data_dir: &Path, table: &str) -> i64 {
    sql_count(
        data_dir,
        &format!("SELECT count(*) FROM _quarantine WHERE table_name = '{table}'"),
    )
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn gbk_csv_with_chinese_headers_lands_and_bad_rows_are_quarantined_with_bilingual_reasons() {
    let dir = fresh_dir("ingest-gbk");
    let file = fixture("enterprises_gbk.csv");
    let bytes = std::fs::read(&file).expect("fixture");
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must really be GBK"
    );

    // The encoding is detected: no --encoding.
    let report = ingest_one(&dir, "enterprises", &[path_str(&file)]);
    assert_counts(&report, "committed", (10, 6, 4));
    assert_eq!(report["table"], "enterprises");
    assert_eq!(report["content_sha256"], sha256_hex(&bytes));
    assert!(
        report["source"]
            .as_str()
            .expect("source")
            .ends_with("enterprises_gbk.csv")
    );
    let batch = report["batch_id"].as_str().expect("batch id").to_string();
    assert!(!batch.is_empty());
    assert!(report["started_at"].is_string() && report["finished_at"].is_string());
    assert_eq!(
        error_places(&report),
        vec![
            (4, "uscc".to_string()),
            (6, "key_industry".to_string()),
            (8, "employees".to_string()),
            (10, "scale".to_string()),
            (10, "founded".to_string()),
        ]
    );
    let check_digit = &report["errors"][0];
    assert_eq!(check_digit["value"], BAD_CHECK_USCC);
    assert_eq!(
        check_digit["reason"],
        "统一社会信用代码 校验位错误（应为 Q） / uscc: USCC check digit wrong (expected Q)"
    );

    assert_eq!(count(&dir, "enterprises"), 6);
    assert_eq!(quarantined(&dir, "enterprises"), 4);
    assert_eq!(
        sql_count(
            &dir,
            &format!("SELECT count(*) FROM enterprises WHERE _batch_id = '{batch}'")
        ),
        6
    );
    // Decoded from GBK, with the clerk's ways of writing numbers and dates.
    let rows = sql_json(
        &dir,
        "SELECT name, industry_code, key_industry, founded, employees, land_area_mu \
         FROM enterprises WHERE uscc = '91320500MA1N0A0B2M'",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "苏州金桥钢铁制品有限公司");
    assert_eq!(rows[0]["industry_code"], "C3130");
    assert_eq!(rows[0]["founded"], "2008-06-01");
    assert_eq!(rows[0]["employees"], 1250);
    assert_eq!(rows[0]["land_area_mu"], 210.0);

    // The quarantine, from the CLI, with the full bilingual message per row.
    let listed: Vec<Value> = serde_json::from_str(&run_ok(
        &dir,
        &[
            "quarantine",
            "list",
            "--table",
            "enterprises",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(listed.len(), 4, "{listed:#?}");
    for row in &listed {
        for field in [
            "table_name",
            "batch_id",
            "source",
            "source_row",
            "record",
            "reasons",
            "quarantined_at",
        ] {
            assert!(row.get(field).is_some(), "{field} missing in {row:#}");
        }
        assert_eq!(row["table_name"], "enterprises");
        assert_eq!(row["batch_id"], batch.as_str());
    }
    let rows: BTreeSet<u64> = listed
        .iter()
        .map(|row| row["source_row"].as_u64().expect("source_row"))
        .collect();
    assert_eq!(rows, BTreeSet::from([4, 6, 8, 10]));
    let line4 = listed
        .iter()
        .find(|row| row["source_row"] == 4)
        .expect("row 4");
    assert_eq!(
        line4["reasons"],
        "第 4 行 统一社会信用代码 校验位错误（应为 Q） / row 4: uscc: USCC check digit wrong (expected Q)"
    );
    let record: Value =
        serde_json::from_str(line4["record"].as_str().expect("record text")).expect("record JSON");
    assert_eq!(record["统一社会信用代码"], BAD_CHECK_USCC);
    assert_eq!(record["企业名称"], "苏州恒达化工有限公司");
    let line10 = listed
        .iter()
        .find(|row| row["source_row"] == 10)
        .expect("row 10");
    let reasons = line10["reasons"].as_str().expect("reasons");
    assert_eq!(reasons.lines().count(), 2, "every reason: {reasons}");
    assert!(
        reasons.contains("第 10 行 成立日期") && reasons.contains("row 10: founded"),
        "{reasons}"
    );

    // The same rows by batch, as CSV.
    let csv = run_ok(
        &dir,
        &["quarantine", "list", "--batch", &batch, "--format", "csv"],
    );
    assert!(csv.starts_with("table_name,"), "{csv}");
    assert!(csv.contains("校验位错误"), "{csv}");

    // Re-ingesting the same bytes is a duplicate and changes nothing.
    let again = ingest_one(&dir, "enterprises", &["--encoding", "gbk", path_str(&file)]);
    assert_eq!(again["status"], "duplicate", "{again:#}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["rows_written"], 0);
    assert_eq!(again["content_sha256"], report["content_sha256"]);
    assert_eq!(count(&dir, "enterprises"), 6);
    assert_eq!(quarantined(&dir, "enterprises"), 4);
    assert_eq!(
        sql_count(
            &dir,
            "SELECT count(*) FROM _ingest_log WHERE table_name = 'enterprises'"
        ),
        2,
        "every batch gets a log row, duplicates too"
    );
}

#[test]
fn xlsx_from_a_spreadsheet_program_with_title_row_merged_cells_and_formulas() {
    let dir = fresh_dir("ingest-xlsx");
    let file = fixture("production_title_row.xlsx");
    let report = ingest_one(&dir, "production_monthly", &[path_str(&file)]);
    // Rows 3-8 of the sheet: the title (row 1) and header (row 2) are not data.
    assert_counts(&report, "committed", (6, 4, 2));
    assert_eq!(
        error_places(&report),
        vec![
            (6, "uscc".to_string()),
            (8, "uscc".to_string()),
            (8, "period".to_string()),
        ]
    );
    assert!(
        report["errors"][0]["reason"]
            .as_str()
            .expect("reason")
            .contains("校验位错误（应为 B）"),
        "{report:#}"
    );
    assert_eq!(count(&dir, "production_monthly"), 4);
    assert_eq!(quarantined(&dir, "production_monthly"), 2);

    // The code merged over two rows fills both; the date-formatted periods are dates; the
    // formula column holds its results; 万元 in the header is the contract's unit.
    let rows = sql_json(
        &dir,
        "SELECT uscc, CAST(period AS VARCHAR) AS period, output_value, added_value, revenue, \
         profit, tax, employees FROM production_monthly ORDER BY uscc, period",
    );
    let summary: Vec<(String, String, f64, f64)> = rows
        .iter()
        .map(|row| {
            (
                row["uscc"].as_str().expect("uscc").to_string(),
                row["period"].as_str().expect("period").to_string(),
                row["output_value"].as_f64().expect("output"),
                row["added_value"].as_f64().expect("added"),
            )
        })
        .collect();
    let expected = [
        ("91320500MA1N0A0B1J", "2025-01-01", 1200.0, 360.0),
        ("91320500MA1N0A0B1J", "2025-02-01", 1100.0, 330.0),
        ("91320500MA1N0A0B2M", "2025-01-01", 5200.0, 1560.0),
        ("91320500MA1N0A0B4U", "2025-01-01", 300.0, 90.0),
    ];
    assert_eq!(summary.len(), expected.len(), "{rows:#?}");
    for ((uscc, period, output, added), (e_uscc, e_period, e_output, e_added)) in
        summary.iter().zip(expected)
    {
        assert_eq!((uscc.as_str(), period.as_str()), (e_uscc, e_period));
        assert!((output - e_output).abs() < 1e-9, "{rows:#?}");
        assert!((added - e_added).abs() < 1e-9, "formula result: {rows:#?}");
    }
    assert_eq!(rows[3]["profit"], -12.5, "a loss is a value");
    assert_eq!(rows[2]["employees"], 1250);

    // The sheet by name, and a name the workbook does not have.
    let (code, reports) = ingest_json(
        &dir,
        "production_monthly",
        &["--sheet", "规上工业", path_str(&file)],
    );
    assert_eq!(code, Some(0));
    assert_eq!(reports[0]["status"], "duplicate");
    // (In a fresh data directory: the same bytes would be recognised as a duplicate first.)
    let other = fresh_dir("ingest-xlsx-sheet");
    let (code, reports) = ingest_json(
        &other,
        "production_monthly",
        &["--sheet", "不存在", path_str(&file)],
    );
    assert_eq!(code, Some(1), "{reports:#?}");
    assert_eq!(reports[0]["status"], "failed", "{reports:#?}");
    let error = reports[0]["error"].as_str().expect("error");
    assert!(
        error.contains("不存在") && error.contains("规上工业"),
        "names the sheet asked for and the sheets there are: {error}"
    );
    assert_eq!(count(&dir, "production_monthly"), 4);
}

#[test]
fn ndjson_with_nested_and_missing_fields() {
    let dir = fresh_dir("ingest-ndjson");
    let file = fixture("energy_nested.ndjson");
    let report = ingest_one(&dir, "energy_readings", &[path_str(&file)]);
    assert_counts(&report, "committed", (9, 6, 3));
    let rows: BTreeSet<u64> = error_places(&report).iter().map(|(row, _)| *row).collect();
    assert_eq!(rows, BTreeSet::from([4, 5, 7]), "{report:#}");
    let reasons: Vec<&str> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| error["reason"].as_str().expect("reason"))
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("EOF while parsing")),
        "the malformed line says why: {reasons:#?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("expected kWh")),
        "{reasons:#?}"
    );
    assert_eq!(count(&dir, "energy_readings"), 6);
    assert_eq!(quarantined(&dir, "energy_readings"), 3);

    // tce computed where it was missing, kept where given, none for water.
    let rows = sql_json(
        &dir,
        "SELECT meter_id, ts, tce FROM energy_readings ORDER BY meter_id, ts",
    );
    let tce = |meter: &str, ts_prefix: &str| -> Value {
        rows.iter()
            .find(|row| {
                row["meter_id"] == meter
                    && row["ts"]
                        .as_str()
                        .is_some_and(|ts| ts.starts_with(ts_prefix))
            })
            .unwrap_or_else(|| panic!("{meter} at {ts_prefix}: {rows:#?}"))["tce"]
            .clone()
    };
    // 1200.5 kWh × 0.1229 kgce/kWh; 08:00 at UTC+8 is 00:00 UTC.
    let electricity = tce("E-1", "2025-01-15T00:00").as_f64().expect("tce");
    assert!((electricity - 0.147_541_45).abs() < 1e-9, "{rows:#?}");
    assert_eq!(tce("G-1", "2025-01-15T00:00"), 0.5);
    assert!(tce("W-1", "2025-01-15T00:00").is_null());
    let steam = tce("S-1", "2025-01-15T00:15").as_f64().expect("tce");
    assert!((steam - 0.3215).abs() < 1e-9, "2.5 t of steam: {rows:#?}");

    // The nested object is not a column of the table.
    let columns = sql_json(&dir, "SELECT * FROM energy_readings LIMIT 1");
    assert!(
        columns[0].keys().all(|key| !key.contains('.')),
        "{columns:#?}"
    );
}

#[test]
fn parquet_with_typed_columns() {
    let dir = fresh_dir("ingest-parquet");
    let file = fixture("production.parquet");
    let report = ingest_one(&dir, "production_monthly", &[path_str(&file)]);
    assert_counts(&report, "committed", (8, 5, 3));
    assert_eq!(
        error_places(&report)
            .into_iter()
            .map(|(row, _)| row)
            .collect::<Vec<_>>(),
        vec![6, 7, 8]
    );
    assert!(
        report["errors"][2]["reason"]
            .as_str()
            .expect("reason")
            .contains("与第 1 行的主键重复"),
        "{report:#}"
    );
    assert_eq!(count(&dir, "production_monthly"), 5);
    assert_eq!(quarantined(&dir, "production_monthly"), 3);
    let rows = sql_json(
        &dir,
        "SELECT sum(output_value) AS output, sum(employees) AS employees, \
         count(DISTINCT period) AS periods FROM production_monthly",
    );
    assert_eq!(
        rows[0]["output"], 12700.0,
        "the first of the duplicate keys"
    );
    assert_eq!(rows[0]["employees"], 320 + 318 + 1250 + 1240 + 41);
    assert_eq!(rows[0]["periods"], 2);
}

#[test]
fn mixed_good_and_bad_rows_in_plain_output_and_again_as_a_duplicate() {
    let dir = fresh_dir("ingest-mixed");
    let file = fixture("mixed_good_bad.csv");
    let output = run(
        &dir,
        &["ingest", "--table", "production_monthly", path_str(&file)],
    );
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("ok")
                && line.contains("20 rows read, 14 written, 6 rejected")),
        "{stdout}"
    );
    assert!(
        stdout.contains("14 rows written, 6 rejected"),
        "summary: {stdout}"
    );
    assert!(
        stdout.contains("第 4 行") && stdout.contains("校验位错误"),
        "{stdout}"
    );
    assert_eq!(count(&dir, "production_monthly"), 14);
    assert_eq!(quarantined(&dir, "production_monthly"), 6);
    let rows = sql_json(
        &dir,
        "SELECT uscc, revenue FROM production_monthly WHERE uscc = '91320500MA1N0B000B'",
    );
    let revenue = rows[0]["revenue"].as_f64().expect("revenue");
    assert!(
        (revenue - 123.4567).abs() < 1e-9,
        "营业收入（元） is converted to 万元: {rows:#?}"
    );
    let sources: BTreeSet<i64> = sql_json(
        &dir,
        "SELECT source_row FROM _quarantine WHERE table_name = 'production_monthly'",
    )
    .iter()
    .map(|row| row["source_row"].as_i64().expect("row"))
    .collect();
    assert_eq!(sources, BTreeSet::from([4, 7, 10, 13, 16, 19]));

    let output = run(
        &dir,
        &["ingest", "--table", "production_monthly", path_str(&file)],
    );
    let stdout = stdout_of(&output);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.lines().any(|line| line.starts_with("duplicate")),
        "{stdout}"
    );
    assert_eq!(count(&dir, "production_monthly"), 14);
    assert_eq!(quarantined(&dir, "production_monthly"), 6);
}

#[test]
fn a_run_with_one_unreadable_file_exits_1_and_keeps_the_good_one() {
    let dir = fresh_dir("ingest-partial");
    let broken = dir.join("broken.xlsx");
    std::fs::write(&broken, b"this is not a workbook").expect("write");
    let good = fixture("production.parquet");
    let (code, reports) = ingest_json(
        &dir,
        "production_monthly",
        &[path_str(&good), path_str(&broken)],
    );
    assert_eq!(code, Some(1), "{reports:#?}");
    assert_eq!(reports.len(), 2, "{reports:#?}");
    assert_counts(&reports[0], "committed", (8, 5, 3));
    assert_eq!(reports[1]["status"], "failed");
    assert!(
        reports[1]["error"]
            .as_str()
            .expect("error")
            .contains("not a zip archive"),
        "{reports:#?}"
    );
    assert_eq!(count(&dir, "production_monthly"), 5);

    // Plain output: one FAILED line with the reason, exit code 1.
    let output = run(
        &dir,
        &["ingest", "--table", "production_monthly", path_str(&broken)],
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = stdout_of(&output);
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("FAILED") && line.contains("not a zip archive")),
        "{stdout}"
    );
}

/// Removes the timestamps, whose precision the log may round.
fn without_times(report: &Value) -> Value {
    let mut report = report.clone();
    if let Some(object) = report.as_object_mut() {
        object.remove("started_at");
        object.remove("finished_at");
    }
    report
}

#[test]
fn the_ingest_log_lists_reports_newest_first_and_an_enterprise_its_own_batches() {
    let dir = fresh_dir("ingest-list");
    let hub = TestHub::start(&dir, &[]);
    let admin = hub.http();
    let get = |client: &reqwest::blocking::Client, path: &str| -> (u16, Value) {
        let response = client.get(hub.url(path)).send().expect("GET");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    };
    let batch_ids = |reports: &Value| -> Vec<String> {
        reports
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {reports}"))
            .iter()
            .map(|report| report["batch_id"].as_str().expect("batch_id").to_string())
            .collect()
    };
    assert_eq!(get(&admin, "/api/ingest"), (200, json!([])));

    let push = |client: &reqwest::blocking::Client, table: &str, body: Vec<u8>| -> String {
        let response = client
            .post(hub.url(&format!("/api/ingest/{table}?encoding=gbk")))
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .expect("POST");
        assert_eq!(response.status(), 200);
        let report: Value = response.json().expect("report");
        report["batch_id"].as_str().expect("batch_id").to_string()
    };
    let registry = push(
        &admin,
        "enterprises",
        std::fs::read(fixture("enterprises_gbk.csv")).expect("fixture"),
    );
    let codes: Vec<String> = sql_json(&dir, "SELECT uscc FROM enterprises ORDER BY uscc LIMIT 2")
        .iter()
        .map(|row| row["uscc"].as_str().expect("uscc").to_string())
        .collect();
    let (a, b) = (&codes[0], &codes[1]);
    let as_enterprise = |uscc: &str| {
        http_with_token(&create_token(
            &dir,
            &unique_token_name("firm"),
            "enterprise",
            &["--uscc", uscc],
        ))
    };
    let (enterprise_a, enterprise_b) = (as_enterprise(a), as_enterprise(b));
    let production = |uscc: &str, output: u32| {
        format!("uscc,period,output_value\n{uscc},2030-01,{output}\n").into_bytes()
    };
    let from_a = push(&enterprise_a, "production_monthly", production(a, 10));
    let from_b = push(&enterprise_b, "production_monthly", production(b, 20));
    let from_admin = push(&admin, "production_monthly", production(a, 30));

    // Newest first, by table, at most `limit`.
    let (status, all) = get(&admin, "/api/ingest");
    assert_eq!(status, 200, "{all}");
    assert_eq!(
        batch_ids(&all),
        [
            from_admin.as_str(),
            from_b.as_str(),
            from_a.as_str(),
            registry.as_str()
        ]
    );
    let started: Vec<&str> = all
        .as_array()
        .expect("reports")
        .iter()
        .map(|report| report["started_at"].as_str().expect("started_at"))
        .collect();
    assert!(
        started.windows(2).all(|pair| pair[0] >= pair[1]),
        "{started:?}"
    );
    let (_, one) = get(&admin, &format!("/api/ingest/{from_a}"));
    assert_eq!(all[2], one, "the list holds the batch's report");
    assert_eq!(
        (
            all[2]["who"].as_str().is_some(),
            &all[2]["uscc"],
            &all[3]["uscc"]
        ),
        (true, &json!(a), &Value::Null)
    );
    let (_, production_only) = get(&admin, "/api/ingest?table=production_monthly");
    assert_eq!(
        batch_ids(&production_only),
        [from_admin.as_str(), from_b.as_str(), from_a.as_str()]
    );
    let (_, newest_two) = get(&admin, "/api/ingest?limit=2");
    assert_eq!(
        batch_ids(&newest_two),
        [from_admin.as_str(), from_b.as_str()]
    );
    let (_, committee_view) = get(
        &http_with_token(&create_token(
            &dir,
            &unique_token_name("committee"),
            "committee",
            &[],
        )),
        "/api/ingest",
    );
    assert_eq!(batch_ids(&committee_view), batch_ids(&all));

    // An enterprise sees the batches it delivered, not those of others about it.
    let (_, own) = get(&enterprise_a, "/api/ingest");
    assert_eq!(batch_ids(&own), [from_a.as_str()]);
    assert_eq!(own[0]["rows_written"], 1);
    let (_, own) = get(&enterprise_b, "/api/ingest?table=production_monthly");
    assert_eq!(batch_ids(&own), [from_b.as_str()]);
    assert_eq!(
        get(&enterprise_b, "/api/ingest?table=enterprises"),
        (200, json!([]))
    );

    // Who may not, and what is refused.
    let centre = http_with_token(&create_token(
        &dir,
        &unique_token_name("centre"),
        "centre",
        &[],
    ));
    assert_eq!(get(&centre, "/api/ingest").0, 403);
    let (status, body) = get(&admin, "/api/ingest?limit=501");
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("invalid_parameters")),
        "{body}"
    );
    assert!(
        body["message"].as_str().expect("message").contains("500"),
        "{body}"
    );
    let (status, body) = get(&admin, "/api/ingest?limit=many");
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("invalid_parameters")),
        "{body}"
    );
    let (status, body) = get(&admin, "/api/ingest?colour=red");
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("invalid_parameters")),
        "{body}"
    );
    let (status, body) = get(&admin, "/api/ingest?table=no_such_table");
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("unknown_table")),
        "{body}"
    );
}

#[test]
fn http_ingest_of_gbk_csv_and_xlsx_with_reports_and_quarantine() {
    let dir = fresh_dir("ingest-http");
    let hub = TestHub::start(&dir, &[]);
    let client = hub.http();

    let gbk = std::fs::read(fixture("enterprises_gbk.csv")).expect("fixture");
    let response = client
        .post(hub.url("/api/ingest/enterprises?encoding=gbk"))
        .header("content-type", "text/csv")
        .body(gbk.clone())
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    let report: Value = response.json().expect("JSON");
    assert_counts(&report, "committed", (10, 6, 4));
    assert_eq!(report["table"], "enterprises");
    assert_eq!(report["content_sha256"], sha256_hex(&gbk));
    assert_eq!(report["errors"][0]["row"], 4);
    assert_eq!(report["errors"][0]["column"], "uscc");
    assert_eq!(report["errors"][0]["value"], BAD_CHECK_USCC);
    let batch = report["batch_id"].as_str().expect("batch").to_string();

    // The report again, later.
    let stored: Value = client
        .get(hub.url(&format!("/api/ingest/{batch}")))
        .send()
        .expect("get")
        .json()
        .expect("JSON");
    assert_eq!(without_times(&stored), without_times(&report));
    let response = client
        .get(hub.url("/api/ingest/00000000-0000-0000-0000-000000000000"))
        .send()
        .expect("get");
    assert_eq!(response.status(), 404);

    let xlsx = std::fs::read(fixture("production_title_row.xlsx")).expect("fixture");
    let response = client
        .post(hub.url("/api/ingest/production_monthly"))
        .header("content-type", XLSX)
        .body(xlsx)
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    let xlsx_report: Value = response.json().expect("JSON");
    assert_counts(&xlsx_report, "committed", (6, 4, 2));
    let xlsx_batch = xlsx_report["batch_id"].as_str().expect("batch").to_string();

    // NDJSON and Parquet bodies; the Parquet rows upsert over the workbook's on their key.
    let ndjson = std::fs::read(fixture("energy_nested.ndjson")).expect("fixture");
    let response = client
        .post(hub.url("/api/ingest/energy_readings"))
        .header("content-type", "application/x-ndjson")
        .body(ndjson)
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    let report: Value = response.json().expect("JSON");
    assert_counts(&report, "committed", (9, 6, 3));
    let parquet = std::fs::read(fixture("production.parquet")).expect("fixture");
    let response = client
        .post(hub.url("/api/ingest/production_monthly"))
        .header("content-type", "application/vnd.apache.parquet")
        .body(parquet)
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    let report: Value = response.json().expect("JSON");
    assert_counts(&report, "committed", (8, 5, 3));
    // The workbook had 4 keys, the Parquet file 5 of which 4 the same: 5 rows, the later values.
    assert_eq!(count(&dir, "production_monthly"), 5);
    let rows = sql_json(
        &dir,
        "SELECT added_value FROM production_monthly \
         WHERE uscc = '91320500MA1N0A0B2M' AND period = DATE '2025-01-01'",
    );
    assert_eq!(rows[0]["added_value"], 1300.0, "{rows:#?}");

    // The quarantine, by table and by batch.
    let listed: Vec<Value> = client
        .get(hub.url("/api/quarantine?table=enterprises"))
        .send()
        .expect("get")
        .json()
        .expect("JSON");
    assert_eq!(listed.len(), 4, "{listed:#?}");
    assert!(listed.iter().all(|row| row["batch_id"] == batch.as_str()));
    let line4 = listed
        .iter()
        .find(|row| row["source_row"] == 4)
        .expect("row 4");
    assert_eq!(
        line4["reasons"],
        "第 4 行 统一社会信用代码 校验位错误（应为 Q） / row 4: uscc: USCC check digit wrong (expected Q)"
    );
    assert!(line4["quarantined_at"].is_string(), "{line4:#}");
    let listed: Vec<Value> = client
        .get(hub.url(&format!("/api/quarantine?batch={xlsx_batch}")))
        .send()
        .expect("get")
        .json()
        .expect("JSON");
    assert_eq!(listed.len(), 2, "{listed:#?}");
    assert!(
        listed
            .iter()
            .all(|row| row["table_name"] == "production_monthly")
    );

    // The same body again: a duplicate, nothing written.
    let response = client
        .post(hub.url("/api/ingest/enterprises?encoding=gbk"))
        .header("content-type", "text/csv; charset=GBK")
        .body(gbk)
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    let again: Value = response.json().expect("JSON");
    assert_eq!(again["status"], "duplicate", "{again:#}");
    assert_eq!(again["duplicate"], true);

    // Errors: an unknown table, a body type there is no decoder for, an unreadable body.
    let response = client
        .post(hub.url("/api/ingest/no_such_table"))
        .header("content-type", "text/csv")
        .body("a,b\n1,2\n")
        .send()
        .expect("post");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("JSON");
    assert_eq!(body["code"], "unknown_table", "{body:#}");
    let response = client
        .post(hub.url("/api/ingest/enterprises"))
        .header("content-type", "text/html")
        .body("<html></html>")
        .send()
        .expect("post");
    assert_eq!(response.status(), 415);
    let response = client
        .post(hub.url("/api/ingest/production_monthly"))
        .header("content-type", XLSX)
        .body("not a workbook at all")
        .send()
        .expect("post");
    assert_eq!(response.status(), 422);
    let failed: Value = response.json().expect("JSON");
    assert_eq!(failed["status"], "failed", "{failed:#}");
    assert!(
        failed["error"]
            .as_str()
            .expect("error")
            .contains("not a zip archive"),
        "{failed:#}"
    );

    assert_eq!(count(&dir, "enterprises"), 6);
    assert_eq!(count(&dir, "production_monthly"), 5);
    assert_eq!(count(&dir, "energy_readings"), 6);
    assert_eq!(quarantined(&dir, "enterprises"), 4);
    assert_eq!(quarantined(&dir, "production_monthly"), 5);
    assert_eq!(quarantined(&dir, "energy_readings"), 3);
    drop(hub);
}

/// A valid USCC from 17 characters (GB 32100-2015 check character appended).
pub fn uscc(first17: &str) -> String {
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut weight = 1u32;
    let mut sum = 0u32;
    for byte in first17.bytes() {
        let value = CHARSET
            .iter()
            .position(|&c| c == byte)
            .expect("USCC character") as u32;
        sum += value * weight;
        weight = weight * 3 % 31;
    }
    let check = CHARSET[((31 - sum % 31) % 31) as usize] as char;
    format!("{first17}{check}")
}

/// Sends `bodies` to `path` from one thread each, all released at once; returns the reports.
fn push_concurrently(hub: &TestHub, path: &str, bodies: Vec<String>) -> Vec<Value> {
    let barrier = Arc::new(Barrier::new(bodies.len()));
    let url = hub.url(path);
    let threads: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let barrier = Arc::clone(&barrier);
            let url = url.clone();
            let client = hub.http();
            std::thread::spawn(move || {
                barrier.wait();
                let response = client
                    .post(&url)
                    .header("content-type", "text/csv")
                    .body(body)
                    .send()
                    .expect("post");
                let status = response.status();
                let report: Value = response.json().expect("JSON");
                assert_eq!(status, 200, "{report:#}");
                report
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("thread"))
        .collect()
}

#[test]
fn eight_concurrent_http_ingests_into_one_table_all_land() {
    let dir = fresh_dir("ingest-concurrent");
    let hub = TestHub::start(&dir, &[]);

    // Append table: 8 different bodies, different sizes.
    let bodies: Vec<String> = (0..8)
        .map(|client| {
            let code = uscc(&format!("9132050000000{client:04}"));
            let mut body = String::from("uscc,meter_id,ts,energy_type,value,unit\n");
            for row in 0..(40 + client * 13) {
                body.push_str(&format!(
                    "{code},M-{client},2025-03-01 {:02}:{:02}:00,electricity,{}.5,kWh\n",
                    row / 60 % 24,
                    row % 60,
                    row
                ));
            }
            body
        })
        .collect();
    let expected: u64 = (0..8).map(|client| 40 + client * 13).sum();
    let reports = push_concurrently(&hub, "/api/ingest/energy_readings", bodies);
    let written: u64 = reports
        .iter()
        .map(|report| {
            assert_eq!(report["status"], "committed", "{report:#}");
            report["rows_written"].as_u64().expect("rows")
        })
        .sum();
    assert_eq!(written, expected);
    assert_eq!(count(&dir, "energy_readings"), expected as i64);
    assert_eq!(
        sql_count(
            &dir,
            "SELECT count(DISTINCT _batch_id) FROM energy_readings"
        ),
        8
    );

    // Upsert table: 8 bodies with disjoint keys merge concurrently.
    let bodies: Vec<String> = (0..8)
        .map(|client| {
            let mut body = String::from("统一社会信用代码,统计期,工业总产值,营业收入\n");
            for enterprise in 0..(5 + client) {
                let code = uscc(&format!("91320500000{client:02}{enterprise:04}"));
                for month in 1..=3 {
                    body.push_str(&format!(
                        "{code},2025-{month:02},{}.0,{}.0\n",
                        100 + month,
                        120
                    ));
                }
            }
            body
        })
        .collect();
    let expected: i64 = (0..8).map(|client| (5 + client) * 3).sum();
    let reports = push_concurrently(&hub, "/api/ingest/production_monthly", bodies);
    assert!(
        reports.iter().all(|report| report["status"] == "committed"),
        "{reports:#?}"
    );
    assert_eq!(count(&dir, "production_monthly"), expected);

    // The same body 8 times at once: written exactly once.
    let code = uscc("91320500000990000");
    let body = format!(
        "uscc,meter_id,ts,energy_type,value,unit\n\
         {code},SAME,2025-03-02 00:00:00,electricity,1,kWh\n\
         {code},SAME,2025-03-02 01:00:00,electricity,2,kWh\n\
         {code},SAME,2025-03-02 02:00:00,electricity,3,kWh\n"
    );
    let before = count(&dir, "energy_readings");
    let reports = push_concurrently(&hub, "/api/ingest/energy_readings", vec![body; 8]);
    let committed = reports
        .iter()
        .filter(|report| report["status"] == "committed")
        .count();
    let duplicates = reports
        .iter()
        .filter(|report| report["status"] == "duplicate")
        .count();
    assert_eq!((committed, duplicates), (1, 7), "{reports:#?}");
    assert_eq!(count(&dir, "energy_readings"), before + 3);
    drop(hub);
}

#[test]
fn a_registry_export_without_key_industries_gets_them_from_the_industry_code() {
    let dir = fresh_dir("ingest-derived-key-industry");
    let file = fixture("enterprises_registry_export.csv");
    let report = ingest_one(&dir, "enterprises", &[path_str(&file)]);
    assert_counts(&report, "committed", (6, 5, 1));
    assert_eq!(
        error_places(&report),
        vec![(6, "industry_code".to_string())]
    );
    assert_eq!(
        report["errors"][0]["reason"],
        "国民经济行业代码 的值“X12”不是国民经济行业分类代码（如 C3411） / \
         industry_code: 'X12' is not a GB/T 4754 industry code (e.g. C3411)"
    );
    let rows = sql_json(
        &dir,
        "SELECT industry_code, key_industry, scale FROM enterprises ORDER BY uscc",
    );
    let rows: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|row| {
            (
                row["industry_code"].as_str().expect("code"),
                row["key_industry"].as_str().expect("key industry"),
                row["scale"].as_str().expect("scale"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("C3411", "machinery", "medium"),
            ("C2614", "petrochemicals", "large"),
            ("C3982", "other", "small"),
            ("C2822", "other", "medium"),
            ("C1713", "textiles", "micro"),
        ],
        "key industries follow from the codes; 中型, 大型企业, … are the size classes"
    );
}

#[test]
fn http_ingest_checks_given_key_industries_and_takes_the_words_users_write() {
    let dir = fresh_dir("ingest-http-aliases");
    let hub = TestHub::start(&dir, &[]);
    let (machinery, fibres, cars) = (
        uscc("91320500MA1N0T0A1"),
        uscc("91320500MA1N0T0A2"),
        uscc("91320500MA1N0T0A3"),
    );
    let body = format!(
        "uscc,name,industry_code,重点行业\n\
         {machinery},苏州精工机械有限公司,C3411,石化化工\n\
         {fibres},苏州华纶化纤有限公司,C2822,纺织\n\
         {cars},苏州汽车零部件有限公司,C3670,machinery\n"
    );
    let report = post_ok(&hub, "enterprises", "text/csv", body);
    assert_counts(&report, "committed", (3, 2, 1));
    assert_eq!(error_places(&report), vec![(2, "key_industry".to_string())]);
    assert_eq!(
        report["errors"][0]["reason"],
        "重点行业 的值“petrochemicals”与industry_code“C3411”不符（应为 machinery） / \
         key_industry: 'petrochemicals' does not fit industry_code 'C3411' (expected machinery)"
    );
    assert_eq!(
        texts(&dir, "SELECT key_industry FROM enterprises ORDER BY uscc"),
        ["textiles", "machinery"],
        "C28 may be textiles and C36 machinery: partly included divisions"
    );

    let offerings = [
        ("o-1", "私有化部署"),
        ("o-2", "private"),
        ("o-3", "云端"),
        ("o-4", "Hybrid"),
    ]
    .iter()
    .map(|(id, deployment)| {
        serde_json::json!({
            "offering_id": id, "provider_id": "p-1", "name": format!("MES {id}"),
            "category": "MES", "deployment": deployment,
        })
        .to_string()
    })
    .collect::<Vec<_>>()
    .join("\n");
    let report = post_ok(&hub, "service_offerings", "application/x-ndjson", offerings);
    assert_counts(&report, "committed", (4, 4, 0));
    assert_eq!(
        texts(
            &dir,
            "SELECT deployment FROM service_offerings ORDER BY offering_id"
        ),
        ["on_premise", "on_premise", "saas", "hybrid"]
    );

    // The formats the 415 names are the registry's.
    let response = hub
        .http()
        .post(hub.url("/api/ingest/enterprises"))
        .header("content-type", "text/html")
        .body("<html></html>")
        .send()
        .expect("post");
    assert_eq!(response.status(), 415);
    let body: Value = response.json().expect("JSON");
    assert_eq!(
        body["message"],
        "send the body as text/csv, application/x-ndjson, application/json, \
         application/vnd.apache.parquet or \
         application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (or say ?format=)"
    );
    drop(hub);
}

/// Posts `body` to `POST /api/ingest/{table}`, which must answer 200; returns the report.
fn post_ok(hub: &TestHub, table: &str, content_type: &str, body: String) -> Value {
    let response = hub
        .http()
        .post(hub.url(&format!("/api/ingest/{table}")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("post");
    assert_eq!(response.status(), 200);
    response.json().expect("JSON")
}

/// The first column of every row of `query`, as text.
fn texts(data_dir: &Path, query: &str) -> Vec<String> {
    sql_json(data_dir, query)
        .iter()
        .map(|row| {
            let value = row.values().next().expect("a column");
            value.as_str().expect("text").to_string()
        })
        .collect()
}
