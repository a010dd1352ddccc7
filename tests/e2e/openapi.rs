//! `GET /api/openapi.json`: the OpenAPI description covers every route the server serves, and
//! its structure holds together.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{TestHub, demo_dir};

/// Routes the server has had since the API was first described; the list derived from the
/// router must keep them (a route dropped by mistake would vanish from router and description
/// alike, which comparing the two could not notice).
const KNOWN_ROUTES: [(&str, &str); 11] = [
    ("GET", "/health"),
    ("GET", "/metrics"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/tables"),
    ("POST", "/api/sql"),
    ("GET", "/api/catalog/search"),
    ("POST", "/api/ingest/{table_or_batch}"),
    ("GET", "/api/ingest/{table_or_batch}"),
    ("GET", "/api/quarantine"),
    ("GET", "/api/indicators"),
    ("GET", "/api/indicators/{name}"),
];

/// Collects every `$ref` of a JSON document.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child.as_str()) {
                    ("$ref", Some(reference)) => found.push(reference.to_string()),
                    _ => references(child, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// Returns the media types of a `content` map.
fn media_types(content: &Value) -> BTreeSet<String> {
    content
        .as_object()
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn the_openapi_description_covers_every_route() {
    let hub = TestHub::start(demo_dir(), &[]);
    let client = hub.http();
    let response = client
        .get(hub.url("/api/openapi.json"))
        .send()
        .expect("openapi.json");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("content type")
            .starts_with("application/json")
    );
    let document: Value = response.json().expect("the description is JSON");
    let version = document["openapi"].as_str().expect("an openapi version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, not {version}");
    assert_eq!(document["info"]["title"], "ParkHub API");

    // Every route of the router, read from the router built with the description, is described
    // with its method, and the description describes nothing else.
    let routes: BTreeSet<(String, String)> = parkhub::server::routes().into_iter().collect();
    for (method, path) in KNOWN_ROUTES {
        assert!(
            routes.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is no longer routed: {routes:?}"
        );
    }
    let paths = document["paths"].as_object().expect("paths");
    let mut described = BTreeSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("a path item") {
            if operation.get("responses").is_some() {
                described.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    assert_eq!(described, routes);

    let allowed_tags: BTreeSet<&str> = [
        "sql",
        "tables",
        "indicators",
        "ingest",
        "quarantine",
        "catalog",
        "health",
        "auth",
    ]
    .into_iter()
    .collect();
    let mut operation_ids = BTreeSet::new();
    for (method, path) in &routes {
        let operation = &document["paths"][path][method.to_ascii_lowercase()];
        let operation_id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            operation_ids.insert(operation_id.to_string()),
            "{method} {path}: operationId '{operation_id}' is missing or not unique"
        );
        let summary = operation["summary"].as_str().unwrap_or_default();
        assert!(!summary.is_empty(), "{method} {path} has no summary");
        let tags = operation["tags"].as_array().expect("tags");
        assert!(
            !tags.is_empty()
                && tags
                    .iter()
                    .all(|tag| allowed_tags.contains(tag.as_str().unwrap_or_default())),
            "{method} {path}: {tags:?}"
        );
        // A success: 200, or 201 for a route that creates.
        let success = if operation["responses"]["201"].is_object() {
            "201"
        } else {
            "200"
        };
        assert!(
            operation["responses"][success]["content"].is_object(),
            "{method} {path} describes no {success} body"
        );
        // Every `{parameter}` of the path is described as a path parameter.
        for segment in path.split('/') {
            if let Some(name) = segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                let described = operation["parameters"]
                    .as_array()
                    .is_some_and(|parameters| {
                        parameters.iter().any(|parameter| {
                            parameter["name"] == name
                                && parameter["in"] == "path"
                                && parameter["required"] == true
                        })
                    });
                assert!(described, "{method} {path}: no path parameter {name}");
            }
        }

        // The route is really served: a request reaches its handler (not the fallback), and
        // the status it answers is one the description lists.
        // No request here writes: the catalog entry does not exist, and a body is not sent.
        let url = hub.url(
            &path
                .replace("{table_or_batch}", "no_such_table")
                .replace("{name}", "no_such_indicator")
                .replace("{kind}", "offering")
                .replace("{id}", "no_such_entry"),
        );
        let response = match method.as_str() {
            "GET" => client.get(url),
            "POST" => client.post(url),
            "PUT" => client.put(url),
            "DELETE" => client.delete(url),
            other => panic!("a route with method {other}: extend this test"),
        }
        .send()
        .expect("request");
        let status = response.status().as_u16();
        let body = response.text().expect("body");
        assert!(
            status != 405 && !body.contains("no route for"),
            "{method} {path} is described but not served: {status} {body}"
        );
        assert!(
            operation["responses"][status.to_string()].is_object(),
            "{method} {path} answered {status}, which its description does not list: {body}"
        );
    }

    // The bodies in more than one format.
    let answer_formats = BTreeSet::from([
        "application/json".to_string(),
        "text/csv".to_string(),
        "application/vnd.apache.arrow.stream".to_string(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
    ]);
    for (method, path) in [("post", "/api/sql"), ("get", "/api/indicators/{name}")] {
        assert_eq!(
            media_types(&document["paths"][path][method]["responses"]["200"]["content"]),
            answer_formats,
            "{method} {path}"
        );
    }
    assert_eq!(
        document["paths"]["/api/sql"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/SqlRequest"
    );
    let ingest = &document["paths"]["/api/ingest/{table_or_batch}"]["post"];
    assert_eq!(
        media_types(&ingest["requestBody"]["content"]),
        BTreeSet::from(
            [
                "text/csv",
                "application/x-ndjson",
                "application/json",
                "application/vnd.apache.parquet",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ]
            .map(str::to_string)
        )
    );
    for status in ["400", "403", "413", "415"] {
        assert_eq!(
            ingest["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "ingest {status}"
        );
    }
    let error_body = &document["components"]["schemas"]["ErrorBody"];
    assert_eq!(
        error_body["required"],
        serde_json::json!(["code", "message"]),
        "{error_body}"
    );

    // Every reference resolves to a component.
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(found.len() > 10, "{found:?}");
    for reference in found {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{reference} is not a schema reference"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{reference} does not resolve"
        );
    }
}
