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
fn submission_freshness_lists_the_late_enterprises_first_with_their_flags() {
    use std::collections::BTreeSet;

    use crate::support::{
        DEMO_ENTERPRISES, DEMO_LATE_ENTERPRISES, create_token, http_with_token, unique_token_name,
    };

    type Row = serde_json::Map<String, Value>;
    let dir = demo_dir();
    let hub = TestHub::start(dir, &[]);
    let freshness = |client: &reqwest::blocking::Client, params: &[(&str, &str)]| -> Vec<Row> {
        let response = client
            .get(hub.url("/api/indicators/submission_freshness"))
            .query(params)
            .send()
            .expect("run");
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().expect("json");
        let columns: Vec<String> = answer["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|column| column["name"].as_str().expect("name").to_string())
            .collect();
        answer["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .cloned()
                    .zip(row.as_array().expect("a row").iter().cloned())
                    .collect()
            })
            .collect()
    };
    let usccs = |rows: &[Row], flag: &str| -> BTreeSet<String> {
        rows.iter()
            .filter(|row| row[flag] == true)
            .map(|row| row["uscc"].as_str().expect("uscc").to_string())
            .collect()
    };
    let of_sql = |query: &str| -> BTreeSet<String> {
        sql_json(dir, query)
            .iter()
            .map(|row| row["uscc"].as_str().expect("uscc").to_string())
            .collect()
    };
    let is_late = |row: &Row| row["production_late"] == true || row["energy_late"] == true;

    // The default round is the latest month any enterprise reported.
    let rows = freshness(&hub.http(), &[("as_of", "2026-12-01")]);
    assert_eq!(rows.len(), DEMO_ENTERPRISES, "one row per enterprise");
    let round = sql_json(dir, "SELECT max(period) AS round FROM production_monthly");
    assert_eq!(round[0]["round"], "2026-10-01");
    assert!(
        rows.iter()
            .all(|row| row["reporting_period"] == "2026-10-01")
    );

    // The late ones first, and exactly those the lake says are late.
    let late = rows.iter().filter(|row| is_late(row)).count();
    assert_eq!(late, DEMO_LATE_ENTERPRISES, "{rows:#?}");
    assert!(rows[..late].iter().all(is_late), "{rows:#?}");
    let without_october = of_sql(
        "SELECT uscc FROM enterprises WHERE uscc NOT IN \
         (SELECT uscc FROM production_monthly WHERE period = DATE '2026-10-01')",
    );
    assert_eq!(without_october.len(), DEMO_LATE_ENTERPRISES);
    assert_eq!(usccs(&rows, "production_late"), without_october);
    // No reading that ends on 2026-10-31 in park time (after 16:00 UTC the day before).
    let short_of_the_last_day = of_sql(
        "SELECT uscc FROM enterprises WHERE uscc NOT IN \
         (SELECT uscc FROM energy_readings WHERE ts > '2026-10-30T16:00:00Z')",
    );
    assert_eq!(usccs(&rows, "energy_late"), short_of_the_last_day);
    for row in &rows[..late] {
        let uscc = row["uscc"].as_str().expect("uscc");
        let last = sql_json(
            dir,
            &format!("SELECT max(period) AS last FROM production_monthly WHERE uscc = '{uscc}'"),
        );
        assert_eq!(row["last_production_period"], last[0]["last"], "{uscc}");
        assert_eq!(row["last_production_period"], "2026-09-01", "{uscc}");
        assert_eq!(
            sql_count(
                dir,
                &format!("SELECT count(*) FROM energy_readings WHERE uscc = '{uscc}'")
            ),
            0,
            "{uscc}'s readings stopped before the demo's 2-day window"
        );
        assert_eq!(row["last_energy_day"], Value::Null, "{uscc}");
        // 2026-12-01 − 2026-09-30, the last day its figures cover.
        assert_eq!(row["days_since_last_submission"], 62, "{uscc}");
    }
    for row in &rows[late..] {
        assert_eq!(
            (
                &row["production_late"],
                &row["energy_late"],
                &row["last_production_period"],
                &row["last_energy_day"],
                &row["days_since_last_submission"],
            ),
            (
                &Value::Bool(false),
                &Value::Bool(false),
                &Value::from("2026-10-01"),
                // The last reading, stamped 2026-11-01 00:00 UTC, ends at 08:00 park time.
                &Value::from("2026-11-01"),
                &Value::from(30),
            ),
            "{row:?}"
        );
    }

    // September as the round: everyone reported it, but the late ones' readings do not
    // reach its end either.
    let september = freshness(
        &hub.http(),
        &[("period", "2026-09"), ("as_of", "2026-12-01")],
    );
    assert!(
        september
            .iter()
            .all(|row| row["reporting_period"] == "2026-09-01")
    );
    assert!(usccs(&september, "production_late").is_empty());
    assert_eq!(usccs(&september, "energy_late"), without_october);
    assert!(september[..late].iter().all(is_late));

    // The committee reads it whole; an enterprise its own row.
    let committee = http_with_token(&create_token(
        dir,
        &unique_token_name("committee"),
        "committee",
        &[],
    ));
    assert_eq!(freshness(&committee, &[("as_of", "2026-12-01")]), rows);
    let late_one = rows[0]["uscc"].as_str().expect("uscc");
    let enterprise = http_with_token(&create_token(
        dir,
        &unique_token_name("late"),
        "enterprise",
        &["--uscc", late_one],
    ));
    let mut own = freshness(
        &enterprise,
        &[("period", "2026-10"), ("as_of", "2026-12-01")],
    );
    assert_eq!(own.len(), 1, "{own:?}");
    // An enterprise's answers say whether anything was suppressed; its own row never is.
    assert_eq!(own[0].remove("suppressed"), Some(Value::Bool(false)));
    assert_eq!(own, rows[..1], "its own row, as the committee sees it");
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

/// The rows of a JSON answer (`{"columns": [{"name", …}], "rows": [[…]]}`) as column → value
/// maps.
fn answer_rows(answer: &Value) -> Vec<serde_json::Map<String, Value>> {
    let columns: Vec<String> = answer["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("no columns in {answer}"))
        .iter()
        .map(|column| column["name"].as_str().expect("a column name").to_string())
        .collect();
    assert_eq!(answer["truncated"], false, "{answer}");
    answer["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows in {answer}"))
        .iter()
        .map(|row| {
            columns
                .iter()
                .cloned()
                .zip(row.as_array().expect("a row").iter().cloned())
                .collect()
        })
        .collect()
}

/// Output value, added value and reporting enterprises, by (key industry, period).
type Sums = std::collections::BTreeMap<(String, String), (f64, f64, i64)>;

fn sums(rows: &[serde_json::Map<String, Value>]) -> Sums {
    rows.iter()
        .map(|row| {
            let text = |column: &str| {
                row[column]
                    .as_str()
                    .unwrap_or_else(|| panic!("{column} in {row:?}"))
                    .to_string()
            };
            let number = |column: &str| {
                row[column]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{column} in {row:?}"))
            };
            (
                (text("key_industry"), text("period")),
                (
                    number("output_value"),
                    number("added_value"),
                    row["enterprises"].as_i64().expect("enterprises"),
                ),
            )
        })
        .collect()
}

fn assert_same_sums(actual: &Sums, expected: &Sums, what: &str) {
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}"
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for (key, (output, added, enterprises)) in actual {
        let (expected_output, expected_added, expected_enterprises) = expected[key];
        assert!(
            close(*output, expected_output)
                && close(*added, expected_added)
                && *enterprises == expected_enterprises,
            "{what} {key:?}: {:?} != {:?}",
            (output, added, enterprises),
            expected[key]
        );
    }
}

#[test]
fn indicators_filter_by_zone_and_the_zones_add_up_to_the_park() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let sql = |query: &str| {
        let response = client
            .post(hub.url("/api/sql"))
            .json(&serde_json::json!({ "sql": query }))
            .send()
            .expect("POST /api/sql");
        assert_eq!(response.status(), 200, "{query}");
        answer_rows(&response.json().expect("json"))
    };
    let indicator = |name: &str, query: &[(&str, &str)]| {
        let response = client
            .get(hub.url(&format!("/api/indicators/{name}")))
            .query(query)
            .send()
            .expect("GET /api/indicators");
        assert_eq!(response.status(), 200, "{name} {query:?}");
        answer_rows(&response.json().expect("json"))
    };

    // Every enterprise of the demo park is in a zone, so the zones partition the park.
    let zones: Vec<String> = sql("SELECT DISTINCT zone FROM enterprises ORDER BY zone")
        .iter()
        .map(|row| {
            row["zone"]
                .as_str()
                .expect("every demo enterprise has a zone")
                .to_string()
        })
        .collect();
    assert!(zones.len() >= 2, "{zones:?}");

    let park = sums(&indicator("output_by_industry", &[]));
    assert!(!park.is_empty());
    assert_same_sums(
        &sums(&indicator("output_by_industry", &[("zone", "all")])),
        &park,
        "zone=all",
    );
    let mut zones_total = Sums::new();
    for zone in &zones {
        let answer = sums(&indicator("output_by_industry", &[("zone", zone)]));
        // The same sums in plain SQL: by key industry and month, and the zone's park row.
        let literal = zone.replace('\'', "''");
        let expected = sums(&sql(&format!(
            "SELECT e.key_industry, p.period, count(DISTINCT p.uscc) AS enterprises, \
                    sum(p.output_value) AS output_value, sum(p.added_value) AS added_value \
             FROM production_monthly p JOIN enterprises e ON e.uscc = p.uscc \
             WHERE e.zone = '{literal}' AND p.period <= current_date \
             GROUP BY e.key_industry, p.period \
             UNION ALL \
             SELECT 'all' AS key_industry, p.period, count(DISTINCT p.uscc) AS enterprises, \
                    sum(p.output_value) AS output_value, sum(p.added_value) AS added_value \
             FROM production_monthly p JOIN enterprises e ON e.uscc = p.uscc \
             WHERE e.zone = '{literal}' AND p.period <= current_date \
             GROUP BY p.period"
        )));
        assert!(!expected.is_empty(), "{zone} has production");
        assert_same_sums(&answer, &expected, zone);
        for ((industry, period), (output, added, enterprises)) in answer {
            if industry == "all" {
                let total = zones_total
                    .entry((industry, period))
                    .or_insert((0.0, 0.0, 0));
                total.0 += output;
                total.1 += added;
                total.2 += enterprises;
            }
        }
    }
    let park_total: Sums = park
        .into_iter()
        .filter(|((industry, _), _)| industry == "all")
        .collect();
    assert_same_sums(&zones_total, &park_total, "the zones' park rows summed");

    // A zone no enterprise is in gives no rows.
    assert!(indicator("output_by_industry", &[("zone", "没有的片区")]).is_empty());

    // Every indicator that takes a zone lists it, defaulting to the whole park, and runs in one.
    let list: Vec<Value> = client
        .get(hub.url("/api/indicators"))
        .send()
        .expect("list")
        .json()
        .expect("json");
    let zoned: Vec<&str> = list
        .iter()
        .filter(|indicator| {
            indicator["parameters"]
                .as_array()
                .is_some_and(|parameters| {
                    parameters.iter().any(|parameter| {
                        parameter["name"] == "zone"
                            && parameter["type"] == "string"
                            && parameter["default"] == "all"
                    })
                })
        })
        .map(|indicator| indicator["name"].as_str().expect("name"))
        .collect();
    assert!(zoned.len() >= 10, "{zoned:?}");
    for name in zoned {
        let everywhere = indicator(name, &[]);
        assert_eq!(
            indicator(name, &[("zone", "all")]).len(),
            everywhere.len(),
            "{name}"
        );
        indicator(name, &[("zone", zones[0].as_str())]);
    }
}
