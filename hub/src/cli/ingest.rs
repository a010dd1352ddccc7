//! `parkhub ingest`: files, globs, directories and `s3://` URLs into a lake table.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::bail;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use parkhub_connectors::decode::{DecodeOptions, SourceFormat, TextEncoding};
use parkhub_connectors::ingest::{IngestProgress, IngestReport, IngestRequest, IngestStatus};

use parkhub_connectors::sources::{SourceItem, expand_sources, fetch_local};

use crate::services::Services;

/// Options of `parkhub ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The table to load into (see `parkhub contract list`).
    #[arg(long)]
    pub table: String,
    /// The files' format; by default from each file's extension.
    #[arg(long, value_parser = format_parser())]
    pub format: Option<SourceFormat>,
    /// Text encoding of CSV and JSON files; detected by default.
    #[arg(long, value_parser = ["utf-8", "utf8", "gbk", "gb18030"])]
    pub encoding: Option<String>,
    /// XLSX sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// CSV delimiter (one character; detected by default).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Who delivers the data (recorded in the ingest log).
    #[arg(long, default_value = "cli")]
    pub who: String,
    /// Print the reports as JSON instead of lines.
    #[arg(long, value_enum)]
    pub report: Option<ReportFormat>,
    /// Files, globs ('data/*.csv'), directories, or s3://bucket/prefix/ URLs.
    #[arg(required = true, value_name = "PATH_OR_URL")]
    pub sources: Vec<String>,
}

/// Parses `--format` with the registry's names, which `--help` lists.
fn format_parser() -> impl TypedValueParser<Value = SourceFormat> {
    PossibleValuesParser::new(SourceFormat::accepted_names())
        .try_map(|name| name.parse::<SourceFormat>())
}

/// How reports are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// A JSON array of reports on stdout.
    Json,
}

/// Runs `parkhub ingest`; fails (exit code 1) when any file could not be ingested.
pub async fn ingest(
    services: &Services,
    args: IngestArgs,
    progress: ProgressBar,
) -> anyhow::Result<()> {
    services.ingestor.contracts()?.get(&args.table)?;
    let format = args.format;
    let encoding = args
        .encoding
        .as_deref()
        .map(str::parse::<TextEncoding>)
        .transpose()?;
    let delimiter = match args.delimiter {
        Some(character) if character.is_ascii() => Some(character as u8),
        Some(character) => bail!("the delimiter must be one ASCII character, not '{character}'"),
        None => None,
    };
    let items = expand_sources(&args.sources).await?;
    let mut reports: Vec<IngestReport> = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for item in &items {
        let report = ingest_one(
            services, &args, item, format, encoding, delimiter, &progress,
        )
        .await?;
        if args.report.is_none() {
            progress.suspend(|| print_report(&mut stdout, &report))?;
        }
        reports.push(report);
    }
    progress.finish_and_clear();
    let failed = reports
        .iter()
        .filter(|report| report.status == IngestStatus::Failed)
        .count();
    match args.report {
        Some(ReportFormat::Json) => {
            serde_json::to_writer_pretty(&mut stdout, &reports)?;
            writeln!(stdout)?;
        }
        None => {
            let written: u64 = reports.iter().map(|report| report.rows_written).sum();
            let rejected: u64 = reports.iter().map(|report| report.rows_rejected).sum();
            let duplicates = reports.iter().filter(|report| report.duplicate).count();
            writeln!(
                stdout,
                "{} file{}: {} ingested, {duplicates} already ingested, {failed} failed; {written} rows written, {rejected} rejected (see `parkhub quarantine list --table {}`)",
                reports.len(),
                if reports.len() == 1 { "" } else { "s" },
                reports.len() - duplicates - failed,
                args.table,
            )?;
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} file{} could not be ingested",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn ingest_one(
    services: &Services,
    args: &IngestArgs,
    item: &SourceItem,
    format: Option<SourceFormat>,
    encoding: Option<TextEncoding>,
    delimiter: Option<u8>,
    progress: &ProgressBar,
) -> anyhow::Result<IngestReport> {
    progress.reset();
    progress.set_length(item.size.unwrap_or(0));
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}) {prefix}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    progress.set_message(item.display.clone());
    progress.enable_steady_tick(Duration::from_millis(200));
    let on_bytes = {
        let progress = progress.clone();
        move |bytes: u64| progress.set_position(bytes)
    };
    let (path, temporary) = match fetch_local(item, services.lake.data_dir(), &on_bytes).await {
        Ok(fetched) => fetched,
        Err(error) => {
            return Ok(IngestReport::failed(
                &args.table,
                &item.display,
                error.to_string(),
            ));
        }
    };
    let Some(format) = format.or_else(|| SourceFormat::from_extension(&item.display)) else {
        if temporary {
            let _ = std::fs::remove_file(&path);
        }
        return Ok(IngestReport::failed(
            &args.table,
            &item.display,
            format!(
                "cannot tell the format from the file name; say it with --format {}",
                SourceFormat::all()
                    .map(SourceFormat::name)
                    .collect::<Vec<_>>()
                    .join("|")
            ),
        ));
    };
    let mut decode = DecodeOptions::new(format);
    decode.encoding = encoding;
    decode.delimiter = delimiter;
    decode.sheet = args.sheet.clone();
    let request = IngestRequest {
        table: args.table.clone(),
        decode,
        source: item.display.clone(),
        who: args.who.clone(),
        owner: None,
    };
    let counters = Arc::new(IngestProgress::default());
    let watcher = {
        let counters = Arc::clone(&counters);
        let progress = progress.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                progress.set_position(counters.bytes.load(Ordering::Relaxed));
                progress.set_prefix(format!("{} rows", counters.rows.load(Ordering::Relaxed)));
            }
        })
    };
    let result = services
        .ingestor
        .ingest_file(&path, request, counters)
        .await;
    watcher.abort();
    if temporary {
        let _ = std::fs::remove_file(&path);
    }
    Ok(result?)
}

pub(super) fn print_report(output: &mut impl Write, report: &IngestReport) -> std::io::Result<()> {
    match report.status {
        IngestStatus::Committed => writeln!(
            output,
            "ok         {}: {} rows read, {} written, {} rejected (batch {})",
            report.source,
            report.rows_read,
            report.rows_written,
            report.rows_rejected,
            report.batch_id
        )?,
        IngestStatus::Duplicate => writeln!(
            output,
            "duplicate  {}: this content was ingested before; nothing written",
            report.source
        )?,
        IngestStatus::Failed => writeln!(
            output,
            "FAILED     {}: {}",
            report.source,
            report.error.as_deref().unwrap_or("unknown error")
        )?,
    }
    const SHOWN: usize = 10;
    for error in report.errors.iter().take(SHOWN) {
        writeln!(
            output,
            "           第 {} 行 / row {}: {}",
            error.row, error.row, error.reason
        )?;
    }
    if report.errors.len() > SHOWN || report.rows_rejected > 0 && report.errors.len() == SHOWN {
        writeln!(
            output,
            "           … all rejected rows: parkhub quarantine list --batch {}",
            report.batch_id
        )?;
    }
    Ok(())
}
