//! The query engine: one guarded planning function for every SQL entry, and the table list.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use datafusion::arrow::array::{Array, Int64Array, RecordBatch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::TableReference;
use datafusion::execution::context::SessionContext;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::prelude::{DataFrame, SessionConfig};
use futures::{Stream, StreamExt};
use parkhub_connectors::{Contracts, Lake};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};

use crate::error::{Error, Result, is_planning_error};
use crate::guard;
use crate::lake_schema::LakeSchemaProvider;
use crate::lake_store::LakeOnlyRegistry;
use crate::limits::QueryLimits;

/// The catalog and schema lake tables are registered under (`SELECT * FROM enterprises` and
/// `SELECT * FROM parkhub.lake.enterprises` are the same table).
pub const CATALOG_NAME: &str = "parkhub";
/// See [`CATALOG_NAME`].
pub const SCHEMA_NAME: &str = "lake";

/// A column of a lake table, as listed by [`QueryEngine::tables`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColumnInfo {
    /// The column name.
    pub name: String,
    /// Its type, as [`crate::format::type_name`] spells it.
    #[serde(rename = "type")]
    pub type_name: String,
    /// What it means, from the table's contract (empty for lineage columns).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether the contract requires a value in every row.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The only values the contract allows, for text columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
    /// The unit the lake stores it in (`10k_yuan`, `tce`, `mu`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// A lake table, as listed by [`QueryEngine::tables`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableInfo {
    /// The table name.
    pub name: String,
    /// What it holds (Chinese / English), from its contract.
    pub description: String,
    /// Its columns, lineage columns included.
    pub columns: Vec<ColumnInfo>,
    /// The number of rows at the latest version.
    pub row_count: u64,
}

/// Plans and runs read-only SQL over a lake, under [`QueryLimits`].
#[derive(Debug, Clone)]
pub struct QueryEngine {
    lake: Arc<Lake>,
    contracts: Arc<Contracts>,
    limits: QueryLimits,
    runtime_env: Arc<RuntimeEnv>,
    runtime: Arc<DedicatedRuntime>,
    permits: Arc<Semaphore>,
    indicators: Arc<crate::indicators::IndicatorLibrary>,
    session_setup: Option<SessionSetup>,
    catalog: Option<Arc<parkhub_catalog::Catalog>>,
    /// The principal this engine answers for; `None` reads the whole lake (the admin's view).
    lake_view: Option<Arc<crate::policy::LakeView>>,
}

/// Extra preparation of every session an engine plans in, after the lake schema is registered
/// (the Postgres wire server adds `pg_catalog` and the Postgres functions with it). It cannot
/// loosen the guard: every statement is still checked before and after planning.
#[derive(Clone)]
struct SessionSetup(Arc<SessionSetupFn>);

type SessionSetupFn = dyn Fn(&SessionContext) -> datafusion::error::Result<()> + Send + Sync;

impl std::fmt::Debug for SessionSetup {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SessionSetup")
    }
}

/// The query engine's own thread pool, so that a heavy query never stalls HTTP, search or
/// ingestion, which run on the caller's runtime.
#[derive(Debug)]
struct DedicatedRuntime(Option<tokio::runtime::Runtime>);

impl DedicatedRuntime {
    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.0.as_ref().map(tokio::runtime::Runtime::handle)
    }
}

impl Drop for DedicatedRuntime {
    fn drop(&mut self) {
        // Dropping a runtime blocks; this one may be dropped from async code.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The answer of a query, streamed from the query runtime; dropping it cancels the query.
pub struct QueryStream {
    schema: SchemaRef,
    receiver: mpsc::Receiver<Result<RecordBatch>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for QueryStream {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("QueryStream")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl QueryStream {
    /// The schema of the answer.
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Collects every batch.
    pub async fn collect(mut self) -> Result<Vec<RecordBatch>> {
        let mut batches = Vec::new();
        while let Some(batch) = self.next().await {
            batches.push(batch?);
        }
        Ok(batches)
    }
}

impl Stream for QueryStream {
    type Item = Result<RecordBatch>;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.receiver.poll_recv(context)
    }
}

impl Drop for QueryStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl QueryEngine {
    /// Creates an engine over `lake`; `contracts` give the tables' descriptions. Builds the
    /// shared memory pool, the bounded spill folder, the lake-only object store registry and
    /// the query thread pool.
    pub fn new(
        lake: Arc<Lake>,
        contracts: Arc<Contracts>,
        limits: QueryLimits,
    ) -> Result<QueryEngine> {
        let spill_dir = limits
            .spill_dir
            .clone()
            .unwrap_or_else(|| lake.data_dir().join("tmp").join("spill"));
        std::fs::create_dir_all(&spill_dir).map_err(|source| {
            Error::Lake(parkhub_connectors::Error::Io {
                path: spill_dir.clone(),
                source,
            })
        })?;
        let registry = LakeOnlyRegistry::new(lake.lake_dir())?;
        let runtime_env = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)))
            .with_disk_manager_builder(
                DiskManagerBuilder::default()
                    .with_mode(DiskManagerMode::Directories(vec![spill_dir]))
                    .with_max_temp_directory_size(limits.spill_bytes),
            )
            .with_object_store_registry(Arc::new(registry))
            .build_arc()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(limits.threads.max(1))
            .thread_name("parkhub-query")
            .enable_all()
            .build()
            .map_err(|error| {
                Error::DataFusion(datafusion::error::DataFusionError::IoError(error))
            })?;
        let permits = Arc::new(Semaphore::new(limits.max_concurrent.max(1)));
        let indicators = Arc::new(crate::indicators::IndicatorLibrary::builtin()?);
        Ok(QueryEngine {
            lake,
            contracts,
            limits,
            runtime_env,
            runtime: Arc::new(DedicatedRuntime(Some(runtime))),
            permits,
            indicators,
            session_setup: None,
            catalog: None,
            lake_view: None,
        })
    }

    /// Returns this engine with `catalog_search(...)` available in every session.
    pub fn with_catalog(mut self, catalog: Arc<parkhub_catalog::Catalog>) -> QueryEngine {
        self.catalog = Some(catalog);
        self
    }

    /// Returns a copy of this engine (the same lake, limits, memory pool, query runtime and
    /// concurrency permits) whose sessions `setup` prepares after the lake schema is
    /// registered, e.g. with more schemas or functions. Statements planned by the copy go
    /// through the same guard.
    pub fn with_session_setup(
        &self,
        setup: impl Fn(&SessionContext) -> datafusion::error::Result<()> + Send + Sync + 'static,
    ) -> QueryEngine {
        QueryEngine {
            session_setup: Some(SessionSetup(Arc::new(setup))),
            ..self.clone()
        }
    }

    /// Returns a copy of this engine (sharing its limits, pool, runtime, permits, catalog and
    /// session setup) that answers for the principal of `policy`: its sessions register only
    /// the tables the policy lets it read, each with its row filter below the user's SQL, and
    /// its error messages and table lists name only those tables.
    pub fn for_principal(&self, policy: crate::policy::Policy) -> QueryEngine {
        QueryEngine {
            lake_view: Some(Arc::new(crate::policy::LakeView::new(
                Arc::new(policy),
                Arc::clone(&self.contracts),
            ))),
            ..self.clone()
        }
    }

    /// Returns a copy of this engine that reads the whole lake, whoever this one answers for:
    /// for work the engine does on a principal's behalf over the whole park (indicators at a
    /// group grain, whose answers are then suppressed).
    pub fn whole_park(&self) -> QueryEngine {
        QueryEngine {
            lake_view: None,
            ..self.clone()
        }
    }

    /// Returns the policy this engine answers under; `None` when it reads the whole lake.
    pub fn policy(&self) -> Option<&crate::policy::Policy> {
        self.lake_view
            .as_deref()
            .map(crate::policy::LakeView::policy)
    }

    /// Returns the principal's view of the lake; `None` when the engine reads the whole lake.
    pub(crate) fn lake_view(&self) -> Option<&crate::policy::LakeView> {
        self.lake_view.as_deref()
    }

    /// Returns the lake schema as this engine's principal sees it: only the tables it may
    /// read, each with its row filter (the whole lake for an engine without a principal). For
    /// catalogs that describe the lake to a client, such as the Postgres wire's `pg_catalog`.
    pub fn lake_schema(&self) -> LakeSchemaProvider {
        LakeSchemaProvider::new(Arc::clone(&self.lake)).with_view(self.lake_view.clone())
    }

    /// Returns the table contracts the engine describes the lake with (the tables'
    /// descriptions, columns and keys).
    pub fn contracts(&self) -> &Arc<Contracts> {
        &self.contracts
    }

    /// Returns the indicator library.
    pub fn indicators(&self) -> &crate::indicators::IndicatorLibrary {
        &self.indicators
    }

    /// Returns the limits queries run under.
    pub fn limits(&self) -> &QueryLimits {
        &self.limits
    }

    /// Runs a planned query on the query runtime under the time limit and the concurrency
    /// limit; the batches arrive through the returned stream.
    pub fn execute(&self, frame: DataFrame) -> Result<QueryStream> {
        let mut unbound: Vec<String> = frame
            .logical_plan()
            .get_parameter_names()?
            .into_iter()
            .collect();
        if !unbound.is_empty() {
            unbound.sort();
            return Err(Error::InvalidSql(format!(
                "{} has no value: parameters are only accepted by the indicators and by prepared statements of the Postgres protocol",
                unbound.join(", ")
            )));
        }
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| Error::Busy {
                limit: self.limits.max_concurrent,
            })?;
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let (sender, receiver) = mpsc::channel::<Result<RecordBatch>>(2);
        let timeout = self.limits.timeout();
        let handle = self.runtime.handle().ok_or_else(|| {
            Error::DataFusion(datafusion::error::DataFusionError::Internal(
                "the query runtime is shut down".into(),
            ))
        })?;
        let task = handle.spawn(async move {
            let _permit = permit;
            let work = async {
                let mut stream = frame
                    .execute_stream()
                    .await
                    .map_err(Error::from_execution)?;
                while let Some(batch) = stream.next().await {
                    let batch = batch.map_err(Error::from_execution)?;
                    if sender.send(Ok(batch)).await.is_err() {
                        // The caller went away: stop computing.
                        return Ok(());
                    }
                }
                Ok::<(), Error>(())
            };
            let outcome = match tokio::time::timeout(timeout, work).await {
                Ok(outcome) => outcome,
                Err(_) => Err(Error::Timeout {
                    seconds: timeout.as_secs(),
                }),
            };
            if let Err(error) = outcome {
                let _ = sender.send(Err(error)).await;
            }
        });
        Ok(QueryStream {
            schema,
            receiver,
            task,
        })
    }

    /// Plans and runs one statement.
    pub async fn query(&self, sql: &str) -> Result<QueryStream> {
        let frame = self.plan(sql).await?;
        self.execute(frame)
    }

    /// Returns the lake the engine reads.
    pub fn lake(&self) -> &Arc<Lake> {
        &self.lake
    }

    /// Creates a session whose default schema is the lake.
    fn session(&self) -> Result<(SessionContext, Arc<LakeSchemaProvider>)> {
        let config = SessionConfig::new()
            .with_default_catalog_and_schema(CATALOG_NAME, SCHEMA_NAME)
            .with_create_default_catalog_and_schema(true)
            .with_information_schema(true);
        let context = SessionContext::new_with_config_rt(config, Arc::clone(&self.runtime_env));
        let catalog = context.catalog(CATALOG_NAME).ok_or_else(|| {
            Error::DataFusion(datafusion::error::DataFusionError::Internal(
                "the default catalog was not created".into(),
            ))
        })?;
        if let Some(catalog) = &self.catalog {
            context.register_udtf(
                crate::catalog_search::FUNCTION_NAME,
                Arc::new(crate::catalog_search::CatalogSearchFunction::new(
                    Arc::clone(catalog),
                )),
            );
        }
        let lake_schema = Arc::new(
            LakeSchemaProvider::new(Arc::clone(&self.lake)).with_view(self.lake_view.clone()),
        );
        catalog.register_schema(SCHEMA_NAME, Arc::clone(&lake_schema) as _)?;
        if let Some(setup) = &self.session_setup {
            (setup.0)(&context)?;
        }
        Ok((context, lake_schema))
    }

    /// Parses, checks and plans one SQL statement. Refuses anything but reads, and names an
    /// unknown table together with the tables that exist.
    pub async fn plan(&self, sql: &str) -> Result<DataFrame> {
        let (context, lake_schema) = self.session()?;
        let state = context.state();
        let dialect = state.config().options().sql_parser.dialect;
        let statement = state
            .sql_to_statement(sql, &dialect)
            .map_err(|error| Error::invalid_sql(&error))?;
        self.plan_parsed(&context, &lake_schema, statement).await
    }

    /// Checks and plans one statement parsed elsewhere (the Postgres wire server parses with
    /// the Postgres dialect and its compatibility rewrites), exactly as [`QueryEngine::plan`]
    /// does after parsing: refuses anything but reads, and names an unknown table together
    /// with the tables that exist.
    pub async fn plan_statement(
        &self,
        statement: datafusion::sql::parser::Statement,
    ) -> Result<DataFrame> {
        let (context, lake_schema) = self.session()?;
        self.plan_parsed(&context, &lake_schema, statement).await
    }

    async fn plan_parsed(
        &self,
        context: &SessionContext,
        lake_schema: &Arc<LakeSchemaProvider>,
        statement: datafusion::sql::parser::Statement,
    ) -> Result<DataFrame> {
        let state = context.state();
        guard::check_statement(&statement)?;
        let references = state
            .resolve_table_references(&statement)
            .map_err(|error| Error::invalid_sql(&error))?;
        for reference in &references {
            let bare_or_lake = reference
                .schema()
                .is_none_or(|schema| schema == SCHEMA_NAME);
            let Some(name) = reference
                .table()
                .strip_prefix(crate::indicators::VIEW_PREFIX)
            else {
                continue;
            };
            if let (true, Ok(indicator)) = (bare_or_lake, self.indicators.get(name))
                && indicator.is_parameterless()
            {
                // An indicator's SQL names lake tables only, so this does not recurse further.
                let planned = Box::pin(crate::indicators::run_indicator(
                    self,
                    indicator,
                    &Default::default(),
                ))
                .await;
                match planned {
                    Ok(frame) => lake_schema.add_view(reference.table(), frame.into_view()),
                    // A view over a table the principal may not read does not exist for it.
                    Err(
                        Error::UnknownTable { .. }
                        | Error::Policy(crate::policy::PolicyError::IndicatorNotForRole { .. }),
                    ) if self.lake_view.is_some() => {}
                    Err(error) => return Err(error),
                }
            }
        }
        self.check_table_references(&references, state.table_functions(), lake_schema)?;
        let plan = state.statement_to_plan(statement).await.map_err(|error| {
            if is_planning_error(&error) {
                Error::invalid_sql(&error)
            } else {
                Error::DataFusion(error)
            }
        })?;
        guard::check_plan(&plan)?;
        Ok(DataFrame::new(state, plan))
    }

    fn check_table_references(
        &self,
        references: &[TableReference],
        table_functions: &std::collections::HashMap<
            String,
            Arc<datafusion::catalog::TableFunction>,
        >,
        lake_schema: &LakeSchemaProvider,
    ) -> Result<()> {
        use datafusion::catalog::SchemaProvider as _;
        for reference in references {
            if reference
                .schema()
                .is_none_or(|schema| schema == SCHEMA_NAME)
                && lake_schema.table_exist(reference.table())
            {
                continue;
            }
            if reference.schema().is_none() && table_functions.contains_key(reference.table()) {
                continue;
            }
            let in_lake_schema = match reference.schema() {
                None => true,
                Some(schema) => schema == SCHEMA_NAME,
            };
            let in_our_catalog = reference
                .catalog()
                .is_none_or(|catalog| catalog == CATALOG_NAME);
            if in_lake_schema && in_our_catalog && !lake_schema.table_exist(reference.table()) {
                let known = lake_schema.readable_tables()?;
                return Err(Error::UnknownTable {
                    name: reference.to_string(),
                    known: if known.is_empty() {
                        "(none yet: run `parkhub demo` or ingest data)".to_string()
                    } else {
                        known.join(", ")
                    },
                });
            }
        }
        Ok(())
    }

    /// Lists the lake's tables with their description, columns and row count.
    pub async fn tables(&self) -> Result<Vec<TableInfo>> {
        let mut tables = Vec::new();
        let lake_schema = self.lake_schema();
        for name in lake_schema.readable_tables()? {
            let frame = self
                .plan(&format!("SELECT count(*) FROM \"{name}\""))
                .await?;
            let contract = self.contracts.get(&name).ok();
            let columns = frame_schema_columns(
                &self
                    .plan(&format!("SELECT * FROM \"{name}\" LIMIT 0"))
                    .await?,
            )
            .into_iter()
            .map(
                |column| match contract.and_then(|contract| contract.column(&column.name)) {
                    Some(declared) => ColumnInfo {
                        description: declared.description.clone(),
                        required: declared.required,
                        allowed: declared.allowed.clone(),
                        unit: declared.unit.clone(),
                        ..column
                    },
                    None => column,
                },
            )
            .collect();
            let batches = frame.collect().await?;
            let row_count = batches
                .first()
                .and_then(|batch| {
                    batch
                        .column(0)
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .cloned()
                })
                .filter(|counts| !counts.is_empty())
                .map_or(0, |counts| counts.value(0).max(0) as u64);
            let description = contract
                .map(|contract| contract.description())
                .unwrap_or_default();
            tables.push(TableInfo {
                name,
                description,
                columns,
                row_count,
            });
        }
        Ok(tables)
    }
}

fn frame_schema_columns(frame: &DataFrame) -> Vec<ColumnInfo> {
    frame
        .schema()
        .fields()
        .iter()
        .map(|field| ColumnInfo {
            name: field.name().clone(),
            type_name: crate::format::type_name(field.data_type()),
            description: String::new(),
            required: false,
            allowed: Vec::new(),
            unit: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Float64Array, RecordBatch, StringArray};
    use parkhub_connectors::BatchIdentity;
    use parkhub_connectors::lake::MemoryBatches;

    use super::*;

    async fn engine_with_enterprises() -> (tempfile::TempDir, QueryEngine) {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let contracts = Arc::new(Contracts::builtin().expect("contracts"));
        let contract = contracts.get("enterprises").expect("enterprises");
        let schema = contract.data_schema();
        let columns: Vec<datafusion::arrow::array::ArrayRef> = schema
            .fields()
            .iter()
            .map(|field| -> datafusion::arrow::array::ArrayRef {
                match field.name().as_str() {
                    "uscc" => Arc::new(StringArray::from(vec![
                        "91110000600037341L",
                        "91440300568520498A",
                    ])),
                    "name" => Arc::new(StringArray::from(vec!["北京甲公司", "深圳乙公司"])),
                    "industry_code" => Arc::new(StringArray::from(vec!["C3411", "C3130"])),
                    "key_industry" => Arc::new(StringArray::from(vec!["machinery", "iron_steel"])),
                    "land_area_mu" => Arc::new(Float64Array::from(vec![12.5, 80.0])),
                    _ => datafusion::arrow::array::new_null_array(field.data_type(), 2),
                }
            })
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch");
        lake.commit(
            contract,
            Arc::new(MemoryBatches::new(schema, vec![batch])),
            &BatchIdentity::new("test", "x"),
        )
        .await
        .expect("commit");
        (
            dir,
            QueryEngine::new(lake, contracts, QueryLimits::default()).expect("engine"),
        )
    }

    #[tokio::test]
    async fn queries_read_lake_tables_by_name() {
        let (_dir, engine) = engine_with_enterprises().await;
        let batches = engine
            .query("SELECT name, land_area_mu FROM enterprises WHERE key_industry = 'iron_steel'")
            .await
            .expect("plan")
            .collect()
            .await
            .expect("run");
        let (rows, _) = crate::format::json_rows(&batches, 10);
        assert_eq!(
            rows,
            vec![vec![
                serde_json::json!("深圳乙公司"),
                serde_json::json!(80.0)
            ]]
        );

        let tables = engine.tables().await.expect("tables");
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].name, "enterprises");
        assert_eq!(tables[0].row_count, 2);
        assert!(tables[0].description.starts_with("企业名录"));
        let land_area = tables[0]
            .columns
            .iter()
            .find(|column| column.name == "land_area_mu")
            .expect("land_area_mu is listed");
        assert_eq!(land_area.type_name, "float64");
        assert_eq!(land_area.unit.as_deref(), Some("mu"));
        let key_industry = tables[0]
            .columns
            .iter()
            .find(|column| column.name == "key_industry")
            .expect("key_industry is listed");
        assert!(
            key_industry
                .allowed
                .iter()
                .any(|value| value == "iron_steel")
        );
        assert!(!key_industry.description.is_empty());
    }

    #[tokio::test]
    async fn writes_and_session_changes_are_refused() {
        let (_dir, engine) = engine_with_enterprises().await;
        for (sql, statement) in [
            ("CREATE TABLE t AS SELECT 1", "CREATE TABLE"),
            ("DROP TABLE enterprises", "DROP TABLE"),
            ("INSERT INTO enterprises (uscc) VALUES ('x')", "INSERT"),
            ("DELETE FROM enterprises", "DELETE"),
            ("UPDATE enterprises SET name = 'x'", "UPDATE"),
            ("COPY enterprises TO '/tmp/out.csv'", "COPY"),
            ("COPY (SELECT 1) TO '/tmp/out.parquet'", "COPY"),
            (
                "CREATE EXTERNAL TABLE p STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
            ),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            (
                "EXPLAIN ANALYZE INSERT INTO enterprises (uscc) VALUES ('x')",
                "INSERT",
            ),
            ("PREPARE q AS SELECT 1", "PREPARE"),
        ] {
            match engine.plan(sql).await {
                Err(Error::ReadOnly { statement: refused }) => {
                    assert_eq!(refused, statement, "{sql}")
                }
                other => panic!(
                    "{sql}: expected a read-only refusal, got {:?}",
                    other.map(|_| ())
                ),
            }
        }
        let message = engine
            .plan("DROP TABLE enterprises")
            .await
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some(
                "DROP TABLE is not allowed: SQL in ParkHub is read-only (SELECT, WITH, EXPLAIN, SHOW and DESCRIBE only)"
            )
        );
    }

    #[tokio::test]
    async fn statements_parsed_elsewhere_and_session_setups_keep_the_guard() {
        use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
        use datafusion::scalar::ScalarValue;
        use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
        use datafusion::sql::sqlparser::parser::Parser;

        let (_dir, engine) = engine_with_enterprises().await;
        let engine = engine.with_session_setup(|context| {
            context.register_udf(create_udf(
                "answer",
                vec![],
                datafusion::arrow::datatypes::DataType::Int64,
                Volatility::Immutable,
                Arc::new(|_| Ok(ColumnarValue::Scalar(ScalarValue::Int64(Some(42))))),
            ));
            Ok(())
        });
        let parse = |sql: &str| {
            datafusion::sql::parser::Statement::Statement(Box::new(
                Parser::parse_sql(&PostgreSqlDialect {}, sql)
                    .expect("parses")
                    .remove(0),
            ))
        };
        let frame = engine
            .plan_statement(parse(
                "SELECT answer() AS a, count(*) AS n FROM enterprises",
            ))
            .await
            .expect("plan");
        let batches = engine
            .execute(frame)
            .expect("run")
            .collect()
            .await
            .expect("rows");
        let (rows, _) = crate::format::json_rows(&batches, 10);
        assert_eq!(
            rows,
            vec![vec![serde_json::json!(42), serde_json::json!(2)]]
        );
        for sql in [
            "DROP TABLE enterprises",
            "COPY enterprises TO '/tmp/out.csv'",
            "SET datafusion.execution.batch_size = 1",
            "INSERT INTO enterprises (uscc) VALUES ($1)",
        ] {
            assert!(
                matches!(
                    engine.plan_statement(parse(sql)).await,
                    Err(Error::ReadOnly { .. })
                ),
                "{sql}"
            );
        }
        assert!(matches!(
            engine
                .plan_statement(parse("SELECT * FROM enterprise"))
                .await,
            Err(Error::UnknownTable { .. })
        ));
    }

    #[tokio::test]
    async fn unknown_tables_and_bad_sql_are_client_errors() {
        let (_dir, engine) = engine_with_enterprises().await;
        let error = engine
            .plan("SELECT * FROM enterprise")
            .await
            .expect_err("unknown table");
        assert_eq!(
            error.to_string(),
            "unknown table 'enterprise'; the tables are: enterprises"
        );
        assert!(error.is_client_error());

        let error = engine.plan("SELEC 1").await.expect_err("syntax");
        assert!(matches!(error, Error::InvalidSql(_)), "{error:?}");
        assert!(error.to_string().contains("SELEC"), "{error}");

        let error = engine
            .plan("SELECT no_such_column FROM enterprises")
            .await
            .expect_err("column");
        assert!(error.is_client_error(), "{error:?}");

        let error = engine
            .plan("SELECT * FROM '/etc/passwd'")
            .await
            .expect_err("path");
        assert!(error.is_client_error(), "{error:?}");
    }
}
