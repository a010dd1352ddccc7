//! What the caller tells a decoder: the source format, its text encoding and layout hints.

use std::fmt;
use std::str::FromStr;

use super::formats::SourceFormat;
use crate::error::Error;

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
        DecodeOptions::new(SourceFormat::CSV)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
