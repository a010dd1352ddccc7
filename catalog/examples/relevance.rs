//! Measures the catalog's relevance on judged queries: reads the catalog tables of a data
//! directory's lake (e.g. one made by `parkhub demo`), indexes them in a temporary folder,
//! runs the judged queries and prints nDCG@10 and recall@10.
//!
//! ```text
//! cargo run --release -p parkhub-catalog --example relevance -- --data-dir /tmp/park \
//!     [--judgements catalog/relevance/judgements.tsv] [--json]
//! ```
//!
//! Without `--judgements`, the built-in judgements (of the demo catalog, seed 42) are used.

use std::path::PathBuf;

use anyhow::{Context, bail};
use parkhub_catalog::relevance::{Judgements, evaluate};
use parkhub_catalog::{Catalog, CatalogEntry, EntryKind, entries_from_batches};
use parkhub_connectors::Lake;
use parkhub_connectors::datafusion::prelude::SessionContext;

struct Arguments {
    data_dir: PathBuf,
    judgements: Option<PathBuf>,
    json: bool,
}

fn arguments() -> anyhow::Result<Arguments> {
    let mut data_dir = None;
    let mut judgements = None;
    let mut json = false;
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--data-dir" => data_dir = arguments.next().map(PathBuf::from),
            "--judgements" => judgements = arguments.next().map(PathBuf::from),
            "--json" => json = true,
            other => {
                bail!("unknown argument {other}; use --data-dir DIR [--judgements FILE] [--json]")
            }
        }
    }
    Ok(Arguments {
        data_dir: data_dir.context("--data-dir is required")?,
        judgements,
        json,
    })
}

async fn read_entries(lake: &Lake) -> anyhow::Result<Vec<CatalogEntry>> {
    let mut entries = Vec::new();
    for kind in EntryKind::ALL {
        let Some(table) = lake.load_table(kind.table()).await? else {
            continue;
        };
        let context = SessionContext::new();
        table.update_datafusion_session(&context.state())?;
        context.register_table(kind.table(), table.table_provider().await?)?;
        let batches = context
            .sql(&format!("SELECT * FROM {}", kind.table()))
            .await?
            .collect()
            .await?;
        entries.extend(entries_from_batches(kind, &batches)?);
    }
    Ok(entries)
}

fn main() -> anyhow::Result<()> {
    let arguments = arguments()?;
    let lake = Lake::open(&arguments.data_dir)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let entries = runtime.block_on(read_entries(&lake))?;
    if entries.is_empty() {
        bail!(
            "the lake of {} has no catalog tables",
            arguments.data_dir.display()
        );
    }
    let judgements = match &arguments.judgements {
        Some(path) => Judgements::parse(
            &std::fs::read_to_string(path).with_context(|| path.display().to_string())?,
        )?,
        None => Judgements::builtin()?,
    };
    let folder = tempfile::tempdir()?;
    let catalog = Catalog::open(folder.path())?;
    catalog.rebuild(&entries)?;
    let metrics = evaluate(&catalog, &judgements)?;
    if arguments.json {
        println!("{}", serde_json::to_string_pretty(&metrics)?);
    } else {
        print!("{}", metrics.report());
    }
    Ok(())
}
