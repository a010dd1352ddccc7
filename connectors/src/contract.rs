//! Table contracts: what a lake table holds, how it is keyed, and how source columns map to it.
//!
//! The built-in contracts of the canonical park model live as TOML files in
//! `connectors/contracts/` and ship inside the binary; a park adds its own in the same format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Name of the lineage column holding the id of the batch a row arrived in.
pub const BATCH_ID_COLUMN: &str = "_batch_id";
/// Name of the lineage column holding when the row was committed.
pub const INGESTED_AT_COLUMN: &str = "_ingested_at";

/// The time zone every timestamp in the lake is stored in.
pub const TIMESTAMP_ZONE: &str = "UTC";

/// How a batch is applied to its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteMode {
    /// Rows replace the rows with the same key; new keys are inserted.
    Upsert,
    /// Rows are appended; the table has no key.
    Append,
}

/// The logical type of a column, as contracts spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// UTF-8 text.
    String,
    /// 32-bit integer.
    Int32,
    /// 64-bit integer.
    Int64,
    /// 64-bit floating point.
    Float64,
    /// true / false.
    Boolean,
    /// A calendar date.
    Date,
    /// An instant, stored in UTC with microsecond precision.
    Timestamp,
}

impl ColumnType {
    /// Returns the Arrow type the lake stores this column as.
    pub fn arrow_type(self) -> DataType {
        match self {
            ColumnType::String => DataType::Utf8,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::Float64 => DataType::Float64,
            ColumnType::Boolean => DataType::Boolean,
            ColumnType::Date => DataType::Date32,
            ColumnType::Timestamp => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(TIMESTAMP_ZONE.into()))
            }
        }
    }
}

/// A domain check beyond the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnCheck {
    /// A Unified Social Credit Code with a valid check character (GB 32100-2015).
    Uscc,
    /// A GB/T 4754-2017 industry code.
    Gbt4754,
}

/// One column of a table contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnContract {
    /// The column's name in the lake.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Whether every row must have a value.
    #[serde(default)]
    pub required: bool,
    /// A domain check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<ColumnCheck>,
    /// The derivation that fills this column from others when the source has no value for it,
    /// and checks a value the source does give: the name of one of
    /// [`crate::validate::derive::DERIVATIONS`] (`tce_from_energy`, `key_industry_from_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derive: Option<String>,
    /// The only values allowed, for text columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// The words users write for allowed values, by the value they stand for
    /// (`on_premise = ["private", "私有化部署"]`): matched like allowed values (ignoring case
    /// and surrounding blanks) and stored as the value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub value_aliases: BTreeMap<String, Vec<String>>,
    /// The smallest value allowed, for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest value allowed, for numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The unit the lake stores the column in (`10k_yuan`, `tce`, `mu`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// What the column means.
    #[serde(default)]
    pub description: String,
    /// Other names sources use for this column (Chinese headers included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Whether the column holds a list, written in the lake as `;`-separated text (a text
    /// column only); a JSON record may give it as a list of texts.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

impl ColumnContract {
    /// Returns the Arrow field of this column.
    pub fn arrow_field(&self) -> Field {
        Field::new(&self.name, self.column_type.arrow_type(), !self.required)
    }

    /// Returns the allowed value `text` stands for: the value itself written in another case,
    /// or the value one of its [`ColumnContract::value_aliases`] stands for.
    pub fn allowed_value_of(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        if let Some(allowed) = self
            .allowed
            .iter()
            .find(|allowed| allowed.eq_ignore_ascii_case(text))
        {
            return Some(allowed);
        }
        self.value_aliases
            .iter()
            .find(|(_, aliases)| {
                aliases
                    .iter()
                    .any(|alias| alias.trim().eq_ignore_ascii_case(text))
            })
            .map(|(value, _)| value.as_str())
    }

    /// Returns true when `header` names this column (its name or one of its aliases, ignoring
    /// case and surrounding blanks).
    pub fn is_named(&self, header: &str) -> bool {
        let header = header.trim();
        self.name.eq_ignore_ascii_case(header)
            || self
                .aliases
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(header))
    }
}

/// What a lake table holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableContract {
    /// The table's name in the lake and in SQL.
    pub name: String,
    /// A one-line description in Chinese.
    pub description_zh: String,
    /// A one-line description in English.
    pub description_en: String,
    /// Upsert on the key, or append.
    pub mode: WriteMode,
    /// The key columns (empty for append tables).
    #[serde(default)]
    pub key: Vec<String>,
    /// The columns, in order.
    pub columns: Vec<ColumnContract>,
}

impl TableContract {
    /// Parses a contract from TOML and checks that it is consistent.
    pub fn from_toml(source_name: &str, text: &str) -> Result<TableContract> {
        let contract: TableContract =
            toml::from_str(text).map_err(|error| Error::InvalidContract {
                source_name: source_name.to_string(),
                reason: error.to_string(),
            })?;
        contract.check_consistency(source_name)?;
        Ok(contract)
    }

    fn check_consistency(&self, source_name: &str) -> Result<()> {
        let invalid = |reason: String| Error::InvalidContract {
            source_name: source_name.to_string(),
            reason,
        };
        if !is_identifier(&self.name) {
            return Err(invalid(format!(
                "table name '{}' must be lower-case letters, digits and '_', starting with a letter",
                self.name
            )));
        }
        if self.columns.is_empty() {
            return Err(invalid("a contract needs at least one column".into()));
        }
        let mut seen = BTreeMap::new();
        for column in &self.columns {
            if !is_identifier(&column.name) {
                return Err(invalid(format!(
                    "column name '{}' must be lower-case letters, digits and '_', starting with a letter",
                    column.name
                )));
            }
            if seen.insert(column.name.as_str(), ()).is_some() {
                return Err(invalid(format!("column '{}' appears twice", column.name)));
            }
            if let (Some(min), Some(max)) = (column.min, column.max)
                && min > max
            {
                return Err(invalid(format!(
                    "column '{}': min {min} is above max {max}",
                    column.name
                )));
            }
            check_value_aliases(column).map_err(&invalid)?;
            if let Some(name) = &column.derive {
                crate::validate::derive::resolve(self, column, name).map_err(&invalid)?;
            }
        }
        if let Some(column) = self
            .columns
            .iter()
            .find(|column| column.list && column.column_type != ColumnType::String)
        {
            return Err(invalid(format!(
                "column '{}': only a string column can be a list",
                column.name
            )));
        }
        match self.mode {
            WriteMode::Upsert if self.key.is_empty() => {
                return Err(invalid("an upsert table needs a key".into()));
            }
            WriteMode::Append if !self.key.is_empty() => {
                return Err(invalid("an append table has no key".into()));
            }
            _ => {}
        }
        for key_column in &self.key {
            match self.column(key_column) {
                None => {
                    return Err(invalid(format!(
                        "key column '{key_column}' is not a column"
                    )));
                }
                Some(column) if !column.required => {
                    return Err(invalid(format!(
                        "key column '{key_column}' must be required"
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Returns the column with this name.
    pub fn column(&self, name: &str) -> Option<&ColumnContract> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// Returns the Arrow schema of the table's own columns (without lineage).
    pub fn data_schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.columns
                .iter()
                .map(ColumnContract::arrow_field)
                .collect::<Vec<_>>(),
        ))
    }

    /// Returns the Arrow schema of the lake table: the contract's columns followed by the
    /// lineage columns `_batch_id` and `_ingested_at`.
    pub fn lake_schema(&self) -> SchemaRef {
        let mut fields: Vec<Field> = self
            .columns
            .iter()
            .map(ColumnContract::arrow_field)
            .collect();
        fields.push(Field::new(BATCH_ID_COLUMN, DataType::Utf8, false));
        fields.push(Field::new(
            INGESTED_AT_COLUMN,
            ColumnType::Timestamp.arrow_type(),
            false,
        ));
        Arc::new(Schema::new(fields))
    }

    /// Returns the description in both languages, as one line.
    pub fn description(&self) -> String {
        format!("{} / {}", self.description_zh, self.description_en)
    }
}

/// Checks that a column's value aliases stand for allowed values and that no word stands for
/// two values.
fn check_value_aliases(column: &ColumnContract) -> std::result::Result<(), String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (value, aliases) in &column.value_aliases {
        if !column.allowed.contains(value) {
            return Err(format!(
                "column '{}': value alias for '{value}', which is not an allowed value",
                column.name
            ));
        }
        for alias in aliases {
            let word = alias.trim().to_ascii_lowercase();
            if let Some(allowed) = column
                .allowed
                .iter()
                .find(|allowed| allowed.to_ascii_lowercase() == word)
            {
                return Err(format!(
                    "column '{}': '{alias}' is the allowed value '{allowed}' itself",
                    column.name
                ));
            }
            if let Some(other) = seen.insert(word, value)
                && other != value
            {
                return Err(format!(
                    "column '{}': '{alias}' stands for both '{other}' and '{value}'",
                    column.name
                ));
            }
        }
    }
    Ok(())
}

fn is_identifier(name: &str) -> bool {
    let mut characters = name.chars();
    matches!(characters.next(), Some(first) if first.is_ascii_lowercase())
        && characters.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The built-in contracts, as shipped in `connectors/contracts/`.
const BUILTIN_CONTRACTS: &[(&str, &str)] = &[
    ("enterprises", include_str!("../contracts/enterprises.toml")),
    (
        "production_monthly",
        include_str!("../contracts/production_monthly.toml"),
    ),
    (
        "energy_readings",
        include_str!("../contracts/energy_readings.toml"),
    ),
    ("emissions", include_str!("../contracts/emissions.toml")),
    ("equipment", include_str!("../contracts/equipment.toml")),
    (
        "digital_assessment",
        include_str!("../contracts/digital_assessment.toml"),
    ),
    (
        "transformation_projects",
        include_str!("../contracts/transformation_projects.toml"),
    ),
    (
        "fund_disbursements",
        include_str!("../contracts/fund_disbursements.toml"),
    ),
    (
        "enterprise_needs",
        include_str!("../contracts/enterprise_needs.toml"),
    ),
    (
        "service_providers",
        include_str!("../contracts/service_providers.toml"),
    ),
    (
        "service_offerings",
        include_str!("../contracts/service_offerings.toml"),
    ),
    (
        "shared_applications",
        include_str!("../contracts/shared_applications.toml"),
    ),
];

/// Name of the quarantine table.
pub const QUARANTINE_TABLE: &str = "_quarantine";
/// Name of the ingest log table.
pub const INGEST_LOG_TABLE: &str = "_ingest_log";
/// Name of the audit table (readable by admin only).
pub const AUDIT_TABLE: &str = "_audit";
/// Name of the live sources' state table (see [`crate::live`]).
pub const SOURCE_STATE_TABLE: &str = "_source_state";

const SYSTEM_CONTRACTS: &[(&str, &str)] = &[
    (
        QUARANTINE_TABLE,
        include_str!("../contracts/system/_quarantine.toml"),
    ),
    (
        INGEST_LOG_TABLE,
        include_str!("../contracts/system/_ingest_log.toml"),
    ),
    (AUDIT_TABLE, include_str!("../contracts/system/_audit.toml")),
    (
        SOURCE_STATE_TABLE,
        include_str!("../contracts/system/_source_state.toml"),
    ),
];

/// Returns the contract of a system table (`_quarantine`, `_ingest_log`, `_audit`,
/// `_source_state`).
pub fn system_contract(name: &str) -> Result<TableContract> {
    let (_, text) = SYSTEM_CONTRACTS
        .iter()
        .find(|(table, _)| *table == name)
        .ok_or_else(|| Error::UnknownTable {
            name: name.to_string(),
            known: SYSTEM_CONTRACTS
                .iter()
                .map(|(table, _)| *table)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let contract: TableContract = toml::from_str(text).map_err(|error| Error::InvalidContract {
        source_name: name.to_string(),
        reason: error.to_string(),
    })?;
    Ok(contract)
}

/// Folder of the park's own contracts inside the data directory.
pub const CONTRACTS_FOLDER: &str = "contracts";

/// The set of table contracts known to a hub: the built-in ones and the park's own.
#[derive(Debug, Clone)]
pub struct Contracts {
    tables: Vec<Arc<TableContract>>,
}

impl Contracts {
    /// Returns the built-in contracts of the canonical park model.
    pub fn builtin() -> Result<Contracts> {
        let tables = BUILTIN_CONTRACTS
            .iter()
            .map(|(name, text)| TableContract::from_toml(name, text).map(Arc::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(Contracts { tables })
    }

    /// Returns the built-in contracts and the park's own from `<data_dir>/contracts/*.toml`
    /// (a park contract for a built-in table extends it with nullable columns).
    pub fn load(data_dir: &Path) -> Result<Contracts> {
        let mut contracts = Contracts::builtin()?;
        let folder = data_dir.join(CONTRACTS_FOLDER);
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(contracts),
            Err(source) => {
                return Err(Error::Io {
                    path: folder,
                    source,
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "toml")
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let contract = TableContract::from_toml(&path.display().to_string(), &text)?;
            contracts.insert(contract, &path.display().to_string())?;
        }
        Ok(contracts)
    }

    /// Adds or replaces a contract; replacing is allowed only when the new one keeps the old
    /// one's mode, key and columns (with their types) and adds nullable columns.
    fn insert(&mut self, contract: TableContract, source_name: &str) -> Result<()> {
        if contract.name.starts_with('_') {
            return Err(Error::InvalidContract {
                source_name: source_name.to_string(),
                reason: format!("'{}' is a system table", contract.name),
            });
        }
        match self
            .tables
            .iter()
            .position(|existing| existing.name == contract.name)
        {
            Some(position) => {
                let old = &self.tables[position];
                check_evolution(old, &contract, source_name)?;
                let contract = inherit_column_behaviour(old, contract);
                self.tables[position] = Arc::new(contract);
            }
            None => self.tables.push(Arc::new(contract)),
        }
        Ok(())
    }

    /// Registers a park contract: checks it against the contracts known so far and writes it
    /// to `<data_dir>/contracts/<table>.toml`. Returns the contract.
    pub fn add_park_contract(
        data_dir: &Path,
        source_name: &str,
        text: &str,
    ) -> Result<TableContract> {
        let contract = TableContract::from_toml(source_name, text)?;
        let mut contracts = Contracts::load(data_dir)?;
        contracts.insert(contract.clone(), source_name)?;
        let folder = data_dir.join(CONTRACTS_FOLDER);
        std::fs::create_dir_all(&folder).map_err(|source| Error::Io {
            path: folder.clone(),
            source,
        })?;
        let path = folder.join(format!("{}.toml", contract.name));
        std::fs::write(&path, text).map_err(|source| Error::Io { path, source })?;
        Ok(contract)
    }

    /// Returns the contract of a table, or an error naming the tables that exist.
    pub fn get(&self, name: &str) -> Result<&Arc<TableContract>> {
        self.tables
            .iter()
            .find(|contract| contract.name == name)
            .ok_or_else(|| Error::UnknownTable {
                name: name.to_string(),
                known: self.names().join(", "),
            })
    }

    /// Returns every contract, in the order they were defined.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<TableContract>> {
        self.tables.iter()
    }

    /// Returns the table names, in the order they were defined.
    pub fn names(&self) -> Vec<&str> {
        self.tables
            .iter()
            .map(|contract| contract.name.as_str())
            .collect()
    }

    /// Returns true when the table's contract ships with ParkHub.
    pub fn is_builtin(name: &str) -> bool {
        BUILTIN_CONTRACTS
            .iter()
            .any(|(builtin, _)| *builtin == name)
    }
}

/// Returns `new` with the derivations and value aliases of `old`'s columns where `new` does not
/// declare its own, so that a park contract written before a built-in column was derived (or
/// took aliases) keeps what the built-in one does.
fn inherit_column_behaviour(old: &TableContract, mut new: TableContract) -> TableContract {
    for column in &mut new.columns {
        let Some(old_column) = old.column(&column.name) else {
            continue;
        };
        if column.derive.is_none() {
            column.derive.clone_from(&old_column.derive);
        }
        if column.value_aliases.is_empty() && column.allowed == old_column.allowed {
            column.value_aliases.clone_from(&old_column.value_aliases);
        }
    }
    new
}

/// Checks that `new` can replace `old` without rewriting the table: same mode and key, every
/// old column kept with its type, new columns nullable.
fn check_evolution(old: &TableContract, new: &TableContract, source_name: &str) -> Result<()> {
    let refuse = |reason: String| Error::InvalidContract {
        source_name: source_name.to_string(),
        reason,
    };
    if old.mode != new.mode || old.key != new.key {
        return Err(refuse(format!(
            "table '{}' keeps its mode and key ({:?}, {:?})",
            old.name, old.mode, old.key
        )));
    }
    for column in &old.columns {
        match new.column(&column.name) {
            None => {
                return Err(refuse(format!(
                    "column '{}' of table '{}' cannot be removed",
                    column.name, old.name
                )));
            }
            Some(kept) if kept.column_type != column.column_type => {
                return Err(refuse(format!(
                    "column '{}' of table '{}' cannot change type from {:?} to {:?}",
                    column.name, old.name, column.column_type, kept.column_type
                )));
            }
            Some(kept) if kept.required && !column.required => {
                return Err(refuse(format!(
                    "column '{}' of table '{}' must not become required: rows already written may have no value for it",
                    column.name, old.name
                )));
            }
            Some(_) => {}
        }
    }
    for column in &new.columns {
        if old.column(&column.name).is_none() && column.required {
            return Err(refuse(format!(
                "new column '{}' must not be required: rows already in table '{}' have no value for it",
                column.name, old.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_contracts_parse_and_cover_the_park_model() {
        let contracts = Contracts::builtin().expect("built-in contracts parse");
        assert_eq!(contracts.names().len(), 12);
        let enterprises = contracts.get("enterprises").expect("enterprises");
        assert_eq!(enterprises.mode, WriteMode::Upsert);
        assert_eq!(enterprises.key, vec!["uscc"]);
        assert_eq!(
            enterprises.column("land_area_mu").map(|c| c.column_type),
            Some(ColumnType::Float64)
        );
        assert!(
            enterprises
                .column("uscc")
                .is_some_and(|c| c.is_named(" 统一社会信用代码 "))
        );
        let readings = contracts.get("energy_readings").expect("energy_readings");
        assert_eq!(readings.mode, WriteMode::Append);
        assert!(readings.key.is_empty());
    }

    #[test]
    fn lake_schema_appends_lineage_columns() {
        let contracts = Contracts::builtin().expect("built-in contracts parse");
        let schema = contracts
            .get("production_monthly")
            .expect("table")
            .lake_schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names.first(), Some(&"uscc"));
        assert_eq!(
            &names[names.len() - 2..],
            &[BATCH_ID_COLUMN, INGESTED_AT_COLUMN]
        );
        assert!(!schema.field_with_name("uscc").expect("uscc").is_nullable());
        assert!(
            schema
                .field_with_name("profit")
                .expect("profit")
                .is_nullable()
        );
        assert_eq!(
            schema
                .field_with_name("period")
                .expect("period")
                .data_type(),
            &DataType::Date32
        );
    }

    #[test]
    fn park_contracts_add_tables_and_evolve_builtin_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let park_table = "name = \"water_quality\"\ndescription_zh = \"水质\"\ndescription_en = \"water\"\nmode = \"append\"\n\
                          [[columns]]\nname = \"site\"\ntype = \"string\"\nrequired = true\n";
        Contracts::add_park_contract(dir.path(), "water.toml", park_table).expect("added");
        let mut extended = BUILTIN_CONTRACTS[0].1.to_string();
        extended.push_str("\n[[columns]]\nname = \"website\"\ntype = \"string\"\n");
        Contracts::add_park_contract(dir.path(), "enterprises.toml", &extended).expect("extended");
        let contracts = Contracts::load(dir.path()).expect("load");
        assert!(contracts.get("water_quality").is_ok());
        assert!(
            contracts
                .get("enterprises")
                .expect("enterprises")
                .column("website")
                .is_some()
        );

        let required = extended.replace(
            "name = \"website\"\ntype = \"string\"\n",
            "name = \"website\"\ntype = \"string\"\nrequired = true\n",
        );
        let error =
            Contracts::add_park_contract(dir.path(), "e.toml", &required).expect_err("required");
        assert!(
            error
                .to_string()
                .contains("column 'website' of table 'enterprises' must not become required"),
            "{error}"
        );
        let retyped = BUILTIN_CONTRACTS[0].1.replace(
            "name = \"employees\"\ntype = \"int64\"",
            "name = \"employees\"\ntype = \"string\"",
        );
        let error =
            Contracts::add_park_contract(dir.path(), "e.toml", &retyped).expect_err("retyped");
        assert!(error.to_string().contains("cannot change type"), "{error}");
    }

    #[test]
    fn a_park_contract_written_before_derivations_keeps_the_builtin_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let energy = BUILTIN_CONTRACTS
            .iter()
            .find(|(name, _)| *name == "energy_readings")
            .map(|(_, text)| *text)
            .expect("energy_readings");
        let older = energy
            .replace("derive = \"tce_from_energy\"\n", "")
            .split("[columns.value_aliases]")
            .enumerate()
            .map(|(at, part)| {
                // Drops every alias table: the text after each header up to the next column.
                if at == 0 {
                    part.to_string()
                } else {
                    part.find("[[columns]]")
                        .map(|next| part[next..].to_string())
                        .unwrap_or_default()
                }
            })
            .collect::<String>()
            + "\n[[columns]]\nname = \"site\"\ntype = \"string\"\n";
        assert!(
            !older.contains("derive") && !older.contains("value_aliases"),
            "{older}"
        );
        Contracts::add_park_contract(dir.path(), "energy.toml", &older).expect("extended");
        let contracts = Contracts::load(dir.path()).expect("load");
        let readings = contracts.get("energy_readings").expect("energy_readings");
        assert!(readings.column("site").is_some());
        let tce = readings.column("tce").expect("tce");
        assert_eq!(tce.derive.as_deref(), Some("tce_from_energy"));
        let energy_type = readings.column("energy_type").expect("energy_type");
        assert_eq!(energy_type.allowed_value_of("电"), Some("electricity"));
    }

    #[test]
    fn system_contracts_parse() {
        assert_eq!(
            system_contract(QUARANTINE_TABLE).expect("quarantine").mode,
            WriteMode::Append
        );
        assert!(
            system_contract(INGEST_LOG_TABLE)
                .expect("log")
                .column("first_errors")
                .is_some()
        );
        let audit = system_contract(AUDIT_TABLE).expect("audit");
        assert_eq!(audit.mode, WriteMode::Append);
        for column in [
            "at",
            "principal",
            "role",
            "interface",
            "action",
            "statement",
        ] {
            assert!(audit.column(column).is_some(), "{column}");
        }
        for column in ["tables", "rows", "outcome", "policies"] {
            assert!(audit.column(column).is_some(), "{column}");
        }
        assert!(system_contract("_nothing").is_err());
    }

    #[test]
    fn unknown_table_lists_the_known_ones() {
        let contracts = Contracts::builtin().expect("built-in contracts parse");
        let message = contracts
            .get("enterprise")
            .expect_err("unknown")
            .to_string();
        assert!(message.contains("unknown table 'enterprise'"), "{message}");
        assert!(
            message.contains("enterprises, production_monthly"),
            "{message}"
        );
    }

    #[test]
    fn builtin_contracts_round_trip_through_toml() {
        for contract in Contracts::builtin()
            .expect("built-in contracts parse")
            .iter()
        {
            let text = toml::to_string_pretty(contract.as_ref()).expect("serialises");
            let parsed = TableContract::from_toml(&contract.name, &text).expect("parses back");
            assert_eq!(&parsed, contract.as_ref(), "{text}");
        }
    }

    #[test]
    fn value_aliases_and_derivations_are_checked() {
        let contract = |column: &str| {
            format!(
                "name = \"t\"\ndescription_zh = \"\"\ndescription_en = \"\"\nmode = \"append\"\n\
                 [[columns]]\nname = \"code\"\ntype = \"int64\"\n\
                 [[columns]]\nname = \"a\"\ntype = \"string\"\n{column}"
            )
        };
        let refused = |column: &str| {
            TableContract::from_toml("t.toml", &contract(column))
                .expect_err("refused")
                .to_string()
        };
        let good =
            "allowed = [\"x\", \"y\"]\n[columns.value_aliases]\nx = [\"叉\"]\ny = [\"歪\"]\n";
        let parsed = TableContract::from_toml("t.toml", &contract(good)).expect("parses");
        assert_eq!(
            parsed
                .column("a")
                .and_then(|column| column.allowed_value_of(" 叉 ")),
            Some("x")
        );
        assert_eq!(
            refused("allowed = [\"x\"]\n[columns.value_aliases]\nz = [\"叉\"]\n"),
            "contract 't.toml': column 'a': value alias for 'z', which is not an allowed value"
        );
        assert_eq!(
            refused("allowed = [\"x\", \"y\"]\n[columns.value_aliases]\nx = [\"Y\"]\n"),
            "contract 't.toml': column 'a': 'Y' is the allowed value 'y' itself"
        );
        assert_eq!(
            refused(
                "allowed = [\"x\", \"y\"]\n[columns.value_aliases]\nx = [\"叉\"]\ny = [\"叉\"]\n"
            ),
            "contract 't.toml': column 'a': '叉' stands for both 'x' and 'y'"
        );
        assert!(
            refused("derive = \"guess\"\n").contains(
                "column 'a': unknown derivation 'guess' (the derivations are: tce_from_energy, key_industry_from_code)"
            )
        );
        assert_eq!(
            refused("derive = \"key_industry_from_code\"\n"),
            "contract 't.toml': column 'a': derivation 'key_industry_from_code' reads column 'industry_code', which the table does not have"
        );
    }

    #[test]
    fn inconsistent_contracts_are_refused_with_the_reason() {
        let no_key = "name = \"t\"\ndescription_zh = \"\"\ndescription_en = \"\"\nmode = \"upsert\"\n\
                      [[columns]]\nname = \"a\"\ntype = \"string\"\n";
        let message = TableContract::from_toml("t.toml", no_key)
            .expect_err("no key")
            .to_string();
        assert_eq!(message, "contract 't.toml': an upsert table needs a key");

        let unknown_field = "name = \"t\"\ndescription_zh = \"\"\ndescription_en = \"\"\nmode = \"append\"\n\
                             [[columns]]\nname = \"a\"\ntype = \"string\"\nnullable = true\n";
        let message = TableContract::from_toml("t.toml", unknown_field)
            .expect_err("bad key")
            .to_string();
        assert!(message.contains("unknown field `nullable`"), "{message}");

        let bad_type = "name = \"t\"\ndescription_zh = \"\"\ndescription_en = \"\"\nmode = \"append\"\n\
                        [[columns]]\nname = \"a\"\ntype = \"text\"\n";
        let message = TableContract::from_toml("t.toml", bad_type)
            .expect_err("bad type")
            .to_string();
        assert!(message.contains("unknown variant `text`"), "{message}");
    }
}
