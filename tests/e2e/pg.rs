//! The Postgres wire protocol of `parkhub serve --pg`: a real client (tokio-postgres, simple
//! and extended protocols) and psql, against the shared demo park. Every connection logs in
//! with a token: the user name is the token's name, the password the token.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tokio_postgres::{Client, SimpleQueryMessage};

use crate::support::{
    DEMO_ENTERPRISES, TestHub, create_token, demo_dir, fresh_dir, run_ok, sql_json,
    unique_token_name,
};

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

/// What a wire client logs in with: a token's name and the token.
#[derive(Debug, Clone)]
struct Login {
    user: String,
    password: String,
}

impl Login {
    /// The hub's admin token.
    fn admin(hub: &TestHub) -> Login {
        Login {
            user: hub.token_name.clone(),
            password: hub.token.clone(),
        }
    }

    /// A new token of `role` on `data_dir` (`extra_args` as for `parkhub token create`).
    fn create(data_dir: &Path, prefix: &str, role: &str, extra_args: &[&str]) -> Login {
        let user = unique_token_name(prefix);
        let password = create_token(data_dir, &user, role, extra_args);
        Login { user, password }
    }
}

/// Runs `test` on a runtime of its own, with a generous deadline.
fn block_on<Fut: std::future::Future<Output = ()>>(test: Fut) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        tokio::time::timeout(Duration::from_secs(240), test)
            .await
            .expect("the Postgres wire test finished in time");
    });
}

/// Runs `test` with a client logged in as `login` on the wire server on `port`.
fn with_client<F, Fut>(port: u16, login: &Login, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let login = login.clone();
    block_on(async move {
        let client = connect(port, &login).await;
        test(client).await;
    });
}

/// Connects as `user` with `password`; the connection is driven by a task that ends when
/// the client is dropped.
async fn try_connect(
    port: u16,
    user: &str,
    password: &str,
) -> Result<Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::new();
    config
        .host("127.0.0.1")
        .port(port)
        .user(user)
        .password(password)
        .dbname("parkhub");
    let (client, connection) = tokio::time::timeout(
        Duration::from_secs(60),
        config.connect(tokio_postgres::NoTls),
    )
    .await
    .expect("connected or refused in time")?;
    // The task is detached on purpose: the connection ends when the client is dropped.
    drop(tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("Postgres wire connection: {error}");
        }
    }));
    Ok(client)
}

/// A client logged in as `login`.
async fn connect(port: u16, login: &Login) -> Client {
    try_connect(port, &login.user, &login.password)
        .await
        .unwrap_or_else(|error| panic!("log in as {}: {error:?}", login.user))
}

/// The SQLSTATE and message of a refused login.
async fn refused_login(port: u16, user: &str, password: &str) -> (String, String) {
    let error = try_connect(port, user, password)
        .await
        .err()
        .unwrap_or_else(|| panic!("{user} logged in with {password:?}"));
    let database_error = error
        .as_db_error()
        .unwrap_or_else(|| panic!("{user}: not a server error: {error:?}"));
    assert_eq!(database_error.severity(), "FATAL", "{database_error:?}");
    (
        database_error.code().code().to_string(),
        database_error.message().to_string(),
    )
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

/// The first column of a simple-protocol query's rows.
async fn simple_column(client: &Client, sql: &str) -> Vec<String> {
    simple_rows(client, sql)
        .await
        .into_iter()
        .map(|row| row[0].clone().unwrap_or_default())
        .collect()
}

/// The single integer a simple-protocol query answers.
async fn simple_count(client: &Client, sql: &str) -> i64 {
    let rows = simple_column(client, sql).await;
    assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
    rows[0]
        .parse()
        .unwrap_or_else(|error| panic!("{sql}: {:?} is not a count: {error}", rows[0]))
}

/// The server's message for a statement that must fail, from the simple protocol.
async fn simple_error(client: &Client, sql: &str) -> String {
    simple_failure(client, sql).await.1
}

/// The SQLSTATE and message of a statement that must fail, from the simple protocol.
async fn simple_failure(client: &Client, sql: &str) -> (String, String) {
    let error = client
        .simple_query(sql)
        .await
        .err()
        .unwrap_or_else(|| panic!("{sql} was accepted"));
    let database_error = error
        .as_db_error()
        .unwrap_or_else(|| panic!("{sql}: not a server error: {error:?}"));
    (
        database_error.code().code().to_string(),
        database_error.message().to_string(),
    )
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

    let admin = Login::admin(&hub);
    let other_login = admin.clone();
    with_client(port, &admin, |client| async move {
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
        let other = connect(port, &other_login).await;
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
    with_client(port, &Login::admin(&hub), |client| async move {
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
    let admin = Login::admin(&hub);
    let other_login = admin.clone();
    with_client(port, &admin, |client| async move {
        let other = connect(port, &other_login).await;
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

/// A psql command against the wire server, logged in as `login` (the token in
/// `PGPASSWORD`); psql must be installed (CI installs PostgreSQL 15).
fn psql_command(port: u16, login: &Login, command: &str) -> Command {
    let mut psql = Command::new("psql");
    psql.args(["-X", "-w", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-U", &login.user, "-d", "parkhub", "-c", command])
        .env("PGPASSWORD", &login.password)
        .env_remove("PGSERVICE")
        .env_remove("PGPASSFILE")
        .env("PGCONNECT_TIMEOUT", "30");
    psql
}

/// Runs psql and returns its output, failing the test when psql fails.
fn psql(port: u16, login: &Login, command: &str) -> String {
    let output = psql_command(port, login, command)
        .args(["-v", "ON_ERROR_STOP=1"])
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
    let admin = Login::admin(&hub);

    let listing = psql(port, &admin, "\\dt");
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

    let described = psql(port, &admin, "\\d enterprises");
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

    let counted = psql(port, &admin, "SELECT count(*) AS n FROM enterprises");
    assert!(
        counted
            .lines()
            .any(|line| line.trim() == DEMO_ENTERPRISES.to_string()),
        "{counted}"
    );

    let output = psql_command(port, &admin, "DROP TABLE enterprises")
        .output()
        .expect("psql runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("read-only"),
        "{stderr}"
    );
    assert!(psql(port, &admin, "\\dt").contains("enterprises"));

    // The centre's psql sees only the centre's tables: no energy, production or funds.
    let centre = Login::create(dir, "psql-centre", "centre", &[]);
    let listing = psql(port, &centre, "\\dt");
    assert!(listing.contains("enterprises"), "{listing}");
    for hidden in [
        "energy_readings",
        "production_monthly",
        "fund_disbursements",
    ] {
        assert!(
            !listing.contains(hidden),
            "the centre's \\dt lists {hidden}:\n{listing}"
        );
    }
    let output = psql_command(port, &centre, "\\d energy_readings")
        .output()
        .expect("psql runs");
    let told = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        told.contains("Did not find any relation") && !told.contains("uscc"),
        "{told}"
    );
    assert!(psql(port, &admin, "\\d energy_readings").contains("uscc"));

    // No password, or a wrong one: psql is refused with the Postgres error for it.
    let output = psql_command(
        port,
        &Login {
            user: centre.user.clone(),
            password: "not-the-token".to_string(),
        },
        "SELECT 1",
    )
    .output()
    .expect("psql runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success() && stderr.contains("password authentication failed"),
        "{stderr}"
    );
    assert!(hub.terminate().success());
}

/// The SQLSTATE a startup message without a user name is answered with, over a raw socket.
async fn startup_without_user(port: u16) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let mut body = 196_608_u32.to_be_bytes().to_vec(); // protocol 3.0
    body.extend_from_slice(b"database\0parkhub\0\0");
    let mut message = u32::try_from(body.len() + 4)
        .expect("short")
        .to_be_bytes()
        .to_vec();
    message.extend_from_slice(&body);
    socket.write_all(&message).await.expect("send startup");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), socket.read_to_end(&mut answer)).await;
    assert_eq!(answer.first(), Some(&b'E'), "{answer:?}");
    // Fields after the type and length: a code byte, then a NUL-terminated string.
    let fields = &answer[5..];
    fields
        .split(|byte| *byte == 0)
        .find_map(|field| field.strip_prefix(b"C"))
        .map(|code| String::from_utf8_lossy(code).to_string())
        .expect("an SQLSTATE field")
}

/// Polls `_audit` (written about once a second) as admin until `sql` answers a row.
async fn audit_rows(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    audit_rows_until(client, sql, |rows| !rows.is_empty()).await
}

/// Polls `_audit` as admin until the rows `sql` answers satisfy `done`.
async fn audit_rows_until(
    client: &Client,
    sql: &str,
    done: impl Fn(&[Vec<Option<String>>]) -> bool,
) -> Vec<Vec<Option<String>>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = simple_rows(client, sql).await;
        if done(&rows) {
            return rows;
        }
        assert!(
            Instant::now() < deadline,
            "{sql}: not in the audit table: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[test]
fn wire_logins_need_a_valid_token_whose_name_is_the_user() {
    let dir = demo_dir();
    let (hub, port) = start(dir, &[]);
    let admin = Login::admin(&hub);
    let committee = Login::create(dir, "pg-committee", "committee", &[]);
    let other = Login::create(dir, "pg-other", "committee", &[]);
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("a day").to_string();
    let expired = Login::create(dir, "pg-expired", "committee", &["--expires", &yesterday]);
    let until_today = Login::create(
        dir,
        "pg-today",
        "committee",
        &["--expires", &today.to_string()],
    );
    block_on(async move {
        // A connection that never sends its startup message is closed after the deadline
        // (30 s); it is opened first and checked last.
        let idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect");
        let idle_since = Instant::now();

        // The token is the password: the committee's works, and the committee reads.
        let client = connect(port, &committee).await;
        assert!(simple_count(&client, "SELECT count(*) FROM energy_readings").await > 0);

        // A wrong password, a malformed one, another token's, an unknown user: the same
        // refusal, 28P01, that does not tell whether the name exists.
        let unknown_token = format!("phk_{}", "ab".repeat(32));
        let (code, wrong) = refused_login(port, &committee.user, &unknown_token).await;
        assert_eq!(code, "28P01", "{wrong}");
        assert!(wrong.contains("password authentication failed"), "{wrong}");
        let (code, malformed) = refused_login(port, &committee.user, "secret").await;
        assert_eq!(code, "28P01");
        assert_eq!(malformed, wrong);
        // Another token (valid) under this token's name: refused, and the other way round.
        let (code, mismatch) = refused_login(port, &committee.user, &other.password).await;
        assert_eq!(code, "28P01");
        assert_eq!(mismatch, wrong);
        let (code, _) = refused_login(port, &admin.user, &committee.password).await;
        assert_eq!(code, "28P01");
        let nobody = unique_token_name("nobody");
        let (code, unknown_user) = refused_login(port, &nobody, &committee.password).await;
        assert_eq!(code, "28P01");
        assert_eq!(unknown_user.replace(&nobody, &committee.user), wrong);
        assert!(
            !wrong.contains("phk_") && !wrong.contains("revoked"),
            "{wrong}"
        );

        // No user name at all: 28000.
        assert_eq!(startup_without_user(port).await, "28000");

        // An expired token is refused; one valid through today logs in.
        let (code, message) = refused_login(port, &expired.user, &expired.password).await;
        assert_eq!(code, "28P01", "{message}");
        let today_client = connect(port, &until_today).await;
        assert_eq!(simple_count(&today_client, "SELECT 1").await, 1);

        // A revoked token: refused at the next login, and its open connection ends at its
        // next statement.
        let revocable = Login::create(dir, "pg-revoked", "committee", &[]);
        let open = connect(port, &revocable).await;
        assert_eq!(simple_count(&open, "SELECT 1").await, 1);
        run_ok(dir, &["token", "revoke", &revocable.user]);
        let (code, message) = simple_failure(&open, "SELECT count(*) FROM energy_readings").await;
        assert_eq!(code, "28000", "{message}");
        assert!(message.contains("revoked or has expired"), "{message}");
        assert!(open.simple_query("SELECT 1").await.is_err());
        let (code, _) = refused_login(port, &revocable.user, &revocable.password).await;
        assert_eq!(code, "28P01");
        // The committee's connection goes on.
        assert_eq!(simple_count(&client, "SELECT 1").await, 1);

        // Logins, refused or not, and statements are rows of _audit (admin only).
        let admin_client = connect(port, &admin).await;
        let expected = [
            "bad_password",
            "ok",
            "token_expired",
            "token_revoked",
            "user_mismatch",
        ];
        let refusals = audit_rows_until(
            &admin_client,
            &format!(
                "SELECT outcome, count(*) FROM _audit WHERE interface = 'pg' AND action = 'login' \
                 AND principal IN ('{}', '{}', '{}') GROUP BY outcome ORDER BY outcome",
                committee.user, expired.user, revocable.user
            ),
            |rows| {
                expected
                    .iter()
                    .all(|outcome| rows.iter().any(|row| row[0].as_deref() == Some(*outcome)))
            },
        )
        .await;
        let outcomes: BTreeSet<String> = refusals.iter().filter_map(|row| row[0].clone()).collect();
        assert_eq!(
            outcomes,
            expected.iter().map(|outcome| outcome.to_string()).collect()
        );
        let statements = audit_rows(
            &admin_client,
            &format!(
                "SELECT statement, tables, rows, outcome, policies, role FROM _audit \
                 WHERE interface = 'pg' AND action = 'sql' AND principal = '{}' \
                 AND statement LIKE '%energy_readings%' AND outcome = 'ok'",
                committee.user
            ),
        )
        .await;
        let row = &statements[0];
        assert_eq!(row[1].as_deref(), Some("energy_readings"), "{row:?}");
        assert_eq!(row[2].as_deref(), Some("1"), "{row:?}");
        assert!(
            row[4]
                .as_deref()
                .is_some_and(|policies| policies.contains("committee")),
            "{row:?}"
        );
        assert_eq!(row[5].as_deref(), Some("committee"));

        // The idle connection was closed at the startup deadline.
        let mut buffer = [0_u8; 16];
        let waited = tokio::time::timeout(Duration::from_secs(45), async {
            use tokio::io::AsyncReadExt as _;
            let mut idle = idle;
            idle.read(&mut buffer).await
        })
        .await
        .expect("the idle connection was closed in time");
        assert!(matches!(waited, Ok(0) | Err(_)), "{waited:?}");
        assert!(idle_since.elapsed() >= Duration::from_secs(25));
    });
    assert!(hub.terminate().success());
}

/// The enterprise whose token the isolation test uses, and another enterprise with energy
/// readings, production and disbursements.
fn two_enterprises(dir: &Path) -> (String, String) {
    let first = |sql: &str| -> String {
        sql_json(dir, sql)
            .first()
            .and_then(|row| row.values().next())
            .and_then(|value| value.as_str())
            .unwrap_or_else(|| panic!("{sql}: no row"))
            .to_string()
    };
    let own = first(
        "SELECT e.uscc FROM enterprises e WHERE e.uscc IN (SELECT uscc FROM energy_readings) \
         AND e.uscc IN (SELECT uscc FROM production_monthly) ORDER BY e.uscc LIMIT 1",
    );
    let other = first(&format!(
        "SELECT p.uscc FROM fund_disbursements f JOIN transformation_projects p \
         ON p.project_id = f.project_id WHERE p.uscc <> '{own}' \
         AND p.uscc IN (SELECT uscc FROM energy_readings) \
         AND p.uscc IN (SELECT uscc FROM production_monthly) ORDER BY p.uscc LIMIT 1"
    ));
    (own, other)
}

#[test]
fn each_token_reads_only_what_its_role_may_over_the_wire() {
    let dir = demo_dir();
    let (own, other) = two_enterprises(dir);
    let (hub, port) = start(dir, &[]);
    let admin = Login::admin(&hub);
    let enterprise = Login::create(dir, "pg-firm", "enterprise", &["--uscc", &own]);
    let committee = Login::create(dir, "pg-committee", "committee", &[]);
    let centre = Login::create(dir, "pg-centre", "centre", &[]);
    block_on(async move {
        let firm = connect(port, &enterprise).await;
        let board = connect(port, &committee).await;
        let root = connect(port, &admin).await;
        let desk = connect(port, &centre).await;

        // Its own rows of energy and production only, through both protocols; the committee
        // sees every enterprise with the same query.
        for table in ["energy_readings", "production_monthly"] {
            let sql = format!("SELECT count(DISTINCT uscc), min(uscc), max(uscc) FROM {table}");
            let rows = simple_rows(&firm, &sql).await;
            assert_eq!(
                rows,
                vec![vec![
                    Some("1".to_string()),
                    Some(own.clone()),
                    Some(own.clone())
                ]],
                "{sql}"
            );
            let row = board.query_one(sql.as_str(), &[]).await.expect(&sql);
            assert!(row.get::<_, i64>(0) > 1, "{sql}");
        }

        // Another enterprise's rows, however they are asked for, are not there for it; the
        // committee gets them with the same statement.
        let attempts = [
            format!("SELECT count(*) FROM energy_readings WHERE uscc = '{other}'"),
            format!(
                "SELECT count(*) FROM enterprises e JOIN energy_readings r ON r.uscc = e.uscc \
                 WHERE e.uscc = '{other}'"
            ),
            format!(
                "SELECT count(*) FROM production_monthly WHERE uscc IN \
                 (SELECT uscc FROM production_monthly WHERE uscc = '{other}')"
            ),
            format!(
                "SELECT count(*) FROM (SELECT uscc FROM energy_readings WHERE uscc = '{other}' \
                 UNION ALL SELECT uscc FROM production_monthly WHERE uscc = '{other}') u"
            ),
            format!(
                "WITH theirs AS (SELECT * FROM production_monthly WHERE uscc = '{other}') \
                 SELECT count(*) FROM theirs"
            ),
            format!(
                "SELECT count(*) FROM fund_disbursements f JOIN transformation_projects p \
                 ON p.project_id = f.project_id WHERE p.uscc = '{other}'"
            ),
            format!(
                "SELECT count(*) FROM (SELECT uscc, row_number() OVER (PARTITION BY uscc) AS n \
                 FROM energy_readings) w WHERE w.uscc = '{other}'"
            ),
        ];
        for sql in &attempts {
            assert_eq!(simple_count(&firm, sql).await, 0, "{sql}");
            assert!(simple_count(&board, sql).await > 0, "{sql}");
        }
        // A prepared statement with the other enterprise as its parameter.
        let by_uscc = "SELECT count(*) FROM energy_readings WHERE uscc = $1";
        let count: i64 = firm
            .query_one(by_uscc, &[&other])
            .await
            .expect("prepared")
            .get(0);
        assert_eq!(count, 0);
        let count: i64 = board
            .query_one(by_uscc, &[&other])
            .await
            .expect("prepared")
            .get(0);
        assert!(count > 0);
        // Its plan names no other enterprise.
        let explained = simple_rows(&firm, "EXPLAIN SELECT * FROM energy_readings").await;
        let explained = format!("{explained:?}");
        assert!(!explained.contains(&other), "{explained}");

        // The audit table does not exist for it: the same error as a table that does not
        // exist, naming no hidden table; the admin reads it.
        let (code, audit_error) = simple_failure(&firm, "SELECT * FROM _audit LIMIT 1").await;
        let (missing_code, missing_error) =
            simple_failure(&firm, "SELECT * FROM no_such_table LIMIT 1").await;
        assert_eq!(code, "42P01", "{audit_error}");
        assert_eq!(code, missing_code);
        assert_eq!(
            audit_error.replace("_audit", "no_such_table"),
            missing_error
        );
        let message = prepared_error(&firm, "SELECT count(*) FROM parkhub.lake._audit").await;
        assert!(message.contains("unknown table"), "{message}");
        assert!(simple_count(&root, "SELECT count(*) FROM _audit").await > 0);
        // Nor for the committee, which reads every park table.
        let (code, _) = simple_failure(&board, "SELECT count(*) FROM _audit").await;
        assert_eq!(code, "42P01");

        // The centre reads no energy readings: absent from its pg_catalog and
        // information_schema, unknown like a missing table; the committee sees the table.
        let pg_tables =
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'lake' ORDER BY 1";
        let schema_tables = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'lake' ORDER BY 1";
        let pg_class = "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n \
                        ON n.oid = c.relnamespace WHERE n.nspname = 'lake' AND c.relkind = 'r' ORDER BY 1";
        for sql in [pg_tables, schema_tables, pg_class] {
            let theirs = simple_column(&desk, sql).await;
            assert!(
                theirs.contains(&"enterprises".to_string()),
                "{sql}: {theirs:?}"
            );
            for hidden in [
                "energy_readings",
                "production_monthly",
                "fund_disbursements",
                "emissions",
            ] {
                assert!(!theirs.contains(&hidden.to_string()), "{sql}: {theirs:?}");
            }
            let all = simple_column(&board, sql).await;
            assert!(
                all.contains(&"energy_readings".to_string()),
                "{sql}: {all:?}"
            );
            // The enterprise lists every park table (its own rows of each), never _audit.
            let firms = simple_column(&firm, sql).await;
            assert!(
                firms.contains(&"energy_readings".to_string()),
                "{sql}: {firms:?}"
            );
            assert!(
                !firms.iter().any(|name| name.starts_with('_')),
                "{sql}: {firms:?}"
            );
        }
        let columns = simple_count(
            &desk,
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'energy_readings'",
        )
        .await;
        assert_eq!(columns, 0);
        let (code, hidden_error) =
            simple_failure(&desk, "SELECT count(*) FROM energy_readings").await;
        let (_, missing_error) = simple_failure(&desk, "SELECT count(*) FROM no_such_table").await;
        assert_eq!(code, "42P01");
        assert_eq!(
            hidden_error.replace("energy_readings", "no_such_table"),
            missing_error
        );
        assert!(
            !hidden_error.contains("production_monthly"),
            "{hidden_error}"
        );
        assert!(simple_count(&desk, "SELECT count(*) FROM enterprises").await > 0);
        assert!(simple_count(&board, "SELECT count(*) FROM energy_readings").await > 0);

        // A misspelt table: the enterprise's error lists only what it may read.
        let message = simple_error(&firm, "SELECT * FROM energy_reading").await;
        assert!(
            message.contains("energy_readings") && !message.contains("_audit"),
            "{message}"
        );

        // Each statement is a row of _audit with the enterprise's policy.
        let rows = audit_rows(
            &root,
            &format!(
                "SELECT outcome, policies, tables FROM _audit WHERE interface = 'pg' \
                 AND action = 'sql' AND principal = '{}' AND statement = 'SELECT * FROM _audit LIMIT 1'",
                enterprise.user
            ),
        )
        .await;
        assert_eq!(rows[0][0].as_deref(), Some("unknown_table"), "{rows:?}");
        assert!(
            rows[0][1]
                .as_deref()
                .is_some_and(|policies| policies.contains(&own)),
            "{rows:?}"
        );
    });
    assert!(hub.terminate().success());
}

/// Writes `<data-dir>/auth/grants.json` with one grant of `tables` from `from` to `to`, as
/// the grant store keeps it (revoked when `revoked`); replaced atomically, so a running serve
/// sees it at its next statement. (It stands in for `parkhub grant`, which does not exist yet.)
fn write_grant(dir: &Path, id: &str, from: &str, to: &str, tables: &[&str], revoked: bool) {
    let now = chrono::Utc::now();
    let until = (now + chrono::TimeDelta::days(7)).date_naive();
    let mut grant = serde_json::json!({
        "id": id,
        "from": from,
        "to": to,
        "tables": tables,
        "purpose": "能耗诊断 / energy audit",
        "until": until.to_string(),
        "created_at": now.to_rfc3339(),
        "created_by": "cli",
    });
    if revoked {
        grant["revoked_at"] = serde_json::json!(now.to_rfc3339());
        grant["revoked_by"] = serde_json::json!("cli");
    }
    let file = serde_json::json!({ "version": 1, "grants": [grant] });
    let folder = dir.join("auth");
    let temporary = folder.join("grants.json.test");
    std::fs::write(&temporary, serde_json::to_vec_pretty(&file).expect("JSON")).expect("write");
    std::fs::rename(&temporary, folder.join("grants.json")).expect("rename");
}

#[test]
fn a_grant_opens_a_table_to_the_centre_on_an_open_wire_connection() {
    let dir = fresh_dir("pg-grants");
    run_ok(
        &dir,
        &[
            "demo",
            "--enterprises",
            "6",
            "--months",
            "1",
            "--energy-days",
            "1",
            "--seed",
            "11",
        ],
    );
    let uscc = sql_json(
        &dir,
        "SELECT uscc FROM energy_readings GROUP BY uscc ORDER BY uscc LIMIT 1",
    )[0]["uscc"]
        .as_str()
        .expect("uscc")
        .to_string();
    let (hub, port) = start(&dir, &[]);
    let centre = Login::create(&dir, "pg-granted", "centre", &[]);
    let admin = Login::admin(&hub);
    let counted = "SELECT count(DISTINCT uscc), min(uscc) FROM energy_readings";
    let listed = "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'energy_readings'";
    block_on(async move {
        let desk = connect(port, &centre).await;
        let (code, _) = simple_failure(&desk, counted).await;
        assert_eq!(code, "42P01");
        assert_eq!(simple_count(&desk, listed).await, 0);

        // The enterprise grants the centre its energy readings: the same connection reads
        // them, and only them, at its next statement, and its pg_catalog lists the table.
        write_grant(
            &dir,
            "g-wiretest01",
            &uscc,
            &centre.user,
            &["energy_readings"],
            false,
        );
        assert_eq!(
            simple_rows(&desk, counted).await,
            vec![vec![Some("1".to_string()), Some(uscc.clone())]]
        );
        assert_eq!(simple_count(&desk, listed).await, 1);
        let root = connect(port, &admin).await;
        assert!(simple_count(&root, "SELECT count(DISTINCT uscc) FROM energy_readings").await > 1);

        // Revoked: gone again, from the rows and from the catalog.
        write_grant(
            &dir,
            "g-wiretest01",
            &uscc,
            &centre.user,
            &["energy_readings"],
            true,
        );
        let (code, _) = simple_failure(&desk, counted).await;
        assert_eq!(code, "42P01");
        assert_eq!(simple_count(&desk, listed).await, 0);

        // The audit rows carry the grant that applied.
        let rows = audit_rows(
            &root,
            &format!(
                "SELECT policies FROM _audit WHERE interface = 'pg' AND principal = '{}' \
                 AND outcome = 'ok' AND tables = 'energy_readings'",
                centre.user
            ),
        )
        .await;
        assert!(
            rows[0][0]
                .as_deref()
                .is_some_and(|policies| policies.contains("g-wiretest01")),
            "{rows:?}"
        );
    });
    assert!(hub.terminate().success());
}
