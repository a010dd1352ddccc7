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

#[test]
fn catalog_search_is_a_table_function_that_joins_with_the_lake() {
    let dir = demo_dir();
    let rows = crate::support::sql_json(
        dir,
        "SELECT s.rank, s.id, s.title, p.name AS provider FROM catalog_search('预测性维护', 'offering', 20) s \
         JOIN service_offerings o ON o.offering_id = s.id \
         JOIN service_providers p ON p.provider_id = o.provider_id ORDER BY s.rank LIMIT 5",
    );
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(rows[0]["rank"], 1);
    assert!(
        rows.iter()
            .all(|row| row["id"].as_str().is_some_and(|id| id.starts_with('O')))
    );

    // Offerings for 注塑 whose providers completed projects in the machinery industry.
    let rows = crate::support::sql_json(
        dir,
        "SELECT DISTINCT s.id, s.title FROM catalog_search('注塑', 'offering') s \
         JOIN transformation_projects t ON t.provider_id = s.provider_id AND t.status = 'completed' \
         JOIN enterprises e ON e.uscc = t.uscc AND e.key_industry = 'machinery'",
    );
    for row in &rows {
        assert!(
            row["id"].as_str().is_some_and(|id| id.starts_with('O')),
            "{row:?}"
        );
    }

    let output = run(
        dir,
        &["sql", "SELECT * FROM catalog_search('MES', 'gadget')"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("catalog_search"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
