//! The read-only guard: every statement is checked before and after planning.
//!
//! The parsed statement must be a query (`SELECT`, `WITH`, `VALUES`), an `EXPLAIN` of one, or a
//! `SHOW`/`DESCRIBE`; the logical plan, including subqueries and the plans under `EXPLAIN`, must
//! not contain DDL, DML, `COPY` or session statements (`SET`, `PREPARE`, transactions).

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DataFusionStatement;
use datafusion::sql::sqlparser::ast::Statement as SqlStatement;

use crate::error::{Error, Result};

/// Checks a parsed statement; returns the refusal naming its kind when it is not a read.
pub fn check_statement(statement: &DataFusionStatement) -> Result<()> {
    match statement {
        DataFusionStatement::Statement(inner) => check_sql_statement(inner),
        DataFusionStatement::Explain(explain) => check_statement(&explain.statement),
        DataFusionStatement::CreateExternalTable(_) => Err(Error::ReadOnly {
            statement: "CREATE EXTERNAL TABLE".into(),
        }),
        DataFusionStatement::CopyTo(_) => Err(Error::ReadOnly {
            statement: "COPY".into(),
        }),
        other => Err(Error::ReadOnly {
            statement: leading_keywords(&other.to_string()),
        }),
    }
}

fn check_sql_statement(statement: &SqlStatement) -> Result<()> {
    match statement {
        SqlStatement::Query(_)
        | SqlStatement::ShowTables { .. }
        | SqlStatement::ShowColumns { .. }
        | SqlStatement::ExplainTable { .. } => Ok(()),
        SqlStatement::Explain { statement, .. } => check_sql_statement(statement),
        other => Err(Error::ReadOnly {
            statement: leading_keywords(&other.to_string()),
        }),
    }
}

/// Checks a logical plan, subqueries and explained plans included.
pub fn check_plan(plan: &LogicalPlan) -> Result<()> {
    let mut refused: Option<String> = None;
    plan.apply_with_subqueries(|node| {
        let kind = match node {
            LogicalPlan::Ddl(ddl) => Some(ddl.name().to_string()),
            LogicalPlan::Dml(dml) => Some(format!("{} (write)", dml.op)),
            LogicalPlan::Copy(_) => Some("COPY".to_string()),
            LogicalPlan::Statement(statement) => Some(statement.name().to_string()),
            _ => None,
        };
        match kind {
            Some(kind) => {
                refused = Some(kind);
                Ok(TreeNodeRecursion::Stop)
            }
            None => Ok(TreeNodeRecursion::Continue),
        }
    })?;
    match refused {
        Some(statement) => Err(Error::ReadOnly { statement }),
        None => Ok(()),
    }
}

/// Returns the keywords that name a statement's kind: `CREATE TABLE`, `DROP VIEW`, `INSERT`, `SET`.
fn leading_keywords(statement_text: &str) -> String {
    let mut words = statement_text.split_whitespace().map(str::to_uppercase);
    let first = words.next().unwrap_or_default();
    match first.as_str() {
        "CREATE" | "DROP" | "ALTER" | "START" | "TRUNCATE" => {
            let mut kind = vec![first];
            for word in words.take(3) {
                let is_modifier = matches!(
                    word.as_str(),
                    "OR" | "REPLACE"
                        | "TEMPORARY"
                        | "TEMP"
                        | "EXTERNAL"
                        | "UNIQUE"
                        | "IF"
                        | "NOT"
                        | "EXISTS"
                );
                kind.push(word);
                if !is_modifier {
                    break;
                }
            }
            kind.join(" ")
        }
        _ => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_keywords_name_the_statement() {
        assert_eq!(leading_keywords("CREATE TABLE t (a INT)"), "CREATE TABLE");
        assert_eq!(
            leading_keywords("create or replace view v as select 1"),
            "CREATE OR REPLACE VIEW"
        );
        assert_eq!(leading_keywords("DROP TABLE enterprises"), "DROP TABLE");
        assert_eq!(leading_keywords("insert into t values (1)"), "INSERT");
        assert_eq!(
            leading_keywords("SET datafusion.execution.batch_size = 1"),
            "SET"
        );
    }
}
