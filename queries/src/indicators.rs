//! The indicator library: named, documented SQL over the lake, with typed parameters.
//!
//! Each indicator is two files under `queries/indicators/`: `<name>.sql`, one read-only query
//! that writes its parameters as `$name` placeholders, and `<name>.toml`, its metadata (titles,
//! unit, description, formula in Chinese and English, grain, parameters, and the decimals its
//! measures are shown with in text tables). `build.rs` lists the folder and embeds every file,
//! so adding an indicator is adding its two files; a `.sql` without its `.toml` (or the other
//! way round) is refused when the library loads.
//!
//! Indicators that compute the same thing at different grains share it as a base query:
//! `queries/indicators/_base/<base>.sql`, a complete query (it may use the parameters of the
//! indicators that build on it). An indicator names its bases in its metadata
//! (`bases = ["enterprise_energy"]`) and reads each as a table of that name; the loader puts
//! the bases in front of the indicator's SQL as common table expressions, so the text of a
//! base is written once and the planner still sees one query.
//!
//! Parameters are never spliced into the SQL text: [`run_indicator`] plans the indicator's SQL
//! through the guarded [`QueryEngine::plan`] and then binds each placeholder to a typed
//! DataFusion literal ([`ParamValues::Map`]), so a string parameter can only ever be a string
//! value, whatever it contains.
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use parkhub_queries::Error;
//! use parkhub_queries::indicators::{IndicatorError, IndicatorLibrary};
//!
//! let library = IndicatorLibrary::builtin()?;
//! let indicator = library.get("energy_intensity_by_industry")?;
//! assert_eq!(indicator.grain, "key_industry");
//! // Its base, `_base/enterprise_energy.sql`, stands in front of its SQL as a CTE.
//! assert!(indicator.sql.contains("enterprise_energy AS ("));
//! // Every parameter has a default, so it is also the view `ind_energy_intensity_by_industry`.
//! assert!(indicator.is_parameterless());
//! // Values are typed before anything is planned: month 13 is no date.
//! let params = BTreeMap::from([("from".to_string(), "2026-13".to_string())]);
//! let refused = indicator.param_values(&params);
//! assert!(matches!(
//!     refused,
//!     Err(Error::Indicator(IndicatorError::BadParameterValue { .. }))
//! ));
//! # Ok::<(), Error>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use datafusion::common::ParamValues;
use datafusion::prelude::DataFrame;
use datafusion::scalar::ScalarValue;
use serde::{Deserialize, Serialize};

use crate::engine::QueryEngine;
use crate::format::Decimals;
use crate::policy::{Grain, PolicyError, suppress_small_groups};

#[cfg(test)]
mod tests;

// `INDICATOR_FILES` and `BASE_FILES`: every file of `queries/indicators/` and of
// `queries/indicators/_base/`, listed and embedded by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/indicator_files.rs"));

/// One indicator's two files.
#[derive(Debug, Clone, Copy)]
struct IndicatorSource<'a> {
    /// The indicator's name, which is also its files' name.
    name: &'a str,
    /// The text of `<name>.toml`.
    metadata: &'a str,
    /// The text of `<name>.sql`.
    sql: &'a str,
}

/// The value a `date` parameter may take (and default to) to mean today's date in park time.
pub const CURRENT_DATE: &str = "current_date";

/// Hours between UTC and the park's local time (China Standard Time, UTC+8): "today" is the
/// park's today.
const PARK_UTC_OFFSET_HOURS: i64 = 8;

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01, the epoch of Arrow dates.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The longest piece of a rejected value repeated in an error message.
const MAX_ECHOED_VALUE_CHARS: usize = 80;

/// What went wrong while looking up an indicator or binding its parameters.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    /// No indicator has this name.
    #[error("unknown indicator '{name}'; the indicators are: {known}")]
    UnknownIndicator {
        /// The name asked for.
        name: String,
        /// The indicators that exist, comma-separated.
        known: String,
    },
    /// The indicator has no parameter of this name.
    #[error("unknown parameter '{name}' for indicator '{indicator}'; its parameters are: {known}")]
    UnknownParameter {
        /// The indicator.
        indicator: String,
        /// The parameter name given.
        name: String,
        /// The indicator's parameters, comma-separated, or `(none)`.
        known: String,
    },
    /// A parameter's value does not parse as the parameter's type.
    #[error(
        "bad value '{value}' for parameter '{name}' of indicator '{indicator}': expected {expected}"
    )]
    BadParameterValue {
        /// The indicator.
        indicator: String,
        /// The parameter.
        name: String,
        /// The value given (shortened when long).
        value: String,
        /// What the parameter's type accepts.
        expected: String,
    },
    /// A parameter without a default was not given.
    #[error("parameter '{name}' of indicator '{indicator}' has no default and must be given")]
    MissingParameter {
        /// The indicator.
        indicator: String,
        /// The parameter.
        name: String,
    },
    /// An indicator's files are inconsistent (a fault of the build, not of the caller).
    #[error("the definition of indicator '{name}' is invalid: {reason}")]
    InvalidDefinition {
        /// The indicator.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

impl IndicatorError {
    /// Returns true when the caller asked for something wrong (an unknown indicator or
    /// parameter, a bad or missing value) rather than the library being broken.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, IndicatorError::InvalidDefinition { .. })
    }
}

/// The type of an indicator parameter, which decides how its text value is parsed and which
/// Arrow type it is bound as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ParameterKind {
    /// Any text, bound as `Utf8`.
    String,
    /// A whole number, bound as `Int64`.
    Int,
    /// A finite decimal number, bound as `Float64`.
    Float,
    /// A calendar date `YYYY-MM-DD` (or `YYYY-MM` for the first of the month, or
    /// [`CURRENT_DATE`]), bound as `Date32`.
    Date,
}

impl ParameterKind {
    /// The type's name and what its values look like, for error messages.
    pub fn expected(self) -> &'static str {
        match self {
            ParameterKind::String => "string",
            ParameterKind::Int => "int (an integer)",
            ParameterKind::Float => "float (a finite number)",
            ParameterKind::Date => {
                "date (YYYY-MM-DD, YYYY-MM for the first of the month, or current_date)"
            }
        }
    }

    /// Parses a value of this kind into the literal it is bound as; `None` when it does not
    /// parse.
    pub fn parse(self, value: &str) -> Option<ScalarValue> {
        match self {
            ParameterKind::String => Some(ScalarValue::Utf8(Some(value.to_string()))),
            ParameterKind::Int => value.trim().parse::<i64>().ok().map(ScalarValue::from),
            ParameterKind::Float => value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|number| number.is_finite())
                .map(ScalarValue::from),
            ParameterKind::Date => parse_date(value.trim()).map(|date| {
                ScalarValue::Date32(Some(date.num_days_from_ce() - EPOCH_DAYS_FROM_CE))
            }),
        }
    }
}

impl fmt::Display for ParameterKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            ParameterKind::String => "string",
            ParameterKind::Int => "int",
            ParameterKind::Float => "float",
            ParameterKind::Date => "date",
        })
    }
}

/// Parses `YYYY-MM-DD`, `YYYY-MM` (the first of the month) or [`CURRENT_DATE`] (today in park
/// time, UTC+8).
fn parse_date(value: &str) -> Option<NaiveDate> {
    if value.eq_ignore_ascii_case(CURRENT_DATE) {
        return Some((Utc::now() + TimeDelta::hours(PARK_UTC_OFFSET_HOURS)).date_naive());
    }
    let is_digits = |text: &str, length: usize| {
        text.len() == length && text.bytes().all(|byte| byte.is_ascii_digit())
    };
    let mut parts = value.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next());
    if parts.next().is_some() || !is_digits(year, 4) || !is_digits(month, 2) {
        return None;
    }
    let day = match day {
        Some(day) if is_digits(day, 2) => day.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day)
}

/// A parameter of an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorParameter {
    /// The name, written `$name` in the SQL.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: ParameterKind,
    /// The value used when the caller gives none; `None` when the caller must give one.
    pub default: Option<String>,
    /// What it means.
    pub description: String,
}

/// A named indicator: its documentation and its SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    /// The name (snake_case), also the name of its files.
    pub name: String,
    /// Title in Chinese.
    pub title_zh: String,
    /// Title in English.
    pub title_en: String,
    /// Unit(s) of the measures.
    pub unit: String,
    /// What it shows and how to read its columns.
    pub description: String,
    /// How it is computed, in Chinese.
    pub formula_zh: String,
    /// How it is computed, in English.
    pub formula_en: String,
    /// One row per … (e.g. `key_industry × month`).
    pub grain: String,
    /// At a group grain, the columns counting the enterprises each row aggregates (the first
    /// is the row's own; others, such as the year before, count too): a row over fewer than
    /// three is suppressed for the roles that may not see single enterprises.
    pub enterprise_counts: Vec<String>,
    /// Its parameters, in the order documented.
    pub parameters: Vec<IndicatorParameter>,
    /// Digits after the point of its float columns in text tables.
    pub decimals: Decimals,
    /// The query, with `$name` placeholders for the parameters and its base queries in front.
    pub sql: String,
}

impl Indicator {
    /// Returns true when every parameter has a default, so the indicator can be run (or exposed
    /// as a view) without arguments.
    pub fn is_parameterless(&self) -> bool {
        self.parameters
            .iter()
            .all(|parameter| parameter.default.is_some())
    }

    /// The name of the SQL view a parameterless indicator is exposed as: `ind_<name>`.
    pub fn view_name(&self) -> String {
        format!("{VIEW_PREFIX}{}", self.name)
    }

    /// Returns the parameter of this name.
    pub fn parameter(&self, name: &str) -> Option<&IndicatorParameter> {
        self.parameters
            .iter()
            .find(|parameter| parameter.name == name)
    }

    /// Checks the given parameter values against the indicator's parameters and returns every
    /// parameter's typed value (given or default), ready for
    /// [`DataFrame::with_param_values`]. Names not among the parameters are refused with the
    /// list of those that are; values that do not parse as their parameter's type are refused
    /// naming the parameter and the type.
    pub fn param_values(&self, params: &BTreeMap<String, String>) -> crate::Result<ParamValues> {
        if let Some(unknown) = params.keys().find(|name| self.parameter(name).is_none()) {
            return Err(IndicatorError::UnknownParameter {
                indicator: self.name.clone(),
                name: unknown.clone(),
                known: if self.parameters.is_empty() {
                    "(none)".to_string()
                } else {
                    self.parameter_names().join(", ")
                },
            }
            .into());
        }
        let mut values = HashMap::with_capacity(self.parameters.len());
        for parameter in &self.parameters {
            let value = params
                .get(&parameter.name)
                .or(parameter.default.as_ref())
                .ok_or_else(|| IndicatorError::MissingParameter {
                    indicator: self.name.clone(),
                    name: parameter.name.clone(),
                })?;
            let scalar =
                parameter
                    .kind
                    .parse(value)
                    .ok_or_else(|| IndicatorError::BadParameterValue {
                        indicator: self.name.clone(),
                        name: parameter.name.clone(),
                        value: shorten(value),
                        expected: parameter.kind.expected().to_string(),
                    })?;
            values.insert(parameter.name.clone(), scalar);
        }
        Ok(ParamValues::from(values))
    }

    fn parameter_names(&self) -> Vec<&str> {
        self.parameters
            .iter()
            .map(|parameter| parameter.name.as_str())
            .collect()
    }
}

/// Shortens a value repeated in an error message.
fn shorten(value: &str) -> String {
    if value.chars().count() <= MAX_ECHOED_VALUE_CHARS {
        value.to_string()
    } else {
        let mut short: String = value.chars().take(MAX_ECHOED_VALUE_CHARS).collect();
        short.push('…');
        short
    }
}

/// The metadata file of an indicator, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorFile {
    name: String,
    title_zh: String,
    title_en: String,
    unit: String,
    description: String,
    formula_zh: String,
    formula_en: String,
    grain: String,
    #[serde(default)]
    enterprise_counts: Vec<String>,
    #[serde(default)]
    bases: Vec<String>,
    #[serde(default)]
    decimals: DecimalsFile,
    #[serde(default)]
    parameters: Vec<ParameterFile>,
}

/// The `[decimals]` table of a metadata file: `default` for every float column, and a key per
/// column that needs another number of digits.
#[derive(Debug, Default, Deserialize)]
struct DecimalsFile {
    default: Option<u8>,
    #[serde(flatten)]
    columns: BTreeMap<String, u8>,
}

/// A parameter in a metadata file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParameterFile {
    name: String,
    #[serde(rename = "type")]
    kind: ParameterKind,
    default: Option<String>,
    description: String,
}

/// The indicators a hub offers.
#[derive(Debug, Clone)]
pub struct IndicatorLibrary {
    indicators: Vec<Indicator>,
}

impl IndicatorLibrary {
    /// Loads the built-in indicators (the files of `queries/indicators/`, embedded in the
    /// binary) and checks each definition: every `.sql` has its `.toml` and the other way
    /// round, the metadata parses, its name is its files' name, its bases exist, parameter
    /// names are unique, defaults parse as their type, and the SQL's `$placeholders` (its
    /// bases' included) are exactly the declared parameters.
    pub fn builtin() -> crate::Result<IndicatorLibrary> {
        let sources = pair_files(INDICATOR_FILES)?;
        Ok(IndicatorLibrary::load(&sources, &base_queries(BASE_FILES))?)
    }

    fn load(
        sources: &[IndicatorSource],
        bases: &BTreeMap<&str, &str>,
    ) -> Result<IndicatorLibrary, IndicatorError> {
        let mut indicators: Vec<Indicator> = Vec::with_capacity(sources.len());
        for source in sources {
            let indicator = load_indicator(source, bases)?;
            if indicators.iter().any(|other| other.name == indicator.name) {
                return Err(IndicatorError::InvalidDefinition {
                    name: indicator.name,
                    reason: "listed twice".into(),
                });
            }
            indicators.push(indicator);
        }
        Ok(IndicatorLibrary { indicators })
    }

    /// Returns every indicator.
    pub fn list(&self) -> &[Indicator] {
        &self.indicators
    }

    /// Returns the indicator of this name; an unknown name is refused with the list of names.
    pub fn get(&self, name: &str) -> crate::Result<&Indicator> {
        let found = self
            .indicators
            .iter()
            .find(|indicator| indicator.name == name);
        Ok(found.ok_or_else(|| IndicatorError::UnknownIndicator {
            name: shorten(name),
            known: self
                .indicators
                .iter()
                .map(|indicator| indicator.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?)
    }

    /// Returns the indicators whose parameters all have defaults: those that can be exposed as
    /// SQL views named [`Indicator::view_name`] (`ind_<name>`).
    pub fn parameterless(&self) -> Vec<&Indicator> {
        self.indicators
            .iter()
            .filter(|indicator| indicator.is_parameterless())
            .collect()
    }
}

/// Pairs the files of the indicator folder, `(file name, text)`, into indicators: each
/// `<name>.sql` with its `<name>.toml`. A file whose partner is missing is refused, naming both.
fn pair_files<'a>(
    files: &[(&'a str, &'a str)],
) -> Result<Vec<IndicatorSource<'a>>, IndicatorError> {
    let mut halves: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for (file_name, text) in files {
        if let Some(name) = file_name.strip_suffix(".sql") {
            halves.entry(name).or_default().0 = Some(text);
        } else if let Some(name) = file_name.strip_suffix(".toml") {
            halves.entry(name).or_default().1 = Some(text);
        }
    }
    halves
        .into_iter()
        .map(|(name, halves)| match halves {
            (Some(sql), Some(metadata)) => Ok(IndicatorSource {
                name,
                metadata,
                sql,
            }),
            (sql, _) => {
                let (present, missing) = if sql.is_some() {
                    ("sql", "toml")
                } else {
                    ("toml", "sql")
                };
                Err(IndicatorError::InvalidDefinition {
                    name: name.to_string(),
                    reason: format!(
                        "queries/indicators/{name}.{present} has no {name}.{missing} beside it"
                    ),
                })
            }
        })
        .collect()
}

/// Returns the base queries of `queries/indicators/_base/`, `(file name, text)`, by name.
fn base_queries<'a>(files: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, &'a str> {
    files
        .iter()
        .filter_map(|(file_name, text)| Some((file_name.strip_suffix(".sql")?, *text)))
        .collect()
}

/// The most digits after the point an indicator may ask for.
const MAX_DECIMALS: u8 = 12;

/// Parses and checks one indicator's files, with the base queries it may build on.
fn load_indicator(
    source: &IndicatorSource,
    bases: &BTreeMap<&str, &str>,
) -> Result<Indicator, IndicatorError> {
    let invalid = |reason: String| IndicatorError::InvalidDefinition {
        name: source.name.to_string(),
        reason,
    };
    let file: IndicatorFile = toml::from_str(source.metadata)
        .map_err(|error| invalid(format!("{}.toml: {error}", source.name)))?;
    if file.name != source.name {
        return Err(invalid(format!(
            "{}.toml names the indicator '{}'",
            source.name, file.name
        )));
    }
    if !is_snake_case(&file.name) {
        return Err(invalid("the name is not snake_case".into()));
    }
    let mut used_bases: Vec<(&str, &str)> = Vec::with_capacity(file.bases.len());
    for base in &file.bases {
        let Some((name, text)) = bases.get_key_value(base.as_str()) else {
            return Err(invalid(format!(
                "it builds on '{base}', which is not a base query in queries/indicators/_base/"
            )));
        };
        if used_bases.iter().any(|(other, _)| other == name) {
            return Err(invalid(format!("it names the base '{base}' twice")));
        }
        used_bases.push((name, text));
    }
    let decimals = Decimals {
        default: file.decimals.default,
        columns: file.decimals.columns,
    };
    if let Some(digits) = decimals
        .default
        .iter()
        .chain(decimals.columns.values())
        .find(|digits| **digits > MAX_DECIMALS)
    {
        return Err(invalid(format!(
            "{digits} decimals asked for; at most {MAX_DECIMALS}"
        )));
    }
    let is_group = Grain::parse(&file.grain).runs_over_whole_park();
    if is_group && file.enterprise_counts.is_empty() {
        return Err(invalid(format!(
            "its grain '{}' is a group of enterprises, so it names the columns counting them \
             (enterprise_counts = [\"enterprises\"]) for small groups to be suppressed",
            file.grain
        )));
    }
    if !is_group && !file.enterprise_counts.is_empty() {
        return Err(invalid(format!(
            "its grain '{}' is one entity, whose rows are never suppressed: enterprise_counts \
             does not apply",
            file.grain
        )));
    }
    let sql = with_bases(source.sql, &used_bases);
    let mut parameters: Vec<IndicatorParameter> = Vec::with_capacity(file.parameters.len());
    for parameter in file.parameters {
        if !is_snake_case(&parameter.name) {
            return Err(invalid(format!(
                "parameter '{}' is not snake_case",
                parameter.name
            )));
        }
        if parameters.iter().any(|other| other.name == parameter.name) {
            return Err(invalid(format!(
                "parameter '{}' is declared twice",
                parameter.name
            )));
        }
        if let Some(default) = &parameter.default
            && parameter.kind.parse(default).is_none()
        {
            return Err(invalid(format!(
                "the default '{default}' of parameter '{}' is not a valid {}",
                parameter.name,
                parameter.kind.expected()
            )));
        }
        parameters.push(IndicatorParameter {
            name: parameter.name,
            kind: parameter.kind,
            default: parameter.default,
            description: parameter.description,
        });
    }
    let used = placeholders(&sql);
    let declared: BTreeSet<String> = parameters
        .iter()
        .map(|parameter| parameter.name.clone())
        .collect();
    if let Some(undeclared) = used.difference(&declared).next() {
        return Err(invalid(format!(
            "the SQL uses ${undeclared}, which is not a declared parameter"
        )));
    }
    if let Some(unused) = declared.difference(&used).next() {
        return Err(invalid(format!(
            "parameter '{unused}' is declared but the SQL does not use it"
        )));
    }
    Ok(Indicator {
        name: file.name,
        title_zh: file.title_zh,
        title_en: file.title_en,
        unit: file.unit,
        description: file.description,
        formula_zh: file.formula_zh,
        formula_en: file.formula_en,
        grain: file.grain,
        enterprise_counts: file.enterprise_counts,
        parameters,
        decimals,
        sql,
    })
}

/// Returns an indicator's SQL with its base queries in front as common table expressions
/// named after them: the bases join the indicator's own `WITH` list when it has one. Comment
/// lines at the top stay at the top.
fn with_bases(sql: &str, bases: &[(&str, &str)]) -> String {
    if bases.is_empty() {
        return sql.to_string();
    }
    let definitions: Vec<String> = bases
        .iter()
        .map(|(name, text)| format!("{name} AS (\n{}\n)", text.trim()))
        .collect();
    let definitions = definitions.join(",\n");
    let (comments, body) = sql.split_at(leading_comments_len(sql));
    match strip_keyword(body, "WITH") {
        Some(own_definitions) => format!("{comments}WITH {definitions},{own_definitions}"),
        None => format!("{comments}WITH {definitions}\n{body}"),
    }
}

/// The length of the blank and `--` comment lines at the start of `sql`.
fn leading_comments_len(sql: &str) -> usize {
    let mut length = 0;
    for line in sql.split_inclusive('\n') {
        let trimmed = line.trim();
        if !(trimmed.is_empty() || trimmed.starts_with("--")) {
            break;
        }
        length += line.len();
    }
    length
}

/// Returns what follows `keyword` (any case) when `text` starts with it as a whole word.
fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    let rest = &text[keyword.len()..];
    (head.eq_ignore_ascii_case(keyword) && rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// Returns true for names such as `energy_intensity` or `from`.
fn is_snake_case(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_lowercase())
        && bytes.all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

/// The names of the `$name` placeholders in SQL text (indicator SQL has no `$` elsewhere).
fn placeholders(sql: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = sql;
    while let Some(position) = rest.find('$') {
        rest = &rest[position + 1..];
        let end = rest
            .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            names.insert(rest[..end].to_string());
        }
        rest = &rest[end..];
    }
    names
}

/// Prefix of the SQL views of parameterless indicators (`SELECT * FROM ind_energy_intensity`).
pub const VIEW_PREFIX: &str = "ind_";

/// Plans an indicator through the engine's guarded [`QueryEngine::plan`] and binds its
/// parameters (given values, else defaults) as typed literals. The parameters are checked
/// before anything is planned.
///
/// Under a principal's engine ([`QueryEngine::for_principal`]), an indicator at an entity
/// grain (one row per enterprise or project) reads through the principal's row filters, so an
/// enterprise sees its own rows; one at a group grain is computed over the whole park and its
/// groups of fewer than three enterprises are suppressed for the roles that may not see single
/// enterprises ([`suppress_small_groups`]). An entity-grain indicator over tables the role may
/// not read is refused as not for that role.
pub async fn run_indicator(
    engine: &QueryEngine,
    indicator: &Indicator,
    params: &BTreeMap<String, String>,
) -> crate::Result<DataFrame> {
    let values = indicator.param_values(params)?;
    let grain = Grain::parse(&indicator.grain);
    let Some(role) = engine.policy().map(|policy| policy.principal().role) else {
        let frame = engine.plan(&indicator.sql).await?;
        return Ok(frame.with_param_values(values)?);
    };
    let runs_on = if grain.runs_over_whole_park() {
        engine.whole_park()
    } else {
        engine.clone()
    };
    let frame = match runs_on.plan(&indicator.sql).await {
        Ok(frame) => frame,
        Err(crate::Error::UnknownTable { .. }) => {
            return Err(PolicyError::IndicatorNotForRole {
                indicator: indicator.name.clone(),
                role,
            }
            .into());
        }
        Err(error) => return Err(error),
    };
    let frame = frame.with_param_values(values)?;
    suppress_small_groups(frame, &grain, role, &indicator.enterprise_counts)
}
