//! `POST /api/sql`: read-only SQL over the lake, answered as JSON (default), CSV, an Arrow
//! IPC stream or an XLSX workbook depending on `Accept`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use parkhub_queries::format;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::ApiError;
use crate::api::error::ErrorBody;
use crate::api::xlsx::XLSX;
use crate::auth::caller::Caller;
use crate::server::AppState;

/// The most rows a JSON answer carries; CSV and Arrow answers are streamed without a cap (XLSX
/// answers hold at most [`crate::api::xlsx::MAX_XLSX_ROWS`]).
pub const MAX_JSON_ROWS: usize = 10_000;

/// Media type of an Arrow IPC stream.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// The body of a SQL request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sql": "SELECT key_industry, count(*) AS enterprises FROM enterprises GROUP BY key_industry"}))]
pub struct SqlRequest {
    /// One read-only SQL statement.
    pub sql: String,
}

/// A column of a JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ColumnDescription {
    /// The column name.
    pub name: String,
    /// Its type (`string`, `int64`, `float64`, `date`, `timestamp`, …).
    #[serde(rename = "type")]
    pub type_name: String,
}

/// A JSON answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SqlAnswer {
    /// The columns, in order.
    pub columns: Vec<ColumnDescription>,
    /// The rows, as arrays in column order.
    pub rows: Vec<Vec<Value>>,
    /// The number of rows in `rows`.
    pub row_count: usize,
    /// True when the answer had more than [`MAX_JSON_ROWS`] rows and was cut.
    pub truncated: bool,
    /// Time spent planning and running the query.
    pub elapsed_ms: u64,
}

/// The answer formats, chosen by `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
    /// `application/vnd.apache.arrow.stream`.
    Arrow,
    /// `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`: one sheet.
    Xlsx,
}

impl AnswerFormat {
    /// Chooses the format from an `Accept` header: the first acceptable media type in the
    /// list wins; no header, `*/*` or `application/*` mean JSON; `None` when nothing fits.
    pub fn from_accept(headers: &HeaderMap) -> Option<AnswerFormat> {
        let Some(accept) = headers.get(header::ACCEPT) else {
            return Some(AnswerFormat::Json);
        };
        let accept = accept.to_str().ok()?;
        if accept.trim().is_empty() {
            return Some(AnswerFormat::Json);
        }
        accept.split(',').find_map(|media_range| {
            let media_type = media_range
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            match media_type.as_str() {
                "application/json" | "*/*" | "application/*" => Some(AnswerFormat::Json),
                "text/csv" | "text/*" => Some(AnswerFormat::Csv),
                ARROW_STREAM => Some(AnswerFormat::Arrow),
                XLSX => Some(AnswerFormat::Xlsx),
                _ => None,
            }
        })
    }
}

impl AnswerFormat {
    /// Chooses the format from `Accept`, or answers 406 naming what can be answered.
    pub fn negotiate(headers: &HeaderMap) -> Result<AnswerFormat, ApiError> {
        AnswerFormat::from_accept(headers).ok_or_else(|| {
            ApiError::not_acceptable(format!(
                "cannot answer with {}; use application/json, text/csv, {ARROW_STREAM} or \
                 {XLSX}",
                headers
                    .get(header::ACCEPT)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("that media type")
            ))
        })
    }
}

/// Runs one read-only statement.
///
/// The statement is planned read-only (no DDL or DML) over the lake's tables and run under the
/// server's memory and time limits. The answer's format follows `Accept`: JSON (the default; at
/// most 10 000 rows, `truncated` says when there were more), CSV with a header row, an Arrow
/// IPC stream, or an XLSX workbook (one sheet, a bold header row, at most 1,048,575 rows:
/// a longer answer is refused with 413 `too_many_rows`, not cut); CSV and Arrow are streamed
/// without a row cap.
#[utoipa::path(
    post,
    path = "/api/sql",
    operation_id = "run_sql",
    tag = "sql",
    request_body(content = SqlRequest, content_type = "application/json",
        description = "One read-only SQL statement."),
    responses(
        (status = 200, description = "The statement's rows.",
            content(
                (SqlAnswer = "application/json"),
                (String = "text/csv"),
                ("application/vnd.apache.arrow.stream"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(("content-disposition" = String,
                description = "`attachment; filename=\"answer.xlsx\"` on an XLSX answer."))),
        (status = 400, description = "The body is not `{\"sql\": \"...\"}` (`invalid_request`), \
            or the SQL is empty or invalid (`invalid_sql`), writes (`read_only`) or names an \
            unknown table (`unknown_table`).", body = ErrorBody),
        (status = 406, description = "`Accept` names no format this route answers.", body = ErrorBody),
        (status = 408, description = "The query ran past the time limit (`query_timeout`).", body = ErrorBody),
        (status = 413, description = "An XLSX answer of more rows than a sheet holds \
            (`too_many_rows`); CSV and Arrow have no cap.", body = ErrorBody),
        (status = 503, description = "Too many queries at once (`busy`) or the memory limit was \
            reached (`resources_exhausted`); retry after the `Retry-After` seconds.",
            body = ErrorBody, headers(("retry-after" = u32, description = "Seconds to wait."))),
        (status = 500, description = "An internal error (details in the server log).", body = ErrorBody),
    )
)]
pub async fn run_sql(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    request: Result<Json<SqlRequest>, JsonRejection>,
) -> Response {
    // The audit trail records the statement, whatever the answer.
    let mut note = crate::auth::audit::AuditNote {
        statement: request
            .as_ref()
            .ok()
            .map(|Json(request)| request.sql.clone()),
        ..Default::default()
    };
    let mut response = plan_and_answer(state, &caller, headers, request, &mut note)
        .await
        .into_response();
    response.extensions_mut().insert(note);
    response
}

async fn plan_and_answer(
    state: AppState,
    caller: &Caller,
    headers: HeaderMap,
    request: Result<Json<SqlRequest>, JsonRejection>,
    note: &mut crate::auth::audit::AuditNote,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let answer_format = AnswerFormat::negotiate(&headers)?;
    let Json(request) = request
        .map_err(|rejection| ApiError::bad_request("invalid_request", rejection.body_text()))?;
    if request.sql.trim().is_empty() {
        return Err(ApiError::bad_request(
            "invalid_sql",
            "the SQL text is empty",
        ));
    }
    let recorder = QueryRecorder::new(&state, "sql", started);
    let frame = match caller.engine.plan(&request.sql).await {
        Ok(frame) => frame,
        Err(error) => return Err(recorder.failed(ApiError::from(error))),
    };
    note.read(&caller.engine.reads(frame.logical_plan()));
    answer(&caller.engine, recorder, frame, answer_format).await
}

/// Counts a query in the metrics when it ends, however it ends.
#[derive(Debug, Clone)]
pub struct QueryRecorder {
    metrics: Arc<crate::metrics::Metrics>,
    surface: &'static str,
    started: Instant,
}

impl QueryRecorder {
    /// Starts recording a query of `surface` (`sql`, `indicator`).
    pub fn new(state: &AppState, surface: &'static str, started: Instant) -> QueryRecorder {
        QueryRecorder {
            metrics: Arc::clone(&state.metrics),
            surface,
            started,
        }
    }

    fn finish(&self, outcome: &str, rows: u64) {
        self.metrics.increment(
            "parkhub_queries_total",
            &[("surface", self.surface), ("outcome", outcome)],
        );
        self.metrics.observe(
            "parkhub_query_duration_seconds",
            &[("surface", self.surface)],
            self.started.elapsed(),
        );
        self.metrics.add(
            "parkhub_query_rows_total",
            &[("surface", self.surface)],
            rows as f64,
        );
    }

    /// Records a failed query and hands its error back.
    pub fn failed(&self, error: ApiError) -> ApiError {
        self.finish(error.code, 0);
        error
    }
}

/// Runs a planned query and writes its answer in `answer_format`.
pub async fn answer(
    engine: &parkhub_queries::QueryEngine,
    recorder: QueryRecorder,
    frame: datafusion::prelude::DataFrame,
    answer_format: AnswerFormat,
) -> Result<Response, ApiError> {
    let schema = format::plain_string_schema(&Arc::new(frame.schema().as_arrow().clone()));
    let stream = match engine.execute(frame) {
        Ok(stream) => stream,
        Err(error) => return Err(recorder.failed(ApiError::from(error))),
    };
    match answer_format {
        AnswerFormat::Json => match json_answer(stream, &schema, recorder.started).await {
            Ok((response, rows)) => {
                recorder.finish("ok", rows);
                Ok(response)
            }
            Err(error) => Err(recorder.failed(error)),
        },
        AnswerFormat::Csv => Ok(streamed(
            stream,
            "text/csv; charset=utf-8",
            format::CsvChunks::default(),
            recorder,
        )),
        AnswerFormat::Xlsx => match crate::api::xlsx::answer(stream, schema).await {
            Ok((response, rows)) => {
                recorder.finish("ok", rows);
                Ok(response)
            }
            Err(error) => Err(recorder.failed(error)),
        },
        AnswerFormat::Arrow => {
            let encoder = format::ArrowChunks::new(&schema).map_err(ApiError::from)?;
            Ok(streamed(stream, ARROW_STREAM, encoder, recorder))
        }
    }
}

async fn json_answer(
    mut stream: parkhub_queries::QueryStream,
    schema: &datafusion::arrow::datatypes::SchemaRef,
    started: Instant,
) -> Result<(Response, u64), ApiError> {
    let mut batches = Vec::new();
    let mut rows_seen = 0usize;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        rows_seen += batch.num_rows();
        batches.push(batch);
        if rows_seen > MAX_JSON_ROWS {
            break;
        }
    }
    drop(stream);
    let (rows, truncated) = format::json_rows(&batches, MAX_JSON_ROWS);
    let answer = SqlAnswer {
        columns: schema
            .fields()
            .iter()
            .map(|field| ColumnDescription {
                name: field.name().clone(),
                type_name: format::type_name(field.data_type()),
            })
            .collect(),
        row_count: rows.len(),
        rows,
        truncated,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let rows = answer.row_count as u64;
    Ok((Json(answer).into_response(), rows))
}

/// Streams the answer as it is computed; a client that goes away drops the stream, which
/// cancels the query.
fn streamed(
    stream: parkhub_queries::QueryStream,
    content_type: &'static str,
    encoder: impl format::ChunkEncoder,
    recorder: QueryRecorder,
) -> Response {
    let encoder = Arc::new(Mutex::new(encoder));
    let finishing = Arc::clone(&encoder);
    let rows = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = Arc::clone(&rows);
    let failed_recorder = recorder.clone();
    let chunks = stream
        .map(move |batch| -> Result<Bytes, parkhub_queries::Error> {
            let batch = batch?;
            counted.fetch_add(
                batch.num_rows() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
            let mut encoder = encoder
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Ok(Bytes::from(encoder.encode(&batch)?))
        })
        .chain(futures::stream::once(async move {
            let mut encoder = finishing
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let last = Bytes::from(encoder.finish()?);
            recorder.finish("ok", rows.load(std::sync::atomic::Ordering::Relaxed));
            Ok(last)
        }))
        .inspect(move |chunk| {
            if let Err(error) = chunk {
                tracing::warn!(%error, "query failed while streaming its answer");
                failed_recorder.finish("failed_while_streaming", 0);
            }
        });
    let mut response = Body::from_stream(chunks).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn accept_chooses_the_first_answerable_type() {
        assert_eq!(
            AnswerFormat::from_accept(&HeaderMap::new()),
            Some(AnswerFormat::Json)
        );
        assert_eq!(
            AnswerFormat::from_accept(&accept("*/*")),
            Some(AnswerFormat::Json)
        );
        assert_eq!(
            AnswerFormat::from_accept(&accept("text/csv")),
            Some(AnswerFormat::Csv)
        );
        assert_eq!(
            AnswerFormat::from_accept(&accept(ARROW_STREAM)),
            Some(AnswerFormat::Arrow)
        );
        assert_eq!(
            AnswerFormat::from_accept(&accept("application/xml, text/csv;q=0.9")),
            Some(AnswerFormat::Csv)
        );
        assert_eq!(
            AnswerFormat::from_accept(&accept(&format!("{XLSX}, text/csv"))),
            Some(AnswerFormat::Xlsx)
        );
        assert_eq!(AnswerFormat::from_accept(&accept("application/xml")), None);
        assert_eq!(AnswerFormat::from_accept(&accept("image/png")), None);
    }
}
