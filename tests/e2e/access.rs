//! The adversarial suite over HTTP: an enterprise token tries to read another enterprise's
//! rows, a hidden table or the audit table through SQL, the indicators, matching, catalog
//! search, the quarantine, ingest reports and error messages. Every attempt fails, and each is
//! paired with the same request by the committee (or the admin) that gets those rows. Then the
//! centre's limits, small-group suppression, ingest of another enterprise's rows, and grants.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{
    TestHub, create_token, fresh_dir, http_with_token, run_ok, sql_json, unique_token_name,
};

/// A park of its own, so that the ingests and grants of this suite change no other test's data.
fn access_park() -> PathBuf {
    let dir = fresh_dir("access");
    run_ok(
        &dir,
        &[
            "demo",
            "--enterprises",
            "18",
            "--months",
            "4",
            "--energy-days",
            "1",
            "--seed",
            "11",
        ],
    );
    dir
}

/// One role's client.
struct As {
    client: reqwest::blocking::Client,
    name: String,
}

impl As {
    fn new(dir: &Path, role: &str, extra: &[&str]) -> As {
        let name = unique_token_name(role);
        let token = create_token(dir, &name, role, extra);
        As {
            client: http_with_token(&token),
            name,
        }
    }

    /// Posts `sql`; returns the status and the body.
    fn sql(&self, hub: &TestHub, sql: &str) -> (u16, Value) {
        let response = self
            .client
            .post(hub.url("/api/sql"))
            .json(&json!({ "sql": sql }))
            .send()
            .expect("POST /api/sql");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// The rows of `sql`, which must succeed.
    fn rows(&self, hub: &TestHub, sql: &str) -> Vec<Value> {
        let (status, body) = self.sql(hub, sql);
        assert_eq!(status, 200, "{} {sql}: {body}", self.name);
        body["rows"].as_array().expect("rows").clone()
    }

    /// The single number `sql` answers.
    fn number(&self, hub: &TestHub, sql: &str) -> i64 {
        let rows = self.rows(hub, sql);
        rows[0][0]
            .as_i64()
            .unwrap_or_else(|| panic!("{sql}: {rows:?}"))
    }

    fn get(&self, hub: &TestHub, path: &str) -> (u16, Value) {
        let response = self.client.get(hub.url(path)).send().expect("GET");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }
}

/// Asserts that `sql` is refused as an unknown table whose message lists no hidden table.
fn assert_unknown(who: &As, hub: &TestHub, sql: &str, hidden: &[&str]) {
    let (status, body) = who.sql(hub, sql);
    assert_eq!(status, 400, "{} {sql}: {body}", who.name);
    let message = body["message"].as_str().expect("message");
    // An unknown name in the lake schema is `unknown_table`; one in a schema that does not
    // exist is the planner's "not found", as for any table that does not exist.
    assert!(
        body["code"] == "unknown_table"
            || (body["code"] == "invalid_sql" && message.contains("not found")),
        "{sql}: {body}"
    );
    let known = message.split("tables are:").nth(1).unwrap_or("");
    for table in hidden {
        assert!(
            !known.contains(table),
            "{sql}: the message lists the hidden {table}: {message}"
        );
    }
}

/// Column `name` of an answer's rows.
fn column(body: &Value, name: &str) -> Vec<Value> {
    let index = body["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|column| column["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}: {body}"));
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row[index].clone())
        .collect()
}

#[test]
fn an_enterprise_reads_only_its_own_rows_on_every_http_path() {
    let dir = access_park();
    let first = |sql: &str| -> String {
        sql_json(&dir, sql)
            .first()
            .and_then(|row| row["uscc"].as_str())
            .unwrap_or_else(|| panic!("the demo park has no enterprise for {sql}"))
            .to_string()
    };
    // A reports energy and production; B has rows in every table keyed by enterprise.
    let a = first(
        "SELECT uscc FROM enterprises WHERE uscc IN (SELECT uscc FROM energy_readings) \
         AND uscc IN (SELECT uscc FROM production_monthly) ORDER BY uscc LIMIT 1",
    );
    let b = first(&format!(
        "SELECT p.uscc FROM transformation_projects p \
         JOIN fund_disbursements d ON d.project_id = p.project_id \
         WHERE p.uscc <> '{a}' \
         AND p.uscc IN (SELECT uscc FROM enterprise_needs) \
         AND p.uscc IN (SELECT uscc FROM emissions) \
         AND p.uscc IN (SELECT uscc FROM equipment) \
         AND p.uscc IN (SELECT uscc FROM digital_assessment) \
         AND p.uscc IN (SELECT uscc FROM energy_readings) \
         ORDER BY p.uscc LIMIT 1"
    ));
    let hub = TestHub::start(&dir, &[]);
    let admin = As {
        client: hub.http(),
        name: "admin".into(),
    };
    let committee = As::new(&dir, "committee", &[]);
    let enterprise = As::new(&dir, "enterprise", &["--uscc", &a]);
    let other = As::new(&dir, "enterprise", &["--uscc", &b]);
    let hidden = ["_audit"];
    let mut attempts = 0;

    // SQL shapes over tables keyed by uscc: the enterprise gets its own rows only; the committee
    // gets B's rows with the same query.
    let of_b = [
        format!("SELECT count(*) FROM production_monthly WHERE uscc = '{b}'"),
        format!("SELECT count(*) FROM energy_readings WHERE uscc = '{b}'"),
        format!("SELECT count(*) FROM equipment WHERE uscc = '{b}'"),
        format!("SELECT count(*) FROM digital_assessment WHERE uscc = '{b}'"),
        format!("SELECT count(*) FROM enterprises WHERE uscc = '{b}'"),
        format!(
            "SELECT count(*) FROM production_monthly p JOIN enterprises e ON e.uscc = p.uscc \
             WHERE e.uscc = '{b}'"
        ),
        format!(
            "SELECT count(*) FROM enterprises e LEFT JOIN energy_readings r ON r.uscc = e.uscc \
             WHERE e.uscc = '{b}'"
        ),
        format!(
            "SELECT count(*) FROM production_monthly WHERE uscc IN \
             (SELECT uscc FROM enterprises WHERE uscc <> '{a}')"
        ),
        format!(
            "SELECT count(*) FROM enterprises e WHERE EXISTS \
             (SELECT 1 FROM equipment q WHERE q.uscc = e.uscc AND q.uscc = '{b}')"
        ),
        format!("WITH t AS (SELECT * FROM equipment) SELECT count(*) FROM t WHERE uscc = '{b}'"),
        format!(
            "SELECT count(*) FROM (SELECT uscc FROM emissions UNION ALL \
             SELECT uscc FROM energy_readings) u WHERE uscc = '{b}'"
        ),
        format!(
            "SELECT count(*) FROM (SELECT uscc, sum(output_value) OVER (PARTITION BY uscc) AS s \
             FROM production_monthly) w WHERE uscc = '{b}'"
        ),
        format!(
            "SELECT count(*) FROM transformation_projects WHERE uscc = '{b}' OR uscc IS NULL \
             OR true"
        ),
        format!("SELECT count(*) FROM enterprise_needs WHERE uscc = '{b}'"),
        format!(
            "SELECT count(*) FROM fund_disbursements d JOIN transformation_projects p \
             ON p.project_id = d.project_id WHERE p.uscc = '{b}'"
        ),
    ];
    for sql in &of_b {
        attempts += 1;
        let expected_own = if sql.contains("OR true") {
            committee.number(
                &hub,
                &format!("SELECT count(*) FROM transformation_projects WHERE uscc = '{a}'"),
            )
        } else {
            0
        };
        assert_eq!(enterprise.number(&hub, sql), expected_own, "{sql}");
        assert!(
            committee.number(&hub, sql) > 0,
            "the committee reads: {sql}"
        );
    }

    // Whole-table answers are the enterprise's own, statistics included.
    for (sql, own_sql) in [
        (
            "SELECT count(*) FROM energy_readings".to_string(),
            format!("SELECT count(*) FROM energy_readings WHERE uscc = '{a}'"),
        ),
        (
            "SELECT count(DISTINCT uscc) FROM production_monthly".to_string(),
            format!("SELECT count(DISTINCT uscc) FROM production_monthly WHERE uscc = '{a}'"),
        ),
        (
            "SELECT CAST(max(value) * 1000 AS BIGINT) FROM energy_readings".to_string(),
            format!(
                "SELECT CAST(max(value) * 1000 AS BIGINT) FROM energy_readings WHERE uscc = '{a}'"
            ),
        ),
        (
            "SELECT count(*) FROM enterprises".to_string(),
            format!("SELECT count(*) FROM enterprises WHERE uscc = '{a}'"),
        ),
        (
            "SELECT count(*) FROM fund_disbursements".to_string(),
            format!(
                "SELECT count(*) FROM fund_disbursements WHERE project_id IN \
                 (SELECT project_id FROM transformation_projects WHERE uscc = '{a}')"
            ),
        ),
    ] {
        attempts += 1;
        assert_eq!(
            enterprise.number(&hub, &sql),
            committee.number(&hub, &own_sql),
            "{sql}"
        );
        assert!(
            committee.number(&hub, &sql) > committee.number(&hub, &own_sql)
                || sql.contains("fund_disbursements"),
            "the committee reads more: {sql}"
        );
    }

    // Hidden tables: the audit table does not exist for an enterprise or the committee, by any
    // path; the admin reads it.
    for sql in [
        "SELECT * FROM _audit",
        "SELECT count(*) FROM parkhub._audit",
        "SELECT count(*) FROM parkhub.lake._audit",
        "EXPLAIN SELECT * FROM _audit",
        "SELECT * FROM energy_readings e JOIN _audit a ON a.principal = e.uscc",
        "WITH x AS (SELECT * FROM _audit) SELECT count(*) FROM x",
        "SELECT count(*) FROM no_such_table",
    ] {
        attempts += 2;
        assert_unknown(&enterprise, &hub, sql, &hidden);
        assert_unknown(&committee, &hub, sql, &hidden);
    }
    assert!(admin.number(&hub, "SELECT count(*) FROM _audit") >= 0);
    for sql in [
        "SELECT table_name FROM information_schema.tables",
        "SELECT table_name FROM information_schema.columns",
        "SHOW TABLES",
    ] {
        attempts += 1;
        let listed = enterprise.rows(&hub, sql);
        assert!(
            !Value::from(listed.clone()).to_string().contains("_audit"),
            "{sql}: {listed:?}"
        );
        // The park's tables are listed to every role that reads them (system tables, `_`
        // names, are read by name only).
        assert!(
            Value::from(committee.rows(&hub, sql))
                .to_string()
                .contains("energy_readings"),
            "{sql}"
        );
    }
    let (_, tables) = enterprise.get(&hub, "/api/tables");
    attempts += 1;
    assert!(!tables.to_string().contains("\"_audit\""), "{tables}");
    let energy = tables
        .as_array()
        .expect("tables")
        .iter()
        .find(|table| table["name"] == "energy_readings")
        .expect("energy_readings listed");
    assert_eq!(
        energy["row_count"].as_i64(),
        Some(committee.number(
            &hub,
            &format!("SELECT count(*) FROM energy_readings WHERE uscc = '{a}'")
        )),
        "the table list counts the enterprise's rows only"
    );

    // Indicators at an entity grain list the enterprise alone; the committee gets every one.
    for name in ["energy_intensity", "top_energy_consumers", "output_per_mu"] {
        attempts += 1;
        let (status, body) = enterprise.get(&hub, &format!("/api/indicators/{name}"));
        assert_eq!(status, 200, "{name}: {body}");
        let usccs = column(&body, "uscc");
        assert!(usccs.iter().all(|uscc| *uscc == a), "{name}: {usccs:?}");
        assert!(
            column(&body, "suppressed")
                .iter()
                .all(|flag| *flag == false),
            "an enterprise's own rows are never suppressed: {body}"
        );
        let (_, all) = committee.get(&hub, &format!("/api/indicators/{name}"));
        let committee_usccs = column(&all, "uscc");
        assert!(
            committee_usccs.iter().any(|uscc| *uscc != a),
            "{name}: the committee sees other enterprises"
        );
    }
    // The same through the SQL views.
    attempts += 1;
    let viewed = enterprise.rows(&hub, "SELECT DISTINCT uscc FROM ind_energy_intensity");
    assert!(viewed.iter().all(|row| row[0] == a), "{viewed:?}");

    // Group grains: computed over the whole park, small groups suppressed for enterprises and
    // the centre, never for the committee.
    let centre = As::new(&dir, "centre", &[]);
    for name in [
        "energy_intensity_by_industry",
        "output_by_industry",
        "equipment_rates",
        "rd_intensity",
    ] {
        attempts += 1;
        let (_, whole) = committee.get(&hub, &format!("/api/indicators/{name}"));
        let whole_counts = column(&whole, "enterprises");
        for who in [&enterprise, &centre] {
            let (status, body) = who.get(&hub, &format!("/api/indicators/{name}"));
            assert_eq!(status, 200, "{} {name}: {body}", who.name);
            let counts = column(&body, "enterprises");
            assert_eq!(
                counts, whole_counts,
                "{name}: the same groups as the committee's"
            );
            let suppressed = column(&body, "suppressed");
            for (count, flag) in counts.iter().zip(&suppressed) {
                if count.as_i64().unwrap_or(0) < 3 {
                    assert_eq!(*flag, true, "{name}: a group of {count} is suppressed");
                }
            }
            // A suppressed row shows no measure.
            let index = body["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .position(|column| column["name"] == "suppressed")
                .expect("suppressed column");
            for row in body["rows"].as_array().expect("rows") {
                if row[index] == true {
                    let measures: Vec<&Value> = row
                        .as_array()
                        .expect("row")
                        .iter()
                        .filter(|value| value.is_f64())
                        .collect();
                    assert!(measures.is_empty(), "{name}: {row}");
                }
            }
        }
        assert!(
            whole["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .all(|column| column["name"] != "suppressed"),
            "the committee's answer is not suppressed"
        );
    }
    assert!(
        column(
            &enterprise
                .get(&hub, "/api/indicators/energy_intensity_by_industry")
                .1,
            "suppressed"
        )
        .contains(&json!(true)),
        "a park of 18 enterprises over 9 key industries has small groups"
    );

    // The centre reads profiles, needs and projects, never production, energy or funds.
    for sql in [
        "SELECT count(*) FROM energy_readings",
        "SELECT count(*) FROM production_monthly",
        "SELECT count(*) FROM fund_disbursements",
        "SELECT count(*) FROM emissions",
    ] {
        attempts += 1;
        assert_unknown(
            &centre,
            &hub,
            sql,
            &["energy_readings", "production_monthly", "_audit"],
        );
        assert!(committee.number(&hub, sql) > 0, "{sql}");
    }
    assert!(centre.number(&hub, "SELECT count(*) FROM enterprises") > 1);
    attempts += 1;
    let (status, body) = centre.get(&hub, "/api/indicators/energy_intensity");
    assert_eq!(status, 403, "{body}");

    // Catalog search, matching and the catalog are public or refused, never a door.
    attempts += 1;
    let found = enterprise.rows(
        &hub,
        "SELECT count(*) FROM catalog_search('数字化') s JOIN energy_readings r ON true",
    );
    assert_eq!(
        found[0][0].as_i64().expect("count")
            % committee
                .number(
                    &hub,
                    &format!("SELECT count(*) FROM energy_readings WHERE uscc = '{a}'")
                )
                .max(1),
        0,
        "a join with catalog_search multiplies only the enterprise's own readings"
    );
    attempts += 1;
    let (status, _) = {
        let response = enterprise
            .client
            .post(hub.url("/api/match"))
            .json(&json!({"uscc": b, "text": "设备联网"}))
            .send()
            .expect("POST");
        (response.status().as_u16(), ())
    };
    assert_eq!(status, 403, "an enterprise does not run matching");

    // Ingest: an enterprise's rows land, another enterprise's row in the same batch is
    // quarantined as not its own, and the catalog is not its to write.
    let period = "2030-01";
    let csv =
        format!("uscc,period,output_value,added_value\n{a},{period},100,30\n{b},{period},999,99\n");
    let response = enterprise
        .client
        .post(hub.url("/api/ingest/production_monthly"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .expect("POST ingest");
    assert_eq!(response.status(), 200);
    let report: Value = response.json().expect("report");
    attempts += 1;
    assert_eq!(
        (
            report["rows_written"].as_i64(),
            report["rows_rejected"].as_i64()
        ),
        (Some(1), Some(1)),
        "{report}"
    );
    assert!(report.to_string().contains("不是本企业的数据"), "{report}");
    let batch = report["batch_id"].as_str().expect("batch id").to_string();
    attempts += 1;
    assert_eq!(
        committee.number(
            &hub,
            &format!(
                "SELECT count(*) FROM production_monthly WHERE uscc = '{b}' AND output_value = 999"
            )
        ),
        0,
        "B's row was not written"
    );
    attempts += 1;
    let response = enterprise
        .client
        .post(hub.url("/api/ingest/service_offerings"))
        .header("content-type", "text/csv")
        .body("offering_id,name\nX1,x\n")
        .send()
        .expect("POST");
    assert_eq!(response.status(), 403);

    // Quarantine and ingest reports: each enterprise sees its own batches only.
    attempts += 1;
    let (status, own_quarantine) = enterprise.get(&hub, "/api/quarantine");
    assert_eq!(status, 200);
    let rows = own_quarantine.as_array().expect("rows");
    assert!(!rows.is_empty() && rows.iter().all(|row| row["batch_id"] == batch.as_str()));
    attempts += 1;
    let (_, others_quarantine) = other.get(&hub, "/api/quarantine");
    assert_eq!(
        others_quarantine,
        json!([]),
        "B sees none of A's rejected rows"
    );
    let (_, committee_quarantine) = committee.get(&hub, "/api/quarantine");
    assert!(!committee_quarantine.as_array().expect("rows").is_empty());
    attempts += 1;
    assert_eq!(enterprise.get(&hub, &format!("/api/ingest/{batch}")).0, 200);
    assert_eq!(other.get(&hub, &format!("/api/ingest/{batch}")).0, 404);
    assert_eq!(committee.get(&hub, &format!("/api/ingest/{batch}")).0, 200);
    attempts += 1;
    assert_eq!(
        other.number(&hub, "SELECT count(*) FROM _quarantine"),
        0,
        "B reads no row of A's quarantine through SQL"
    );
    assert!(enterprise.number(&hub, "SELECT count(*) FROM _ingest_log") >= 1);
    assert_eq!(other.number(&hub, "SELECT count(*) FROM _ingest_log"), 0);

    // Grants: A lets the centre read its energy readings until a day, then revokes it.
    attempts += 1;
    let until = (chrono::Utc::now() + chrono::TimeDelta::days(30))
        .date_naive()
        .to_string();
    let response = enterprise
        .client
        .post(hub.url("/api/grants"))
        .json(&json!({"to": "centre", "tables": ["energy_readings"],
                      "purpose": "能效诊断", "until": until}))
        .send()
        .expect("POST grant");
    assert_eq!(response.status(), 201);
    let grant: Value = response.json().expect("grant");
    let id = grant["id"].as_str().expect("id").to_string();
    assert_eq!(
        centre.rows(&hub, "SELECT DISTINCT uscc FROM energy_readings"),
        vec![json!([a])],
        "the centre reads A's readings, and only A's"
    );
    attempts += 1;
    let response = other
        .client
        .delete(hub.url(&format!("/api/grants/{id}")))
        .send()
        .expect("DELETE");
    assert_eq!(response.status(), 404, "B cannot revoke A's grant");
    let response = other
        .client
        .post(hub.url("/api/grants"))
        .json(&json!({"to": "centre", "tables": ["_audit"], "purpose": "x", "until": until}))
        .send()
        .expect("POST grant");
    assert_eq!(response.status(), 400, "system tables are never granted");
    let response = enterprise
        .client
        .delete(hub.url(&format!("/api/grants/{id}")))
        .send()
        .expect("DELETE");
    assert_eq!(response.status(), 200);
    attempts += 1;
    assert_unknown(
        &centre,
        &hub,
        "SELECT count(*) FROM energy_readings",
        &["_audit"],
    );

    // The admin gives and revokes grants from the command line; the running server applies
    // them at the next request.
    let id = run_ok(
        &dir,
        &[
            "grant",
            "add",
            "--from",
            &b,
            "--to",
            &centre.name,
            "--tables",
            "energy_readings,equipment",
            "--purpose",
            "设备联网诊断",
            "--until",
            &until,
        ],
    )
    .trim()
    .to_string();
    assert!(id.starts_with("g-"), "{id}");
    attempts += 1;
    assert_eq!(
        centre.rows(&hub, "SELECT DISTINCT uscc FROM equipment"),
        vec![json!([b])],
        "the centre's token reads B's equipment under B's grant"
    );
    let listed: Value =
        serde_json::from_str(&run_ok(&dir, &["grant", "list", "--format", "json"])).expect("JSON");
    assert!(listed.to_string().contains(&id), "{listed}");
    let (_, given_to_centre) = centre.get(&hub, "/api/grants");
    assert!(
        given_to_centre.to_string().contains(&id),
        "the grantee sees the grant"
    );
    let (_, seen_by_a) = enterprise.get(&hub, "/api/grants");
    assert!(
        !seen_by_a.to_string().contains(&id),
        "A does not see B's grant: {seen_by_a}"
    );
    run_ok(&dir, &["grant", "revoke", &id]);
    attempts += 1;
    assert_unknown(&centre, &hub, "SELECT count(*) FROM equipment", &["_audit"]);

    // The audit table answers who read energy data: the admin alone reads it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let readers = loop {
        let readers = admin.rows(
            &hub,
            "SELECT principal, count(*) FROM _audit WHERE tables LIKE '%energy_readings%' \
             GROUP BY principal",
        );
        if readers.iter().any(|row| row[0] == enterprise.name.as_str()) || Instant::now() > deadline
        {
            break readers;
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(
        readers.iter().any(|row| row[0] == enterprise.name.as_str()),
        "{readers:?}"
    );
    let filtered = admin.rows(
        &hub,
        &format!(
            "SELECT policies FROM _audit WHERE principal = '{}' AND action = 'sql' \
             AND tables LIKE '%energy_readings%' LIMIT 1",
            enterprise.name
        ),
    );
    assert!(
        filtered[0][0].as_str().unwrap_or_default().contains(&a),
        "the row filter applied is recorded: {filtered:?}"
    );
    // The command line works on the data directory as admin, and is audited as `cli`.
    run_ok(
        &dir,
        &["sql", "SELECT count(*) FROM energy_readings -- audited"],
    );
    let cli_rows = admin.number(
        &hub,
        "SELECT count(*) FROM _audit WHERE interface = 'cli' AND action = 'sql' \
         AND statement LIKE '%-- audited%'",
    );
    assert_eq!(cli_rows, 1, "the CLI's query is a row of _audit");
    assert!(attempts >= 50, "{attempts} attempts");
    drop(hub);
}
