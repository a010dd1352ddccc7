//! A source's committed state: what the next sync starts from.
//!
//! The state is recorded in the commit that writes a sync's rows (under [`STATE_KEY`] of the
//! commit's information, beside the source's name and sync number), and copied to
//! `_source_state` after it. [`load_state`] reads the copy and checks it against the table:
//! when a sync committed its rows but was stopped before the copy, the commit is found by its
//! sync number and its state is taken (and copied).

use std::sync::Arc;

use chrono::Utc;
use datafusion::arrow::array::TimestampMicrosecondArray;
use datafusion::arrow::array::{Array, AsArray, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::contract::{SOURCE_STATE_TABLE, TIMESTAMP_ZONE, system_contract};
use crate::error::{Error, Result};
use crate::lake::{BatchIdentity, Lake, MemoryBatches};

/// The commit information key of the source's name.
pub(crate) const SOURCE_KEY: &str = "parkhub.source_name";
/// The commit information key of the sync number.
pub(crate) const SEQ_KEY: &str = "parkhub.source_seq";
/// The commit information key of the state.
pub(crate) const STATE_KEY: &str = "parkhub.source_state";
/// How many of a table's latest commits are searched for a sync whose state was not copied.
const HISTORY_DEPTH: usize = 10_000;

/// Where a source stands after its last committed sync or batch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceState {
    /// The number of the last committed sync or batch (0: none yet).
    pub seq: u64,
    /// The cursor value of the last row read (database sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Digests of the rows read at that cursor value: read again by the next sync (which reads
    /// from the cursor inclusively) and skipped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_cursor: Vec<String>,
    /// Digests of the last batch's messages (MQTT): a redelivered one is not written again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_messages: Vec<String>,
}

/// The identity of a source's sync number `seq`: the same sync committed twice is one batch.
pub(crate) fn sync_identity(source: &str, seq: u64) -> BatchIdentity {
    BatchIdentity::new(
        source,
        hex::encode(Sha256::digest(format!("source:{source}:{seq}"))),
    )
}

/// The commit information that records `state` with the rows of its sync.
pub(crate) fn commit_metadata(
    source: &str,
    state: &SourceState,
) -> serde_json::Map<String, serde_json::Value> {
    let mut metadata = serde_json::Map::new();
    metadata.insert(SOURCE_KEY.to_string(), serde_json::json!(source));
    metadata.insert(SEQ_KEY.to_string(), serde_json::json!(state.seq));
    metadata.insert(
        STATE_KEY.to_string(),
        serde_json::to_value(state).unwrap_or_default(),
    );
    metadata
}

/// Reads the state of `source` (writing to `table`): the copy in `_source_state`, moved on to
/// a later sync the table holds but the copy does not.
pub(crate) async fn load_state(lake: &Lake, source: &str, table: &str) -> Result<SourceState> {
    let mut state = read_copy(lake, source).await?.unwrap_or_default();
    loop {
        let next = state.seq + 1;
        if !lake
            .is_committed(table, &sync_identity(source, next))
            .await?
        {
            return Ok(state);
        }
        let info = lake
            .find_commit(table, SEQ_KEY, &serde_json::json!(next), HISTORY_DEPTH)
            .await?
            .filter(|info| info.get(SOURCE_KEY) == Some(&serde_json::json!(source)));
        let Some(recorded) = info.and_then(|info| info.get(STATE_KEY).cloned()) else {
            return Err(Error::SourceConfig {
                name: source.to_string(),
                reason: format!(
                    "table '{table}' holds sync {next} of this source but its commit is not \
                     among the table's latest {HISTORY_DEPTH}; its state cannot be recovered"
                ),
            });
        };
        let recorded: SourceState =
            serde_json::from_value(recorded).map_err(|error| Error::SourceConfig {
                name: source.to_string(),
                reason: format!("the state recorded with sync {next} does not read: {error}"),
            })?;
        tracing::info!(
            source,
            seq = next,
            "a sync's state was recovered from its commit"
        );
        save_copy(lake, source, table, &recorded).await?;
        state = recorded;
    }
}

/// Copies a committed state to `_source_state`.
pub(crate) async fn save_copy(
    lake: &Lake,
    source: &str,
    table: &str,
    state: &SourceState,
) -> Result<()> {
    let contract = system_contract(SOURCE_STATE_TABLE)?;
    let text = serde_json::to_string(state).unwrap_or_default();
    let batch = RecordBatch::try_new(
        contract.data_schema(),
        vec![
            Arc::new(StringArray::from(vec![source])),
            Arc::new(StringArray::from(vec![table])),
            Arc::new(Int64Array::from(vec![
                i64::try_from(state.seq).unwrap_or(i64::MAX),
            ])),
            Arc::new(StringArray::from(vec![text.as_str()])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![Utc::now().timestamp_micros()])
                    .with_timezone(TIMESTAMP_ZONE),
            ),
        ],
    )?;
    let identity = BatchIdentity::new(
        source,
        hex::encode(Sha256::digest(format!("state:{source}:{}", state.seq))),
    );
    lake.commit(
        &contract,
        Arc::new(MemoryBatches::new(contract.data_schema(), vec![batch])),
        &identity,
    )
    .await?;
    Ok(())
}

/// The copy of `source`'s state in `_source_state`, if any.
async fn read_copy(lake: &Lake, source: &str) -> Result<Option<SourceState>> {
    let Some(contents) = lake.read_table(SOURCE_STATE_TABLE).await? else {
        return Ok(None);
    };
    let mut newest: Option<SourceState> = None;
    for batch in &contents.batches {
        let (Some(names), Some(states), Some(seqs)) = (
            batch.column_by_name("source"),
            batch.column_by_name("state"),
            batch.column_by_name("seq"),
        ) else {
            continue;
        };
        let names = datafusion::arrow::compute::cast(names, &DataType::Utf8)?;
        let states = datafusion::arrow::compute::cast(states, &DataType::Utf8)?;
        let seqs = datafusion::arrow::compute::cast(seqs, &DataType::Int64)?;
        let (names, states, seqs) = (
            names.as_string::<i32>(),
            states.as_string::<i32>(),
            seqs.as_primitive::<Int64Type>(),
        );
        for row in 0..batch.num_rows() {
            if names.is_null(row) || names.value(row) != source || states.is_null(row) {
                continue;
            }
            let state: SourceState =
                serde_json::from_str(states.value(row)).map_err(|error| Error::SourceConfig {
                    name: source.to_string(),
                    reason: format!("its row in {SOURCE_STATE_TABLE} does not read: {error}"),
                })?;
            let seq = u64::try_from(seqs.value(row)).unwrap_or_default();
            if newest.as_ref().is_none_or(|known| known.seq < seq) {
                newest = Some(SourceState { seq, ..state });
            }
        }
    }
    Ok(newest)
}
