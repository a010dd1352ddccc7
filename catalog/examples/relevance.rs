//! Measures the catalog's relevance on judged queries: reads the catalog tables of a data
//! directory's lake (e.g. one made by `parkhub demo`), indexes them in a temporary folder,
//! runs the judged queries and prints nDCG@10 and recall@10.
//!
//! ```text
//! cargo run --release -p parkhub-catalog --example relevance -- --data-dir /tmp/park \
//!     [--judgements catalog/relevance/judgements.tsv] [--json] [--explain QUERY]...
//! ```
//!
//! Without `--judgements`, the built-in judgements (of the demo catalog, seed 42) are used.
//! `--explain QUERY` prints, instead of the metrics, how the query is planned and its first
//! hits with their judged grades (when the query is judged). Judged ids missing from the
//! catalog are reported on stderr: the judgements are of the demo catalog of seed 42.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use anyhow::{Context, bail};
use parkhub_catalog::relevance::CUTOFF;
use parkhub_catalog::relevance::{Judgements, evaluate};
use parkhub_catalog::{Catalog, CatalogEntry, EntryKind, SearchRequest, entries_from_batches};
use parkhub_connectors::Lake;

struct Arguments {
    data_dir: PathBuf,
    judgements: Option<PathBuf>,
    json: bool,
    explain: Vec<String>,
}

fn arguments() -> anyhow::Result<Arguments> {
    let mut data_dir = None;
    let mut judgements = None;
    let mut json = false;
    let mut explain = Vec::new();
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--data-dir" => data_dir = arguments.next().map(PathBuf::from),
            "--judgements" => judgements = arguments.next().map(PathBuf::from),
            "--json" => json = true,
            "--explain" => explain.extend(arguments.next()),
            other => {
                bail!(
                    "unknown argument {other}; use --data-dir DIR [--judgements FILE] [--json] \
                     [--explain QUERY]"
                )
            }
        }
    }
    Ok(Arguments {
        data_dir: data_dir.context("--data-dir is required")?,
        judgements,
        json,
        explain,
    })
}

async fn read_entries(lake: &Lake) -> anyhow::Result<Vec<CatalogEntry>> {
    let mut entries = Vec::new();
    for kind in EntryKind::ALL {
        let Some(contents) = lake.read_table(kind.table()).await? else {
            continue;
        };
        entries.extend(entries_from_batches(kind, &contents.batches)?);
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
    let known: HashSet<&str> = entries.iter().map(|entry| entry.id.as_str()).collect();
    let missing: Vec<&str> = judgements
        .queries
        .iter()
        .flat_map(|judgement| judgement.grades.keys())
        .map(String::as_str)
        .filter(|id| !known.contains(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "warning: {} judged ids are not in this catalog (e.g. {}): the figures are not \
             those of the demo catalog",
            missing.len(),
            missing[..missing.len().min(5)].join(", ")
        );
    }
    if !arguments.explain.is_empty() {
        for query in &arguments.explain {
            explain(&catalog, &judgements, query)?;
        }
        return Ok(());
    }
    let metrics = evaluate(&catalog, &judgements)?;
    if arguments.json {
        println!("{}", serde_json::to_string_pretty(&metrics)?);
    } else {
        print!("{}", metrics.report());
    }
    Ok(())
}

/// Prints the plan of a query and its first hits, with their grades when it is judged.
fn explain(catalog: &Catalog, judgements: &Judgements, query: &str) -> anyhow::Result<()> {
    let plan = parkhub_catalog::query::plan(query, &catalog.dictionary());
    println!("== {query} ({} concepts)", plan.concepts);
    for clause in &plan.clauses {
        println!(
            "   concept {} group {} weight {:.2}{}{} {}",
            clause.concept,
            clause.group,
            clause.weight,
            if clause.fuzzy { " fuzzy" } else { "" },
            if clause.part { " part" } else { "" },
            clause.terms.join(" + ")
        );
    }
    let grades = judgements
        .queries
        .iter()
        .find(|judgement| judgement.query == query.trim())
        .map(|judgement| &judgement.grades);
    let request = SearchRequest {
        query: query.to_string(),
        limit: CUTOFF,
        facets: false,
        ..SearchRequest::default()
    };
    let results = catalog.search(&request)?;
    println!("   {} matches", results.total);
    for hit in results.hits {
        let grade = grades.map_or("-".to_string(), |grades| {
            grades.get(&hit.id).copied().unwrap_or(0).to_string()
        });
        println!("   {grade} {:>8.3} {} {}", hit.score, hit.id, hit.title);
    }
    Ok(())
}
