//! Small-group suppression: an aggregate over fewer than three enterprises is hidden from the
//! roles that may not see single enterprises, so that an industry average cannot reveal one
//! enterprise's figure.
//!
//! Indicators at a group grain (key industry, zone, park, …) are computed over the whole park
//! (an engine without a principal's row filter) and their answers passed through
//! [`suppress_small_groups`]; indicators at an entity grain (one row per enterprise or project)
//! run in the caller's own session, so their rows are the caller's and are never suppressed.

use datafusion::arrow::datatypes::DataType;
use datafusion::prelude::{DataFrame, Expr, cast, ident, lit, when};
use datafusion::scalar::ScalarValue;

use super::PolicyError;
use super::model::Role;

/// The fewest enterprises an aggregate may be computed over and still be shown.
pub const MIN_GROUP_ENTERPRISES: i64 = 3;
/// The column that says whether a row's figures were suppressed.
pub const SUPPRESSED_COLUMN: &str = "suppressed";

/// What one row of an indicator stands for, from the `grain` of its `.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grain {
    /// One enterprise or one project: rows are read through the caller's row filter.
    Entity(String),
    /// A group of enterprises (key industry, zone, park, level × category, …), by the names
    /// in the grain (`key_industry × month` → `key_industry`, `month`).
    Group(Vec<String>),
}

impl Grain {
    /// The grains whose rows stand for one entity of the lake.
    const ENTITIES: [&'static str; 2] = ["enterprise", "project"];

    /// Reads an indicator's grain: `enterprise` and `project` are entity grains, anything
    /// else (`key_industry`, `key_industry × month`, `zone`, `park`) a group grain.
    pub fn parse(text: &str) -> Grain {
        let trimmed = text.trim();
        if Grain::ENTITIES.contains(&trimmed) {
            return Grain::Entity(trimmed.to_string());
        }
        Grain::Group(
            trimmed
                .split('×')
                .map(|part| part.trim().to_string())
                .filter(|part| !part.is_empty())
                .collect(),
        )
    }

    /// Returns true when the indicator is computed over the whole park (then suppressed),
    /// false when it runs under the caller's row filter.
    pub fn runs_over_whole_park(&self) -> bool {
        matches!(self, Grain::Group(_))
    }
}

/// Returns an indicator's planned answer as `role` may see it. For admin and committee, the
/// frame as it is. For centre and enterprise, the frame with a `suppressed` column: at a group
/// grain, a row is suppressed when its first `enterprise_counts` column is null or below
/// [`MIN_GROUP_ENTERPRISES`], or another of them (e.g. the enterprises of the year before) is
/// below it; a suppressed row has its measures (every numeric column but the counts) null. At
/// an entity grain no row is suppressed. The suppression is part of the plan, so the answer
/// streams as before.
pub fn suppress_small_groups(
    frame: DataFrame,
    grain: &Grain,
    role: Role,
    enterprise_counts: &[String],
) -> crate::Result<DataFrame> {
    if !role.needs_small_group_suppression() {
        return Ok(frame);
    }
    let schema = frame.schema().clone();
    if schema.has_column_with_unqualified_name(SUPPRESSED_COLUMN) {
        return Err(PolicyError::SuppressedColumnTaken.into());
    }
    let suppressed = match grain {
        Grain::Entity(_) => lit(false),
        Grain::Group(_) => {
            let Some((first, others)) = enterprise_counts.split_first() else {
                return Err(PolicyError::MissingEnterpriseCount {
                    column: "(none declared: enterprise_count in the indicator's .toml)".into(),
                }
                .into());
            };
            let count = |name: &str| -> crate::Result<Expr> {
                if !schema.has_column_with_unqualified_name(name) {
                    return Err(PolicyError::MissingEnterpriseCount {
                        column: name.to_string(),
                    }
                    .into());
                }
                Ok(cast(ident(name), DataType::Int64))
            };
            let mut small = count(first)?
                .is_null()
                .or(count(first)?.lt(lit(MIN_GROUP_ENTERPRISES)));
            for other in others {
                small = small.or(count(other)?.lt(lit(MIN_GROUP_ENTERPRISES)).is_true());
            }
            small
        }
    };
    let is_group = matches!(grain, Grain::Group(_));
    let mut columns: Vec<Expr> = Vec::with_capacity(schema.fields().len() + 1);
    for field in schema.fields() {
        let name = field.name();
        let is_measure =
            field.data_type().is_numeric() && !enterprise_counts.iter().any(|count| count == name);
        if is_measure && is_group {
            let null = ScalarValue::try_from(field.data_type())?;
            columns.push(
                when(suppressed.clone(), lit(null))
                    .otherwise(ident(name))?
                    .alias(name),
            );
        } else {
            columns.push(ident(name));
        }
    }
    columns.push(suppressed.alias(SUPPRESSED_COLUMN));
    Ok(frame.select(columns)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use datafusion::prelude::SessionContext;

    use super::*;

    fn industries() -> DataFrame {
        let batch = RecordBatch::try_from_iter(vec![
            (
                "key_industry",
                Arc::new(StringArray::from(vec!["machinery", "textiles", "all"])) as ArrayRef,
            ),
            (
                "enterprises",
                Arc::new(Int64Array::from(vec![3, 1, 5])) as ArrayRef,
            ),
            (
                "enterprises_prev_year",
                Arc::new(Int64Array::from(vec![Some(2), None, Some(4)])) as ArrayRef,
            ),
            (
                "energy_intensity",
                Arc::new(Float64Array::from(vec![0.5, 2.0, 0.8])) as ArrayRef,
            ),
        ])
        .expect("batch");
        SessionContext::new().read_batch(batch).expect("frame")
    }

    async fn rows(frame: DataFrame) -> Vec<Vec<serde_json::Value>> {
        let batches = frame.collect().await.expect("runs");
        crate::format::json_rows(&batches, 10).0
    }

    fn counts(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[tokio::test]
    async fn groups_of_fewer_than_three_enterprises_are_hidden_from_centre_and_enterprises() {
        let grain = Grain::parse("key_industry × month");
        assert_eq!(
            grain,
            Grain::Group(vec!["key_industry".into(), "month".into()])
        );
        for role in [Role::Centre, Role::Enterprise] {
            let answer =
                suppress_small_groups(industries(), &grain, role, &counts(&["enterprises"]))
                    .expect("suppressed");
            let null = serde_json::Value::Null;
            assert_eq!(
                rows(answer).await,
                vec![
                    vec![
                        "machinery".into(),
                        3.into(),
                        2.into(),
                        0.5.into(),
                        false.into()
                    ],
                    vec!["textiles".into(), 1.into(), null.clone(), null, true.into()],
                    vec!["all".into(), 5.into(), 4.into(), 0.8.into(), false.into()],
                ],
                "{role}"
            );
            // A second count (the year before) suppresses too when it is small, not when null.
            let answer = suppress_small_groups(
                industries(),
                &grain,
                role,
                &counts(&["enterprises", "enterprises_prev_year"]),
            )
            .expect("suppressed");
            let suppressed: Vec<serde_json::Value> = rows(answer)
                .await
                .into_iter()
                .map(|row| row[4].clone())
                .collect();
            assert_eq!(
                suppressed,
                vec![
                    serde_json::json!(true),
                    serde_json::json!(true),
                    serde_json::json!(false)
                ]
            );
        }
        for role in [Role::Admin, Role::Committee] {
            let answer =
                suppress_small_groups(industries(), &grain, role, &counts(&["enterprises"]))
                    .expect("as is");
            assert_eq!(rows(answer).await, rows(industries()).await, "{role}");
        }
    }

    #[tokio::test]
    async fn entity_grains_are_never_suppressed_and_a_missing_count_is_an_error() {
        let grain = Grain::parse("enterprise");
        assert!(!grain.runs_over_whole_park());
        let answer = suppress_small_groups(industries(), &grain, Role::Enterprise, &[])
            .expect("entity grain");
        let rows = rows(answer).await;
        assert!(rows.iter().all(|row| row[4] == serde_json::json!(false)));
        assert!(rows.iter().all(|row| !row[3].is_null()));

        for declared in [counts(&["enterprises_assessed"]), Vec::new()] {
            let error = suppress_small_groups(
                industries(),
                &Grain::parse("key_industry"),
                Role::Centre,
                &declared,
            )
            .expect_err("no count");
            assert!(error.to_string().contains("enterprise"), "{error}");
        }
    }
}
