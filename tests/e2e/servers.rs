//! Real database and broker servers for the live-source tests: PostgreSQL 15, MariaDB and
//! Mosquitto, each started by a test in a private folder under Cargo's temporary folder,
//! listening only on 127.0.0.1 on a free port, with a user and password where the server has
//! them. A server can be killed (SIGKILL, to simulate one that goes away) and restarted on the
//! same port over the same data; dropping it kills it and removes its folder, also when the
//! test panics. [`DatabaseServer`] is what the two database servers share. The tests at the end prove each helper.
//!
//! `make test-deps` installs the servers where missing; a missing binary is a panic that names
//! the Debian package, never a skipped test.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::fresh_dir;

/// How long a server may take to accept connections after it is started.
const READY_LIMIT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after a graceful stop signal before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(30);
/// The user every server has for the tests.
const USER: &str = "parkhub";
/// The database every database server has for the tests.
const DATABASE: &str = "erp";
/// Where Debian's PostgreSQL 15 keeps its programs.
const POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";

/// What the PostgreSQL and MariaDB servers have in common, so that a test can run against
/// either.
pub trait DatabaseServer {
    /// The TCP port on 127.0.0.1.
    fn port(&self) -> u16;

    /// `postgres://parkhub@127.0.0.1:PORT/erp` or `mysql://parkhub@127.0.0.1:PORT/erp`.
    fn url_without_password(&self) -> String;

    /// The password of user `parkhub`.
    fn password(&self) -> &str;

    /// Runs `sql` (one or more statements) in `erp` as `parkhub` over TCP with the password
    /// and returns what the statements print: one line a row, columns separated by tabs, no
    /// header. Panics with the client's error when a statement fails.
    fn execute(&self, sql: &str) -> String;

    /// Runs `sql` as the superuser (`postgres`, in database `postgres`; `root`) over the
    /// private Unix socket and returns what it prints as [`DatabaseServer::execute`] does.
    fn admin_execute(&self, sql: &str) -> String;

    /// Kills the server and all its processes with SIGKILL, as a crash would; it stays down
    /// until [`DatabaseServer::restart`].
    fn kill(&mut self);

    /// Shuts the server down when it runs, then starts it again on the same port over the
    /// same data and waits until `parkhub` can log in.
    fn restart(&mut self);

    /// The server's private folder: its data, its socket and its output in `server.log`.
    fn dir(&self) -> &Path;
}

/// A PostgreSQL 15 server of its own, run as the `postgres` system user, on 127.0.0.1 only.
/// Role `parkhub` (password [`PostgresServer::password`], `scram-sha-256` required over TCP)
/// owns database `erp`.
pub struct PostgresServer {
    daemon: Daemon,
    port: u16,
    password: String,
}

impl PostgresServer {
    /// Creates a cluster in a fresh folder, starts it on a free port and waits until role
    /// `parkhub` can log in to `erp`.
    pub fn start() -> PostgresServer {
        let initdb = postgres_tool("initdb");
        let program = postgres_tool("postgres");
        let (uid, gid) = system_user("postgres", "postgresql-15");
        let dir = fresh_dir(&unique_name("postgres"));
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown the Postgres folder");
        let data = dir.join("data");
        let output = Command::new(&initdb)
            .arg("--pgdata")
            .arg(&data)
            .args(["--username=postgres", "--encoding=UTF8", "--no-locale"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .args(["--no-sync", "--no-instructions"])
            .uid(uid)
            .gid(gid)
            .current_dir(&dir)
            .output()
            .expect("initdb runs");
        assert_success("initdb", &output);
        // Only the superuser over the private socket without a password; every TCP login on
        // 127.0.0.1 needs a SCRAM password; nothing else (no ::1, no other host).
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("write pg_hba.conf");
        let port = free_port();
        let args: Vec<OsString> = vec![
            "-D".into(),
            data.into(),
            "-p".into(),
            port.to_string().into(),
            "-k".into(),
            dir.clone().into(),
            "-c".into(),
            "listen_addresses=127.0.0.1".into(),
            // Losing the OS page cache is not what the tests simulate; a SIGKILL of the
            // server keeps every commit, since commits are still written before they return.
            "-c".into(),
            "fsync=off".into(),
            "-c".into(),
            "full_page_writes=off".into(),
            "-c".into(),
            "shared_buffers=32MB".into(),
        ];
        let mut server = PostgresServer {
            daemon: Daemon::new("PostgreSQL", program, args, Some((uid, gid)), dir),
            port,
            password: unique_password(),
        };
        server.daemon.spawn();
        server.wait_ready();
        server.admin_execute(&format!(
            "CREATE ROLE {USER} LOGIN PASSWORD '{}';\nCREATE DATABASE {DATABASE} OWNER {USER};",
            server.password
        ));
        server
    }

    fn admin_psql(&self, sql: &str) -> Output {
        let socket = self.daemon.dir.to_str().expect("UTF-8 path");
        let target = format!(
            "host={socket} port={} user=postgres dbname=postgres",
            self.port
        );
        psql(sql, &target, None)
    }

    fn wait_ready(&mut self) {
        let probe = |server: &PostgresServer| server.admin_psql("SELECT 1").status.success();
        let deadline = Instant::now() + READY_LIMIT;
        while !probe(self) {
            self.daemon.check_alive_until(deadline);
        }
    }
}

impl DatabaseServer for PostgresServer {
    fn port(&self) -> u16 {
        self.port
    }

    fn url_without_password(&self) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    fn password(&self) -> &str {
        &self.password
    }

    fn execute(&self, sql: &str) -> String {
        let output = psql(sql, &self.url_without_password(), Some(&self.password));
        stdout_of("psql", &output)
    }

    fn admin_execute(&self, sql: &str) -> String {
        stdout_of("psql", &self.admin_psql(sql))
    }

    fn kill(&mut self) {
        self.daemon.kill();
    }

    /// A fast shutdown (SIGINT) first: open connections are closed.
    fn restart(&mut self) {
        self.daemon.stop("INT");
        self.daemon.spawn();
        self.wait_ready();
    }

    fn dir(&self) -> &Path {
        &self.daemon.dir
    }
}

/// Runs `psql` on `target` (a URL or a connection string) with `sql` on stdin, stopping at the
/// first error, printing rows unaligned with tab-separated columns and nothing else.
fn psql(sql: &str, target: &str, password: Option<&str>) -> Output {
    let mut command = Command::new(postgres_tool("psql"));
    command
        .args(["--no-psqlrc", "--quiet", "--no-align", "--tuples-only"])
        .args(["--field-separator=\t", "--set=ON_ERROR_STOP=1", "--file=-"])
        .arg(target)
        .env("PGCONNECT_TIMEOUT", "5")
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE");
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    run_with_stdin(command, sql)
}

/// A MariaDB server of its own on 127.0.0.1 only. User `parkhub` (password
/// [`MariaDbServer::password`]) has every privilege on database `erp`.
pub struct MariaDbServer {
    daemon: Daemon,
    port: u16,
    password: String,
}

impl MariaDbServer {
    /// Creates the system tables in a fresh folder, starts the server on a free port and waits
    /// until `parkhub` can log in to `erp`.
    pub fn start() -> MariaDbServer {
        let install = system_tool("mariadb-install-db", "mariadb-server");
        let program = system_tool("mariadbd", "mariadb-server");
        let dir = fresh_dir(&unique_name("mariadb"));
        let data = dir.join("data");
        // Small InnoDB files: the default redo log alone is 96 MB.
        let sizes = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"];
        let output = Command::new(&install)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .args(["--skip-name-resolve", "--user=root"])
            .args(sizes)
            .current_dir(&dir)
            .output()
            .expect("mariadb-install-db runs");
        assert_success("mariadb-install-db", &output);
        let port = free_port();
        let mut args: Vec<OsString> = vec![
            "--no-defaults".into(),
            format!("--datadir={}", data.display()).into(),
            format!("--socket={}", dir.join("mariadbd.sock").display()).into(),
            format!("--pid-file={}", dir.join("mariadbd.pid").display()).into(),
            format!("--port={port}").into(),
            "--bind-address=127.0.0.1".into(),
            "--skip-name-resolve".into(),
            // The tests run as root; the folder is theirs.
            "--user=root".into(),
            "--character-set-server=utf8mb4".into(),
            "--collation-server=utf8mb4_unicode_ci".into(),
            // Commits reach the OS at once (a SIGKILL keeps them), the disk once a second.
            "--innodb-flush-log-at-trx-commit=2".into(),
        ];
        args.extend(sizes.map(OsString::from));
        let mut server = MariaDbServer {
            daemon: Daemon::new("MariaDB", program, args, None, dir),
            port,
            password: unique_password(),
        };
        server.daemon.spawn();
        server.wait_ready();
        server.admin_execute(&format!(
            "CREATE DATABASE {DATABASE};\n\
             CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{}';\n\
             GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{USER}'@'127.0.0.1';",
            server.password
        ));
        server
    }

    fn admin_mariadb(&self, sql: &str) -> Output {
        let socket = format!(
            "--socket={}",
            self.daemon.dir.join("mariadbd.sock").display()
        );
        mariadb(sql, &["--protocol=SOCKET", &socket, "--user=root"], None)
    }

    fn wait_ready(&mut self) {
        let probe = |server: &MariaDbServer| server.admin_mariadb("SELECT 1").status.success();
        let deadline = Instant::now() + READY_LIMIT;
        while !probe(self) {
            self.daemon.check_alive_until(deadline);
        }
    }
}

impl DatabaseServer for MariaDbServer {
    fn port(&self) -> u16 {
        self.port
    }

    fn url_without_password(&self) -> String {
        format!("mysql://{USER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    fn password(&self) -> &str {
        &self.password
    }

    fn execute(&self, sql: &str) -> String {
        let port = format!("--port={}", self.port);
        let connection = ["--protocol=TCP", "--host=127.0.0.1", &port];
        let user = [&format!("--user={USER}"), &format!("--database={DATABASE}")];
        let connection: Vec<&str> = connection
            .into_iter()
            .chain(user.map(String::as_str))
            .collect();
        stdout_of("mariadb", &mariadb(sql, &connection, Some(&self.password)))
    }

    fn admin_execute(&self, sql: &str) -> String {
        stdout_of("mariadb", &self.admin_mariadb(sql))
    }

    fn kill(&mut self) {
        self.daemon.kill();
    }

    fn restart(&mut self) {
        self.daemon.stop("TERM");
        self.daemon.spawn();
        self.wait_ready();
    }

    fn dir(&self) -> &Path {
        &self.daemon.dir
    }
}

/// Runs the `mariadb` client with `connection` arguments and `sql` on stdin, in batch mode
/// without column names, stopping at the first error.
fn mariadb(sql: &str, connection: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(system_tool("mariadb", "mariadb-client"));
    command
        .arg("--no-defaults")
        .args(connection)
        .args(["--batch", "--skip-column-names", "--connect-timeout=5"])
        .arg("--default-character-set=utf8mb4")
        .env_remove("MYSQL_PWD");
    if let Some(password) = password {
        command.env("MYSQL_PWD", password);
    }
    run_with_stdin(command, sql)
}

/// A Mosquitto broker of its own on 127.0.0.1 only, anonymous, with persistence in its folder
/// so that persistent sessions and their queued messages survive a restart.
pub struct MosquittoServer {
    daemon: Daemon,
    port: u16,
}

impl MosquittoServer {
    /// Writes a config into a fresh folder, starts the broker on a free port and waits until
    /// it accepts connections.
    pub fn start() -> MosquittoServer {
        let program = system_tool("mosquitto", "mosquitto");
        let dir = fresh_dir(&unique_name("mosquitto"));
        let port = free_port();
        let config = dir.join("mosquitto.conf");
        // Queued messages of an offline persistent session are not capped at the default
        // 1,000, so that a subscriber that is down while 10,000 arrive gets them all.
        std::fs::write(
            &config,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\nuser root\n\
                 persistence true\npersistence_location {}/\n\
                 max_queued_messages 1000000\nlog_dest stderr\n",
                dir.display()
            ),
        )
        .expect("write mosquitto.conf");
        let args = vec![OsString::from("-c"), config.into()];
        let mut server = MosquittoServer {
            daemon: Daemon::new("Mosquitto", program, args, None, dir),
            port,
        };
        server.daemon.spawn();
        server.wait_ready();
        server
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Publishes one message with `mosquitto_pub` and returns once the broker has it (at QoS
    /// 1 or 2, acknowledged).
    pub fn publish(&self, topic: &str, payload: &str, qos: u8) {
        let mut command = self.client("mosquitto_pub", qos);
        command.args(["-t", topic, "-m", payload]);
        let output = run_with_stdin(command, "");
        assert_success("mosquitto_pub", &output);
    }

    /// Publishes every payload as one message on `topic`, in order, through one connection
    /// (`mosquitto_pub -l`: about 30,000 messages a second at QoS 1). A payload may not hold a
    /// newline.
    pub fn publish_lines<S: AsRef<str>>(&self, topic: &str, payloads: &[S], qos: u8) {
        let mut lines = String::new();
        for payload in payloads {
            let payload = payload.as_ref();
            assert!(!payload.contains('\n'), "a line payload holds a newline");
            lines.push_str(payload);
            lines.push('\n');
        }
        let mut command = self.client("mosquitto_pub", qos);
        command.args(["-t", topic, "-l"]);
        let output = run_with_stdin(command, &lines);
        assert_success("mosquitto_pub -l", &output);
    }

    /// Connects as `client_id` with a persistent session (clean session off), subscribes to
    /// `topic` at `qos` and disconnects once the broker acknowledged: from then on the broker
    /// queues the matching messages for `client_id`.
    pub fn register_session(&self, client_id: &str, topic: &str, qos: u8) {
        let mut command = self.client("mosquitto_sub", qos);
        command.args(["-c", "-i", client_id, "-t", topic, "-E"]);
        let output = run_with_stdin(command, "");
        assert_success("mosquitto_sub -E", &output);
    }

    /// Resumes the persistent session of `client_id` on `topic` and returns the payloads of
    /// the first `count` messages it receives (queued ones first), failing the test when they
    /// do not all arrive within `limit`.
    pub fn receive(
        &self,
        client_id: &str,
        topic: &str,
        qos: u8,
        count: usize,
        limit: Duration,
    ) -> Vec<String> {
        let mut command = self.client("mosquitto_sub", qos);
        command
            .args(["-c", "-i", client_id, "-t", topic])
            .args(["-C", &count.to_string()])
            .args(["-W", &limit.as_secs().max(1).to_string()]);
        let output = run_with_stdin(command, "");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let payloads: Vec<String> = stdout.lines().map(str::to_string).collect();
        assert!(
            output.status.success() && payloads.len() == count,
            "mosquitto_sub received {} of {count} messages on {topic} ({}):\n{}\nbroker log:\n{}",
            payloads.len(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
            self.daemon.log_tail()
        );
        payloads
    }

    /// Kills the broker with SIGKILL, as a crash would: what it had not saved yet is lost
    /// (Mosquitto saves on shutdown). It stays down until [`MosquittoServer::restart`].
    pub fn kill(&mut self) {
        self.daemon.kill();
    }

    /// Shuts the broker down when it runs (it saves its sessions and messages), then starts it
    /// again on the same port over the same persistence file.
    pub fn restart(&mut self) {
        self.daemon.stop("TERM");
        self.daemon.spawn();
        self.wait_ready();
    }

    /// A `mosquitto_pub` or `mosquitto_sub` command for this broker at `qos`.
    fn client(&self, program: &str, qos: u8) -> Command {
        assert!(qos <= 2, "MQTT QoS {qos}");
        let mut command = Command::new(system_tool(program, "mosquitto-clients"));
        command
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-q", &qos.to_string()]);
        command
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + READY_LIMIT;
        while TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).is_err() {
            self.daemon.check_alive_until(deadline);
        }
    }
}

/// A server process of a test, in its own process group, with its output in `dir/server.log`.
/// Dropping it kills the group and removes `dir`.
struct Daemon {
    label: &'static str,
    program: PathBuf,
    args: Vec<OsString>,
    /// The uid and gid to run as, when not root.
    user: Option<(u32, u32)>,
    dir: PathBuf,
    child: Option<Child>,
}

impl Daemon {
    fn new(
        label: &'static str,
        program: PathBuf,
        args: Vec<OsString>,
        user: Option<(u32, u32)>,
        dir: PathBuf,
    ) -> Daemon {
        Daemon {
            label,
            program,
            args,
            user,
            dir,
            child: None,
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// Starts the program; its output is appended to the log.
    fn spawn(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.label);
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("open the server log");
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log handle"))
            .stderr(log)
            .process_group(0);
        if let Some((uid, gid)) = self.user {
            command.uid(uid).gid(gid);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("{} does not start: {error}", self.label));
        self.child = Some(child);
    }

    /// Panics with the log when the server has exited or `deadline` has passed; otherwise
    /// waits a little before the caller probes again.
    fn check_alive_until(&mut self, deadline: Instant) {
        let child = self.child.as_mut().expect("the server was started");
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{} exited with {status} before it accepted connections; its log:\n{}",
                self.label,
                self.log_tail()
            );
        }
        assert!(
            Instant::now() < deadline,
            "{} did not accept connections within {} s; its log:\n{}",
            self.label,
            READY_LIMIT.as_secs(),
            self.log_tail()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    /// The end of the server's log, for a failure message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Sends `signal` to the server's main process and waits until it exits; kills the group
    /// when it does not exit within [`STOP_LIMIT`]. Does nothing when it is not running.
    fn stop(&mut self, signal: &str) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if child.try_wait().ok().flatten().is_none() {
            let _ = Command::new("kill")
                .args(["-s", signal, &child.id().to_string()])
                .status();
            let deadline = Instant::now() + STOP_LIMIT;
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }

    /// Kills the server's process group with SIGKILL and reaps its main process.
    fn kill(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A name for a server's folder that no other server of this run uses.
fn unique_name(kind: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{kind}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A password of letters and digits that differs between servers and runs.
fn unique_password() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .subsec_nanos();
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let next = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("pw{}x{nanos}x{next}", std::process::id())
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// The path of PostgreSQL 15's `name`, or a panic naming the package that has it.
fn postgres_tool(name: &str) -> PathBuf {
    let path = Path::new(POSTGRES_BIN).join(name);
    assert!(
        path.is_file(),
        "{} is missing: install Debian package postgresql-15 (`make test-deps` does)",
        path.display()
    );
    path
}

/// The path of `name` on PATH or in /usr/sbin, or a panic naming the Debian `package` that
/// `make test-deps` installs.
fn system_tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is missing: install Debian package {package} (`make test-deps` does)")
        })
}

/// The uid and gid of system user `name` from /etc/passwd, or a panic naming the package that
/// creates it.
fn system_user(name: &str, package: &str) -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 3 && fields[0] == name)
        .and_then(|fields| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
        .unwrap_or_else(|| {
            panic!("system user {name} is missing: install Debian package {package}")
        })
}

/// Runs `command` with `input` on stdin and returns its output.
fn run_with_stdin(mut command: Command, input: &str) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{program} does not start: {error}"));
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    // A writer thread, so that a client printing much before reading all of stdin cannot
    // block on a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("wait for the client");
    // The client may exit without reading everything (an error), which breaks the pipe.
    let _ = writer.join();
    output
}

fn assert_success(program: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{program} failed with {}:\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The stdout of a client that must have succeeded, without its final newline.
fn stdout_of(program: &str, output: &Output) -> String {
    assert_success(program, output);
    let stdout = String::from_utf8(output.stdout.clone()).expect("client output is UTF-8");
    stdout.trim_end_matches('\n').to_string()
}

/// Whether anything accepts TCP connections on `port` of 127.0.0.1.
fn listens(port: u16) -> bool {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Creates a table with Chinese names in `server`, fills it, kills and restarts the server,
/// restarts it gracefully, and checks the rows each time; then stops it.
fn keeps_rows_through_a_kill_and_a_restart<S: DatabaseServer>(mut server: S) {
    let values: Vec<String> = (1..=500).map(|n| format!("({n}, '企业{n}')")).collect();
    server.execute(&format!(
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, 企业 VARCHAR(40) NOT NULL);\n\
         INSERT INTO orders VALUES {};",
        values.join(", ")
    ));
    assert_eq!(server.execute("SELECT COUNT(*) FROM orders"), "500");
    assert_eq!(
        server.execute("SELECT id, 企业 FROM orders WHERE id = 7"),
        "7\t企业7"
    );

    server.kill();
    assert!(!listens(server.port()), "the killed server still listens");
    server.restart();
    server.execute("INSERT INTO orders VALUES (501, 'late')");
    assert_eq!(server.execute("SELECT COUNT(*) FROM orders"), "501");

    server.restart();
    assert_eq!(server.execute("SELECT MAX(id) FROM orders"), "501");
    let dir = server.dir().to_path_buf();
    drop(server);
    assert!(!dir.exists(), "the dropped server's folder is removed");
}

#[test]
fn servers_postgres_keeps_rows_through_a_kill_and_a_restart() {
    keeps_rows_through_a_kill_and_a_restart(PostgresServer::start());
}

#[test]
fn servers_mariadb_keeps_rows_through_a_kill_and_a_restart() {
    keeps_rows_through_a_kill_and_a_restart(MariaDbServer::start());
}

#[test]
fn servers_postgres_requires_the_password_over_tcp() {
    let server = PostgresServer::start();
    let url = server.url_without_password();
    assert_eq!(
        url,
        format!("postgres://parkhub@127.0.0.1:{}/erp", server.port())
    );
    let right = psql("SELECT current_user", &url, Some(server.password()));
    assert_eq!(stdout_of("psql", &right), "parkhub");
    let wrong = psql("SELECT 1", &url, Some("not-the-password"));
    assert!(!wrong.status.success(), "a wrong password logged in");
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("password authentication failed"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    let none = psql("SELECT 1", &url, None);
    assert!(!none.status.success(), "no password logged in");
    // The superuser may not log in over TCP without a password either.
    let superuser = format!("postgres://postgres@127.0.0.1:{}/postgres", server.port());
    assert!(!psql("SELECT 1", &superuser, None).status.success());
    assert_eq!(
        server.admin_execute("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'"),
        "127.0.0.1"
    );
}

#[test]
fn servers_mariadb_requires_the_password_over_tcp() {
    let server = MariaDbServer::start();
    let url = reqwest::Url::parse(&server.url_without_password()).expect("a URL");
    assert_eq!(url.scheme(), "mysql");
    assert_eq!(url.host_str(), Some("127.0.0.1"));
    assert_eq!(url.port(), Some(server.port()));
    assert_eq!(url.password(), None);
    let connection = [
        "--protocol=TCP".to_string(),
        "--host=127.0.0.1".to_string(),
        format!("--port={}", server.port()),
        format!("--user={}", url.username()),
        format!("--database={}", url.path().trim_start_matches('/')),
    ];
    let connection: Vec<&str> = connection.iter().map(String::as_str).collect();
    let right = mariadb(
        "SELECT CURRENT_USER()",
        &connection,
        Some(server.password()),
    );
    assert_eq!(stdout_of("mariadb", &right), "parkhub@127.0.0.1");
    let wrong = mariadb("SELECT 1", &connection, Some("not-the-password"));
    assert!(!wrong.status.success(), "a wrong password logged in");
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("Access denied"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert!(!mariadb("SELECT 1", &connection, None).status.success());
    assert_eq!(
        server.admin_execute("SELECT @@bind_address, @@character_set_server"),
        "127.0.0.1\tutf8mb4"
    );
}

#[test]
fn servers_mosquitto_delivers_a_thousand_qos1_messages_to_a_persistent_session() {
    let server = MosquittoServer::start();
    server.register_session("servers-test", "park/+/meter/#", 1);
    let payloads: Vec<String> = (0..1000)
        .map(|n| format!(r#"{{"seq":{n},"kwh":{n}.5}}"#))
        .collect();
    server.publish_lines("park/p1/meter/m1", &payloads, 1);
    let received = server.receive(
        "servers-test",
        "park/+/meter/#",
        1,
        1000,
        Duration::from_secs(10),
    );
    assert_eq!(received, payloads);
}

#[test]
fn servers_mosquitto_keeps_queued_messages_through_a_restart() {
    let mut server = MosquittoServer::start();
    server.register_session("servers-restart", "meters/#", 1);
    server.publish("meters/a", "one", 1);
    server.publish("meters/b", "two", 1);
    server.restart();
    server.publish("meters/c", "three", 1);
    let received = server.receive("servers-restart", "meters/#", 1, 3, Duration::from_secs(10));
    assert_eq!(received, ["one", "two", "three"]);

    // A killed broker loses what it had not saved (here, that "one" to "three" were
    // delivered), so the test after the kill uses a session of its own.
    server.kill();
    assert!(!listens(server.port()), "the killed broker still listens");
    server.restart();
    server.register_session("servers-after-kill", "meters/#", 1);
    server.publish("meters/d", "four", 1);
    let received = server.receive(
        "servers-after-kill",
        "meters/#",
        1,
        1,
        Duration::from_secs(10),
    );
    assert_eq!(received, ["four"]);
    let dir = server.daemon.dir.clone();
    drop(server);
    assert!(!dir.exists(), "the dropped broker's folder is removed");
}
