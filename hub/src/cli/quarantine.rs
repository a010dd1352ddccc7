//! `parkhub quarantine list`: rejected rows with every reason.

use std::io::Write;

use crate::cli::OutputFormat;
use crate::services::{QuarantineFilter, Services};

/// Prints quarantined rows.
pub async fn list(
    services: &Services,
    filter: QuarantineFilter,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let rows = crate::services::quarantine(&services.engine, &filter).await?;
    let mut stdout = std::io::stdout().lock();
    let text = |row: &serde_json::Map<String, serde_json::Value>, key: &str| -> String {
        match row.get(key) {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &rows)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            writeln!(
                stdout,
                "table_name,batch_id,source,source_row,reasons,record"
            )?;
            for row in &rows {
                let quote = |value: String| format!("\"{}\"", value.replace('"', "\"\""));
                writeln!(
                    stdout,
                    "{},{},{},{},{},{}",
                    text(row, "table_name"),
                    text(row, "batch_id"),
                    quote(text(row, "source")),
                    text(row, "source_row"),
                    quote(text(row, "reasons")),
                    quote(text(row, "record"))
                )?;
            }
        }
        OutputFormat::Table => {
            if rows.is_empty() {
                writeln!(stdout, "no rejected rows")?;
            }
            for row in &rows {
                writeln!(
                    stdout,
                    "{} · {} · {} · batch {}",
                    text(row, "table_name"),
                    text(row, "source"),
                    text(row, "quarantined_at"),
                    text(row, "batch_id")
                )?;
                for reason in text(row, "reasons").lines() {
                    writeln!(stdout, "  {reason}")?;
                }
                writeln!(stdout, "  record: {}", text(row, "record"))?;
            }
        }
    }
    Ok(())
}
