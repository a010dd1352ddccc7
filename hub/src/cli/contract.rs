//! `parkhub contract add | show | list`: the table contracts, built-in and the park's.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use parkhub_connectors::Contracts;

use crate::cli::OutputFormat;

/// Registers a park contract from a TOML file.
pub fn add(data_dir: &Path, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let contract = Contracts::add_park_contract(data_dir, &file.display().to_string(), &text)?;
    println!(
        "contract '{}' registered ({} columns, {}); ingest with: parkhub ingest --table {} FILE",
        contract.name,
        contract.columns.len(),
        if Contracts::is_builtin(&contract.name) {
            "extends the built-in table"
        } else {
            "new table"
        },
        contract.name
    );
    Ok(())
}

/// Prints one contract as TOML (or JSON).
pub fn show(data_dir: &Path, table: &str, format: OutputFormat) -> anyhow::Result<()> {
    let contracts = Contracts::load(data_dir)?;
    let contract = contracts.get(table)?;
    let mut stdout = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, contract.as_ref())?;
            writeln!(stdout)?;
        }
        OutputFormat::Table | OutputFormat::Csv => {
            write!(stdout, "{}", toml::to_string_pretty(contract.as_ref())?)?
        }
    }
    Ok(())
}

/// Lists the contracts.
pub fn list(data_dir: &Path, format: OutputFormat) -> anyhow::Result<()> {
    let contracts = Contracts::load(data_dir)?;
    let mut stdout = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            let all: Vec<_> = contracts.iter().map(|contract| contract.as_ref()).collect();
            serde_json::to_writer_pretty(&mut stdout, &all)?;
            writeln!(stdout)?;
        }
        OutputFormat::Csv => {
            writeln!(stdout, "table,mode,key,columns,origin")?;
            for contract in contracts.iter() {
                writeln!(
                    stdout,
                    "{},{:?},{},{},{}",
                    contract.name,
                    contract.mode,
                    contract.key.join(" "),
                    contract.columns.len(),
                    origin(&contract.name, data_dir)
                )?;
            }
        }
        OutputFormat::Table => {
            let width = contracts
                .iter()
                .map(|contract| contract.name.len())
                .max()
                .unwrap_or(5);
            writeln!(
                stdout,
                "{:<width$}  {:<7}  {:<22}  {:>7}  {:<8}  description",
                "table", "mode", "key", "columns", "origin"
            )?;
            for contract in contracts.iter() {
                let mode = format!("{:?}", contract.mode).to_lowercase();
                writeln!(
                    stdout,
                    "{:<width$}  {:<7}  {:<22}  {:>7}  {:<8}  {}",
                    contract.name,
                    mode,
                    contract.key.join(", "),
                    contract.columns.len(),
                    origin(&contract.name, data_dir),
                    contract.description_zh
                )?;
            }
        }
    }
    Ok(())
}

fn origin(table: &str, data_dir: &Path) -> &'static str {
    let park_file = data_dir
        .join(parkhub_connectors::contract::CONTRACTS_FOLDER)
        .join(format!("{table}.toml"));
    match (Contracts::is_builtin(table), park_file.exists()) {
        (true, true) => "extended",
        (true, false) => "built-in",
        _ => "park",
    }
}
