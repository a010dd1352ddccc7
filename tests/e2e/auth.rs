//! Tokens, roles, rate limits and the audit trail through the real binary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{
    TestHub, create_token, demo_dir, fresh_dir, http_with_token, plain_http, run, run_ok, sql_json,
    unique_token_name,
};

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("parkhub.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

/// Asserts a 401 with the error body and the challenge header; returns the message.
fn assert_unauthorized(response: reqwest::blocking::Response) -> String {
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"]
            .to_str()
            .expect("text"),
        "Bearer realm=\"parkhub\""
    );
    let body: Value = response.json().expect("JSON body");
    assert_eq!(body["code"], "unauthorized", "{body}");
    body["message"].as_str().expect("message").to_string()
}

/// Posts `sql` to `/api/sql` with `client` and returns the status.
fn sql_status(client: &reqwest::blocking::Client, hub: &TestHub, sql: &str) -> u16 {
    client
        .post(hub.url("/api/sql"))
        .json(&json!({ "sql": sql }))
        .send()
        .expect("POST")
        .status()
        .as_u16()
}

fn first_enterprise(dir: &Path) -> String {
    let rows = sql_json(dir, "SELECT uscc FROM enterprises ORDER BY uscc LIMIT 1");
    rows[0]["uscc"].as_str().expect("uscc").to_string()
}

#[test]
fn missing_malformed_unknown_revoked_and_expired_tokens_are_refused() {
    let dir = demo_dir();
    let hub = TestHub::start(dir, &[]);
    let tables = hub.url("/api/tables");

    // /health alone answers without a token.
    assert_eq!(
        plain_http()
            .get(hub.url("/health"))
            .send()
            .expect("GET")
            .status(),
        200
    );
    let message = assert_unauthorized(plain_http().get(&tables).send().expect("GET"));
    assert!(message.contains("Authorization: Bearer"), "{message}");
    for header in [
        "Bearer not-a-token",
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
        "phk_0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let response = plain_http()
            .get(&tables)
            .header("authorization", header)
            .send()
            .expect("GET");
        assert_unauthorized(response);
    }
    let unknown = format!("phk_{}", "ab".repeat(32));
    let message = assert_unauthorized(http_with_token(&unknown).get(&tables).send().expect("GET"));
    assert!(message.contains("not known"), "{message}");
    assert_eq!(hub.http().get(&tables).send().expect("GET").status(), 200);

    // A token created and revoked while serve runs counts at once.
    let name = unique_token_name("revoked");
    let token = create_token(dir, &name, "committee", &[]);
    let client = http_with_token(&token);
    assert_eq!(client.get(&tables).send().expect("GET").status(), 200);
    run_ok(dir, &["token", "revoke", &name]);
    let message = assert_unauthorized(client.get(&tables).send().expect("GET"));
    assert!(message.contains("revoked"), "{message}");
    let again = run(dir, &["token", "revoke", &name]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("revoked already"));

    // A token is valid through its last day and refused after it.
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().expect("a day").to_string();
    let expired = create_token(
        dir,
        &unique_token_name("expired"),
        "committee",
        &["--expires", &yesterday],
    );
    let message = assert_unauthorized(http_with_token(&expired).get(&tables).send().expect("GET"));
    assert!(message.contains("expired"), "{message}");
    let until_today = create_token(
        dir,
        &unique_token_name("today"),
        "committee",
        &["--expires", &today.to_string()],
    );
    assert_eq!(
        http_with_token(&until_today)
            .get(&tables)
            .send()
            .expect("GET")
            .status(),
        200
    );

    // The list shows every token's state, never a token or its hash.
    let listed = run_ok(dir, &["token", "list", "--format", "json"]);
    assert!(
        !listed.contains(&token) && !listed.contains("hash"),
        "{listed}"
    );
    let listed: Vec<Value> = serde_json::from_str(&listed).expect("JSON");
    let record = listed
        .iter()
        .find(|record| record["name"] == name.as_str())
        .expect("listed");
    assert_eq!(record["role"], "committee");
    assert!(record["revoked_at"].is_string(), "{record}");
    assert!(record["last_used_at"].is_string(), "{record}");
    let table = run_ok(dir, &["token", "list"]);
    assert!(
        table
            .lines()
            .any(|line| line.starts_with(&name) && line.ends_with("revoked")),
        "{table}"
    );
    let stored = std::fs::read_to_string(dir.join("auth").join("tokens.json")).expect("store");
    assert!(
        !stored.contains(&token[4..]),
        "the store holds a token in clear"
    );
}

#[test]
fn each_role_reaches_only_its_routes() {
    let dir = demo_dir();
    let hub = TestHub::start(dir, &[]);
    let uscc = first_enterprise(dir);
    let enterprise = http_with_token(&create_token(
        dir,
        &unique_token_name("firm"),
        "enterprise",
        &["--uscc", &uscc],
    ));
    let centre = http_with_token(&create_token(
        dir,
        &unique_token_name("centre"),
        "centre",
        &[],
    ));

    let forbidden = |response: reqwest::blocking::Response| {
        assert_eq!(response.status(), 403);
        let body: Value = response.json().expect("JSON");
        assert_eq!(body["code"], "forbidden", "{body}");
        body["message"].as_str().expect("message").to_string()
    };
    let message = forbidden(
        enterprise
            .put(hub.url("/api/catalog/offering/OF-0001"))
            .json(&json!({"name_zh": "x"}))
            .send()
            .expect("PUT"),
    );
    assert!(message.contains("enterprise role may not"), "{message}");
    forbidden(
        enterprise
            .delete(hub.url("/api/catalog/offering/OF-0001"))
            .send()
            .expect("DELETE"),
    );
    forbidden(enterprise.get(hub.url("/api/tokens")).send().expect("GET"));
    forbidden(
        enterprise
            .post(hub.url("/api/tokens"))
            .json(&json!({"name": "mine", "role": "admin"}))
            .send()
            .expect("POST"),
    );
    forbidden(
        enterprise
            .post(hub.url("/api/match"))
            .json(&json!({"uscc": uscc, "text": "能耗"}))
            .send()
            .expect("POST"),
    );
    forbidden(
        centre
            .post(hub.url("/api/ingest/enterprises"))
            .header("content-type", "text/csv")
            .body("uscc\n")
            .send()
            .expect("POST"),
    );
    forbidden(centre.get(hub.url("/api/tokens")).send().expect("GET"));
    // What every role may do.
    for client in [&enterprise, &centre] {
        assert_eq!(
            client
                .get(hub.url("/api/tables"))
                .send()
                .expect("GET")
                .status(),
            200
        );
        assert_eq!(
            client
                .get(hub.url("/api/catalog/search"))
                .query(&[("q", "能耗")])
                .send()
                .expect("GET")
                .status(),
            200
        );
    }

    // Tokens over HTTP, admin only: created, listed without secrets, revoked.
    let name = unique_token_name("http-made");
    let created = hub
        .http()
        .post(hub.url("/api/tokens"))
        .json(&json!({"name": name, "role": "committee"}))
        .send()
        .expect("POST");
    assert_eq!(created.status(), 201);
    let created: Value = created.json().expect("JSON");
    let token = created["token"].as_str().expect("token").to_string();
    assert_eq!(created["role"], "committee");
    let committee = http_with_token(&token);
    assert_eq!(sql_status(&committee, &hub, "SELECT 1 AS one"), 200);
    let duplicate = hub
        .http()
        .post(hub.url("/api/tokens"))
        .json(&json!({"name": name, "role": "committee"}))
        .send()
        .expect("POST");
    assert_eq!(duplicate.status(), 409);
    let listed = hub
        .http()
        .get(hub.url("/api/tokens"))
        .send()
        .expect("GET")
        .text()
        .expect("body");
    assert!(
        listed.contains(&name) && !listed.contains(&token),
        "{listed}"
    );
    let revoked = hub
        .http()
        .delete(hub.url(&format!("/api/tokens/{name}")))
        .send()
        .expect("DELETE");
    assert_eq!(revoked.status(), 200);
    assert_unauthorized(committee.get(hub.url("/api/tables")).send().expect("GET"));
    let bad_enterprise = hub
        .http()
        .post(hub.url("/api/tokens"))
        .json(&json!({"name": unique_token_name("x"), "role": "enterprise", "uscc": "91320500MA1ABCDE12"}))
        .send()
        .expect("POST");
    assert_eq!(bad_enterprise.status(), 400);
}

#[test]
fn whoami_names_the_token_its_role_and_an_enterprise_with_its_registered_name() {
    let dir = demo_dir();
    let hub = TestHub::start(dir, &[]);
    let uscc = first_enterprise(dir);
    let registered = sql_json(
        dir,
        &format!("SELECT name FROM enterprises WHERE uscc = '{uscc}'"),
    );
    let registered_name = registered[0]["name"].as_str().expect("name").to_string();
    let whoami = |client: &reqwest::blocking::Client| -> Value {
        let response = client.get(hub.url("/api/whoami")).send().expect("GET");
        assert_eq!(response.status(), 200);
        response.json().expect("JSON")
    };

    assert_eq!(
        whoami(&hub.http()),
        json!({"name": hub.token_name, "role": "admin", "uscc": null, "enterprise_name": null})
    );
    for role in ["committee", "centre"] {
        let name = unique_token_name(role);
        let client = http_with_token(&create_token(dir, &name, role, &[]));
        assert_eq!(
            whoami(&client),
            json!({"name": name, "role": role, "uscc": null, "enterprise_name": null})
        );
    }
    let name = unique_token_name("firm");
    // The CLI takes the code in any case; the answer spells it as the registry does.
    let enterprise = http_with_token(&create_token(
        dir,
        &name,
        "enterprise",
        &["--uscc", &uscc.to_ascii_lowercase()],
    ));
    assert_eq!(
        whoami(&enterprise),
        json!({"name": name, "role": "enterprise", "uscc": uscc, "enterprise_name": registered_name})
    );
    assert!(!registered_name.is_empty());

    assert_unauthorized(
        plain_http()
            .get(hub.url("/api/whoami"))
            .send()
            .expect("GET"),
    );
}

#[test]
fn enterprise_tokens_need_a_registered_uscc_and_others_refuse_one() {
    let dir = demo_dir();
    let refused = |args: &[&str], mentions: &str| {
        let mut all = vec!["token", "create", "--name"];
        let name = unique_token_name("refused");
        all.push(&name);
        all.extend_from_slice(args);
        let output = run(dir, &all);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(output.stdout.is_empty(), "{args:?} printed a token");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(mentions), "{args:?}: {stderr}");
    };
    refused(&["--role", "enterprise"], "needs the enterprise's USCC");
    refused(&["--role", "enterprise", "--uscc", "12345"], "not valid");
    // A valid code (check character right) that the demo registry does not hold.
    let unregistered =
        parkhub_connectors::uscc::with_check_character("91110000100000000").expect("a code");
    refused(
        &["--role", "enterprise", "--uscc", &unregistered],
        "enterprises table",
    );
    refused(
        &["--role", "committee", "--uscc", &first_enterprise(dir)],
        "only enterprise tokens",
    );
    refused(&["--role", "root"], "not a role");
    refused(&["--role", "admin", "--expires", "next week"], "YYYY-MM-DD");
}

#[test]
fn anonymous_search_needs_the_config_flag() {
    let hub = TestHub::start(demo_dir(), &[]);
    let search = |hub: &TestHub| {
        plain_http()
            .get(hub.url("/api/catalog/search"))
            .query(&[("q", "预测性维护")])
            .send()
            .expect("GET")
    };
    assert_unauthorized(search(&hub));
    drop(hub);

    let config_dir = fresh_dir("anonymous-search");
    let config = write_config(&config_dir, "allow_anonymous_search = true\n");
    let hub = TestHub::start(demo_dir(), &["--config", config.to_str().expect("utf8")]);
    let response = search(&hub);
    assert_eq!(response.status(), 200);
    let results: Value = response.json().expect("JSON");
    assert!(results["total"].as_u64().expect("total") > 0, "{results}");
    // Only search opens up.
    assert_unauthorized(
        plain_http()
            .get(hub.url("/api/tables"))
            .send()
            .expect("GET"),
    );
    assert_unauthorized(
        plain_http()
            .get(hub.url("/api/catalog/offering/OF-0001"))
            .send()
            .expect("GET"),
    );
}

#[test]
fn a_token_over_its_rate_is_answered_429_and_large_bodies_413() {
    let config_dir = fresh_dir("rate-limit");
    let config = write_config(
        &config_dir,
        "[limits]\nrequests_per_second = 1\nburst = 3\nmax_request_bytes = 4096\n",
    );
    let hub = TestHub::start(demo_dir(), &["--config", config.to_str().expect("utf8")]);
    let client = hub.http();
    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            client
                .get(hub.url("/api/indicators"))
                .send()
                .expect("GET")
                .status()
                .as_u16()
        })
        .collect();
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    assert_eq!(statuses[3], 429, "{statuses:?}");
    let limited = client.get(hub.url("/api/indicators")).send().expect("GET");
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().expect("JSON");
    assert_eq!(body["code"], "rate_limited");
    // Another token has its own bucket; a large body is refused before it is read.
    let other = http_with_token(&create_token(
        demo_dir(),
        &unique_token_name("other"),
        "committee",
        &[],
    ));
    let big = json!({"sql": format!("SELECT '{}' AS padding", "x".repeat(8192))});
    let response = other
        .post(hub.url("/api/sql"))
        .json(&big)
        .send()
        .expect("POST");
    assert_eq!(response.status(), 413);
}

#[test]
fn serve_creates_a_first_admin_token_once_and_demo_tokens_per_role() {
    let dir = fresh_dir("first-admin");
    let hub = TestHub::start_without_token(&dir, &[]);
    let token = hub
        .printed_tokens
        .get("admin")
        .expect("an admin token printed")
        .clone();
    assert_eq!(hub.printed_tokens.len(), 1);
    assert_eq!(
        hub.http()
            .get(hub.url("/api/tables"))
            .send()
            .expect("GET")
            .status(),
        200
    );
    drop(hub);
    let again = TestHub::start_without_token(&dir, &[]);
    assert!(
        again.printed_tokens.is_empty(),
        "{:?}",
        again.printed_tokens
    );
    assert_eq!(
        http_with_token(&token)
            .get(again.url("/api/tables"))
            .send()
            .expect("GET")
            .status(),
        200
    );
    drop(again);

    let demo = fresh_dir("demo-tokens");
    let args = [
        "--demo",
        "--enterprises",
        "6",
        "--months",
        "2",
        "--energy-days",
        "1",
    ];
    let hub = TestHub::start_without_token(&demo, &args);
    let names: Vec<&str> = hub.printed_tokens.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "demo-admin",
            "demo-centre",
            "demo-committee",
            "demo-enterprise"
        ]
    );
    let enterprise = http_with_token(&hub.printed_tokens["demo-enterprise"]);
    assert_eq!(
        enterprise
            .delete(hub.url("/api/catalog/offering/OF-0001"))
            .send()
            .expect("DELETE")
            .status(),
        403
    );
    let centre = http_with_token(&hub.printed_tokens["demo-centre"]);
    assert_eq!(
        centre
            .get(hub.url("/api/tables"))
            .send()
            .expect("GET")
            .status(),
        200
    );
    drop(hub);
    let listed: Vec<Value> =
        serde_json::from_str(&run_ok(&demo, &["token", "list", "--format", "json"])).expect("JSON");
    assert_eq!(listed.len(), 4, "no first admin token beside the demo ones");
    let bound = listed
        .iter()
        .find(|record| record["name"] == "demo-enterprise")
        .expect("listed");
    assert_eq!(
        bound["uscc"].as_str(),
        Some(first_enterprise(&demo).as_str())
    );
    let again = TestHub::start_without_token(&demo, &args);
    assert!(
        again.printed_tokens.is_empty(),
        "{:?}",
        again.printed_tokens
    );
}

#[test]
fn requests_and_token_changes_are_rows_of_the_audit_table() {
    let dir = demo_dir();
    let hub = TestHub::start(dir, &[]);
    let name = unique_token_name("audited");
    let token = create_token(
        dir,
        &name,
        "enterprise",
        &["--uscc", &first_enterprise(dir)],
    );
    let client = http_with_token(&token);
    let sql = format!("SELECT count(*) AS n FROM enterprises WHERE name <> '{name}'");
    assert_eq!(sql_status(&client, &hub, &sql), 200);
    assert_eq!(
        client
            .post(hub.url("/api/tokens"))
            .json(&json!({"name": "x", "role": "admin"}))
            .send()
            .expect("POST")
            .status(),
        403
    );
    assert_eq!(sql_status(&client, &hub, "SELEC 1"), 400);

    let query = format!(
        "SELECT role, uscc, interface, action, statement, outcome, request_id FROM _audit \
         WHERE principal = '{name}' ORDER BY at"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let rows = loop {
        let rows = sql_json(dir, &query);
        if rows.len() >= 3 {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "audit rows did not appear: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(rows.len(), 3, "{rows:?}");
    let outcomes: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| {
            (
                row["action"].as_str().expect("action"),
                row["outcome"].as_str().expect("outcome"),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("sql", "ok"),
            ("token", "forbidden"),
            ("sql", "invalid_sql")
        ]
    );
    assert_eq!(rows[0]["statement"], sql.as_str());
    assert_eq!(rows[0]["role"], "enterprise");
    assert_eq!(rows[0]["interface"], "http");
    assert_eq!(
        rows[0]["uscc"].as_str(),
        Some(first_enterprise(dir).as_str())
    );
    assert!(
        rows[0]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(rows[1]["statement"], "POST /api/tokens");

    // The command line's token changes, as the cli principal.
    let cli_rows = sql_json(
        dir,
        &format!(
            "SELECT principal, role, interface, outcome FROM _audit \
             WHERE action = 'token' AND statement = 'token create {name} --role enterprise'"
        ),
    );
    assert_eq!(cli_rows.len(), 1, "{cli_rows:?}");
    assert_eq!(cli_rows[0]["principal"], "cli");
    assert_eq!(cli_rows[0]["role"], "admin");
    assert_eq!(cli_rows[0]["interface"], "cli");

    // Records still waiting are written when serve stops.
    let last = format!("SELECT 2 AS last_{}", std::process::id());
    assert_eq!(sql_status(&client, &hub, &last), 200);
    assert!(hub.terminate().success());
    let written = sql_json(
        dir,
        &format!("SELECT outcome FROM _audit WHERE principal = '{name}' AND statement = '{last}'"),
    );
    assert_eq!(written.len(), 1, "{written:?}");
}
