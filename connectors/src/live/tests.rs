//! Unit tests of the live sources' parts that need no server.

use super::SourceKind;
use super::config::{SourceConfig, check_sources};
use super::database::sync_query;
use crate::Contracts;

fn config(text: &str) -> SourceConfig {
    toml::from_str(text).expect("a source table")
}

#[test]
fn a_database_source_reads_from_its_cursor_inclusively_in_order() {
    let contracts = Contracts::builtin().expect("contracts");
    let spec = config(
        r#"name = "erp"
        kind = "postgres"
        url = "postgres://reader@127.0.0.1/erp"
        table = "production_monthly"
        from = "public.monthly"
        cursor = "updated_at""#,
    )
    .check(&contracts)
    .expect("a good source");
    let SourceKind::Database(database) = &spec.kind else {
        panic!("a database source");
    };
    assert_eq!(database.key, vec!["uscc".to_string(), "period".to_string()]);
    assert_eq!(
        sync_query(database, None),
        "SELECT * FROM (SELECT * FROM \"public\".\"monthly\") AS parkhub_source WHERE \"updated_at\" IS NOT NULL ORDER BY \"updated_at\""
    );
    assert_eq!(
        sync_query(database, Some("2026-01-01 00:00:00+00' OR 1=1")),
        "SELECT * FROM (SELECT * FROM \"public\".\"monthly\") AS parkhub_source WHERE \"updated_at\" >= '2026-01-01 00:00:00+00'' OR 1=1' ORDER BY \"updated_at\""
    );
}

#[test]
fn bad_sources_are_named_with_what_is_wrong_and_do_not_stop_the_others() {
    let contracts = Contracts::builtin().expect("contracts");
    let good = config(
        r#"name = "meters"
        kind = "mqtt"
        url = "mqtt://127.0.0.1:1883"
        table = "energy_readings"
        topic = "park/+/meter/#"
        topic_levels = { uscc = 2 }"#,
    );
    let cases = [
        (
            r#"name = "a"
            kind = "oracle"
            url = "oracle://x"
            table = "enterprises""#,
            "source 'a': unknown kind 'oracle'",
        ),
        (
            r#"name = "b"
            kind = "mysql"
            url = "mysql://u:secret@127.0.0.1/erp"
            table = "enterprises"
            from = "t"
            cursor = "id""#,
            "source 'b': the url carries a password",
        ),
        (
            r#"name = "c"
            kind = "postgres"
            url = "postgres://u@127.0.0.1/erp"
            table = "no_such_table"
            from = "t"
            cursor = "id""#,
            "source 'c': unknown table 'no_such_table'",
        ),
        (
            r#"name = "d"
            kind = "postgres"
            url = "postgres://u@127.0.0.1/erp"
            table = "enterprises"
            from = "t""#,
            "source 'd': a database source needs cursor",
        ),
        (
            r#"name = "e"
            kind = "postgres"
            url = "postgres://u@127.0.0.1/erp"
            table = "enterprises"
            query = "DELETE FROM t"
            cursor = "id""#,
            "source 'e': query must be one SELECT",
        ),
        (
            r#"name = "f"
            kind = "postgres"
            url = "postgres://u@127.0.0.1/erp"
            table = "enterprises"
            from = "t"
            cursor = "id"
            every = "often""#,
            "source 'f': every 'often' is not a period",
        ),
        (
            r#"name = "g"
            kind = "mqtt"
            url = "mqtt://127.0.0.1"
            table = "energy_readings"
            topic = "x"
            qos = 2"#,
            "source 'g': qos must be 0 or 1",
        ),
        (
            r#"name = "h"
            kind = "mqtt"
            url = "mqtt://127.0.0.1"
            table = "energy_readings"
            topic = "x"
            fields = { kwh = "kilowatts" }"#,
            "'kilowatts', which is not a column",
        ),
    ];
    let mut configs = vec![good];
    configs.extend(cases.iter().map(|(text, _)| config(text)));
    let (specs, errors) = check_sources(&configs, &contracts);
    assert_eq!(specs.len(), 1, "the good source is kept");
    assert_eq!(specs[0].name, "meters");
    assert_eq!(errors.len(), cases.len());
    for ((_, expected), error) in cases.iter().zip(&errors) {
        let message = error.to_string();
        assert!(
            message.contains(expected),
            "{message} should say {expected}"
        );
        assert!(!message.contains("secret"), "no password in {message}");
    }
}

#[test]
fn two_sources_with_one_name_are_both_refused() {
    let contracts = Contracts::builtin().expect("contracts");
    let text = r#"name = "erp"
        kind = "postgres"
        url = "postgres://u@127.0.0.1/erp"
        table = "enterprises"
        from = "t"
        cursor = "id""#;
    let (specs, errors) = check_sources(&[config(text), config(text)], &contracts);
    assert!(specs.is_empty());
    assert_eq!(errors.len(), 2);
    assert!(errors[0].to_string().contains("two sources have this name"));
}

#[test]
fn an_unknown_setting_is_refused_by_name() {
    let refused = toml::from_str::<SourceConfig>(
        r#"name = "erp"
        kind = "postgres"
        url = "postgres://u@127.0.0.1/erp"
        table = "enterprises"
        cursr = "id""#,
    )
    .expect_err("a typo");
    assert!(
        refused.to_string().contains("unknown field `cursr`"),
        "{refused}"
    );
}
