//! Tests of the decoders through the public API.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::{Cursor, Read, Write};
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt64Type};
use datafusion::arrow::record_batch::RecordBatch;

use super::*;

fn options(format: SourceFormat) -> DecodeOptions {
    DecodeOptions::new(format)
}

fn decode(bytes: impl Into<Vec<u8>>, options: &DecodeOptions) -> (SchemaRef, Vec<RecordBatch>) {
    let mut rows = decoder(Box::new(Cursor::new(bytes.into())), options).unwrap();
    let schema = rows.schema();
    let batches: Vec<RecordBatch> = rows.by_ref().map(|b| b.unwrap()).collect();
    for batch in &batches {
        assert_eq!(
            batch.schema(),
            schema,
            "every batch has the decoder's schema"
        );
    }
    (schema, batches)
}

fn names(schema: &SchemaRef) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

fn text(batches: &[RecordBatch], column: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|batch| {
            let array = batch.column_by_name(column).unwrap().as_string::<i32>();
            array
                .iter()
                .map(|v| v.map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn source_rows(batches: &[RecordBatch]) -> Vec<u64> {
    batches
        .iter()
        .flat_map(|batch| {
            batch
                .column_by_name(SOURCE_ROW_COLUMN)
                .unwrap()
                .as_primitive::<UInt64Type>()
                .values()
                .to_vec()
        })
        .collect()
}

fn s(value: &str) -> Option<String> {
    Some(value.to_string())
}

// ---------------------------------------------------------------------------------------
// CSV

const ENERGY_CSV: &str = "统一社会信用代码,计量表编号,能耗值,单位\n\
                          91310000MA1FL0001X,M-01,123.5,kWh\n\
                          91310000MA1FL0002X,M-02,88,吨\n";

#[test]
fn csv_gbk_with_chinese_headers_detected_and_declared() {
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(ENERGY_CSV);
    assert!(!had_errors);
    let gbk = gbk.into_owned();
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the test input really is GBK"
    );

    for encoding in [None, Some(TextEncoding::Gbk), Some(TextEncoding::Gb18030)] {
        let options = DecodeOptions {
            encoding,
            ..options(SourceFormat::CSV)
        };
        let (schema, batches) = decode(gbk.clone(), &options);
        assert_eq!(
            names(&schema),
            [
                "统一社会信用代码",
                "计量表编号",
                "能耗值",
                "单位",
                ROW_ERROR_COLUMN,
                SOURCE_ROW_COLUMN
            ]
        );
        assert_eq!(text(&batches, "单位"), [s("kWh"), s("吨")]);
        assert_eq!(text(&batches, "能耗值"), [s("123.5"), s("88")]);
        assert_eq!(source_rows(&batches), [2, 3]);
        assert_eq!(text(&batches, ROW_ERROR_COLUMN), [None, None]);
    }
}

#[test]
fn csv_utf8_bom_is_stripped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(ENERGY_CSV.as_bytes());
    let (schema, batches) = decode(bytes, &options(SourceFormat::CSV));
    assert_eq!(schema.field(0).name(), "统一社会信用代码");
    assert_eq!(text(&batches, "计量表编号"), [s("M-01"), s("M-02")]);
}

#[test]
fn csv_semicolon_and_tab_delimiters_are_detected() {
    let semicolon = "uscc;name;value\nA;Alpha, Ltd;1,5\nB;Beta;2\n";
    let (schema, batches) = decode(semicolon, &options(SourceFormat::CSV));
    assert_eq!(&names(&schema)[..3], ["uscc", "name", "value"]);
    assert_eq!(text(&batches, "name"), [s("Alpha, Ltd"), s("Beta")]);
    assert_eq!(text(&batches, "value"), [s("1,5"), s("2")]);

    let tab = "uscc\tname\tvalue\nA\tAlpha; Ltd\t1\n";
    let (schema, batches) = decode(tab, &options(SourceFormat::CSV));
    assert_eq!(&names(&schema)[..3], ["uscc", "name", "value"]);
    assert_eq!(text(&batches, "name"), [s("Alpha; Ltd")]);

    let declared = DecodeOptions {
        delimiter: Some(b'|'),
        ..options(SourceFormat::CSV)
    };
    let (schema, _) = decode("a|b,c\n1|2\n", &declared);
    assert_eq!(&names(&schema)[..2], ["a", "b,c"]);
}

#[test]
fn csv_quoted_newlines_keep_source_rows() {
    let csv = "id,note,value\n\
               1,\"line one\nline two, with a comma\",10\n\
               2,plain,20\n\
               \n\
               3,\"say \"\"hi\"\"; then\n\nleave\",30\n\
               4,last,40\n";
    let (_, batches) = decode(csv, &options(SourceFormat::CSV));
    assert_eq!(text(&batches, "id"), [s("1"), s("2"), s("3"), s("4")]);
    assert_eq!(
        text(&batches, "note")[0].as_deref(),
        Some("line one\nline two, with a comma")
    );
    assert_eq!(
        text(&batches, "note")[2].as_deref(),
        Some("say \"hi\"; then\n\nleave")
    );
    // Row 2 spans lines 2-3, line 5 is blank, row 3 spans lines 6-8.
    assert_eq!(source_rows(&batches), [2, 4, 6, 9]);
    assert_eq!(
        text(&batches, "value"),
        [s("10"), s("20"), s("30"), s("40")]
    );
}

#[test]
fn csv_cut_inside_a_quoted_field_is_an_error_but_literal_quotes_are_not() {
    let cut = "id,note\n1,\"whole\"\n2,plain\n3,\"cut off, mid-\n";
    let mut rows = decoder(Box::new(Cursor::new(cut)), &options(SourceFormat::CSV)).unwrap();
    let results: Vec<_> = rows.by_ref().collect();
    let error = results
        .iter()
        .find_map(|result| result.as_ref().err())
        .expect("the cut source is an error");
    assert!(error.to_string().contains("quote"), "{error}");
    assert!(error.to_string().contains('4'), "names the row: {error}");

    // Quotes inside unquoted fields are literal, and an escaped quote closes nothing.
    let fine = "id,note\n1,12\" pipe\n2,\"say \"\"hi\"\"\"\n3,a\"b\"c";
    let (_, batches) = decode(fine, &options(SourceFormat::CSV));
    assert_eq!(
        text(&batches, "note"),
        [s("12\" pipe"), s("say \"hi\""), s("a\"b\"c")]
    );
}

#[test]
fn csv_crlf_blank_lines_and_a_last_line_without_newline() {
    let csv = "a,b\r\n1,\"x\r\ny\"\r\n\r\n\r\n2,z\r\n\r\n3,w";
    let (_, batches) = decode(csv, &options(SourceFormat::CSV));
    assert_eq!(source_rows(&batches), [2, 6, 8]);
    assert_eq!(text(&batches, "b"), [s("x\ny"), s("z"), s("w")]);

    let old_mac = "a,b\r1,x\r\r2,y\r";
    let (_, batches) = decode(old_mac, &options(SourceFormat::CSV));
    assert_eq!(source_rows(&batches), [2, 4]);
}

#[test]
fn csv_bytes_read_reaches_the_source_size() {
    let mut rows = decoder(
        Box::new(Cursor::new(ENERGY_CSV.as_bytes().to_vec())),
        &options(SourceFormat::CSV),
    )
    .unwrap();
    assert_eq!(rows.by_ref().count(), 1);
    assert_eq!(rows.bytes_read(), ENERGY_CSV.len() as u64);
}

#[test]
fn utf16_is_refused_with_a_reason() {
    let err = decoder(
        Box::new(Cursor::new(b"\xFF\xFEa\0,\0b\0".to_vec())),
        &options(SourceFormat::CSV),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("UTF-16"), "{err}");
}

#[test]
fn csv_ragged_rows_are_flagged_not_fatal() {
    let csv = "a,b,c,d,e\n\
               1,2,3,4,5\n\
               1,2,3,4,5,6,7\n\
               1,2,3\n\
               1,2,3,4,5,,\n\
               9,9,9,9,9\n";
    let (_, batches) = decode(csv, &options(SourceFormat::CSV));
    assert_eq!(source_rows(&batches), [2, 3, 4, 5, 6]);
    assert_eq!(
        text(&batches, ROW_ERROR_COLUMN),
        [
            None,
            s("row has 7 fields, header has 5"),
            s("row has 3 fields, header has 5"),
            None,
            None
        ]
    );
    assert_eq!(text(&batches, "e"), [s("5"), s("5"), None, s("5"), s("9")]);
    assert_eq!(text(&batches, "d"), [s("4"), s("4"), None, s("4"), s("9")]);
}

#[test]
fn csv_title_line_above_the_header_is_skipped_with_known_headers() {
    let csv = "2024年1月能耗统计表,,,\n\
               填报单位：某园区,,,\n\
               统一社会信用代码,计量表编号,能耗值,单位\n\
               91310000MA1FL0001X,M-01,1,kWh\n";
    let known: Vec<String> = ["uscc", "统一社会信用代码", "meter_id", "计量表编号", "单位"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let options = DecodeOptions {
        known_headers: known.clone(),
        ..options(SourceFormat::CSV)
    };
    let (schema, batches) = decode(csv, &options);
    assert_eq!(schema.field(0).name(), "统一社会信用代码");
    assert_eq!(source_rows(&batches), [4]);
    assert_eq!(text(&batches, "计量表编号"), [s("M-01")]);

    // Without known headers the first line is the header, as documented.
    let (schema, _) = decode(csv, &super::options::DecodeOptions::new(SourceFormat::CSV));
    assert_eq!(schema.field(0).name(), "2024年1月能耗统计表");

    // Known headers that match nothing: a clear error, not a table of garbage.
    let err = decoder(
        Box::new(Cursor::new(b"x,y\n1,2\n".to_vec())),
        &DecodeOptions {
            known_headers: known,
            ..DecodeOptions::new(SourceFormat::CSV)
        },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("[x, y]") && err.contains("统一社会信用代码"),
        "{err}"
    );
}

#[test]
fn csv_invalid_utf8_when_declared_names_where() {
    let mut bytes = b"name,value\nok,1\n".to_vec();
    bytes.extend_from_slice(b"bad\xC3\x28,2\n");
    let options = DecodeOptions {
        encoding: Some(TextEncoding::Utf8),
        ..options(SourceFormat::CSV)
    };
    let mut rows = decoder(Box::new(Cursor::new(bytes)), &options).unwrap();
    let mut errors = Vec::new();
    let mut good_rows = 0;
    for batch in rows.by_ref() {
        match batch {
            Ok(batch) => good_rows += batch.num_rows(),
            Err(e) => errors.push(e),
        }
    }
    assert_eq!(errors.len(), 1);
    let message = errors[0].to_string();
    assert!(
        matches!(
            errors[0],
            crate::Error::Encoding {
                offset: 19,
                line: 3,
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("byte offset 19") && message.contains("line 3"),
        "{message}"
    );
    assert!(message.contains("[c3]"), "{message}");

    // In the header: refused when the decoder is made.
    let err = decoder(Box::new(Cursor::new(b"\xFFname\n".to_vec())), &options)
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            crate::Error::Encoding {
                offset: 0,
                line: 1,
                ..
            }
        ),
        "{err}"
    );
    let _ = good_rows;
}

#[test]
fn csv_empty_and_header_only_give_no_batches() {
    for source in ["", "\n\n", ",,,\n\n", "a,b,c\n", "a,b,c"] {
        let (_, batches) = decode(source, &options(SourceFormat::CSV));
        assert!(batches.is_empty(), "{source:?}");
    }
}

#[test]
fn csv_duplicate_and_empty_headers_get_distinct_names() {
    let (schema, _) = decode(" a ,,a,b\n1,2,3,4\n", &options(SourceFormat::CSV));
    assert_eq!(&names(&schema)[..4], ["a", "column_2", "a_2", "b"]);
}

#[test]
fn csv_record_longer_than_the_limit_names_its_row() {
    // A quote that is never closed swallows the rest of the file: refused, not buffered.
    let mut csv = b"a,b\n1,2\n3,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 3 << 20));
    let options = DecodeOptions {
        max_record_bytes: 1 << 20,
        ..options(SourceFormat::CSV)
    };
    let results: Vec<_> = decoder(Box::new(Cursor::new(csv)), &options)
        .unwrap()
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().map(|b| b.num_rows()).ok(), Some(1));
    let err = results[1].as_ref().err().unwrap().to_string();
    assert!(
        err.contains("row 3") && err.contains("longer than 1 MiB"),
        "{err}"
    );
}

#[test]
fn batches_honour_batch_rows() {
    let mut csv = String::from("n\n");
    let mut ndjson = String::new();
    for i in 0..10 {
        csv.push_str(&format!("{i}\n"));
        ndjson.push_str(&format!("{{\"n\": {i}}}\n"));
    }
    for (format, source) in [(SourceFormat::CSV, csv), (SourceFormat::NDJSON, ndjson)] {
        let options = DecodeOptions {
            batch_rows: 3,
            ..options(format)
        };
        let (_, batches) = decode(source, &options);
        let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
        assert_eq!(sizes, [3, 3, 3, 1], "{format}");
    }
}

/// A CSV source generated as it is read: `rows` rows of about 100 bytes, never in memory.
struct GeneratedCsv {
    rows: u64,
    next: u64,
    pending: Vec<u8>,
    pos: usize,
}

impl Read for GeneratedCsv {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.pending.len() {
            self.pending.clear();
            self.pos = 0;
            if self.next == 0 {
                self.pending
                    .extend_from_slice("统一社会信用代码,企业名称,周期,产值,备注\n".as_bytes());
            }
            while self.pending.len() < 64 * 1024 && self.next < self.rows {
                let i = self.next;
                writeln!(
                    self.pending,
                    "91310000MA1F{i:06},企业{i},2024-{:02},{}.{:02},\"note, with comma {i}\"",
                    i % 12 + 1,
                    i * 7,
                    i % 100
                )?;
                self.next += 1;
            }
            if self.pending.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn large_streamed_csv_decodes_in_bounded_memory() {
    // About 200 MB of CSV that never exists as a whole: the decoder must stream it.
    let rows = 2_000_000;
    let source = GeneratedCsv {
        rows,
        next: 0,
        pending: Vec::new(),
        pos: 0,
    };
    let mut decoder = decoder(Box::new(source), &options(SourceFormat::CSV)).unwrap();
    let mut count = 0u64;
    let mut last_row = 0;
    for batch in decoder.by_ref() {
        let batch = batch.unwrap();
        assert!(batch.num_rows() <= DEFAULT_BATCH_ROWS);
        count += batch.num_rows() as u64;
        last_row = source_rows(std::slice::from_ref(&batch))
            .last()
            .copied()
            .unwrap_or(last_row);
    }
    assert_eq!(count, rows);
    assert_eq!(last_row, rows + 1);
    assert!(
        decoder.bytes_read() > 150_000_000,
        "{}",
        decoder.bytes_read()
    );
}

// ---------------------------------------------------------------------------------------
// JSON

#[test]
fn ndjson_nested_missing_and_malformed() {
    let ndjson = r#"{"uscc": "A", "meter": {"id": "M-01", "type": {"code": 3}}, "value": 1.50}
{"uscc": "B", "value": 1e3, "ok": true, "tags": [1, "x"]}

{"uscc": "C", "meter": {"id": "M-03"}, "value": 2, "note": null
[1, 2]
{"uscc": "D", "value": -0.0, "ok": false}
"#;
    let (schema, batches) = decode(ndjson, &options(SourceFormat::NDJSON));
    assert_eq!(
        names(&schema),
        [
            "uscc",
            "meter.id",
            "meter.type.code",
            "value",
            "ok",
            "tags",
            ROW_ERROR_COLUMN,
            SOURCE_ROW_COLUMN
        ]
    );
    assert_eq!(source_rows(&batches), [1, 2, 4, 5, 6]);
    assert_eq!(text(&batches, "uscc"), [s("A"), s("B"), None, None, s("D")]);
    assert_eq!(
        text(&batches, "meter.id"),
        [s("M-01"), None, None, None, None]
    );
    assert_eq!(
        text(&batches, "meter.type.code"),
        [s("3"), None, None, None, None]
    );
    // Numbers as written.
    assert_eq!(
        text(&batches, "value"),
        [s("1.50"), s("1e3"), None, None, s("-0.0")]
    );
    assert_eq!(
        text(&batches, "ok"),
        [None, s("true"), None, None, s("false")]
    );
    assert_eq!(text(&batches, "tags")[1].as_deref(), Some(r#"[1, "x"]"#));
    let errors = text(&batches, ROW_ERROR_COLUMN);
    assert_eq!(errors[0], None);
    assert_eq!(errors[1], None);
    let malformed = errors[2].clone().unwrap_or_default();
    assert!(
        malformed.starts_with("line 4: ") && malformed.contains("at column"),
        "{malformed}"
    );
    assert_eq!(
        errors[3].as_deref(),
        Some("line 5: expected a JSON object, found an array")
    );
    assert_eq!(errors[4], None);
}

#[test]
fn json_array_streams_elements() {
    let json = r#"[
  {"uscc": "A", "meter": {"id": "M-1"}, "value": 10},
  {"uscc": "B",
   "value": "二十"},
  "not an object",
  {"uscc": "D", "value": [1, {"a": "]"}]}
]
"#;
    let (schema, batches) = decode(json, &options(SourceFormat::JSON));
    assert_eq!(&names(&schema)[..3], ["uscc", "meter.id", "value"]);
    assert_eq!(source_rows(&batches), [1, 2, 3, 4]);
    assert_eq!(text(&batches, "uscc"), [s("A"), s("B"), None, s("D")]);
    assert_eq!(
        text(&batches, "value"),
        [s("10"), s("二十"), None, s(r#"[1, {"a": "]"}]"#)]
    );
    assert_eq!(
        text(&batches, ROW_ERROR_COLUMN)[2].as_deref(),
        Some("element 3 (line 5): expected a JSON object, found a string")
    );

    // One object is one row; several objects one after another are rows too.
    let (_, batches) = decode(r#"{"a": 1, "b": {"c": "x"}}"#, &options(SourceFormat::JSON));
    assert_eq!(source_rows(&batches), [1]);
    assert_eq!(text(&batches, "b.c"), [s("x")]);

    // A broken array is an error after the rows before it.
    let results: Vec<_> = decoder(
        Box::new(Cursor::new(br#"[{"a": 1} {"a": 2}]"#.to_vec())),
        &options(SourceFormat::JSON),
    )
    .unwrap()
    .collect();
    assert_eq!(results.len(), 2);
    let err = results[1].as_ref().err().unwrap().to_string();
    assert!(err.contains("expected ',' or ']' after element 1"), "{err}");
}

#[test]
fn ndjson_in_gbk_is_decoded() {
    let (gbk, _, _) = encoding_rs::GBK.encode("{\"企业名称\": \"某某公司\", \"产值\": 12.5}\n");
    let (schema, batches) = decode(gbk.into_owned(), &options(SourceFormat::NDJSON));
    assert_eq!(&names(&schema)[..2], ["企业名称", "产值"]);
    assert_eq!(text(&batches, "企业名称"), [s("某某公司")]);
}

#[test]
fn json_keys_after_the_first_batch() {
    let ndjson = "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3, \"late\": \"x\", \"note\": \"y\"}\n";
    let known = DecodeOptions {
        batch_rows: 2,
        known_headers: vec!["a".into(), "late".into()],
        ..options(SourceFormat::NDJSON)
    };
    let (schema, batches) = decode(ndjson, &known);
    assert_eq!(names(&schema), ["a", ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN]);
    assert_eq!(text(&batches, "a"), [s("1"), s("2"), s("3")]);
    let errors = text(&batches, ROW_ERROR_COLUMN);
    let late = errors[2].clone().unwrap_or_default();
    // A contract column that arrives late: flagged. An unknown key ("note"): dropped.
    assert!(
        late.contains("field 'late'") && !late.contains("note"),
        "{late}"
    );
    assert_eq!(errors[..2], [None, None]);
}

// ---------------------------------------------------------------------------------------
// Parquet

#[test]
fn parquet_round_trip_keeps_types_and_numbers_rows() {
    use datafusion::parquet::arrow::ArrowWriter;

    let schema = Arc::new(Schema::new(vec![
        Field::new("uscc", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
        Field::new("n", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["A", "B", "C", "D", "E"])),
            Arc::new(Float64Array::from(vec![
                Some(1.5),
                None,
                Some(3.0),
                Some(4.0),
                None,
            ])),
            Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5])),
        ],
    )
    .unwrap();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let size = bytes.len() as u64;

    let options = DecodeOptions {
        batch_rows: 2,
        ..options(SourceFormat::PARQUET)
    };
    let rows = decoder(Box::new(Cursor::new(bytes)), &options).unwrap();
    assert_eq!(rows.bytes_read(), size);
    let schema = rows.schema();
    assert_eq!(
        names(&schema),
        ["uscc", "value", "n", ROW_ERROR_COLUMN, SOURCE_ROW_COLUMN]
    );
    assert_eq!(schema.field(1).data_type(), &DataType::Float64);
    let batches: Vec<RecordBatch> = rows.map(|b| b.unwrap()).collect();
    assert_eq!(batches.len(), 3);
    assert_eq!(source_rows(&batches), [1, 2, 3, 4, 5]);
    assert_eq!(
        text(&batches, "uscc"),
        [s("A"), s("B"), s("C"), s("D"), s("E")]
    );
    assert_eq!(batches[0].column(3).null_count(), 2);

    let err = decoder(
        Box::new(Cursor::new(b"not parquet at all".to_vec())),
        &options,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(err.contains("not a readable Parquet file"), "{err}");
}

// ---------------------------------------------------------------------------------------
// XLSX

fn workbook_bytes() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("说明").unwrap();
    sheet
        .write_string(0, 0, "this sheet explains the data")
        .unwrap();

    let sheet = workbook.add_worksheet();
    sheet.set_name("能耗").unwrap();
    let plain = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    // Row 1: a title merged across the table; row 2: empty; row 3: the header.
    sheet
        .merge_range(0, 0, 0, 5, "2024年1月能耗统计表", &plain)
        .unwrap();
    for (column, header) in [
        "统一社会信用代码",
        "企业名称",
        "日期",
        "能耗值",
        "折标系数",
        "时间",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    // Rows 4-5: one enterprise, its name merged over both rows.
    sheet.write_string(3, 0, "91310000MA1FL0001X").unwrap();
    sheet.write_string(4, 0, "91310000MA1FL0001X").unwrap();
    sheet
        .merge_range(3, 1, 4, 1, "某某制造有限公司", &plain)
        .unwrap();
    sheet
        .write_datetime_with_format(3, 2, ExcelDateTime::from_ymd(2024, 1, 15).unwrap(), &date)
        .unwrap();
    sheet
        .write_datetime_with_format(
            4,
            2,
            ExcelDateTime::from_ymd(2024, 1, 16)
                .unwrap()
                .and_hms(8, 30, 0)
                .unwrap(),
            &datetime,
        )
        .unwrap();
    sheet.write_number(3, 3, 10_000_000.0).unwrap();
    sheet
        .write_formula(4, 3, Formula::new("=D4*0.5+0.1").set_result("5000000.1"))
        .unwrap();
    sheet.write_number(3, 4, 1.229).unwrap();
    sheet
        .write_formula(4, 4, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    sheet.write_boolean(3, 5, true).unwrap();
    // Row 6 empty, row 7 a third row; a note right of the table is not a column.
    sheet.write_string(6, 0, "91310000MA1FL0002X").unwrap();
    sheet.write_number(6, 3, 3.0).unwrap();
    sheet.write_string(6, 8, "note outside the table").unwrap();
    workbook.save_to_buffer().unwrap()
}

fn energy_headers() -> Vec<String> {
    ["uscc", "统一社会信用代码", "企业名称", "能耗值", "value"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn xlsx_title_merged_cells_formulas_dates_and_errors() {
    let options = DecodeOptions {
        sheet: Some("能耗".into()),
        known_headers: energy_headers(),
        ..options(SourceFormat::XLSX)
    };
    let (schema, batches) = decode(workbook_bytes(), &options);
    assert_eq!(
        names(&schema),
        [
            "统一社会信用代码",
            "企业名称",
            "日期",
            "能耗值",
            "折标系数",
            "时间",
            ROW_ERROR_COLUMN,
            SOURCE_ROW_COLUMN
        ]
    );
    assert_eq!(source_rows(&batches), [4, 5, 7]);
    assert_eq!(
        text(&batches, "企业名称"),
        [s("某某制造有限公司"), s("某某制造有限公司"), None]
    );
    assert_eq!(
        text(&batches, "日期"),
        [s("2024-01-15"), s("2024-01-16 08:30:00"), None]
    );
    assert_eq!(
        text(&batches, "能耗值"),
        [s("10000000"), s("5000000.1"), s("3")]
    );
    assert_eq!(text(&batches, "折标系数"), [s("1.229"), None, None]);
    assert_eq!(text(&batches, "时间"), [s("true"), None, None]);
    assert_eq!(
        text(&batches, ROW_ERROR_COLUMN),
        [None, s("cell E5 holds the error #DIV/0!"), None]
    );

    // The first sheet by default; an unknown sheet lists the sheets.
    let (schema, batches) = decode(
        workbook_bytes(),
        &super::options::DecodeOptions::new(SourceFormat::XLSX),
    );
    assert_eq!(schema.field(0).name(), "this sheet explains the data");
    assert!(batches.is_empty());
    let err = decoder(
        Box::new(Cursor::new(workbook_bytes())),
        &DecodeOptions {
            sheet: Some("Sheet9".into()),
            ..DecodeOptions::new(SourceFormat::XLSX)
        },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.contains("'Sheet9'") && err.contains("说明, 能耗"),
        "{err}"
    );
}

#[test]
fn xlsx_and_parquet_read_local_files_in_place() {
    let mut file = tempfile::tempfile().unwrap();
    let bytes = workbook_bytes();
    file.write_all(&bytes).unwrap();
    std::io::Seek::rewind(&mut file).unwrap();
    let options = DecodeOptions {
        known_headers: energy_headers(),
        sheet: Some(" 能耗 ".into()),
        ..options(SourceFormat::XLSX)
    };
    let mut rows = decoder_for_file(file, &options).unwrap();
    assert_eq!(rows.bytes_read(), bytes.len() as u64);
    assert_eq!(
        rows.by_ref().map(|b| b.unwrap().num_rows()).sum::<usize>(),
        3
    );
}

#[test]
fn xlsx_batches_honour_batch_rows() {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "n").unwrap();
    for i in 1..=10u32 {
        sheet.write_number(i, 0, f64::from(i)).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let options = DecodeOptions {
        batch_rows: 4,
        ..options(SourceFormat::XLSX)
    };
    let (_, batches) = decode(bytes, &options);
    let sizes: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(source_rows(&batches), (2..=11).collect::<Vec<u64>>());
}

#[test]
fn xlsx_not_a_zip_is_a_clear_error() {
    let err = decoder(
        Box::new(Cursor::new(b"uscc,name\n1,2\n".to_vec())),
        &options(SourceFormat::XLSX),
    )
    .err()
    .unwrap()
    .to_string();
    assert_eq!(err, "XLSX source: not an XLSX file (not a zip archive)");
}

#[test]
fn xlsx_zip_bomb_is_refused() {
    use zip::write::SimpleFileOptions;

    // One entry of 200 MB of zeros, streamed into the writer: ~200 KB compressed.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let entry = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true);
    zip.start_file("xl/worksheets/sheet1.xml", entry).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&zeros).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 10 << 20, "{}", bytes.len());

    let err = decoder(Box::new(Cursor::new(bytes)), &options(SourceFormat::XLSX))
        .err()
        .unwrap();
    assert!(matches!(err, crate::Error::ArchiveTooLarge { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("xl/worksheets/sheet1.xml") && message.contains("zip bomb"),
        "{message}"
    );
}
