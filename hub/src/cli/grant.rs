//! `parkhub grant list | add | revoke`: enterprises' grants, managed by the admin (the command
//! line acts as admin). Enterprises give their own over HTTP (`POST /api/grants`). Every change
//! is recorded in `_audit`; a running `serve` applies it from the next request on.

use std::io::Write as _;

use chrono::NaiveDate;
use clap::Subcommand;
use parkhub_queries::policy::{GrantTarget, park_today};

use super::token::{ListFormat, parse_day, record_change};
use crate::auth::grants::{GrantRecord, GrantStore, NewGrant};
use crate::services::Services;

/// `parkhub grant …`.
#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    /// List every grant: id, enterprise, to, tables, purpose, until, state.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Give a grant on behalf of an enterprise and print its id.
    Add {
        /// The granting enterprise's USCC (it must be in the enterprises table).
        #[arg(long, value_name = "USCC")]
        from: String,
        /// A token's name, or a role (committee, centre, …).
        #[arg(long, value_name = "TOKEN_OR_ROLE")]
        to: String,
        /// The tables granted, comma-separated (e.g. energy_readings,production_monthly).
        #[arg(long, value_delimiter = ',', required = true)]
        tables: Vec<String>,
        /// What the access is for.
        #[arg(long)]
        purpose: String,
        /// The last day the grant is in force (park time), YYYY-MM-DD.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        until: NaiveDate,
    },
    /// Revoke a grant by its id.
    Revoke {
        /// The grant's id (`g-…`).
        id: String,
    },
}

/// Runs a `grant` command.
pub async fn run(services: &Services, command: GrantCommand) -> anyhow::Result<()> {
    let grants = GrantStore::open(services.lake.data_dir())?;
    let admin = crate::auth::role::cli_principal();
    match command {
        GrantCommand::List { format } => list(&grants.list()?, format),
        GrantCommand::Add {
            from,
            to,
            tables,
            purpose,
            until,
        } => {
            let from = crate::auth::bootstrap::check_enterprise(&services.engine, &from).await?;
            let to = GrantTarget::try_from(to)?;
            let new = NewGrant {
                to,
                tables,
                purpose,
                until,
                from: Some(from),
            };
            let contracts = services.ingestor.contracts()?;
            let given = grants.give(&admin, new, &contracts, park_today())?;
            record_change(
                services,
                "grant",
                format!(
                    "grant add {} --from {} --to {} --tables {} --until {}",
                    given.id,
                    given.from,
                    given.to,
                    given.tables.join(","),
                    given.until
                ),
            )
            .await;
            eprintln!(
                "granted {} read access to {} of {} until {}",
                given.to,
                given.tables.join(", "),
                given.from,
                given.until
            );
            println!("{}", given.id);
            Ok(())
        }
        GrantCommand::Revoke { id } => {
            let revoked = grants.revoke(&admin, &id)?;
            record_change(services, "grant", format!("grant revoke {}", revoked.id)).await;
            eprintln!("revoked grant '{}'", revoked.id);
            Ok(())
        }
    }
}

fn list(grants: &[GrantRecord], format: ListFormat) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut stdout, grants)?;
        writeln!(stdout)?;
        return Ok(());
    }
    if grants.is_empty() {
        writeln!(
            stdout,
            "no grants yet; an enterprise gives one with POST /api/grants, an admin with \
             `parkhub grant add`"
        )?;
        return Ok(());
    }
    let today = park_today();
    let rows: Vec<[String; 7]> = grants
        .iter()
        .map(|grant| {
            [
                grant.id.clone(),
                grant.from.clone(),
                grant.to.to_string(),
                grant.tables.join(","),
                grant.purpose.clone(),
                grant.until.to_string(),
                grant.state(today).to_string(),
            ]
        })
        .collect();
    let header = ["id", "from", "to", "tables", "purpose", "until", "state"];
    super::aligned::write(&mut stdout, &header, &rows)?;
    Ok(())
}
