//! Reading a PostgreSQL source with `tokio-postgres`: the simple query protocol, whose rows
//! arrive as text and stream with the connection's back-pressure (memory stays bounded).

use std::time::Duration;

use futures::StreamExt as _;
use tokio::sync::mpsc;
use tokio_postgres::{NoTls, SimpleQueryMessage};

use super::config::{DatabaseSpec, SourceSpec};
use super::database::{ReadEvent, RowSender, address, server_error};
use crate::error::Result;

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn read(
    spec: &SourceSpec,
    database: &DatabaseSpec,
    password: Option<String>,
    query: &str,
    sender: mpsc::Sender<ReadEvent>,
) -> Result<u64> {
    let mut config: tokio_postgres::Config = database
        .url
        .as_str()
        .parse()
        .map_err(|error| server_error(spec, "reading the url", error))?;
    config
        .connect_timeout(CONNECT_TIMEOUT)
        .application_name("parkhub")
        // Read only, and instants in UTC with their offset, whatever the server's defaults.
        .options("-c default_transaction_read_only=on -c TimeZone=UTC -c DateStyle=ISO");
    if let Some(password) = password {
        config.password(password);
    }
    let (client, connection) = config.connect(NoTls).await.map_err(|error| {
        server_error(spec, format!("connecting to {}", address(database)), error)
    })?;
    let connection = tokio::spawn(connection);
    let result = stream_rows(spec, database, &client, query, sender).await;
    drop(client);
    connection.abort();
    result
}

async fn stream_rows(
    spec: &SourceSpec,
    database: &DatabaseSpec,
    client: &tokio_postgres::Client,
    query: &str,
    sender: mpsc::Sender<ReadEvent>,
) -> Result<u64> {
    let context = || format!("reading rows from {}", address(database));
    let stream = client
        .simple_query_raw(query)
        .await
        .map_err(|error| server_error(spec, context(), error))?;
    futures::pin_mut!(stream);
    let mut rows = RowSender::new(spec, database, sender);
    while let Some(message) = stream.next().await {
        match message.map_err(|error| server_error(spec, context(), error))? {
            SimpleQueryMessage::RowDescription(columns) => {
                rows.columns(|| column_names(&columns)).await?;
            }
            SimpleQueryMessage::Row(row) => {
                rows.columns(|| column_names(row.columns())).await?;
                rows.row(
                    (0..row.len())
                        .map(|at| row.get(at).map(str::to_string))
                        .collect(),
                )
                .await?;
            }
            _ => {}
        }
    }
    rows.finish().await
}

fn column_names(columns: &[tokio_postgres::SimpleColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|column| column.name().to_string())
        .collect()
}
