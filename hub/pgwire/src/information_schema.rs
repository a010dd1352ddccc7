//! `information_schema` in Postgres's shape (the SQL standard's names, 1-based ordinal
//! positions, `YES` / `NO`, Postgres's type names), over one principal's lake: `schemata`,
//! `tables`, `columns`, `views`, `table_constraints`, `key_column_usage` and
//! `referential_constraints`. DataFusion's own `information_schema` (Arrow type names,
//! 0-based positions) is what HTTP's `/api/sql` keeps.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{MemorySchemaProvider, SchemaProvider};
use datafusion::error::Result;
use parkhub_queries::engine::{CATALOG_NAME, SCHEMA_NAME};

use crate::catalog::{INFORMATION_SCHEMA, LakeCatalog, LakeColumn, PG_CATALOG, Row, memory_table};

/// The owner every schema is reported under (as `pg_namespace` and `pg_class` do).
const OWNER: &str = "postgres";

/// The schema of text columns `names`, with `integers` as `Int32` columns.
fn schema(names: &[&str], integers: &[&str]) -> SchemaRef {
    Arc::new(Schema::new(
        names
            .iter()
            .map(|name| {
                let data_type = if integers.contains(name) {
                    DataType::Int32
                } else {
                    DataType::Utf8
                };
                Field::new(*name, data_type, true)
            })
            .collect::<Vec<_>>(),
    ))
}

/// The `information_schema` of `lake`.
pub(crate) fn schema_provider(lake: &LakeCatalog) -> Result<Arc<dyn SchemaProvider>> {
    let provider = MemorySchemaProvider::new();
    provider.register_table("schemata".into(), schemata()?)?;
    provider.register_table("tables".into(), tables(lake)?)?;
    provider.register_table("columns".into(), columns(lake)?)?;
    provider.register_table("views".into(), views()?)?;
    provider.register_table("table_constraints".into(), table_constraints(lake)?)?;
    provider.register_table("key_column_usage".into(), key_column_usage(lake)?)?;
    provider.register_table("referential_constraints".into(), referential_constraints()?)?;
    Ok(Arc::new(provider))
}

fn schemata() -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "catalog_name",
            "schema_name",
            "schema_owner",
            "default_character_set_catalog",
            "default_character_set_schema",
            "default_character_set_name",
            "sql_path",
        ],
        &[],
    );
    let rows: Vec<Row> = [SCHEMA_NAME, PG_CATALOG, INFORMATION_SCHEMA]
        .into_iter()
        .map(|name| {
            Row::new()
                .with("catalog_name", CATALOG_NAME)
                .with("schema_name", name)
                .with("schema_owner", OWNER)
        })
        .collect();
    memory_table(&schema, &rows)
}

fn tables(lake: &LakeCatalog) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "table_catalog",
            "table_schema",
            "table_name",
            "table_type",
            "self_referencing_column_name",
            "reference_generation",
            "user_defined_type_catalog",
            "user_defined_type_schema",
            "user_defined_type_name",
            "is_insertable_into",
            "is_typed",
            "commit_action",
        ],
        &[],
    );
    let rows: Vec<Row> = lake
        .tables
        .iter()
        .map(|table| {
            Row::new()
                .with("table_catalog", CATALOG_NAME)
                .with("table_schema", SCHEMA_NAME)
                .with("table_name", table.name.as_str())
                .with("table_type", "BASE TABLE")
                .with("is_insertable_into", "NO")
                .with("is_typed", "NO")
        })
        .collect();
    memory_table(&schema, &rows)
}

/// A column's type in the standard's words, with its precision where it has one.
struct StandardType {
    data_type: String,
    numeric_precision: Option<i32>,
    numeric_precision_radix: Option<i32>,
    numeric_scale: Option<i32>,
    datetime_precision: Option<i32>,
    character_octet_length: Option<i32>,
}

fn standard_type(column: &LakeColumn) -> StandardType {
    let mut described = StandardType {
        data_type: String::new(),
        numeric_precision: None,
        numeric_precision_radix: None,
        numeric_scale: None,
        datetime_precision: None,
        character_octet_length: None,
    };
    let (name, precision, scale): (&str, Option<i32>, Option<i32>) = match column.type_name.as_str()
    {
        "int2" => ("smallint", Some(16), Some(0)),
        "int4" => ("integer", Some(32), Some(0)),
        "int8" => ("bigint", Some(64), Some(0)),
        "float4" => ("real", Some(24), None),
        "float8" => ("double precision", Some(53), None),
        "numeric" => ("numeric", None, None),
        "bool" => ("boolean", None, None),
        "text" => ("text", None, None),
        "varchar" => ("character varying", None, None),
        "bpchar" => ("character", None, None),
        "bytea" => ("bytea", None, None),
        "date" => ("date", None, None),
        "time" => ("time without time zone", None, None),
        "timetz" => ("time with time zone", None, None),
        "timestamp" => ("timestamp without time zone", None, None),
        "timestamptz" => ("timestamp with time zone", None, None),
        "interval" => ("interval", None, None),
        "json" => ("json", None, None),
        "jsonb" => ("jsonb", None, None),
        "uuid" => ("uuid", None, None),
        other if other.starts_with('_') => ("ARRAY", None, None),
        other => (other, None, None),
    };
    described.data_type = name.to_string();
    if precision.is_some() {
        described.numeric_precision = precision;
        described.numeric_precision_radix = Some(2);
        described.numeric_scale = scale;
    }
    if column.type_name == "numeric" {
        described.numeric_precision_radix = Some(10);
    }
    match column.type_name.as_str() {
        "date" => described.datetime_precision = Some(0),
        "time" | "timetz" | "timestamp" | "timestamptz" | "interval" => {
            described.datetime_precision = Some(6);
        }
        "text" | "varchar" | "bpchar" => described.character_octet_length = Some(1_073_741_824),
        _ => {}
    }
    described
}

fn columns(lake: &LakeCatalog) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "table_catalog",
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "column_default",
            "is_nullable",
            "data_type",
            "character_maximum_length",
            "character_octet_length",
            "numeric_precision",
            "numeric_precision_radix",
            "numeric_scale",
            "datetime_precision",
            "interval_type",
            "interval_precision",
            "character_set_catalog",
            "character_set_schema",
            "character_set_name",
            "collation_catalog",
            "collation_schema",
            "collation_name",
            "domain_catalog",
            "domain_schema",
            "domain_name",
            "udt_catalog",
            "udt_schema",
            "udt_name",
            "scope_catalog",
            "scope_schema",
            "scope_name",
            "maximum_cardinality",
            "dtd_identifier",
            "is_self_referencing",
            "is_identity",
            "identity_generation",
            "identity_start",
            "identity_increment",
            "identity_maximum",
            "identity_minimum",
            "identity_cycle",
            "is_generated",
            "generation_expression",
            "is_updatable",
        ],
        &[
            "ordinal_position",
            "character_maximum_length",
            "character_octet_length",
            "numeric_precision",
            "numeric_precision_radix",
            "numeric_scale",
            "datetime_precision",
            "interval_precision",
            "maximum_cardinality",
        ],
    );
    let mut rows = Vec::new();
    for table in &lake.tables {
        for column in &table.columns {
            let described = standard_type(column);
            rows.push(
                Row::new()
                    .with("table_catalog", CATALOG_NAME)
                    .with("table_schema", SCHEMA_NAME)
                    .with("table_name", table.name.as_str())
                    .with("column_name", column.name.as_str())
                    .with("ordinal_position", i32::from(column.number))
                    .with("is_nullable", if column.not_null { "NO" } else { "YES" })
                    .with("data_type", described.data_type)
                    .with("character_octet_length", described.character_octet_length)
                    .with("numeric_precision", described.numeric_precision)
                    .with("numeric_precision_radix", described.numeric_precision_radix)
                    .with("numeric_scale", described.numeric_scale)
                    .with("datetime_precision", described.datetime_precision)
                    .with("udt_catalog", CATALOG_NAME)
                    .with("udt_schema", PG_CATALOG)
                    .with("udt_name", column.type_name.as_str())
                    .with("dtd_identifier", column.number.to_string())
                    .with("is_self_referencing", "NO")
                    .with("is_identity", "NO")
                    .with("identity_cycle", "NO")
                    .with("is_generated", "NEVER")
                    .with("is_updatable", "NO"),
            );
        }
    }
    memory_table(&schema, &rows)
}

fn views() -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "table_catalog",
            "table_schema",
            "table_name",
            "view_definition",
            "check_option",
            "is_updatable",
            "is_insertable_into",
            "is_trigger_updatable",
            "is_trigger_deletable",
            "is_trigger_insertable_into",
        ],
        &[],
    );
    memory_table(&schema, &[])
}

fn table_constraints(lake: &LakeCatalog) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "constraint_catalog",
            "constraint_schema",
            "constraint_name",
            "table_catalog",
            "table_schema",
            "table_name",
            "constraint_type",
            "is_deferrable",
            "initially_deferred",
            "enforced",
            "nulls_distinct",
        ],
        &[],
    );
    let rows: Vec<Row> = lake
        .tables
        .iter()
        .filter(|table| !table.key.is_empty())
        .map(|table| {
            Row::new()
                .with("constraint_catalog", CATALOG_NAME)
                .with("constraint_schema", SCHEMA_NAME)
                .with("constraint_name", format!("{}_pkey", table.name))
                .with("table_catalog", CATALOG_NAME)
                .with("table_schema", SCHEMA_NAME)
                .with("table_name", table.name.as_str())
                .with("constraint_type", "PRIMARY KEY")
                .with("is_deferrable", "NO")
                .with("initially_deferred", "NO")
                .with("enforced", "YES")
        })
        .collect();
    memory_table(&schema, &rows)
}

fn key_column_usage(lake: &LakeCatalog) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "constraint_catalog",
            "constraint_schema",
            "constraint_name",
            "table_catalog",
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "position_in_unique_constraint",
        ],
        &["ordinal_position", "position_in_unique_constraint"],
    );
    let mut rows = Vec::new();
    for table in &lake.tables {
        for (position, column) in table.key.iter().enumerate() {
            rows.push(
                Row::new()
                    .with("constraint_catalog", CATALOG_NAME)
                    .with("constraint_schema", SCHEMA_NAME)
                    .with("constraint_name", format!("{}_pkey", table.name))
                    .with("table_catalog", CATALOG_NAME)
                    .with("table_schema", SCHEMA_NAME)
                    .with("table_name", table.name.as_str())
                    .with("column_name", column.as_str())
                    .with(
                        "ordinal_position",
                        i32::try_from(position + 1).unwrap_or(i32::MAX),
                    ),
            );
        }
    }
    memory_table(&schema, &rows)
}

fn referential_constraints() -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let schema = schema(
        &[
            "constraint_catalog",
            "constraint_schema",
            "constraint_name",
            "unique_constraint_catalog",
            "unique_constraint_schema",
            "unique_constraint_name",
            "match_option",
            "update_rule",
            "delete_rule",
        ],
        &[],
    );
    memory_table(&schema, &[])
}
