//! Catalog search from the command line, in Chinese and English.

use serde_json::Value;

use crate::support::{demo_dir, run, run_ok};

fn search(args: &[&str]) -> Value {
    let mut full = vec!["catalog", "search"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&run_ok(demo_dir(), &full)).expect("JSON")
}

fn hit_text(hit: &Value) -> String {
    format!(
        "{} {}",
        hit["title"].as_str().unwrap_or(""),
        hit["snippet"].as_str().unwrap_or("")
    )
    .replace("<em>", "")
    .replace("</em>", "")
}

#[test]
fn chinese_queries_find_their_scenarios() {
    let results = search(&["预测性维护", "--kind", "offering"]);
    let hits = results["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 10, "{results}");
    // The best hits name the scenario in their title or description.
    for hit in &hits[..5] {
        let text = hit_text(hit);
        assert!(
            text.contains("预测性维护") || text.contains("预测") && text.contains("维护"),
            "{text}"
        );
    }
    let scores: Vec<f64> = hits
        .iter()
        .map(|hit| hit["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "ranked by score: {scores:?}"
    );

    let results = search(&["能耗"]);
    let hits = results["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    for hit in &hits[..5] {
        assert!(hit_text(hit).contains("能耗"), "{hit}");
    }
    assert!(
        hits[0]["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<em>"),
        "{}",
        hits[0]
    );
}

#[test]
fn kinds_paging_and_english_work() {
    let all = search(&["MES"]);
    let applications = search(&["MES", "--kind", "application"]);
    assert!(all["total"].as_u64() >= applications["total"].as_u64());
    assert!(
        applications["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|hit| hit["kind"] == "application")
    );

    let first_page = search(&["数字孪生", "--limit", "3"]);
    let second_page = search(&["数字孪生", "--limit", "3", "--offset", "3"]);
    assert_eq!(first_page["total"], second_page["total"]);
    let first_ids: Vec<&Value> = first_page["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| &hit["id"])
        .collect();
    let second_ids: Vec<&Value> = second_page["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| &hit["id"])
        .collect();
    assert_eq!(first_ids.len(), 3);
    assert!(
        first_ids.iter().all(|id| !second_ids.contains(id)),
        "pages do not overlap"
    );

    let english = search(&["predictive maintenance"]);
    assert!(english["total"].as_u64().expect("total") > 0, "{english}");

    let table = run_ok(
        demo_dir(),
        &["catalog", "search", "预测性维护", "--limit", "2"],
    );
    assert!(
        table.lines().next().expect("first line").ends_with(" hits"),
        "{table}"
    );
    assert!(table.contains("  1. [") && table.contains("【"), "{table}");

    let empty = run(demo_dir(), &["catalog", "search", "  "]);
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));
}
