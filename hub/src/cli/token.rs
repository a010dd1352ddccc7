//! `parkhub token create | list | revoke`: the data directory's tokens. The command line opens
//! the data directory directly and acts as admin; every change is recorded in `_audit`.

use std::io::Write as _;

use chrono::{NaiveDate, Utc};
use clap::Subcommand;

use crate::auth::audit::{self, AuditRecord, Interface};
use crate::auth::bootstrap::{self, IssuedToken};
use crate::auth::store::{NewToken, TokenInfo};
use crate::auth::{Role, TokenStore};
use crate::services::Services;

/// `parkhub token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it, alone, on standard output (it is shown only this once).
    Create {
        /// admin, committee, centre or enterprise.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The enterprise's USCC (enterprise tokens only; it must be in the enterprises table).
        #[arg(long, value_name = "CODE")]
        uscc: Option<String>,
        /// A unique name for the token (also the Postgres wire user name).
        #[arg(long)]
        name: String,
        /// The last day the token is valid (UTC), YYYY-MM-DD; it never expires when absent.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        expires: Option<NaiveDate>,
    },
    /// List the tokens: name, role, USCC, created, expires, last used, state (never the token).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Revoke a token: it is refused from the next request on, also by a running `serve`.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// How `token list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// An aligned text table.
    Table,
    /// JSON.
    Json,
}

fn parse_role(text: &str) -> Result<Role, String> {
    crate::auth::role::parse_role(text).map_err(|error| error.to_string())
}

pub(super) fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a day; use YYYY-MM-DD, e.g. 2027-06-30"))
}

/// Runs a `token` command.
pub async fn run(services: &Services, command: TokenCommand) -> anyhow::Result<()> {
    let tokens = TokenStore::open(services.lake.data_dir())?;
    match command {
        TokenCommand::Create {
            role,
            uscc,
            name,
            expires,
        } => {
            let uscc = match (role, uscc) {
                (Role::Enterprise, Some(code)) => {
                    Some(bootstrap::check_enterprise(&services.engine, &code).await?)
                }
                (_, other) => other,
            };
            let (token, info) = tokens.create(NewToken {
                name,
                role,
                uscc,
                expires_on: expires,
            })?;
            record(
                services,
                format!("token create {} --role {}", info.name, info.role),
            )
            .await;
            if info.is_expired(Utc::now()) {
                eprintln!("warning: token '{}' is expired already", info.name);
            }
            eprintln!(
                "created {} token '{}'{}; it is shown only now:",
                info.role,
                info.name,
                info.uscc
                    .as_ref()
                    .map(|code| format!(" for {code}"))
                    .unwrap_or_default()
            );
            println!("{token}");
            Ok(())
        }
        TokenCommand::List { format } => list(&tokens.list()?, format),
        TokenCommand::Revoke { name } => {
            let revoked = tokens.revoke(&name)?;
            record(services, format!("token revoke {}", revoked.name)).await;
            eprintln!("revoked token '{}'", revoked.name);
            Ok(())
        }
    }
}

/// Records a change made by the command line (`action` is `token` or `grant`) in `_audit`; a
/// failure to do so is reported but does not undo the change, which its file holds already.
pub(super) async fn record_change(services: &Services, action: &str, statement: String) {
    let mut entry = AuditRecord::new(
        Some(&crate::auth::role::cli_principal()),
        Interface::Cli,
        action,
    );
    entry.statement = Some(statement);
    if let Err(error) = audit::write_now(&services.lake, &[entry]).await {
        eprintln!("warning: the {action} change is not in the audit table: {error}");
    }
}

async fn record(services: &Services, statement: String) {
    record_change(services, "token", statement).await;
}

fn list(tokens: &[TokenInfo], format: ListFormat) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    if format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut stdout, tokens)?;
        writeln!(stdout)?;
        return Ok(());
    }
    if tokens.is_empty() {
        writeln!(
            stdout,
            "no tokens yet; create one with `parkhub token create --role admin --name NAME`"
        )?;
        return Ok(());
    }
    let now = Utc::now();
    let minute = |at: Option<chrono::DateTime<Utc>>| {
        at.map_or_else(
            || "-".to_string(),
            |at| at.format("%Y-%m-%d %H:%M").to_string(),
        )
    };
    let rows: Vec<[String; 7]> = tokens
        .iter()
        .map(|token| {
            [
                token.name.clone(),
                token.role.to_string(),
                token.uscc.clone().unwrap_or_else(|| "-".into()),
                minute(Some(token.created_at)),
                token
                    .expires_on
                    .map_or_else(|| "never".to_string(), |day| day.to_string()),
                minute(token.last_used_at),
                token.state(now).to_string(),
            ]
        })
        .collect();
    let header = [
        "name",
        "role",
        "uscc",
        "created",
        "expires",
        "last used",
        "state",
    ];
    super::aligned::write(&mut stdout, &header, &rows)?;
    Ok(())
}

/// Prints tokens `serve` just created, with how to use them: one `parkhub token NAME ROLE
/// TOKEN` line each (scripts and tests read these), then a `curl` line.
pub fn print_issued(issued: &[IssuedToken], heading: &str, base_url: &str) {
    if issued.is_empty() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{heading} (shown only now; keep them safe):");
    for token in issued {
        let _ = writeln!(
            stdout,
            "parkhub token {} {} {}",
            token.info.name, token.info.role, token.token
        );
    }
    let _ = writeln!(
        stdout,
        "use one as: curl -H 'Authorization: Bearer {}' {base_url}/api/tables",
        issued[0].token
    );
    let _ = stdout.flush();
}
