//! A lake table as a principal reads it: a [`TableProvider`] whose scan applies the row filter
//! below anything the user's SQL does.
//!
//! The plan of a scan is `PolicyBoundaryExec → FilterExec(row filter) → inner scan`. The row
//! filter is also handed to the inner (Delta) scan, so that files of other enterprises are
//! skipped, but the `FilterExec` is what guarantees it. The boundary above it keeps the user's
//! expressions out: it accepts no filter pushed down from above (so no user expression is
//! evaluated on a row the principal may not read, which could leak it through an error
//! message, as PostgreSQL's `leakproof` rule guards against), lets no limit through (a limit
//! must count visible rows), and reports unknown statistics (so that neither `count(*)` nor a
//! plan shows how many rows the table really holds). The user's own filters reach the inner
//! scan only when they are plain comparisons of columns with literals, which cannot fail.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{Column, DFSchema, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{Expr, Operator, TableProviderFilterPushDown, TableType, lit};
use datafusion::physical_plan::filter::FilterExecBuilder;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, PhysicalExpr,
    PlanProperties, ReplaceChildrenOptions, SendableRecordBatchStream,
};

/// Which rows of a table a principal reads.
#[derive(Debug, Clone)]
pub enum RowFilter {
    /// Rows whose `column` is one of `values` (a missing column or no values: no rows).
    ColumnIn {
        /// The column compared.
        column: String,
        /// The values it may have.
        values: Vec<String>,
    },
    /// Rows whose `column` is one of the values of `key` in `source`, a table already filtered
    /// for the principal (the disbursements of the projects it reads). The values are read
    /// when the table is scanned, from the same snapshot the query sees.
    ColumnInTable {
        /// The column compared.
        column: String,
        /// The table the values come from.
        source: Arc<dyn TableProvider>,
        /// The column of `source` holding them.
        key: String,
    },
}

impl RowFilter {
    /// Resolves the filter to an expression over the table's columns.
    async fn expression(&self, state: &dyn Session, schema: &SchemaRef) -> Result<Expr> {
        let (column, values) = match self {
            RowFilter::ColumnIn { column, values } => (column, values.clone()),
            RowFilter::ColumnInTable {
                column,
                source,
                key,
            } => (column, column_values(state, source, key).await?),
        };
        if values.is_empty() || schema.field_with_name(column).is_err() {
            return Ok(lit(false));
        }
        let list = values.into_iter().map(lit).collect();
        Ok(Expr::Column(Column::from_name(column.as_str())).in_list(list, false))
    }
}

impl fmt::Display for RowFilter {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowFilter::ColumnIn { column, values } => {
                write!(formatter, "{column} IN ({})", values.join(", "))
            }
            RowFilter::ColumnInTable { column, key, .. } => {
                write!(
                    formatter,
                    "{column} IN (the {key} values the principal reads)"
                )
            }
        }
    }
}

/// Reads the distinct non-null text values of `key` in `source`.
async fn column_values(
    state: &dyn Session,
    source: &Arc<dyn TableProvider>,
    key: &str,
) -> Result<Vec<String>> {
    let Ok(index) = source.schema().index_of(key) else {
        return Ok(Vec::new());
    };
    let plan = source.scan(state, Some(&vec![index]), &[], None).await?;
    let batches = datafusion::physical_plan::collect(plan, state.task_ctx()).await?;
    let mut values = std::collections::BTreeSet::new();
    for batch in &batches {
        let column = datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
        let strings = column.as_string::<i32>();
        values.extend(
            (0..strings.len())
                .filter(|row| strings.is_valid(*row))
                .map(|row| strings.value(row).to_string()),
        );
    }
    Ok(values.into_iter().collect())
}

/// A table whose scans return only the rows its [`RowFilter`] lets through.
#[derive(Debug)]
pub struct FilteredTable {
    inner: Arc<dyn TableProvider>,
    filter: RowFilter,
}

impl FilteredTable {
    /// Wraps `inner` so that only the rows `filter` lets through are read.
    pub fn new(inner: Arc<dyn TableProvider>, filter: RowFilter) -> FilteredTable {
        FilteredTable { inner, filter }
    }

    /// The row filter.
    pub fn filter(&self) -> &RowFilter {
        &self.filter
    }
}

#[async_trait]
impl TableProvider for FilteredTable {
    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // Inexact: DataFusion keeps every user filter above the scan, on visible rows.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let schema = self.inner.schema();
        let row_filter = self.filter.expression(state, &schema).await?;
        // The inner scan reads the requested columns, then those the row filter needs.
        let inner_projection = projection.map(|requested| {
            let mut columns = requested.clone();
            for column in row_filter.column_refs() {
                if let Ok(index) = schema.index_of(&column.name)
                    && !columns.contains(&index)
                {
                    columns.push(index);
                }
            }
            columns
        });
        let mut pushed: Vec<Expr> = filters
            .iter()
            .filter(|filter| is_leakproof(filter))
            .cloned()
            .collect();
        pushed.push(row_filter.clone());
        let input = self
            .inner
            .scan(state, inner_projection.as_ref(), &pushed, None)
            .await?;
        let input_schema = DFSchema::try_from(input.schema())?;
        let predicate = state.create_physical_expr(row_filter, &input_schema)?;
        let filtered = FilterExecBuilder::new(predicate, input)
            .apply_projection(projection.map(|requested| (0..requested.len()).collect()))?
            .with_fetch(limit)
            .build()?;
        Ok(Arc::new(PolicyBoundaryExec::new(Arc::new(filtered))))
    }
}

/// Returns true for expressions that cannot fail or reveal a value, whatever row they see:
/// columns, literals, comparisons, `AND`/`OR`/`NOT`, `IS [NOT] NULL`, `BETWEEN` and `IN` lists
/// of those. Functions and casts are not (a failing cast names its value).
fn is_leakproof(expression: &Expr) -> bool {
    match expression {
        Expr::Column(_) | Expr::Literal(..) => true,
        Expr::BinaryExpr(binary) => {
            matches!(
                binary.op,
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
                    | Operator::And
                    | Operator::Or
                    | Operator::IsDistinctFrom
                    | Operator::IsNotDistinctFrom
            ) && is_leakproof(&binary.left)
                && is_leakproof(&binary.right)
        }
        Expr::Not(inner) | Expr::IsNull(inner) | Expr::IsNotNull(inner) => is_leakproof(inner),
        Expr::Between(between) => {
            is_leakproof(&between.expr) && is_leakproof(&between.low) && is_leakproof(&between.high)
        }
        Expr::InList(in_list) => {
            is_leakproof(&in_list.expr) && in_list.list.iter().all(is_leakproof)
        }
        _ => false,
    }
}

/// The top of a filtered scan: passes its input's batches through, and nothing else through:
/// no filter or limit from above, no statistics from below.
#[derive(Debug, Clone)]
pub struct PolicyBoundaryExec {
    input: Arc<dyn ExecutionPlan>,
    properties: Arc<PlanProperties>,
}

impl PolicyBoundaryExec {
    /// Puts the boundary over `input`.
    pub fn new(input: Arc<dyn ExecutionPlan>) -> PolicyBoundaryExec {
        let properties = Arc::new(PlanProperties::clone(input.properties()));
        PolicyBoundaryExec { input, properties }
    }
}

impl DisplayAs for PolicyBoundaryExec {
    fn fmt_as(
        &self,
        _format: DisplayFormatType,
        formatter: &mut fmt::Formatter<'_>,
    ) -> fmt::Result {
        formatter.write_str("PolicyBoundaryExec")
    }
}

impl ExecutionPlan for PolicyBoundaryExec {
    fn name(&self) -> &str {
        "PolicyBoundaryExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _visit: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
        options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 {
            return Err(datafusion::error::DataFusionError::Internal(format!(
                "PolicyBoundaryExec has one child, {} were given",
                children.len()
            )));
        }
        let input = children.swap_remove(0);
        Ok(Arc::new(match options.children_properties {
            ChildrenPropertiesMode::Keep => PolicyBoundaryExec {
                input,
                properties: Arc::clone(&self.properties),
            },
            ChildrenPropertiesMode::Recompute => PolicyBoundaryExec::new(input),
        }))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.input.execute(partition, context)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::col;

    use super::*;

    #[test]
    fn only_plain_comparisons_reach_the_inner_scan() {
        assert!(is_leakproof(
            &col("ts").gt_eq(lit(5)).and(col("uscc").is_not_null())
        ));
        assert!(is_leakproof(&col("uscc").in_list(vec![lit("a")], true)));
        assert!(!is_leakproof(
            &datafusion::logical_expr::cast(col("name"), DataType::Int64).eq(lit(1))
        ));
        assert!(!is_leakproof(
            &datafusion::functions::expr_fn::length(col("name")).gt(lit(1))
        ));
    }
}
