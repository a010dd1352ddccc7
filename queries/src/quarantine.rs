//! Reading the quarantine (`_quarantine`): the rejected rows a principal may see, newest
//! batches first, for `GET /api/quarantine` and `parkhub quarantine list`.

use datafusion::prelude::{col, lit};

use crate::QueryEngine;
use crate::error::Result;

/// A filter over the quarantine.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantineFilter {
    /// Only rows meant for this table.
    pub table: Option<String>,
    /// Only rows of this batch.
    pub batch: Option<String>,
    /// At most this many rows (default 1000).
    pub limit: Option<usize>,
    /// Rows to skip.
    pub offset: Option<usize>,
}

/// Returns the quarantined rows `engine`'s principal may read (an enterprise its own
/// batches'), newest batches first, as JSON objects.
pub async fn quarantine(
    engine: &QueryEngine,
    filter: &QuarantineFilter,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let table = parkhub_connectors::contract::QUARANTINE_TABLE;
    if engine.lake().load_table(table).await?.is_none() {
        return Ok(Vec::new());
    }
    let mut frame = engine
            .plan(&format!(
                "SELECT table_name, batch_id, source, source_row, record, reasons, quarantined_at FROM {table} \
                 ORDER BY quarantined_at DESC, batch_id, source_row"
            ))
            .await?;
    if let Some(name) = &filter.table {
        frame = frame.filter(col("table_name").eq(lit(name.as_str())))?;
    }
    if let Some(batch) = &filter.batch {
        frame = frame.filter(col("batch_id").eq(lit(batch.as_str())))?;
    }
    frame = frame.limit(
        filter.offset.unwrap_or(0),
        Some(filter.limit.unwrap_or(1000)),
    )?;
    let stream = engine.execute(frame)?;
    let schema = stream.schema();
    let batches = stream.collect().await?;
    let (rows, _) = crate::format::json_rows(&batches, usize::MAX);
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| names.iter().cloned().zip(row).collect())
        .collect())
}
