//! `GET /api/openapi.json`: the OpenAPI description of the HTTP API.
//!
//! The description is not written by hand: every route is registered in
//! [`crate::server::api_router`] through utoipa-axum's `routes!`, which adds the handler to the
//! router and its `#[utoipa::path]` operation to the description in the same step, so a route
//! cannot be served without being described. The request and response types derive
//! `utoipa::ToSchema` beside their `serde` derives. This module holds what is shared: the
//! document's title and tags, the error body, and the schemas of types from crates that do not
//! derive `ToSchema` yet.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::Json;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, Schema, Type,
};
use utoipa::openapi::{OpenApi as OpenApiDocument, RefOr};
use utoipa::{OpenApi, PartialSchema, ToSchema};

/// The document's fixed parts: title, description and tags. The paths and the schemas are
/// added by the router (see [`crate::server::api_router`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ParkHub API",
        description = "Park-level data-integration hub: read-only SQL over the lake, cluster \
                       indicators, data ingestion with quarantine, and catalog search.\n\n\
                       Every error is answered as `{\"code\": \"...\", \"message\": \"...\"}` \
                       (see `ErrorBody`); every response carries an `x-request-id` header (the \
                       client's own when it sends one).\n\n\
                       Every route but `/health` needs `Authorization: Bearer <token>` (see \
                       `parkhub token create`): no token or a bad, expired or revoked one is \
                       answered 401, a route the token's role may not call 403, and too many \
                       requests for one token 429 with `Retry-After`."
    ),
    modifiers(&BearerSecurity),
    tags(
        (name = "sql", description = "Read-only SQL over the lake, answered as JSON, CSV or Arrow."),
        (name = "tables", description = "The lake's tables, their columns and row counts."),
        (name = "indicators", description = "Named cluster indicators (output, energy intensity, CNC rate, ...)."),
        (name = "ingest", description = "Pushing data into the lake and reading batch reports."),
        (name = "quarantine", description = "Rows rejected by ingestion, with their reasons."),
        (name = "catalog", description = "Search of shared applications, service offerings and providers, their live edits, and explained matching of enterprises' needs to offerings."),
        (name = "health", description = "Liveness, metrics and this description."),
        (name = "auth", description = "Tokens: who may call the API, in which role (admin only); and who the caller is (`/api/whoami`, every role)."),
    )
)]
pub struct ApiDocument;

/// Adds the bearer token scheme to the document and requires it of every operation.
struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, document: &mut OpenApiDocument) {
        use utoipa::openapi::security::{
            HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from `parkhub token create` (`phk_…`); `/health` needs none.",
                    ))
                    .build(),
            ),
        );
        document.security = Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The OpenAPI description of the whole API, built once from the router.
static DOCUMENT: LazyLock<OpenApiDocument> = LazyLock::new(crate::server::openapi);

/// Returns the OpenAPI description of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi",
    tag = "health",
    responses(
        (status = 200, description = "The OpenAPI 3.1 description of every route of this server.",
            body = Object, content_type = "application/json"),
    )
)]
pub async fn openapi_json() -> Json<&'static OpenApiDocument> {
    Json(&DOCUMENT)
}

/// Stands for the catalog's `SearchResults` in the description, because the catalog crate does
/// not derive `ToSchema` (yet): an object described in words rather than field by field.
pub struct SearchResultsSchema;

impl PartialSchema for SearchResultsSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Ranked catalog hits: `total` (matches in all, whatever the page), `hits` (the \
                 requested page, best first; each with `kind`, `id`, `title`, an HTML-escaped \
                 `snippet` with matches in `<em>`, `score`, and optionally `category`, \
                 `provider_id`, `rating`, `price_min`, `price_max`, `published_on`) and `facets` \
                 (per facet, value counts over all matches).",
            ))
            .property("total", Object::with_type(Type::Integer))
            .property(
                "hits",
                ArrayBuilder::new().items(Object::with_type(Type::Object)),
            )
            .property(
                "facets",
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .additional_properties(Some(AdditionalProperties::FreeForm(true))),
            )
            .required("total")
            .required("hits")
            .into()
    }
}

impl ToSchema for SearchResultsSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SearchResults")
    }
}

/// Stands for a quarantined row in the description: the handler answers the `_quarantine`
/// table's rows as JSON objects, whose columns the description names in words.
pub struct QuarantinedRowSchema;

impl PartialSchema for QuarantinedRowSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "One rejected row: `table_name`, `batch_id`, `source`, `source_row`, `record` \
                 (the raw record), `reasons` (why it was rejected) and `quarantined_at`.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for QuarantinedRowSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("QuarantinedRow")
    }
}

#[cfg(test)]
mod tests {
    /// Collects every `$ref` of a JSON document.
    fn references(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child.as_str()) {
                        ("$ref", Some(reference)) => found.push(reference.to_string()),
                        _ => references(child, found),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    references(item, found);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn the_document_describes_every_route_with_resolvable_references() {
        let document = serde_json::to_value(crate::server::openapi()).expect("serialisable");
        assert!(
            document["openapi"]
                .as_str()
                .is_some_and(|version| version.starts_with("3.")),
            "{document}"
        );
        let routes = crate::server::routes();
        assert!(routes.len() >= 11, "{routes:?}");
        for (method, path) in &routes {
            let operation = &document["paths"][path][method.to_ascii_lowercase()];
            assert!(operation.is_object(), "{method} {path} is not described");
            assert!(
                operation["tags"]
                    .as_array()
                    .is_some_and(|tags| !tags.is_empty())
            );
            assert!(
                operation["summary"].is_string(),
                "{method} {path} has no summary"
            );
            // A success: 200, or 201 for a route that creates.
            assert!(
                operation["responses"]["200"].is_object()
                    || operation["responses"]["201"].is_object(),
                "{method} {path}"
            );
        }
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(!found.is_empty());
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
}
