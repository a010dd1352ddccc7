//! The drop folder of `parkhub serve --watch DIR`: a file landing in `DIR/<table>/` is
//! ingested into `<table>` once it has stopped growing, then moved to `DIR/<table>/done/` or
//! `DIR/<table>/failed/` with `<file>.report.json` beside it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use parkhub_connectors::decode::{DecodeOptions, SourceFormat};
use parkhub_connectors::ingest::{IngestProgress, IngestReport, IngestRequest, IngestStatus};

use crate::services::Services;

/// How often the folder is scanned.
pub const SCAN_INTERVAL: Duration = Duration::from_millis(500);
/// How long a file's size and modification time must stay the same before it is taken.
pub const SETTLE_TIME: Duration = Duration::from_secs(1);

/// What a file looked like when last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    size: u64,
    modified: Option<SystemTime>,
    since: std::time::Instant,
}

/// Watches `dir` until the task is aborted.
pub async fn watch(services: Arc<Services>, dir: PathBuf, metrics: Arc<crate::metrics::Metrics>) {
    tracing::info!(dir = %dir.display(), "watching the drop folder");
    let mut seen: HashMap<PathBuf, Seen> = HashMap::new();
    loop {
        match candidates(&dir) {
            Ok(files) => {
                seen.retain(|path, _| files.contains(path));
                for (path, size, modified) in files_with_state(&files) {
                    let now = std::time::Instant::now();
                    let entry = seen.entry(path.clone()).or_insert(Seen {
                        size,
                        modified,
                        since: now,
                    });
                    if entry.size != size || entry.modified != modified {
                        *entry = Seen {
                            size,
                            modified,
                            since: now,
                        };
                        continue;
                    }
                    if now.duration_since(entry.since) >= SETTLE_TIME {
                        seen.remove(&path);
                        let report = take(&services, &dir, &path).await;
                        crate::api::ingest::record_ingest(&metrics, &report);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(dir = %dir.display(), %error, "cannot scan the drop folder")
            }
        }
        tokio::time::sleep(SCAN_INTERVAL).await;
    }
}

/// Files in `DIR/<table>/` (not in `done/` or `failed/`, not hidden, not reports).
fn candidates(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for table_entry in std::fs::read_dir(dir)? {
        let table_entry = table_entry?;
        if !table_entry.file_type()?.is_dir()
            || table_entry.file_name().to_string_lossy().starts_with('.')
        {
            continue;
        }
        for entry in std::fs::read_dir(table_entry.path())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file()
                && !name.starts_with('.')
                && !name.ends_with(".report.json")
                && !name.ends_with(".part")
            {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    Ok(files)
}

fn files_with_state(files: &[PathBuf]) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    files
        .iter()
        .filter_map(|path| {
            let metadata = std::fs::metadata(path).ok()?;
            Some((path.clone(), metadata.len(), metadata.modified().ok()))
        })
        .collect()
}

async fn take(services: &Services, dir: &Path, path: &Path) -> IngestReport {
    let table = path
        .parent()
        .and_then(Path::file_name)
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let shown = path.strip_prefix(dir).unwrap_or(path).display().to_string();
    let report = match SourceFormat::from_extension(&shown) {
        None => IngestReport::failed(
            &table,
            &shown,
            format!("unknown file type: use {}", SourceFormat::extensions_list()),
        ),
        Some(format) => {
            let request = IngestRequest {
                table: table.clone(),
                decode: DecodeOptions::new(format),
                source: format!("watch:{shown}"),
                who: "watch".into(),
                owner: None,
            };
            match services
                .ingestor
                .ingest_file(path, request, Arc::new(IngestProgress::default()))
                .await
            {
                Ok(report) => {
                    services
                        .live_catalog
                        .index_ingested_rows(&report.table, report.rows_written)
                        .await;
                    report
                }
                Err(error) => IngestReport::failed(&table, &shown, error.to_string()),
            }
        }
    };
    let outcome = if report.status == IngestStatus::Failed {
        "failed"
    } else {
        "done"
    };
    tracing::info!(file = %shown, status = report.status.as_str(), rows = report.rows_written, rejected = report.rows_rejected, "drop folder");
    if let Err(error) = file_away(path, outcome, &report) {
        tracing::error!(file = %shown, %error, "cannot move the file out of the drop folder");
    }
    report
}

/// Moves the file to `done/` or `failed/` beside it, with its report; a name already taken
/// there gets a numbered suffix, so nothing is overwritten.
fn file_away(path: &Path, outcome: &str, report: &IngestReport) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new(".")).join(outcome);
    std::fs::create_dir_all(&folder)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = folder.join(&name);
    let mut counter = 1;
    while target.exists() {
        target = folder.join(format!("{counter}-{name}"));
        counter += 1;
    }
    let report_path = PathBuf::from(format!("{}.report.json", target.display()));
    let report_json = serde_json::to_vec_pretty(report).unwrap_or_default();
    std::fs::write(&report_path, report_json)?;
    std::fs::rename(path, &target)
}
