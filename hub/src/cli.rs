//! The command line: `parkhub demo | sql | tables | serve | catalog | match | ingest | quarantine | contract | token`.

mod aligned;
mod contract;
mod grant;
mod ingest;
mod matching;
mod quarantine;
mod sources;
mod token;

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget};
use parkhub_catalog::{EntryKind, SearchRequest, SortOrder};
use parkhub_demo::DemoParams;
use parkhub_queries::format;

use crate::config::{Config, ConfigFile, DEFAULT_CONFIG_FILE};
use crate::demo_loader::load_demo;
use crate::server::{self, AppState};
use crate::services::{QuarantineFilter, Services};

/// ParkHub: the park's data hub. Data goes into a Delta lake once; the park queries it with
/// SQL and searches a catalog of shared applications and service offerings.
#[derive(Debug, Parser)]
#[command(name = "parkhub", version, about, long_about = None)]
pub struct Cli {
    /// Data directory (lake, catalog index, contracts). Default: ./parkhub-data, or
    /// `data_dir` in parkhub.toml.
    #[arg(long, global = true, env = "PARKHUB_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file. Default: ./parkhub.toml when it exists.
    #[arg(long, global = true, env = "PARKHUB_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill the lake with a deterministic synthetic park (enterprises, production, energy,
    /// equipment, assessments, projects, funds, needs and the catalog).
    Demo(DemoArgs),
    /// Run one read-only SQL statement over the lake.
    Sql {
        /// The statement, e.g. "SELECT key_industry, count(*) FROM enterprises GROUP BY 1".
        query: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Run a cluster indicator (see `parkhub indicators`), e.g.
    /// `parkhub indicator energy_intensity --param from=2026-01 --param to=2026-10`.
    Indicator {
        /// The indicator's name.
        name: String,
        /// A parameter, as name=value (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
        params: Vec<(String, String)>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// List the cluster indicators with their parameters.
    Indicators {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// List the lake's tables with their row counts and descriptions.
    Tables {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "PARKHUB_LISTEN", value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Fill the lake with the demo park first when it is empty.
        #[arg(long)]
        demo: bool,
        /// The size of that demo park.
        #[command(flatten)]
        demo_args: DemoArgs,
        /// Drop folder: files landing in DIR/<table>/ are ingested into <table>, then moved to
        /// DIR/<table>/done/ or DIR/<table>/failed/ with a .report.json beside them.
        #[arg(long, value_name = "DIR")]
        watch: Option<PathBuf>,
        /// Largest request body of an HTTP ingest, in bytes (default 1 GiB).
        #[arg(long, env = "PARKHUB_MAX_INGEST_BYTES", value_name = "BYTES")]
        max_ingest_bytes: Option<u64>,
        /// Also serve the lake over the Postgres wire protocol on ADDR (e.g. 127.0.0.1:5433)
        /// for psql, JDBC and BI tools. Log in with a token's name as the user and the token
        /// as the password (sent in cleartext: keep it on loopback or a trusted network).
        #[arg(long, value_name = "ADDR")]
        pg: Option<SocketAddr>,
    },
    /// Load files, globs, directories or s3:// URLs into a lake table: valid rows are
    /// committed, rejected rows go to quarantine with every reason.
    Ingest(ingest::IngestArgs),
    /// Show rejected rows.
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Show or register table contracts.
    #[command(subcommand)]
    Contract(ContractCommand),
    /// Search or rebuild the catalog of applications, offerings and providers.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Match service offerings to a need of the lake (--need) or to an enterprise and a need
    /// in words (--uscc, --text, --scenario, --budget), with an explanation of every score.
    Match(matching::MatchArgs),
    /// Create, list or revoke the tokens that HTTP callers send as `Authorization: Bearer`.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Give, list or revoke enterprises' grants: read access to some of an enterprise's
    /// tables, for a token or a role, for a purpose, until a date.
    #[command(subcommand)]
    Grant(grant::GrantCommand),
    /// List the live sources of parkhub.toml ([[sources]]): kind, table, state, last sync,
    /// cursor, rows written and rejected, last error and lag.
    Sources {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Run one sync of a database source now (`serve` runs them on their schedule), with
    /// progress and the ingest report.
    Sync {
        /// The source's name in parkhub.toml.
        name: String,
        /// Print the report as JSON.
        #[arg(long, value_enum)]
        report: Option<ingest::ReportFormat>,
    },
}

/// `parkhub quarantine …`.
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List rejected rows with their reasons.
    List {
        /// Only rows meant for this table.
        #[arg(long)]
        table: Option<String>,
        /// Only rows of this batch.
        #[arg(long)]
        batch: Option<String>,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// `parkhub contract …`.
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Register a park contract (TOML): a new table, or new nullable columns for an existing one.
    Add {
        /// The contract file.
        file: PathBuf,
    },
    /// Show one table's contract.
    Show {
        /// The table.
        table: String,
        /// Output format (table prints TOML).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// List the tables' contracts.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
}

/// Options of `parkhub demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of enterprises.
    #[arg(long, default_value_t = 300)]
    pub enterprises: usize,
    /// Months of production figures.
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// Days of hourly energy readings.
    #[arg(long, default_value_t = 90)]
    pub energy_days: u32,
    /// Random seed: the same seed gives the same park.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// The last month of data, YYYY-MM.
    #[arg(long, default_value = "2026-10", value_parser = parse_month)]
    pub until: chrono::NaiveDate,
}

impl DemoArgs {
    fn params(&self) -> DemoParams {
        DemoParams {
            enterprises: self.enterprises,
            months: self.months,
            energy_days: self.energy_days,
            seed: self.seed,
            until: self.until,
        }
    }
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.trim().to_string(), value.to_string()))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("'{text}' is not NAME=VALUE"))
}

fn parse_month(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a month; use YYYY-MM, e.g. 2026-10"))
}

/// `parkhub catalog …`.
// Parsed once per process: the size of the search variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Search the catalog (Chinese, English or both); with filters and no text, list the
    /// matching entries.
    Search {
        /// The query text, e.g. 预测性维护; may be left out when a filter or --kind is given.
        #[arg(default_value = "")]
        text: String,
        /// Only this kind of entry.
        #[arg(long, value_parser = ["application", "offering", "provider"])]
        kind: Option<String>,
        /// The filters and the order.
        #[command(flatten)]
        filters: CatalogFilterArgs,
        /// Do not count the facets.
        #[arg(long)]
        no_facets: bool,
        /// Hits to show.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Hits to skip.
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Output format (json prints the whole result: total, hits and facets).
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Rebuild the catalog index from the catalog lake tables.
    Reindex,
}

/// The filters and sort order of `parkhub catalog search`; each text filter takes one value
/// or alternatives separated by `,`.
#[derive(Debug, Args)]
pub struct CatalogFilterArgs {
    /// Only entries of these key industries (`iron_steel`, or 钢铁).
    #[arg(long)]
    pub industry: Option<String>,
    /// Only entries of these GB/T 4754 divisions (`C31`).
    #[arg(long)]
    pub division: Option<String>,
    /// Only entries of these categories (`platform`, `mes`, …).
    #[arg(long)]
    pub category: Option<String>,
    /// Only entries of these scenarios (`predictive_maintenance`, or 预测性维护).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Only entries with these deployments (`saas`, `on_premise`, `hybrid`, `edge`).
    #[arg(long)]
    pub deployment: Option<String>,
    /// Only entries of these providers (provider ids).
    #[arg(long)]
    pub provider: Option<String>,
    /// Only entries whose price range reaches this price (10k yuan).
    #[arg(long, value_name = "10K_YUAN")]
    pub price_min: Option<f64>,
    /// Only entries whose price range starts at or below this price (10k yuan).
    #[arg(long, value_name = "10K_YUAN")]
    pub price_max: Option<f64>,
    /// Order of the hits (default relevance; by rating when there is no text).
    #[arg(long, value_parser = ["relevance", "rating", "price", "newest"])]
    pub sort: Option<String>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    /// CSV with a header row.
    Csv,
    /// JSON.
    Json,
}

/// Parses the command line, runs the command and returns the process exit code: 0 on
/// success, 1 when the command failed (the reason is printed on stderr), 2 for usage errors.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Dependencies (DataFusion, the Delta kernel, tantivy, …) log at warn; the server's own
    // crates at info. A target matches by prefix, so `parkhub` covers every `parkhub_*` crate.
    let own_level = if matches!(cli.command, Command::Serve { .. }) {
        "info"
    } else {
        "warn"
    };
    // deltalake warns on every merge that a metric is missing: noise for the user, silenced.
    let default_filter =
        format!("warn,deltalake_core::operations::merge=error,parkhub={own_level}");
    let filter = tracing_subscriber::EnvFilter::try_from_env("PARKHUB_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    // PARKHUB_LOG_FORMAT=json gives one JSON object per line (with the request's span fields).
    let json_logs =
        std::env::var("PARKHUB_LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json_logs {
        subscriber.json().with_current_span(true).init();
    } else {
        subscriber.init();
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of the output went away (`parkhub sql … | head`): nothing to report.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_report(&error));
            ExitCode::from(1)
        }
    }
}

/// Returns an error and its causes on one line, as `{:#}` does, but each cause once: the
/// errors keep their sources and most also show them in their message (`…: {source}`), so a
/// cause whose text is already in the line is not repeated.
fn error_report(error: &anyhow::Error) -> String {
    let mut report = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let text = text.trim_end();
        if report.contains(text) {
            continue;
        }
        if !report.is_empty() {
            report.push_str(": ");
        }
        report.push_str(text);
    }
    report
}

/// Whether an error comes from writing to a pipe whose reader has closed it.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config_file = match &cli.config {
        Some(path) => ConfigFile::load(path, true)?,
        None => ConfigFile::load(std::path::Path::new(DEFAULT_CONFIG_FILE), false)?,
    };
    let listen_flag = match &cli.command {
        Command::Serve { listen, .. } => *listen,
        _ => None,
    };
    let config = Config::resolve(config_file, cli.data_dir.clone(), listen_flag);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("parkhub")
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run_command(cli.command, config))
}

async fn run_command(command: Command, config: Config) -> anyhow::Result<()> {
    let services = Services::open(&config.data_dir, config.query_limits.clone())?
        .with_sources(&config.sources);
    let Some(action) = audited_action(&command) else {
        return run_on(services, command, config).await;
    };
    let lake = Arc::clone(&services.lake);
    let outcome = run_on(services, command, config).await;
    // The command line reads and writes the lake as admin; what it did is in `_audit` too.
    let mut entry = crate::auth::audit::AuditRecord::new(
        Some(&crate::auth::role::cli_principal()),
        crate::auth::audit::Interface::Cli,
        action,
    );
    entry.statement = Some(std::env::args().skip(1).collect::<Vec<_>>().join(" "));
    if outcome.is_err() {
        entry.outcome = "error".to_string();
    }
    if let Err(error) = crate::auth::audit::write_now(&lake, &[entry]).await {
        eprintln!("warning: this command is not in the audit table: {error}");
    }
    outcome
}

/// The audit action of a command that reads or changes the lake's data; `None` for the
/// others (tokens and grants record their own changes, `serve` records each request).
fn audited_action(command: &Command) -> Option<&'static str> {
    match command {
        Command::Sql { .. } => Some("sql"),
        Command::Indicator { .. } => Some("indicator"),
        Command::Ingest(_) => Some("ingest"),
        Command::Sync { .. } => Some("sync"),
        Command::Match(_) => Some("match"),
        Command::Quarantine(_) => Some("quarantine"),
        _ => None,
    }
}

async fn run_on(services: Services, command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Demo(args) => demo(&services, &args.params()).await,
        Command::Sql { query, format } => sql(&services, &query, format).await,
        Command::Tables { format } => tables(&services, format).await,
        Command::Indicator {
            name,
            params,
            format,
        } => {
            let indicator = services.engine.indicators().get(&name)?;
            let params = params.into_iter().collect();
            let frame =
                parkhub_queries::indicators::run_indicator(&services.engine, indicator, &params)
                    .await?;
            print_answer(services.engine.execute(frame)?, format, &indicator.decimals).await
        }
        Command::Indicators { format } => list_indicators(&services, format),
        Command::Serve {
            demo: with_demo,
            demo_args,
            watch,
            max_ingest_bytes,
            pg,
            ..
        } => {
            let demo_params = with_demo.then(|| demo_args.params());
            let options = ServeOptions {
                listen: config.listen,
                pg,
                demo: demo_params,
                watch,
                max_body_bytes: max_ingest_bytes
                    .or(config.max_ingest_bytes)
                    .unwrap_or(server::DEFAULT_MAX_BODY_BYTES),
                allow_anonymous_search: config.allow_anonymous_search,
                edge: config.edge_limits,
            };
            serve(services, options).await
        }
        Command::Ingest(args) => ingest::ingest(&services, args, progress_bar()).await,
        Command::Quarantine(QuarantineCommand::List {
            table,
            batch,
            limit,
            format,
        }) => {
            let filter = QuarantineFilter {
                table,
                batch,
                limit: Some(limit),
                offset: None,
            };
            quarantine::list(&services, filter, format).await
        }
        Command::Contract(ContractCommand::Add { file }) => {
            contract::add(services.lake.data_dir(), &file)
        }
        Command::Contract(ContractCommand::Show { table, format }) => {
            contract::show(services.lake.data_dir(), &table, format)
        }
        Command::Contract(ContractCommand::List { format }) => {
            contract::list(services.lake.data_dir(), format)
        }
        Command::Catalog(CatalogCommand::Search {
            text,
            kind,
            filters,
            no_facets,
            limit,
            offset,
            format,
        }) => {
            let request = SearchRequest {
                query: text,
                kind: kind.as_deref().map(str::parse::<EntryKind>).transpose()?,
                limit,
                offset,
                industry: filters.industry,
                division: filters.division,
                category: filters.category,
                scenario: filters.scenario,
                deployment: filters.deployment,
                provider: filters.provider,
                price_min: filters.price_min,
                price_max: filters.price_max,
                sort: filters
                    .sort
                    .as_deref()
                    .map(str::parse::<SortOrder>)
                    .transpose()?
                    .unwrap_or_default(),
                facets: !no_facets,
            };
            catalog_search(&services, request, format).await
        }
        Command::Match(args) => matching::run(&services, args).await,
        Command::Token(command) => token::run(&services, command).await,
        Command::Grant(command) => grant::run(&services, command).await,
        Command::Sources { format } => sources::list(&services, format).await,
        Command::Sync { name, report } => {
            sources::sync(&services, &name, report, progress_bar()).await
        }
        Command::Catalog(CatalogCommand::Reindex) => {
            let indexed = services.live_catalog.reindex().await?;
            println!("indexed {indexed} catalog entries");
            Ok(())
        }
    }
}

fn progress_bar() -> ProgressBar {
    if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    }
}

async fn demo(services: &Services, params: &DemoParams) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report = load_demo(services, params, &progress_bar()).await?;
    let mut stdout = std::io::stdout().lock();
    let all_present = report.tables.iter().all(|(_, _, present)| *present);
    for (table, rows, already_present) in &report.tables {
        if *already_present {
            writeln!(stdout, "{table:<26} already loaded")?;
        } else {
            writeln!(stdout, "{table:<26} {rows:>10} rows")?;
        }
    }
    writeln!(
        stdout,
        "{:<26} {:>10} entries indexed",
        "catalog", report.catalog_entries
    )?;
    if all_present {
        writeln!(
            stdout,
            "the demo park was already in {}",
            services.lake.data_dir().display()
        )?;
    } else {
        writeln!(
            stdout,
            "demo park written to {} in {:.1} s",
            services.lake.data_dir().display(),
            started.elapsed().as_secs_f64()
        )?;
    }
    Ok(())
}

async fn sql(services: &Services, query: &str, output: OutputFormat) -> anyhow::Result<()> {
    print_answer(
        services.engine.query(query).await?,
        output,
        &format::Decimals::default(),
    )
    .await
}

/// Prints an answer; a table rounds its floats as `decimals` says, CSV and JSON keep them whole.
async fn print_answer(
    mut stream: parkhub_queries::QueryStream,
    output: OutputFormat,
    decimals: &format::Decimals,
) -> anyhow::Result<()> {
    let schema = stream.schema();
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Table => {
            let mut batches = Vec::new();
            while let Some(batch) = stream.next().await {
                batches.push(batch?);
            }
            let rows: usize = batches.iter().map(|batch| batch.num_rows()).sum();
            let table = format::text_table(&schema, &batches, decimals)?;
            writeln!(stdout, "{table}")?;
            writeln!(stdout, "({rows} row{})", if rows == 1 { "" } else { "s" })?;
        }
        OutputFormat::Csv => {
            let mut header = true;
            while let Some(batch) = stream.next().await {
                let batch = format::plain_strings(&batch?)?;
                let mut writer = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(header)
                    .build(&mut stdout);
                writer.write(&batch)?;
                header = false;
            }
            if header {
                let names: Vec<&str> = schema
                    .fields()
                    .iter()
                    .map(|field| field.name().as_str())
                    .collect();
                writeln!(stdout, "{}", names.join(","))?;
            }
        }
        OutputFormat::Json => {
            let mut batches = Vec::new();
            while let Some(batch) = stream.next().await {
                batches.push(batch?);
            }
            let (rows, _) = format::json_rows(&batches, usize::MAX);
            let names: Vec<&String> = schema.fields().iter().map(|field| field.name()).collect();
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .into_iter()
                .map(|row| names.iter().map(|name| (*name).clone()).zip(row).collect())
                .collect();
            serde_json::to_writer_pretty(&mut stdout, &objects)?;
            writeln!(stdout)?;
        }
    }
    Ok(())
}

fn list_indicators(services: &Services, output: OutputFormat) -> anyhow::Result<()> {
    let indicators = services.engine.indicators().list();
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, indicators)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            writeln!(stdout, "name,title_zh,title_en,unit,grain,parameters")?;
            for indicator in indicators {
                let parameters: Vec<&str> = indicator
                    .parameters
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                writeln!(
                    stdout,
                    "{},\"{}\",\"{}\",\"{}\",\"{}\",{}",
                    indicator.name,
                    indicator.title_zh,
                    indicator.title_en,
                    indicator.unit,
                    indicator.grain,
                    parameters.join(" ")
                )?;
            }
        }
        OutputFormat::Table => {
            for indicator in indicators {
                writeln!(
                    stdout,
                    "{}  {} / {}",
                    indicator.name, indicator.title_zh, indicator.title_en
                )?;
                writeln!(
                    stdout,
                    "    unit: {}; grain: {}",
                    indicator.unit, indicator.grain
                )?;
                for parameter in &indicator.parameters {
                    writeln!(
                        stdout,
                        "    --param {}=… ({:?}, default {}): {}",
                        parameter.name,
                        parameter.kind,
                        parameter.default.as_deref().unwrap_or("none"),
                        parameter.description
                    )?;
                }
                if indicator.is_parameterless() {
                    writeln!(stdout, "    SQL view: {}", indicator.view_name())?;
                }
            }
        }
    }
    Ok(())
}

async fn tables(services: &Services, output: OutputFormat) -> anyhow::Result<()> {
    let tables = services.engine.tables().await?;
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &tables)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            writeln!(stdout, "name,row_count,description")?;
            for table in &tables {
                writeln!(
                    stdout,
                    "{},{},\"{}\"",
                    table.name,
                    table.row_count,
                    table.description.replace('"', "\"\"")
                )?;
            }
        }
        OutputFormat::Table => {
            if tables.is_empty() {
                writeln!(
                    stdout,
                    "the lake in {} has no tables yet; run `parkhub demo` or ingest data",
                    services.lake.data_dir().display()
                )?;
                return Ok(());
            }
            let width = tables
                .iter()
                .map(|table| table.name.len())
                .max()
                .unwrap_or(0);
            writeln!(stdout, "{:<width$}  {:>10}  description", "table", "rows")?;
            for table in &tables {
                writeln!(
                    stdout,
                    "{:<width$}  {:>10}  {}",
                    table.name, table.row_count, table.description
                )?;
            }
        }
    }
    Ok(())
}

/// What `parkhub serve` was asked to do.
struct ServeOptions {
    listen: SocketAddr,
    pg: Option<SocketAddr>,
    demo: Option<DemoParams>,
    watch: Option<PathBuf>,
    max_body_bytes: u64,
    allow_anonymous_search: bool,
    edge: crate::config::EdgeLimits,
}

async fn serve(services: Services, options: ServeOptions) -> anyhow::Result<()> {
    if let Some(params) = &options.demo
        && services.lake.existing_tables()?.is_empty()
    {
        eprintln!(
            "the lake is empty: loading the demo park ({} enterprises)",
            params.enterprises
        );
        load_demo(&services, params, &progress_bar()).await?;
    }
    services.live_catalog.ensure_caught_up().await?;
    let tokens = Arc::new(crate::auth::TokenStore::open(services.lake.data_dir())?);
    let demo_tokens = if options.demo.is_some() {
        crate::auth::bootstrap::ensure_demo_tokens(&services.engine, &tokens).await?
    } else {
        Vec::new()
    };
    let first_admin = crate::auth::bootstrap::ensure_first_admin(&tokens)?;
    let services = Arc::new(services);
    let auth = Arc::new(crate::auth::http::AuthState {
        tokens,
        grants: Arc::new(crate::auth::grants::GrantStore::open(
            services.lake.data_dir(),
        )?),
        limiter: crate::auth::rate_limit::RateLimiter::new(
            options.edge.requests_per_second,
            options.edge.burst,
        ),
        audit: Arc::new(crate::auth::audit::AuditLog::start(Arc::clone(
            &services.lake,
        ))?),
        allow_anonymous_search: options.allow_anonymous_search,
    });
    let state = AppState::new(services, options.max_body_bytes, auth, options.edge);
    let watcher = match &options.watch {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the drop folder {}", dir.display()))?;
            Some(AbortOnDrop(tokio::spawn(crate::watch::watch(
                Arc::clone(&state.services),
                dir.clone(),
                Arc::clone(&state.metrics),
            ))))
        }
        None => None,
    };
    for error in state.services.sources.errors() {
        tracing::error!(%error, "a live source cannot run");
        eprintln!("error: {error}");
    }
    let _sources = state.services.sources.run();
    let pg = match options.pg {
        Some(listen) => {
            let pg =
                crate::pg::PgServer::bind(listen, &state.services.engine, Arc::clone(&state.auth))
                    .await
                    .with_context(|| {
                        format!("cannot serve the Postgres wire protocol on {listen}")
                    })?;
            let bound = pg.local_addr()?;
            tracing::info!(address = %bound, "serving the Postgres wire protocol");
            println!("parkhub postgres wire protocol on {bound}");
            Some(AbortOnDrop(tokio::spawn(pg.run())))
        }
        None => None,
    };
    let listener = server::bind(options.listen)
        .await
        .with_context(|| format!("cannot serve on {}", options.listen))?;
    let base_url = format!("http://{}", listener.local_addr()?);
    token::print_issued(&demo_tokens, "demo park tokens, one per role", &base_url);
    if let Some(first_admin) = first_admin {
        token::print_issued(
            &[first_admin],
            "this data directory had no token: created the first admin token",
            &base_url,
        );
    }
    let served = server::serve(listener, state)
        .await
        .with_context(|| format!("cannot serve on {}", options.listen));
    drop(pg);
    drop(watcher);
    served
}

/// Aborts a background task when dropped, so it never outlives what started it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn catalog_search(
    services: &Services,
    request: SearchRequest,
    output: OutputFormat,
) -> anyhow::Result<()> {
    if request.query.trim().is_empty() && !request.has_filters() {
        bail!(
            "the search text is empty; type a query, or list entries with a filter \
             (e.g. --kind offering)"
        );
    }
    services.live_catalog.ensure_caught_up().await?;
    let offset = request.offset;
    let results = services.catalog.search(&request)?;
    let mut stdout = std::io::stdout().lock();
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &results)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            writeln!(stdout, "rank,kind,id,title,score,snippet")?;
            for (rank, hit) in results.hits.iter().enumerate() {
                writeln!(
                    stdout,
                    "{},{},{},\"{}\",{:.3},\"{}\"",
                    offset + rank + 1,
                    hit.kind,
                    hit.id,
                    hit.title.replace('"', "\"\""),
                    hit.score,
                    hit.snippet.replace('"', "\"\"")
                )?;
            }
        }
        OutputFormat::Table => {
            writeln!(stdout, "{} hits", results.total)?;
            for (rank, hit) in results.hits.iter().enumerate() {
                writeln!(
                    stdout,
                    "{:>3}. [{}] {} {}  ({:.2})",
                    offset + rank + 1,
                    hit.kind,
                    hit.id,
                    hit.title,
                    hit.score
                )?;
                writeln!(
                    stdout,
                    "     {}",
                    hit.snippet.replace("<em>", "【").replace("</em>", "】")
                )?;
            }
            let counted: Vec<_> = results
                .facets
                .iter()
                .filter(|(_, counts)| !counts.is_empty())
                .collect();
            if !counted.is_empty() {
                writeln!(stdout, "facets:")?;
                for (facet, counts) in counted {
                    let values: Vec<String> = counts
                        .iter()
                        .map(|count| format!("{} {}", count.value, count.count))
                        .collect();
                    writeln!(stdout, "  {facet}: {}", values.join(", "))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_shown_in_its_error_message_is_not_repeated() {
        let invalid = parkhub_access::Error::InvalidUscc {
            uscc: "9132050673794822XX".to_string(),
            source: parkhub_connectors::uscc::UsccError::CheckDigit {
                found: 'X',
                expected: 'Q',
            },
        };
        let error = anyhow::Error::from(invalid).context("cannot create the token");
        assert_eq!(
            error_report(&error),
            "cannot create the token: USCC '9132050673794822XX' is not valid: check character \
             is 'X', expected 'Q'"
        );
    }
}
