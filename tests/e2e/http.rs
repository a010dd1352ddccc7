//! The HTTP API of `parkhub serve`: every route and answer format, errors, and shutdown.

use parkhub_connectors::arrow::ipc::reader::StreamReader;
use serde_json::{Value, json};

use crate::support::{DEMO_ENTERPRISES, DEMO_PRODUCTION_ROWS, TestHub, demo_dir, fresh_dir};

const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

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
