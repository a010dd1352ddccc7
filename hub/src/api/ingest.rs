//! `POST /api/ingest/{table}`, `GET /api/ingest/{batch_id}` and `GET /api/ingest`: pushing data
//! into the lake and reading the reports of the batches delivered.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use futures::StreamExt;
use parkhub_connectors::decode::{DecodeOptions, SourceFormat, TextEncoding};
use parkhub_connectors::ingest::{
    IngestProgress, IngestReport, IngestRequest, IngestStatus, ReportFilter, upload_path,
};
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use utoipa::openapi::Required;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::auth::caller::Caller;
use crate::server::AppState;
use parkhub_connectors::validate::OWNER_COLUMN;
use parkhub_queries::policy::rules::CATALOG_TABLES;

/// Query parameters of an ingest.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IngestParams {
    /// `utf-8`, `gbk` or `gb18030` (CSV, JSON); detected when absent.
    #[param(schema_with = encoding_parameter_schema)]
    pub encoding: Option<String>,
    /// Overrides the format the `Content-Type` names: the name of a registered format (`csv`,
    /// `ndjson`, `json`, `parquet`, `xlsx`).
    #[param(schema_with = format_parameter_schema)]
    pub format: Option<String>,
    /// The XLSX sheet (default: the first).
    pub sheet: Option<String>,
}

/// Returns the schema of `?encoding=`: the name of every [`TextEncoding`] (the server also
/// accepts other spellings, such as `utf8` or `cp936`, in any case).
fn encoding_parameter_schema() -> utoipa::openapi::schema::Object {
    let every_encoding = [TextEncoding::Utf8, TextEncoding::Gbk, TextEncoding::Gb18030];
    names_schema(
        "The text encoding of a CSV or JSON body; detected when absent.",
        every_encoding.map(|encoding| encoding.to_string().to_ascii_lowercase()),
    )
}

/// Returns the schema of `?format=`: the name of every registered [`SourceFormat`] (the server
/// also accepts their other names, such as `tsv` and `jsonl`, in any case).
fn format_parameter_schema() -> utoipa::openapi::schema::Object {
    names_schema(
        "The body's format, overriding the one its `Content-Type` names.",
        SourceFormat::all().map(SourceFormat::name),
    )
}

/// Returns the ingest routes with their description, whose request body lists the media type
/// of every registered [`SourceFormat`] (a `#[utoipa::path]` can only list literal ones).
pub fn routes() -> UtoipaMethodRouter<AppState> {
    let (schemas, mut paths, router) = routes!(ingest, report);
    for item in paths.paths.values_mut() {
        if let Some(operation) = item.post.as_mut() {
            operation.request_body = Some(request_body().into());
        }
    }
    (schemas, paths, router)
}

/// Returns the description of an ingest's body: one content per registered format.
fn request_body() -> RequestBody {
    let summaries = SourceFormat::all()
        .map(|format| format.descriptor().summary)
        .collect::<Vec<_>>();
    let mut body = RequestBodyBuilder::new()
        .description(Some(format!(
            "The rows, sent as the raw bytes of a file: {}.",
            summaries.join(", ")
        )))
        .required(Some(Required::True));
    for format in SourceFormat::all() {
        body = body.content(
            format.media_type(),
            ContentBuilder::new()
                .description(Some(format.descriptor().summary))
                .build(),
        );
    }
    body.build()
}

/// Returns the schema of a string that is one of `names`. It carries the parameter's
/// description, which utoipa does not take from the field's doc comment when a parameter's
/// schema is given by a function.
fn names_schema<Name: Into<serde_json::Value>>(
    description: &str,
    names: impl IntoIterator<Item = Name>,
) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(description))
        .enum_values(Some(names))
        .build()
}

/// Ingests the request body into `table`.
///
/// The body (described by [`routes`], from the format registry) is decoded by its
/// `Content-Type` (or `?format=`), validated against the table's
/// contract, and its valid rows are committed to the table in one Delta commit; rejected rows go
/// to the quarantine with their reasons. The same content sent again for the same table is
/// recognised (`status: duplicate`) and not written twice.
#[utoipa::path(
    post,
    path = "/api/ingest/{table_or_batch}",
    operation_id = "ingest",
    tag = "ingest",
    params(
        ("table_or_batch" = String, Path,
            description = "The target table (a built-in or park contract), e.g. `enterprises`.",
            example = "enterprises"),
        IngestParams,
    ),
    responses(
        (status = 200, description = "The batch was committed (`status: committed`, possibly \
            with rejected rows) or recognised as already ingested (`status: duplicate`).",
            body = IngestReport),
        (status = 400, description = "No such table (`unknown_table`, as in SQL), a query \
            parameter is unknown or malformed (`invalid_parameters`), or the body broke off \
            (`invalid_request`).", body = ErrorBody),
        (status = 403, description = "An enterprise token and a table not keyed by `uscc` \
            (`forbidden`).", body = ErrorBody),
        (status = 413, description = "The body is larger than the server's limit \
            (`payload_too_large`).", body = ErrorBody),
        (status = 415, description = "The `Content-Type` names no accepted format and there is \
            no `?format=` (`unsupported_media_type`).", body = ErrorBody),
        (status = 422, description = "The source could not be read as a whole (`status: failed`, \
            the reason in `error`); nothing was written.", body = IngestReport),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn ingest(
    State(state): State<AppState>,
    caller: Caller,
    Path(table): Path<String>,
    params: Result<Query<IngestParams>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestReport>), ApiError> {
    let Query(params) = params
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    let services = &state.services;
    let contracts = services.ingestor.contracts()?;
    let contract = contracts.get(&table)?;
    if caller.enterprise_uscc().is_some()
        && (contract.column(OWNER_COLUMN).is_none() || CATALOG_TABLES.contains(&table.as_str()))
    {
        return Err(ApiError::forbidden(format!(
            "an enterprise delivers only its own rows, to tables keyed by uscc; '{table}' is not \
             one (the catalog is curated by the promotion centre)"
        )));
    }
    let format = match &params.format {
        Some(name) => name
            .parse::<SourceFormat>()
            .map_err(|error| ApiError::bad_request("invalid_parameters", error.to_string()))?,
        None => headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(SourceFormat::from_content_type)
            .ok_or_else(|| ApiError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: format!(
                    "send the body as {} (or say ?format=)",
                    SourceFormat::media_types_list()
                ),
            })?,
    };
    let encoding = params
        .encoding
        .as_deref()
        .map(str::parse::<TextEncoding>)
        .transpose()
        .map_err(|error| ApiError::bad_request("invalid_parameters", error.to_string()))?;

    let upload = Upload::receive(services.lake.data_dir(), body, state.max_body_bytes).await?;
    let mut decode = DecodeOptions::new(format);
    decode.encoding = encoding;
    decode.sheet = params.sheet;
    let request = IngestRequest {
        table,
        decode,
        source: "http".into(),
        who: caller.principal.name.clone(),
        owner: caller.enterprise_uscc().map(str::to_string),
    };
    let report = services
        .ingestor
        .ingest_file(&upload.path, request, Arc::new(IngestProgress::default()))
        .await?;
    drop(upload);
    services
        .live_catalog
        .index_ingested_rows(&report.table, report.rows_written)
        .await;
    record_ingest(&state.metrics, &report);
    let status = if report.status == IngestStatus::Failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// Counts a finished batch in the metrics.
pub fn record_ingest(metrics: &crate::metrics::Metrics, report: &IngestReport) {
    let table = report.table.as_str();
    metrics.increment(
        "parkhub_ingests_total",
        &[("table", table), ("status", report.status.as_str())],
    );
    metrics.add(
        "parkhub_ingest_rows_total",
        &[("table", table)],
        report.rows_written as f64,
    );
    metrics.add(
        "parkhub_rejected_rows_total",
        &[("table", table)],
        report.rows_rejected as f64,
    );
}

/// Returns the report of a batch.
///
/// The report `POST /api/ingest/{table}` answered, read back from the ingest log.
#[utoipa::path(
    get,
    path = "/api/ingest/{table_or_batch}",
    operation_id = "get_ingest_report",
    tag = "ingest",
    params(
        ("table_or_batch" = String, Path, description = "The batch id a report gave."),
    ),
    responses(
        (status = 200, description = "The batch's report.", body = IngestReport),
        (status = 404, description = "No such batch (`not_found`).", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(batch_id): Path<String>,
) -> Result<Json<IngestReport>, ApiError> {
    match state.services.ingestor.report(&batch_id).await {
        // An enterprise reads the reports of its own batches; another's is no batch to it.
        Ok(Some(report))
            if caller
                .enterprise_uscc()
                .is_none_or(|own| report.uscc.as_deref() == Some(own)) =>
        {
            Ok(Json(report))
        }
        Ok(_) => Err(ApiError::not_found(format!("no batch '{batch_id}'"))),
        Err(error) => Err(error.into()),
    }
}

/// The most reports `GET /api/ingest` lists by default.
pub const DEFAULT_REPORTS: usize = 50;
/// The most reports `GET /api/ingest` lists at all.
pub const MAX_REPORTS: usize = 500;

/// Query parameters of the list of reports.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportListParams {
    /// Only batches meant for this table, e.g. `production_monthly`.
    pub table: Option<String>,
    /// At most this many reports, the newest (default 50, at most 500).
    #[param(minimum = 0, maximum = 500)]
    pub limit: Option<usize>,
}

/// Lists the reports of the batches delivered, newest first.
///
/// The reports `POST /api/ingest/{table}` answered (and those of the command line and the drop
/// folder), read back from the ingest log, newest first by when ingestion started. An
/// enterprise sees the batches it delivered itself only.
#[utoipa::path(
    get,
    path = "/api/ingest",
    operation_id = "list_ingest_reports",
    tag = "ingest",
    params(ReportListParams),
    responses(
        (status = 200, description = "The reports, newest first.", body = [IngestReport]),
        (status = 400, description = "A parameter is unknown or malformed, or `limit` is over \
            500 (`invalid_parameters`); no such table (`unknown_table`).", body = ErrorBody),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ReportListParams>, QueryRejection>,
) -> Result<Json<Vec<IngestReport>>, ApiError> {
    let Query(params) = params
        .map_err(|rejection| ApiError::bad_request("invalid_parameters", rejection.body_text()))?;
    let limit = params.limit.unwrap_or(DEFAULT_REPORTS);
    if limit > MAX_REPORTS {
        return Err(ApiError::bad_request(
            "invalid_parameters",
            format!("limit is at most {MAX_REPORTS}, not {limit}"),
        ));
    }
    if let Some(table) = &params.table {
        // As unknown here as in SQL and in an ingest.
        state.services.ingestor.contracts()?.get(table)?;
    }
    let filter = ReportFilter {
        table: params.table,
        // An enterprise lists the batches it delivered, as it reads only their reports.
        uscc: caller.enterprise_uscc().map(str::to_string),
        source: None,
        limit,
    };
    Ok(Json(state.services.ingestor.reports(&filter).await?))
}

/// A request body saved to a file under the data directory, deleted when dropped.
struct Upload {
    path: std::path::PathBuf,
}

impl Upload {
    async fn receive(
        data_dir: &std::path::Path,
        body: Body,
        max_bytes: u64,
    ) -> Result<Upload, ApiError> {
        let upload = Upload {
            path: upload_path(data_dir),
        };
        if let Some(folder) = upload.path.parent() {
            tokio::fs::create_dir_all(folder)
                .await
                .map_err(|error| ApiError::internal(&error))?;
        }
        let mut file = tokio::fs::File::create(&upload.path)
            .await
            .map_err(|error| ApiError::internal(&error))?;
        let mut received = 0u64;
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|error| {
                ApiError::bad_request(
                    "invalid_request",
                    format!("the request body broke off: {error}"),
                )
            })?;
            received += chunk.len() as u64;
            if received > max_bytes {
                return Err(ApiError {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    code: "payload_too_large",
                    message: format!("the body is larger than the limit of {max_bytes} bytes"),
                });
            }
            file.write_all(&chunk)
                .await
                .map_err(|error| ApiError::internal(&error))?;
        }
        file.flush()
            .await
            .map_err(|error| ApiError::internal(&error))?;
        Ok(upload)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
