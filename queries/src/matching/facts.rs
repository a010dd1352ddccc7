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

use crate::engine::QueryEngine;
use crate::{Error, Result};

/// Runs one constant statement over `table` with `params` bound to its placeholders; an
/// absent table gives no batches.
async fn read(
    engine: &QueryEngine,
    table: &str,
    sql: &str,
    params: Vec<ScalarValue>,
) -> Result<Vec<RecordBatch>> {
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
        .with_param_values(ParamValues::from(params))
        .map_err(Error::BindParameters)?;
    engine.execute(frame)?.collect().await
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
pub async fn enterprise(engine: &QueryEngine, uscc: &str) -> Result<Option<EnterpriseProfile>> {
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
pub async fn need(engine: &QueryEngine, need_id: &str) -> Result<Option<Need>> {
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
) -> Result<HashMap<String, CatalogEntry>> {
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
) -> Result<HashMap<String, String>> {
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
) -> Result<HashMap<String, TrackRecord>> {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, StringArray, new_null_array};
    use datafusion::arrow::compute::cast;
    use parkhub_connectors::lake::MemoryBatches;
    use parkhub_connectors::{BatchIdentity, Contracts, Lake};

    use super::*;
    use crate::QueryLimits;

    /// Commits rows to a lake table: the named columns as text, cast to their types; the
    /// others null.
    async fn commit(lake: &Lake, contracts: &Contracts, table: &str, columns: &[(&str, &[&str])]) {
        let contract = contracts.get(table).expect("contract");
        let schema = contract.data_schema();
        let rows = columns.first().map_or(0, |(_, values)| values.len());
        let arrays: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(
                |field| match columns.iter().find(|(name, _)| name == field.name()) {
                    Some((_, values)) => {
                        let text: ArrayRef = Arc::new(StringArray::from(values.to_vec()));
                        cast(&text, field.data_type()).expect("cast")
                    }
                    None => new_null_array(field.data_type(), rows),
                },
            )
            .collect();
        let batch = RecordBatch::try_new(Arc::clone(&schema), arrays).expect("batch");
        lake.commit(
            contract,
            Arc::new(MemoryBatches::new(schema, vec![batch])),
            &BatchIdentity::new("test", table),
        )
        .await
        .expect("commit");
    }

    async fn park() -> (tempfile::TempDir, QueryEngine) {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(Lake::open(dir.path()).expect("lake"));
        let contracts = Arc::new(Contracts::builtin().expect("contracts"));
        commit(
            &lake,
            &contracts,
            "enterprises",
            &[
                ("uscc", &["91320500887734311U", "91110000600037341L"]),
                ("name", &["昌邦碳素", "北京甲公司"]),
                ("industry_code", &["C3091", "C3411"]),
                ("key_industry", &["building_materials", "machinery"]),
            ],
        )
        .await;
        commit(
            &lake,
            &contracts,
            "digital_assessment",
            &[
                ("uscc", &["91320500887734311U", "91320500887734311U"]),
                ("assessed_on", &["2025-03-01", "2026-08-23"]),
                ("maturity_level", &["1", "2"]),
            ],
        )
        .await;
        commit(
            &lake,
            &contracts,
            "transformation_projects",
            &[
                ("project_id", &["TP1", "TP2", "TP3", "TP4"]),
                (
                    "uscc",
                    &[
                        "91320500887734311U",
                        "91110000600037341L",
                        "91320500887734311U",
                        "91110000600037341L",
                    ],
                ),
                ("name", &["窑炉改造", "产线联网", "能耗监测", "设备上云"]),
                ("level", &["point", "line", "point", "point"]),
                ("investment", &["100", "200", "50", "80"]),
                ("provider_id", &["P1", "P1", "P1", "P2"]),
                (
                    "status",
                    &["completed", "completed", "ongoing", "completed"],
                ),
            ],
        )
        .await;
        let engine = QueryEngine::new(lake, contracts, QueryLimits::default()).expect("engine");
        (dir, engine)
    }

    #[tokio::test]
    async fn enterprises_come_with_their_latest_assessment() {
        let (_dir, engine) = park().await;
        let profile = enterprise(&engine, "91320500887734311U")
            .await
            .expect("read")
            .expect("registered");
        assert_eq!(
            profile,
            EnterpriseProfile {
                uscc: "91320500887734311U".into(),
                name: "昌邦碳素".into(),
                industry_code: "C3091".into(),
                division: Some("C30".into()),
                key_industry: "building_materials".into(),
                scale: None,
                maturity_level: Some(2),
                assessed_on: Some("2026-08-23".into()),
            }
        );
        let unassessed = enterprise(&engine, "91110000600037341L")
            .await
            .expect("read")
            .expect("registered");
        assert_eq!(unassessed.maturity_level, None);
        // Values are bound, not spliced: a quote is part of the value looked for.
        let spliced = enterprise(&engine, "x' OR '1'='1").await.expect("read");
        assert_eq!(spliced, None);
        // A table the lake does not have reads as empty.
        assert_eq!(need(&engine, "ND0001").await.expect("read"), None);
    }

    #[tokio::test]
    async fn track_records_count_completed_projects_by_industry() {
        let (_dir, engine) = park().await;
        let providers = ["P1".to_string(), "P2".to_string(), "P3".to_string()];
        let records = track_records(&engine, &providers, Some("machinery"))
            .await
            .expect("read");
        assert_eq!(
            records,
            HashMap::from([
                (
                    "P1".to_string(),
                    TrackRecord {
                        completed: 2,
                        completed_in_industry: 1
                    }
                ),
                (
                    "P2".to_string(),
                    TrackRecord {
                        completed: 1,
                        completed_in_industry: 1
                    }
                ),
            ])
        );
        let without_industry = track_records(&engine, &providers[..1], None)
            .await
            .expect("read");
        assert_eq!(
            without_industry["P1"],
            TrackRecord {
                completed: 2,
                completed_in_industry: 0
            }
        );
        assert!(
            provider_names(&engine, &providers)
                .await
                .expect("read")
                .is_empty()
        );
    }
}
