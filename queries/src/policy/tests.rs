//! The adversarial suite of the query layer: enterprise A tries to read B's and C's rows and
//! the tables hidden from it, through every SQL shape; each attempt is paired with the same
//! query by the committee (or the admin, for `_audit`), which gets those rows. Then the
//! centre's tables, and grants.

mod fixture;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::{Error, QueryEngine};
use fixture::{A, B, MARKERS, park};

/// What an answer must be.
enum Expect {
    /// Exactly these rows.
    Rows(Value),
    /// An unknown-table error whose list of tables names no hidden one.
    Unknown,
    /// Rows or an error that contain one of B's, C's or a hidden table's values.
    Reveals,
    /// Rows or an error whose text contains this.
    Contains(&'static str),
    /// Rows or an error whose text does not contain this.
    Lacks(&'static str),
}

/// One attempt by A and what A and the privileged principal get.
struct Case {
    sql: &'static str,
    own: Expect,
    privileged: Expect,
}

fn case(sql: &'static str, own: Expect, privileged: Expect) -> Case {
    Case {
        sql,
        own,
        privileged,
    }
}

/// Tables the enterprise may not know of.
const HIDDEN_FROM_ENTERPRISES: &[&str] = &["park_zones", "_audit"];
/// Tables the centre may not know of.
const HIDDEN_FROM_CENTRE: &[&str] = &[
    "energy_readings",
    "production_monthly",
    "equipment",
    "fund_disbursements",
    "park_zones",
    "_audit",
];

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("day")
}

fn as_role(engine: &QueryEngine, role: Role) -> QueryEngine {
    let principal = Principal::new(format!("{role}-token"), role, None).expect("principal");
    engine.for_principal(Policy::new(principal, &Grants::none(), day("2024-06-01")))
}

fn as_enterprise(engine: &QueryEngine, uscc: &str, grants: &Grants) -> QueryEngine {
    let principal = Principal::enterprise("a-token", uscc);
    engine.for_principal(Policy::new(principal, grants, day("2024-06-01")))
}

/// Runs `sql` and returns its rows, or the error.
async fn answer(engine: &QueryEngine, sql: &str) -> Result<Vec<Vec<Value>>, Error> {
    let batches = engine.query(sql).await?.collect().await?;
    Ok(crate::format::json_rows(&batches, usize::MAX).0)
}

fn text(outcome: &Result<Vec<Vec<Value>>, Error>) -> String {
    match outcome {
        Ok(rows) => Value::from(rows.clone()).to_string(),
        Err(error) => error.to_string(),
    }
}

/// Checks an answer; an unknown-table message must name none of `hidden`.
fn check(outcome: &Result<Vec<Vec<Value>>, Error>, expected: &Expect, hidden: &[&str], what: &str) {
    let shown = text(outcome);
    match expected {
        Expect::Rows(rows) => match outcome {
            Ok(actual) => assert_eq!(&Value::from(actual.clone()), rows, "{what}"),
            Err(error) => panic!("{what}: expected rows, got {error}"),
        },
        Expect::Unknown => match outcome {
            Err(Error::UnknownTable { known, .. }) => {
                for table in hidden {
                    assert!(!known.contains(table), "{what}: lists {table}: {known}");
                }
            }
            other => panic!("{what}: expected an unknown table, got {}", text(other)),
        },
        Expect::Reveals => assert!(
            MARKERS.iter().any(|marker| shown.contains(marker)),
            "{what}: reveals nothing: {shown}"
        ),
        Expect::Contains(needle) => assert!(shown.contains(needle), "{what}: {shown}"),
        Expect::Lacks(needle) => assert!(!shown.contains(needle), "{what}: {shown}"),
    }
}

/// Runs each case as `own` and as `privileged`; the answer to `own` must contain no marker
/// and its unknown-table messages must name none of `hidden`.
async fn run_cases(own: &QueryEngine, hidden: &[&str], privileged: &QueryEngine, cases: &[Case]) {
    for case in cases {
        let outcome = answer(own, case.sql).await;
        let shown = text(&outcome);
        for marker in MARKERS {
            assert!(
                !shown.contains(marker),
                "{}: leaked {marker}: {shown}",
                case.sql
            );
        }
        check(&outcome, &case.own, hidden, &format!("own: {}", case.sql));
        let outcome = answer(privileged, case.sql).await;
        check(
            &outcome,
            &case.privileged,
            &[],
            &format!("privileged: {}", case.sql),
        );
    }
}

#[tokio::test]
async fn an_enterprise_reads_only_its_own_rows_whatever_the_sql() {
    use Expect::{Contains, Lacks, Reveals, Rows, Unknown};
    let park = park().await;
    let own = as_enterprise(&park.engine, A, &Grants::none());
    let committee = as_role(&park.engine, Role::Committee);
    let cases = [
        case(
            "SELECT uscc, tce FROM energy_readings ORDER BY tce",
            Rows(json!([[A, 10.0], [A, 12.0]])),
            Reveals,
        ),
        case(
            "SELECT * FROM energy_readings WHERE uscc = '91110000710926094P'",
            Rows(json!([])),
            Reveals,
        ),
        case(
            "SELECT meter_id FROM parkhub.lake.energy_readings WHERE uscc <> '91110000600037341L'",
            Rows(json!([])),
            Reveals,
        ),
        case(
            "SELECT count(*) FROM energy_readings",
            Rows(json!([[2]])),
            Rows(json!([[4]])),
        ),
        case(
            "SELECT sum(tce) FROM energy_readings",
            Rows(json!([[22.0]])),
            Rows(json!([[800.0]])),
        ),
        case(
            "SELECT e.name, r.tce FROM enterprises e JOIN energy_readings r ON e.uscc = r.uscc ORDER BY r.tce",
            Rows(json!([["甲机械", 10.0], ["甲机械", 12.0]])),
            Reveals,
        ),
        case(
            "SELECT e.name, r.meter_id FROM energy_readings r RIGHT JOIN enterprises e ON e.uscc = r.uscc ORDER BY 1, 2",
            Rows(json!([["甲机械", "A-E1"], ["甲机械", "A-E1"]])),
            Reveals,
        ),
        case(
            "SELECT p.uscc, r.meter_id FROM production_monthly p FULL JOIN energy_readings r ON p.uscc = r.uscc ORDER BY 2",
            Rows(json!([[A, "A-E1"], [A, "A-E1"]])),
            Reveals,
        ),
        case(
            "SELECT count(*) FROM enterprises, energy_readings",
            Rows(json!([[2]])),
            Rows(json!([[12]])),
        ),
        case(
            "SELECT name FROM enterprises WHERE uscc IN (SELECT uscc FROM energy_readings WHERE tce > 100)",
            Rows(json!([])),
            Reveals,
        ),
        case(
            "SELECT (SELECT max(tce) FROM energy_readings) AS top",
            Rows(json!([[12.0]])),
            Rows(json!([[444.75]])),
        ),
        case(
            "SELECT uscc FROM enterprises e WHERE EXISTS (SELECT 1 FROM production_monthly p WHERE p.uscc = e.uscc AND p.output_value > 200)",
            Rows(json!([])),
            Reveals,
        ),
        case(
            "WITH x AS (SELECT * FROM energy_readings) SELECT uscc, sum(tce) FROM x GROUP BY uscc",
            Rows(json!([[A, 22.0]])),
            Reveals,
        ),
        case(
            "WITH energy_readings AS (SELECT * FROM parkhub.lake.energy_readings) SELECT count(*) FROM energy_readings",
            Rows(json!([[2]])),
            Rows(json!([[4]])),
        ),
        case(
            "SELECT uscc FROM energy_readings UNION SELECT uscc FROM production_monthly",
            Rows(json!([[A]])),
            Reveals,
        ),
        case(
            "SELECT name FROM enterprises UNION ALL SELECT zone FROM park_zones",
            Unknown,
            Reveals,
        ),
        case(
            "SELECT tce, sum(tce) OVER () AS total, count(*) OVER () AS n FROM energy_readings ORDER BY tce",
            Rows(json!([[10.0, 22.0, 2], [12.0, 22.0, 2]])),
            Reveals,
        ),
        case(
            "SELECT uscc, rank() OVER (ORDER BY output_value DESC) AS r FROM production_monthly",
            Rows(json!([[A, 1]])),
            Reveals,
        ),
        case(
            "SELECT lag(tce) OVER (ORDER BY ts), lead(meter_id) OVER (ORDER BY ts) FROM energy_readings ORDER BY ts",
            Rows(json!([[null, "A-E1"], [10.0, null]])),
            Reveals,
        ),
        case(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lake' ORDER BY 1",
            Rows(json!([
                ["energy_readings"],
                ["enterprise_needs"],
                ["enterprises"],
                ["equipment"],
                ["fund_disbursements"],
                ["production_monthly"],
                ["service_providers"],
                ["transformation_projects"]
            ])),
            Contains("park_zones"),
        ),
        case(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'park_zones'",
            Rows(json!([])),
            Contains("area_mu"),
        ),
        case("SHOW TABLES", Lacks("park_zones"), Contains("park_zones")),
        case("SHOW COLUMNS FROM park_zones", Unknown, Contains("area_mu")),
        case("DESCRIBE park_zones", Unknown, Contains("area_mu")),
        case(
            "EXPLAIN SELECT * FROM park_zones",
            Unknown,
            Contains("park_zones"),
        ),
        case(
            "EXPLAIN SELECT meter_id FROM energy_readings",
            Contains("PolicyBoundaryExec"),
            Lacks("PolicyBoundaryExec"),
        ),
        case("SELECT * FROM park_zone", Unknown, Contains("park_zones")),
        case(
            "SELECT name FROM enterprises WHERE (SELECT count(*) FROM park_zones) > 0",
            Unknown,
            Reveals,
        ),
        case(
            "SELECT count(*) FROM generate_series(1, 3) g, energy_readings e",
            Rows(json!([[6]])),
            Rows(json!([[12]])),
        ),
        case(
            "SELECT e.meter_id FROM range(2) r JOIN energy_readings e ON r.value = 0 ORDER BY 1",
            Rows(json!([["A-E1"], ["A-E1"]])),
            Reveals,
        ),
        case(
            // A failing cast names its value: the user's filter must never see B's row.
            "SELECT uscc FROM enterprises WHERE CAST(CASE WHEN uscc = '91110000710926094P' THEN name ELSE '1' END AS INT) = 1",
            Rows(json!([[A]])),
            Reveals,
        ),
        case(
            "SELECT sum(amount) FROM fund_disbursements",
            Rows(json!([[50.0]])),
            Rows(json!([[827.5]])),
        ),
        case(
            "SELECT d.disbursement_id, p.name FROM fund_disbursements d JOIN transformation_projects p USING (project_id)",
            Rows(json!([["DA", "MES"]])),
            Reveals,
        ),
        case(
            "SELECT batch_id FROM _quarantine",
            Rows(json!([["batch-A"]])),
            Reveals,
        ),
        case(
            "SELECT count(*) FROM _ingest_log",
            Rows(json!([[0]])),
            Rows(json!([[1]])),
        ),
        case(
            "SELECT uscc, energy_tce FROM ind_top_energy_consumers",
            Rows(json!([[A, 22.0]])),
            Reveals,
        ),
        case(
            "SELECT uscc FROM energy_readings LIMIT 10",
            Rows(json!([[A], [A]])),
            Reveals,
        ),
        case(
            "SELECT meter_id FROM energy_readings ORDER BY tce DESC LIMIT 1",
            Rows(json!([["A-E1"]])),
            Reveals,
        ),
        case(
            "SELECT uscc, count(*) FROM energy_readings GROUP BY uscc HAVING count(*) >= 1",
            Rows(json!([[A, 2]])),
            Reveals,
        ),
        case(
            "SELECT DISTINCT equipment_id FROM equipment ORDER BY 1",
            Rows(json!([["A-1"]])),
            Reveals,
        ),
        case(
            "SELECT meter_id FROM energy_readings WHERE tce > 300",
            Rows(json!([])),
            Reveals,
        ),
        case(
            "SELECT meter_id FROM energy_readings WHERE uscc = '91440300568520498A' OR tce > 0 ORDER BY ts",
            Rows(json!([["A-E1"], ["A-E1"]])),
            Reveals,
        ),
        case(
            "SELECT title FROM enterprise_needs",
            Rows(json!([["设备联网"]])),
            Reveals,
        ),
        case(
            "SELECT count(*) FROM (SELECT uscc FROM energy_readings UNION ALL SELECT uscc FROM equipment) t",
            Rows(json!([[3]])),
            Rows(json!([[6]])),
        ),
        case(
            "SELECT name FROM service_providers",
            Rows(json!([["数智科技"]])),
            Rows(json!([["数智科技"]])),
        ),
    ];
    assert!(cases.len() >= 40);
    run_cases(&own, HIDDEN_FROM_ENTERPRISES, &committee, &cases).await;

    let admin = as_role(&park.engine, Role::Admin);
    let audit_cases = [
        case("SELECT * FROM _audit", Unknown, Reveals),
        case(
            "SELECT count(*) FROM parkhub.lake._audit",
            Unknown,
            Rows(json!([[1]])),
        ),
        case(
            "SELECT name FROM enterprises WHERE uscc IN (SELECT who FROM _audit)",
            Unknown,
            Rows(json!([])),
        ),
    ];
    run_cases(&own, HIDDEN_FROM_ENTERPRISES, &admin, &audit_cases).await;
    run_cases(&committee, &["_audit"], &admin, &audit_cases).await;
}

#[tokio::test]
async fn table_lists_and_unknown_table_messages_name_only_readable_tables() {
    let park = park().await;
    let own = as_enterprise(&park.engine, A, &Grants::none());
    let tables = own.tables().await.expect("tables");
    let listed: Vec<(String, u64)> = tables
        .iter()
        .map(|table| (table.name.clone(), table.row_count))
        .collect();
    assert_eq!(
        listed,
        [
            ("energy_readings", 2),
            ("enterprise_needs", 1),
            ("enterprises", 1),
            ("equipment", 1),
            ("fund_disbursements", 1),
            ("production_monthly", 1),
            ("service_providers", 1),
            ("transformation_projects", 1),
        ]
        .map(|(name, rows)| (name.to_string(), rows))
    );
    let message = own
        .plan("SELECT * FROM park_zones")
        .await
        .expect_err("hidden")
        .to_string();
    assert_eq!(
        message,
        "unknown table 'park_zones'; the tables are: energy_readings, enterprise_needs, enterprises, equipment, fund_disbursements, production_monthly, service_providers, transformation_projects"
    );
    let all = park.engine.tables().await.expect("tables");
    assert!(all.iter().any(|table| table.name == "park_zones"));
    assert_eq!(
        all.iter()
            .find(|table| table.name == "energy_readings")
            .map(|table| table.row_count),
        Some(4)
    );
}

#[tokio::test]
async fn the_centre_reads_profiles_and_projects_but_not_production_energy_or_funds() {
    use Expect::{Reveals, Rows, Unknown};
    let park = park().await;
    let centre = as_role(&park.engine, Role::Centre);
    let committee = as_role(&park.engine, Role::Committee);
    let cases = [
        case("SELECT * FROM energy_readings", Unknown, Reveals),
        case(
            "SELECT count(*) FROM production_monthly",
            Unknown,
            Rows(json!([[3]])),
        ),
        case("SELECT * FROM equipment", Unknown, Reveals),
        case("SELECT * FROM fund_disbursements", Unknown, Reveals),
        case("SELECT * FROM _quarantine", Unknown, Reveals),
        case("SELECT * FROM ind_top_energy_consumers", Unknown, Reveals),
    ];
    run_cases(&centre, HIDDEN_FROM_CENTRE, &committee, &cases).await;
    let names = answer(&centre, "SELECT name FROM enterprises ORDER BY 1")
        .await
        .expect("enterprises");
    assert_eq!(
        Value::from(names),
        json!([["丙钢铁"], ["乙机械"], ["甲机械"]])
    );
    let projects = answer(
        &centre,
        "SELECT project_id FROM transformation_projects ORDER BY 1",
    )
    .await
    .expect("projects");
    assert_eq!(Value::from(projects), json!([["PA"], ["PB"]]));
}

#[tokio::test]
async fn grants_add_the_grantors_rows_until_their_last_day() {
    let park = park().await;
    let grants = Grants(vec![
        Grant {
            id: "g1".into(),
            grantor_uscc: B.into(),
            to: GrantTarget::Role(Role::Centre),
            tables: vec!["energy_readings".into()],
            purpose: "节能诊断".into(),
            until: day("2024-06-30"),
        },
        Grant {
            id: "g2".into(),
            grantor_uscc: B.into(),
            to: GrantTarget::Token("a-token".into()),
            tables: vec!["production_monthly".into()],
            purpose: "供应链金融".into(),
            until: day("2024-06-30"),
        },
    ]);
    let centre = Principal::new("centre-token", Role::Centre, None).expect("centre");
    let sql = "SELECT meter_id, tce FROM energy_readings";
    let on = |today: &str, grants: &Grants| {
        park.engine
            .for_principal(Policy::new(centre.clone(), grants, day(today)))
    };
    let granted = answer(&on("2024-06-30", &grants), sql)
        .await
        .expect("granted");
    assert_eq!(Value::from(granted), json!([["B-E1", 333.25]]));
    for engine in [on("2024-07-01", &grants), on("2024-06-01", &Grants::none())] {
        assert!(matches!(
            answer(&engine, sql).await,
            Err(Error::UnknownTable { .. })
        ));
    }
    let by_token = as_enterprise(&park.engine, A, &grants);
    let production = answer(
        &by_token,
        "SELECT uscc, output_value FROM production_monthly ORDER BY uscc",
    )
    .await
    .expect("production");
    assert_eq!(Value::from(production), json!([[A, 100.0], [B, 777.5]]));
    let energy = answer(&by_token, "SELECT DISTINCT uscc FROM energy_readings")
        .await
        .expect("energy");
    assert_eq!(Value::from(energy), json!([[A]]));
}
