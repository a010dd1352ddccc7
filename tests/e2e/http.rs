//! The HTTP API of `parkhub serve`: every route and answer format, errors, and shutdown.

use parkhub_connectors::arrow::ipc::reader::StreamReader;
use serde_json::{Value, json};

use crate::support::{
    DEMO_ENERGY_DAYS, DEMO_ENTERPRISES, DEMO_PRODUCTION_ROWS, TestHub, demo_dir, fresh_dir,
};

const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[test]
fn every_route_answers_in_every_format() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();

    let health: Value = client
        .get(hub.url("/health"))
        .send()
        .expect("health")
        .json()
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["tables"], 12);

    let tables: Vec<Value> = client
        .get(hub.url("/api/tables"))
        .send()
        .expect("tables")
        .json()
        .expect("json");
    assert_eq!(tables.len(), 12);
    let production = tables
        .iter()
        .find(|table| table["name"] == "production_monthly")
        .expect("production_monthly");
    assert_eq!(production["row_count"], DEMO_PRODUCTION_ROWS);
    assert!(
        production["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .any(|c| c["name"] == "period" && c["type"] == "date")
    );

    // JSON (the default).
    let query = "SELECT key_industry, count(*) AS enterprises, sum(land_area_mu) AS land \
                 FROM enterprises GROUP BY key_industry ORDER BY key_industry";
    let response = client
        .post(hub.url("/api/sql"))
        .json(&json!({"sql": query}))
        .send()
        .expect("sql");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("application/json")
    );
    let answer: Value = response.json().expect("json");
    assert_eq!(
        answer["columns"],
        json!([
            {"name": "key_industry", "type": "string"},
            {"name": "enterprises", "type": "int64"},
            {"name": "land", "type": "float64"}
        ])
    );
    let rows = answer["rows"].as_array().expect("rows");
    assert_eq!(answer["row_count"], rows.len());
    assert_eq!(answer["truncated"], false);
    assert!(answer["elapsed_ms"].is_u64());
    let counted: u64 = rows.iter().map(|row| row[1].as_u64().expect("count")).sum();
    assert_eq!(counted, DEMO_ENTERPRISES as u64);

    // CSV.
    let response = client
        .post(hub.url("/api/sql"))
        .header("accept", "text/csv")
        .json(&json!({"sql": query}))
        .send()
        .expect("csv");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/csv")
    );
    let csv = response.text().expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "key_industry,enterprises,land");
    assert_eq!(lines.len(), rows.len() + 1);
    assert!(lines[1].starts_with(&format!(
        "{},{},",
        rows[0][0].as_str().expect("s"),
        rows[0][1]
    )));

    // Arrow IPC stream.
    let response = client
        .post(hub.url("/api/sql"))
        .header("accept", ARROW_STREAM)
        .json(&json!({"sql": "SELECT uscc, period, output_value FROM production_monthly"}))
        .send()
        .expect("arrow");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], ARROW_STREAM);
    let bytes = response.bytes().expect("bytes");
    let reader =
        StreamReader::try_new(std::io::Cursor::new(bytes.to_vec()), None).expect("an Arrow stream");
    let schema = reader.schema();
    assert_eq!(schema.field(0).name(), "uscc");
    let arrow_rows: usize = reader.map(|batch| batch.expect("batch").num_rows()).sum();
    assert_eq!(arrow_rows, DEMO_PRODUCTION_ROWS);

    // JSON answers stop at 10,000 rows and say so; streamed formats do not.
    let big = "SELECT a.uscc, b.period FROM production_monthly a CROSS JOIN production_monthly b";
    let expected_rows = DEMO_PRODUCTION_ROWS.pow(2);
    assert!(expected_rows > 10_000);
    let answer: Value = client
        .post(hub.url("/api/sql"))
        .json(&json!({"sql": big}))
        .send()
        .expect("big")
        .json()
        .expect("json");
    assert_eq!(answer["truncated"], true);
    assert_eq!(answer["row_count"], 10_000);
    let csv = client
        .post(hub.url("/api/sql"))
        .header("accept", "text/csv")
        .json(&json!({"sql": big}))
        .send()
        .expect("big csv")
        .text()
        .expect("text");
    assert_eq!(csv.lines().count(), expected_rows + 1);

    // Chinese search.
    let results: Value = client
        .get(hub.url("/api/catalog/search"))
        .query(&[("q", "预测性维护"), ("kind", "offering"), ("limit", "5")])
        .send()
        .expect("search")
        .json()
        .expect("json");
    assert!(results["total"].as_u64().expect("total") >= 5, "{results}");
    let hits = results["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 5);
    for hit in hits {
        assert_eq!(hit["kind"], "offering");
        assert!(hit["id"].as_str().expect("id").starts_with('O'));
        assert!(hit["score"].as_f64().expect("score") > 0.0);
    }
    let first = &hits[0];
    let text = format!(
        "{}{}",
        first["title"].as_str().expect("title"),
        first["snippet"].as_str().expect("snippet")
    );
    assert!(
        text.contains("预测性维护") || text.contains("<em>预测</em>"),
        "{first}"
    );
}

/// A cell of a worksheet as `xl/worksheets/sheet1.xml` holds it.
#[derive(Debug, Clone, PartialEq)]
struct SheetCell {
    /// The style index (`s`), when not the default.
    style: Option<String>,
    /// The type (`t`: `s` for a shared string, `b` for a boolean), absent for a number.
    kind: Option<String>,
    /// The `<v>` text.
    value: String,
}

/// The parts of a workbook a test reads: the one sheet's rows (column index → cell), the
/// shared strings, and each cell style's number format and boldness.
struct Workbook {
    rows: Vec<std::collections::BTreeMap<usize, SheetCell>>,
    strings: Vec<String>,
    /// By style index: the number format's code (empty for General) and whether its font is
    /// bold.
    styles: Vec<(String, bool)>,
}

impl Workbook {
    fn open(bytes: &[u8]) -> Workbook {
        use std::io::Read as _;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut read = |name: &str| {
            let mut text = String::new();
            if let Ok(mut file) = archive.by_name(name) {
                file.read_to_string(&mut text).expect("UTF-8 XML");
            }
            text
        };
        let sheet = read("xl/worksheets/sheet1.xml");
        let shared = read("xl/sharedStrings.xml");
        let styles = read("xl/styles.xml");
        assert!(read("xl/worksheets/sheet2.xml").is_empty(), "one sheet");
        let attribute = |tag: &str, name: &str| -> Option<String> {
            let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(tag[start..].split('"').next()?.to_string())
        };
        let section = |name: &str| -> String {
            styles
                .split(&format!("<{name}"))
                .nth(1)
                .and_then(|rest| rest.split(&format!("</{name}>")).next())
                .unwrap_or("")
                .to_string()
        };
        let number_formats: std::collections::BTreeMap<String, String> = section("numFmts")
            .split("<numFmt ")
            .skip(1)
            .filter_map(|tag| {
                let tag = format!(" {tag}");
                Some((attribute(&tag, "numFmtId")?, attribute(&tag, "formatCode")?))
            })
            .collect();
        let bold_fonts: Vec<bool> = section("fonts")
            .split("<font>")
            .skip(1)
            .map(|font| font.split("</font>").next().unwrap_or("").contains("<b/>"))
            .collect();
        let styles = section("cellXfs")
            .split("<xf ")
            .skip(1)
            .map(|tag| {
                let tag = format!(" {tag}");
                let format = attribute(&tag, "numFmtId")
                    .and_then(|id| number_formats.get(&id).cloned())
                    .unwrap_or_default();
                let font: usize = attribute(&tag, "fontId")
                    .and_then(|id| id.parse().ok())
                    .unwrap_or(0);
                (format, bold_fonts.get(font).copied().unwrap_or(false))
            })
            .collect();
        let rows = sheet
            .split("<row ")
            .skip(1)
            .map(|row| {
                let row = row.split("</row>").next().expect("a row");
                row.split("<c ")
                    .skip(1)
                    .map(|cell| {
                        let tag = cell.split('>').next().expect("a tag");
                        let reference = attribute(&format!(" {tag}"), "r").expect("r");
                        let column = reference
                            .chars()
                            .take_while(char::is_ascii_uppercase)
                            .fold(0, |number, letter| number * 26 + (letter as usize - 64))
                            - 1;
                        let value = cell
                            .split("<v>")
                            .nth(1)
                            .and_then(|rest| rest.split("</v>").next())
                            .unwrap_or("")
                            .to_string();
                        (
                            column,
                            SheetCell {
                                style: attribute(&format!(" {tag}"), "s"),
                                kind: attribute(&format!(" {tag}"), "t"),
                                value,
                            },
                        )
                    })
                    .collect()
            })
            .collect();
        let strings = shared
            .split("<si>")
            .skip(1)
            .map(|item| {
                item.split("<t")
                    .skip(1)
                    .filter_map(|piece| piece.split_once('>'))
                    .map(|(_, text)| text.split("</t>").next().unwrap_or(""))
                    .collect::<String>()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&")
            })
            .collect();
        Workbook {
            rows,
            strings,
            styles,
        }
    }

    /// Returns the number format and boldness of a cell's style.
    fn style(&self, cell: &SheetCell) -> (String, bool) {
        let index: usize = cell
            .style
            .as_deref()
            .map_or(0, |s| s.parse().expect("an index"));
        self.styles.get(index).cloned().unwrap_or_default()
    }

    /// The cell at (`row`, `column`), both from 0, as the JSON answer would write it: text,
    /// number, boolean, or null for an empty cell; a cell styled as a date or a date-time is
    /// read back as the ISO text of its serial.
    fn json(&self, row: usize, column: usize) -> Value {
        let Some(cell) = self.rows[row].get(&column) else {
            return Value::Null;
        };
        match cell.kind.as_deref() {
            Some("s") => json!(self.strings[cell.value.parse::<usize>().expect("an index")]),
            Some("b") => json!(cell.value == "1"),
            other => {
                assert_eq!(other, None, "{cell:?}");
                let number: f64 = cell.value.parse().expect("a number");
                let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                    .expect("Excel's day 0")
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight");
                let moment = || {
                    epoch + chrono::TimeDelta::milliseconds((number * 86_400_000.0).round() as i64)
                };
                match self.style(cell).0.as_str() {
                    "yyyy-mm-dd" => json!(moment().format("%Y-%m-%d").to_string()),
                    "yyyy-mm-dd hh:mm:ss" => {
                        json!(moment().format("%Y-%m-%dT%H:%M:%SZ").to_string())
                    }
                    "" => json!(number),
                    other => panic!("an unexpected number format {other}"),
                }
            }
        }
    }
}

#[test]
fn indicators_and_sql_answer_xlsx_workbooks_with_the_json_answers_values() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let fetch = |request: reqwest::blocking::RequestBuilder| -> (Value, Workbook) {
        let json_answer: Value = request
            .try_clone()
            .expect("a plain request")
            .send()
            .expect("JSON")
            .json()
            .expect("JSON body");
        let response = request.header("accept", XLSX).send().expect("XLSX");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], XLSX);
        assert_eq!(
            response.headers()["content-disposition"],
            "attachment; filename=\"answer.xlsx\""
        );
        let bytes = response.bytes().expect("bytes");
        (json_answer, Workbook::open(&bytes))
    };
    let assert_same = |answer: &Value, book: &Workbook| {
        let columns = answer["columns"].as_array().expect("columns");
        let rows = answer["rows"].as_array().expect("rows");
        assert_eq!(answer["truncated"], false);
        assert_eq!(
            book.rows.len(),
            rows.len() + 1,
            "a header row and every row"
        );
        for (position, column) in columns.iter().enumerate() {
            assert_eq!(book.json(0, position), column["name"], "header {position}");
            assert!(book.style(&book.rows[0][&position]).1, "a bold header");
        }
        for (row, values) in rows.iter().enumerate() {
            for (position, value) in values.as_array().expect("a row").iter().enumerate() {
                let cell = book.json(row + 1, position);
                let name = &columns[position]["name"];
                match (value.as_f64(), cell.as_f64()) {
                    // Excel numbers are doubles: whole numbers compare as such. The sheet holds
                    // the shortest text of the exact double; serde_json's parser (without its
                    // float_roundtrip feature) may land a unit in the last place away from it.
                    (Some(expected), Some(written)) => assert!(
                        (expected - written).abs() <= expected.abs() * 1e-15,
                        "row {row}, {name}: {written} for {expected}"
                    ),
                    _ => assert_eq!(&cell, value, "row {row}, {name}"),
                }
                if let Some(cell) = book.rows[row + 1].get(&position) {
                    assert!(!book.style(cell).1, "row {row}, {name} is not bold");
                }
            }
        }
    };

    // An indicator of text, dates, booleans, whole numbers and nulls.
    let (answer, book) = fetch(
        client
            .get(hub.url("/api/indicators/submission_freshness"))
            .query(&[("as_of", "2026-12-01")]),
    );
    assert_same(&answer, &book);
    assert_eq!(book.rows.len(), DEMO_ENTERPRISES + 1);
    let header: Vec<Value> = (0..book.rows[0].len())
        .map(|column| book.json(0, column))
        .collect();
    assert_eq!(header[0], "uscc");
    let late_column = header
        .iter()
        .position(|name| name == "production_late")
        .expect("production_late");
    assert_eq!(book.rows[1][&late_column].kind.as_deref(), Some("b"));
    let energy_day = header
        .iter()
        .position(|name| name == "last_energy_day")
        .expect("last_energy_day");
    assert!(
        (1..book.rows.len()).any(|row| !book.rows[row].contains_key(&energy_day)),
        "a late enterprise without readings has an empty cell"
    );
    assert!(
        (1..book.rows.len()).any(|row| book.json(row, energy_day) == "2026-11-01"),
        "the others' last day, an Excel date"
    );

    // SQL: floats, timestamps (UTC, as JSON writes them) and nulls (water has no tce).
    let (answer, book) = fetch(client.post(hub.url("/api/sql")).json(&json!({
        "sql": "SELECT meter_id, ts, energy_type, value, tce FROM energy_readings \
                WHERE meter_id IN ( \
                    SELECT min(meter_id) FROM energy_readings WHERE energy_type = 'electricity' \
                    UNION ALL \
                    SELECT min(meter_id) FROM energy_readings WHERE energy_type = 'water') \
                ORDER BY meter_id, ts"
    })));
    assert_eq!(answer["row_count"], 2 * 24 * DEMO_ENERGY_DAYS);
    assert_same(&answer, &book);
    let ts = &book.rows[1][&1];
    assert_eq!(book.style(ts).0, "yyyy-mm-dd hh:mm:ss");
    assert!(
        book.rows.iter().any(|row| !row.contains_key(&4)),
        "water's null tce is an empty cell"
    );

    // An answer longer than a sheet is refused, not cut; `Accept` lists the type.
    let response = client
        .post(hub.url("/api/sql"))
        .header("accept", XLSX)
        .json(&json!({"sql": "SELECT value FROM generate_series(1, 1048576)"}))
        .send()
        .expect("too long");
    assert_eq!(response.status(), 413);
    let body: Value = response.json().expect("JSON");
    assert_eq!(body["code"], "too_many_rows", "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("1048575"),
        "{body}"
    );
    let response = client
        .get(hub.url("/api/indicators/submission_freshness"))
        .header("accept", "application/pdf")
        .send()
        .expect("406");
    assert_eq!(response.status(), 406);
    let body: Value = response.json().expect("JSON");
    assert!(
        body["message"].as_str().expect("message").contains(XLSX),
        "{body}"
    );
}

#[test]
fn bad_requests_get_clear_errors() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let post_sql = |sql: &str| {
        client
            .post(hub.url("/api/sql"))
            .json(&json!({"sql": sql}))
            .send()
            .expect("sql")
    };

    let response = post_sql("SELEC 1");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "invalid_sql");
    assert!(
        body["message"].as_str().expect("message").contains("SELEC"),
        "{body}"
    );

    let response = post_sql("SELECT $1");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "invalid_sql");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("$1 has no value"),
        "{body}"
    );

    let response = post_sql("DROP TABLE enterprises");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "read_only");

    let response = post_sql("SELEC 1");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "invalid_sql");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.starts_with("syntax error: ") && !message.contains("ParserError"),
        "a syntax error is worded for the user: {message}"
    );

    let response = post_sql("SELECT * FROM companies");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(body["code"], "unknown_table");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("enterprises"),
        "{body}"
    );

    let response = client
        .post(hub.url("/api/sql"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .expect("bad json");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().expect("json")["code"],
        "invalid_request"
    );

    let response = client
        .post(hub.url("/api/sql"))
        .header("accept", "application/xml")
        .json(&json!({"sql": "SELECT 1"}))
        .send()
        .expect("406");
    assert_eq!(response.status(), 406);
    assert_eq!(
        response.json::<Value>().expect("json")["code"],
        "not_acceptable"
    );

    for query in [vec![("q", "")], vec![("q", "   ")], vec![]] {
        let response = client
            .get(hub.url("/api/catalog/search"))
            .query(&query)
            .send()
            .expect("empty");
        assert_eq!(response.status(), 400, "{query:?}");
        assert_eq!(
            response.json::<Value>().expect("json")["code"],
            "empty_query"
        );
    }
    let response = client
        .get(hub.url("/api/catalog/search"))
        .query(&[("q", "MES"), ("kind", "gadget")])
        .send()
        .expect("kind");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().expect("json")["code"],
        "invalid_kind"
    );

    let response = client
        .get(hub.url("/api/nothing-here"))
        .send()
        .expect("404");
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().expect("json")["code"], "not_found");

    // The server is still healthy after all of that, and stops cleanly on SIGTERM.
    assert_eq!(
        client
            .get(hub.url("/health"))
            .send()
            .expect("health")
            .status(),
        200
    );
    let status = hub.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[test]
fn serve_with_demo_fills_an_empty_lake_first() {
    let dir = fresh_dir("serve-demo");
    let hub = TestHub::start(
        &dir,
        &[
            "--demo",
            "--enterprises",
            "5",
            "--months",
            "2",
            "--energy-days",
            "1",
        ],
    );
    let client = hub.http();
    let answer: Value = client
        .post(hub.url("/api/sql"))
        .json(&json!({"sql": "SELECT count(*) AS n FROM enterprises"}))
        .send()
        .expect("sql")
        .json()
        .expect("json");
    assert_eq!(answer["rows"], json!([[5]]));
    let results: Value = client
        .get(hub.url("/api/catalog/search"))
        .query(&[("q", "能耗")])
        .send()
        .expect("search")
        .json()
        .expect("json");
    assert!(results["total"].as_u64().expect("total") > 0, "{results}");
}

#[test]
fn requests_carry_ids_and_are_counted_in_the_metrics() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let response = client
        .post(hub.url("/api/sql"))
        .json(&json!({"sql": "SELECT count(*) FROM enterprises"}))
        .send()
        .expect("sql");
    let generated = response.headers()["x-request-id"]
        .to_str()
        .expect("id")
        .to_string();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let response = client
        .post(hub.url("/api/sql"))
        .header("x-request-id", "park-42")
        .json(&json!({"sql": "SELEC"}))
        .send()
        .expect("sql");
    assert_eq!(response.headers()["x-request-id"], "park-42");
    client
        .get(hub.url("/api/catalog/search"))
        .query(&[("q", "能耗")])
        .send()
        .expect("search");
    let metrics = client.get(hub.url("/metrics")).send().expect("metrics");
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    let text = metrics.text().expect("text");
    for expected in [
        "parkhub_queries_total{outcome=\"ok\",surface=\"sql\"} 1",
        "parkhub_queries_total{outcome=\"invalid_sql\",surface=\"sql\"} 1",
        "parkhub_query_rows_total{surface=\"sql\"} 1",
        "parkhub_http_requests_total{method=\"POST\",route=\"/api/sql\",status=\"200\"} 1",
        "parkhub_searches_total{outcome=\"ok\"} 1",
        "parkhub_search_duration_seconds_count 1",
        "# TYPE parkhub_ingests_total counter",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
}
