//! The client libraries BI tools are built on, against `parkhub serve --pg` on the shared demo
//! park: SQLAlchemy's inspector over psycopg2 and psycopg 3 (Superset), `pandas.read_sql`,
//! pgjdbc's `DatabaseMetaData` (DBeaver, DataEase), node-postgres and psql. Each is a real
//! client run as a subprocess from `tests/clients/`, logged in with a token; it lists the
//! tables and columns the way its tool does and runs a query with a parameter, and this test
//! checks the values it printed. A client that is not installed fails the test: `make
//! test-deps` installs them all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{TestHub, create_token, demo_dir, run_ok, sql_count, unique_token_name};

/// The zone the clients count enterprises in (a parameter in Chinese).
const ZONE: &str = "东区";

/// The folder of the client programs.
fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("clients")
}

/// What a client logs in with and where.
struct Connection {
    port: u16,
    user: String,
    password: String,
}

impl Connection {
    /// `command` with the connection in its environment.
    fn apply(&self, command: &mut Command) {
        command
            .env("PARKHUB_PG_HOST", "127.0.0.1")
            .env("PARKHUB_PG_PORT", self.port.to_string())
            .env("PARKHUB_PG_USER", &self.user)
            .env("PARKHUB_PG_PASSWORD", &self.password)
            .env("PARKHUB_PG_ZONE", ZONE)
            .env("PGPASSWORD", &self.password);
    }
}

/// Runs a client and returns what it printed as `key: value` pairs; fails the test, loudly,
/// when the client is missing or fails.
fn run_client(
    what: &str,
    mut command: Command,
    connection: &Connection,
) -> BTreeMap<String, String> {
    connection.apply(&mut command);
    let output = command.output().unwrap_or_else(|error| {
        panic!("{what}: cannot run {command:?}: {error}; install the clients with `make test-deps`")
    });
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{what} failed with {} (install the clients with `make test-deps`):\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut printed = BTreeMap::new();
    for line in stdout.lines() {
        if let Some((key, value)) = line.split_once(':') {
            printed.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    printed
}

/// The value `key` of a client's output, which it must have printed.
fn value<'a>(what: &str, printed: &'a BTreeMap<String, String>, key: &str) -> &'a str {
    printed
        .get(key)
        .unwrap_or_else(|| panic!("{what} printed no {key:?}:\n{printed:#?}"))
}

fn python(script: &str, args: &[&str]) -> Command {
    let python = std::env::var("PARKHUB_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(python);
    command.arg(clients_dir().join(script)).args(args);
    command
}

/// psql running `command` from its standard input (so that `:'zone'` is interpolated),
/// without reading a `.psqlrc`.
fn psql(connection: &Connection, command: &str) -> String {
    use std::io::Write as _;
    let mut psql = Command::new("psql");
    psql.args(["-X", "-w", "-h", "127.0.0.1", "-p"])
        .arg(connection.port.to_string())
        .args([
            "-U",
            &connection.user,
            "-d",
            "parkhub",
            "-v",
            "ON_ERROR_STOP=1",
        ])
        .args(["-v", &format!("zone={ZONE}"), "-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    connection.apply(&mut psql);
    let mut child = psql.spawn().unwrap_or_else(|error| {
        panic!("cannot run psql: {error}; install it with `make test-deps` (postgresql-client)")
    });
    child
        .stdin
        .take()
        .expect("psql's stdin")
        .write_all(format!("{command}\n").as_bytes())
        .expect("psql reads the command");
    let output = child.wait_with_output().expect("psql ends");
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "psql -c {command:?} failed with {}:\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn bi_client_libraries_browse_the_lake_with_its_descriptions_and_query_it() {
    let dir = demo_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let listen = format!("127.0.0.1:{port}");
    let hub = TestHub::start(dir, &["--pg", &listen]);
    let admin = Connection {
        port,
        user: hub.token_name.clone(),
        password: hub.token.clone(),
    };
    let centre_name = unique_token_name("clients-centre");
    let centre = Connection {
        port,
        password: create_token(dir, &centre_name, "centre", &[]),
        user: centre_name,
    };

    let tables: Vec<serde_json::Value> =
        serde_json::from_str(&run_ok(dir, &["tables", "--format", "json"])).expect("JSON");
    let mut table_names: Vec<String> = tables
        .iter()
        .map(|table| table["name"].as_str().expect("name").to_string())
        .collect();
    table_names.sort();
    let all_tables = table_names.join(",");
    let in_zone = sql_count(
        dir,
        &format!("SELECT count(*) FROM enterprises WHERE zone = '{ZONE}'"),
    );
    assert!(in_zone > 0, "the demo park has enterprises in {ZONE}");
    let in_zone = in_zone.to_string();
    let production_rows = sql_count(dir, "SELECT count(*) FROM production_monthly").to_string();
    let enterprises_comment = "企业名录：统一社会信用代码、名称、国民经济行业分类、重点行业、规模、园区片区 / Enterprise registry: USCC, name, GB/T 4754 industry, key industry, scale, zone";

    // SQLAlchemy's inspector, as Superset lists a database, over both Postgres drivers.
    for driver in ["psycopg2", "psycopg"] {
        let what = format!("SQLAlchemy over {driver}");
        let printed = run_client(&what, python("sqlalchemy_inspect.py", &[driver]), &admin);
        assert_eq!(value(&what, &printed, "default schema"), "lake");
        assert_eq!(value(&what, &printed, "schemas"), "lake");
        assert_eq!(value(&what, &printed, "tables"), all_tables);
        assert_eq!(value(&what, &printed, "views"), "");
        assert_eq!(
            value(&what, &printed, "table comment enterprises"),
            enterprises_comment
        );
        assert!(
            value(&what, &printed, "columns enterprises").starts_with(
                "uscc TEXT,name TEXT,industry_code TEXT,key_industry TEXT,scale TEXT,zone TEXT,founded DATE,employees BIGINT,land_area_mu DOUBLE PRECISION"
            ),
            "{printed:#?}"
        );
        assert_eq!(
            value(&what, &printed, "column comment enterprises.name"),
            "企业名称 / Registered name"
        );
        assert_eq!(value(&what, &printed, "nullable enterprises.uscc"), "False");
        assert_eq!(value(&what, &printed, "nullable enterprises.zone"), "True");
        assert_eq!(
            value(&what, &printed, "primary key production_monthly"),
            "production_monthly_pkey uscc,period"
        );
        assert_eq!(value(&what, &printed, "foreign keys enterprises"), "0");
        assert_eq!(value(&what, &printed, "count in zone"), in_zone);
        assert!(!value(&what, &printed, "first name in zone").is_empty());
    }

    // The centre's inspector lists only the centre's tables.
    let what = "SQLAlchemy over psycopg2 as the centre";
    let printed = run_client(
        what,
        python("sqlalchemy_inspect.py", &["psycopg2"]),
        &centre,
    );
    let centre_tables = value(what, &printed, "tables");
    assert!(centre_tables.contains("enterprises"), "{centre_tables}");
    for hidden in [
        "energy_readings",
        "production_monthly",
        "fund_disbursements",
    ] {
        assert!(
            !centre_tables.split(',').any(|name| name == hidden),
            "the centre's inspector lists {hidden}: {centre_tables}"
        );
    }

    // pandas.read_sql with a parameter, and read_sql_table (which reflects the table first).
    let what = "pandas";
    let printed = run_client(what, python("pandas_read_sql.py", &[]), &admin);
    assert_eq!(value(what, &printed, "read_sql rows"), in_zone);
    assert_eq!(
        value(what, &printed, "read_sql columns"),
        "uscc,name,employees,founded"
    );
    assert_eq!(value(what, &printed, "read_sql employees dtype"), "int64");
    assert_eq!(
        value(what, &printed, "read_sql_table rows"),
        production_rows
    );
    assert!(
        value(what, &printed, "read_sql_table columns").starts_with("uscc,period,output_value"),
        "{printed:#?}"
    );
    assert!(
        value(what, &printed, "read_sql_table period dtype").starts_with("datetime64"),
        "{printed:#?}"
    );

    // pgjdbc's DatabaseMetaData, as DBeaver and DataEase browse a database.
    let what = "pgjdbc";
    let classes = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pg-clients-java");
    std::fs::create_dir_all(&classes).expect("a folder for the Java classes");
    let jar = std::env::var("PARKHUB_TEST_PGJDBC")
        .unwrap_or_else(|_| "/usr/share/java/postgresql.jar".into());
    assert!(
        Path::new(&jar).exists(),
        "pgjdbc is not at {jar}: install it with `make test-deps` (libpostgresql-jdbc-java)"
    );
    let mut javac = Command::new("javac");
    javac
        .args(["-encoding", "UTF-8", "-cp", &jar, "-d"])
        .arg(&classes)
        .arg(clients_dir().join("JdbcInspect.java"));
    run_client("javac", javac, &admin);
    let mut java = Command::new("java");
    java.arg("-Dfile.encoding=UTF-8")
        .arg("-cp")
        .arg(format!("{jar}:{}", classes.display()))
        .arg("JdbcInspect");
    let printed = run_client(what, java, &admin);
    assert_eq!(value(what, &printed, "product"), "PostgreSQL 16");
    assert_eq!(value(what, &printed, "schemas"), "lake,pg_catalog");
    assert_eq!(value(what, &printed, "tables"), all_tables);
    assert_eq!(
        value(what, &printed, "table remarks enterprises"),
        enterprises_comment
    );
    assert!(
        value(what, &printed, "columns enterprises").starts_with(
            "uscc text,name text,industry_code text,key_industry text,scale text,zone text,founded date,employees int8,land_area_mu float8"
        ),
        "{printed:#?}"
    );
    assert_eq!(
        value(what, &printed, "column remarks enterprises.zone"),
        "所在片区 / Zone of the park the enterprise is located in"
    );
    assert_eq!(
        value(what, &printed, "column nullable enterprises.uscc"),
        "NO"
    );
    assert_eq!(
        value(what, &printed, "primary key production_monthly"),
        "production_monthly_pkey 1=uscc,2=period"
    );
    assert_eq!(
        value(what, &printed, "imported keys production_monthly"),
        "0"
    );
    assert_eq!(
        value(what, &printed, "indexes enterprises"),
        "enterprises_pkey(uscc)"
    );
    assert_eq!(value(what, &printed, "count in zone"), in_zone);
    assert_eq!(
        value(what, &printed, "result types"),
        "uscc text,employees int8,founded date,land_area_mu float8"
    );
    assert_eq!(value(what, &printed, "rows over 10 employees"), "3");

    // node-postgres: information_schema, the comment functions, text and binary results.
    let what = "node-postgres";
    let node_dir = clients_dir().join("node");
    assert!(
        node_dir.join("node_modules").join("pg").exists(),
        "node-postgres is not installed in {}: run `make test-deps` (npm ci there)",
        node_dir.display()
    );
    let mut node = Command::new("node");
    node.arg(node_dir.join("inspect.js")).current_dir(&node_dir);
    let printed = run_client(what, node, &admin);
    assert_eq!(value(what, &printed, "tables"), all_tables);
    assert!(
        value(what, &printed, "columns enterprises").starts_with(
            "1:uscc text,2:name text,3:industry_code text,4:key_industry text,5:scale text,6:zone text,7:founded date,8:employees bigint,9:land_area_mu double precision"
        ),
        "{printed:#?}"
    );
    assert!(
        value(what, &printed, "columns enterprises")
            .ends_with("11:_ingested_at timestamp with time zone"),
        "{printed:#?}"
    );
    assert_eq!(
        value(what, &printed, "primary key production_monthly"),
        "uscc,period"
    );
    assert_eq!(
        value(what, &printed, "table comment enterprises"),
        enterprises_comment
    );
    assert_eq!(
        value(what, &printed, "column comment enterprises.zone"),
        "所在片区 / Zone of the park the enterprise is located in"
    );
    assert_eq!(value(what, &printed, "count in zone"), in_zone);
    assert_eq!(value(what, &printed, "count type oid"), "20");
    assert_eq!(
        value(what, &printed, "type oids"),
        "employees=20,land_area_mu=701,founded=1082,_ingested_at=1184"
    );
    assert_eq!(value(what, &printed, "founded is a date"), "true");
    assert_eq!(value(what, &printed, "binary count in zone"), in_zone);

    // psql's \dt, \dt+, \d and \d+, and a query with a psql variable.
    let listing = psql(&admin, "\\dt");
    for table in &table_names {
        assert!(
            listing.contains(&format!(" lake   | {table} ")),
            "{listing}"
        );
    }
    let described_listing = psql(&admin, "\\dt+ enterprises");
    assert!(
        described_listing.contains(enterprises_comment),
        "{described_listing}"
    );
    let described = psql(&admin, "\\d production_monthly");
    assert!(
        described.contains("Table \"lake.production_monthly\""),
        "{described}"
    );
    assert!(
        described.contains("\"production_monthly_pkey\" PRIMARY KEY, btree (uscc, period)"),
        "{described}"
    );
    let verbose = psql(&admin, "\\d+ production_monthly");
    assert!(
        verbose.contains("工业总产值 / Gross industrial output value (10k_yuan)"),
        "{verbose}"
    );
    let counted = psql(
        &admin,
        "SELECT count(*) AS n FROM enterprises WHERE zone = :'zone'",
    );
    assert!(
        counted.lines().any(|line| line.trim() == in_zone),
        "{counted}"
    );
    let centre_listing = psql(&centre, "\\dt");
    assert!(
        !centre_listing.contains("energy_readings"),
        "{centre_listing}"
    );
    assert!(centre_listing.contains("enterprises"), "{centre_listing}");

    drop(hub);
}
