//! The registry of source formats: one [`Format`] descriptor per format — its names, media
//! types, file extensions and decoder — in [`FORMATS`], which everything that names a format
//! reads: `FromStr`, [`SourceFormat::from_extension`], [`SourceFormat::from_content_type`],
//! [`super::decoder`], and in the hub the CLI's `--format` values and help, `POST /api/ingest`
//! (its `?format=`, `Content-Type` and 415 message), the OpenAPI description and the drop folder.
//!
//! Adding a format is a decoder file that declares its `Format` (as `csv.rs` declares
//! `csv::FORMAT`) plus one entry in [`FORMATS`].

use std::fmt;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::str::FromStr;

use super::options::DecodeOptions;
use super::source::ByteCounter;
use super::{RowDecoder, csv, json, parquet, xlsx};
use crate::error::Error;

/// Every format a source can be delivered in, in the order help texts list them.
pub static FORMATS: &[SourceFormat] = &[
    SourceFormat::CSV,
    SourceFormat::NDJSON,
    SourceFormat::JSON,
    SourceFormat::PARQUET,
    SourceFormat::XLSX,
];

/// What a format is called, how it is recognised and how it is decoded.
#[derive(Debug)]
pub struct Format {
    /// The name `--format` and `?format=` take, lower case (`csv`).
    pub name: &'static str,
    /// How messages name it (`CSV`).
    pub label: &'static str,
    /// Other names accepted for it (`tsv`), lower case.
    pub other_names: &'static [&'static str],
    /// The media types (`Content-Type`) that mean it, lower case; the first is the one to send.
    pub media_types: &'static [&'static str],
    /// The file-name extensions that mean it, lower case, without the dot.
    pub extensions: &'static [&'static str],
    /// A phrase for the API description (`CSV (UTF-8, GBK or GB18030)`).
    pub summary: &'static str,
    /// True for text formats, which have an encoding.
    pub text: bool,
    /// How a decoder is opened.
    pub(crate) open: Open,
}

/// Opens a decoder that reads its source as it comes.
pub(crate) type OpenStream =
    fn(Box<dyn Read + Send>, &DecodeOptions) -> Result<Box<dyn RowDecoder>, Error>;

/// Opens a decoder on a file; the counter already holds the bytes read to get the file.
pub(crate) type OpenFile =
    fn(File, ByteCounter, &DecodeOptions) -> Result<Box<dyn RowDecoder>, Error>;

/// How a format's decoder is opened.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Open {
    /// Decoded as it is read, from any byte source.
    Stream(OpenStream),
    /// Needs random access: opened on a file (a source that is not one is spooled first).
    File(OpenFile),
}

/// A format of the registry: a handle on its [`Format`] descriptor.
#[derive(Clone, Copy)]
pub struct SourceFormat(&'static Format);

impl SourceFormat {
    /// Delimited text (comma, semicolon, tab or pipe), any of the supported encodings.
    pub const CSV: SourceFormat = SourceFormat(&csv::FORMAT);
    /// Newline-delimited JSON: one object per line.
    pub const NDJSON: SourceFormat = SourceFormat(&json::NDJSON_FORMAT);
    /// A top-level JSON array of objects, or one object (several concatenated objects are
    /// accepted too).
    pub const JSON: SourceFormat = SourceFormat(&json::JSON_FORMAT);
    /// Apache Parquet.
    pub const PARQUET: SourceFormat = SourceFormat(&parquet::FORMAT);
    /// An Excel 2007+ workbook.
    pub const XLSX: SourceFormat = SourceFormat(&xlsx::FORMAT);

    /// Returns every registered format.
    pub fn all() -> impl Iterator<Item = SourceFormat> {
        FORMATS.iter().copied()
    }

    /// Returns the format's descriptor.
    pub fn descriptor(self) -> &'static Format {
        self.0
    }

    /// Returns the lower-case name [`FromStr`] accepts.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// True for the formats that are text and so have an encoding.
    pub fn is_text(self) -> bool {
        self.0.text
    }

    /// Returns the media type to send a body of this format as.
    pub fn media_type(self) -> &'static str {
        self.0
            .media_types
            .first()
            .copied()
            .unwrap_or("application/octet-stream")
    }

    pub(crate) fn opener(self) -> Open {
        self.0.open
    }

    /// Returns every name [`FromStr`] accepts (each format's name, then its other names), for
    /// a command line's list of values.
    pub fn accepted_names() -> impl Iterator<Item = &'static str> {
        Self::all().flat_map(|format| {
            std::iter::once(format.0.name).chain(format.0.other_names.iter().copied())
        })
    }

    /// Returns the formats' names, comma-separated (`csv, ndjson, …`), for messages.
    pub fn names_list() -> String {
        Self::all()
            .map(SourceFormat::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Returns the file extensions that name a format, for messages:
    /// `.csv, .tsv, … or .xlsx`.
    pub fn extensions_list() -> String {
        or_list(
            Self::all()
                .flat_map(|format| format.0.extensions.iter())
                .map(|extension| format!(".{extension}")),
        )
    }

    /// Returns the media type to send each format as, for messages:
    /// `text/csv, application/x-ndjson, … or …`.
    pub fn media_types_list() -> String {
        or_list(Self::all().map(|format| format.media_type().to_string()))
    }

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
        let extension = extension.to_ascii_lowercase();
        Self::all().find(|format| format.0.extensions.contains(&extension.as_str()))
    }

    /// Guesses the format from an HTTP `Content-Type`, ignoring parameters such as `charset`.
    pub fn from_content_type(content_type: &str) -> Option<SourceFormat> {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        let media_type = media_type.to_ascii_lowercase();
        Self::all().find(|format| format.0.media_types.contains(&media_type.as_str()))
    }
}

/// Joins `a, b or c`.
fn or_list(items: impl Iterator<Item = String>) -> String {
    let mut items: Vec<String> = items.collect();
    let Some(last) = items.pop() else {
        return String::new();
    };
    if items.is_empty() {
        return last;
    }
    format!("{} or {last}", items.join(", "))
}

impl PartialEq for SourceFormat {
    fn eq(&self, other: &SourceFormat) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for SourceFormat {}

impl Hash for SourceFormat {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SourceFormat").field(&self.0.name).finish()
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.label)
    }
}

impl FromStr for SourceFormat {
    type Err = Error;

    fn from_str(text: &str) -> Result<SourceFormat, Error> {
        let name = text.trim().to_ascii_lowercase();
        SourceFormat::all()
            .find(|format| format.0.name == name || format.0.other_names.contains(&name.as_str()))
            .ok_or_else(|| Error::UnsupportedFormat {
                given: text.to_string(),
                supported: SourceFormat::names_list(),
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn formats_from_extensions_content_types_and_names() {
        assert_eq!(
            SourceFormat::from_extension("data/Energy.CSV"),
            Some(SourceFormat::CSV)
        );
        assert_eq!(
            SourceFormat::from_extension("a.tsv"),
            Some(SourceFormat::CSV)
        );
        assert_eq!(
            SourceFormat::from_extension("x.jsonl"),
            Some(SourceFormat::NDJSON)
        );
        assert_eq!(
            SourceFormat::from_extension("x.json"),
            Some(SourceFormat::JSON)
        );
        assert_eq!(
            SourceFormat::from_extension("C:\\exports\\book.XLSX"),
            Some(SourceFormat::XLSX)
        );
        assert_eq!(SourceFormat::from_extension("book.xls"), None);
        assert_eq!(SourceFormat::from_extension("dir.v2/file"), None);
        assert_eq!(SourceFormat::from_extension(".csv"), None);
        assert_eq!(
            SourceFormat::from_content_type("text/csv; charset=GBK"),
            Some(SourceFormat::CSV)
        );
        assert_eq!(
            SourceFormat::from_content_type("Application/JSON"),
            Some(SourceFormat::JSON)
        );
        assert_eq!(
            SourceFormat::from_content_type("application/jsonl"),
            Some(SourceFormat::NDJSON)
        );
        assert_eq!(
            SourceFormat::from_content_type("application/x-parquet"),
            Some(SourceFormat::PARQUET)
        );
        assert_eq!(
            SourceFormat::from_content_type(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            Some(SourceFormat::XLSX)
        );
        assert_eq!(SourceFormat::from_content_type("text/html"), None);
        assert_eq!(
            "Parquet".parse::<SourceFormat>().ok(),
            Some(SourceFormat::PARQUET)
        );
        assert_eq!(
            " TSV ".parse::<SourceFormat>().ok(),
            Some(SourceFormat::CSV)
        );
        let err = "xls".parse::<SourceFormat>().err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("'xls'") && err.contains("csv, ndjson, json, parquet, xlsx"));
    }

    #[test]
    fn lists_for_help_and_messages_come_from_the_registry() {
        assert_eq!(
            SourceFormat::accepted_names().collect::<Vec<_>>(),
            ["csv", "tsv", "ndjson", "jsonl", "json", "parquet", "xlsx"]
        );
        assert_eq!(
            SourceFormat::extensions_list(),
            ".csv, .tsv, .txt, .ndjson, .jsonl, .json, .parquet or .xlsx"
        );
        assert_eq!(
            SourceFormat::media_types_list(),
            "text/csv, application/x-ndjson, application/json, application/vnd.apache.parquet \
             or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(SourceFormat::XLSX.to_string(), "XLSX");
        assert!(SourceFormat::JSON.is_text() && !SourceFormat::PARQUET.is_text());
    }

    #[test]
    fn no_name_extension_or_media_type_means_two_formats() {
        let mut names = BTreeSet::new();
        let mut extensions = BTreeSet::new();
        let mut media_types = BTreeSet::new();
        for format in SourceFormat::all() {
            let descriptor = format.descriptor();
            assert!(!descriptor.media_types.is_empty(), "{format}");
            for name in std::iter::once(&descriptor.name).chain(descriptor.other_names) {
                assert_eq!(*name, name.to_ascii_lowercase());
                assert!(names.insert(*name), "name {name} is taken twice");
            }
            for extension in descriptor.extensions {
                assert_eq!(*extension, extension.to_ascii_lowercase());
                assert!(
                    extensions.insert(*extension),
                    "extension {extension} is taken twice"
                );
            }
            for media_type in descriptor.media_types {
                assert_eq!(*media_type, media_type.to_ascii_lowercase());
                assert!(
                    media_types.insert(*media_type),
                    "media type {media_type} is taken twice"
                );
            }
        }
    }
}
