//! `parkhub match`: ranked service offerings for a need of the lake or an enterprise, each with
//! a one-line explanation per part of its score (see [`parkhub_queries::matching`]).

use std::io::Write;

use clap::{Args, ValueEnum};

use parkhub_catalog::matching::{DEFAULT_LIMIT, MatchRequest, MatchResults};
use parkhub_queries::matching;

use crate::services::Services;

/// Options of `parkhub match`.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Match a need of the lake (`enterprise_needs.need_id`), e.g. ND0001.
    #[arg(long, value_name = "ID", conflicts_with_all = ["uscc", "text", "scenario", "budget"],
          required_unless_present_any = ["uscc", "text", "scenario"])]
    pub need: Option<String>,
    /// Match for this enterprise (its USCC).
    #[arg(long, value_name = "CODE")]
    pub uscc: Option<String>,
    /// The need in words (Chinese, English or both).
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// The scenario: a catalog code (`predictive_maintenance`) or its name (预测性维护).
    #[arg(long)]
    pub scenario: Option<String>,
    /// The budget, in 10k yuan.
    #[arg(long, value_name = "10K_YUAN")]
    pub budget: Option<f64>,
    /// Matches to show (1 to 50).
    #[arg(long, default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
    /// Output format (json prints the whole answer, as the HTTP API does).
    #[arg(long, value_enum, default_value_t = MatchFormat::Table)]
    pub format: MatchFormat,
}

/// How matches are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchFormat {
    /// One line per offering, then one line per part of its score.
    Table,
    /// The answer of the HTTP API.
    Json,
}

/// Runs `parkhub match`.
pub async fn run(services: &Services, args: MatchArgs) -> anyhow::Result<()> {
    services.live_catalog.ensure_caught_up().await?;
    let results = match &args.need {
        Some(need_id) => {
            matching::match_need(
                &services.engine,
                &services.catalog,
                need_id,
                Some(args.limit),
            )
            .await?
        }
        None => {
            let request = MatchRequest {
                uscc: args.uscc,
                text: args.text,
                scenario: args.scenario,
                budget: args.budget,
                limit: Some(args.limit),
            };
            matching::match_offerings(&services.engine, &services.catalog, &request).await?
        }
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        MatchFormat::Json => {
            // As an io::Error, so that a reader closing the pipe (`| head`) is not a failure.
            serde_json::to_writer_pretty(&mut stdout, &results).map_err(std::io::Error::from)?;
            writeln!(stdout)?;
        }
        MatchFormat::Table => print_table(&mut stdout, &results)?,
    }
    Ok(())
}

/// Prints what was matched, then each offering with its rank, provider and score, and one
/// line per part of the score.
fn print_table(output: &mut impl Write, results: &MatchResults) -> std::io::Result<()> {
    if let Some(need) = &results.need {
        let status = need.status.as_deref().unwrap_or("unknown status");
        writeln!(output, "need {}: {} ({status})", need.need_id, need.title)?;
    }
    if let Some(enterprise) = &results.enterprise {
        let level = enterprise.maturity_level.map_or_else(
            || "not assessed".to_string(),
            |level| format!("level {level}"),
        );
        writeln!(
            output,
            "enterprise {} {}: {} {}, maturity {level}",
            enterprise.uscc, enterprise.name, enterprise.industry_code, enterprise.key_industry
        )?;
    }
    let scenario = results.scenario.as_deref().unwrap_or("-");
    let budget = results
        .budget
        .map_or_else(|| "-".to_string(), |budget| format!("{budget} (10k yuan)"));
    writeln!(
        output,
        "searched: {}; scenario: {scenario}; budget: {budget}; {} candidate offerings scored",
        if results.query.is_empty() {
            "(nothing: offerings of the enterprise's industry)"
        } else {
            &results.query
        },
        results.candidates
    )?;
    if results.matches.is_empty() {
        writeln!(output, "no offering matches")?;
        return Ok(());
    }
    writeln!(output)?;
    writeln!(output, "rank  offering / provider  score")?;
    for found in &results.matches {
        let provider = match &found.provider.name {
            Some(name) => format!("{} {name}", found.provider.id),
            None => found.provider.id.clone(),
        };
        writeln!(
            output,
            "{:>3}.  {} {}  /  {provider}  {:.2}",
            found.rank, found.offering.id, found.offering.name, found.score
        )?;
        for (name, points, most, note) in found.explanation.parts() {
            writeln!(output, "      {name:<13}{points:>6.2}/{most:<3}  {note}")?;
        }
    }
    writeln!(output)?;
    writeln!(output, "{}", results.scoring)?;
    Ok(())
}
