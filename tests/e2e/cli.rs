//! The command line: `demo`, `sql`, `tables`, and their errors.

use crate::support::{
    DEMO_ENERGY_DAYS, DEMO_ENTERPRISES, DEMO_LATE_ENTERPRISES, DEMO_MONTHS, DEMO_PRODUCTION_ROWS,
    demo_dir, fresh_dir, parkhub, run, run_ok, sql_count, sql_json,
};

const PARK_TABLES: [&str; 12] = [
    "digital_assessment",
    "emissions",
    "energy_readings",
    "enterprise_needs",
    "enterprises",
    "equipment",
    "fund_disbursements",
    "production_monthly",
    "service_offerings",
    "service_providers",
    "shared_applications",
    "transformation_projects",
];

#[test]
fn demo_fills_every_table_with_what_was_asked_for() {
    let dir = demo_dir();
    assert_eq!(
        sql_count(dir, "SELECT count(*) FROM enterprises"),
        DEMO_ENTERPRISES as i64
    );
    assert_eq!(
        sql_count(dir, "SELECT count(DISTINCT uscc) FROM enterprises"),
        DEMO_ENTERPRISES as i64
    );
    // Every month of every enterprise, but the last month of those late with it.
    assert_eq!(
        sql_count(dir, "SELECT count(*) FROM production_monthly"),
        DEMO_PRODUCTION_ROWS as i64
    );
    assert_eq!(
        sql_count(dir, "SELECT count(DISTINCT period) FROM production_monthly"),
        DEMO_MONTHS as i64
    );
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(*) FROM enterprises WHERE uscc NOT IN \
             (SELECT uscc FROM production_monthly WHERE period = DATE '2026-10-01')"
        ),
        DEMO_LATE_ENTERPRISES as i64
    );
    // Hourly readings: every meter has one reading per hour of the window; the late
    // enterprises' meters stopped before this short window began.
    assert_eq!(
        sql_count(dir, "SELECT count(DISTINCT uscc) FROM energy_readings"),
        (DEMO_ENTERPRISES - DEMO_LATE_ENTERPRISES) as i64
    );
    let meters = sql_count(dir, "SELECT count(DISTINCT meter_id) FROM energy_readings");
    assert!(
        meters >= (DEMO_ENTERPRISES - DEMO_LATE_ENTERPRISES) as i64 * 2,
        "electricity and water at least: {meters}"
    );
    assert_eq!(
        sql_count(dir, "SELECT count(*) FROM energy_readings"),
        meters * 24 * DEMO_ENERGY_DAYS as i64
    );
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(*) FROM energy_readings WHERE energy_type = 'water' AND tce IS NOT NULL"
        ),
        0
    );
    assert!(sql_count(dir, "SELECT count(*) FROM service_providers") >= 150);
    assert!(sql_count(dir, "SELECT count(*) FROM service_offerings") >= 400);
    assert!(sql_count(dir, "SELECT count(*) FROM shared_applications") >= 300);
    assert!(sql_count(dir, "SELECT count(*) FROM transformation_projects") > 0);
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(DISTINCT level) FROM transformation_projects"
        ),
        3,
        "point, line and area projects"
    );
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(DISTINCT subsidy_type) FROM transformation_projects WHERE subsidy_type IS NOT NULL"
        ),
        3,
        "investment, loan interest and guarantee fee subsidies"
    );
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(*) FROM transformation_projects WHERE subsidy_granted > 0.2 * investment"
        ),
        0,
        "no subsidy above 20% of the project's investment"
    );
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(*) FROM (SELECT p.project_id FROM transformation_projects p \
             JOIN fund_disbursements d ON d.project_id = p.project_id \
             GROUP BY p.project_id, p.subsidy_granted HAVING sum(d.amount) > p.subsidy_granted + 0.0001)"
        ),
        0,
        "disbursements never exceed the subsidy granted"
    );
    // Every enterprise has a valid USCC and a division that fits its key industry.
    for row in sql_json(
        dir,
        "SELECT uscc, industry_code, key_industry FROM enterprises",
    ) {
        let uscc = row["uscc"].as_str().expect("uscc");
        assert!(parkhub_connectors::uscc::is_valid(uscc), "{uscc}");
        let code = row["industry_code"].as_str().expect("code");
        let key_industry = row["key_industry"].as_str().expect("key industry");
        let industry =
            parkhub_connectors::industry::key_industry(key_industry).expect("known key industry");
        let division = parkhub_connectors::industry::division_of(code).expect("division");
        if key_industry != "other" {
            assert!(
                industry.primary_divisions.contains(&division)
                    || industry
                        .partial_divisions
                        .iter()
                        .any(|d| code.starts_with(d)),
                "{code} does not fit {key_industry}"
            );
        }
    }
    // Every row carries its lineage.
    assert_eq!(
        sql_count(
            dir,
            "SELECT count(*) FROM enterprises WHERE _batch_id IS NULL OR _ingested_at IS NULL"
        ),
        0
    );
}

#[test]
fn tables_lists_every_lake_table_with_rows() {
    let stdout = run_ok(demo_dir(), &["tables", "--format", "json"]);
    let tables: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("JSON");
    let names: Vec<&str> = tables
        .iter()
        .map(|table| table["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, PARK_TABLES);
    let enterprises = tables
        .iter()
        .find(|table| table["name"] == "enterprises")
        .expect("enterprises");
    assert_eq!(enterprises["row_count"], DEMO_ENTERPRISES);
    assert!(
        enterprises["description"]
            .as_str()
            .expect("description")
            .contains("USCC")
    );
    assert!(
        enterprises["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .any(|c| c["name"] == "land_area_mu" && c["type"] == "float64")
    );

    let text = run_ok(demo_dir(), &["tables"]);
    assert!(
        text.lines().next().expect("header").starts_with("table"),
        "{text}"
    );
    assert!(
        text.lines().any(|line| line.starts_with("enterprises")
            && line.contains(&format!(" {DEMO_ENTERPRISES} "))),
        "{text}"
    );
}

#[test]
fn sql_prints_an_aligned_table_csv_or_json() {
    let dir = demo_dir();
    let query = "SELECT key_industry, count(*) AS n FROM enterprises GROUP BY key_industry ORDER BY n DESC, key_industry LIMIT 3";
    let table = run_ok(dir, &["sql", query]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("+-"), "{table}");
    assert!(
        lines[1].contains("key_industry") && lines[1].contains(" n "),
        "{table}"
    );
    let widths: Vec<usize> = lines[..lines.len() - 1]
        .iter()
        .map(|line| line.chars().count())
        .collect();
    assert!(
        widths.windows(2).all(|pair| pair[0] == pair[1]),
        "rows are aligned:\n{table}"
    );
    assert_eq!(lines.last(), Some(&"(3 rows)"));

    let csv = run_ok(dir, &["sql", query, "--format", "csv"]);
    let csv_lines: Vec<&str> = csv.lines().collect();
    assert_eq!(csv_lines[0], "key_industry,n");
    assert_eq!(csv_lines.len(), 4);

    let rows = sql_json(dir, query);
    assert_eq!(rows.len(), 3);
    let total: i64 = sql_json(
        dir,
        "SELECT key_industry, count(*) AS n FROM enterprises GROUP BY key_industry",
    )
    .iter()
    .map(|row| row["n"].as_i64().expect("n"))
    .sum();
    assert_eq!(total, DEMO_ENTERPRISES as i64);
    assert_eq!(
        csv_lines[1],
        format!(
            "{},{}",
            rows[0]["key_industry"].as_str().expect("s"),
            rows[0]["n"]
        )
    );

    // Chinese text comes back intact.
    let names = sql_json(dir, "SELECT name FROM enterprises ORDER BY uscc LIMIT 1");
    assert!(
        names[0]["name"].as_str().expect("name").ends_with("公司"),
        "{names:?}"
    );
}

#[test]
fn sql_is_read_only_and_errors_say_what_was_wrong() {
    let dir = demo_dir();
    for (query, refused) in [
        ("DROP TABLE enterprises", "DROP TABLE is not allowed"),
        ("CREATE TABLE t AS SELECT 1", "CREATE TABLE is not allowed"),
        (
            "INSERT INTO enterprises (uscc) VALUES ('x')",
            "INSERT is not allowed",
        ),
        (
            "COPY enterprises TO '/tmp/parkhub-copy.csv'",
            "COPY is not allowed",
        ),
        (
            "SET datafusion.execution.batch_size = 1",
            "SET is not allowed",
        ),
    ] {
        let output = run(dir, &["sql", query]);
        assert_eq!(output.status.code(), Some(1), "{query}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(refused) && stderr.contains("read-only"),
            "{query}: {stderr}"
        );
    }
    assert!(!std::path::Path::new("/tmp/parkhub-copy.csv").exists());
    assert_eq!(
        sql_count(dir, "SELECT count(*) FROM enterprises"),
        DEMO_ENTERPRISES as i64
    );

    let output = run(dir, &["sql", "SELEC * FROM enterprises"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("SELEC"),
        "{stderr}"
    );

    let output = run(dir, &["sql", "SELECT * FROM enterprise"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown table 'enterprise'"), "{stderr}");
    assert!(
        stderr.contains("enterprises, equipment"),
        "the existing tables are listed: {stderr}"
    );
}

#[test]
fn the_data_dir_comes_from_the_flag_then_the_environment_then_the_default() {
    let dir = demo_dir();
    let output = std::process::Command::new(crate::support::binary())
        .args([
            "sql",
            "SELECT count(*) AS n FROM enterprises",
            "--format",
            "csv",
        ])
        .env("PARKHUB_DATA_DIR", dir)
        .env("PARKHUB_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("n\n{DEMO_ENTERPRISES}\n")
    );

    // Without flag or variable: ./parkhub-data in the working directory.
    let working_dir = fresh_dir("default-data-dir");
    let output = std::process::Command::new(crate::support::binary())
        .args(["tables"])
        .env_remove("PARKHUB_DATA_DIR")
        .env("PARKHUB_LOG", "warn")
        .current_dir(&working_dir)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(working_dir.join("parkhub-data/lake").is_dir());
}

#[test]
fn an_unusable_data_dir_is_a_clear_error() {
    let output = parkhub(std::path::Path::new("/proc/parkhub-data"))
        .args(["tables"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("data directory /proc/parkhub-data is not usable"),
        "{stderr}"
    );
}

#[test]
fn demo_is_deterministic_and_loading_it_twice_writes_nothing() {
    let args = [
        "demo",
        "--enterprises",
        "6",
        "--months",
        "2",
        "--energy-days",
        "1",
        "--seed",
        "11",
    ];
    let first = fresh_dir("determinism-1");
    let second = fresh_dir("determinism-2");
    run_ok(&first, &args);
    run_ok(&second, &args);
    let fingerprint = "SELECT (SELECT string_agg(uscc || name || industry_code, ',' ORDER BY uscc) FROM enterprises) AS e, \
                       (SELECT sum(output_value) FROM production_monthly) AS o, \
                       (SELECT sum(value) FROM energy_readings) AS v, \
                       (SELECT string_agg(name, ',' ORDER BY offering_id) FROM service_offerings) AS c";
    assert_eq!(
        sql_json(&first, fingerprint),
        sql_json(&second, fingerprint)
    );

    let again = run_ok(&first, &args);
    assert!(again.contains("already loaded"), "{again}");
    assert_eq!(sql_count(&first, "SELECT count(*) FROM enterprises"), 6);
    assert_eq!(
        sql_count(
            &first,
            "SELECT count(DISTINCT _batch_id) FROM energy_readings"
        ),
        1
    );

    let other_seed = run(
        &first,
        &[
            "demo",
            "--enterprises",
            "6",
            "--months",
            "2",
            "--energy-days",
            "1",
            "--seed",
            "12",
        ],
    );
    assert_eq!(other_seed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&other_seed.stderr).contains("already holds data"));
}
