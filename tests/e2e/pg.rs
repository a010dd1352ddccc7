//! The Postgres wire protocol of `parkhub serve --pg`: a real client (tokio-postgres, simple
//! and extended protocols) and psql, against the shared demo park.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::support::{DEMO_ENTERPRISES, TestHub, demo_dir, fresh_dir, sql_json};

/// A free loopback port: bound to port 0, then released for the server to take.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("local address")
        .port()
}

/// `parkhub serve --pg 127.0.0.1:PORT` over `data_dir`, and the port.
fn start(data_dir: &Path, extra_args: &[&str]) -> (TestHub, u16) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["--pg", listen.as_str()];
    args.extend_from_slice(extra_args);
    (TestHub::start(data_dir, &args), port)
}

/// Runs `test` with a client connected to the wire server on `port`, on a runtime of its own.
fn with_client<F, Fut>(port: u16, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let client = connect(port).await;
        tokio::time::timeout(Duration::from_secs(240), test(client))
            .await
            .expect("the Postgres wire test finished in time");
    });
}

/// A client connected as user `parkhub` (no password); its connection is driven by a task
/// that ends when the client is dropped.
async fn connect(port: u16) -> Client {
    let (client, connection) = tokio::time::timeout(
        Duration::from_secs(60),
        tokio_postgres::connect(
            &format!("host=127.0.0.1 port={port} user=parkhub dbname=parkhub"),
            tokio_postgres::NoTls,
        ),
    )
    .await
    .expect("connected in time")
    .expect("connect over the Postgres wire protocol");
    // The task is detached on purpose: the connection ends when the client is dropped.
    drop(tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("Postgres wire connection: {error}");
        }
    }));
    client
}

/// The text rows of a simple-protocol query.
async fn simple_rows(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    client
        .simple_query(sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error:?}"))
        .into_iter()
        .filter_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|index| row.get(index).map(str::to_string))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// The server's message for a statement that must fail, from the simple protocol.
async fn simple_error(client: &Client, sql: &str) -> String {
    let error = client
        .simple_query(sql)
        .await
        .err()
        .unwrap_or_else(|| panic!("{sql} was accepted"));
    let database_error = error
        .as_db_error()
        .unwrap_or_else(|| panic!("{sql}: not a server error: {error:?}"));
    database_error.message().to_string()
}

/// The same from the extended protocol (Parse fails before anything runs).
async fn prepared_error(client: &Client, sql: &str) -> String {
    let error = client
        .prepare(sql)
        .await
        .err()
        .unwrap_or_else(|| panic!("{sql} was prepared"));
    error
        .as_db_error()
        .unwrap_or_else(|| panic!("{sql}: not a server error: {error:?}"))
        .message()
        .to_string()
}

#[test]
fn queries_answer_over_the_postgres_wire_with_parameters_and_catalog() {
    let dir = demo_dir();
    let (hub, port) = start(dir, &[]);
    let group_by = "SELECT key_industry, count(*) AS n FROM enterprises GROUP BY key_industry ORDER BY key_industry";
    let expected: Vec<(String, i64)> = sql_json(dir, group_by)
        .into_iter()
        .map(|row| {
            (
                row["key_industry"].as_str().expect("industry").to_string(),
                row["n"].as_i64().expect("count"),
            )
        })
        .collect();
    assert!(expected.len() > 1, "{expected:?}");

    with_client(port, |client| async move {
        // The simple protocol: text rows.
        assert_eq!(
            simple_rows(&client, "SELECT count(*) FROM enterprises").await,
            vec![vec![Some(DEMO_ENTERPRISES.to_string())]]
        );

        // The extended protocol: typed rows.
        let count: i64 = client
            .query_one("SELECT count(*) AS n FROM enterprises", &[])
            .await
            .expect("count")
            .get("n");
        assert_eq!(count, DEMO_ENTERPRISES as i64);
        let grouped: Vec<(String, i64)> = client
            .query(group_by, &[])
            .await
            .expect("group by")
            .iter()
            .map(|row| (row.get("key_industry"), row.get("n")))
            .collect();
        assert_eq!(grouped, expected);

        // A prepared statement with a parameter, run twice with different values.
        let by_industry = client
            .prepare("SELECT name FROM enterprises WHERE key_industry = $1 ORDER BY name")
            .await
            .expect("prepare");
        assert_eq!(by_industry.params(), &[tokio_postgres::types::Type::TEXT]);
        // A prepared statement kept a while is planned again when it runs (it reads the lake
        // as it is then), with the same checks.
        tokio::time::sleep(Duration::from_millis(1200)).await;
        for (industry, n) in expected.iter().take(2) {
            let names = client
                .query(&by_industry, &[industry])
                .await
                .expect("parameterised query");
            assert_eq!(names.len() as i64, *n, "{industry}");
        }
        let none = client
            .query(&by_industry, &[&"no_such_industry"])
            .await
            .expect("parameterised query");
        assert!(none.is_empty());
        // An integer parameter, and one whose type comes from a cast.
        let at_least: i64 = client
            .query_one(
                "SELECT count(*) FROM enterprises WHERE employees >= $1",
                &[&0_i64],
            )
            .await
            .expect("integer parameter")
            .get(0);
        assert_eq!(at_least, DEMO_ENTERPRISES as i64);
        let echoed: i32 = client
            .query_one("SELECT $1::int AS v", &[&42_i32])
            .await
            .expect("cast parameter")
            .get(0);
        assert_eq!(echoed, 42);

        // Listing tables: information_schema and pg_catalog.
        let tables: Vec<String> = client
            .query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lake' ORDER BY 1",
                &[],
            )
            .await
            .expect("information_schema.tables")
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert!(tables.contains(&"enterprises".to_string()), "{tables:?}");
        assert!(
            tables.contains(&"production_monthly".to_string()),
            "{tables:?}"
        );
        let relations = simple_rows(
            &client,
            "SELECT c.relname FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'lake' AND c.relkind = 'r' ORDER BY 1",
        )
        .await;
        let relations: Vec<String> = relations
            .into_iter()
            .filter_map(|row| row[0].clone())
            .collect();
        assert_eq!(relations, tables);

        // What JDBC, psql and BI tools send on connect and around queries.
        for statement in [
            "SET extra_float_digits = 3",
            "SET application_name = 'parkhub-e2e'",
            "SET TIME ZONE 'Asia/Shanghai'",
            "SET search_path = lake",
            "BEGIN",
            "SELECT 1",
            "COMMIT",
            "START TRANSACTION READ ONLY",
            "ROLLBACK",
            "SELECT current_schema(), version()",
        ] {
            client
                .simple_query(statement)
                .await
                .unwrap_or_else(|error| panic!("{statement}: {error:?}"));
        }
        client
            .execute("SET extra_float_digits = 2", &[])
            .await
            .expect("SET over the extended protocol");
        assert_eq!(
            simple_rows(&client, "SHOW application_name").await,
            vec![vec![Some("parkhub-e2e".to_string())]]
        );
        let version: String = client
            .query_one("SELECT version()", &[])
            .await
            .expect("version()")
            .get(0);
        assert!(version.starts_with("PostgreSQL "), "{version}");
        let read_only: String = client
            .query_one("SHOW transaction_read_only", &[])
            .await
            .expect("SHOW over the extended protocol")
            .get(0);
        assert_eq!(read_only, "on");

        // Engine settings are shared by every client: refused.
        let message = simple_error(&client, "SET datafusion.execution.batch_size = 1").await;
        assert!(message.contains("read-only"), "{message}");
        let message = prepared_error(&client, "SET datafusion.optimizer.max_passes = 1").await;
        assert!(message.contains("read-only"), "{message}");

        // A failed statement inside a transaction aborts it until ROLLBACK, like Postgres.
        client.simple_query("BEGIN").await.expect("begin");
        simple_error(&client, "SELECT * FROM no_such_table").await;
        let message = simple_error(&client, "SELECT 1").await;
        assert!(message.contains("transaction is aborted"), "{message}");
        client.simple_query("ROLLBACK").await.expect("rollback");
        assert_eq!(
            simple_rows(&client, "SELECT 2").await,
            vec![vec![Some("2".to_string())]]
        );

        // Session parameters stay on their connection.
        let other = connect(port).await;
        assert_eq!(
            simple_rows(&other, "SHOW application_name").await,
            vec![vec![Some(String::new())]]
        );
        let message = simple_error(&client, "SELECT * FROM enterprise").await;
        assert!(
            message.contains("unknown table 'enterprise'") && message.contains("enterprises"),
            "{message}"
        );
    });
    assert!(hub.terminate().success());
}

#[test]
fn writes_and_files_outside_the_lake_are_refused_over_the_postgres_wire() {
    let dir = demo_dir();
    let outside = fresh_dir("pg-outside");
    let target = outside.join("written.csv");
    let (hub, port) = start(dir, &[]);
    let target_text = target.display().to_string();
    with_client(port, |client| async move {
        for sql in [
            "DROP TABLE enterprises".to_string(),
            "CREATE TABLE t AS SELECT 1 AS a".to_string(),
            "CREATE TABLE t (a INT)".to_string(),
            "INSERT INTO enterprises (uscc) VALUES ('x')".to_string(),
            "DELETE FROM enterprises".to_string(),
            "UPDATE enterprises SET name = 'x'".to_string(),
            format!("COPY enterprises TO '{target_text}'"),
            format!("COPY (SELECT 1) TO '{target_text}'"),
            "CREATE VIEW v AS SELECT 1".to_string(),
            "PREPARE q AS SELECT 1".to_string(),
        ] {
            let message = simple_error(&client, &sql).await;
            assert!(message.contains("read-only"), "{sql}: {message}");
            // The extended protocol plans (and so checks) at Parse: nothing to bind or run.
            let message = prepared_error(&client, &sql).await;
            assert!(message.contains("read-only"), "{sql}: {message}");
        }
        let message = prepared_error(&client, "INSERT INTO enterprises (uscc) VALUES ($1)").await;
        assert!(message.contains("read-only"), "{message}");

        for sql in [
            "SELECT * FROM '/etc/passwd'",
            "SELECT * FROM \"/etc/passwd\"",
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM \"file:///etc/passwd\"",
        ] {
            let message = simple_error(&client, sql).await;
            assert!(
                !message.contains("root:"),
                "{sql} leaked /etc/passwd: {message}"
            );
            let message = prepared_error(&client, sql).await;
            assert!(
                !message.contains("root:"),
                "{sql} leaked /etc/passwd: {message}"
            );
        }

        // Everything is still there.
        let count: i64 = client
            .query_one("SELECT count(*) FROM enterprises", &[])
            .await
            .expect("count")
            .get(0);
        assert_eq!(count, DEMO_ENTERPRISES as i64);
    });
    assert!(!target.exists(), "nothing was written outside the lake");
    assert!(hub.terminate().success());
}

#[test]
fn the_time_and_concurrency_limits_apply_over_the_postgres_wire() {
    let dir = fresh_dir("pg-limits");
    let config = dir.join("parkhub.toml");
    std::fs::write(
        &config,
        "[query]\ntimeout_seconds = 3\nmax_concurrent = 1\n",
    )
    .expect("write config");
    let (hub, port) = start(&dir, &["--config", config.to_str().expect("utf8")]);
    with_client(port, |client| async move {
        let other = connect(port).await;
        let started = std::time::Instant::now();
        // One slow query holds the only query slot; a second client is told to come back.
        let slow = simple_error(
            &client,
            "SELECT count(*) FROM generate_series(1, 200000) a CROSS JOIN generate_series(1, 200000) b",
        );
        let busy = async {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            simple_error(&other, "SELECT 1").await
        };
        let (slow, busy) = tokio::join!(slow, busy);
        assert!(
            slow.contains("cancelled after 3 s, the time limit"),
            "{slow}"
        );
        assert!(busy.contains("queries are running"), "{busy}");
        assert!(started.elapsed() < Duration::from_secs(60));
        // The server and both connections go on (the slot is freed just after the error
        // is sent, so the first try may still find it taken).
        for client in [&client, &other] {
            let mut tries = 0;
            let rows = loop {
                match client.simple_query("SELECT 1 + 1").await {
                    Ok(messages) => break messages,
                    Err(error) if tries < 50 => {
                        assert!(
                            format!("{error:?}").contains("queries are running"),
                            "{error:?}"
                        );
                        tries += 1;
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(error) => panic!("the query slot was not freed: {error:?}"),
                }
            };
            assert!(
                rows.iter().any(|message| matches!(
                    message,
                    SimpleQueryMessage::Row(row) if row.get(0) == Some("2")
                )),
                "{rows:?}"
            );
        }
    });
    assert!(hub.terminate().success());
}

/// Runs psql against the wire server; psql must be installed (CI installs PostgreSQL 15).
fn psql(port: u16, command: &str) -> String {
    let output = Command::new("psql")
        .args(["-X", "-w", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args([
            "-U",
            "parkhub",
            "-d",
            "parkhub",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            command,
        ])
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .env("PGCONNECT_TIMEOUT", "30")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "psql must be installed for this test (apt-get install postgresql-client): {error}"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success() && !stderr.contains("ERROR"),
        "psql -c {command:?} failed with {}:\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stdout
}

#[test]
fn psql_lists_and_describes_the_lake_tables() {
    let dir = demo_dir();
    let (hub, port) = start(dir, &[]);

    let listing = psql(port, "\\dt");
    for table in ["enterprises", "production_monthly", "energy_readings"] {
        assert!(
            listing.contains(table),
            "\\dt does not list {table}:\n{listing}"
        );
    }
    assert!(
        listing.contains("lake"),
        "\\dt names the schema:\n{listing}"
    );

    let described = psql(port, "\\d enterprises");
    assert!(described.contains("enterprises"), "{described}");
    for column in [
        "uscc",
        "name",
        "key_industry",
        "employees",
        "land_area_mu",
        "_batch_id",
    ] {
        assert!(
            described.contains(column),
            "\\d enterprises lacks {column}:\n{described}"
        );
    }

    let counted = psql(port, "SELECT count(*) AS n FROM enterprises");
    assert!(
        counted
            .lines()
            .any(|line| line.trim() == DEMO_ENTERPRISES.to_string()),
        "{counted}"
    );

    let output = Command::new("psql")
        .args(["-X", "-w", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args([
            "-U",
            "parkhub",
            "-d",
            "parkhub",
            "-c",
            "DROP TABLE enterprises",
        ])
        .output()
        .expect("psql runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("read-only"),
        "{stderr}"
    );
    assert!(psql(port, "\\dt").contains("enterprises"));
    assert!(hub.terminate().success());
}
