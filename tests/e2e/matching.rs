//! Matching needs and enterprises to service offerings, over HTTP and from the command line,
//! on the shared demo park: rankings that fit the need, explanations that add up and agree
//! with the lake, and clear errors.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{TestHub, demo_dir, run, run_ok, sql_json};

/// The six parts of an explanation, in order.
const PARTS: [&str; 6] = [
    "text",
    "scenario",
    "industry",
    "budget",
    "track_record",
    "maturity",
];

fn get_json(hub: &TestHub, path: &str) -> Value {
    let response = hub.http().get(hub.url(path)).send().expect("GET");
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().expect("JSON")
}

fn post_match(hub: &TestHub, body: &Value) -> reqwest::blocking::Response {
    hub.http()
        .post(hub.url("/api/match"))
        .json(body)
        .send()
        .expect("POST /api/match")
}

/// Asserts an error answer: its status, its code, and that its message says `mentions`.
fn assert_error(response: reqwest::blocking::Response, status: u16, code: &str, mentions: &str) {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().expect("JSON error body");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("message");
    assert!(message.contains(mentions), "'{mentions}' in {message}");
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The completed projects of each provider in the lake, with the key industry of each
/// project's enterprise.
fn completed_projects() -> BTreeMap<String, Vec<String>> {
    let rows = sql_json(
        demo_dir(),
        "SELECT p.provider_id, e.key_industry FROM transformation_projects p \
         LEFT JOIN enterprises e ON e.uscc = p.uscc \
         WHERE p.status = 'completed' AND p.provider_id IS NOT NULL",
    );
    let mut projects: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        projects
            .entry(text(&row["provider_id"]).to_string())
            .or_default()
            .push(text(&row["key_industry"]).to_string());
    }
    projects
}

/// Checks what every answer must hold: ranks in order, scores descending, the parts adding
/// up to the score, budget and industry fits that agree with the offering's facts, track
/// records equal to the lake's completed projects.
fn assert_consistent(answer: &Value, projects: &BTreeMap<String, Vec<String>>) {
    let matches = answer["matches"].as_array().expect("matches");
    let budget = answer["budget"].as_f64();
    let enterprise = &answer["enterprise"];
    let mut previous = f64::INFINITY;
    for (index, found) in matches.iter().enumerate() {
        assert_eq!(found["rank"], index + 1, "{found}");
        let score = found["score"].as_f64().expect("score");
        assert!(score <= previous, "scores descend: {answer}");
        assert!((0.0..=100.0).contains(&score), "{found}");
        previous = score;

        let explanation = &found["explanation"];
        let sum: f64 = PARTS
            .iter()
            .map(|part| {
                assert!(
                    !text(&explanation[part]["note"]).is_empty(),
                    "{part} has a note: {found}"
                );
                explanation[part]["points"]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{part} points in {found}"))
            })
            .sum();
        assert!(
            (sum - score).abs() < 1e-6,
            "parts add up to {sum}, score {score}: {found}"
        );

        let offering = &found["offering"];
        // Budget: fits exactly when the lowest price is within it.
        let price_min = offering["price_min"].as_f64();
        let price_max = offering["price_max"].as_f64();
        let budget_part = &explanation["budget"];
        match (budget, price_min, price_max) {
            (Some(budget), Some(low), Some(high)) => {
                assert_eq!(budget_part["fits"], json!(low <= budget), "{found}");
                assert_eq!(
                    budget_part["whole_range_fits"],
                    json!(high <= budget),
                    "{found}"
                );
                let expected = if high <= budget {
                    10.0
                } else if low <= budget {
                    5.0
                } else {
                    0.0
                };
                assert_eq!(budget_part["points"].as_f64(), Some(expected), "{found}");
            }
            (None, _, _) => assert!(budget_part["fits"].is_null(), "{found}"),
            _ => {}
        }

        // Industry: the offering's divisions and key industries against the enterprise's.
        if enterprise.is_object() {
            let divisions = offering["divisions"].as_array().expect("divisions");
            let industries = offering["key_industries"].as_array().expect("industries");
            assert_eq!(
                explanation["industry"]["same_division"],
                json!(divisions.contains(&enterprise["division"])),
                "{found}"
            );
            assert_eq!(
                explanation["industry"]["same_key_industry"],
                json!(industries.contains(&enterprise["key_industry"])),
                "{found}"
            );
            assert_eq!(
                explanation["maturity"]["enterprise_level"],
                enterprise["maturity_level"]
            );
        }
        assert_eq!(
            explanation["maturity"]["target_level"],
            offering["target_maturity_level"]
        );

        // Track record: what SQL over transformation_projects gives.
        let provider = text(&found["provider"]["id"]);
        let completed = projects.get(provider).cloned().unwrap_or_default();
        let record = &explanation["track_record"];
        assert_eq!(
            record["completed_projects"],
            completed.len(),
            "{provider}: {found}"
        );
        if enterprise.is_object() {
            let industry = text(&enterprise["key_industry"]);
            let in_industry = completed.iter().filter(|key| *key == industry).count();
            assert_eq!(
                record["completed_in_industry"], in_industry,
                "{provider}: {found}"
            );
        } else {
            assert!(record["completed_in_industry"].is_null());
        }
    }
}

#[test]
fn needs_are_matched_with_explanations_that_add_up_and_agree_with_the_lake() {
    let hub = TestHub::start(demo_dir(), &[]);
    let projects = completed_projects();
    let needs = sql_json(
        demo_dir(),
        "SELECT n.need_id, n.uscc, n.title, n.scenario, n.budget, e.key_industry \
         FROM enterprise_needs n JOIN enterprises e ON e.uscc = n.uscc ORDER BY n.need_id",
    );
    assert!(needs.len() >= 3, "the demo park has needs: {needs:?}");

    let mut track_records_seen = 0;
    for need in &needs {
        let need_id = text(&need["need_id"]);
        let answer = get_json(&hub, &format!("/api/match/need/{need_id}?limit=5"));
        assert_eq!(answer["need"]["need_id"], need["need_id"]);
        assert_eq!(answer["enterprise"]["uscc"], need["uscc"]);
        assert_eq!(answer["scenario"], need["scenario"]);
        assert_eq!(answer["budget"], need["budget"]);
        assert!(
            text(&answer["query"]).contains(text(&need["title"])),
            "{answer}"
        );
        assert!(text(&answer["scoring"]).starts_with("score = text"));
        let matches = answer["matches"].as_array().expect("matches");
        assert_eq!(matches.len(), 5, "{need_id}: {answer}");
        assert!(answer["candidates"].as_u64() >= Some(5));
        assert_consistent(&answer, &projects);

        // The best matches offer the need's scenario and hold words of it.
        for found in &matches[..3] {
            let scenarios = found["offering"]["scenarios"]
                .as_array()
                .expect("scenarios");
            assert!(
                scenarios.contains(&need["scenario"]),
                "{need_id}: {} does not offer {}",
                found["offering"],
                need["scenario"]
            );
            assert_eq!(found["explanation"]["scenario"]["fits"], true);
            let matched = found["explanation"]["text"]["matched_terms"]
                .as_array()
                .expect("matched terms");
            assert!(!matched.is_empty(), "{need_id}: {found}");
            let query = text(&answer["query"]);
            let holds_a_query_word = matched
                .iter()
                .any(|term| query.contains(text(term)) || text(term).is_ascii());
            assert!(holds_a_query_word, "{need_id}: {matched:?} in {query}");
        }
        track_records_seen += matches
            .iter()
            .filter(|found| {
                found["explanation"]["track_record"]["completed_projects"].as_u64() > Some(0)
            })
            .count();

        // The command line answers the same.
        let cli: Value = serde_json::from_str(&run_ok(
            demo_dir(),
            &[
                "match", "--need", need_id, "--limit", "5", "--format", "json",
            ],
        ))
        .expect("JSON");
        assert_eq!(cli, answer, "{need_id}: the CLI and the API agree");
    }
    assert!(
        track_records_seen > 0,
        "some proposed provider has completed projects in the demo park"
    );
}

#[test]
fn requests_by_enterprise_text_scenario_and_budget_are_matched() {
    let hub = TestHub::start(demo_dir(), &[]);
    let projects = completed_projects();
    let need = sql_json(
        demo_dir(),
        "SELECT uscc, budget FROM enterprise_needs ORDER BY need_id LIMIT 1",
    )
    .remove(0);
    let uscc = text(&need["uscc"]);

    // An enterprise and a need in words, with a budget.
    let response = post_match(
        &hub,
        &json!({"uscc": uscc.to_lowercase(), "text": "能耗监测", "budget": 40, "limit": 8}),
    );
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().expect("JSON");
    assert_eq!(answer["enterprise"]["uscc"], uscc);
    assert_eq!(answer["budget"], 40.0);
    assert_eq!(answer["matches"].as_array().expect("matches").len(), 8);
    assert_consistent(&answer, &projects);
    let budgets: Vec<&Value> = answer["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|found| &found["explanation"]["budget"]["fits"])
        .collect();
    assert!(budgets.iter().all(|fits| fits.is_boolean()), "{budgets:?}");
    let best = &answer["matches"][0];
    let matched = best["explanation"]["text"]["matched_terms"]
        .as_array()
        .expect("terms");
    assert!(
        matched
            .iter()
            .any(|term| ["能耗监测", "能耗", "监测"].contains(&text(term))),
        "{best}"
    );

    // A scenario by its Chinese name, in English words, without enterprise or budget.
    let answer: Value = post_match(&hub, &json!({"scenario": "预测性维护", "limit": 3}))
        .json()
        .expect("JSON");
    assert_eq!(answer["scenario"], "predictive_maintenance");
    assert!(answer["enterprise"].is_null());
    assert_consistent(&answer, &projects);
    for found in answer["matches"].as_array().expect("matches") {
        assert_eq!(found["explanation"]["scenario"]["fits"], true, "{found}");
        assert_eq!(found["explanation"]["industry"]["points"], 0.0);
        assert_eq!(found["explanation"]["maturity"]["points"], 0.0);
    }
    let english: Value = post_match(&hub, &json!({"text": "predictive maintenance", "limit": 3}))
        .json()
        .expect("JSON");
    let best = &english["matches"][0];
    assert!(
        best["explanation"]["text"]["matched_terms"]
            .as_array()
            .expect("terms")
            .iter()
            .any(|term| text(term) == "预测性维护"),
        "English finds the Chinese term: {best}"
    );

    // Only an enterprise: the offerings of its key industry, without text points.
    let answer: Value = post_match(&hub, &json!({"uscc": uscc, "limit": 5}))
        .json()
        .expect("JSON");
    assert_eq!(answer["query"], "");
    assert_consistent(&answer, &projects);
    let key_industry = &answer["enterprise"]["key_industry"];
    for found in answer["matches"].as_array().expect("matches") {
        assert_eq!(found["explanation"]["text"]["points"], 0.0);
        assert!(
            found["offering"]["key_industries"]
                .as_array()
                .expect("industries")
                .contains(key_industry),
            "{found}"
        );
    }
}

#[test]
fn bad_match_requests_are_refused_with_reasons() {
    let hub = TestHub::start(demo_dir(), &[]);
    assert_error(
        post_match(&hub, &json!({})),
        400,
        "invalid_parameters",
        "uscc, text and scenario",
    );
    assert_error(
        post_match(&hub, &json!({"text": "  ", "budget": 10})),
        400,
        "invalid_parameters",
        "at least one",
    );
    assert_error(
        post_match(&hub, &json!({"text": "MES", "limit": 0})),
        400,
        "invalid_parameters",
        "limit",
    );
    assert_error(
        post_match(&hub, &json!({"text": "MES", "budget": -5})),
        400,
        "invalid_parameters",
        "budget",
    );
    assert_error(
        post_match(&hub, &json!({"text": "MES", "colour": "red"})),
        400,
        "invalid_request",
        "colour",
    );
    assert_error(
        post_match(&hub, &json!({"uscc": "91110000600037341N"})),
        400,
        "invalid_uscc",
        "check character",
    );
    assert_error(
        post_match(&hub, &json!({"uscc": "123"})),
        400,
        "invalid_uscc",
        "18 characters",
    );
    // Valid, but not in the park's registry.
    assert_error(
        post_match(&hub, &json!({"uscc": "91110000600037341L", "text": "MES"})),
        404,
        "not_found",
        "91110000600037341L",
    );
    assert_error(
        hub.http()
            .get(hub.url("/api/match/need/NO-SUCH-NEED"))
            .send()
            .expect("GET"),
        404,
        "not_found",
        "NO-SUCH-NEED",
    );
    let need_id = text(
        &sql_json(
            demo_dir(),
            "SELECT min(need_id) AS id FROM enterprise_needs",
        )[0]["id"],
    )
    .to_string();
    assert_error(
        hub.http()
            .get(hub.url(&format!("/api/match/need/{need_id}?limit=500")))
            .send()
            .expect("GET"),
        400,
        "invalid_parameters",
        "limit",
    );
    assert_error(
        hub.http()
            .get(hub.url(&format!("/api/match/need/{need_id}?top=3")))
            .send()
            .expect("GET"),
        400,
        "invalid_parameters",
        "top",
    );
}

#[test]
fn the_cli_prints_ranked_matches_with_one_line_per_part() {
    let dir = demo_dir();
    let need = sql_json(
        dir,
        "SELECT need_id, title, scenario FROM enterprise_needs ORDER BY need_id LIMIT 1",
    )
    .remove(0);
    let need_id = text(&need["need_id"]);
    let table = run_ok(dir, &["match", "--need", need_id, "--limit", "3"]);
    assert!(
        table.starts_with(&format!("need {need_id}: {}", text(&need["title"]))),
        "{table}"
    );
    assert!(
        table.contains("rank  offering / provider  score"),
        "{table}"
    );
    let answer: Value = serde_json::from_str(&run_ok(
        dir,
        &[
            "match", "--need", need_id, "--limit", "3", "--format", "json",
        ],
    ))
    .expect("JSON");
    for found in answer["matches"].as_array().expect("matches") {
        let heading = format!(
            "{:>3}.  {} {}  /  {} ",
            found["rank"].as_u64().expect("rank"),
            text(&found["offering"]["id"]),
            text(&found["offering"]["name"]),
            text(&found["provider"]["id"]),
        );
        let at = table
            .find(&heading)
            .unwrap_or_else(|| panic!("'{heading}' in\n{table}"));
        let block: Vec<&str> = table[at..].lines().take(7).collect();
        assert!(
            block[0].ends_with(&format!("{:.2}", found["score"].as_f64().expect("score"))),
            "{block:?}"
        );
        for (line, part) in block[1..].iter().zip(PARTS) {
            let note = text(&found["explanation"][part]["note"]);
            assert!(
                line.trim_start().starts_with(part) && line.ends_with(note),
                "'{part}' line with its note '{note}': {line}"
            );
        }
    }
    assert!(table.contains("score = text"), "{table}");

    // By enterprise, text and budget.
    let uscc = text(
        &sql_json(
            dir,
            "SELECT uscc FROM enterprise_needs ORDER BY need_id LIMIT 1",
        )[0]["uscc"],
    )
    .to_string();
    let table = run_ok(
        dir,
        &[
            "match",
            "--uscc",
            &uscc,
            "--text",
            "设备联网",
            "--scenario",
            "equipment_networking",
            "--budget",
            "50",
            "--limit",
            "2",
        ],
    );
    assert!(table.contains(&format!("enterprise {uscc}")), "{table}");
    assert!(table.contains("  2.  "), "{table}");
    assert!(!table.contains("  3.  "), "{table}");
    assert!(table.contains("budget: 50 (10k yuan)"), "{table}");

    // Errors name what was wrong.
    let unknown = run(dir, &["match", "--need", "NO-SUCH-NEED"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no need 'NO-SUCH-NEED'"),
        "{unknown:?}"
    );
    let invalid = run(dir, &["match", "--uscc", "91110000600037341N"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&invalid.stderr).contains("check character"),
        "{invalid:?}"
    );
    let conflicting = run(dir, &["match", "--need", need_id, "--text", "MES"]);
    assert_eq!(conflicting.status.code(), Some(2), "{conflicting:?}");
}
