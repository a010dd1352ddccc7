//! The indicator library through HTTP, the CLI and SQL views.

use serde_json::Value;

use crate::support::{TestHub, demo_dir, run, run_ok, sql_count, sql_json};

#[test]
fn every_indicator_is_listed_and_runs_over_http() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let list: Vec<Value> = client
        .get(hub.url("/api/indicators"))
        .send()
        .expect("list")
        .json()
        .expect("json");
    assert!(list.len() >= 14, "{} indicators", list.len());
    for indicator in &list {
        for field in [
            "name",
            "title_zh",
            "title_en",
            "unit",
            "description",
            "formula_zh",
            "formula_en",
            "grain",
            "parameters",
        ] {
            assert!(
                !indicator[field].is_null(),
                "{field} of {}",
                indicator["name"]
            );
        }
        let name = indicator["name"].as_str().expect("name");
        let response = client
            .get(hub.url(&format!("/api/indicators/{name}")))
            .send()
            .expect("run");
        assert_eq!(
            response.status(),
            200,
            "{name}: {}",
            response.text().unwrap_or_default()
        );
        let answer: Value = response.json().expect("json");
        assert!(
            answer["columns"]
                .as_array()
                .is_some_and(|columns| !columns.is_empty()),
            "{name}"
        );
    }

    // Values agree with the lake.
    let answer: Value = client
        .get(hub.url("/api/indicators/projects_by_level"))
        .send()
        .expect("run")
        .json()
        .expect("json");
    let projects_column = answer["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c["name"] == "projects")
        .expect("projects");
    let total: i64 = answer["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row[projects_column].as_i64().expect("n"))
        .sum();
    assert_eq!(
        total,
        sql_count(demo_dir(), "SELECT count(*) FROM transformation_projects")
    );

    // Parameters, CSV, and errors.
    let csv = client
        .get(hub.url("/api/indicators/top_energy_consumers"))
        .query(&[("limit", "3")])
        .header("accept", "text/csv")
        .send()
        .expect("csv")
        .text()
        .expect("text");
    assert_eq!(csv.lines().count(), 4, "header + 3 rows:\n{csv}");
    let response = client
        .get(hub.url("/api/indicators/top_energy_consumers"))
        .query(&[("limit", "many")])
        .send()
        .expect("bad");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().expect("json")["code"],
        "bad_parameter"
    );
    let response = client
        .get(hub.url("/api/indicators/top_energy_consumers"))
        .query(&[("colour", "red")])
        .send()
        .expect("unknown");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().expect("json")["code"],
        "unknown_parameter"
    );
    let response = client
        .get(hub.url("/api/indicators/happiness"))
        .send()
        .expect("404");
    assert_eq!(response.status(), 404);
}

#[test]
fn indicators_run_from_the_cli_and_as_sql_views() {
    let dir = demo_dir();
    let listing = run_ok(dir, &["indicators"]);
    assert!(
        listing.contains("energy_intensity") && listing.contains("SQL view: ind_"),
        "{listing}"
    );

    let rows: Vec<Value> = serde_json::from_str(&run_ok(
        dir,
        &[
            "indicator",
            "output_by_industry",
            "--param",
            "from=2026-09",
            "--param",
            "to=2026-10",
            "--format",
            "json",
        ],
    ))
    .expect("json");
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|row| {
            let period = row["period"].as_str().unwrap_or("");
            period.starts_with("2026-09") || period.starts_with("2026-10")
        }),
        "{rows:?}"
    );

    let view_rows = sql_json(dir, "SELECT * FROM ind_projects_by_level");
    let cli_rows: Vec<Value> = serde_json::from_str(&run_ok(
        dir,
        &["indicator", "projects_by_level", "--format", "json"],
    ))
    .expect("json");
    assert_eq!(view_rows.len(), cli_rows.len());

    let output = run(
        dir,
        &["indicator", "energy_intensity", "--param", "from=soon"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("parameter 'from'"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
