//! Small-group suppression: an aggregate over fewer than three enterprises is hidden from the
//! roles that may not see single enterprises, so that an industry average cannot reveal one
//! enterprise's figure.
//!
//! Indicators at a group grain (key industry, zone, park, …) are computed over the whole park
//! (an engine without a principal's row filter) and their answers passed through
//! [`suppress_small_groups`]; indicators at an entity grain (one row per enterprise or project)
//! run in the caller's own session, so their rows are the caller's and are never suppressed.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch};
use datafusion::arrow::compute::{cast, nullif};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

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

/// Returns an indicator answer as `role` may see it. For admin and committee, the batch as it
/// is. For centre and enterprise, the batch with a `suppressed` column: at a group grain, a
/// row whose `enterprise_count_column` is below [`MIN_GROUP_ENTERPRISES`] (or null) has its
/// measures (every numeric column but the count) set to null and `suppressed` true; at an
/// entity grain no row is suppressed.
pub fn suppress_small_groups(
    batch: &RecordBatch,
    grain: &Grain,
    role: Role,
    enterprise_count_column: &str,
) -> crate::Result<RecordBatch> {
    if !role.needs_small_group_suppression() {
        return Ok(batch.clone());
    }
    let schema = batch.schema();
    if schema.field_with_name(SUPPRESSED_COLUMN).is_ok() {
        return Err(PolicyError::SuppressedColumnTaken.into());
    }
    let suppressed = match grain {
        Grain::Entity(_) => BooleanArray::from(vec![false; batch.num_rows()]),
        Grain::Group(_) => {
            let index = schema.index_of(enterprise_count_column).map_err(|_| {
                PolicyError::MissingEnterpriseCount {
                    column: enterprise_count_column.to_string(),
                }
            })?;
            let counts = cast(batch.column(index), &DataType::Int64)?;
            let counts = counts
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or_else(|| PolicyError::MissingEnterpriseCount {
                    column: enterprise_count_column.to_string(),
                })?;
            counts
                .iter()
                .map(|count| Some(count.is_none_or(|count| count < MIN_GROUP_ENTERPRISES)))
                .collect()
        }
    };
    let mut fields: Vec<Field> = Vec::with_capacity(schema.fields().len() + 1);
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len() + 1);
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let is_measure = field.data_type().is_numeric() && field.name() != enterprise_count_column;
        if is_measure && matches!(grain, Grain::Group(_)) {
            columns.push(nullif(column.as_ref(), &suppressed)?);
            fields.push(field.as_ref().clone().with_nullable(true));
        } else {
            columns.push(Arc::clone(column));
            fields.push(field.as_ref().clone());
        }
    }
    fields.push(Field::new(SUPPRESSED_COLUMN, DataType::Boolean, false));
    columns.push(Arc::new(suppressed));
    let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
    Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Float64Array, StringArray};

    use super::*;

    fn industries() -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            (
                "key_industry",
                Arc::new(StringArray::from(vec!["machinery", "textiles", "all"])) as ArrayRef,
            ),
            (
                "enterprises",
                Arc::new(Int64Array::from(vec![3, 1, 5])) as ArrayRef,
            ),
            (
                "energy_intensity",
                Arc::new(Float64Array::from(vec![0.5, 2.0, 0.8])) as ArrayRef,
            ),
        ])
        .expect("batch")
    }

    #[test]
    fn groups_of_fewer_than_three_enterprises_are_hidden_from_centre_and_enterprises() {
        let grain = Grain::parse("key_industry × month");
        assert_eq!(
            grain,
            Grain::Group(vec!["key_industry".into(), "month".into()])
        );
        for role in [Role::Centre, Role::Enterprise] {
            let answer = suppress_small_groups(&industries(), &grain, role, "enterprises")
                .expect("suppressed");
            let (rows, _) = crate::format::json_rows(&[answer], 10);
            assert_eq!(
                rows,
                vec![
                    vec!["machinery".into(), 3.into(), 0.5.into(), false.into()],
                    vec![
                        "textiles".into(),
                        1.into(),
                        serde_json::Value::Null,
                        true.into()
                    ],
                    vec!["all".into(), 5.into(), 0.8.into(), false.into()],
                ],
                "{role}"
            );
        }
        for role in [Role::Admin, Role::Committee] {
            let answer =
                suppress_small_groups(&industries(), &grain, role, "enterprises").expect("as is");
            assert_eq!(answer, industries(), "{role}");
        }
    }

    #[test]
    fn entity_grains_are_never_suppressed_and_a_missing_count_is_an_error() {
        let grain = Grain::parse("enterprise");
        assert!(!grain.runs_over_whole_park());
        let answer = suppress_small_groups(&industries(), &grain, Role::Enterprise, "none")
            .expect("entity grain");
        let suppressed = answer
            .column_by_name(SUPPRESSED_COLUMN)
            .expect("column")
            .as_any()
            .downcast_ref::<BooleanArray>()
            .expect("booleans")
            .clone();
        assert_eq!(suppressed, BooleanArray::from(vec![false, false, false]));
        assert_eq!(answer.column(2).null_count(), 0);

        let error = suppress_small_groups(
            &industries(),
            &Grain::parse("key_industry"),
            Role::Centre,
            "enterprises_assessed",
        )
        .expect_err("no count");
        assert!(
            error.to_string().contains("enterprises_assessed"),
            "{error}"
        );
    }
}
