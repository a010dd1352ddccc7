//! `catalog_search('query' [, 'kind' [, limit]])`: catalog search results as a table, so SQL
//! can join them with the lake (e.g. offerings for 注塑 whose providers completed projects in
//! the machinery industry).

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float32Array, Float64Array, RecordBatch, StringArray, UInt32Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::Expr;
use parkhub_catalog::{Catalog, EntryKind, SearchRequest};

/// The name the function has in SQL.
pub const FUNCTION_NAME: &str = "catalog_search";
/// Hits returned when no limit is given.
pub const DEFAULT_LIMIT: usize = 100;
/// The most hits one call may ask for.
pub const MAX_LIMIT: usize = 10_000;

/// The table function over a catalog index.
#[derive(Debug)]
pub struct CatalogSearchFunction {
    catalog: Arc<Catalog>,
}

impl CatalogSearchFunction {
    /// Creates the function over `catalog`.
    pub fn new(catalog: Arc<Catalog>) -> CatalogSearchFunction {
        CatalogSearchFunction { catalog }
    }

    /// The columns it returns.
    pub fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("score", DataType::Float32, false),
            Field::new("rank", DataType::UInt32, false),
            Field::new("title", DataType::Utf8, false),
            Field::new("snippet", DataType::Utf8, false),
            Field::new("category", DataType::Utf8, true),
            Field::new("provider_id", DataType::Utf8, true),
            Field::new("rating", DataType::Float64, true),
            Field::new("price_min", DataType::Float64, true),
            Field::new("price_max", DataType::Float64, true),
        ]))
    }
}

fn text_argument(expression: &Expr, position: usize) -> Result<String> {
    match expression {
        Expr::Literal(
            ScalarValue::Utf8(Some(text))
            | ScalarValue::Utf8View(Some(text))
            | ScalarValue::LargeUtf8(Some(text)),
            _,
        ) => Ok(text.clone()),
        other => Err(DataFusionError::Plan(format!(
            "{FUNCTION_NAME}: argument {position} must be a text literal, found {other}"
        ))),
    }
}

fn limit_argument(expression: &Expr) -> Result<usize> {
    let limit = match expression {
        Expr::Literal(value, _) if value.data_type().is_integer() => value
            .to_string()
            .parse::<i64>()
            .map_err(|error| DataFusionError::Plan(error.to_string()))?,
        other => {
            return Err(DataFusionError::Plan(format!(
                "{FUNCTION_NAME}: the limit must be an integer literal, found {other}"
            )));
        }
    };
    match usize::try_from(limit) {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(DataFusionError::Plan(format!(
            "{FUNCTION_NAME}: the limit must be between 1 and {MAX_LIMIT}"
        ))),
    }
}

impl TableFunctionImpl for CatalogSearchFunction {
    fn call_with_args(&self, args: TableFunctionArgs) -> Result<Arc<dyn TableProvider>> {
        let exprs = args.exprs();
        if exprs.is_empty() || exprs.len() > 3 {
            return Err(DataFusionError::Plan(format!(
                "{FUNCTION_NAME}('query' [, 'application'|'offering'|'provider' [, limit]]) takes 1 to 3 arguments, {} given",
                exprs.len()
            )));
        }
        let query = text_argument(&exprs[0], 1)?;
        let kind = match exprs.get(1) {
            Some(expression) => {
                let text = text_argument(expression, 2)?;
                if text.is_empty() {
                    None
                } else {
                    Some(text.parse::<EntryKind>().map_err(|error| {
                        DataFusionError::Plan(format!("{FUNCTION_NAME}: {error}"))
                    })?)
                }
            }
            None => None,
        };
        let limit = exprs
            .get(2)
            .map(limit_argument)
            .transpose()?
            .unwrap_or(DEFAULT_LIMIT);
        let request = SearchRequest {
            query,
            kind,
            limit,
            offset: 0,
            ..SearchRequest::default()
        };
        let results = self
            .catalog
            .search(&request)
            .map_err(|error| DataFusionError::Plan(format!("{FUNCTION_NAME}: {error}")))?;
        let hits = &results.hits;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                hits.iter().map(|hit| hit.id.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                hits.iter().map(|hit| hit.kind.as_str()),
            )),
            Arc::new(Float32Array::from_iter_values(
                hits.iter().map(|hit| hit.score),
            )),
            Arc::new(UInt32Array::from_iter_values(
                (1..=hits.len() as u32).collect::<Vec<_>>(),
            )),
            Arc::new(StringArray::from_iter_values(
                hits.iter().map(|hit| hit.title.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                hits.iter().map(|hit| hit.snippet.as_str()),
            )),
            Arc::new(
                hits.iter()
                    .map(|hit| hit.category.as_deref())
                    .collect::<StringArray>(),
            ),
            Arc::new(
                hits.iter()
                    .map(|hit| hit.provider_id.as_deref())
                    .collect::<StringArray>(),
            ),
            Arc::new(hits.iter().map(|hit| hit.rating).collect::<Float64Array>()),
            Arc::new(
                hits.iter()
                    .map(|hit| hit.price_min)
                    .collect::<Float64Array>(),
            ),
            Arc::new(
                hits.iter()
                    .map(|hit| hit.price_max)
                    .collect::<Float64Array>(),
            ),
        ];
        let schema = CatalogSearchFunction::schema();
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}
