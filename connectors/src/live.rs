//! Live sources: enterprises' databases (PostgreSQL, MySQL / MariaDB) synced incrementally on a
//! schedule, and meter telemetry over MQTT, into lake tables with the same contracts,
//! validation, quarantine and exactly-once guarantee as files.
//!
//! A source is declared by a `[[sources]]` table of `parkhub.toml` ([`SourceConfig`]), checked
//! into a [`SourceSpec`] against the table contracts. [`LiveSources`] runs them: one sync now
//! ([`LiveSources::sync`]), every source on its schedule ([`LiveSources::run`]), and what each
//! one is doing ([`LiveSources::statuses`]).
//!
//! **Exactly once.** Each database sync reads the rows whose cursor is at or past the last
//! committed cursor, ordered by the cursor (inclusive, so rows that arrive late with the cursor
//! value of the last sync are read too; the rows at that value that were written already are
//! recognised by their digest and skipped). The rows are checked through the contract and
//! spooled to disk (so a first sync of a large table runs in bounded memory); the rejected rows
//! are committed to `_quarantine`, then the valid ones to the table **in one Delta commit that
//! also records the source's new state** (sync number, cursor, the digests of the rows at the
//! cursor). `_source_state` keeps a copy for quick reading; when a sync was killed after its
//! data commit and before the copy, the next one finds the commit by its sync number and takes
//! the state from it. A sync killed before its data commit left nothing in the table, and the
//! next one reads the same rows again. MQTT batches are committed the same way, and their
//! messages are acknowledged to the broker only after the commit: a redelivered message of the
//! last committed batch is recognised by its digest and not written again.

mod config;
mod database;
mod mqtt;
mod mysql;
mod postgres;
mod runner;
mod state;
mod status;
mod sync;
mod text_rows;

#[cfg(test)]
mod tests;

pub use config::{
    DatabaseEngine, DatabaseSpec, MqttSpec, SourceConfig, SourceKind, SourceSpec, check_sources,
    parse_every,
};
pub use runner::LiveSources;
pub use state::SourceState;
pub use status::{SourceActivity, SourceStatus};
