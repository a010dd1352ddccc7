//! The catalog's search API (filters, sort orders, facets, listing without text) over HTTP and
//! the command line, and its live edits: created, replaced and deleted entries are searchable
//! at once, bad ones are refused with the field at fault, and nothing is lost when the server
//! is killed with SIGKILL between the lake commit and the index commit.
//!
//! Every test loads the small catalog of `tests/data/catalog_*.ndjson` (2 providers, 4
//! offerings, 2 applications) into a data directory of its own with `parkhub ingest`, which
//! writes the lake only: the first server start builds the index from the lake.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::ingest::fixture;
use crate::support::{TestHub, fresh_dir, run, run_ok, sql_json};

/// Returns a fresh data directory holding the fixture catalog in its lake (no index yet).
fn catalog_park(name: &str) -> PathBuf {
    let dir = fresh_dir(&format!("catalog-live-{name}"));
    for (table, file) in [
        ("service_providers", "catalog_providers.ndjson"),
        ("service_offerings", "catalog_offerings.ndjson"),
        ("shared_applications", "catalog_applications.ndjson"),
    ] {
        let path = fixture(file);
        run_ok(
            &dir,
            &[
                "ingest",
                "--table",
                table,
                path.to_str().expect("UTF-8 path"),
            ],
        );
    }
    let index_meta =
        std::fs::read_to_string(dir.join("catalog").join("meta.json")).unwrap_or_default();
    assert!(
        !index_meta.contains("lake_versions"),
        "ingest writes the lake only: {index_meta}"
    );
    dir
}

/// Sends `GET /api/catalog/search` with `query`; returns the status and the JSON body.
fn search(hub: &TestHub, query: &[(&str, &str)]) -> (u16, Value) {
    let response = hub
        .http()
        .get(hub.url("/api/catalog/search"))
        .query(query)
        .send()
        .expect("search");
    let status = response.status().as_u16();
    (status, response.json().expect("JSON body"))
}

/// Searches and expects 200.
fn search_ok(hub: &TestHub, query: &[(&str, &str)]) -> Value {
    let (status, body) = search(hub, query);
    assert_eq!(status, 200, "{query:?}: {body}");
    body
}

/// The ids of the hits, in order.
fn ids(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["id"].as_str().expect("id").to_string())
        .collect()
}

fn id_set(results: &Value) -> BTreeSet<String> {
    ids(results).into_iter().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|item| (*item).to_string()).collect()
}

/// The counts of one facet as `value → count`.
fn facet(results: &Value, name: &str) -> Vec<(String, u64)> {
    results["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("facet {name} in {results}"))
        .iter()
        .map(|count| {
            (
                count["value"].as_str().expect("value").to_string(),
                count["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// Asserts an error answer: its status and code, and that its message says `mentions`.
fn assert_error(response: reqwest::blocking::Response, status: u16, code: &str, mentions: &[&str]) {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().expect("JSON error body");
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("message");
    for expected in mentions {
        assert!(message.contains(expected), "'{expected}' in {message}");
    }
}

fn post(hub: &TestHub, kind: &str, entry: &Value) -> reqwest::blocking::Response {
    hub.http()
        .post(hub.url(&format!("/api/catalog/{kind}")))
        .json(entry)
        .send()
        .expect("POST")
}

fn put(hub: &TestHub, kind: &str, id: &str, entry: &Value) -> reqwest::blocking::Response {
    hub.http()
        .put(hub.url(&format!("/api/catalog/{kind}/{id}")))
        .json(entry)
        .send()
        .expect("PUT")
}

fn get(hub: &TestHub, kind: &str, id: &str) -> reqwest::blocking::Response {
    hub.http()
        .get(hub.url(&format!("/api/catalog/{kind}/{id}")))
        .send()
        .expect("GET")
}

fn delete(hub: &TestHub, kind: &str, id: &str) -> reqwest::blocking::Response {
    hub.http()
        .delete(hub.url(&format!("/api/catalog/{kind}/{id}")))
        .send()
        .expect("DELETE")
}

/// Polls a search until `found` says yes, for at most `within`; returns how long it took.
fn searchable_within(
    hub: &TestHub,
    query: &[(&str, &str)],
    within: Duration,
    found: impl Fn(&Value) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let results = search_ok(hub, query);
        if found(&results) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{query:?} did not find the edit within {within:?}: {results}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The offering ids of the lake, read with `parkhub sql` (the source of truth).
fn lake_offerings(dir: &Path, provider: &str) -> BTreeSet<String> {
    sql_json(
        dir,
        &format!(
            "SELECT offering_id FROM service_offerings WHERE provider_id = '{provider}' \
             ORDER BY offering_id"
        ),
    )
    .iter()
    .map(|row| row["offering_id"].as_str().expect("id").to_string())
    .collect()
}

/// The offering ids the index lists for a provider.
fn indexed_offerings(hub: &TestHub, provider: &str) -> BTreeSet<String> {
    let results = search_ok(
        hub,
        &[
            ("kind", "offering"),
            ("provider", provider),
            ("limit", "100"),
        ],
    );
    assert_eq!(results["total"].as_u64(), Some(ids(&results).len() as u64));
    id_set(&results)
}

fn new_offering(id: &str, name: &str) -> Value {
    json!({
        "offering_id": id,
        "provider_id": "LP-01",
        "name": name,
        "category": "platform",
        "deployment": "edge",
        "price_min": 20,
        "price_max": 45
    })
}

#[test]
fn filters_sorts_and_facets_over_http_and_the_command_line() {
    let dir = catalog_park("search");
    let hub = TestHub::start(&dir, &[]);

    // An empty query with a kind lists the kind; sorted by price, cheapest first.
    let offerings = search_ok(&hub, &[("kind", "offering"), ("sort", "price")]);
    assert_eq!(offerings["total"], 4, "{offerings}");
    assert_eq!(ids(&offerings), ["LO-02", "LO-01", "LO-03", "LO-04"]);
    let prices: Vec<f64> = offerings["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["price_min"].as_f64().expect("price"))
        .collect();
    assert_eq!(prices, [8.0, 30.0, 50.0, 200.0]);
    assert_eq!(facet(&offerings, "kind"), [("offering".to_string(), 4)]);
    let mut bands = facet(&offerings, "price_band");
    bands.sort();
    assert_eq!(
        bands,
        [
            ("10-50".to_string(), 1),
            ("50-200".to_string(), 1),
            ("<10".to_string(), 1),
            (">=200".to_string(), 1)
        ]
    );
    assert_eq!(
        facet(&offerings, "category")[0],
        ("platform".to_string(), 2)
    );

    // Rating, highest first; newest first with the publication dates.
    let by_rating = search_ok(&hub, &[("kind", "offering"), ("sort", "rating")]);
    assert_eq!(ids(&by_rating), ["LO-03", "LO-01", "LO-02", "LO-04"]);
    let newest = search_ok(&hub, &[("kind", "offering"), ("sort", "newest")]);
    assert_eq!(ids(&newest), ["LO-04", "LO-02", "LO-01", "LO-03"]);
    assert_eq!(newest["hits"][0]["published_on"], "2025-09-01");

    // Filters without text list every kind they match; facets count all of the matches.
    let steel = search_ok(&hub, &[("industry", "iron_steel")]);
    assert_eq!(id_set(&steel), set(&["LP-01", "LO-01", "LO-02", "LA-01"]));
    let mut kinds = facet(&steel, "kind");
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("application".to_string(), 1),
            ("offering".to_string(), 2),
            ("provider".to_string(), 1)
        ]
    );
    assert_eq!(
        steel["total"],
        search_ok(&hub, &[("industry", "钢铁")])["total"],
        "an industry by its Chinese name"
    );
    let steel_offerings = search_ok(
        &hub,
        &[
            ("industry", "iron_steel"),
            ("kind", "offering"),
            ("sort", "rating"),
        ],
    );
    assert_eq!(ids(&steel_offerings), ["LO-01", "LO-02"]);
    let mid_price = search_ok(&hub, &[("price_min", "40"), ("price_max", "100")]);
    assert_eq!(id_set(&mid_price), set(&["LO-01", "LO-03"]));
    let provider = search_ok(&hub, &[("provider", "LP-02")]);
    assert_eq!(
        id_set(&provider),
        set(&["LP-02", "LO-03", "LO-04", "LA-02"])
    );
    assert_eq!(
        ids(&search_ok(
            &hub,
            &[("scenario", "visual_inspection"), ("deployment", "edge")]
        )),
        ["LO-03"]
    );
    assert_eq!(
        id_set(&search_ok(&hub, &[("division", "C34")])),
        set(&["LO-03", "LO-04"])
    );
    assert_eq!(
        id_set(&search_ok(&hub, &[("category", "platform,energy")])),
        set(&["LO-01", "LO-02", "LA-01"])
    );

    // Text with filters: highlighted hits, facets over the filtered matches.
    let visual = search_ok(&hub, &[("q", "视觉检测"), ("kind", "offering")]);
    assert_eq!(ids(&visual)[0], "LO-03", "{visual}");
    assert!(
        visual["hits"][0]["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<em>"),
        "{visual}"
    );
    let energy = search_ok(&hub, &[("q", "能耗监测"), ("industry", "iron_steel")]);
    let energy_ids = id_set(&energy);
    assert!(
        energy_ids.contains("LO-02") && energy_ids.contains("LA-01"),
        "{energy}"
    );
    let total = energy["total"].as_u64().expect("total");
    assert_eq!(
        facet(&energy, "key_industry")
            .iter()
            .find(|(value, _)| value == "iron_steel")
            .map(|(_, count)| *count),
        Some(total),
        "every match is of the filtered industry: {energy}"
    );

    // Paging keeps the total; facets can be left out.
    let page = search_ok(
        &hub,
        &[
            ("kind", "offering"),
            ("sort", "price"),
            ("limit", "2"),
            ("offset", "2"),
        ],
    );
    assert_eq!(
        (page["total"].as_u64(), ids(&page)),
        (Some(4), vec!["LO-03".to_string(), "LO-04".to_string()])
    );
    let bare = search_ok(&hub, &[("kind", "offering"), ("facets", "false")]);
    assert_eq!(bare["facets"], json!({}));

    // Clear 400s.
    for (query, status, code, mentions) in [
        (
            vec![("kind", "offering"), ("sort", "cheapest")],
            400,
            "invalid_sort",
            "relevance, rating, price, newest",
        ),
        (
            vec![("kind", "offering"), ("price_min", "abc")],
            400,
            "invalid_parameters",
            "price_min",
        ),
        (
            vec![("price_min", "100"), ("price_max", "10")],
            400,
            "invalid_parameters",
            "price_max",
        ),
        (vec![("q", " ")], 400, "empty_query", "empty"),
        (
            vec![("kind", "offering"), ("colour", "red")],
            400,
            "invalid_parameters",
            "colour",
        ),
        (vec![("kind", "gadget")], 400, "invalid_kind", "gadget"),
        (
            vec![("kind", "offering"), ("limit", "0")],
            400,
            "invalid_parameters",
            "limit",
        ),
    ] {
        let (answered, body) = search(&hub, &query);
        assert_eq!(answered, status, "{query:?}: {body}");
        assert_eq!(body["code"], code, "{query:?}: {body}");
        assert!(
            body["message"]
                .as_str()
                .expect("message")
                .contains(mentions),
            "{query:?}: {body}"
        );
    }

    // The command line: the same flags; JSON is the whole result, the table shows the
    // total and the facet counts. (The server running on the same folder does not matter.)
    let json_output: Value = serde_json::from_str(&run_ok(
        &dir,
        &[
            "catalog",
            "search",
            "--kind",
            "offering",
            "--industry",
            "iron_steel",
            "--sort",
            "price",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(json_output["total"], 2);
    assert_eq!(ids(&json_output), ["LO-02", "LO-01"]);
    assert_eq!(facet(&json_output, "kind"), [("offering".to_string(), 2)]);
    let listed: Value = serde_json::from_str(&run_ok(
        &dir,
        &[
            "catalog",
            "search",
            "--price-min",
            "40",
            "--price-max",
            "100",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(id_set(&listed), set(&["LO-01", "LO-03"]));
    let text: Value = serde_json::from_str(&run_ok(
        &dir,
        &[
            "catalog",
            "search",
            "视觉检测",
            "--deployment",
            "edge",
            "--no-facets",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(ids(&text), ["LO-03"]);
    assert_eq!(text["facets"], json!({}));
    let table = run_ok(
        &dir,
        &[
            "catalog", "search", "--kind", "offering", "--sort", "newest",
        ],
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "4 hits", "{table}");
    assert!(lines[1].starts_with("  1. [offering] LO-04 "), "{table}");
    assert!(lines.contains(&"facets:"), "{table}");
    assert!(lines.contains(&"  kind: offering 4"), "{table}");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("  price_band: ") && line.contains(">=200 1")),
        "{table}"
    );
    let wrong_sort = run(
        &dir,
        &[
            "catalog", "search", "--kind", "offering", "--sort", "cheapest",
        ],
    );
    assert_eq!(wrong_sort.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&wrong_sort.stderr).contains("cheapest"));
    let nothing = run(&dir, &["catalog", "search"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("filter"));
}

#[test]
fn edits_are_searchable_at_once_and_bad_ones_are_refused() {
    let dir = catalog_park("edits");
    let hub = TestHub::start(&dir, &[]);

    // A new provider, then an offering of it.
    let response = post(
        &hub,
        "provider",
        &json!({"provider_id": "LP-09", "name": "常州恒锐工业软件", "region": "江苏省常州市",
                "key_industries": ["iron_steel"], "rating": 4.3}),
    );
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        response.headers()["location"],
        "/api/catalog/provider/LP-09"
    );
    let offering = json!({
        "offering_id": "LO-50",
        "provider_id": "LP-09",
        "name": "转炉数字孪生",
        "summary": "转炉炼钢全流程数字孪生与工艺仿真",
        "category": "platform",
        "scenarios": ["digital_twin", "process_optimization"],
        "key_industries": "iron_steel",
        "deployment": "hybrid",
        "price_min": 60,
        "price_max": 150,
        "rating": 4.8,
        "published_on": "2026-10-01"
    });
    let response = post(&hub, "offering", &offering);
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().expect("JSON");
    assert_eq!(created["kind"], "offering");
    assert_eq!(created["id"], "LO-50");
    assert_eq!(created["indexed"], true);
    assert_eq!(
        created["entry"]["scenarios"],
        "digital_twin;process_optimization"
    );
    assert_eq!(created["entry"]["price_max"], 150.0);
    let created_version = created["lake_version"].as_u64().expect("version");

    // Searchable within a second (at once, in fact: the index is committed before the answer).
    let took = searchable_within(
        &hub,
        &[("q", "转炉数字孪生")],
        Duration::from_secs(1),
        |results| ids(results).first().map(String::as_str) == Some("LO-50"),
    );
    assert!(took < Duration::from_secs(1));
    let hit = &search_ok(&hub, &[("q", "转炉数字孪生")])["hits"][0];
    assert_eq!(hit["title"], "转炉数字孪生");
    assert_eq!(hit["provider_id"], "LP-09");
    assert_eq!(hit["published_on"], "2026-10-01");
    assert!(
        hit["snippet"].as_str().expect("snippet").contains("<em>"),
        "{hit}"
    );
    assert_eq!(
        id_set(&search_ok(&hub, &[("provider", "LP-09")])),
        set(&["LP-09", "LO-50"])
    );
    assert_eq!(
        ids(&search_ok(
            &hub,
            &[("kind", "offering"), ("sort", "newest"), ("limit", "1")]
        )),
        ["LO-50"]
    );
    assert_eq!(
        lake_offerings(&dir, "LP-09"),
        set(&["LO-50"]),
        "the lake has it"
    );

    // Read back from the lake.
    let response = get(&hub, "offering", "LO-50");
    assert_eq!(response.status().as_u16(), 200);
    let read: Value = response.json().expect("JSON");
    assert_eq!(read["entry"]["name"], "转炉数字孪生");
    assert_eq!(read["entry"]["published_on"], "2026-10-01");
    assert_eq!(read["lake_version"].as_u64(), Some(created_version));
    assert_eq!(read["indexed"], true);

    // Replaced: the hit changes, the old words no longer find it.
    let replacement = json!({
        "provider_id": "LP-09",
        "name": "转炉煤气回收优化",
        "category": "platform",
        "scenarios": "energy_management",
        "deployment": "saas",
        "price_min": 15,
        "price_max": 30,
        "rating": 4.1
    });
    let response = put(&hub, "offering", "LO-50", &replacement);
    assert_eq!(response.status().as_u16(), 200);
    let replaced: Value = response.json().expect("JSON");
    assert_eq!(replaced["lake_version"].as_u64(), Some(created_version + 1));
    assert_eq!(
        replaced["entry"]["offering_id"], "LO-50",
        "the id comes from the path"
    );
    assert_eq!(
        replaced["entry"].get("summary"),
        None,
        "fields left out are emptied"
    );
    searchable_within(
        &hub,
        &[("q", "煤气回收")],
        Duration::from_secs(1),
        |results| ids(results).first().map(String::as_str) == Some("LO-50"),
    );
    let hit = &search_ok(&hub, &[("q", "煤气回收")])["hits"][0];
    assert_eq!(hit["title"], "转炉煤气回收优化");
    assert_eq!(hit["price_min"], 15.0);
    assert!(!ids(&search_ok(&hub, &[("q", "数字孪生")])).contains(&"LO-50".to_string()));
    assert!(!ids(&search_ok(&hub, &[("scenario", "digital_twin")])).contains(&"LO-50".to_string()));
    let saas = search_ok(&hub, &[("kind", "offering"), ("deployment", "saas")]);
    assert_eq!(id_set(&saas), set(&["LO-02", "LO-50"]));
    assert_eq!(
        search_ok(&hub, &[("kind", "offering")])["total"],
        5,
        "replaced, not added"
    );

    // Refused: conflicts, unknown ids, entries that do not fit the contract.
    assert_error(
        post(&hub, "offering", &offering),
        409,
        "already_exists",
        &["LO-50"],
    );
    assert_error(
        put(&hub, "offering", "LO-404", &replacement),
        404,
        "not_found",
        &["LO-404"],
    );
    assert_error(
        get(&hub, "offering", "LO-404"),
        404,
        "not_found",
        &["LO-404"],
    );
    assert_error(
        get(&hub, "application", "LO-50"),
        404,
        "not_found",
        &["application", "LO-50"],
    );
    assert_error(
        put(
            &hub,
            "offering",
            "LO-50",
            &json!({"offering_id": "LO-51", "provider_id": "LP-09",
            "name": "x", "category": "platform"}),
        ),
        400,
        "invalid_entry",
        &["offering_id", "LO-51", "LO-50"],
    );
    assert_error(
        post(
            &hub,
            "offering",
            &json!({"offering_id": "LO-52", "provider_id": "LP-09", "category": "platform",
                    "deployment": "cloud", "rating": 7, "colour": "red"}),
        ),
        400,
        "invalid_entry",
        &["colour: not a field of service_offerings"],
    );
    assert_error(
        post(
            &hub,
            "offering",
            &json!({"offering_id": "LO-52", "provider_id": "LP-09", "category": "platform",
                    "deployment": "cloud", "rating": 7, "published_on": "soon"}),
        ),
        400,
        "invalid_entry",
        &[
            "name is required",
            "deployment: 'cloud' is not one of saas, on_premise, hybrid, edge",
            "rating: 7 is above the maximum 5",
            "published_on: 'soon'",
        ],
    );
    assert_error(
        post(
            &hub,
            "offering",
            &json!({"offering_id": "LO-52", "provider_id": "LP-404", "name": "x",
                    "category": "platform"}),
        ),
        400,
        "invalid_entry",
        &["provider_id", "LP-404"],
    );
    assert_error(
        post(
            &hub,
            "application",
            &json!({"app_id": "LA-9", "provider_id": "LP-09",
            "name": "x", "category": "energy", "price": "free"}),
        ),
        400,
        "invalid_entry",
        &["price: 'free' is not a number"],
    );
    assert_error(
        post(
            &hub,
            "provider",
            &json!({"provider_id": "LP-10", "name": ["a"]}),
        ),
        400,
        "invalid_entry",
        &["name: expected text, found a list"],
    );
    assert_error(
        post(&hub, "gadget", &json!({})),
        400,
        "invalid_kind",
        &["application, offering, provider"],
    );
    assert_error(
        post(&hub, "offering", &json!(["LO-52"])),
        400,
        "invalid_entry",
        &["JSON object"],
    );
    let not_json = hub
        .http()
        .post(hub.url("/api/catalog/offering"))
        .header("content-type", "application/json")
        .body("{\"offering_id\": ")
        .send()
        .expect("POST");
    assert_error(not_json, 400, "invalid_json", &[]);
    let no_type = hub
        .http()
        .post(hub.url("/api/catalog/offering"))
        .body("{}")
        .send()
        .expect("POST");
    assert_error(
        no_type,
        415,
        "unsupported_media_type",
        &["application/json"],
    );
    assert_eq!(
        lake_offerings(&dir, "LP-404"),
        BTreeSet::new(),
        "nothing refused reached the lake"
    );
    assert_eq!(
        sql_json(&dir, "SELECT count(*) AS n FROM service_offerings")[0]["n"],
        5
    );

    // Deleted: gone from the lake and the index; the answer is the entry as it was.
    let response = delete(&hub, "offering", "LO-50");
    assert_eq!(response.status().as_u16(), 200);
    let deleted: Value = response.json().expect("JSON");
    assert_eq!(deleted["entry"]["name"], "转炉煤气回收优化");
    assert_eq!(deleted["indexed"], true);
    assert!(!ids(&search_ok(&hub, &[("q", "煤气回收")])).contains(&"LO-50".to_string()));
    assert_eq!(
        id_set(&search_ok(&hub, &[("provider", "LP-09")])),
        set(&["LP-09"])
    );
    assert_eq!(lake_offerings(&dir, "LP-09"), BTreeSet::new());
    assert_error(get(&hub, "offering", "LO-50"), 404, "not_found", &[]);
    assert_error(
        delete(&hub, "offering", "LO-50"),
        404,
        "not_found",
        &["LO-50"],
    );

    // Rows ingested over HTTP into a catalog table are searchable when the ingest answers.
    let response = hub
        .http()
        .post(hub.url("/api/ingest/service_offerings"))
        .header("content-type", "application/x-ndjson")
        .body(
            json!({"offering_id": "LO-70", "provider_id": "LP-02", "name": "数控机床联网采集",
                   "category": "integration", "deployment": "edge"})
            .to_string(),
        )
        .send()
        .expect("ingest");
    assert_eq!(response.status().as_u16(), 200);
    let report: Value = response.json().expect("report");
    assert_eq!(report["rows_written"], 1, "{report}");
    assert_eq!(ids(&search_ok(&hub, &[("q", "数控机床联网")]))[0], "LO-70");

    // The same entry again is a new edit, not a duplicate batch.
    assert_eq!(post(&hub, "offering", &offering).status().as_u16(), 201);
    assert_eq!(ids(&search_ok(&hub, &[("q", "转炉数字孪生")]))[0], "LO-50");
    assert_eq!(lake_offerings(&dir, "LP-09"), set(&["LO-50"]));
}

#[test]
fn edits_survive_sigkill_and_an_index_behind_the_lake_catches_up() {
    let dir = catalog_park("crash");
    let hub = TestHub::start(&dir, &[]);
    let response = post(&hub, "offering", &new_offering("LO-60", "高炉煤气柜监测"));
    assert_eq!(response.status().as_u16(), 201);
    // Dropping a TestHub kills the server with SIGKILL as soon as the edit is acknowledged:
    // no handler runs, nothing is flushed.
    drop(hub);

    // While the server is down, an offering reaches the lake through `parkhub ingest`, which
    // does not touch the index: the index is now behind the lake.
    let scratch = fresh_dir("catalog-live-crash-input");
    let input = scratch.join("offering.ndjson");
    std::fs::write(
        &input,
        json!({"offering_id": "LO-61", "provider_id": "LP-02", "name": "焊接机器人工作站",
               "category": "equipment_upgrade", "deployment": "on_premise",
               "price_min": 60, "price_max": 90})
        .to_string(),
    )
    .expect("write the input");
    run_ok(
        &dir,
        &[
            "ingest",
            "--table",
            "service_offerings",
            input.to_str().expect("UTF-8"),
        ],
    );

    // The next start catches up: the acknowledged edit and the ingested entry are there.
    let hub = TestHub::start(&dir, &[]);
    assert_eq!(ids(&search_ok(&hub, &[("q", "煤气柜")]))[0], "LO-60");
    assert_eq!(ids(&search_ok(&hub, &[("q", "焊接机器人")]))[0], "LO-61");
    assert_eq!(get(&hub, "offering", "LO-60").status().as_u16(), 200);

    // A crash between the lake commit and the index commit, reproduced exactly: the index
    // folder as it was before an edit is put back after the edit's lake commit.
    let catalog = dir.join("catalog");
    let before = scratch.join("catalog-before");
    drop(hub);
    copy_folder(&catalog, &before);
    let hub = TestHub::start(&dir, &[]);
    let response = post(&hub, "offering", &new_offering("LO-62", "烧结机余热回收"));
    assert_eq!(response.status().as_u16(), 201);
    let response = delete(&hub, "offering", "LO-60");
    assert_eq!(response.status().as_u16(), 200);
    drop(hub);
    std::fs::remove_dir_all(&catalog).expect("remove the index");
    copy_folder(&before, &catalog);
    let hub = TestHub::start(&dir, &[]);
    assert_eq!(ids(&search_ok(&hub, &[("q", "余热回收")]))[0], "LO-62");
    assert!(
        !ids(&search_ok(&hub, &[("q", "煤气柜")])).contains(&"LO-60".to_string()),
        "the delete too"
    );
    assert_eq!(
        indexed_offerings(&hub, "LP-01"),
        lake_offerings(&dir, "LP-01")
    );

    // While the server runs, another process writes the lake: the next edit finds the index
    // more than one version behind and re-reads the table, so both are searchable.
    std::fs::write(
        &input,
        json!({"offering_id": "LO-63", "provider_id": "LP-02", "name": "激光切割排产",
               "category": "industrial_software"})
        .to_string(),
    )
    .expect("write the input");
    run_ok(
        &dir,
        &[
            "ingest",
            "--table",
            "service_offerings",
            input.to_str().expect("UTF-8"),
        ],
    );
    assert!(
        !ids(&search_ok(&hub, &[("q", "激光切割")])).contains(&"LO-63".to_string()),
        "not yet"
    );
    let response = post(&hub, "offering", &new_offering("LO-64", "冷轧产线质量追溯"));
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(ids(&search_ok(&hub, &[("q", "激光切割")]))[0], "LO-63");
    assert_eq!(ids(&search_ok(&hub, &[("q", "质量追溯")]))[0], "LO-64");

    // `parkhub catalog reindex` rebuilds from the lake (once the server has let go of the
    // index; while it runs, the command says who holds it).
    let busy = run(&dir, &["catalog", "reindex"]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&busy.stderr).contains("another process"),
        "{}",
        String::from_utf8_lossy(&busy.stderr)
    );
    let status = hub.terminate();
    assert!(status.success());
    let lake_entries = 2
        + 2
        + sql_json(&dir, "SELECT count(*) AS n FROM service_offerings")[0]["n"]
            .as_u64()
            .expect("count");
    assert_eq!(
        run_ok(&dir, &["catalog", "reindex"]).trim(),
        format!("indexed {lake_entries} catalog entries")
    );
    let listed: Value = serde_json::from_str(&run_ok(
        &dir,
        &[
            "catalog", "search", "--kind", "offering", "--limit", "100", "--format", "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(
        id_set(&listed),
        set(&[
            "LO-01", "LO-02", "LO-03", "LO-04", "LO-61", "LO-62", "LO-63", "LO-64"
        ])
    );
}

/// Copies the files of a folder (the index has no subfolders).
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for item in std::fs::read_dir(from).expect("read the folder") {
        let path = item.expect("entry").path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().expect("name"))).expect("copy");
        }
    }
}

#[test]
fn sigkill_at_random_moments_during_edits_loses_nothing() {
    let dir = catalog_park("kill");
    // Kills at delays after the first acknowledged edit of each run, spread over the next
    // edit (each takes a few hundred milliseconds): some fall between a lake commit and its
    // index commit.
    let delays_ms = [60u64, 170, 290, 420];
    let mut acknowledged_in_all = BTreeSet::new();
    for (trial, delay) in delays_ms.into_iter().enumerate() {
        let hub = TestHub::start(&dir, &[]);
        // The index reflects the lake after every start.
        assert_eq!(
            indexed_offerings(&hub, "LP-01"),
            lake_offerings(&dir, "LP-01")
        );
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let writer = {
            let url = hub.url("/api/catalog/offering");
            let acknowledged = Arc::clone(&acknowledged);
            let client = hub.http();
            std::thread::spawn(move || {
                for n in 0..1000 {
                    let id = format!("LK-{trial}-{n:03}");
                    match client
                        .post(&url)
                        .json(&new_offering(&id, "轧机振动监测"))
                        .send()
                    {
                        Ok(response) if response.status().as_u16() == 201 => {
                            acknowledged.lock().expect("lock").push(id);
                        }
                        Ok(response) => panic!("{id}: {}", response.status()),
                        // The server was killed.
                        Err(_) => return,
                    }
                }
            })
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while acknowledged.lock().expect("lock").is_empty() {
            assert!(
                Instant::now() < deadline && !writer.is_finished(),
                "trial {trial}: no edit acknowledged"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(delay));
        // Dropping the hub kills the server with SIGKILL, wherever it is.
        drop(hub);
        writer.join().expect("the writer thread ends");
        acknowledged_in_all.extend(acknowledged.lock().expect("lock").iter().cloned());
    }
    let hub = TestHub::start(&dir, &[]);
    let in_lake = lake_offerings(&dir, "LP-01");
    let in_index = indexed_offerings(&hub, "LP-01");
    assert_eq!(
        in_index, in_lake,
        "the index reflects the lake after the kills"
    );
    let missing: Vec<&String> = acknowledged_in_all.difference(&in_index).collect();
    assert!(missing.is_empty(), "acknowledged edits lost: {missing:?}");
    // Edits in the lake that were never acknowledged: the kill came after their lake commit
    // (maybe before their index commit), and the restart indexed them.
    let unacknowledged = in_lake
        .iter()
        .filter(|id| id.starts_with("LK-") && !acknowledged_in_all.contains(*id))
        .count();
    eprintln!(
        "kill -9: {} edits acknowledged, {unacknowledged} committed to the lake but not \
         acknowledged; all of them indexed after the restarts",
        acknowledged_in_all.len()
    );
    let hits = search_ok(&hub, &[("q", "轧机振动"), ("limit", "100")]);
    assert!(hits["total"].as_u64().expect("total") >= acknowledged_in_all.len() as u64);
}
