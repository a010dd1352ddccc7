//! The lake facts matching rests on, read with the guarded query engine: the enterprise's registry
//! row and latest maturity assessment, a need, the candidate offerings and their providers,
//! and the providers' completed transformation projects.
//!
//! The SQL text is constant; every value from a request is bound to a `$n` placeholder as a
//! typed literal ([`datafusion::prelude::DataFrame::with_param_values`]), never spliced into
//! the text. A table the lake does not have yet reads as empty.

use std::collections::HashMap;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ParamValues;
use datafusion::scalar::ScalarValue;
use parkhub_catalog::matching::{EnterpriseProfile, Need, TrackRecord};
use parkhub_catalog::{CatalogEntry, EntryKind, entries_from_batches};
use serde_json::{Map, Value};

use super::MatchError;
use crate::engine::QueryEngine;

/// Runs one constant statement over `table` with `params` bound to its placeholders; an
/// absent table gives no batches.
async fn read(
    engine: &QueryEngine,
    table: &str,
    sql: &str,
    params: Vec<ScalarValue>,
) -> Result<Vec<RecordBatch>, MatchError> {
    if !engine
        .lake()
        .existing_tables()?
        .iter()
        .any(|name| name == table)
    {
        return Ok(Vec::new());
    }
    let frame = engine
        .plan(sql)
        .await?
        .with_param_values(ParamValues::from(params))?;
    Ok(engine.execute(frame)?.collect().await?)
}

/// Returns the rows of `batches` as JSON objects.
fn objects(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let names: Vec<String> = first
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let (rows, _) = crate::format::json_rows(batches, usize::MAX);
    rows.into_iter()
        .map(|row| names.iter().cloned().zip(row).collect())
        .collect()
}

fn text(row: &Map<String, Value>, column: &str) -> Option<String> {
    match row.get(column) {
        Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

fn text_param(value: &str) -> ScalarValue {
    ScalarValue::Utf8(Some(value.to_string()))
}

/// Returns `$first, $first+1, …` for `count` placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Returns the enterprise with this USCC and its latest maturity level, if it is registered.
pub async fn enterprise(
    engine: &QueryEngine,
    uscc: &str,
) -> Result<Option<EnterpriseProfile>, MatchError> {
    let batches = read(
        engine,
        "enterprises",
        "SELECT uscc, name, industry_code, key_industry, scale FROM enterprises WHERE uscc = $1",
        vec![text_param(uscc)],
    )
    .await?;
    let Some(row) = objects(&batches).into_iter().next() else {
        return Ok(None);
    };
    let industry_code = text(&row, "industry_code").unwrap_or_default();
    let assessment = read(
        engine,
        "digital_assessment",
        "SELECT maturity_level, assessed_on FROM digital_assessment \
         WHERE uscc = $1 AND maturity_level IS NOT NULL \
         ORDER BY assessed_on DESC LIMIT 1",
        vec![text_param(uscc)],
    )
    .await?;
    let latest = objects(&assessment).into_iter().next();
    Ok(Some(EnterpriseProfile {
        uscc: text(&row, "uscc").unwrap_or_else(|| uscc.to_string()),
        name: text(&row, "name").unwrap_or_default(),
        division: parkhub_connectors::industry::division_of(&industry_code).map(str::to_string),
        industry_code,
        key_industry: text(&row, "key_industry").unwrap_or_else(|| "other".to_string()),
        scale: text(&row, "scale"),
        maturity_level: latest
            .as_ref()
            .and_then(|row| row.get("maturity_level"))
            .and_then(Value::as_i64),
        assessed_on: latest.as_ref().and_then(|row| text(row, "assessed_on")),
    }))
}

/// Returns the need with this id, if the lake has it.
pub async fn need(engine: &QueryEngine, need_id: &str) -> Result<Option<Need>, MatchError> {
    let batches = read(
        engine,
        "enterprise_needs",
        "SELECT need_id, uscc, title, description, scenario, budget, status \
         FROM enterprise_needs WHERE need_id = $1",
        vec![text_param(need_id)],
    )
    .await?;
    Ok(objects(&batches).into_iter().next().map(|row| Need {
        need_id: text(&row, "need_id").unwrap_or_else(|| need_id.to_string()),
        uscc: text(&row, "uscc").unwrap_or_default(),
        title: text(&row, "title").unwrap_or_default(),
        description: text(&row, "description"),
        scenario: text(&row, "scenario"),
        budget: row.get("budget").and_then(Value::as_f64),
        status: text(&row, "status"),
    }))
}

/// Returns the offerings with these ids as the catalog reads them, by id.
pub async fn offerings(
    engine: &QueryEngine,
    ids: &[String],
) -> Result<HashMap<String, CatalogEntry>, MatchError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT * FROM service_offerings WHERE offering_id IN ({})",
        placeholders(1, ids.len())
    );
    let params = ids.iter().map(|id| text_param(id)).collect();
    let batches = read(engine, "service_offerings", &sql, params).await?;
    Ok(entries_from_batches(EntryKind::Offering, &batches)?
        .into_iter()
        .map(|entry| (entry.id.clone(), entry))
        .collect())
}

/// Returns the names of the providers with these ids, by id.
pub async fn provider_names(
    engine: &QueryEngine,
    ids: &[String],
) -> Result<HashMap<String, String>, MatchError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT provider_id, name FROM service_providers WHERE provider_id IN ({})",
        placeholders(1, ids.len())
    );
    let params = ids.iter().map(|id| text_param(id)).collect();
    let batches = read(engine, "service_providers", &sql, params).await?;
    Ok(objects(&batches)
        .into_iter()
        .filter_map(|row| Some((text(&row, "provider_id")?, text(&row, "name")?)))
        .collect())
}

/// Returns, for each of these providers, its completed transformation projects in the park,
/// in all and in `key_industry` (the key industry of each project's lead enterprise in the
/// registry). Providers without any are left out.
pub async fn track_records(
    engine: &QueryEngine,
    provider_ids: &[String],
    key_industry: Option<&str>,
) -> Result<HashMap<String, TrackRecord>, MatchError> {
    if provider_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let has_enterprises = engine
        .lake()
        .existing_tables()?
        .iter()
        .any(|name| name == "enterprises");
    let mut params = Vec::with_capacity(provider_ids.len() + 1);
    // Without a registry no project has a known industry.
    let (in_industry, join) = match key_industry {
        Some(key_industry) if has_enterprises => {
            params.push(text_param(key_industry));
            (
                "count(CASE WHEN e.key_industry = $1 THEN 1 END)",
                "LEFT JOIN enterprises e ON e.uscc = p.uscc",
            )
        }
        _ => ("CAST(0 AS BIGINT)", ""),
    };
    let sql = format!(
        "SELECT p.provider_id, count(*) AS completed, {in_industry} AS completed_in_industry \
         FROM transformation_projects p {join} \
         WHERE p.status = 'completed' AND p.provider_id IN ({}) \
         GROUP BY p.provider_id",
        placeholders(params.len() + 1, provider_ids.len())
    );
    params.extend(provider_ids.iter().map(|id| text_param(id)));
    let batches = read(engine, "transformation_projects", &sql, params).await?;
    Ok(objects(&batches)
        .into_iter()
        .filter_map(|row| {
            let count = |column: &str| row.get(column).and_then(Value::as_u64).unwrap_or_default();
            Some((
                text(&row, "provider_id")?,
                TrackRecord {
                    completed: count("completed"),
                    completed_in_industry: count("completed_in_industry"),
                },
            ))
        })
        .collect())
}
