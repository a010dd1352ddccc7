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

#[test]
fn tables_round_floats_and_csv_and_json_keep_every_digit() {
    let dir = demo_dir();
    let rows: Vec<Value> = serde_json::from_str(&run_ok(
        dir,
        &[
            "indicator",
            "energy_intensity_by_industry",
            "--format",
            "json",
        ],
    ))
    .expect("json");
    let park = rows
        .iter()
        .find(|row| row["key_industry"] == "all")
        .expect("a park row");
    let energy_tce = park["energy_tce"].as_f64().expect("energy_tce");
    let intensity = park["energy_intensity"].as_f64().expect("energy_intensity");
    // The indicator's [decimals]: 2 for tce, 4 for tce per 10k yuan.
    let table = run_ok(dir, &["indicator", "energy_intensity_by_industry"]);
    let park_line = table
        .lines()
        .find(|line| line.starts_with("| all "))
        .unwrap_or_else(|| panic!("no park row in\n{table}"));
    assert!(
        park_line.contains(&format!(" {energy_tce:.2} "))
            && park_line.contains(&format!(" {intensity:.4} ")),
        "{park_line}"
    );
    let csv = run_ok(
        dir,
        &[
            "indicator",
            "energy_intensity_by_industry",
            "--format",
            "csv",
        ],
    );
    // Separate runs may sum in another order, so the digits are compared within a tolerance.
    let park_csv: Vec<&str> = csv
        .lines()
        .find(|line| line.starts_with("all,"))
        .unwrap_or_else(|| panic!("no park row in\n{csv}"))
        .split(',')
        .collect();
    let csv_intensity = park_csv[4];
    let digits = csv_intensity
        .split_once('.')
        .map_or(0, |(_, fraction)| fraction.len());
    assert!(digits > 6, "CSV keeps full precision: {csv_intensity}");
    let csv_intensity: f64 = csv_intensity.parse().expect("a number");
    assert!(
        (csv_intensity - intensity).abs() <= 1e-9 * intensity.abs(),
        "{csv}"
    );

    // Plain SQL: at most six digits after the point, trailing zeros trimmed.
    let query = "SELECT 2.0 / 3 AS ratio, 1.5 AS half, 7 AS whole";
    let table = run_ok(dir, &["sql", query]);
    assert!(table.contains("| 0.666667 | 1.5  | 7     |"), "{table}");
    let csv = run_ok(dir, &["sql", query, "--format", "csv"]);
    assert_eq!(csv, "ratio,half,whole\n0.6666666666666666,1.5,7\n");
}
