//! What the caller tells a decoder: the source format, its text encoding and layout hints.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The formats a source can be delivered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Delimited text (comma, semicolon, tab or pipe), any of the supported encodings.
    Csv,
    /// Newline-delimited JSON: one object per line.
    Ndjson,
    /// A top-level JSON array of objects, or one object (several concatenated objects are
    /// accepted too).
    Json,
    /// Apache Parquet.
    Parquet,
    /// An Excel 2007+ workbook.
    Xlsx,
}

/// The names [`SourceFormat::from_str`] accepts, for error messages.
const FORMAT_NAMES: &str = "csv, ndjson, json, parquet, xlsx";

impl SourceFormat {
    /// Guesses the format from a file name's extension (case-insensitive): `.csv`, `.tsv`,
    /// `.txt`, `.ndjson`, `.jsonl`, `.json`, `.parquet`, `.xlsx`.
    pub fn from_extension(path: &str) -> Option<SourceFormat> {
        // Only the last path component counts: "exports.v2/data" has no extension.
        let file_name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let (stem, extension) = file_name.rsplit_once('.')?;
        if stem.is_empty() {
            // ".csv" alone is a hidden file's name, not an extension.
            return None;
        }
        match extension.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(SourceFormat::Csv),
            "ndjson" | "jsonl" => Some(SourceFormat::Ndjson),
            "json" => Some(SourceFormat::Json),
            "parquet" => Some(SourceFormat::Parquet),
            "xlsx" => Some(SourceFormat::Xlsx),
            _ => None,
        }
    }

    /// Guesses the format from an HTTP `Content-Type`, ignoring parameters such as `charset`.
    pub fn from_content_type(content_type: &str) -> Option<SourceFormat> {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        match media_type.to_ascii_lowercase().as_str() {
            "text/csv" | "text/tab-separated-values" | "application/csv" => Some(SourceFormat::Csv),
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines"
            | "application/jsonlines" => Some(SourceFormat::Ndjson),
            "application/json" | "text/json" => Some(SourceFormat::Json),
            "application/vnd.apache.parquet" | "application/x-parquet" => {
                Some(SourceFormat::Parquet)
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(SourceFormat::Xlsx)
            }
            _ => None,
        }
    }

    /// Returns the lower-case name [`FromStr`] accepts.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Csv => "csv",
            SourceFormat::Ndjson => "ndjson",
            SourceFormat::Json => "json",
            SourceFormat::Parquet => "parquet",
            SourceFormat::Xlsx => "xlsx",
        }
    }

    /// True for the formats that are text and so have an encoding.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SourceFormat::Csv | SourceFormat::Ndjson | SourceFormat::Json
        )
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceFormat::Csv => "CSV",
            SourceFormat::Ndjson => "NDJSON",
            SourceFormat::Json => "JSON",
            SourceFormat::Parquet => "Parquet",
            SourceFormat::Xlsx => "XLSX",
        })
    }
}

impl FromStr for SourceFormat {
    type Err = Error;

    fn from_str(text: &str) -> Result<SourceFormat, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Ok(SourceFormat::Csv),
            "ndjson" | "jsonl" => Ok(SourceFormat::Ndjson),
            "json" => Ok(SourceFormat::Json),
            "parquet" => Ok(SourceFormat::Parquet),
            "xlsx" => Ok(SourceFormat::Xlsx),
            _ => Err(Error::UnsupportedFormat {
                given: text.to_string(),
                supported: FORMAT_NAMES.to_string(),
            }),
        }
    }
}

/// The text encodings a text source can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// GBK (Windows code page 936), what Chinese-locale Excel writes as "CSV".
    Gbk,
    /// GB 18030, a superset of GBK that covers all of Unicode.
    Gb18030,
}

/// The names [`TextEncoding::from_str`] accepts, for error messages.
const ENCODING_NAMES: &str = "utf-8, gbk, gb18030";

impl TextEncoding {
    /// Returns the `encoding_rs` codec of this encoding.
    pub(crate) fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gbk => encoding_rs::GBK,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
            TextEncoding::Gb18030 => "GB18030",
        })
    }
}

impl FromStr for TextEncoding {
    type Err = Error;

    fn from_str(text: &str) -> Result<TextEncoding, Error> {
        match text.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            // GB 2312 and code page 936 are GBK's subset and Windows name; people use them
            // interchangeably when asked for "the Chinese encoding".
            "gbk" | "gb2312" | "cp936" => Ok(TextEncoding::Gbk),
            "gb18030" => Ok(TextEncoding::Gb18030),
            _ => Err(Error::UnsupportedEncoding {
                given: text.to_string(),
                supported: ENCODING_NAMES.to_string(),
            }),
        }
    }
}

/// The default number of rows per batch.
pub const DEFAULT_BATCH_ROWS: usize = 8192;

/// The default longest record a decoder accepts (64 MiB): it bounds the memory one row may take.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// How to decode a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The source's format.
    pub format: SourceFormat,
    /// The text encoding of CSV and JSON sources; `None` detects it (a UTF-8 byte-order mark,
    /// else UTF-8 when the first 64 KiB of non-ASCII text is valid UTF-8, else GB18030, which
    /// reads GBK too).
    pub encoding: Option<TextEncoding>,
    /// The CSV delimiter; `None` detects it from the header line among `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// The XLSX sheet to read; `None` reads the first sheet.
    pub sheet: Option<String>,
    /// Rows per batch (default 8192; 0 is read as 1).
    pub batch_rows: usize,
    /// The contract's column names and aliases: used to find the header row below title rows
    /// in CSV and XLSX sources. Empty: the first non-empty row is the header.
    pub known_headers: Vec<String>,
    /// The longest record (CSV record, JSON element or line) accepted, in bytes of UTF-8
    /// text; longer ones are refused so that one row cannot exhaust memory.
    pub max_record_bytes: usize,
}

impl DecodeOptions {
    /// Returns the default options for `format`.
    pub fn new(format: SourceFormat) -> DecodeOptions {
        DecodeOptions {
            format,
            encoding: None,
            delimiter: None,
            sheet: None,
            batch_rows: DEFAULT_BATCH_ROWS,
            known_headers: Vec::new(),
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }

    /// The batch size to use: never zero.
    pub(crate) fn rows_per_batch(&self) -> usize {
        self.batch_rows.max(1)
    }

    /// True when `header` names one of the known headers (ignoring case and surrounding
    /// blanks, as [`crate::ColumnContract::is_named`] does).
    pub(crate) fn is_known_header(&self, header: &str) -> bool {
        let header = header.trim();
        !header.is_empty()
            && self
                .known_headers
                .iter()
                .any(|known| known.trim().eq_ignore_ascii_case(header))
    }
}

impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions::new(SourceFormat::Csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_extensions_content_types_and_names() {
        assert_eq!(
            SourceFormat::from_extension("data/Energy.CSV"),
            Some(SourceFormat::Csv)
        );
        assert_eq!(
            SourceFormat::from_extension("a.tsv"),
            Some(SourceFormat::Csv)
        );
        assert_eq!(
            SourceFormat::from_extension("x.jsonl"),
            Some(SourceFormat::Ndjson)
        );
        assert_eq!(
            SourceFormat::from_extension("x.json"),
            Some(SourceFormat::Json)
        );
        assert_eq!(
            SourceFormat::from_extension("C:\\exports\\book.XLSX"),
            Some(SourceFormat::Xlsx)
        );
        assert_eq!(SourceFormat::from_extension("book.xls"), None);
        assert_eq!(SourceFormat::from_extension("dir.v2/file"), None);
        assert_eq!(
            SourceFormat::from_content_type("text/csv; charset=GBK"),
            Some(SourceFormat::Csv)
        );
        assert_eq!(
            SourceFormat::from_content_type("Application/JSON"),
            Some(SourceFormat::Json)
        );
        assert_eq!(
            SourceFormat::from_content_type("application/jsonl"),
            Some(SourceFormat::Ndjson)
        );
        assert_eq!(
            SourceFormat::from_content_type("application/x-parquet"),
            Some(SourceFormat::Parquet)
        );
        assert_eq!(
            SourceFormat::from_content_type(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            Some(SourceFormat::Xlsx)
        );
        assert_eq!(SourceFormat::from_content_type("text/html"), None);
        assert_eq!(
            "Parquet".parse::<SourceFormat>().ok(),
            Some(SourceFormat::Parquet)
        );
        let err = "xls".parse::<SourceFormat>().err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("'xls'") && err.contains("csv, ndjson, json, parquet, xlsx"));
    }

    #[test]
    fn encodings_from_names() {
        assert_eq!(
            "UTF-8".parse::<TextEncoding>().ok(),
            Some(TextEncoding::Utf8)
        );
        assert_eq!(
            "utf8".parse::<TextEncoding>().ok(),
            Some(TextEncoding::Utf8)
        );
        assert_eq!("GBK".parse::<TextEncoding>().ok(), Some(TextEncoding::Gbk));
        assert_eq!(
            "gb18030".parse::<TextEncoding>().ok(),
            Some(TextEncoding::Gb18030)
        );
        let err = "latin1"
            .parse::<TextEncoding>()
            .err()
            .map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("utf-8, gbk, gb18030"));
    }
}
