//! `parkhub sources` and `parkhub sync NAME`: the live sources of `parkhub.toml`.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use parkhub_connectors::ingest::{IngestProgress, IngestStatus};
use parkhub_connectors::live::SourceStatus;

use super::OutputFormat;
use super::ingest::{ReportFormat, print_report};
use crate::services::Services;

/// Prints every source's status; also lists the sources declared wrongly, and fails (exit 1)
/// when there are any, after printing.
pub async fn list(services: &Services, format: OutputFormat) -> anyhow::Result<()> {
    let statuses = services.sources.statuses().await?;
    let mut stdout = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &statuses)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut stdout);
            writer.write_record(HEADER)?;
            for status in &statuses {
                writer.write_record(row(status))?;
            }
            writer.flush()?;
        }
        OutputFormat::Table => {
            if statuses.is_empty() {
                writeln!(
                    stdout,
                    "no live sources: declare them as [[sources]] in parkhub.toml (see the README, Live sources)"
                )?;
            } else {
                let rows: Vec<[String; 11]> = statuses.iter().map(row).collect();
                super::aligned::write(&mut stdout, &HEADER, &rows)?;
            }
        }
    }
    let refused = services.sources.errors();
    if !refused.is_empty() {
        for error in &refused {
            eprintln!("error: {error}");
        }
        bail!(
            "{} source{} of parkhub.toml cannot run",
            refused.len(),
            if refused.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

const HEADER: [&str; 11] = [
    "name",
    "kind",
    "table",
    "state",
    "every",
    "last_sync",
    "last_cursor",
    "rows_written",
    "rows_rejected",
    "lag",
    "last_error",
];

fn row(status: &SourceStatus) -> [String; 11] {
    [
        status.name.clone(),
        status.kind.clone(),
        status.table.clone(),
        serde_json::to_value(status.state)
            .ok()
            .and_then(|state| state.as_str().map(str::to_string))
            .unwrap_or_default(),
        status.every.clone(),
        status
            .last_sync
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "never".to_string()),
        status.last_cursor.clone().unwrap_or_default(),
        status.rows_written.to_string(),
        status.rows_rejected.to_string(),
        status
            .lag_seconds
            .map(|seconds| format!("{seconds}s"))
            .unwrap_or_default(),
        status
            .last_error
            .clone()
            .unwrap_or_default()
            .replace('\n', " "),
    ]
}

/// Runs one sync of a database source with a progress line, prints its report, and fails
/// (exit 1) when the sync failed.
pub async fn sync(
    services: &Services,
    name: &str,
    report_format: Option<ReportFormat>,
    progress: ProgressBar,
) -> anyhow::Result<()> {
    progress.set_style(
        ProgressStyle::with_template("{spinner} {msg} {prefix} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_message(format!("syncing {name}"));
    progress.enable_steady_tick(Duration::from_millis(200));
    let counters = Arc::new(IngestProgress::default());
    let watcher = {
        let counters = Arc::clone(&counters);
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                progress.set_prefix(format!(
                    "{} rows read",
                    counters.rows.load(Ordering::Relaxed)
                ));
            }
        })
    };
    let result = services.sources.sync(name, counters).await;
    watcher.abort();
    progress.finish_and_clear();
    let report = result?;
    let mut stdout = std::io::stdout().lock();
    match report_format {
        Some(ReportFormat::Json) => {
            serde_json::to_writer_pretty(&mut stdout, &report)?;
            writeln!(stdout)?;
        }
        None => print_report(&mut stdout, &report)?,
    }
    if report.status == IngestStatus::Failed {
        bail!(
            "the sync of {name} failed: {}",
            report.error.as_deref().unwrap_or("unknown error")
        );
    }
    Ok(())
}
