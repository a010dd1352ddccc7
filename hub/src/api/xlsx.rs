//! Query answers as an Excel workbook (`Accept:` [`XLSX`]) over HTTP: the workbook is
//! [`parkhub_queries::format::xlsx`]'s; this sends it, as a download.
//!
//! A longer answer than a sheet holds is refused with 413 `too_many_rows` (see
//! [`ApiError`]'s mapping of [`parkhub_queries::Error::TooManyXlsxRows`]).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use datafusion::arrow::datatypes::SchemaRef;
use parkhub_queries::format::xlsx;
pub use parkhub_queries::format::xlsx::{MAX_XLSX_ROWS, XLSX};

use crate::api::ApiError;

/// The file name a browser saves the workbook as.
const CONTENT_DISPOSITION: &str = "attachment; filename=\"answer.xlsx\"";

/// Reads the whole answer from `stream` (refused past [`MAX_XLSX_ROWS`] rows, before anything
/// is written), writes the workbook off the request threads and returns the response with the
/// number of data rows.
pub async fn answer(
    stream: parkhub_queries::QueryStream,
    schema: SchemaRef,
) -> Result<(Response, u64), ApiError> {
    let (batches, rows) = xlsx::collect(stream).await?;
    let bytes = tokio::task::spawn_blocking(move || xlsx::workbook(&schema, &batches))
        .await
        .map_err(|error| ApiError::internal(&error))??;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(CONTENT_DISPOSITION),
    );
    Ok((response, rows as u64))
}
