//! Loads the demo park into the lake: one commit per table, with a progress bar.

use std::sync::Arc;

use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use indicatif::{ProgressBar, ProgressStyle};
use parkhub_connectors::arrow::datatypes::SchemaRef;
use parkhub_connectors::lake::{BatchSource, MemoryBatches};
use parkhub_connectors::{BatchIdentity, CommitOutcome};
use sha2::{Digest, Sha256};

use crate::services::Services;
use crate::{Error, Result};
use parkhub_demo::{DemoParams, DemoPark};

/// Rows per batch of energy readings.
const ENERGY_BATCH_ROWS: usize = 65_536;

/// The rows each table received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLoadReport {
    /// (table, rows written, already present) in write order.
    pub tables: Vec<(String, u64, bool)>,
    /// Catalog entries indexed.
    pub catalog_entries: usize,
}

/// Generates the demo park for `params` and commits it to the lake, then builds the catalog
/// index. Loading the same parameters again writes nothing (each table's content is
/// recognised); loading into a directory with other data is refused.
pub async fn load_demo(
    services: &Services,
    params: &DemoParams,
    progress: &ProgressBar,
) -> Result<DemoLoadReport> {
    let fingerprint = format!(
        "parkhub-demo-v1 enterprises={} months={} energy_days={} seed={} until={}",
        params.enterprises, params.months, params.energy_days, params.seed, params.until
    );
    let identity_of = |table: &str| {
        let digest = Sha256::digest(format!("{fingerprint} table={table}").as_bytes());
        BatchIdentity::new(format!("demo ({fingerprint})"), hex::encode(digest))
    };
    let existing = services.lake.existing_tables()?;
    if !existing.is_empty()
        && !services
            .lake
            .is_committed("enterprises", &identity_of("enterprises"))
            .await?
    {
        return Err(Error::DemoNotEmpty {
            tables: existing.join(", "),
        });
    }

    progress.set_style(
        ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} rows ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    progress.set_message("generating the park");
    let park = Arc::new(
        tokio::task::spawn_blocking({
            let params = params.clone();
            move || DemoPark::generate(&params)
        })
        .await
        .map_err(Error::DemoInterrupted)??,
    );

    let mut report = DemoLoadReport {
        tables: Vec::new(),
        catalog_entries: 0,
    };
    for table in DemoPark::table_names() {
        let contract = services.contracts.get(table)?;
        let source: Arc<dyn BatchSource> = if *table == "energy_readings" {
            progress.set_length(park.energy_row_count());
            Arc::new(EnergySource {
                park: Arc::clone(&park),
                schema: contract.data_schema(),
                progress: progress.clone(),
            })
        } else {
            let batches = park.batches(table)?;
            progress.set_length(batches.iter().map(|batch| batch.num_rows() as u64).sum());
            Arc::new(MemoryBatches::new(contract.data_schema(), batches))
        };
        progress.set_position(0);
        progress.set_message(table.to_string());
        let outcome = services
            .lake
            .commit(contract, source, &identity_of(table))
            .await?;
        let (rows, already_present) = match outcome {
            CommitOutcome::Committed { rows, .. } => (rows, false),
            CommitOutcome::Duplicate => (0, true),
        };
        if let Some(length) = progress.length() {
            progress.set_position(length);
        }
        report
            .tables
            .push((table.to_string(), rows, already_present));
    }
    progress.set_message("indexing the catalog");
    report.catalog_entries = services.live_catalog.reindex().await?;
    progress.finish_and_clear();
    Ok(report)
}

/// The energy readings, generated again each time the writer opens them (so they never sit
/// in memory all at once).
struct EnergySource {
    park: Arc<DemoPark>,
    schema: SchemaRef,
    progress: ProgressBar,
}

impl BatchSource for EnergySource {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn open(&self) -> parkhub_connectors::Result<SendableRecordBatchStream> {
        let progress = self.progress.clone();
        progress.set_position(0);
        let batches = self
            .park
            .energy_batches(ENERGY_BATCH_ROWS)
            .map(move |batch| {
                progress.inc(batch.num_rows() as u64);
                Ok(batch)
            });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            futures::stream::iter(batches),
        )))
    }
}
