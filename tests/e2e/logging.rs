//! What the server writes to its log when `PARKHUB_LOG` is not set.

use serde_json::json;

use crate::support::{TestHub, create_token, demo_dir, fresh_dir, parkhub, unique_token_name};

#[test]
fn by_default_the_server_logs_its_own_info_and_only_the_warnings_of_dependencies() {
    let log_path = fresh_dir("default-log").join("stderr.log");
    let log_file = std::fs::File::create(&log_path).expect("create the log file");
    let mut command = parkhub(demo_dir());
    command
        .env_remove("PARKHUB_LOG")
        .env_remove("PARKHUB_LOG_FORMAT")
        .stderr(log_file);
    let mut hub = TestHub::start_command(command, &[]);
    hub.token = create_token(demo_dir(), &unique_token_name("log"), "admin", &[]);
    let client = hub.http();
    // Queries over Delta tables, through SQL and an indicator: each once made the Delta
    // kernel log several INFO lines.
    for _ in 0..2 {
        let answer = client
            .post(hub.url("/api/sql"))
            .json(&json!({"sql": "SELECT count(*) AS n FROM energy_readings"}))
            .send()
            .expect("sql");
        assert_eq!(answer.status(), 200);
        let answer = client
            .get(hub.url("/api/indicators/energy_intensity"))
            .send()
            .expect("indicator");
        assert_eq!(answer.status(), 200);
    }
    assert!(hub.terminate().success());

    let log = without_colours(&std::fs::read_to_string(&log_path).expect("read the log"));
    assert!(
        log.lines()
            .any(|line| line.contains(" INFO ") && line.contains("serving")),
        "the server's own info lines are written:\n{log}"
    );
    // The Delta kernel (published as delta_kernel, and as buoyant_kernel by deltalake 1.1).
    assert!(
        !log.contains("delta_kernel") && !log.contains("buoyant_kernel"),
        "{log}"
    );
    // The target follows the spans: `… INFO span{…}: parkhub::server: message`.
    let foreign_info: Vec<&str> = log
        .lines()
        .filter(|line| {
            line.contains(" INFO ") && !(line.contains(" parkhub::") || line.contains(" parkhub_"))
        })
        .collect();
    assert!(
        foreign_info.is_empty(),
        "dependencies log at warn by default:\n{}",
        foreign_info.join("\n")
    );
}

/// Returns `text` without its ANSI colour sequences (`ESC [ … m`).
fn without_colours(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        if character == '\u{1b}' {
            characters.by_ref().find(|inner| *inner == 'm');
        } else {
            plain.push(character);
        }
    }
    plain
}
