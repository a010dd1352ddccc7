//! The Postgres functions client libraries call while they inspect a server, beyond those
//! `datafusion-pg-catalog` provides.
//!
//! Some answer for the whole server (`like_escape`, `to_regtype`, `pg_size_pretty`, …), others
//! for one principal's catalog ([`CatalogFunctions`]: the table and column comments of
//! `obj_description` / `col_description`, the primary keys of `pg_get_indexdef` /
//! `pg_get_constraintdef`, the user of `current_user`). They are pure lookups: none reads the
//! lake, so none can reveal more than the principal's `pg_catalog` already shows.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray as _, BooleanBuilder, Int32Builder, Int64Array, ListBuilder,
    StringArray, StringBuilder, StructArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Int64Type};
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::scalar::ScalarValue;

/// How an argument is passed to a function body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Argument {
    /// Any integer (an oid, a column number), as `Int64`.
    Integer,
    /// Text, as `Utf8`.
    Text,
    /// A boolean.
    Boolean,
    /// Whatever the caller passes.
    Any,
}

/// The body of a function: the arguments (one array each, of the rows' length) to the
/// answer.
type Body = dyn Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync;

/// A scalar function with a fixed set of accepted argument lists.
struct WireFunction {
    name: &'static str,
    /// The accepted argument lists (by count); `None` accepts any count of `Any`.
    arguments: Option<Vec<Vec<Argument>>>,
    returns: DataType,
    signature: Signature,
    body: Arc<Body>,
}

impl std::fmt::Debug for WireFunction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("WireFunction")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PartialEq for WireFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.body, &other.body)
    }
}

impl Eq for WireFunction {}

impl std::hash::Hash for WireFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for WireFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.returns.clone())
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let Some(accepted) = &self.arguments else {
            return Ok(arg_types.to_vec());
        };
        let Some(kinds) = accepted.iter().find(|kinds| kinds.len() == arg_types.len()) else {
            let counts: Vec<String> = accepted
                .iter()
                .map(|kinds| kinds.len().to_string())
                .collect();
            return Err(DataFusionError::Plan(format!(
                "function {}() takes {} argument(s), not {}",
                self.name,
                counts.join(" or "),
                arg_types.len()
            )));
        };
        kinds
            .iter()
            .zip(arg_types)
            .map(|(kind, given)| match kind {
                Argument::Integer if given.is_integer() || given.is_null() || is_text(given) => {
                    Ok(DataType::Int64)
                }
                Argument::Text => Ok(DataType::Utf8),
                Argument::Boolean => Ok(DataType::Boolean),
                Argument::Any => Ok(given.clone()),
                Argument::Integer => Err(DataFusionError::Plan(format!(
                    "function {}() takes an integer (an oid), not {given}",
                    self.name
                ))),
            })
            .collect()
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let answer = if arrays.is_empty() {
            // A function without arguments answers one value per row.
            let rows: ArrayRef = Arc::new(Int64Array::from(vec![0_i64; args.number_rows]));
            (self.body)(&[rows])?
        } else {
            (self.body)(&arrays)?
        };
        Ok(ColumnarValue::Array(answer))
    }
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn function(
    name: &'static str,
    arguments: Option<Vec<Vec<Argument>>>,
    returns: DataType,
    body: impl Fn(&[ArrayRef]) -> Result<ArrayRef> + Send + Sync + 'static,
) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::new_from_impl(WireFunction {
        name,
        arguments,
        returns,
        signature: Signature::user_defined(Volatility::Stable),
        body: Arc::new(body),
    }))
}

/// The rows' count of a function's first argument.
fn rows(arrays: &[ArrayRef]) -> usize {
    arrays.first().map_or(1, |array| array.len())
}

fn integers(array: &ArrayRef) -> impl Iterator<Item = Option<i64>> + '_ {
    array.as_primitive::<Int64Type>().iter()
}

fn texts(array: &ArrayRef) -> impl Iterator<Item = Option<&str>> + '_ {
    array.as_string::<i32>().iter()
}

fn all_null_text(rows: usize) -> ArrayRef {
    Arc::new(StringArray::new_null(rows))
}

/// The functions that answer the same for every principal.
pub(crate) fn server_functions(type_oids: HashMap<String, i32>) -> Vec<Arc<ScalarUDF>> {
    use Argument::{Any, Boolean, Integer, Text};
    let type_oids = Arc::new(type_oids);
    vec![
        // `x LIKE p ESCAPE '/'` reaches DataFusion as `x LIKE like_escape(p, '/')` (compat.rs).
        function(
            "like_escape",
            Some(vec![vec![Text, Text]]),
            DataType::Utf8,
            |arrays| {
                let mut answer = StringBuilder::new();
                for (pattern, escape) in texts(&arrays[0]).zip(texts(&arrays[1])) {
                    match (pattern, escape) {
                        (Some(pattern), Some(escape)) => {
                            answer.append_value(like_escape(pattern, escape)?);
                        }
                        _ => answer.append_null(),
                    }
                }
                Ok(Arc::new(answer.finish()))
            },
        ),
        function(
            "to_regtype",
            Some(vec![vec![Text]]),
            DataType::Int32,
            move |arrays| {
                let mut answer = Int32Builder::new();
                for name in texts(&arrays[0]) {
                    answer.append_option(name.and_then(|name| type_oid(&type_oids, name)));
                }
                Ok(Arc::new(answer.finish()))
            },
        ),
        // No column is a serial: there are no sequences.
        function(
            "pg_get_serial_sequence",
            Some(vec![vec![Text, Text]]),
            DataType::Utf8,
            |arrays| Ok(all_null_text(rows(arrays))),
        ),
        function(
            "pg_collation_is_visible",
            Some(vec![vec![Integer]]),
            DataType::Boolean,
            |arrays| {
                let mut answer = BooleanBuilder::new();
                answer.append_n(rows(arrays), true);
                Ok(Arc::new(answer.finish()))
            },
        ),
        function(
            "pg_size_pretty",
            Some(vec![vec![Integer]]),
            DataType::Utf8,
            |arrays| {
                let mut answer = StringBuilder::new();
                for bytes in integers(&arrays[0]) {
                    answer.append_option(bytes.map(size_pretty));
                }
                Ok(Arc::new(answer.finish()))
            },
        ),
        // Sizes on disk are the lake's (Delta files), not a heap's: unknown here.
        function(
            "pg_table_size",
            Some(vec![vec![Integer]]),
            DataType::Int64,
            |arrays| Ok(Arc::new(Int64Array::new_null(rows(arrays)))),
        ),
        function(
            "pg_indexes_size",
            Some(vec![vec![Integer]]),
            DataType::Int64,
            |arrays| Ok(Arc::new(Int64Array::new_null(rows(arrays)))),
        ),
        function(
            "_pg_expandarray",
            Some(vec![vec![Any]]),
            expanded_array_type(),
            |arrays| expand_arrays(&arrays[0]),
        ),
        function("json_build_object", None, DataType::Utf8, json_build_object),
        function(
            "current_schema",
            Some(vec![vec![]]),
            DataType::Utf8,
            |arrays| {
                let rows = rows(arrays);
                Ok(Arc::new(StringArray::from(vec![
                    parkhub_queries::engine::SCHEMA_NAME;
                    rows
                ])))
            },
        ),
        function(
            "current_schemas",
            Some(vec![vec![Boolean]]),
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            |arrays| {
                let mut answer = ListBuilder::new(StringBuilder::new());
                for implicit in arrays[0].as_boolean().iter() {
                    if implicit == Some(true) {
                        answer.values().append_value(crate::catalog::PG_CATALOG);
                    }
                    answer
                        .values()
                        .append_value(parkhub_queries::engine::SCHEMA_NAME);
                    answer.append(true);
                }
                Ok(Arc::new(answer.finish()))
            },
        ),
    ]
}

/// Postgres's `like_escape`: `pattern` with `escape` as its escape character rewritten to use
/// the backslash (an empty `escape` means none: backslashes are then literal).
pub(crate) fn like_escape(pattern: &str, escape: &str) -> Result<String> {
    let mut escape_chars = escape.chars();
    let escape_char = escape_chars.next();
    if escape_chars.next().is_some() {
        return Err(DataFusionError::Execution(format!(
            "invalid escape string '{escape}': it must be empty or one character"
        )));
    }
    if escape_char == Some('\\') {
        return Ok(pattern.to_string());
    }
    let mut rewritten = String::with_capacity(pattern.len() + 4);
    let mut characters = pattern.chars();
    while let Some(character) = characters.next() {
        if Some(character) == escape_char {
            match characters.next() {
                Some(escaped) => {
                    rewritten.push('\\');
                    rewritten.push(escaped);
                }
                None => {
                    return Err(DataFusionError::Execution(
                        "LIKE pattern must not end with escape character".to_string(),
                    ));
                }
            }
        } else if character == '\\' {
            rewritten.push_str("\\\\");
        } else {
            rewritten.push(character);
        }
    }
    Ok(rewritten)
}

/// The oid of a type named as Postgres accepts it (`int4`, `integer`, `pg_catalog.text`,
/// `character varying`, `int8[]`); `None` for a type that does not exist (`hstore`).
fn type_oid(type_oids: &HashMap<String, i32>, name: &str) -> Option<i32> {
    let name = name.trim().trim_matches('"').to_lowercase();
    let name = name.strip_prefix("pg_catalog.").unwrap_or(&name);
    if let Some(element) = name.strip_suffix("[]") {
        return type_oid(type_oids, element)
            .and_then(|oid| type_oids.get(&format!("[]{oid}")).copied());
    }
    let canonical = match name {
        "integer" | "int" => "int4",
        "smallint" => "int2",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" | "float" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" | "char" => "bpchar",
        "decimal" => "numeric",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "time with time zone" => "timetz",
        other => other,
    };
    type_oids.get(canonical).copied()
}

/// Postgres's `pg_size_pretty`: bytes up to 10239, then kB, MB, GB, TB, PB, each while under
/// 10240 of its unit, halves rounded away from zero.
fn size_pretty(bytes: i64) -> String {
    const LIMIT: i64 = 10 * 1024;
    if bytes.abs() < LIMIT {
        return format!("{bytes} bytes");
    }
    let half_rounded = |value: i64| (value + value.signum()) / 2;
    // One bit more than the unit, for the rounding.
    let mut size = bytes >> 9;
    let units = ["kB", "MB", "GB", "TB", "PB"];
    for (index, unit) in units.iter().enumerate() {
        if size.abs() < LIMIT * 2 - 1 || index == units.len() - 1 {
            return format!("{} {unit}", half_rounded(size));
        }
        size >>= 10;
    }
    format!("{bytes} bytes")
}

fn expanded_array_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(expanded_fields()),
        true,
    )))
}

fn expanded_fields() -> Fields {
    Fields::from(vec![
        Field::new("x", DataType::Int32, true),
        Field::new("n", DataType::Int32, true),
    ])
}

/// `information_schema._pg_expandarray(array)`: the elements with their positions, as a list
/// of `(x, n)` structs (the wire unnests it, see compat.rs).
fn expand_arrays(arrays: &ArrayRef) -> Result<ArrayRef> {
    let fields = expanded_fields();
    let mut answer = ListBuilder::new(datafusion::arrow::array::StructBuilder::from_fields(
        fields.clone(),
        0,
    ))
    .with_field(Arc::new(Field::new("item", DataType::Struct(fields), true)));
    let lists = match arrays.data_type() {
        DataType::List(_) => arrays.as_list::<i32>().clone(),
        DataType::Null => {
            for _ in 0..arrays.len() {
                answer.append(false);
            }
            return Ok(Arc::new(answer.finish()));
        }
        other => {
            return Err(DataFusionError::Plan(format!(
                "_pg_expandarray() takes an array, not {other}"
            )));
        }
    };
    for list in lists.iter() {
        let Some(list) = list else {
            answer.append(false);
            continue;
        };
        let values = datafusion::arrow::compute::cast(&list, &DataType::Int32)?;
        let values = values.as_primitive::<datafusion::arrow::datatypes::Int32Type>();
        for (position, value) in values.iter().enumerate() {
            let builder = answer.values();
            builder
                .field_builder::<Int32Builder>(0)
                .ok_or_else(|| DataFusionError::Internal("x builder".into()))?
                .append_option(value);
            builder
                .field_builder::<Int32Builder>(1)
                .ok_or_else(|| DataFusionError::Internal("n builder".into()))?
                .append_value(i32::try_from(position + 1).unwrap_or(i32::MAX));
            builder.append(true);
        }
        answer.append(true);
    }
    let built = answer.finish();
    debug_assert!(
        built
            .values()
            .as_any()
            .downcast_ref::<StructArray>()
            .is_some()
    );
    Ok(Arc::new(built))
}

/// `json_build_object(key, value, …)` as JSON text.
fn json_build_object(arrays: &[ArrayRef]) -> Result<ArrayRef> {
    if !arrays.len().is_multiple_of(2) {
        return Err(DataFusionError::Plan(
            "json_build_object() takes an even number of arguments (keys and values)".into(),
        ));
    }
    let rows = rows(arrays);
    let mut answer = StringBuilder::new();
    for row in 0..rows {
        let mut object = serde_json::Map::new();
        for pair in arrays.chunks(2) {
            let key = ScalarValue::try_from_array(&pair[0], row)?;
            let value = ScalarValue::try_from_array(&pair[1], row)?;
            object.insert(scalar_text(&key), scalar_json(&value));
        }
        answer.append_value(serde_json::Value::Object(object).to_string());
    }
    Ok(Arc::new(answer.finish()))
}

fn scalar_text(value: &ScalarValue) -> String {
    match value {
        ScalarValue::Utf8(Some(text))
        | ScalarValue::LargeUtf8(Some(text))
        | ScalarValue::Utf8View(Some(text)) => text.clone(),
        other => other.to_string(),
    }
}

fn scalar_json(value: &ScalarValue) -> serde_json::Value {
    if value.is_null() {
        return serde_json::Value::Null;
    }
    match value {
        ScalarValue::Boolean(Some(flag)) => serde_json::Value::Bool(*flag),
        ScalarValue::Int8(_)
        | ScalarValue::Int16(_)
        | ScalarValue::Int32(_)
        | ScalarValue::Int64(_)
        | ScalarValue::UInt8(_)
        | ScalarValue::UInt16(_)
        | ScalarValue::UInt32(_)
        | ScalarValue::UInt64(_)
        | ScalarValue::Float32(_)
        | ScalarValue::Float64(_) => value.to_string().parse::<serde_json::Number>().map_or_else(
            |_| serde_json::Value::String(value.to_string()),
            serde_json::Value::Number,
        ),
        other => serde_json::Value::String(scalar_text(other)),
    }
}

/// A primary key as `pg_catalog` shows it: its index and its constraint.
#[derive(Debug, Clone)]
pub(crate) struct PrimaryKey {
    /// The table's schema and name.
    pub(crate) schema: String,
    pub(crate) table: String,
    /// The index and constraint name, `<table>_pkey`.
    pub(crate) name: String,
    /// The key columns, in order.
    pub(crate) columns: Vec<String>,
}

impl PrimaryKey {
    fn index_definition(&self) -> String {
        format!(
            "CREATE UNIQUE INDEX {} ON {}.{} USING btree ({})",
            quote_identifier(&self.name),
            quote_identifier(&self.schema),
            quote_identifier(&self.table),
            self.quoted_columns()
        )
    }

    fn constraint_definition(&self) -> String {
        format!("PRIMARY KEY ({})", self.quoted_columns())
    }

    fn quoted_columns(&self) -> String {
        self.columns
            .iter()
            .map(|column| quote_identifier(column))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An identifier as Postgres prints it: bare when it is lower case letters, digits and
/// underscores, double-quoted otherwise.
pub(crate) fn quote_identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        let mut quoted = String::from("\"");
        for character in name.chars() {
            if character == '"' {
                quoted.push('"');
            }
            quoted.push(character);
        }
        quoted.push('"');
        quoted
    }
}

/// What a principal's catalog functions look up, keyed by the oids of its `pg_catalog`.
#[derive(Debug, Default)]
pub(crate) struct CatalogFunctions {
    /// Comments by (object oid, column number; 0 for the table itself).
    pub(crate) comments: HashMap<(i64, i64), String>,
    /// Primary keys by the oid of their index.
    pub(crate) indexes: HashMap<i64, PrimaryKey>,
    /// Primary keys by the oid of their constraint.
    pub(crate) constraints: HashMap<i64, PrimaryKey>,
    /// Who `current_user` is: the token's name.
    pub(crate) user: String,
    /// What `current_setting(name)` answers: the settings as `pg_settings` lists them.
    pub(crate) settings: HashMap<String, String>,
}

impl CatalogFunctions {
    /// The functions, over these lookups.
    pub(crate) fn into_functions(self) -> Vec<Arc<ScalarUDF>> {
        use Argument::{Boolean, Integer, Text};
        let lookups = Arc::new(self);
        let comments = Arc::clone(&lookups);
        let column_comments = Arc::clone(&lookups);
        let indexes = Arc::clone(&lookups);
        let constraints = Arc::clone(&lookups);
        let settings = Arc::clone(&lookups);
        let user = lookups.user.clone();
        let current_user = user.clone();
        vec![
            // obj_description(oid[, catalog]): the comment of a table (or nothing).
            function(
                "obj_description",
                Some(vec![vec![Integer], vec![Integer, Text]]),
                DataType::Utf8,
                move |arrays| {
                    let mut answer = StringBuilder::new();
                    let catalogs: Vec<Option<&str>> = match arrays.get(1) {
                        Some(array) => texts(array).collect(),
                        None => vec![Some("pg_class"); rows(arrays)],
                    };
                    for (oid, catalog) in integers(&arrays[0]).zip(catalogs) {
                        let comment = match (oid, catalog) {
                            (Some(oid), Some("pg_class" | "pg_catalog.pg_class")) => {
                                comments.comments.get(&(oid, 0))
                            }
                            _ => None,
                        };
                        answer.append_option(comment);
                    }
                    Ok(Arc::new(answer.finish()))
                },
            ),
            function(
                "col_description",
                Some(vec![vec![Integer, Integer]]),
                DataType::Utf8,
                move |arrays| {
                    let mut answer = StringBuilder::new();
                    for (oid, column) in integers(&arrays[0]).zip(integers(&arrays[1])) {
                        let comment = match (oid, column) {
                            (Some(oid), Some(column)) if column > 0 => {
                                column_comments.comments.get(&(oid, column))
                            }
                            _ => None,
                        };
                        answer.append_option(comment);
                    }
                    Ok(Arc::new(answer.finish()))
                },
            ),
            // Nothing shared (databases, roles) has a comment.
            function(
                "shobj_description",
                Some(vec![vec![Integer, Text]]),
                DataType::Utf8,
                |arrays| Ok(all_null_text(rows(arrays))),
            ),
            // pg_get_indexdef(oid[, column, pretty]): the index, or its column'th column.
            function(
                "pg_get_indexdef",
                Some(vec![vec![Integer], vec![Integer, Integer, Boolean]]),
                DataType::Utf8,
                move |arrays| {
                    let mut answer = StringBuilder::new();
                    let columns: Vec<Option<i64>> = match arrays.get(1) {
                        Some(array) => integers(array).collect(),
                        None => vec![Some(0); rows(arrays)],
                    };
                    for (oid, column) in integers(&arrays[0]).zip(columns) {
                        let key = oid.and_then(|oid| indexes.indexes.get(&oid));
                        let definition = match (key, column) {
                            (Some(key), Some(0)) => Some(key.index_definition()),
                            (Some(key), Some(column)) => usize::try_from(column - 1)
                                .ok()
                                .and_then(|index| key.columns.get(index))
                                .map(|name| quote_identifier(name)),
                            _ => None,
                        };
                        answer.append_option(definition);
                    }
                    Ok(Arc::new(answer.finish()))
                },
            ),
            function(
                "pg_get_constraintdef",
                Some(vec![vec![Integer], vec![Integer, Boolean]]),
                DataType::Utf8,
                move |arrays| {
                    let mut answer = StringBuilder::new();
                    for oid in integers(&arrays[0]) {
                        answer.append_option(
                            oid.and_then(|oid| constraints.constraints.get(&oid))
                                .map(PrimaryKey::constraint_definition),
                        );
                    }
                    Ok(Arc::new(answer.finish()))
                },
            ),
            // current_setting(name[, missing_ok]): a server setting, as pg_settings has it
            // (not what the connection SET: those shape answers on the wire only).
            function(
                "current_setting",
                Some(vec![vec![Text], vec![Text, Boolean]]),
                DataType::Utf8,
                move |arrays| {
                    let mut answer = StringBuilder::new();
                    let missing_ok: Vec<bool> = match arrays.get(1) {
                        Some(array) => array
                            .as_boolean()
                            .iter()
                            .map(|flag| flag.unwrap_or(false))
                            .collect(),
                        None => vec![false; rows(arrays)],
                    };
                    for (name, missing_ok) in texts(&arrays[0]).zip(missing_ok) {
                        let Some(name) = name else {
                            answer.append_null();
                            continue;
                        };
                        match settings.settings.get(&name.to_lowercase()) {
                            Some(value) => answer.append_value(value),
                            None if missing_ok => answer.append_null(),
                            None => {
                                return Err(DataFusionError::Plan(format!(
                                    "unrecognized configuration parameter \"{name}\""
                                )));
                            }
                        }
                    }
                    Ok(Arc::new(answer.finish()))
                },
            ),
            function(
                "session_user",
                Some(vec![vec![]]),
                DataType::Utf8,
                move |arrays| {
                    Ok(Arc::new(StringArray::from(vec![
                        user.as_str();
                        rows(arrays)
                    ])))
                },
            ),
            function(
                "current_user",
                Some(vec![vec![]]),
                DataType::Utf8,
                move |arrays| {
                    Ok(Arc::new(StringArray::from(vec![
                        current_user.as_str();
                        rows(arrays)
                    ])))
                },
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escape_rewrites_to_the_backslash() {
        assert_eq!(like_escape("pg/_%", "/").expect("ok"), "pg\\_%");
        assert_eq!(like_escape("a\\b%", "/").expect("ok"), "a\\\\b%");
        assert_eq!(like_escape("a\\_b", "").expect("ok"), "a\\\\_b");
        assert_eq!(like_escape("a\\_b", "\\").expect("ok"), "a\\_b");
        assert_eq!(like_escape("100#%", "#").expect("ok"), "100\\%");
        assert!(like_escape("a/", "/").is_err());
        assert!(like_escape("a", "//").is_err());
    }

    #[test]
    fn to_regtype_knows_the_names_postgres_accepts() {
        let oids: HashMap<String, i32> = [
            ("int4".to_string(), 23),
            ("text".to_string(), 25),
            ("timestamptz".to_string(), 1184),
            ("[]23".to_string(), 1007),
        ]
        .into_iter()
        .collect();
        assert_eq!(type_oid(&oids, "integer"), Some(23));
        assert_eq!(type_oid(&oids, "pg_catalog.text"), Some(25));
        assert_eq!(type_oid(&oids, "timestamp with time zone"), Some(1184));
        assert_eq!(type_oid(&oids, "int4[]"), Some(1007));
        assert_eq!(type_oid(&oids, "hstore"), None);
    }

    #[test]
    fn sizes_are_pretty_as_in_postgres() {
        assert_eq!(size_pretty(0), "0 bytes");
        assert_eq!(size_pretty(10_239), "10239 bytes");
        assert_eq!(size_pretty(10_240), "10 kB");
        assert_eq!(size_pretty(1_048_576 * 20), "20 MB");
    }

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        assert_eq!(quote_identifier("uscc"), "uscc");
        assert_eq!(quote_identifier("_batch_id"), "_batch_id");
        assert_eq!(quote_identifier("Zone"), "\"Zone\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
    }
}
