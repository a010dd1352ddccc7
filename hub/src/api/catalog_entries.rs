//! `POST /api/catalog/{kind}` and `GET`/`PUT`/`DELETE /api/catalog/{kind}/{id}`: live edits
//! of the catalog's applications, offerings and providers (see [`parkhub_catalog::live`]).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use parkhub_catalog::{CatalogRecord, EntryKind};
use serde_json::{Map, Value};

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::server::AppState;

/// Parses the `{kind}` of a path.
fn entry_kind(kind: &str) -> Result<EntryKind, ApiError> {
    Ok(kind.parse::<EntryKind>()?)
}

/// Returns the JSON object of a request body, or a 400/415 saying what is wrong with it.
fn entry_body(body: Result<Json<Value>, JsonRejection>) -> Result<Map<String, Value>, ApiError> {
    let Json(value) = body.map_err(|rejection| {
        if rejection.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            ApiError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "send the entry as JSON (Content-Type: application/json)".into(),
            }
        } else {
            ApiError::bad_request("invalid_json", rejection.body_text())
        }
    })?;
    match value {
        Value::Object(entry) => Ok(entry),
        other => Err(ApiError::bad_request(
            "invalid_entry",
            format!(
                "the body must be a JSON object of the entry's fields, not {}",
                match other {
                    Value::Array(_) => "a list",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            ),
        )),
    }
}

/// Adds an application, offering or provider to the catalog.
///
/// The body is the entry's fields, named as in its lake table's contract
/// (`parkhub contract show service_offerings`): its id (`app_id`, `offering_id` or
/// `provider_id`), `name`, and for offerings and applications `provider_id` (a provider of
/// the catalog) and `category` are required; list fields (`scenarios`, `key_industries`,
/// `divisions`, `qualifications`) take a list of strings or `;`-separated text. The entry is
/// committed to the lake table and then to the search index: it is searchable when this
/// answers.
#[utoipa::path(
    post,
    path = "/api/catalog/{kind}",
    operation_id = "create_catalog_entry",
    tag = "catalog",
    params(
        ("kind" = String, Path, description = "`application`, `offering` or `provider`.",
            example = "offering"),
    ),
    request_body(content = Object, content_type = "application/json",
        description = "The entry's fields, e.g. `{\"offering_id\": \"OF-900\", \"provider_id\": \
            \"SP-01\", \"name\": \"注塑机预测性维护\", \"category\": \"platform\", \"scenarios\": \
            [\"predictive_maintenance\"], \"deployment\": \"edge\", \"price_min\": 20, \"price_max\": 45}`."),
    responses(
        (status = 201, description = "Created: committed to the lake and the search index.",
            body = CatalogRecord,
            headers(("location" = String, description = "The entry's URL."))),
        (status = 400, description = "The kind is unknown (`invalid_kind`), the body is not JSON \
            (`invalid_json`), or the entry does not fit its table's contract (`invalid_entry`; \
            the message names each field at fault).", body = ErrorBody),
        (status = 409, description = "An entry of that kind has that id (`already_exists`).",
            body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`.", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let kind = entry_kind(&kind)?;
    let entry = entry_body(body)?;
    let record = state.services.live_catalog.create(kind, entry).await?;
    let mut response = (StatusCode::CREATED, Json(&record)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/catalog/{kind}/{}", record.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Returns one catalog entry as its lake table holds it.
#[utoipa::path(
    get,
    path = "/api/catalog/{kind}/{id}",
    operation_id = "get_catalog_entry",
    tag = "catalog",
    params(
        ("kind" = String, Path, description = "`application`, `offering` or `provider`.",
            example = "offering"),
        ("id" = String, Path, description = "The entry's id.", example = "OF-900"),
    ),
    responses(
        (status = 200, description = "The entry.", body = CatalogRecord),
        (status = 400, description = "The kind is unknown (`invalid_kind`).", body = ErrorBody),
        (status = 404, description = "No entry of that kind has that id (`not_found`).",
            body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<CatalogRecord>, ApiError> {
    let kind = entry_kind(&kind)?;
    Ok(Json(state.services.live_catalog.entry(kind, &id).await?))
}

/// Replaces one catalog entry.
///
/// The body gives every field of the entry, as for `POST /api/catalog/{kind}`; fields left
/// out become empty. The id may be left out; when given it must be the path's.
#[utoipa::path(
    put,
    path = "/api/catalog/{kind}/{id}",
    operation_id = "replace_catalog_entry",
    tag = "catalog",
    params(
        ("kind" = String, Path, description = "`application`, `offering` or `provider`.",
            example = "offering"),
        ("id" = String, Path, description = "The entry's id.", example = "OF-900"),
    ),
    request_body(content = Object, content_type = "application/json",
        description = "The entry's fields (all of them)."),
    responses(
        (status = 200, description = "Replaced in the lake and the search index.",
            body = CatalogRecord),
        (status = 400, description = "The kind is unknown (`invalid_kind`), the body is not JSON \
            (`invalid_json`), or the entry does not fit its table's contract (`invalid_entry`).",
            body = ErrorBody),
        (status = 404, description = "No entry of that kind has that id (`not_found`).",
            body = ErrorBody),
        (status = 415, description = "The body is not sent as `application/json`.", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<CatalogRecord>, ApiError> {
    let kind = entry_kind(&kind)?;
    let entry = entry_body(body)?;
    Ok(Json(
        state
            .services
            .live_catalog
            .replace(kind, &id, entry)
            .await?,
    ))
}

/// Deletes one catalog entry from the lake and the search index, and returns it as it was.
#[utoipa::path(
    delete,
    path = "/api/catalog/{kind}/{id}",
    operation_id = "delete_catalog_entry",
    tag = "catalog",
    params(
        ("kind" = String, Path, description = "`application`, `offering` or `provider`.",
            example = "offering"),
        ("id" = String, Path, description = "The entry's id.", example = "OF-900"),
    ),
    responses(
        (status = 200, description = "Deleted; the entry as it was.", body = CatalogRecord),
        (status = 400, description = "The kind is unknown (`invalid_kind`).", body = ErrorBody),
        (status = 404, description = "No entry of that kind has that id (`not_found`).",
            body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<CatalogRecord>, ApiError> {
    let kind = entry_kind(&kind)?;
    Ok(Json(state.services.live_catalog.delete(kind, &id).await?))
}
