//! Meter telemetry over MQTT with `rumqttc`: a persistent session, messages batched into one
//! Delta commit each and acknowledged to the broker only after it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::config::{MqttSpec, SourceSpec};
use super::database::server_error;
use super::state::{SourceState, commit_metadata, load_state, save_copy, sync_identity};
use super::status::ActivityCell;
use super::text_rows::{TextRows, row_digest};
use crate::contract::TableContract;
use crate::error::Result;
use crate::ingest::{Checker, IngestReport, Ingestor, Origin};
use crate::validate::ValidationOptions;

/// The header of the column that carries a message's topic (kept in quarantine rows).
const TOPIC_HEADER: &str = "_topic";
/// The header of the column that carries a message's payload (kept in quarantine rows).
const PAYLOAD_HEADER: &str = "_payload";
/// How long to wait before connecting again after the broker went away.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

/// What the connection hands the batcher.
enum Delivery {
    /// The broker accepted the connection; `resumed` when it kept our session.
    Connected { resumed: bool },
    /// A message.
    Message(Publish),
    /// The connection failed (it is tried again).
    Lost(String),
}

/// Runs an MQTT source until it is stopped: each batch is committed and then acknowledged.
/// Returns only when the lake cannot be written or the source's state cannot be read.
pub(crate) async fn run(
    ingestor: Ingestor,
    spec: SourceSpec,
    mqtt: MqttSpec,
    activity: Arc<ActivityCell>,
) -> Result<()> {
    let contracts = ingestor.contracts()?;
    let contract = Arc::new(contracts.get(&spec.table)?.as_ref().clone());
    let mut state = load_state(ingestor.lake(), &spec.name, &spec.table).await?;
    let mut options = MqttOptions::new(&mqtt.client_id, &mqtt.host, mqtt.port);
    options
        .set_keep_alive(Duration::from_secs(30))
        .set_clean_session(false)
        .set_manual_acks(true)
        .set_max_packet_size(16 << 20, 1 << 20);
    if let Some(user) = &mqtt.user {
        options.set_credentials(user, spec.password()?.unwrap_or_default());
    }
    let qos = if mqtt.qos == 0 {
        QoS::AtMostOnce
    } else {
        QoS::AtLeastOnce
    };
    let (client, mut eventloop) = AsyncClient::new(options, 1024);
    // Unbounded, so that the connection never waits for the batcher: the acknowledgements the
    // batcher sends after a commit go out through the same event loop, which must keep being
    // polled (a bounded queue here deadlocks both). What it holds is bounded by the messages
    // the broker sends ahead of their acknowledgement (its inflight window).
    let (deliveries, mut received) = mpsc::unbounded_channel();
    let connection = {
        let client = client.clone();
        let topic = mqtt.topic.clone();
        tokio::spawn(async move {
            loop {
                let delivery = match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::Publish(publish))) => Delivery::Message(publish),
                    Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                        if !ack.session_present {
                            // A new session: subscribe (a kept one keeps its subscription).
                            let _ = client.subscribe(topic.clone(), qos).await;
                        }
                        Delivery::Connected {
                            resumed: ack.session_present,
                        }
                    }
                    Ok(_) => continue,
                    Err(error) => {
                        let lost = Delivery::Lost(error.to_string());
                        if deliveries.send(lost).is_err() {
                            return;
                        }
                        tokio::time::sleep(RECONNECT_PAUSE).await;
                        continue;
                    }
                };
                if deliveries.send(delivery).is_err() {
                    return;
                }
            }
        })
    };
    let _stop_connection = AbortOnDrop(connection);
    let mut batch = Batch::default();
    loop {
        let wait = batch
            .started
            .map(|started| (started + mqtt.batch_wait).saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(3600));
        let delivery = tokio::time::timeout(wait, received.recv()).await;
        match delivery {
            Ok(None) => return Ok(()),
            Ok(Some(Delivery::Connected { resumed })) => {
                activity.connected();
                // What was not committed is delivered again by the broker.
                batch = Batch::default();
                if !resumed {
                    tracing::info!(source = %spec.name, "the broker started a new session");
                }
            }
            Ok(Some(Delivery::Lost(error))) => {
                activity.failed(
                    &server_error(&spec, "connection to the broker", StringError(error))
                        .to_string(),
                );
                batch = Batch::default();
            }
            Ok(Some(Delivery::Message(publish))) => {
                batch.add(publish, &state);
                if batch.messages.len() >= mqtt.batch_rows {
                    state = commit_batch(
                        &ingestor, &spec, &mqtt, &contract, &client, &mut batch, state, &activity,
                    )
                    .await?;
                }
            }
            Err(_elapsed) => {
                state = commit_batch(
                    &ingestor, &spec, &mqtt, &contract, &client, &mut batch, state, &activity,
                )
                .await?;
            }
        }
    }
}

/// Messages received and not yet committed.
#[derive(Default)]
struct Batch {
    /// New messages, with their digests.
    messages: Vec<(Publish, String)>,
    /// Messages to acknowledge without writing: redeliveries of the last committed batch, or
    /// a message delivered twice within this one.
    repeated: Vec<Publish>,
    digests: HashSet<String>,
    started: Option<Instant>,
}

impl Batch {
    fn add(&mut self, publish: Publish, state: &SourceState) {
        self.started.get_or_insert_with(Instant::now);
        let digest = row_digest([
            Some(publish.topic.as_str()),
            Some(String::from_utf8_lossy(&publish.payload).as_ref()),
        ]);
        if state.last_messages.contains(&digest) || !self.digests.insert(digest.clone()) {
            self.repeated.push(publish);
        } else {
            self.messages.push((publish, digest));
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn commit_batch(
    ingestor: &Ingestor,
    spec: &SourceSpec,
    mqtt: &MqttSpec,
    contract: &Arc<TableContract>,
    client: &AsyncClient,
    batch: &mut Batch,
    state: SourceState,
    activity: &ActivityCell,
) -> Result<SourceState> {
    let taken = std::mem::take(batch);
    let mut state = state;
    if !taken.messages.is_empty() {
        activity.syncing();
        let next = SourceState {
            seq: state.seq + 1,
            cursor: None,
            at_cursor: Vec::new(),
            last_messages: taken
                .messages
                .iter()
                .map(|(_, digest)| digest.clone())
                .collect(),
        };
        let report =
            commit_messages(ingestor, spec, mqtt, contract, &taken.messages, &next).await?;
        activity.synced(&report);
        state = next;
    }
    for publish in taken
        .messages
        .iter()
        .map(|(publish, _)| publish)
        .chain(&taken.repeated)
    {
        if let Err(error) = client.ack(publish).await {
            tracing::warn!(source = %spec.name, %error, "a message could not be acknowledged; the broker will deliver it again");
        }
    }
    Ok(state)
}

async fn commit_messages(
    ingestor: &Ingestor,
    spec: &SourceSpec,
    mqtt: &MqttSpec,
    contract: &Arc<TableContract>,
    messages: &[(Publish, String)],
    next: &SourceState,
) -> Result<IngestReport> {
    let mut report =
        IngestReport::started(uuid::Uuid::new_v4().to_string(), &spec.table, &spec.name);
    report.who = format!("source:{}", spec.name);
    report.uscc = spec.uscc.clone();
    let identity = crate::lake::BatchIdentity {
        batch_id: report.batch_id.clone(),
        ..sync_identity(&spec.name, next.seq)
    };
    report.content_sha256 = identity.content_sha256.clone();
    let rows = message_rows(contract, mqtt, messages);
    let checked = {
        let contract = Arc::clone(contract);
        let validation = ValidationOptions {
            owner: spec.uscc.clone(),
            ..ingestor.validation().clone()
        };
        let data_dir = ingestor.lake().data_dir().to_path_buf();
        let origin = Origin {
            batch_id: report.batch_id.clone(),
            source: spec.name.clone(),
            owner: spec.uscc.clone(),
        };
        tokio::task::spawn_blocking(move || {
            let mut rows = rows;
            let mut checker =
                Checker::new(&contract, &rows.schema(), validation, &data_dir, origin)?;
            checker.check(&rows.take()?)?;
            checker.finish()
        })
        .await
        .map_err(|error| crate::Error::Background(error.to_string()))?
    };
    let checked = match checked {
        Ok(checked) => checked,
        Err(error) => {
            // Not the rows' fault (the contract cannot read them at all): nothing is written
            // or acknowledged, and the broker keeps the messages.
            report.error = Some(error.to_string());
            ingestor.finish(report.clone()).await?;
            return Err(error);
        }
    };
    ingestor
        .commit_checked(
            contract,
            checked,
            &identity,
            commit_metadata(&spec.name, next),
            &mut report,
        )
        .await?;
    save_copy(ingestor.lake(), &spec.name, &spec.table, next).await?;
    ingestor.finish(report).await
}

/// The messages as rows of text: one per JSON object (an array of objects is one row each),
/// its fields under their own names or mapped by `fields`, columns from topic levels, and the
/// topic and payload themselves (kept with a rejected row). A payload that is not a JSON
/// object or array of objects is a row with that error.
fn message_rows(
    contract: &TableContract,
    mqtt: &MqttSpec,
    messages: &[(Publish, String)],
) -> TextRows {
    let mut records: Vec<MessageRecord> = Vec::new();
    for (publish, _) in messages {
        let payload = String::from_utf8_lossy(&publish.payload).into_owned();
        let mut base = vec![
            (TOPIC_HEADER.to_string(), Some(publish.topic.clone())),
            (PAYLOAD_HEADER.to_string(), Some(payload.clone())),
        ];
        let levels: Vec<&str> = publish.topic.split('/').collect();
        for (column, level) in &mqtt.topic_levels {
            base.push((
                column.clone(),
                levels.get(level - 1).map(|text| text.to_string()),
            ));
        }
        match serde_json::from_str::<Value>(&payload) {
            Ok(Value::Object(object)) => records.push((fields_of(&object, mqtt, base), None)),
            Ok(Value::Array(items)) if items.iter().all(Value::is_object) && !items.is_empty() => {
                for item in items {
                    if let Value::Object(object) = item {
                        records.push((fields_of(&object, mqtt, base.clone()), None));
                    }
                }
            }
            Ok(_) => records.push((
                base,
                Some("the payload is not a JSON object (nor an array of objects)".to_string()),
            )),
            Err(error) => records.push((base, Some(format!("the payload is not JSON: {error}")))),
        }
    }
    let mut headers: Vec<String> = Vec::new();
    for (fields, _) in &records {
        for (header, _) in fields {
            if !headers.contains(header) {
                headers.push(header.clone());
            }
        }
    }
    // A required column no message names is a problem of each row, not of the batch.
    for column in &contract.columns {
        let named = headers.iter().any(|header| {
            column.is_named(header)
                || column.is_named(header.split(['(', '（']).next().unwrap_or(header))
        });
        if column.required && column.derive.is_none() && !named {
            headers.push(column.name.clone());
        }
    }
    let mut rows = TextRows::new(&headers);
    for (number, (fields, error)) in records.into_iter().enumerate() {
        let mut cells = vec![None; headers.len()];
        for (header, value) in fields {
            if let Some(at) = headers.iter().position(|known| *known == header) {
                cells[at] = value;
            }
        }
        rows.push(cells, number as u64 + 1, error);
    }
    rows
}

/// One row of a message: its fields (header → text) and, when it cannot be read, why.
type MessageRecord = (Vec<(String, Option<String>)>, Option<String>);

/// A message's fields: those `fields` maps (dotted paths) under their columns, the others
/// under their own names.
fn fields_of(
    object: &serde_json::Map<String, Value>,
    mqtt: &MqttSpec,
    mut fields: Vec<(String, Option<String>)>,
) -> Vec<(String, Option<String>)> {
    let mut mapped_roots = HashSet::new();
    for (path, column) in &mqtt.fields {
        let mut parts = path.split('.');
        let root = parts.next().unwrap_or_default();
        mapped_roots.insert(root.to_string());
        let value = parts.fold(object.get(root), |value, part| {
            value.and_then(|value| value.get(part))
        });
        fields.push((column.clone(), value.and_then(cell_text)));
    }
    for (name, value) in object {
        if !mapped_roots.contains(name) {
            fields.push((name.clone(), cell_text(value)));
        }
    }
    fields
}

/// A JSON value as a cell's text (lists of text joined with `;`, as list columns read them).
fn cell_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(items) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

/// A message as an error source.
#[derive(Debug)]
struct StringError(String);

impl std::fmt::Display for StringError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for StringError {}

/// Stops a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
