//! The NDJSON and JSON decoders: one object per row, nested objects flattened into dotted
//! column names, every scalar as text.
//!
//! Both stream: NDJSON a line at a time, JSON (a top-level array, or objects one after
//! another) an element at a time, found by a small scanner that tracks strings and brackets
//! so that a multi-gigabyte array is never parsed as one value. A malformed record is a
//! problem of its row (`__row_error`), not the end of the source.
//!
//! # The column set
//!
//! A stream cannot be read twice, so the columns are the keys of the first `batch_rows`
//! records (the first batch, which is buffered anyway), in the order they first appear; the
//! schema is stable from then on. A key first seen later cannot become a column. When it
//! names one of `known_headers` (a contract column: its value would be lost) or when no
//! headers are known, the row gets a `__row_error` saying so, so the validator quarantines it
//! instead of writing it without that value; a key the contract does not know is dropped
//! quietly, since the validator would drop it anyway.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::RowDecoder;
use super::batch::{TextBatchBuilder, join_problems, text_schema};
use super::encoding::{MalformedText, TextReader};
use super::formats::{Format, Open, SourceFormat};
use super::options::DecodeOptions;
use super::source::{ByteCounter, CountingReader};
use crate::error::Error;

/// NDJSON's entry in the format registry.
pub(crate) static NDJSON_FORMAT: Format = Format {
    name: "ndjson",
    label: "NDJSON",
    other_names: &["jsonl"],
    media_types: &[
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
    ],
    extensions: &["ndjson", "jsonl"],
    summary: "newline-delimited JSON",
    text: true,
    open: Open::Stream(|source, options| Ok(Box::new(JsonDecoder::ndjson(source, options)?))),
};

/// JSON's entry in the format registry.
pub(crate) static JSON_FORMAT: Format = Format {
    name: "json",
    label: "JSON",
    other_names: &[],
    media_types: &["application/json", "text/json"],
    extensions: &["json"],
    summary: "a JSON array of objects",
    text: true,
    open: Open::Stream(|source, options| Ok(Box::new(JsonDecoder::json(source, options)?))),
};

type Text = BufReader<TextReader<CountingReader<Box<dyn Read + Send>>>>;

/// Where a record is in the source, for its row number and its error messages.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// NDJSON: a line.
    Line(u64),
    /// JSON array: element `index` (1-based) starting at `line`, `column`.
    Element { index: u64, line: u64, column: u64 },
    /// Concatenated JSON objects: the object starting at `line`, `column`.
    Object { line: u64, column: u64 },
}

impl Place {
    /// The row number users see.
    fn row(self) -> u64 {
        match self {
            Place::Line(line) => line,
            Place::Element { index, .. } => index,
            Place::Object { line, .. } => line,
        }
    }

    /// Explains a parse error at `line`, `column` of the record's text.
    fn explain(self, message: &str, line: usize, column: usize) -> String {
        let (line, column) = (line as u64, column as u64);
        let absolute = |start_line: u64, start_column: u64| {
            if line <= 1 {
                (start_line, start_column + column.saturating_sub(1))
            } else {
                (start_line + line - 1, column)
            }
        };
        match self {
            Place::Line(number) => format!("line {number}: {message} at column {column}"),
            Place::Element {
                index,
                line: start_line,
                column: start_column,
            } => {
                let (l, c) = absolute(start_line, start_column);
                format!("element {index}: {message} at line {l} column {c}")
            }
            Place::Object {
                line: start_line,
                column: start_column,
            } => {
                let (l, c) = absolute(start_line, start_column);
                format!("{message} at line {l} column {c}")
            }
        }
    }

    fn label(self) -> String {
        match self {
            Place::Line(line) => format!("line {line}"),
            Place::Element { index, line, .. } => format!("element {index} (line {line})"),
            Place::Object { line, column } => format!("the object at line {line} column {column}"),
        }
    }
}

/// One record as found in the source: its text, or why it has none.
struct RawRecord {
    place: Place,
    text: Result<String, String>,
}

/// Finds records in a source.
trait RecordSource: Send {
    /// The next record; `None` at the end. An error ends the source.
    fn next_record(&mut self) -> Result<Option<RawRecord>, Error>;
}

/// The columns: fixed after the first batch.
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
    frozen: bool,
}

impl Columns {
    fn position(&mut self, key: &str) -> Option<usize> {
        if let Some(&i) = self.index.get(key) {
            return Some(i);
        }
        if self.frozen {
            return None;
        }
        self.names.push(key.to_string());
        self.index.insert(key.to_string(), self.names.len() - 1);
        Some(self.names.len() - 1)
    }
}

/// A record turned into column values.
struct Row {
    values: Vec<(usize, Option<String>)>,
    source_row: u64,
    problems: Vec<String>,
}

/// Decodes NDJSON or JSON into text batches.
pub(crate) struct JsonDecoder {
    source: Box<dyn RecordSource>,
    format: SourceFormat,
    options: DecodeOptions,
    columns: Columns,
    schema: SchemaRef,
    builder: TextBatchBuilder,
    counter: ByteCounter,
    pending_error: Option<Error>,
    done: bool,
}

impl JsonDecoder {
    /// An NDJSON decoder: one object per line.
    pub(crate) fn ndjson(
        source: Box<dyn Read + Send>,
        options: &DecodeOptions,
    ) -> Result<JsonDecoder, Error> {
        let (text, counter) = text_source(source, options);
        let lines = LineSource {
            text,
            line: 0,
            max_record_bytes: options.max_record_bytes,
            counter: counter.clone(),
        };
        JsonDecoder::new(Box::new(lines), SourceFormat::NDJSON, counter, options)
    }

    /// A JSON decoder: a top-level array of objects, or objects one after another.
    pub(crate) fn json(
        source: Box<dyn Read + Send>,
        options: &DecodeOptions,
    ) -> Result<JsonDecoder, Error> {
        let (text, counter) = text_source(source, options);
        let scanner = ElementScanner {
            text,
            line: 1,
            column: 1,
            top: Top::Start,
            elements: 0,
            max_record_bytes: options.max_record_bytes,
            counter: counter.clone(),
        };
        JsonDecoder::new(Box::new(scanner), SourceFormat::JSON, counter, options)
    }

    /// Reads the first batch of records to fix the columns.
    fn new(
        mut source: Box<dyn RecordSource>,
        format: SourceFormat,
        counter: ByteCounter,
        options: &DecodeOptions,
    ) -> Result<JsonDecoder, Error> {
        let mut columns = Columns {
            names: Vec::new(),
            index: HashMap::new(),
            frozen: false,
        };
        let batch_rows = options.rows_per_batch();
        let mut first = Vec::new();
        let mut pending_error = None;
        let mut done = false;
        while first.len() < batch_rows {
            match source.next_record() {
                Ok(Some(record)) => first.push(to_row(record, &mut columns, options)),
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(error) => {
                    // Rows before a fatal error are good rows: hand them out, then the error.
                    pending_error = Some(error);
                    done = true;
                    break;
                }
            }
        }
        columns.frozen = true;
        let schema = text_schema(&columns.names);
        let mut builder = TextBatchBuilder::new(schema.clone(), batch_rows);
        for row in first {
            push(&mut builder, row);
        }
        if builder.len() == 0
            && let Some(error) = pending_error
        {
            return Err(error);
        }
        Ok(JsonDecoder {
            source,
            format,
            options: options.clone(),
            columns,
            schema,
            builder,
            counter,
            pending_error,
            done,
        })
    }

    fn read_rows(&mut self) -> Result<(), Error> {
        while !self.builder.is_full() {
            match self.source.next_record()? {
                Some(record) => {
                    let row = to_row(record, &mut self.columns, &self.options);
                    push(&mut self.builder, row);
                }
                None => {
                    self.done = true;
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for JsonDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonDecoder")
            .field("format", &self.format)
            .field("columns", &self.columns.names)
            .finish()
    }
}

impl Iterator for JsonDecoder {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.builder.len() == 0 {
            if let Some(error) = self.pending_error.take() {
                return Some(Err(error));
            }
            if !self.done
                && let Err(error) = self.read_rows()
            {
                self.done = true;
                if self.builder.len() == 0 {
                    return Some(Err(error));
                }
                self.pending_error = Some(error);
            }
        }
        self.builder.take().transpose()
    }
}

impl RowDecoder for JsonDecoder {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.counter.get()
    }
}

fn text_source(source: Box<dyn Read + Send>, options: &DecodeOptions) -> (Text, ByteCounter) {
    let counting = CountingReader::new(source);
    let counter = counting.counter();
    let text = BufReader::with_capacity(64 * 1024, TextReader::new(counting, options.encoding));
    (text, counter)
}

fn push(builder: &mut TextBatchBuilder, row: Row) {
    let mut values = vec![None; builder.width()];
    for (column, value) in row.values {
        if let Some(slot) = values.get_mut(column) {
            *slot = value;
        }
    }
    let problem = join_problems(&row.problems);
    builder.push_row(&values, row.source_row, problem.as_deref());
}

/// Parses and flattens one record, placing its values in the columns.
fn to_row(record: RawRecord, columns: &mut Columns, options: &DecodeOptions) -> Row {
    let mut row = Row {
        values: Vec::new(),
        source_row: record.place.row(),
        problems: Vec::new(),
    };
    let text = match record.text {
        Ok(text) => text,
        Err(problem) => {
            row.problems.push(problem);
            return row;
        }
    };
    let mut fields = Vec::new();
    if let Err(problem) = flatten_record(&text, record.place, &mut fields) {
        row.problems.push(problem);
        return row;
    }
    let mut seen = vec![false; columns.names.len()];
    for (key, value) in fields {
        match columns.position(&key) {
            Some(column) => {
                if seen.len() <= column {
                    seen.resize(column + 1, false);
                }
                if seen[column] {
                    row.problems.push(format!(
                        "field '{key}' appears more than once; the last value was kept"
                    ));
                    row.values.retain(|(c, _)| *c != column);
                }
                seen[column] = true;
                row.values.push((column, value));
            }
            None => {
                let matters = options.known_headers.is_empty() || options.is_known_header(&key);
                if value.is_some() && matters {
                    row.problems.push(format!(
                        "field '{key}' was not in the first {} records, which fix the columns, \
                         so its value was dropped; put it in the first records or decode with a \
                         larger batch",
                        options.rows_per_batch()
                    ));
                }
            }
        }
    }
    row
}

/// The JSON kind of a value, from its first character.
fn kind_of(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'{') => "an object",
        Some(_) => "a number",
        None => "nothing",
    }
}

/// Reads an object's members in order, values as raw text.
struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Vec<(String, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: &'de RawValue = map.next_value()?;
            members.push((key, value));
        }
        Ok(members)
    }
}

/// Parses `text` as one JSON object.
fn parse_object(text: &str) -> Result<Vec<(String, &RawValue)>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let members = deserializer.deserialize_map(ObjectVisitor)?;
    deserializer.end()?;
    Ok(members)
}

/// Flattens a record into `(dotted key, text value)` pairs.
fn flatten_record(
    text: &str,
    place: Place,
    out: &mut Vec<(String, Option<String>)>,
) -> Result<(), String> {
    if !text.trim_start().starts_with('{') {
        return Err(format!(
            "{}: expected a JSON object, found {}",
            place.label(),
            kind_of(text)
        ));
    }
    let members = parse_object(text).map_err(|e| {
        // serde_json's message ends with its own " at line L column C", relative to the
        // record; it is restated relative to the source.
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        place.explain(message, e.line(), e.column())
    })?;
    flatten_members(members, "", out).map_err(|e| format!("{}: {e}", place.label()))
}

fn flatten_members(
    members: Vec<(String, &RawValue)>,
    prefix: &str,
    out: &mut Vec<(String, Option<String>)>,
) -> Result<(), serde_json::Error> {
    for (key, raw) in members {
        let key = format!("{prefix}{}", key.trim());
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'{') => flatten_members(parse_object(text)?, &format!("{key}."), out)?,
            Some(b'"') => {
                let value: String = serde_json::from_str(text)?;
                out.push((key, Some(value)));
            }
            Some(b'n') => out.push((key, None)),
            // Numbers as written (no 1e3 → 1000.0 rewriting), booleans as true/false, arrays
            // as their JSON text.
            _ => out.push((key, Some(text.to_string()))),
        }
    }
    Ok(())
}

fn io_error(error: io::Error, counter: &ByteCounter) -> Error {
    match MalformedText::from_io(error) {
        Ok(malformed) => malformed.into_error(),
        Err(source) => Error::SourceRead {
            offset: counter.get(),
            source,
        },
    }
}

/// NDJSON records: one per non-blank line.
struct LineSource {
    text: Text,
    /// The last line read.
    line: u64,
    max_record_bytes: usize,
    counter: ByteCounter,
}

impl RecordSource for LineSource {
    fn next_record(&mut self) -> Result<Option<RawRecord>, Error> {
        loop {
            let mut line = Vec::new();
            let mut too_long = false;
            let mut any = false;
            // Read one line, keeping at most `max_record_bytes` of it.
            loop {
                let buf = self
                    .text
                    .fill_buf()
                    .map_err(|e| io_error(e, &self.counter))?;
                if buf.is_empty() {
                    break;
                }
                any = true;
                let (take, end) = match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => (i, true),
                    None => (buf.len(), false),
                };
                if line.len() + take > self.max_record_bytes {
                    too_long = true;
                } else {
                    line.extend_from_slice(&buf[..take]);
                }
                self.text.consume(if end { take + 1 } else { take });
                if end {
                    break;
                }
            }
            if !any {
                return Ok(None);
            }
            self.line += 1;
            let place = Place::Line(self.line);
            if too_long {
                return Ok(Some(RawRecord {
                    place,
                    text: Err(format!(
                        "line {}: longer than {} MiB; skipped",
                        self.line,
                        self.max_record_bytes >> 20
                    )),
                }));
            }
            // Valid UTF-8: the text reader guarantees it.
            let text = String::from_utf8_lossy(&line).trim().to_string();
            if text.is_empty() {
                continue;
            }
            return Ok(Some(RawRecord {
                place,
                text: Ok(text),
            }));
        }
    }
}

/// Where the JSON scanner is in the top-level structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    Start,
    /// Inside the top-level array; `after_element` when a `,` or `]` must come next.
    Array {
        after_element: bool,
    },
    /// Objects one after another (one object is the common case).
    Objects,
    Finished,
}

/// JSON records: the elements of a top-level array, or top-level values one after another.
struct ElementScanner {
    text: Text,
    line: u64,
    column: u64,
    top: Top,
    elements: u64,
    max_record_bytes: usize,
    counter: ByteCounter,
}

impl ElementScanner {
    fn peek(&mut self) -> Result<Option<u8>, Error> {
        let buf = self
            .text
            .fill_buf()
            .map_err(|e| io_error(e, &self.counter))?;
        Ok(buf.first().copied())
    }

    fn bump(&mut self, byte: u8) {
        self.text.consume(1);
        self.advance_position(byte);
    }

    fn advance_position(&mut self, byte: u8) {
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    fn skip_whitespace(&mut self) -> Result<Option<u8>, Error> {
        while let Some(byte) = self.peek()? {
            if byte.is_ascii_whitespace() {
                self.bump(byte);
            } else {
                return Ok(Some(byte));
            }
        }
        Ok(None)
    }

    fn fail(&self, reason: String) -> Error {
        Error::Decode {
            format: SourceFormat::JSON,
            row: None,
            column: None,
            reason,
        }
    }

    /// Reads one value starting at the current byte; `Err(problem)` when it is too long.
    fn scan_value(&mut self) -> Result<Result<String, String>, Error> {
        let (start_line, start_column) = (self.line, self.column);
        let mut text = Vec::new();
        let mut too_long = false;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut started = false;
        let mut finished = false;
        while !finished {
            let buf = self
                .text
                .fill_buf()
                .map_err(|e| io_error(e, &self.counter))?;
            if buf.is_empty() {
                if depth > 0 || in_string {
                    return Err(self.fail(format!(
                        "the value starting at line {start_line} column {start_column} is not \
                         closed before the end of the source"
                    )));
                }
                break;
            }
            let mut used = 0;
            for &byte in buf {
                if in_string {
                    used += 1;
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                        if depth == 0 {
                            finished = true;
                            break;
                        }
                    }
                    continue;
                }
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            used += 1;
                            finished = true;
                            break;
                        }
                    }
                    // A scalar ends at the first byte that cannot be part of it.
                    b',' | b']' | b'}' if depth == 0 => {
                        finished = true;
                        break;
                    }
                    byte if depth == 0 && started && byte.is_ascii_whitespace() => {
                        finished = true;
                        break;
                    }
                    _ => {}
                }
                started = true;
                used += 1;
            }
            let chunk = &buf[..used];
            if text.len() + chunk.len() > self.max_record_bytes {
                too_long = true;
                text = Vec::new();
            } else if !too_long {
                text.extend_from_slice(chunk);
            }
            let newlines = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
            match chunk.iter().rposition(|&b| b == b'\n') {
                Some(last) => {
                    self.line += newlines;
                    self.column = (chunk.len() - last) as u64;
                }
                None => self.column += chunk.len() as u64,
            }
            self.text.consume(used);
        }
        if too_long {
            return Ok(Err(format!(
                "the value starting at line {start_line} is longer than {} MiB; skipped",
                self.max_record_bytes >> 20
            )));
        }
        // Valid UTF-8: the text reader guarantees it.
        Ok(Ok(String::from_utf8_lossy(&text).into_owned()))
    }
}

impl RecordSource for ElementScanner {
    fn next_record(&mut self) -> Result<Option<RawRecord>, Error> {
        loop {
            let next = self.skip_whitespace()?;
            let (line, column) = (self.line, self.column);
            match (self.top, next) {
                (Top::Finished, _) | (Top::Start | Top::Objects, None) => {
                    self.top = Top::Finished;
                    return Ok(None);
                }
                (Top::Start, Some(b'[')) => {
                    self.bump(b'[');
                    self.top = Top::Array {
                        after_element: false,
                    };
                }
                (Top::Start, Some(b'{')) => self.top = Top::Objects,
                (Top::Start, Some(byte)) => {
                    return Err(self.fail(format!(
                        "a JSON source must be an array of objects or an object, but it starts \
                         with '{}' at line {line} column {column}",
                        char::from(byte)
                    )));
                }
                (Top::Objects, Some(_)) => {
                    let text = self.scan_value()?;
                    return Ok(Some(RawRecord {
                        place: Place::Object { line, column },
                        text,
                    }));
                }
                (Top::Array { .. }, None) => {
                    return Err(self.fail(format!(
                        "the source ends inside the top-level array after {} elements (a \
                         closing ']' is missing)",
                        self.elements
                    )));
                }
                (Top::Array { .. }, Some(b']')) => {
                    self.bump(b']');
                    self.top = Top::Finished;
                    if let Some(byte) = self.skip_whitespace()? {
                        return Err(self.fail(format!(
                            "unexpected '{}' after the closing ']' at line {} column {}",
                            char::from(byte),
                            self.line,
                            self.column
                        )));
                    }
                    return Ok(None);
                }
                (
                    Top::Array {
                        after_element: true,
                    },
                    Some(b','),
                ) => {
                    self.bump(b',');
                    self.top = Top::Array {
                        after_element: false,
                    };
                }
                (
                    Top::Array {
                        after_element: true,
                    },
                    Some(byte),
                ) => {
                    return Err(self.fail(format!(
                        "expected ',' or ']' after element {} but found '{}' at line {line} \
                         column {column}",
                        self.elements,
                        char::from(byte)
                    )));
                }
                (
                    Top::Array {
                        after_element: false,
                    },
                    Some(b','),
                ) => {
                    return Err(self.fail(format!(
                        "unexpected ',' at line {line} column {column} (an element is missing)"
                    )));
                }
                (
                    Top::Array {
                        after_element: false,
                    },
                    Some(_),
                ) => {
                    self.elements += 1;
                    let index = self.elements;
                    let text = self.scan_value()?;
                    self.top = Top::Array {
                        after_element: true,
                    };
                    return Ok(Some(RawRecord {
                        place: Place::Element {
                            index,
                            line,
                            column,
                        },
                        text,
                    }));
                }
            }
        }
    }
}
