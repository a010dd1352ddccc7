//! The XLSX decoder: one worksheet, its header row found below title rows, merged areas
//! filled, every cell as text.
//!
//! An XLSX workbook is a zip archive, which needs random access: a source that is not a file
//! is spooled to an anonymous temporary file first. Before anything is decompressed the
//! archive's directory is checked against size limits, so a zip bomb is refused instead of
//! filling memory or disk (zip ≥ 9.8 stops every entry at its declared size, so the declared
//! sizes can be trusted). The sheet is then streamed cell by cell on a worker thread —
//! calamine's cell reader borrows the workbook, so it cannot live inside an iterator next to
//! it — and handed over through a bounded channel, so memory holds a batch of rows, not the
//! sheet. calamine does keep the workbook's shared-string table in memory, as every XLSX
//! reader must; the entry-size limit bounds it.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Dimensions, Reader, Xlsx, XlsxError};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use super::RowDecoder;
use super::batch::{TextBatchBuilder, column_names, join_problems, text_schema};
use super::formats::{Format, Open, SourceFormat};
use super::options::DecodeOptions;
use super::source::ByteCounter;
use crate::error::Error;

/// XLSX's entry in the format registry.
pub(crate) static FORMAT: Format = Format {
    name: "xlsx",
    label: "XLSX",
    other_names: &[],
    media_types: &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
    extensions: &["xlsx"],
    summary: "an XLSX workbook",
    text: false,
    open: Open::File(|file, counter, options| {
        Ok(Box::new(XlsxDecoder::open(file, counter, options)?))
    }),
};

/// The largest uncompressed size of one archive entry (a sheet's XML, the shared strings).
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// The largest uncompressed size of the whole archive.
const MAX_TOTAL_BYTES: u64 = 4 << 30;

/// Entries larger than this must not compress better than [`MAX_RATIO`]: sheet XML compresses
/// 10–30 times, a zip bomb a thousand times.
const RATIO_CHECK_BYTES: u64 = 64 << 20;

/// The highest compression ratio allowed for large entries.
const MAX_RATIO: u64 = 100;

/// How many non-empty rows from the top may hold the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// Rows in flight between the sheet reader thread and the decoder.
const CHANNEL_ROWS: usize = 1024;

/// Merged areas larger than this are decoration (a frame around the sheet), not data, and
/// are not filled: filling them could turn one cell into millions.
const MAX_FILL_CELLS: u64 = 1 << 20;

/// One cell's content as the decoder keeps it.
#[derive(Debug, Clone, PartialEq)]
enum CellValue {
    Text(String),
    /// An Excel error value such as `#DIV/0!`.
    Error(String),
}

/// The non-empty cells of one sheet row.
#[derive(Debug)]
struct SheetRow {
    /// 0-based row index.
    row: u32,
    /// (0-based column, value), by column.
    cells: Vec<(u32, CellValue)>,
}

/// Decodes one worksheet into text batches.
pub(crate) struct XlsxDecoder {
    rows: Option<Receiver<Result<SheetRow, Error>>>,
    /// Rows read while looking for the header that come after it.
    buffered: VecDeque<SheetRow>,
    /// The header's first column and the number of columns.
    first_column: u32,
    schema: SchemaRef,
    builder: TextBatchBuilder,
    counter: ByteCounter,
    pending_error: Option<Error>,
    done: bool,
}

fn decode_error(reason: impl Into<String>) -> Error {
    Error::Decode {
        format: SourceFormat::XLSX,
        row: None,
        column: None,
        reason: reason.into(),
    }
}

fn xlsx_error(error: XlsxError) -> Error {
    decode_error(format!("unreadable workbook: {error}"))
}

impl XlsxDecoder {
    /// Opens a workbook file; `counter` already holds the bytes read to get it.
    pub(crate) fn open(
        mut file: File,
        counter: ByteCounter,
        options: &DecodeOptions,
    ) -> Result<XlsxDecoder, Error> {
        check_archive(&mut file)?;
        file.seek(SeekFrom::Start(0))
            .map_err(|source| Error::SourceRead { offset: 0, source })?;
        let mut workbook = Xlsx::new(BufReader::new(file)).map_err(xlsx_error)?;
        let sheets = workbook.sheet_names();
        let sheet = match &options.sheet {
            Some(wanted) => sheets
                .iter()
                .find(|name| *name == wanted)
                // A sheet name typed by hand may differ in case or blanks.
                .or_else(|| {
                    sheets
                        .iter()
                        .find(|name| name.trim().eq_ignore_ascii_case(wanted.trim()))
                })
                .cloned()
                .ok_or_else(|| Error::UnknownSheet {
                    sheet: wanted.clone(),
                    available: sheets.clone(),
                })?,
            None => sheets
                .first()
                .cloned()
                .ok_or_else(|| decode_error("the workbook has no sheets"))?,
        };
        let merged = workbook
            .merge_cells_by_sheet_name(&sheet)
            .map_err(xlsx_error)?;

        let (sender, receiver) = sync_channel(CHANNEL_ROWS);
        std::thread::Builder::new()
            .name("parkhub-xlsx".to_string())
            .spawn(move || read_sheet(workbook, &sheet, merged, &sender))
            .map_err(|source| Error::SourceRead {
                offset: counter.get(),
                source,
            })?;

        // Look for the header among the first rows.
        let mut top = Vec::new();
        let mut pending_error = None;
        let mut ended = false;
        while top.len() < HEADER_SEARCH_ROWS {
            match receiver.recv() {
                Ok(Ok(row)) => top.push(row),
                Ok(Err(error)) => {
                    pending_error = Some(error);
                    ended = true;
                    break;
                }
                Err(_) => {
                    ended = true;
                    break;
                }
            }
        }
        let Some(header_at) = find_header(&top, options)? else {
            if let Some(error) = pending_error {
                return Err(error);
            }
            // An empty sheet: nothing to ingest, and that is for the caller to judge.
            let schema = text_schema(&[]);
            return Ok(XlsxDecoder {
                rows: None,
                buffered: VecDeque::new(),
                first_column: 0,
                builder: TextBatchBuilder::new(schema.clone(), 1),
                schema,
                counter,
                pending_error: None,
                done: true,
            });
        };
        let mut top: VecDeque<SheetRow> = top.into();
        top.drain(..header_at);
        let header = top.pop_front();
        let header_cells = header.map(|row| row.cells).unwrap_or_default();
        let first_column = header_cells.first().map_or(0, |(c, _)| *c);
        let last_column = header_cells.last().map_or(0, |(c, _)| *c);
        let mut headers = vec![String::new(); (last_column - first_column + 1) as usize];
        for (column, value) in &header_cells {
            if let CellValue::Text(text) = value {
                headers[(column - first_column) as usize] = text.clone();
            }
        }
        let names = column_names(&headers, SourceFormat::XLSX, |i| {
            column_letters(first_column + i as u32)
        })?;
        let schema = text_schema(&names);
        Ok(XlsxDecoder {
            rows: (!ended).then_some(receiver),
            buffered: top,
            first_column,
            builder: TextBatchBuilder::new(schema.clone(), options.rows_per_batch()),
            schema,
            counter,
            pending_error,
            done: false,
        })
    }

    /// Appends one sheet row, unless none of its cells is under a header.
    fn push_row(&mut self, row: SheetRow) {
        let width = self.builder.width();
        let mut values = vec![None; width];
        let mut problems = Vec::new();
        let mut any = false;
        for (column, value) in row.cells {
            let Some(index) = column
                .checked_sub(self.first_column)
                .map(|i| i as usize)
                .filter(|&i| i < width)
            else {
                // Cells right of the header (notes, totals) are not part of the table.
                continue;
            };
            any = true;
            match value {
                CellValue::Text(text) => values[index] = Some(text),
                CellValue::Error(code) => problems.push(format!(
                    "cell {}{} holds the error {code}",
                    column_letters(column),
                    row.row + 1
                )),
            }
        }
        if any {
            let problem = join_problems(&problems);
            self.builder
                .push_row(&values, u64::from(row.row) + 1, problem.as_deref());
        }
    }

    fn read_rows(&mut self) -> Result<(), Error> {
        while !self.builder.is_full() {
            if let Some(row) = self.buffered.pop_front() {
                self.push_row(row);
                continue;
            }
            let Some(receiver) = &self.rows else {
                self.done = true;
                return Ok(());
            };
            match receiver.recv() {
                Ok(Ok(row)) => self.push_row(row),
                Ok(Err(error)) => {
                    self.done = true;
                    return Err(error);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

impl Iterator for XlsxDecoder {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.builder.len() == 0
            && !self.done
            && let Err(error) = self.read_rows()
        {
            if self.builder.len() == 0 {
                return Some(Err(error));
            }
            self.pending_error = Some(error);
        }
        // A reader error met while looking for the header comes after the rows before it.
        if self.builder.len() == 0
            && let Some(error) = self.pending_error.take()
        {
            self.done = true;
            return Some(Err(error));
        }
        self.builder.take().transpose()
    }
}

impl RowDecoder for XlsxDecoder {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.counter.get()
    }
}

/// Refuses files that are not zip archives and archives that would expand too far.
fn check_archive(file: &mut File) -> Result<(), Error> {
    let mut magic = [0u8; 4];
    let mut filled = 0;
    while filled < magic.len() {
        match file.read(&mut magic[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(source) => return Err(Error::SourceRead { offset: 0, source }),
        }
    }
    if magic == [0xD0, 0xCF, 0x11, 0xE0] {
        return Err(decode_error(
            "not an XLSX file: this is an Excel 97-2003 workbook (.xls) or a password-protected \
             workbook; save it as .xlsx without a password",
        ));
    }
    if filled < 4 || &magic[..2] != b"PK" {
        return Err(decode_error("not an XLSX file (not a zip archive)"));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|source| Error::SourceRead { offset: 0, source })?;
    let archive = zip::ZipArchive::new(&mut *file).map_err(|e| {
        decode_error(format!(
            "not an XLSX file (not a readable zip archive: {e})"
        ))
    })?;
    let metadata = archive.metadata();
    let mut total: u64 = 0;
    for index in 0..metadata.len() {
        let entry = metadata
            .entry(index)
            .map_err(|e| decode_error(format!("unreadable zip directory: {e}")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let (size, compressed) = (entry.size(), entry.compressed_size());
        let too_large = |reason: String| Error::ArchiveTooLarge {
            entry: name.clone(),
            size,
            compressed,
            reason,
        };
        if size > MAX_ENTRY_BYTES {
            return Err(too_large(format!(
                "entries may expand to at most {} MiB",
                MAX_ENTRY_BYTES >> 20
            )));
        }
        if size > RATIO_CHECK_BYTES && size > compressed.saturating_mul(MAX_RATIO) {
            return Err(too_large(format!(
                "a compression ratio of {}:1 is above the {MAX_RATIO}:1 allowed for entries over \
                 {} MiB (a zip bomb?)",
                size / compressed.max(1),
                RATIO_CHECK_BYTES >> 20
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_BYTES {
            return Err(too_large(format!(
                "the archive as a whole may expand to at most {} MiB",
                MAX_TOTAL_BYTES >> 20
            )));
        }
    }
    Ok(())
}

/// Picks the header row among the first rows: the one whose cells name the most known
/// headers (earliest on ties), or the first row when no headers are known.
fn find_header(rows: &[SheetRow], options: &DecodeOptions) -> Result<Option<usize>, Error> {
    if rows.is_empty() {
        return Ok(None);
    }
    if options.known_headers.is_empty() {
        return Ok(Some(0));
    }
    let matches = |row: &SheetRow| {
        row.cells
            .iter()
            .filter(|(_, value)| {
                matches!(value, CellValue::Text(text) if options.is_known_header(text))
            })
            .count()
    };
    let mut best: Option<(usize, usize)> = None;
    for (index, row) in rows.iter().enumerate() {
        let count = matches(row);
        if count > 0 && best.is_none_or(|(_, best_count)| count > best_count) {
            best = Some((index, count));
        }
    }
    match best {
        Some((index, _)) => Ok(Some(index)),
        None => Err(Error::UnknownHeader {
            format: SourceFormat::XLSX,
            found: rows[0]
                .cells
                .iter()
                .map(|(_, value)| match value {
                    CellValue::Text(text) => text.clone(),
                    CellValue::Error(code) => code.clone(),
                })
                .collect(),
            expected: options.known_headers.clone(),
        }),
    }
}

/// Excel's letters for a 0-based column: 0 → A, 26 → AA.
fn column_letters(column: u32) -> String {
    let mut n = column as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The text of a cell value; `None` for an empty cell.
fn cell_value(data: &DataRef<'_>) -> Option<CellValue> {
    let text = match data {
        DataRef::Empty => return None,
        DataRef::String(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_string(),
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) => format_number(*f),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(datetime) => format_datetime(datetime),
        DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::Error(error) => return Some(CellValue::Error(error.to_string())),
    };
    if text.is_empty() {
        None
    } else {
        Some(CellValue::Text(text))
    }
}

/// A number as the shortest text, at Excel's own precision of 15 significant digits:
/// `10000000` not `1.0E7`, `3` not `3.0`, and `0.3` for a formula whose cached result is
/// 0.30000000000000004 — the value the user sees in Excel.
fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    if rounded == 0.0 {
        // No "-0".
        return "0".to_string();
    }
    // Rust's shortest round-trip formatting never uses an exponent.
    rounded.to_string()
}

/// A date-formatted serial number as `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` when it has a time,
/// `HH:MM:SS` for a time of day alone, and `[h]:mm:ss` for a duration.
fn format_datetime(datetime: &calamine::ExcelDateTime) -> String {
    let serial = datetime.as_f64();
    if datetime.is_duration() {
        let total_seconds = (serial * 86_400.0).round() as i64;
        let sign = if total_seconds < 0 { "-" } else { "" };
        let s = total_seconds.unsigned_abs();
        return format!("{sign}{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    }
    let (year, month, day, hour, minute, second, milli) = datetime.to_ymd_hms_milli();
    let time = if milli > 0 {
        format!("{hour:02}:{minute:02}:{second:02}.{milli:03}")
    } else {
        format!("{hour:02}:{minute:02}:{second:02}")
    };
    if (0.0..1.0).contains(&serial) {
        // Serial 0.x is a time of day with no date.
        return time;
    }
    if serial.fract() == 0.0 || (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {time}")
    }
}

/// Why the sheet reader stops early.
enum Stop {
    /// The decoder was dropped: nobody wants more rows.
    Abandoned,
    Failed(Error),
}

/// Streams a worksheet's rows into `sender`; runs on its own thread.
fn read_sheet(
    mut workbook: Xlsx<BufReader<File>>,
    sheet: &str,
    merged: Vec<Dimensions>,
    sender: &SyncSender<Result<SheetRow, Error>>,
) {
    let result = (|| -> Result<(), Stop> {
        let mut cells = workbook
            .worksheet_cells_reader(sheet)
            .map_err(|e| Stop::Failed(xlsx_error(e)))?;
        let mut filler = MergeFiller::new(merged);
        let mut emit = |row: SheetRow| sender.send(Ok(row)).map_err(|_| Stop::Abandoned);
        let mut current: Option<SheetRow> = None;
        while let Some(cell) = cells.next_cell().map_err(|e| Stop::Failed(xlsx_error(e)))? {
            let (row, column) = cell.get_position();
            let Some(value) = cell_value(cell.get_value()) else {
                continue;
            };
            match &mut current {
                Some(open) if open.row == row => open.cells.push((column, value)),
                _ => {
                    if let Some(done) = current.take() {
                        filler.process(done, &mut emit)?;
                    }
                    current = Some(SheetRow {
                        row,
                        cells: vec![(column, value)],
                    });
                }
            }
        }
        if let Some(done) = current.take() {
            filler.process(done, &mut emit)?;
        }
        filler.finish(&mut emit)
    })();
    if let Err(Stop::Failed(error)) = result {
        // If the decoder is gone there is nobody to tell.
        let _ = sender.send(Err(error));
    }
}

/// Fills merged areas from their top-left cell, which is the only one that holds the value.
///
/// Rows arrive in order; an area becomes active at its first row (where its value is taken)
/// and is retired after its last. Rows inside a vertical merge that have no cells of their
/// own are produced too.
struct MergeFiller {
    /// Areas by first row, not yet reached.
    waiting: VecDeque<Dimensions>,
    /// Areas reached, with the value of their top-left cell.
    active: Vec<(Dimensions, CellValue)>,
    /// The next row not produced yet.
    next_row: u32,
}

impl MergeFiller {
    fn new(mut merged: Vec<Dimensions>) -> MergeFiller {
        merged.retain(|area| {
            let rows = u64::from(area.end.0.saturating_sub(area.start.0)) + 1;
            let columns = u64::from(area.end.1.saturating_sub(area.start.1)) + 1;
            rows * columns > 1 && rows * columns <= MAX_FILL_CELLS
        });
        merged.sort_by_key(|area| area.start);
        MergeFiller {
            waiting: merged.into(),
            active: Vec::new(),
            next_row: 0,
        }
    }

    /// Produces the rows before `row` that only merged areas fill, then `row`, filled.
    fn process(
        &mut self,
        row: SheetRow,
        emit: &mut impl FnMut(SheetRow) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        self.fill_gap(row.row, emit)?;
        let filled = self.fill(row);
        self.next_row = filled.row + 1;
        emit(filled)
    }

    /// Produces the rows after the last one that merged areas still cover.
    fn finish(&mut self, emit: &mut impl FnMut(SheetRow) -> Result<(), Stop>) -> Result<(), Stop> {
        let end = self
            .active
            .iter()
            .map(|(area, _)| area.end.0.saturating_add(1))
            .max()
            .unwrap_or(0);
        self.fill_gap(end, emit)
    }

    fn fill_gap(
        &mut self,
        until: u32,
        emit: &mut impl FnMut(SheetRow) -> Result<(), Stop>,
    ) -> Result<(), Stop> {
        while self.next_row < until {
            self.retire(self.next_row);
            let Some(covered_until) = self.active.iter().map(|(area, _)| area.end.0).max() else {
                // Nothing fills the gap: jump over it.
                self.next_row = until;
                break;
            };
            if covered_until < self.next_row {
                self.next_row = until;
                break;
            }
            let row = self.fill(SheetRow {
                row: self.next_row,
                cells: Vec::new(),
            });
            self.next_row += 1;
            if !row.cells.is_empty() {
                emit(row)?;
            }
        }
        Ok(())
    }

    fn retire(&mut self, row: u32) {
        self.active.retain(|(area, _)| area.end.0 >= row);
    }

    fn fill(&mut self, mut row: SheetRow) -> SheetRow {
        self.retire(row.row);
        while self
            .waiting
            .front()
            .is_some_and(|area| area.start.0 <= row.row)
        {
            let Some(area) = self.waiting.pop_front() else {
                break;
            };
            // An area whose first row had no cells (or was passed) has nothing to fill with.
            if area.start.0 == row.row {
                let top_left = row
                    .cells
                    .iter()
                    .find(|(column, _)| *column == area.start.1)
                    .map(|(_, value)| value.clone());
                if let Some(value) = top_left {
                    self.active.push((area, value));
                }
            }
        }
        let mut added = false;
        for (area, value) in &self.active {
            if row.row < area.start.0 || row.row > area.end.0 {
                continue;
            }
            for column in area.start.1..=area.end.1 {
                if !row.cells.iter().any(|(c, _)| *c == column) {
                    row.cells.push((column, value.clone()));
                    added = true;
                }
            }
        }
        if added {
            row.cells.sort_by_key(|(column, _)| *column);
        }
        row
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_letters() {
        assert_eq!(format_number(1e7), "10000000");
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1234.5678), "1234.5678");
        assert_eq!(format_number(1e-7), "0.0000001");
        let date =
            calamine::ExcelDateTime::new(45_306.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&date), "2024-01-15");
        let datetime =
            calamine::ExcelDateTime::new(45_306.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(format_datetime(&datetime), "2024-01-15 12:00:00");
        let duration =
            calamine::ExcelDateTime::new(1.5, calamine::ExcelDateTimeType::TimeDelta, false);
        assert_eq!(format_datetime(&duration), "36:00:00");
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }
}
