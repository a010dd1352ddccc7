//! Reading a MySQL or MariaDB source with `mysql_async`: the text protocol, streamed row by row
//! (memory stays bounded).

use std::time::Duration;

use chrono::FixedOffset;
use futures::StreamExt as _;
use mysql_async::prelude::Queryable as _;
use mysql_async::{Row, Value};
use tokio::sync::mpsc;

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
    local_offset: FixedOffset,
    sender: mpsc::Sender<ReadEvent>,
) -> Result<u64> {
    let mut url = database.url.clone();
    // mysql_async reads only the mysql scheme.
    if url.scheme() != "mysql" {
        let _ = url.set_scheme("mysql");
    }
    let options = mysql_async::Opts::from_url(url.as_str())
        .map_err(|error| server_error(spec, "reading the url", error))?;
    // TIMESTAMP columns are shown in the session's zone: the park's, which is also how the
    // contract reads a time written without an offset (DATETIME columns are as stored).
    let zone = local_offset.to_string();
    let options = mysql_async::OptsBuilder::from_opts(options)
        .pass(password)
        .prefer_socket(false)
        .init(vec![
            "SET SESSION TRANSACTION READ ONLY".to_string(),
            format!("SET time_zone = '{zone}'"),
        ]);
    let connecting = format!("connecting to {}", address(database));
    let connected = tokio::time::timeout(CONNECT_TIMEOUT, mysql_async::Conn::new(options)).await;
    let mut connection = match connected {
        Ok(connection) => connection.map_err(|error| server_error(spec, connecting, error))?,
        Err(elapsed) => return Err(server_error(spec, connecting, elapsed)),
    };
    let result = stream_rows(spec, database, &mut connection, query, sender).await;
    if result.is_ok() {
        let _ = connection.disconnect().await;
    }
    result
}

async fn stream_rows(
    spec: &SourceSpec,
    database: &DatabaseSpec,
    connection: &mut mysql_async::Conn,
    query: &str,
    sender: mpsc::Sender<ReadEvent>,
) -> Result<u64> {
    let context = || format!("reading rows from {}", address(database));
    let mut result = connection
        .query_iter(query)
        .await
        .map_err(|error| server_error(spec, context(), error))?;
    let Some(mut stream) = result
        .stream::<Row>()
        .await
        .map_err(|error| server_error(spec, context(), error))?
    else {
        return Ok(0);
    };
    let mut rows = RowSender::new(spec, database, sender);
    while let Some(row) = stream.next().await {
        let row = row.map_err(|error| server_error(spec, context(), error))?;
        rows.columns(|| {
            row.columns_ref()
                .iter()
                .map(|column| column.name_str().to_string())
                .collect()
        })
        .await?;
        rows.row(
            (0..row.len())
                .map(|at| row.as_ref(at).and_then(text))
                .collect(),
        )
        .await?;
    }
    rows.finish().await
}

/// A value as text (the text protocol sends bytes; the others are formatted as MySQL would).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        Value::Int(number) => Some(number.to_string()),
        Value::UInt(number) => Some(number.to_string()),
        Value::Float(number) => Some(number.to_string()),
        Value::Double(number) => Some(number.to_string()),
        Value::Date(year, month, day, hour, minute, second, micros) => Some(format!(
            "{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}"
        )),
        Value::Time(negative, days, hours, minutes, seconds, micros) => Some(format!(
            "{}{:02}:{minutes:02}:{seconds:02}.{micros:06}",
            if *negative { "-" } else { "" },
            u64::from(*days) * 24 + u64::from(*hours)
        )),
    }
}
