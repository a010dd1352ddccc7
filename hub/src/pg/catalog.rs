//! `pg_catalog` for wire clients, from `datafusion-pg-catalog`, as each principal sees the
//! lake.
//!
//! psql's `\d table` first looks the table's oid up in `pg_class`, then asks `pg_attribute`
//! for the columns of that oid in a later statement; the oids must therefore stay the same
//! from one statement to the next. The query engine plans every statement in a fresh session,
//! so a connection's `pg_catalog` schema (with its oid cache) is built once per principal
//! policy ([`PgCatalog::schema_for`]), over a catalog of its own that holds the lake schema as
//! that principal sees it (only the tables it may read: `pg_class`, `pg_tables`, `\dt` never
//! name a hidden table), and kept by the connection. The static tables (`pg_type`, `pg_proc`,
//! …), the Postgres functions and the type planner are built once for the server and added to
//! each session by [`PgCatalog::install`].

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::catalog::{SchemaProvider, TableFunctionImpl};
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::FunctionRegistry as _;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::logical_expr::{ScalarUDF, Volatility, create_udf};
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion_pg_catalog::pg_catalog::context::EmptyContextProvider;
use datafusion_pg_catalog::pg_catalog::oid_type_planner::PgOidTypePlanner;
use datafusion_pg_catalog::pg_catalog::{
    PgCatalogSchemaProvider, PgCatalogStaticTables, setup_pg_catalog,
};
use datafusion_postgres::datafusion_pg_catalog;
use parkhub_queries::QueryEngine;
use parkhub_queries::engine::{CATALOG_NAME, SCHEMA_NAME};

/// The schema name of the Postgres system catalog.
pub const PG_CATALOG: &str = "pg_catalog";

/// The Postgres version wire clients are told (the version pgwire reports at startup).
pub(crate) fn server_version() -> String {
    datafusion_postgres::pgwire::api::auth::DefaultServerParameterProvider::default().server_version
}

/// What every wire session gets on top of the lake: `pg_catalog` and the Postgres functions.
pub(crate) struct PgCatalog {
    /// The tables of `pg_catalog` that do not depend on the lake, shared by every principal.
    static_tables: Arc<PgCatalogStaticTables>,
    /// The scalar functions `datafusion-pg-catalog` adds or replaces, plus `version()`.
    functions: Vec<Arc<ScalarUDF>>,
    /// The table functions it adds or replaces (`pg_get_keywords`, the widened
    /// `generate_series`).
    table_functions: Vec<(String, Arc<dyn TableFunctionImpl>)>,
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
        Ok(PgCatalog {
            static_tables: Arc::new(PgCatalogStaticTables::try_new()?),
            functions,
            table_functions,
        })
    }

    /// Builds the `pg_catalog` schema over the lake as `engine` sees it (its principal's
    /// tables only). Its oids are stable for as long as it is kept.
    pub(crate) fn schema_for(&self, engine: &QueryEngine) -> Result<Arc<dyn SchemaProvider>> {
        let catalog_context = SessionContext::new_with_config(config());
        let lake_schema = Arc::new(engine.lake_schema());
        our_catalog(&catalog_context)?.register_schema(SCHEMA_NAME, lake_schema)?;
        let schema: Arc<dyn SchemaProvider> = Arc::new(PgCatalogSchemaProvider::try_new(
            catalog_context.state().catalog_list().clone(),
            Arc::clone(&self.static_tables),
            EmptyContextProvider,
        )?);
        // pg_class lists pg_catalog's own tables too, as in Postgres.
        our_catalog(&catalog_context)?.register_schema(PG_CATALOG, Arc::clone(&schema))?;
        Ok(schema)
    }

    /// Adds `schema` (from [`PgCatalog::schema_for`]) as `pg_catalog`, the Postgres functions
    /// and the Postgres type names (`regclass`, …) to a session of the engine.
    pub(crate) fn install(
        &self,
        context: &SessionContext,
        schema: &Arc<dyn SchemaProvider>,
    ) -> Result<()> {
        our_catalog(context)?.register_schema(PG_CATALOG, Arc::clone(schema))?;
        let state = context.state_ref();
        let mut state = state.write();
        for function in &self.functions {
            state.register_udf(Arc::clone(function))?;
        }
        for (name, function) in &self.table_functions {
            state.register_udtf(name, Arc::clone(function));
        }
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
