//! What each source is doing, for `parkhub sources` and `GET /api/sources`.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ingest::{IngestReport, IngestStatus};

/// What a source is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceActivity {
    /// Waiting for its next sync (or, for MQTT, for messages).
    Idle,
    /// Reading or committing now.
    Syncing,
    /// Its last sync failed, or it is declared wrongly; see `last_error`.
    Failing,
}

/// One source at a glance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceStatus {
    /// The source's name.
    pub name: String,
    /// `postgres`, `mysql` or `mqtt` (as declared, also when it is declared wrongly).
    pub kind: String,
    /// The lake table.
    pub table: String,
    /// What it is doing.
    pub state: SourceActivity,
    /// How often it syncs (`5m`), or `continuous` for MQTT.
    pub every: String,
    /// When its last sync or batch ended.
    pub last_sync: Option<DateTime<Utc>>,
    /// The cursor value it has reached (database sources).
    pub last_cursor: Option<String>,
    /// The number of its last committed sync or batch.
    pub seq: u64,
    /// Rows it has written to the table (over the ingest log).
    pub rows_written: u64,
    /// Rows it has sent to quarantine.
    pub rows_rejected: u64,
    /// Why its last sync failed (or why it is not running).
    pub last_error: Option<String>,
    /// Seconds since its last successful sync or batch (none before the first).
    pub lag_seconds: Option<i64>,
}

/// The live part of a source's status, kept by the process that runs it.
#[derive(Debug, Default)]
pub(crate) struct ActivityCell {
    inner: Mutex<Activity>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Activity {
    pub(crate) syncing: bool,
    pub(crate) error: Option<String>,
    pub(crate) last_success: Option<DateTime<Utc>>,
}

impl ActivityCell {
    fn update(&self, change: impl FnOnce(&mut Activity)) {
        let mut activity = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut activity);
    }

    /// A copy of the activity.
    pub(crate) fn get(&self) -> Activity {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Marks a sync as started; false when one is running already.
    pub(crate) fn start(&self) -> bool {
        let mut started = false;
        self.update(|activity| {
            started = !activity.syncing;
            activity.syncing = true;
        });
        started
    }

    /// Marks the source as reading or committing.
    pub(crate) fn syncing(&self) {
        self.update(|activity| activity.syncing = true);
    }

    /// Records a finished sync from its report.
    pub(crate) fn synced(&self, report: &IngestReport) {
        self.update(|activity| {
            activity.syncing = false;
            if report.status == IngestStatus::Failed {
                activity.error = report.error.clone();
            } else {
                activity.error = None;
                activity.last_success = Some(report.finished_at);
            }
        });
    }

    /// Records a failure outside a report (the lake, the broker).
    pub(crate) fn failed(&self, error: &str) {
        self.update(|activity| {
            activity.syncing = false;
            activity.error = Some(error.to_string());
        });
    }

    /// Records a connection to the broker (MQTT): the failure it ends is over.
    pub(crate) fn connected(&self) {
        self.update(|activity| activity.error = None);
    }
}
