//! The CSV decoder: streaming, any supported encoding, delimiter and header-row detection,
//! ragged rows reported per row.
//!
//! Memory stays bounded: the encoding layer works in 64 KiB chunks, the `csv` crate holds one
//! record, the builder one batch; a record longer than `max_record_bytes` is refused rather
//! than buffered.

use std::collections::HashSet;
use std::io::{self, Chain, Cursor, Read};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use super::RowDecoder;
use super::batch::{TextBatchBuilder, column_names, text_schema};
use super::encoding::{MalformedText, TextReader, count_newlines};
use super::formats::{Format, Open, SourceFormat};
use super::options::DecodeOptions;
use super::source::{ByteCounter, CountingReader};
use crate::error::Error;

/// CSV's entry in the format registry.
pub(crate) static FORMAT: Format = Format {
    name: "csv",
    label: "CSV",
    other_names: &["tsv"],
    media_types: &["text/csv", "text/tab-separated-values", "application/csv"],
    extensions: &["csv", "tsv", "txt"],
    summary: "CSV (UTF-8, GBK or GB18030)",
    text: true,
    open: Open::Stream(|source, options| Ok(Box::new(CsvDecoder::new(source, options)?))),
};

/// How many lines from the top may hold the header (title lines above it are skipped).
const HEADER_SEARCH_LINES: usize = 20;

/// The most text read ahead to find the header line; past it, detection uses what it has.
const HEADER_SEARCH_BYTES: usize = 4 << 20;

/// The delimiters detection chooses from, in order of preference on ties.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Slack over `max_record_bytes` for the `csv` crate's read-ahead buffer.
const READ_AHEAD_SLACK: u64 = 64 * 1024;

type Text = LineEndings<TextReader<CountingReader<Box<dyn Read + Send>>>>;
type Source = Chain<Cursor<Vec<u8>>, Text>;

/// Decodes CSV into text batches.
pub(crate) struct CsvDecoder {
    /// `None` for an empty source.
    reader: Option<csv::Reader<RecordGuard<Source>>>,
    schema: SchemaRef,
    builder: TextBatchBuilder,
    record: csv::StringRecord,
    /// Source line of the header: `csv` counts lines from the header, the user from the top.
    line_offset: u64,
    /// Where the next record starts (csv's count), for errors that stop mid-record.
    next_record_line: u64,
    /// The source line the last record read starts on.
    last_record_line: u64,
    max_record_bytes: usize,
    counter: ByteCounter,
    /// An error to hand out after the rows before it.
    pending_error: Option<Error>,
    done: bool,
}

impl CsvDecoder {
    /// Reads up to the header and fixes the schema.
    pub(crate) fn new(
        source: Box<dyn Read + Send>,
        options: &DecodeOptions,
    ) -> Result<CsvDecoder, Error> {
        let counting = CountingReader::new(source);
        let counter = counting.counter();
        let mut text = LineEndings::new(TextReader::new(counting, options.encoding));
        let (prefix, at_end) = read_prefix(&mut text, &counter)?;
        let lines = split_lines(&prefix, at_end);

        // A source without a header: nothing to ingest, and that is for the caller to judge.
        let empty = || {
            let schema = text_schema(&[]);
            Ok(CsvDecoder {
                reader: None,
                builder: TextBatchBuilder::new(schema.clone(), 1),
                schema,
                record: csv::StringRecord::new(),
                line_offset: 0,
                next_record_line: 1,
                last_record_line: 0,
                max_record_bytes: options.max_record_bytes,
                counter: counter.clone(),
                pending_error: None,
                done: true,
            })
        };
        let Some(header) = find_header(&lines, options)? else {
            if at_end {
                // Empty, or only blank lines.
                return empty();
            }
            return Err(Error::Decode {
                format: SourceFormat::CSV,
                row: None,
                column: None,
                reason: format!(
                    "no header line in the first {HEADER_SEARCH_LINES} lines: they are blank, or \
                     the first line is longer than {} MiB",
                    HEADER_SEARCH_BYTES >> 20
                ),
            });
        };

        let mut rest = prefix;
        rest.drain(..lines[header.line].start);
        let rest = Cursor::new(rest);
        let guard = RecordGuard {
            inner: rest.chain(text),
            since_reset: 0,
            limit: options.max_record_bytes as u64 + READ_AHEAD_SLACK,
            quotes: QuoteState::FieldStart,
            delimiter: header.delimiter,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(header.delimiter)
            .from_reader(guard);
        let line_offset = header.line as u64;
        let mut record = csv::StringRecord::new();
        let mut decoder_error = |e| map_csv_error(e, line_offset + 1, options, &counter);
        if !reader
            .read_record(&mut record)
            .map_err(&mut decoder_error)?
        {
            return empty();
        }
        let headers: Vec<String> = record.iter().map(str::to_string).collect();
        let names = column_names(&headers, SourceFormat::CSV, |i| (i + 1).to_string())?;
        let schema = text_schema(&names);
        let next_record_line = reader.position().line();
        reader.get_mut().since_reset = 0;
        Ok(CsvDecoder {
            reader: Some(reader),
            builder: TextBatchBuilder::new(schema.clone(), options.rows_per_batch()),
            schema,
            record,
            line_offset,
            next_record_line,
            last_record_line: line_offset + 1,
            max_record_bytes: options.max_record_bytes,
            counter,
            pending_error: None,
            done: false,
        })
    }

    /// Appends the record just read, unless it is blank.
    fn push_record(record: &csv::StringRecord, builder: &mut TextBatchBuilder, source_line: u64) {
        if record.iter().all(|field| field.trim().is_empty()) {
            // Blank rows (",,,,") are what spreadsheets leave below the data: not rows.
            return;
        }
        let width = builder.width();
        for column in 0..width {
            let value = record.get(column).filter(|field| !field.is_empty());
            builder.append(column, value);
        }
        // Extra fields that are all empty (trailing delimiters) lose nothing: not a problem.
        let ragged = record.len() < width
            || record
                .iter()
                .skip(width)
                .any(|field| !field.trim().is_empty());
        let problem =
            ragged.then(|| format!("row has {} fields, header has {}", record.len(), width));
        builder.finish_row(source_line, problem.as_deref());
    }

    fn read_rows(&mut self) -> Result<(), Error> {
        let Some(reader) = self.reader.as_mut() else {
            self.done = true;
            return Ok(());
        };
        while !self.builder.is_full() {
            match reader.read_record(&mut self.record) {
                Ok(true) => {
                    reader.get_mut().since_reset = 0;
                    // `csv` gives the line where it started looking for the record, before
                    // the blank lines it skips; the record's own first line is found back
                    // from its end: every record ends with a newline (see `LineEndings`), and
                    // the newlines before that are inside its quoted fields.
                    let end = reader.position().line();
                    let inside: u64 = self
                        .record
                        .iter()
                        .filter(|field| field.as_bytes().contains(&b'\n'))
                        .map(|field| count_newlines(field.as_bytes()))
                        .sum();
                    let searched_from = self
                        .record
                        .position()
                        .map_or(self.next_record_line, |p| p.line());
                    let line = searched_from.max(end.saturating_sub(inside + 1));
                    self.next_record_line = end;
                    self.last_record_line = line + self.line_offset;
                    CsvDecoder::push_record(
                        &self.record,
                        &mut self.builder,
                        line + self.line_offset,
                    );
                }
                Ok(false) => {
                    self.done = true;
                    if reader.get_ref().quotes == QuoteState::Quoted {
                        return Err(Error::Decode {
                            format: SourceFormat::CSV,
                            row: Some(self.last_record_line),
                            column: None,
                            reason: "the source ends inside a quoted field (a quote \" is never \
                                     closed): it looks cut short, so none of it is taken"
                                .to_string(),
                        });
                    }
                    return Ok(());
                }
                Err(e) => {
                    self.done = true;
                    return Err(map_csv_error_with(
                        e,
                        self.next_record_line + self.line_offset,
                        self.max_record_bytes,
                        &self.counter,
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Iterator for CsvDecoder {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.pending_error.take() {
            return Some(Err(error));
        }
        if !self.done
            && let Err(error) = self.read_rows()
        {
            // Hand out the rows decoded before the error first: they are good rows.
            match self.builder.take() {
                Ok(Some(batch)) => {
                    self.pending_error = Some(error);
                    return Some(Ok(batch));
                }
                Ok(None) => return Some(Err(error)),
                Err(build_error) => return Some(Err(build_error)),
            }
        }
        self.builder.take().transpose()
    }
}

impl RowDecoder for CsvDecoder {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.counter.get()
    }
}

/// Normalises line endings to `\n` (CRLF and old Mac CR alike) and ends the text with one.
///
/// Line numbers are counted in `\n`; with every record ending in exactly one, the line a
/// record starts on can be worked out from where it ends (see `read_rows`).
struct LineEndings<R> {
    inner: R,
    after_cr: bool,
    last: Option<u8>,
    finished: bool,
}

impl<R: Read> LineEndings<R> {
    fn new(inner: R) -> LineEndings<R> {
        LineEndings {
            inner,
            after_cr: false,
            last: None,
            finished: false,
        }
    }
}

impl<R: Read> Read for LineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.finished {
                return Ok(0);
            }
            let n = self.inner.read(buf)?;
            if n == 0 {
                self.finished = true;
                if self.last.is_some_and(|b| b != b'\n') {
                    buf[0] = b'\n';
                    self.last = Some(b'\n');
                    return Ok(1);
                }
                return Ok(0);
            }
            // Most text has no CR at all: pass it through untouched.
            if !(buf[..n].contains(&b'\r') || (self.after_cr && buf[0] == b'\n')) {
                self.after_cr = false;
                self.last = Some(buf[n - 1]);
                return Ok(n);
            }
            let mut out = 0;
            for i in 0..n {
                let byte = buf[i];
                let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
                match byte {
                    b'\r' => buf[out] = b'\n',
                    b'\n' if after_cr => continue,
                    _ => buf[out] = byte,
                }
                out += 1;
            }
            if out > 0 {
                self.last = Some(buf[out - 1]);
                return Ok(out);
            }
        }
    }
}

/// Refuses to read more than `limit` bytes for one record, so that a missing closing quote
/// or a giant field cannot make the `csv` crate buffer the rest of a 5 GB file.
///
/// It also follows the quoting of the bytes it passes on, as the `csv` crate reads them, so
/// that a source which ends inside a quoted field (a file cut off mid-transfer) can be told
/// from one that ends cleanly: `csv` closes such a field silently at the end of its input.
struct RecordGuard<R> {
    inner: R,
    since_reset: u64,
    limit: u64,
    quotes: QuoteState,
    delimiter: u8,
}

/// Where a CSV byte stream stands with respect to quoting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    /// At the start of a field.
    FieldStart,
    /// Inside a field that did not start with a quote: quotes in it are literal.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

impl QuoteState {
    /// The state after `bytes`, with `delimiter` between fields and `\n` between records.
    fn after(mut self, bytes: &[u8], delimiter: u8) -> QuoteState {
        // Most text has no quote at all: then only the last byte matters.
        if !bytes.contains(&b'"') {
            return match (self, bytes.last()) {
                (_, None) | (QuoteState::Quoted, _) => self,
                (_, Some(&last)) if last == b'\n' || last == delimiter => QuoteState::FieldStart,
                _ => QuoteState::Unquoted,
            };
        }
        for &byte in bytes {
            self = match (self, byte) {
                (QuoteState::Quoted, b'"') => QuoteState::QuoteInQuoted,
                (QuoteState::Quoted, _) => QuoteState::Quoted,
                (QuoteState::FieldStart | QuoteState::QuoteInQuoted, b'"') => QuoteState::Quoted,
                (_, b'\n') => QuoteState::FieldStart,
                (_, byte) if byte == delimiter => QuoteState::FieldStart,
                _ => QuoteState::Unquoted,
            };
        }
        self
    }
}

/// The payload of the I/O error [`RecordGuard`] returns.
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for RecordTooLong {}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_reset > self.limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RecordTooLong));
        }
        let n = self.inner.read(buf)?;
        self.since_reset += n as u64;
        self.quotes = self.quotes.after(&buf[..n], self.delimiter);
        Ok(n)
    }
}

fn map_csv_error(
    error: csv::Error,
    row: u64,
    options: &DecodeOptions,
    counter: &ByteCounter,
) -> Error {
    map_csv_error_with(error, row, options.max_record_bytes, counter)
}

/// Turns a `csv` error into the crate's, recovering the encoding and length errors that
/// travelled through it as I/O errors.
fn map_csv_error_with(
    error: csv::Error,
    row: u64,
    max_record_bytes: usize,
    counter: &ByteCounter,
) -> Error {
    let message = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(io_error) => match MalformedText::from_io(io_error) {
            Ok(malformed) => malformed.into_error(),
            Err(io_error) if io_error.get_ref().is_some_and(|e| e.is::<RecordTooLong>()) => {
                Error::Decode {
                    format: SourceFormat::CSV,
                    row: Some(row),
                    column: None,
                    reason: format!(
                        "a record longer than {} MiB (is a closing quote missing?); the limit \
                         keeps memory bounded",
                        max_record_bytes >> 20
                    ),
                }
            }
            Err(source) => Error::SourceRead {
                offset: counter.get(),
                source,
            },
        },
        csv::ErrorKind::Utf8 { pos, err } => Error::Decode {
            format: SourceFormat::CSV,
            row: pos.map(|p| p.line()).or(Some(row)),
            column: None,
            reason: format!("field {} is not valid UTF-8", err.field() + 1),
        },
        _ => Error::Decode {
            format: SourceFormat::CSV,
            row: Some(row),
            column: None,
            reason: message,
        },
    }
}

/// Reads the first lines of decoded text, to find the header in. Returns the text and
/// whether it is the whole source.
fn read_prefix(text: &mut impl Read, counter: &ByteCounter) -> Result<(Vec<u8>, bool), Error> {
    let mut prefix = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut newlines = 0;
    while newlines < HEADER_SEARCH_LINES && prefix.len() < HEADER_SEARCH_BYTES {
        let n = match text.read(&mut chunk) {
            Ok(0) => return Ok((prefix, true)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return match MalformedText::from_io(e) {
                    // Bad bytes below the first lines are reported at their row, after the
                    // rows before them: the text reader reports them again when read on.
                    Ok(_) if newlines > 0 => Ok((prefix, false)),
                    Ok(malformed) => Err(malformed.into_error()),
                    Err(source) => Err(Error::SourceRead {
                        offset: counter.get(),
                        source,
                    }),
                };
            }
        };
        newlines += chunk[..n].iter().filter(|&&b| b == b'\n').count();
        prefix.extend_from_slice(&chunk[..n]);
    }
    Ok((prefix, false))
}

/// One line of the prefix.
struct Line {
    /// Byte offset of its start in the prefix.
    start: usize,
    text: String,
}

/// Splits the prefix into its first lines; a last line without a newline counts only when the
/// source ends there (otherwise it is cut off and may look like anything).
fn split_lines(prefix: &[u8], at_end: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    while lines.len() < HEADER_SEARCH_LINES && start < prefix.len() {
        let end = match prefix[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start + i,
            None if at_end => prefix.len(),
            None => break,
        };
        let text = String::from_utf8_lossy(&prefix[start..end])
            .trim_end_matches('\r')
            .to_string();
        lines.push(Line { start, text });
        start = end + 1;
    }
    lines
}

/// The header line chosen and the delimiter.
struct Header {
    line: usize,
    delimiter: u8,
}

/// Splits one line into fields the way the decoder will (quotes respected).
fn fields(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(str::to_string).collect(),
        _ => vec![line.to_string()],
    }
}

/// Picks the header line and the delimiter.
///
/// Without known headers the header is the first non-blank line. With them, it is the line
/// among the first 20 whose fields name the most known headers (earliest on ties), which
/// skips title lines such as "2024年1月能耗统计表". The delimiter is declared, or the candidate
/// that splits the header line best.
fn find_header(lines: &[Line], options: &DecodeOptions) -> Result<Option<Header>, Error> {
    let candidates: Vec<u8> = match options.delimiter {
        Some(delimiter) => vec![delimiter],
        None => DELIMITERS.to_vec(),
    };
    let blank = |line: &Line| {
        line.text.chars().all(|c| {
            c.is_whitespace() || c == '"' || (c.is_ascii() && candidates.contains(&(c as u8)))
        })
    };
    let Some(first) = lines.iter().position(|line| !blank(line)) else {
        return Ok(None);
    };
    // The candidate that yields the most fields (first candidate on ties).
    let widest = |line: &Line| {
        let mut best = (candidates[0], 0);
        for &delimiter in &candidates {
            let count = fields(&line.text, delimiter).len();
            if count > best.1 {
                best = (delimiter, count);
            }
        }
        best.0
    };
    if options.known_headers.is_empty() {
        return Ok(Some(Header {
            line: first,
            delimiter: widest(&lines[first]),
        }));
    }

    let known: HashSet<String> = options
        .known_headers
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    // (matches, fields) of the best line so far; a later line must match strictly more.
    let mut best: Option<(usize, usize, Header)> = None;
    for (index, line) in lines.iter().enumerate().skip(first) {
        if blank(line) {
            continue;
        }
        for &delimiter in &candidates {
            let fields = fields(&line.text, delimiter);
            let matches = fields
                .iter()
                .filter(|field| known.contains(&field.trim().to_ascii_lowercase()))
                .count();
            let better = match &best {
                None => matches > 0,
                Some((best_matches, best_fields, best_header)) => {
                    matches > *best_matches
                        || (matches == *best_matches
                            && best_header.line == index
                            && fields.len() > *best_fields)
                }
            };
            if better {
                best = Some((
                    matches,
                    fields.len(),
                    Header {
                        line: index,
                        delimiter,
                    },
                ));
            }
        }
    }
    match best {
        Some((_, _, header)) => Ok(Some(header)),
        None => Err(Error::UnknownHeader {
            format: SourceFormat::CSV,
            found: fields(&lines[first].text, widest(&lines[first])),
            expected: options.known_headers.clone(),
        }),
    }
}
