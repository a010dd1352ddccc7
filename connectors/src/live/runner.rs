//! The live sources of a hub: one sync now, every source on its schedule, and their statuses.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::config::{SourceConfig, SourceKind, SourceSpec, check_sources};
use super::state::load_state;
use super::status::{ActivityCell, SourceActivity, SourceStatus};
use super::sync::sync_database;
use crate::error::{Error, Result};
use crate::ingest::{IngestProgress, IngestReport, IngestStatus, Ingestor, ReportFilter};

/// How long an MQTT source waits before it starts again after a failure.
const MQTT_RESTART_PAUSE: Duration = Duration::from_secs(5);

/// A source declared wrongly: shown as failing, never run.
#[derive(Debug, Clone)]
struct Refused {
    config: SourceConfig,
    error: String,
}

/// The live sources declared in `parkhub.toml`.
///
/// ```
/// use std::sync::Arc;
///
/// use parkhub_connectors::ingest::Ingestor;
/// use parkhub_connectors::live::{LiveSources, SourceConfig};
/// use parkhub_connectors::validate::ValidationOptions;
/// use parkhub_connectors::Lake;
///
/// let dir = tempfile::tempdir()?;
/// let ingestor = Ingestor::new(Arc::new(Lake::open(dir.path())?), ValidationOptions::default());
/// let bad = SourceConfig { name: "erp".into(), kind: "oracle".into(), url: "oracle://db".into(),
///     table: "production_monthly".into(), ..SourceConfig::default() };
/// let sources = LiveSources::new(ingestor, &[bad]);
/// assert_eq!(sources.errors().len(), 1);
/// assert!(sources.errors()[0].contains("source 'erp': unknown kind 'oracle'"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LiveSources {
    ingestor: Ingestor,
    specs: Vec<SourceSpec>,
    refused: Vec<Refused>,
    activity: HashMap<String, Arc<ActivityCell>>,
}

/// The sources' tasks while they run; dropping it stops them (a sync stopped mid-way leaves
/// nothing half-written: the next one reads its rows again).
#[derive(Debug)]
pub struct RunningSources {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for RunningSources {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl LiveSources {
    /// Checks the declared sources; a bad one is kept aside with its error (see
    /// [`LiveSources::errors`]) and does not stop the others.
    pub fn new(ingestor: Ingestor, configs: &[SourceConfig]) -> LiveSources {
        let (specs, refused) = match ingestor.contracts() {
            Ok(contracts) => {
                let (specs, errors) = check_sources(configs, &contracts);
                let refused = errors
                    .into_iter()
                    .map(|error| {
                        let name = match &error {
                            Error::SourceConfig { name, .. } => name.clone(),
                            _ => String::new(),
                        };
                        let config = configs
                            .iter()
                            .find(|config| config.name == name)
                            .cloned()
                            .unwrap_or_default();
                        Refused {
                            config,
                            error: error.to_string(),
                        }
                    })
                    .collect();
                (specs, refused)
            }
            Err(error) => (
                Vec::new(),
                configs
                    .iter()
                    .map(|config| Refused {
                        config: config.clone(),
                        error: format!("source '{}': {error}", config.name),
                    })
                    .collect(),
            ),
        };
        let activity = specs
            .iter()
            .map(|spec| (spec.name.clone(), Arc::new(ActivityCell::default())))
            .collect();
        LiveSources {
            ingestor,
            specs,
            refused,
            activity,
        }
    }

    /// What is wrong with each source declared wrongly.
    pub fn errors(&self) -> Vec<String> {
        self.refused
            .iter()
            .map(|refused| refused.error.clone())
            .collect()
    }

    /// The sources that run.
    pub fn specs(&self) -> &[SourceSpec] {
        &self.specs
    }

    fn spec(&self, name: &str) -> Result<&SourceSpec> {
        if let Some(refused) = self
            .refused
            .iter()
            .find(|refused| refused.config.name == name)
        {
            return Err(Error::SourceConfig {
                name: name.to_string(),
                reason: refused
                    .error
                    .strip_prefix(&format!("source '{name}': "))
                    .unwrap_or(&refused.error)
                    .to_string(),
            });
        }
        self.specs
            .iter()
            .find(|spec| spec.name == name)
            .ok_or_else(|| Error::UnknownSource {
                name: name.to_string(),
                known: self.known_names(),
            })
    }

    fn known_names(&self) -> String {
        let names: Vec<&str> = self
            .specs
            .iter()
            .map(|spec| spec.name.as_str())
            .chain(
                self.refused
                    .iter()
                    .map(|refused| refused.config.name.as_str()),
            )
            .collect();
        if names.is_empty() {
            "none (declare them as [[sources]] in parkhub.toml)".to_string()
        } else {
            names.join(", ")
        }
    }

    fn activity_of(&self, name: &str) -> Arc<ActivityCell> {
        self.activity.get(name).cloned().unwrap_or_default()
    }

    /// Runs one sync of a database source now and returns its report; an MQTT source runs
    /// continuously and is refused, as is a source that is syncing already.
    pub async fn sync(&self, name: &str, progress: Arc<IngestProgress>) -> Result<IngestReport> {
        let spec = self.spec(name)?;
        let SourceKind::Database(database) = &spec.kind else {
            return Err(spec.invalid(
                "an mqtt source runs continuously inside `parkhub serve`; it has no sync to run",
            ));
        };
        let activity = self.activity_of(name);
        if !activity.start() {
            return Err(Error::SourceBusy {
                name: name.to_string(),
            });
        }
        let result = sync_database(&self.ingestor, spec, database, progress).await;
        match &result {
            Ok(report) => activity.synced(report),
            Err(error) => activity.failed(&error.to_string()),
        }
        if let Ok(report) = &result
            && report.status == IngestStatus::Failed
        {
            tracing::warn!(
                source = name,
                error = report.error.as_deref().unwrap_or(""),
                "sync failed; it is tried again at the next schedule"
            );
        }
        result
    }

    /// Starts every source: each database source syncs at once and then every `every`
    /// (a failed sync is tried again at the next), each MQTT source subscribes and commits
    /// its batches as they fill (and starts again after a failure).
    pub fn run(self: &Arc<Self>) -> RunningSources {
        let mut tasks = Vec::new();
        for spec in &self.specs {
            let sources = Arc::clone(self);
            let name = spec.name.clone();
            match &spec.kind {
                SourceKind::Database(database) => {
                    let every = database.every;
                    tasks.push(tokio::spawn(async move {
                        let mut ticks = tokio::time::interval(every);
                        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                        loop {
                            ticks.tick().await;
                            match sources.sync(&name, Arc::default()).await {
                                Ok(_) | Err(Error::SourceBusy { .. }) => {}
                                Err(error) => {
                                    tracing::warn!(source = %name, %error, "sync failed; it is tried again at the next schedule");
                                }
                            }
                        }
                    }));
                }
                SourceKind::Mqtt(mqtt) => {
                    let mqtt = mqtt.clone();
                    let spec = spec.clone();
                    tasks.push(tokio::spawn(async move {
                        let activity = sources.activity_of(&spec.name);
                        loop {
                            let run = super::mqtt::run(
                                sources.ingestor.clone(),
                                spec.clone(),
                                mqtt.clone(),
                                Arc::clone(&activity),
                            )
                            .await;
                            if let Err(error) = run {
                                tracing::warn!(source = %spec.name, %error, "the source stopped; it starts again shortly");
                                activity.failed(&error.to_string());
                            }
                            tokio::time::sleep(MQTT_RESTART_PAUSE).await;
                        }
                    }));
                }
            }
        }
        RunningSources { tasks }
    }

    /// The status of every declared source, in the order declared (the refused ones last).
    pub async fn statuses(&self) -> Result<Vec<SourceStatus>> {
        let mut statuses = Vec::new();
        for spec in &self.specs {
            statuses.push(self.status(spec).await?);
        }
        for refused in &self.refused {
            statuses.push(SourceStatus {
                name: refused.config.name.clone(),
                kind: refused.config.kind.clone(),
                table: refused.config.table.clone(),
                state: SourceActivity::Failing,
                every: refused.config.every.clone().unwrap_or_default(),
                last_sync: None,
                last_cursor: None,
                seq: 0,
                rows_written: 0,
                rows_rejected: 0,
                last_error: Some(refused.error.clone()),
                lag_seconds: None,
            });
        }
        Ok(statuses)
    }

    /// The status of one source.
    pub async fn status_of(&self, name: &str) -> Result<SourceStatus> {
        let spec = self.spec(name)?;
        self.status(spec).await
    }

    async fn status(&self, spec: &SourceSpec) -> Result<SourceStatus> {
        let state = load_state(self.ingestor.lake(), &spec.name, &spec.table).await?;
        let reports = self
            .ingestor
            .reports(&ReportFilter {
                source: Some(spec.name.clone()),
                limit: usize::MAX,
                ..ReportFilter::default()
            })
            .await?;
        let activity = self.activity_of(&spec.name).get();
        let last = reports.first();
        let last_success = reports
            .iter()
            .find(|report| report.status != IngestStatus::Failed)
            .map(|report| report.finished_at)
            .into_iter()
            .chain(activity.last_success)
            .max();
        let last_error = match (&activity.error, last) {
            (Some(error), _) => Some(error.clone()),
            (None, Some(report)) if report.status == IngestStatus::Failed => report.error.clone(),
            _ => None,
        };
        let state_now = if activity.syncing {
            SourceActivity::Syncing
        } else if last_error.is_some() {
            SourceActivity::Failing
        } else {
            SourceActivity::Idle
        };
        Ok(SourceStatus {
            name: spec.name.clone(),
            kind: spec.kind_name().to_string(),
            table: spec.table.clone(),
            state: state_now,
            every: spec
                .every()
                .map(format_every)
                .unwrap_or_else(|| "continuous".to_string()),
            last_sync: last.map(|report| report.finished_at),
            last_cursor: state.cursor,
            seq: state.seq,
            rows_written: reports.iter().map(|report| report.rows_written).sum(),
            rows_rejected: reports.iter().map(|report| report.rows_rejected).sum(),
            last_error,
            lag_seconds: last_success.map(|at| (Utc::now() - at).num_seconds().max(0)),
        })
    }
}

/// A period as `parkhub.toml` writes it (`90s`, `5m`, `1h`, `1d`).
fn format_every(every: Duration) -> String {
    let seconds = every.as_secs();
    match seconds {
        0 => format!("{}ms", every.as_millis()),
        _ if seconds.is_multiple_of(86_400) => format!("{}d", seconds / 86_400),
        _ if seconds.is_multiple_of(3600) => format!("{}h", seconds / 3600),
        _ if seconds.is_multiple_of(60) => format!("{}m", seconds / 60),
        _ => format!("{seconds}s"),
    }
}
