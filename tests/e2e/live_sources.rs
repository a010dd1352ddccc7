//! Live sources through the binary: `parkhub sync`, `parkhub sources`, `serve`'s schedule and
//! `/api/sources`, against real PostgreSQL, MariaDB and Mosquitto servers on loopback
//! ([`crate::servers`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::ingest::uscc;
use crate::servers::{DatabaseServer, MariaDbServer, MosquittoServer, PostgresServer};
use crate::support::{TestHub, fresh_dir, http_with_token, parkhub, sql_count};

/// The environment variable the tests' sources read their password from.
const PASSWORD_ENV: &str = "PARKHUB_TEST_SOURCE_PASSWORD";

/// Writes `parkhub.toml` with `sources` (TOML `[[sources]]` tables) into `dir`.
fn write_config(dir: &Path, sources: &str) -> PathBuf {
    let path = dir.join("parkhub.toml");
    std::fs::write(&path, sources).expect("write parkhub.toml");
    path
}

/// A `parkhub` command on `data_dir` with `config` and the source password in the environment.
fn hub_command(data_dir: &Path, config: &Path, password: &str) -> Command {
    let mut command = parkhub(data_dir);
    command
        .arg("--config")
        .arg(config)
        .env(PASSWORD_ENV, password);
    command
}

/// Runs `parkhub sync NAME --report json` and returns the report (the exit code is checked by
/// the caller through `status`).
fn sync(data_dir: &Path, config: &Path, password: &str, name: &str) -> (Output, Value) {
    let output = hub_command(data_dir, config, password)
        .args(["sync", name, "--report", "json"])
        .output()
        .expect("parkhub sync runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (output, report)
}

/// Runs a sync that must succeed and returns its report.
fn sync_ok(data_dir: &Path, config: &Path, password: &str, name: &str) -> Value {
    let (output, report) = sync(data_dir, config, password, name);
    assert!(
        output.status.success() && report["status"] != "failed",
        "parkhub sync {name} failed ({}):\n{report}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    report
}

/// Rows of a lake table (0 before it exists).
fn rows_in(data_dir: &Path, table: &str) -> i64 {
    if !data_dir.join("lake").join(table).exists() {
        return 0;
    }
    sql_count(data_dir, &format!("SELECT count(*) FROM {table}"))
}

/// `parkhub sources --format json`.
fn statuses(data_dir: &Path, config: &Path) -> Vec<Value> {
    let output = hub_command(data_dir, config, "")
        .args(["sources", "--format", "json"])
        .output()
        .expect("parkhub sources runs");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "parkhub sources: not JSON ({error}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The USCC of test enterprise `n`.
fn enterprise(n: usize) -> String {
    uscc(&format!("9132050{n:010}"))
}

fn postgres_source(server: &PostgresServer, name: &str, table: &str, extra: &str) -> String {
    format!(
        "[[sources]]\nname = \"{name}\"\nkind = \"postgres\"\nurl = \"{}\"\npassword_env = \"{PASSWORD_ENV}\"\ntable = \"{table}\"\n{extra}\n",
        server.url_without_password()
    )
}

#[test]
fn postgres_syncs_incrementally_exactly_once_with_late_rows_and_bad_rows() {
    let server = PostgresServer::start();
    let dir = fresh_dir("live-postgres");
    // Chinese column names and a unit in yuan, as an ERP names them: the contract maps them.
    server.execute(
        "CREATE TABLE monthly (uscc text, period date, output numeric, updated_at timestamptz);",
    );
    let mut inserts = String::new();
    for n in 0..10 {
        for month in 1..=10 {
            inserts.push_str(&format!(
                "INSERT INTO monthly VALUES ('{}', '2026-{month:02}-01', {}, '2026-11-01 00:00:00+00'::timestamptz + interval '{month} minutes');\n",
                enterprise(n),
                (n * 100 + month) * 10_000
            ));
        }
    }
    server.execute(&inserts);
    let config = write_config(
        &dir,
        &postgres_source(
            &server,
            "erp",
            "production_monthly",
            "query = \"SELECT uscc AS \\\"统一社会信用代码\\\", period AS \\\"统计期\\\", output AS \\\"工业总产值（元）\\\", updated_at FROM monthly\"\ncursor = \"updated_at\"",
        ),
    );
    let data = dir.join("data");
    let password = server.password().to_string();

    let first = sync_ok(&data, &config, &password, "erp");
    assert_eq!(first["rows_written"], 100, "{first}");
    assert_eq!(rows_in(&data, "production_monthly"), 100);
    // 元 became 万元 as in a file.
    assert_eq!(
        sql_count(
            &data,
            &format!(
                "SELECT CAST(output_value AS BIGINT) FROM production_monthly WHERE uscc = '{}' AND period = DATE '2026-03-01'",
                enterprise(2)
            )
        ),
        203
    );

    let again = sync_ok(&data, &config, &password, "erp");
    assert_eq!(again["rows_written"], 0, "nothing new: {again}");
    assert_eq!(rows_in(&data, "production_monthly"), 100);

    // Updates and inserts, all at one later cursor value.
    server.execute(&format!(
        "UPDATE monthly SET output = 1, updated_at = '2026-11-02 00:00:00+00' WHERE uscc = '{}' AND period <= '2026-05-01';
         INSERT INTO monthly SELECT uscc, '2026-11-01', 5, '2026-11-02 00:00:00+00' FROM monthly WHERE period = '2026-01-01';",
        enterprise(0)
    ));
    let incremental = sync_ok(&data, &config, &password, "erp");
    assert_eq!(incremental["rows_written"], 15, "{incremental}");
    assert_eq!(rows_in(&data, "production_monthly"), 110);
    assert_eq!(
        sql_count(
            &data,
            &format!(
                "SELECT count(*) FROM production_monthly WHERE uscc = '{}' AND output_value < 0.0002",
                enterprise(0)
            )
        ),
        5,
        "the updated rows replaced the old ones"
    );

    // Rows that arrive late with the cursor value of the last sync are read; the 15 rows
    // already written at that value are not written again.
    server.execute(&format!(
        "INSERT INTO monthly VALUES ('{}', '2026-11-01', 7, '2026-11-02 00:00:00+00'), ('{}', '2026-11-01', 7, '2026-11-02 00:00:00+00');",
        enterprise(10),
        enterprise(11)
    ));
    let late = sync_ok(&data, &config, &password, "erp");
    assert_eq!(late["rows_written"], 2, "only the late rows: {late}");
    assert_eq!(rows_in(&data, "production_monthly"), 112);

    // Bad rows go to quarantine (a wrong check character, a missing month); the good one lands.
    server.execute(&format!(
        "INSERT INTO monthly VALUES ('91320500BADCODE01', '2026-11-01', 1, '2026-11-03 00:00:00+00'), ('{}', NULL, 1, '2026-11-03 00:00:00+00'), ('{}', '2026-11-01', 3, '2026-11-03 00:00:00+00');",
        enterprise(12),
        enterprise(13)
    ));
    let mixed = sync_ok(&data, &config, &password, "erp");
    assert_eq!(mixed["rows_written"], 1, "{mixed}");
    assert_eq!(mixed["rows_rejected"], 2, "{mixed}");
    assert_eq!(rows_in(&data, "production_monthly"), 113);
    assert_eq!(
        sql_count(
            &data,
            "SELECT count(*) FROM _quarantine WHERE table_name = 'production_monthly' AND source = 'erp'"
        ),
        2
    );

    // A sync stopped after its data commit and before the state copy: the next one takes the
    // state from the commit and writes nothing twice.
    std::fs::remove_dir_all(data.join("lake").join("_source_state")).expect("remove the copy");
    let recovered = sync_ok(&data, &config, &password, "erp");
    assert_eq!(recovered["rows_written"], 0, "{recovered}");
    assert_eq!(rows_in(&data, "production_monthly"), 113);

    let listed = statuses(&data, &config);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let status = &listed[0];
    assert_eq!(status["name"], "erp");
    assert_eq!(status["kind"], "postgres");
    assert_eq!(status["state"], "idle");
    assert_eq!(status["rows_written"], 118, "100 + 15 + 2 + 1: {status}");
    assert_eq!(status["rows_rejected"], 2);
    assert_eq!(status["seq"], 4, "four syncs wrote rows: {status}");
    assert!(
        status["last_cursor"]
            .as_str()
            .is_some_and(|cursor| cursor.starts_with("2026-11-03 00:00:00")),
        "{status}"
    );
    // Every sync is a row of the ingest log under the source's name.
    assert_eq!(
        sql_count(
            &data,
            "SELECT count(*) FROM _ingest_log WHERE source = 'erp'"
        ),
        6
    );
}

#[test]
fn a_sync_killed_or_losing_its_server_writes_nothing_and_the_next_one_completes() {
    let mut server = PostgresServer::start();
    let dir = fresh_dir("live-postgres-kill");
    let meter_rows = |from: usize, to: usize| {
        format!(
            "INSERT INTO readings SELECT '{}', 'M' || (i % 50), '2026-10-01 00:00:00+08'::timestamptz + i * interval '1 minute', 'electricity', i % 97, 'kWh', i FROM generate_series({from}, {to}) AS i;",
            enterprise(1)
        )
    };
    server.execute(
        "CREATE TABLE readings (uscc text, meter_id text, ts timestamptz, energy_type text, value float8, unit text, id bigint);",
    );
    server.execute(&meter_rows(1, 150_000));
    let config = write_config(
        &dir,
        &postgres_source(
            &server,
            "meters",
            "energy_readings",
            "from = \"readings\"\ncursor = \"id\"",
        ),
    );
    let data = dir.join("data");
    let password = server.password().to_string();

    // SIGKILL mid-way: whether or not its commit had landed, the next sync leaves every row
    // exactly once (the table is append-only: a row written twice would show).
    let mut child = hub_command(&data, &config, &password)
        .args(["sync", "meters"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("parkhub sync starts");
    std::thread::sleep(Duration::from_millis(1500));
    let _ = child.kill();
    let _ = child.wait();
    let after_kill = rows_in(&data, "energy_readings");
    assert!(
        after_kill == 0 || after_kill == 150_000,
        "all or nothing: {after_kill}"
    );
    sync_ok(&data, &config, &password, "meters");
    assert_eq!(rows_in(&data, "energy_readings"), 150_000);

    // The server goes away mid-sync: a clear failure naming the source, nothing written.
    server.execute(&meter_rows(150_001, 300_000));
    let child = hub_command(&data, &config, &password)
        .args(["sync", "meters", "--report", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("parkhub sync starts");
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    let output = child.wait_with_output().expect("parkhub sync ends");
    let rows = rows_in(&data, "energy_readings");
    if rows == 150_000 {
        assert!(!output.status.success(), "a failed sync exits non-zero");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        let said = format!("{report}{}", String::from_utf8_lossy(&output.stderr));
        assert!(said.contains("source 'meters'"), "{said}");
        assert!(!said.contains(&password), "no password in {said}");
    } else {
        // The sync was quicker than the kill: all of it landed.
        assert_eq!(rows, 300_000);
    }
    let listed = statuses(&data, &config);
    if rows == 150_000 {
        assert_eq!(listed[0]["state"], "failing", "{listed:?}");
        assert!(
            listed[0]["last_error"]
                .as_str()
                .is_some_and(|error| error.contains("127.0.0.1"))
        );
    }
    server.restart();
    sync_ok(&data, &config, &password, "meters");
    assert_eq!(rows_in(&data, "energy_readings"), 300_000);
    assert_eq!(
        sql_count(&data, "SELECT count(DISTINCT ts) FROM energy_readings"),
        300_000
    );
    assert_eq!(statuses(&data, &config)[0]["state"], "idle");
}

#[test]
fn mariadb_syncs_by_an_integer_cursor_and_a_wrong_password_is_a_clear_error() {
    let server = MariaDbServer::start();
    let dir = fresh_dir("live-mariadb");
    server.execute(
        "CREATE TABLE firms (id INT PRIMARY KEY, code VARCHAR(18), name VARCHAR(100), industry VARCHAR(10), zone VARCHAR(20), changed DATETIME);",
    );
    let firm = |id: usize| {
        format!(
            "({id}, '{}', '测试企业{id}', 'C3311', '东区', '2026-11-01 08:00:00')",
            enterprise(100 + id)
        )
    };
    let first: Vec<String> = (1..=12).map(firm).collect();
    server.execute(&format!("INSERT INTO firms VALUES {};", first.join(",")));
    let config = write_config(
        &dir,
        &format!(
            "[[sources]]\nname = \"registry\"\nkind = \"mysql\"\nurl = \"{}\"\npassword_env = \"{PASSWORD_ENV}\"\ntable = \"enterprises\"\nquery = \"SELECT id, code AS uscc, name, industry AS industry_code, zone FROM firms\"\ncursor = \"id\"\n",
            server.url_without_password()
        ),
    );
    let data = dir.join("data");
    let password = server.password().to_string();
    let report = sync_ok(&data, &config, &password, "registry");
    assert_eq!(report["rows_written"], 12, "{report}");
    // 12 sorts after 9 as a number: ids 13 and 14 are new, not 10 and 11 again.
    let more: Vec<String> = (13..=14).map(firm).collect();
    server.execute(&format!("INSERT INTO firms VALUES {};", more.join(",")));
    let report = sync_ok(&data, &config, &password, "registry");
    assert_eq!(report["rows_written"], 2, "{report}");
    assert_eq!(rows_in(&data, "enterprises"), 14);
    // The key industry follows from the industry code, as in a file.
    assert_eq!(
        sql_count(
            &data,
            "SELECT count(*) FROM enterprises WHERE key_industry IS NOT NULL"
        ),
        14
    );

    let (output, report) = sync(&data, &config, "not-the-password", "registry");
    assert!(!output.status.success());
    let said = format!("{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        said.contains("source 'registry'") && said.contains("connecting to 127.0.0.1"),
        "{said}"
    );
    assert!(
        !said.contains("not-the-password") && !said.contains(&password),
        "{said}"
    );
}

#[test]
fn bad_sources_are_named_and_the_good_ones_still_run() {
    let dir = fresh_dir("live-bad-sources");
    let config = write_config(
        &dir,
        "[[sources]]\nname = \"erp\"\nkind = \"oracle\"\nurl = \"oracle://127.0.0.1/x\"\ntable = \"enterprises\"\n\n\
         [[sources]]\nname = \"meters\"\nkind = \"postgres\"\nurl = \"postgres://u@127.0.0.1:1/x\"\ntable = \"energy_readings\"\nfrom = \"r\"\ncursor = \"id\"\n",
    );
    let data = dir.join("data");
    let output = hub_command(&data, &config, "")
        .args(["sources"])
        .output()
        .expect("parkhub sources runs");
    assert!(!output.status.success(), "a bad source is an error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("source 'erp': unknown kind 'oracle'"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("meters") && stdout.contains("erp"),
        "{stdout}"
    );
    // The good source runs: its server is not there, which it says.
    let (output, report) = sync(&data, &config, "", "meters");
    assert!(!output.status.success());
    assert_eq!(report["status"], "failed");
    let error = report["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("source 'meters': connecting to 127.0.0.1:1"),
        "{error}"
    );
    let (output, _) = sync(&data, &config, "", "nope");
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("unknown source 'nope'; the sources are: meters, erp"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn serve_syncs_on_schedule_and_mqtt_telemetry_lands_exactly_once_across_a_crash() {
    let server = PostgresServer::start();
    let broker = MosquittoServer::start();
    let dir = fresh_dir("live-serve");
    server
        .execute("CREATE TABLE firms (uscc text, name text, industry_code text, updated bigint);");
    server.execute(&format!(
        "INSERT INTO firms VALUES ('{}', '一号企业', 'C3311', 1);",
        enterprise(500)
    ));
    let topic = "park/+/meter/#";
    let config = write_config(
        &dir,
        &format!(
            "{}\n[[sources]]\nname = \"telemetry\"\nkind = \"mqtt\"\nurl = \"mqtt://127.0.0.1:{}\"\ntable = \"energy_readings\"\ntopic = \"{topic}\"\nqos = 1\nbatch_rows = 500\nbatch_seconds = 0.5\nfields = {{ kwh = \"value\", \"reading.at\" = \"ts\" }}\ntopic_levels = {{ uscc = 2, meter_id = 4 }}\n",
            postgres_source(
                &server,
                "registry",
                "enterprises",
                "from = \"firms\"\ncursor = \"updated\"\nevery = \"1s\""
            ),
            broker.port()
        ),
    );
    let data = dir.join("data");
    let password = server.password().to_string();
    let start = || TestHub::start_command(hub_command(&data, &config, &password), &[]);
    let hub = start();
    let hub_token = hub.token.clone();
    wait_until("the scheduled sync", || rows_in(&data, "enterprises") == 1);
    server.execute(&format!(
        "INSERT INTO firms VALUES ('{}', '二号企业', 'C3311', 2);",
        enterprise(501)
    ));
    wait_until("the next scheduled sync", || {
        rows_in(&data, "enterprises") == 2
    });

    // The API: the sources at a glance, a sync now, admin only.
    let sources: Vec<Value> = hub
        .http()
        .get(hub.url("/api/sources"))
        .send()
        .and_then(|response| response.json())
        .expect("GET /api/sources");
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_eq!(sources[0]["name"], "registry");
    assert_eq!(sources[0]["every"], "1s");
    assert_eq!(sources[1]["every"], "continuous");
    let synced = hub
        .http()
        .post(hub.url("/api/sources/registry/sync"))
        .send()
        .expect("POST sync");
    assert!(
        synced.status() == 200 || synced.status() == 409,
        "{}",
        synced.status()
    );
    let unknown = hub
        .http()
        .post(hub.url("/api/sources/nope/sync"))
        .send()
        .expect("POST sync");
    assert_eq!(unknown.status(), 404);
    let mqtt = hub
        .http()
        .post(hub.url("/api/sources/telemetry/sync"))
        .send()
        .expect("POST sync");
    assert_eq!(mqtt.status(), 422);
    let committee = crate::support::create_token(
        &data,
        &crate::support::unique_token_name("c"),
        "committee",
        &[],
    );
    let refused = http_with_token(&committee)
        .get(hub.url("/api/sources"))
        .send()
        .expect("GET /api/sources");
    assert_eq!(refused.status(), 403);

    // 10,000 readings at QoS 1; the hub is killed while they arrive and started again.
    // Each reading its own second (Unix seconds), so that a doubled one would show.
    let payload = |n: usize| {
        format!(
            "{{\"kwh\": {}, \"reading\": {{\"at\": {}}}, \"energy_type\": \"电\", \"unit\": \"kWh\"}}",
            n % 100,
            1_780_000_000 + n
        )
    };
    let readings = |meter: usize, from: usize, to: usize| -> Vec<String> {
        (from..to).map(|n| payload(meter * 100_000 + n)).collect()
    };
    let meter_topic = |meter: usize| format!("park/{}/meter/M{meter}", enterprise(600));
    // Distinct readings: each meter's minute is its own, so a doubled one would show.
    let per_meter = 2500;
    for meter in 0..2 {
        broker.publish_lines(&meter_topic(meter), &readings(meter, 0, per_meter / 2), 1);
    }
    std::thread::sleep(Duration::from_millis(800));
    let killed = hub.kill();
    let before_restart = rows_in(&data, "energy_readings");
    for meter in 0..2 {
        broker.publish_lines(
            &meter_topic(meter),
            &readings(meter, per_meter / 2, per_meter),
            1,
        );
    }
    for meter in 2..4 {
        broker.publish_lines(&meter_topic(meter), &readings(meter, 0, per_meter), 1);
    }
    broker.publish(
        &format!("park/{}/meter/M9", enterprise(600)),
        "not json {",
        1,
    );
    let started = Instant::now();
    let hub = start();
    wait_until("every reading", || {
        let rows = rows_in(&data, "energy_readings");
        eprintln!("energy_readings: {rows}");
        rows >= 10_000
    });
    let seconds = started.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        rows_in(&data, "energy_readings"),
        10_000,
        "every message exactly once"
    );
    assert_eq!(
        sql_count(
            &data,
            "SELECT count(DISTINCT meter_id || '/' || CAST(ts AS VARCHAR)) FROM energy_readings"
        ),
        10_000
    );
    eprintln!(
        "mqtt: {} rows before the kill ({killed}), {:.0} messages/s after the restart (debug build)",
        before_restart,
        (10_000 - before_restart) as f64 / seconds
    );
    // The malformed payload is in quarantine with its topic and why.
    let quarantined = crate::support::sql_json(
        &data,
        "SELECT record, reasons FROM _quarantine WHERE table_name = 'energy_readings' AND source = 'telemetry'",
    );
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    let record = quarantined[0]["record"].as_str().unwrap_or_default();
    assert!(
        record.contains("/meter/M9") && record.contains("not json {"),
        "{record}"
    );
    assert!(
        quarantined[0]["reasons"]
            .as_str()
            .is_some_and(|reason| reason.contains("not JSON")),
        "{quarantined:?}"
    );
    let sources: Vec<Value> = http_with_token(&hub_token)
        .get(hub.url("/api/sources"))
        .send()
        .and_then(|response| response.json())
        .expect("GET /api/sources");
    assert_eq!(sources[1]["rows_written"], 10_000, "{sources:?}");
    assert_eq!(sources[1]["rows_rejected"], 1, "{sources:?}");
}

/// Waits up to two minutes for `done`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within 120 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}
