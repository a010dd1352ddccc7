//! `pg_catalog` and `information_schema` for wire clients, as each principal sees the lake.
//!
//! The base is `datafusion-pg-catalog`'s `pg_catalog` (`pg_class`, `pg_attribute`,
//! `pg_namespace`, `pg_type`, … and its Postgres functions). What client libraries read on
//! top of that is ParkHub's own ([`PgCatalog::session_catalog`]):
//!
//! - table and column comments (`pg_description`, `obj_description`, `col_description`) from
//!   the contracts: a table's Chinese and English descriptions, a column's Chinese name (its
//!   first Chinese alias), description and unit;
//! - the primary keys of upsert tables, which ParkHub enforces (an upsert replaces the row of
//!   a key), as `pg_index` / `pg_constraint` rows and index relations in `pg_class`
//!   (`<table>_pkey`), with `pg_get_indexdef` and `pg_get_constraintdef`;
//! - `pg_settings` with the settings drivers ask for (`max_index_keys`, …);
//! - `information_schema` ([`crate::information_schema`]) in Postgres's shape, instead of
//!   DataFusion's.
//!
//! psql's `\d table` first looks the table's oid up in `pg_class`, then asks `pg_attribute`
//! for the columns of that oid in a later statement; the oids must therefore stay the same
//! from one statement to the next. The query engine plans every statement in a fresh session,
//! so a connection's catalog is built once per principal policy, over a catalog of its own
//! that holds the lake schema as that principal sees it (only the tables it may read: no
//! catalog table, view or function names a hidden table), and kept by the connection. The
//! oids of the lake's tables are assigned when the catalog is built, in name order.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{Array, ArrayRef, ListArray, RecordBatch, new_empty_array};
use datafusion::arrow::datatypes::{DataType, Field, Int16Type, Schema, SchemaRef};
use datafusion::catalog::{
    CatalogProviderList, MemTable, SchemaProvider, TableFunctionImpl, TableProvider,
};
use datafusion::datasource::TableType;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry as _;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{Expr, ScalarUDF, Volatility, create_udf, when};
use datafusion::prelude::{SessionConfig, SessionContext, col, lit};
use datafusion::scalar::ScalarValue;
use datafusion_pg_catalog::pg_catalog::catalog_info::CatalogInfo;
use datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider;
use datafusion_pg_catalog::pg_catalog::oid_field::{kind, oid_field};
use datafusion_pg_catalog::pg_catalog::oid_type_planner::PgOidTypePlanner;
use datafusion_pg_catalog::pg_catalog::{
    PgCatalogSchemaProvider, PgCatalogStaticTables, setup_pg_catalog,
};
use datafusion_postgres::datafusion_pg_catalog;
use parkhub_connectors::contract::{BATCH_ID_COLUMN, INGESTED_AT_COLUMN};
use parkhub_connectors::{ColumnContract, TableContract};
use parkhub_queries::QueryEngine;
use parkhub_queries::engine::{CATALOG_NAME, SCHEMA_NAME};

use crate::functions::{CatalogFunctions, PrimaryKey};

/// The schema name of the Postgres system catalog.
pub const PG_CATALOG: &str = "pg_catalog";

/// The schema name of the SQL standard's catalog views.
pub const INFORMATION_SCHEMA: &str = "information_schema";

/// Index relations (`<table>_pkey`) take this plus their table's oid (the tables' oids are
/// small: they count up from 16384).
const INDEX_OID_BASE: i32 = 1_000_000_000;

/// Primary key constraints take this plus their table's oid.
const CONSTRAINT_OID_BASE: i32 = 1_500_000_000;

/// Settings of a Postgres server that ParkHub's are fixed to (beyond the session's).
const FIXED_SETTINGS: &[(&str, &str)] = &[
    ("max_index_keys", "32"),
    ("block_size", "8192"),
    ("max_connections", "256"),
    ("default_table_access_method", "heap"),
];

/// The oid of the `btree` access method in `pg_am`.
const BTREE_OID: i32 = 403;

/// The Postgres version wire clients are told (the version pgwire reports at startup).
pub(crate) fn server_version() -> String {
    datafusion_postgres::pgwire::api::auth::DefaultServerParameterProvider::default().server_version
}

/// What every wire session gets on top of the lake: `pg_catalog` and the Postgres functions.
pub(crate) struct PgCatalog {
    /// The tables of `pg_catalog` that do not depend on the lake, shared by every principal.
    static_tables: Arc<PgCatalogStaticTables>,
    /// The scalar functions `datafusion-pg-catalog` adds or replaces, `version()` and the
    /// server-wide functions of [`crate::functions`].
    functions: Vec<Arc<ScalarUDF>>,
    /// The table functions it adds or replaces (`pg_get_keywords`, the widened
    /// `generate_series`).
    table_functions: Vec<(String, Arc<dyn TableFunctionImpl>)>,
}

/// One principal's catalog: kept by its connections for as long as its policy holds.
pub(crate) struct SessionCatalog {
    pg_catalog: Arc<dyn SchemaProvider>,
    information_schema: Arc<dyn SchemaProvider>,
    /// The functions that answer from this catalog (comments, keys, the user).
    functions: Vec<Arc<ScalarUDF>>,
}

fn config() -> SessionConfig {
    SessionConfig::new()
        .with_default_catalog_and_schema(CATALOG_NAME, SCHEMA_NAME)
        .with_create_default_catalog_and_schema(true)
        .with_information_schema(true)
}

impl PgCatalog {
    /// Prepares the parts of `pg_catalog` every principal shares.
    pub(crate) fn new() -> Result<PgCatalog> {
        // The functions setup_pg_catalog adds or replaces: those that differ from a plain
        // session's (the lake does not matter for them).
        let catalog_context = SessionContext::new_with_config(config());
        setup_pg_catalog(&catalog_context, CATALOG_NAME, EmptyContextProvider)
            .map_err(|error| *error)?;
        let plain_state = SessionContext::new_with_config(config()).state();
        let pg_state = catalog_context.state();
        let mut functions: Vec<Arc<ScalarUDF>> = pg_state
            .scalar_functions()
            .iter()
            .filter(|(name, function)| {
                plain_state
                    .scalar_functions()
                    .get(*name)
                    .is_none_or(|plain| !Arc::ptr_eq(plain, function))
            })
            .map(|(_, function)| Arc::clone(function))
            .collect();
        functions.push(Arc::new(version_function()));
        let plain_table_functions: HashMap<_, _> = plain_state
            .table_functions()
            .iter()
            .map(|(name, function)| (name.clone(), Arc::clone(function.function())))
            .collect();
        let table_functions = pg_state
            .table_functions()
            .iter()
            .filter(|(name, function)| {
                plain_table_functions
                    .get(*name)
                    .is_none_or(|plain| !Arc::ptr_eq(plain, function.function()))
            })
            .map(|(name, function)| (name.clone(), Arc::clone(function.function())))
            .collect();
        let static_tables = Arc::new(PgCatalogStaticTables::try_new()?);
        // Registered after the library's, so that ours replace theirs of the same name.
        functions.extend(crate::functions::server_functions(type_oids(
            &static_tables,
        )?));
        Ok(PgCatalog {
            static_tables,
            functions,
            table_functions,
        })
    }

    /// Builds the catalog of `engine`'s principal (its tables only), for the token `user`.
    /// Its oids are stable for as long as it is kept.
    pub(crate) async fn session_catalog(
        &self,
        engine: &QueryEngine,
        user: &str,
    ) -> Result<SessionCatalog> {
        let catalog_context = SessionContext::new_with_config(config());
        let lake_schema = Arc::new(engine.lake_schema());
        our_catalog(&catalog_context)?.register_schema(SCHEMA_NAME, lake_schema)?;
        let library: Arc<dyn SchemaProvider> = Arc::new(PgCatalogSchemaProvider::try_new(
            SortedCatalogs(catalog_context.state().catalog_list().clone()),
            Arc::clone(&self.static_tables),
            EmptyContextProvider,
        )?);
        // pg_class lists pg_catalog's own tables too, as in Postgres.
        our_catalog(&catalog_context)?.register_schema(PG_CATALOG, Arc::clone(&library))?;

        let lake = LakeCatalog::read(&catalog_context, engine).await?;
        let mut overrides: HashMap<&'static str, Arc<dyn TableProvider>> = HashMap::new();
        overrides.insert("pg_class", lake.pg_class(&catalog_context, &library).await?);
        overrides.insert("pg_description", lake.pg_description(&self.static_tables)?);
        overrides.insert("pg_index", lake.pg_index()?);
        overrides.insert("pg_constraint", lake.pg_constraint()?);
        overrides.insert(
            "pg_settings",
            pg_settings(&library, engine.limits().timeout().as_secs()).await?,
        );
        let pg_catalog: Arc<dyn SchemaProvider> = Arc::new(WirePgCatalog { library, overrides });
        let information_schema = crate::information_schema::schema_provider(&lake)?;
        Ok(SessionCatalog {
            pg_catalog,
            information_schema,
            functions: lake
                .functions(user, settings(engine.limits().timeout().as_secs()))
                .into_functions(),
        })
    }

    /// Adds `catalog`'s `pg_catalog` and `information_schema` (in place of DataFusion's), the
    /// Postgres functions and the Postgres type names (`regclass`, …) to a session of the
    /// engine.
    pub(crate) fn install(&self, context: &SessionContext, catalog: &SessionCatalog) -> Result<()> {
        let ours = our_catalog(context)?;
        ours.register_schema(PG_CATALOG, Arc::clone(&catalog.pg_catalog))?;
        ours.register_schema(INFORMATION_SCHEMA, Arc::clone(&catalog.information_schema))?;
        let state = context.state_ref();
        let mut state = state.write();
        for function in self.functions.iter().chain(&catalog.functions) {
            state.register_udf(Arc::clone(function))?;
        }
        for (name, function) in &self.table_functions {
            state.register_udtf(name, Arc::clone(function));
        }
        // information_schema is ours (registered above), not DataFusion's.
        state.config_mut().options_mut().catalog.information_schema = false;
        *state = SessionStateBuilder::new_from_existing(state.clone())
            .with_type_planner(Arc::new(PgOidTypePlanner))
            .build();
        Ok(())
    }
}

fn our_catalog(context: &SessionContext) -> Result<Arc<dyn datafusion::catalog::CatalogProvider>> {
    context
        .catalog(CATALOG_NAME)
        .ok_or_else(|| DataFusionError::Internal(format!("no catalog {CATALOG_NAME}")))
}

/// The oids of `pg_type`'s types by name, and of their array types by `[]<element oid>`.
fn type_oids(static_tables: &PgCatalogStaticTables) -> Result<HashMap<String, i32>> {
    let mut oids = HashMap::new();
    for batch in static_tables.pg_type.data() {
        let names = text_column(batch, "typname")?;
        let type_oids = integer_column(batch, "oid")?;
        let elements = integer_column(batch, "typelem")?;
        for ((name, oid), element) in names.into_iter().zip(type_oids).zip(elements) {
            let (Some(name), Some(oid)) = (name, oid) else {
                continue;
            };
            let oid = i32::try_from(oid).unwrap_or_default();
            if let Some(element) = element.filter(|element| *element != 0)
                && name.starts_with('_')
            {
                oids.insert(format!("[]{element}"), oid);
            }
            oids.insert(name, oid);
        }
    }
    Ok(oids)
}

/// The catalogs and schemas in name order, so that oids are assigned in the same order on
/// every connection.
#[derive(Debug, Clone)]
struct SortedCatalogs(Arc<dyn CatalogProviderList>);

#[async_trait]
impl CatalogInfo for SortedCatalogs {
    async fn catalog_names(&self) -> Result<Vec<String>> {
        let mut names = CatalogProviderList::catalog_names(self.0.as_ref());
        names.sort();
        Ok(names)
    }

    async fn schema_names(&self, catalog_name: &str) -> Result<Option<Vec<String>>> {
        let mut names = CatalogInfo::schema_names(&self.0, catalog_name).await?;
        if let Some(names) = &mut names {
            names.sort();
        }
        Ok(names)
    }

    async fn table_names(
        &self,
        catalog_name: &str,
        schema_name: &str,
    ) -> Result<Option<Vec<String>>> {
        let mut names = CatalogInfo::table_names(&self.0, catalog_name, schema_name).await?;
        if let Some(names) = &mut names {
            names.sort();
        }
        Ok(names)
    }

    async fn table_schema(
        &self,
        catalog_name: &str,
        schema_name: &str,
        table_name: &str,
    ) -> Result<Option<SchemaRef>> {
        CatalogInfo::table_schema(&self.0, catalog_name, schema_name, table_name).await
    }

    async fn table_type(
        &self,
        catalog_name: &str,
        schema_name: &str,
        table_name: &str,
    ) -> Result<Option<TableType>> {
        CatalogInfo::table_type(&self.0, catalog_name, schema_name, table_name).await
    }
}

/// `pg_catalog` with ParkHub's tables in place of some of the library's.
#[derive(Debug)]
struct WirePgCatalog {
    library: Arc<dyn SchemaProvider>,
    overrides: HashMap<&'static str, Arc<dyn TableProvider>>,
}

#[async_trait]
impl SchemaProvider for WirePgCatalog {
    fn table_names(&self) -> Vec<String> {
        self.library.table_names()
    }

    async fn table(&self, name: &str) -> Result<Option<Arc<dyn TableProvider>>> {
        match self.overrides.get(name) {
            Some(table) => Ok(Some(Arc::clone(table))),
            None => self.library.table(name).await,
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.overrides.contains_key(name) || self.library.table_exist(name)
    }
}

/// A column of a lake table as `pg_attribute` shows it, with its comment.
#[derive(Debug, Clone)]
pub(crate) struct LakeColumn {
    pub(crate) name: String,
    /// `attnum`: 1, 2, …
    pub(crate) number: i16,
    pub(crate) not_null: bool,
    /// `pg_type.typname` (`int8`, `text`, `timestamptz`).
    pub(crate) type_name: String,
    pub(crate) comment: Option<String>,
}

/// A lake table as `pg_class` shows it, with its comment and primary key.
#[derive(Debug, Clone)]
pub(crate) struct LakeTable {
    pub(crate) oid: i32,
    pub(crate) name: String,
    pub(crate) comment: Option<String>,
    pub(crate) columns: Vec<LakeColumn>,
    /// The key columns of an upsert table, in order; empty for an append table.
    pub(crate) key: Vec<String>,
}

impl LakeTable {
    fn primary_key(&self) -> Option<PrimaryKey> {
        (!self.key.is_empty()).then(|| PrimaryKey {
            schema: SCHEMA_NAME.to_string(),
            table: self.name.clone(),
            name: format!("{}_pkey", self.name),
            columns: self.key.clone(),
        })
    }

    fn key_numbers(&self) -> Vec<i16> {
        self.key
            .iter()
            .filter_map(|key| {
                self.columns
                    .iter()
                    .find(|column| &column.name == key)
                    .map(|column| column.number)
            })
            .collect()
    }
}

/// The lake as one principal's `pg_catalog` numbers it.
#[derive(Debug)]
pub(crate) struct LakeCatalog {
    /// The oid of the `lake` namespace.
    pub(crate) namespace_oid: i32,
    /// The oid of `pg_catalog.pg_class`, the `classoid` of table and column comments.
    pub(crate) pg_class_oid: i32,
    pub(crate) tables: Vec<LakeTable>,
}

impl LakeCatalog {
    /// Reads the principal's tables and columns from the library's `pg_class` and
    /// `pg_attribute` in `catalog_context` (which assigns their oids), and their comments and
    /// keys from the contracts.
    async fn read(catalog_context: &SessionContext, engine: &QueryEngine) -> Result<LakeCatalog> {
        let relations = collect(
            catalog_context,
            "SELECT c.oid, c.relname, n.nspname, n.oid AS nspoid \
             FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid",
        )
        .await?;
        let mut namespace_oid = None;
        let mut pg_class_oid = None;
        let mut tables = Vec::new();
        for batch in &relations {
            let oids = integer_column(batch, "oid")?;
            let names = text_column(batch, "relname")?;
            let namespaces = text_column(batch, "nspname")?;
            let namespace_oids = integer_column(batch, "nspoid")?;
            for (((oid, name), namespace), namespace_oid_value) in oids
                .into_iter()
                .zip(names)
                .zip(namespaces)
                .zip(namespace_oids)
            {
                let (Some(oid), Some(name), Some(namespace)) = (oid, name, namespace) else {
                    continue;
                };
                let oid = i32::try_from(oid).unwrap_or_default();
                match namespace.as_str() {
                    SCHEMA_NAME => {
                        namespace_oid = namespace_oid_value;
                        let contract = contract_of(engine, &name);
                        tables.push(LakeTable {
                            oid,
                            comment: contract.as_ref().map(|contract| contract.description()),
                            key: contract
                                .as_ref()
                                .map(|contract| contract.key.clone())
                                .unwrap_or_default(),
                            name,
                            columns: Vec::new(),
                        });
                    }
                    PG_CATALOG if name == "pg_class" => pg_class_oid = Some(oid),
                    _ => {}
                }
            }
        }
        tables.sort_by(|left, right| left.name.cmp(&right.name));

        let attributes = collect(
            catalog_context,
            "SELECT a.attrelid, a.attname, a.attnum, a.attnotnull, t.typname \
             FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_type t ON a.atttypid = t.oid \
             WHERE a.attnum > 0",
        )
        .await?;
        let mut by_oid: HashMap<i32, usize> = HashMap::new();
        for (index, table) in tables.iter().enumerate() {
            by_oid.insert(table.oid, index);
        }
        for batch in &attributes {
            let relations = integer_column(batch, "attrelid")?;
            let names = text_column(batch, "attname")?;
            let numbers = integer_column(batch, "attnum")?;
            let not_nulls = boolean_column(batch, "attnotnull")?;
            let type_names = text_column(batch, "typname")?;
            for (index, relation) in relations.into_iter().enumerate() {
                let Some(&table_index) = relation
                    .and_then(|relation| i32::try_from(relation).ok())
                    .and_then(|relation| by_oid.get(&relation))
                else {
                    continue;
                };
                let table = &mut tables[table_index];
                let Some(name) = names[index].clone() else {
                    continue;
                };
                let contract = contract_of(engine, &table.name);
                let comment = column_comment(contract.as_deref(), &name);
                table.columns.push(LakeColumn {
                    number: numbers[index]
                        .and_then(|number| i16::try_from(number).ok())
                        .unwrap_or_default(),
                    not_null: not_nulls[index].unwrap_or(false),
                    type_name: type_names[index].clone().unwrap_or_default(),
                    comment,
                    name,
                });
            }
        }
        for table in &mut tables {
            table.columns.sort_by_key(|column| column.number);
        }
        Ok(LakeCatalog {
            namespace_oid: namespace_oid
                .and_then(|oid| i32::try_from(oid).ok())
                .unwrap_or_default(),
            pg_class_oid: pg_class_oid.unwrap_or(1259),
            tables,
        })
    }

    fn index_oid(table: &LakeTable) -> i32 {
        INDEX_OID_BASE + table.oid
    }

    fn constraint_oid(table: &LakeTable) -> i32 {
        CONSTRAINT_OID_BASE + table.oid
    }

    /// The lookups of the catalog functions.
    fn functions(&self, user: &str, settings: Vec<(String, String)>) -> CatalogFunctions {
        let mut functions = CatalogFunctions {
            user: user.to_string(),
            settings: settings.into_iter().collect(),
            ..CatalogFunctions::default()
        };
        for table in &self.tables {
            if let Some(comment) = &table.comment {
                functions
                    .comments
                    .insert((i64::from(table.oid), 0), comment.clone());
            }
            for column in &table.columns {
                if let Some(comment) = &column.comment {
                    functions.comments.insert(
                        (i64::from(table.oid), i64::from(column.number)),
                        comment.clone(),
                    );
                }
            }
            if let Some(key) = table.primary_key() {
                functions
                    .indexes
                    .insert(i64::from(Self::index_oid(table)), key.clone());
                functions
                    .constraints
                    .insert(i64::from(Self::constraint_oid(table)), key);
            }
        }
        functions
    }

    /// The library's `pg_class` with the tables' primary key indexes (`relkind = 'i'`),
    /// `relhasindex` for the tables that have one, and the `reloptions` and `relacl` columns
    /// clients read (always empty).
    async fn pg_class(
        &self,
        catalog_context: &SessionContext,
        library: &Arc<dyn SchemaProvider>,
    ) -> Result<Arc<dyn TableProvider>> {
        let class = library
            .table("pg_class")
            .await?
            .ok_or_else(|| DataFusionError::Internal("no pg_class".into()))?;
        let frame = catalog_context.read_table(class)?;
        let keyed: Vec<Expr> = self
            .tables
            .iter()
            .filter(|table| !table.key.is_empty())
            .map(|table| lit(table.oid))
            .collect();
        let mut columns: Vec<Expr> = Vec::new();
        for field in frame.schema().fields() {
            let name = field.name();
            if name == "relhasindex" && !keyed.is_empty() {
                columns.push(
                    when(col("oid").in_list(keyed.clone(), false), lit(true))
                        .otherwise(col("relhasindex"))?
                        .alias("relhasindex"),
                );
            } else {
                columns.push(col(format!("\"{name}\"")));
            }
        }
        for extra in ["reloptions", "relacl"] {
            columns.push(lit(ScalarValue::new_null_list(DataType::Utf8, true, 1)).alias(extra));
        }
        let frame = frame.select(columns)?;
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let rows: Vec<Row> = self
            .tables
            .iter()
            .filter(|table| !table.key.is_empty())
            .map(|table| {
                let oid = Self::index_oid(table);
                Row::new()
                    .with("oid", oid)
                    .with("relname", format!("{}_pkey", table.name))
                    .with("relnamespace", self.namespace_oid)
                    .with("relam", BTREE_OID)
                    .with("relfilenode", oid)
                    .with("relpages", 1_i32)
                    .with("relpersistence", "p")
                    .with("relkind", "i")
                    .with(
                        "relnatts",
                        i16::try_from(table.key.len()).unwrap_or(i16::MAX),
                    )
                    .with("relispopulated", true)
                    .with("relreplident", "n")
                    .with("relpartbound", "")
            })
            .collect();
        let indexes = catalog_context.read_batch(batch(&schema, &rows)?)?;
        Ok(frame.union(indexes)?.into_view())
    }

    /// The library's `pg_description` (the comments of Postgres's own functions and types)
    /// with the lake's table and column comments.
    fn pg_description(
        &self,
        static_tables: &PgCatalogStaticTables,
    ) -> Result<Arc<dyn TableProvider>> {
        let schema = static_tables.pg_description.schema();
        let mut rows = Vec::new();
        for table in &self.tables {
            let comments = std::iter::once((0_i32, &table.comment)).chain(
                table
                    .columns
                    .iter()
                    .map(|column| (i32::from(column.number), &column.comment)),
            );
            for (subid, comment) in comments {
                if let Some(comment) = comment {
                    rows.push(
                        Row::new()
                            .with("objoid", table.oid)
                            .with("classoid", self.pg_class_oid)
                            .with("objsubid", subid)
                            .with("description", comment.as_str()),
                    );
                }
            }
        }
        let mut batches = static_tables.pg_description.data().to_vec();
        batches.push(batch(&schema, &rows)?);
        Ok(Arc::new(MemTable::try_new(schema, vec![batches])?))
    }

    /// One `pg_index` row per primary key (the library's rows describe Postgres's own
    /// system catalogs, which ParkHub does not have).
    fn pg_index(&self) -> Result<Arc<dyn TableProvider>> {
        let schema = Arc::new(Schema::new(vec![
            oid_field("indexrelid", kind::OID, false),
            oid_field("indrelid", kind::OID, false),
            Field::new("indnatts", DataType::Int16, false),
            Field::new("indnkeyatts", DataType::Int16, false),
            Field::new("indisunique", DataType::Boolean, false),
            Field::new("indnullsnotdistinct", DataType::Boolean, false),
            Field::new("indisprimary", DataType::Boolean, false),
            Field::new("indisexclusion", DataType::Boolean, false),
            Field::new("indimmediate", DataType::Boolean, false),
            Field::new("indisclustered", DataType::Boolean, false),
            Field::new("indisvalid", DataType::Boolean, false),
            Field::new("indcheckxmin", DataType::Boolean, false),
            Field::new("indisready", DataType::Boolean, false),
            Field::new("indislive", DataType::Boolean, false),
            Field::new("indisreplident", DataType::Boolean, false),
            list_field("indkey", DataType::Int16),
            list_field("indcollation", DataType::Int32),
            list_field("indclass", DataType::Int32),
            list_field("indoption", DataType::Int16),
            Field::new("indexprs", DataType::Utf8, true),
            Field::new("indpred", DataType::Utf8, true),
        ]));
        let rows: Vec<Row> = self
            .tables
            .iter()
            .filter(|table| !table.key.is_empty())
            .map(|table| {
                let numbers = table.key_numbers();
                let count = i16::try_from(numbers.len()).unwrap_or(i16::MAX);
                Row::new()
                    .with("indexrelid", Self::index_oid(table))
                    .with("indrelid", table.oid)
                    .with("indnatts", count)
                    .with("indnkeyatts", count)
                    .with("indisunique", true)
                    .with("indisprimary", true)
                    .with("indimmediate", true)
                    .with("indisvalid", true)
                    .with("indisready", true)
                    .with("indislive", true)
                    .with("indkey", int16_list(&numbers))
                    .with("indcollation", int32_list(&vec![0; numbers.len()]))
                    .with("indclass", int32_list(&vec![0; numbers.len()]))
                    .with("indoption", int16_list(&vec![0; numbers.len()]))
            })
            .collect();
        memory_table(&schema, &rows)
    }

    /// One `pg_constraint` row (`contype = 'p'`) per primary key.
    fn pg_constraint(&self) -> Result<Arc<dyn TableProvider>> {
        let schema = Arc::new(Schema::new(vec![
            oid_field("oid", kind::OID, false),
            Field::new("conname", DataType::Utf8, false),
            oid_field("connamespace", kind::OID, false),
            Field::new("contype", DataType::Utf8, false),
            Field::new("condeferrable", DataType::Boolean, false),
            Field::new("condeferred", DataType::Boolean, false),
            Field::new("convalidated", DataType::Boolean, false),
            oid_field("conrelid", kind::OID, false),
            oid_field("contypid", kind::OID, false),
            oid_field("conindid", kind::OID, false),
            oid_field("conparentid", kind::OID, false),
            oid_field("confrelid", kind::OID, false),
            Field::new("confupdtype", DataType::Utf8, false),
            Field::new("confdeltype", DataType::Utf8, false),
            Field::new("confmatchtype", DataType::Utf8, false),
            Field::new("conislocal", DataType::Boolean, false),
            Field::new("coninhcount", DataType::Int16, false),
            Field::new("connoinherit", DataType::Boolean, false),
            list_field("conkey", DataType::Int16),
            list_field("confkey", DataType::Int16),
            list_field("conpfeqop", DataType::Int32),
            list_field("conppeqop", DataType::Int32),
            list_field("conffeqop", DataType::Int32),
            list_field("confdelsetcols", DataType::Int16),
            list_field("conexclop", DataType::Int32),
            Field::new("conbin", DataType::Utf8, true),
        ]));
        let rows: Vec<Row> = self
            .tables
            .iter()
            .filter(|table| !table.key.is_empty())
            .map(|table| {
                Row::new()
                    .with("oid", Self::constraint_oid(table))
                    .with("conname", format!("{}_pkey", table.name))
                    .with("connamespace", self.namespace_oid)
                    .with("contype", "p")
                    .with("convalidated", true)
                    .with("conrelid", table.oid)
                    .with("conindid", Self::index_oid(table))
                    .with("confupdtype", " ")
                    .with("confdeltype", " ")
                    .with("confmatchtype", " ")
                    .with("conislocal", true)
                    .with("connoinherit", true)
                    .with("conkey", int16_list(&table.key_numbers()))
            })
            .collect();
        memory_table(&schema, &rows)
    }
}

/// The settings `pg_settings` and `current_setting` answer, by name.
fn settings(time_limit_seconds: u64) -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = FIXED_SETTINGS
        .iter()
        .map(|(name, value)| ((*name).to_string(), (*value).to_string()))
        .collect();
    for name in crate::session::SETTINGS {
        if let Some(value) = crate::session::default_value(name, time_limit_seconds) {
            settings.push(((*name).to_string(), value));
        }
    }
    settings
}

/// `pg_settings`: the settings clients read (pgjdbc asks `max_index_keys` before it lists
/// foreign keys), with the library's columns.
async fn pg_settings(
    library: &Arc<dyn SchemaProvider>,
    time_limit_seconds: u64,
) -> Result<Arc<dyn TableProvider>> {
    let schema = library
        .table("pg_settings")
        .await?
        .ok_or_else(|| DataFusionError::Internal("no pg_settings".into()))?
        .schema();
    let rows: Vec<Row> = settings(time_limit_seconds)
        .into_iter()
        .map(|(name, setting)| Row::new().with("name", name).with("setting", setting))
        .collect();
    memory_table(&schema, &rows)
}

/// The contract of a lake table: a park or built-in one, or a system table's.
fn contract_of(engine: &QueryEngine, name: &str) -> Option<Arc<TableContract>> {
    engine.contracts().get(name).ok().cloned().or_else(|| {
        parkhub_connectors::contract::system_contract(name)
            .ok()
            .map(Arc::new)
    })
}

/// A column's comment: its Chinese name (the first alias in Chinese) and its description,
/// with its unit; for the lineage columns, what they record.
fn column_comment(contract: Option<&TableContract>, name: &str) -> Option<String> {
    match name {
        BATCH_ID_COLUMN => return Some("入湖批次 / the ingest batch that wrote the row".into()),
        INGESTED_AT_COLUMN => {
            return Some("入湖时间 / when the row was written to the lake".into());
        }
        _ => {}
    }
    let column: &ColumnContract = contract?.column(name)?;
    let chinese = column
        .aliases
        .iter()
        .find(|alias| alias.chars().any(is_chinese))
        .filter(|alias| !column.description.contains(alias.as_str()));
    let mut comment = match (chinese, column.description.is_empty()) {
        (Some(alias), false) => format!("{alias} / {}", column.description),
        (Some(alias), true) => alias.clone(),
        (None, false) => column.description.clone(),
        (None, true) => return None,
    };
    if let Some(unit) = &column.unit
        && !comment.contains(unit.as_str())
    {
        comment.push_str(&format!(" ({unit})"));
    }
    Some(comment)
}

fn is_chinese(character: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&character) || ('\u{3400}'..='\u{4dbf}').contains(&character)
}

/// Runs `sql` in `context` and returns its batches.
async fn collect(context: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    context.sql(sql).await?.collect().await
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| DataFusionError::Internal(format!("no column {name}")))
}

/// A column's values as integers.
pub(crate) fn integer_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<i64>>> {
    let cast = datafusion::arrow::compute::cast(column(batch, name)?, &DataType::Int64)?;
    Ok(cast
        .as_any()
        .downcast_ref::<datafusion::arrow::array::Int64Array>()
        .map(|values| values.iter().collect())
        .unwrap_or_default())
}

/// A column's values as text.
pub(crate) fn text_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>> {
    let cast = datafusion::arrow::compute::cast(column(batch, name)?, &DataType::Utf8)?;
    Ok(cast
        .as_any()
        .downcast_ref::<datafusion::arrow::array::StringArray>()
        .map(|values| {
            values
                .iter()
                .map(|value| value.map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

fn boolean_column(batch: &RecordBatch, name: &str) -> Result<Vec<Option<bool>>> {
    let cast = datafusion::arrow::compute::cast(column(batch, name)?, &DataType::Boolean)?;
    Ok(cast
        .as_any()
        .downcast_ref::<datafusion::arrow::array::BooleanArray>()
        .map(|values| values.iter().collect())
        .unwrap_or_default())
}

/// A nullable list column of `element`s.
pub(crate) fn list_field(name: &str, element: DataType) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", element, true))),
        true,
    )
}

fn int16_list(values: &[i16]) -> ScalarValue {
    ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<Int16Type, _, _>(
        vec![Some(values.iter().copied().map(Some).collect::<Vec<_>>())],
    )))
}

fn int32_list(values: &[i32]) -> ScalarValue {
    ScalarValue::List(Arc::new(ListArray::from_iter_primitive::<
        datafusion::arrow::datatypes::Int32Type,
        _,
        _,
    >(vec![Some(
        values.iter().copied().map(Some).collect::<Vec<_>>(),
    )])))
}

/// A catalog row: the values of some columns; the others take their type's empty value
/// ([`batch`]).
#[derive(Debug, Default, Clone)]
pub(crate) struct Row(HashMap<&'static str, ScalarValue>);

impl Row {
    pub(crate) fn new() -> Row {
        Row::default()
    }

    pub(crate) fn with(mut self, name: &'static str, value: impl Into<ScalarValue>) -> Row {
        self.0.insert(name, value.into());
        self
    }
}

/// `rows` as a batch of `schema`: a column a row does not give is null when it may be, else
/// `0`, `false` or `''`.
pub(crate) fn batch(schema: &SchemaRef, rows: &[Row]) -> Result<RecordBatch> {
    let columns = schema
        .fields()
        .iter()
        .map(|field| -> Result<ArrayRef> {
            if rows.is_empty() {
                return Ok(new_empty_array(field.data_type()));
            }
            let values = rows
                .iter()
                .map(|row| match row.0.get(field.name().as_str()) {
                    Some(value) => value.cast_to(field.data_type()),
                    None => empty_value(field),
                })
                .collect::<Result<Vec<_>>>()?;
            let array = ScalarValue::iter_to_array(values)?;
            if array.data_type() == field.data_type() {
                Ok(array)
            } else {
                Ok(datafusion::arrow::compute::cast(&array, field.data_type())?)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

fn empty_value(field: &Field) -> Result<ScalarValue> {
    if field.is_nullable() {
        return ScalarValue::try_from(field.data_type());
    }
    Ok(match field.data_type() {
        DataType::Boolean => ScalarValue::Boolean(Some(false)),
        DataType::Int16 => ScalarValue::Int16(Some(0)),
        DataType::Int32 => ScalarValue::Int32(Some(0)),
        DataType::Int64 => ScalarValue::Int64(Some(0)),
        DataType::Float32 => ScalarValue::Float32(Some(0.0)),
        DataType::Float64 => ScalarValue::Float64(Some(0.0)),
        DataType::Utf8 => ScalarValue::Utf8(Some(String::new())),
        other => ScalarValue::try_from(other)?,
    })
}

/// `rows` as an in-memory table of `schema`.
pub(crate) fn memory_table(schema: &SchemaRef, rows: &[Row]) -> Result<Arc<dyn TableProvider>> {
    Ok(Arc::new(MemTable::try_new(
        Arc::clone(schema),
        vec![vec![batch(schema, rows)?]],
    )?))
}

/// `version()` as Postgres clients expect it: `PostgreSQL <version> …` (some tools parse it).
fn version_function() -> ScalarUDF {
    let version = format!(
        "PostgreSQL {} (ParkHub {}, Apache DataFusion {}; read-only)",
        server_version(),
        env!("CARGO_PKG_VERSION"),
        datafusion::DATAFUSION_VERSION
    );
    create_udf(
        "version",
        vec![],
        datafusion::arrow::datatypes::DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |_arguments| {
            Ok(datafusion::logical_expr::ColumnarValue::Scalar(
                datafusion::scalar::ScalarValue::Utf8(Some(version.clone())),
            ))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_comments_name_the_column_in_chinese_and_english_with_its_unit() {
        let contract = parkhub_connectors::Contracts::builtin().expect("contracts");
        let production = contract.get("production_monthly").expect("production");
        assert_eq!(
            column_comment(Some(production), "output_value").as_deref(),
            Some("工业总产值 / Gross industrial output value (10k_yuan)")
        );
        assert_eq!(
            column_comment(Some(production), BATCH_ID_COLUMN).as_deref(),
            Some("入湖批次 / the ingest batch that wrote the row")
        );
        assert_eq!(column_comment(Some(production), "no_such_column"), None);
    }

    #[test]
    fn rows_fill_the_columns_they_do_not_give() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int32, false),
            Field::new("b", DataType::Utf8, true),
            list_field("c", DataType::Int16),
        ]));
        let built = batch(
            &schema,
            &[Row::new().with("a", 7_i32).with("c", int16_list(&[1, 2]))],
        )
        .expect("batch");
        assert_eq!(built.num_rows(), 1);
        assert!(built.column(1).is_null(0));
        assert!(batch(&schema, &[]).expect("empty").num_rows() == 0);
    }
}
