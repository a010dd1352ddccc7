//! Search benchmark of the catalog, in process: the demo park's catalog generated at 100,000
//! entries (`parkhub_demo::DemoCatalog`, the same generator as `parkhub demo`), indexed once,
//! then a mix of 35 queries (Chinese short and long, English, typos, mixed, filters, listing
//! without text, sorts, paging; facets on), each query timed one by one on one thread, then the
//! mix on every core for throughput. The same catalog and mix over HTTP is hub's bench
//! (`cargo bench -p parkhub --bench search`).
//!
//! ```text
//! cargo bench -p parkhub-catalog --bench search            # 100,000 entries
//! ```
//!
//! Environment: `PARKHUB_BENCH_ENTRIES` (100000), `PARKHUB_BENCH_ROUNDS` (passes over the mix,
//! 60), `PARKHUB_BENCH_INDEX=DIR` (keep the index in DIR and reuse it),
//! `PARKHUB_BENCH_ONLY=FAMILY|QUERY` (one family or query of the mix),
//! `PARKHUB_BENCH_VERBOSE=1` (each query alone: matches, time with and without facets,
//! clauses and concepts; `PARKHUB_BENCH_PLANS=1` adds the clauses).
//!
//! Prints the generation and index build times, latency percentiles (p50, p90, p99, max) per
//! query family and overall, and queries per second.

#[path = "search/mix.rs"]
mod mix;

use std::time::{Duration, Instant};

use parkhub_catalog::{Catalog, CatalogEntry, EntryKind, SearchRequest, entries_from_batches};
use parkhub_demo::{CatalogSize, DemoCatalog, DemoParams};

use self::mix::{ENTRIES, env_number, mix, report, segments};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Returns the demo catalog at `count` entries, as the catalog indexes it.
fn generate(count: usize) -> Result<Vec<CatalogEntry>, BoxError> {
    let catalog = DemoCatalog::generate(&DemoParams::default(), CatalogSize::with_entries(count))?;
    let mut entries = Vec::with_capacity(count);
    for kind in EntryKind::ALL {
        entries.extend(entries_from_batches(kind, &catalog.batches(kind.table())?)?);
    }
    Ok(entries)
}

/// Runs the merges tantivy's merge policy asks for on the index in `path`, to the end.
fn settle(path: &std::path::Path) -> Result<(), BoxError> {
    let index = tantivy::Index::open_in_dir(path)?;
    let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> = index.writer(100_000_000)?;
    // An empty commit keeps the index as it is and lets the merge policy look at it.
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let count = env_number("PARKHUB_BENCH_ENTRIES", ENTRIES);
    let rounds = env_number("PARKHUB_BENCH_ROUNDS", 60);

    let started = Instant::now();
    let entries = generate(count)?;
    println!(
        "generated {} entries in {:.2?}",
        entries.len(),
        started.elapsed()
    );
    let folder = tempfile::tempdir()?;
    let reuse = std::env::var_os("PARKHUB_BENCH_INDEX").map(std::path::PathBuf::from);
    let path = reuse.as_deref().unwrap_or(folder.path());
    let catalog = Catalog::open(path)?;
    if reuse.is_some() && catalog.len()? == entries.len() as u64 {
        println!("reusing the index of {} entries", entries.len());
    } else {
        let started = Instant::now();
        let indexed = catalog.rebuild(&entries)?;
        println!("indexed {indexed} entries in {:.2?}", started.elapsed());
    }
    // Searched as a running server finds it once the merges that follow a rebuild are done
    // (they would otherwise compete with the searches measured, over more segments).
    drop(catalog);
    let started = Instant::now();
    settle(path)?;
    let catalog = Catalog::open(path)?;
    println!(
        "{} segments after merging ({:.2?})",
        segments(path)?,
        started.elapsed()
    );

    let mix = mix();
    // Warm up: every query once, and check that each finds something.
    for (family, request) in &mix {
        let results = catalog.search(request)?;
        if results.total == 0 {
            println!("warning: {family} query {:?} found nothing", request.query);
        }
    }

    if std::env::var_os("PARKHUB_BENCH_VERBOSE").is_some() {
        // Each query alone: matches, and the median of 20 runs with and without facets.
        println!(
            "{:>8} {:>8} {:>8} {:>8}  query",
            "total", "facets", "none", "clauses"
        );
        for (family, request) in &mix {
            let median = |request: &SearchRequest| -> Result<Duration, BoxError> {
                let mut times = Vec::new();
                for _ in 0..20 {
                    let begun = Instant::now();
                    std::hint::black_box(catalog.search(request)?);
                    times.push(begun.elapsed());
                }
                times.sort();
                Ok(times[times.len() / 2])
            };
            let total = catalog.search(request)?.total;
            let with = median(request)?;
            let without = median(&request.clone().with_facets(false))?;
            let plan = parkhub_catalog::query::plan(&request.query, &catalog.dictionary());
            println!(
                "{total:>8} {:>8.3} {:>8.3} {:>4}/{:<3} {family}: {}",
                with.as_secs_f64() * 1000.0,
                without.as_secs_f64() * 1000.0,
                plan.clauses.len(),
                plan.concepts,
                request.query
            );
            if std::env::var_os("PARKHUB_BENCH_PLANS").is_some() {
                for clause in &plan.clauses {
                    println!(
                        "      {}.{} {:.2}{} {}",
                        clause.concept,
                        clause.group,
                        clause.weight,
                        if clause.fuzzy { "~" } else { "" },
                        clause.terms.join("+")
                    );
                }
            }
        }
    }

    let mut by_family: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::with_capacity(rounds * mix.len());
    let started = Instant::now();
    for _ in 0..rounds {
        for (family, request) in &mix {
            let begun = Instant::now();
            let results = catalog.search(request)?;
            let elapsed = begun.elapsed();
            std::hint::black_box(results);
            by_family.entry(family).or_default().push(elapsed);
            all.push(elapsed);
        }
    }
    let serial = started.elapsed();
    println!();
    println!(
        "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8}   (ms, one thread, facets on)",
        "queries", "count", "p50", "p90", "p99", "max"
    );
    for (family, latencies) in &mut by_family {
        report(family, latencies);
    }
    report("all", &mut all);
    println!(
        "one thread: {:.0} queries/s",
        all.len() as f64 / serial.as_secs_f64()
    );

    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let started = Instant::now();
    let searched: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0usize;
                    for _ in 0..rounds {
                        for (_, request) in &mix {
                            if catalog.search(request).is_ok() {
                                done += 1;
                            }
                        }
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or(0))
            .sum()
    });
    println!(
        "{threads} threads: {:.0} queries/s",
        searched as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}
