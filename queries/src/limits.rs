//! Resource limits of the query service: memory, spill space, time, concurrency, threads.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// The limits every query runs under.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryLimits {
    /// Memory all running queries share; sorts, aggregations and joins spill to disk beyond it.
    pub memory_bytes: usize,
    /// The spill folder (default `<data-dir>/tmp/spill`).
    pub spill_dir: Option<PathBuf>,
    /// The most disk the spill folder may use.
    pub spill_bytes: u64,
    /// The longest a query may run, in seconds.
    pub timeout_seconds: u64,
    /// Queries that may run at once; more are refused (HTTP 503) until one ends.
    pub max_concurrent: usize,
    /// Threads of the query runtime (default: the machine's cores).
    pub threads: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            memory_bytes: 2 << 30,
            spill_dir: None,
            spill_bytes: 20 << 30,
            timeout_seconds: 60,
            max_concurrent: 16,
            threads: std::thread::available_parallelism().map_or(2, usize::from),
        }
    }
}

impl QueryLimits {
    /// The time limit as a duration.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.max(1))
    }
}
