//! Rewrites of what client libraries send while they inspect a server into SQL DataFusion
//! plans, applied after `datafusion-pg-catalog`'s own ([`rewrite`]).
//!
//! Each one keeps Postgres's meaning:
//!
//! - `x LIKE p ESCAPE '/'` (SQLAlchemy's schema listing) is `x LIKE like_escape(p, '/')`:
//!   DataFusion knows only the backslash as escape character, and Postgres's `like_escape`
//!   rewrites a pattern to it.
//! - `(expression).field` (pgjdbc's `(information_schema._pg_expandarray(i.indkey)).n`) is
//!   `expression['field']`.
//! - `information_schema._pg_expandarray(array)`, a set-returning function in a select list,
//!   is `unnest(_pg_expandarray(array))`; `generate_subscripts(array, 1)` (SQLAlchemy's key
//!   columns) is `unnest(generate_series(1, cardinality(array)))`, so both zip with the other
//!   `unnest` of their select list as Postgres's set-returning functions do.
//! - `ARRAY(SELECT e FROM …)` is `(SELECT array_agg(e) FROM …)`; one that refers to the
//!   outer query (psql's `array(select … from unnest(tc.reloptions) x)`) is `NULL`, as
//!   `datafusion-pg-catalog` does for other correlated subqueries of a select list: over
//!   ParkHub's catalog they are all over empty sets.
//!
//! - A relation name cast to `regclass` resolves in `pg_catalog` as well as in the current
//!   schema, as Postgres's search path does (`'pg_class'::regclass`, pgjdbc's way of naming
//!   the catalog of table comments): `datafusion-pg-catalog` looks in the current schema only.
//!
//! - A scalar subquery that refers to the outer query and selects one plain expression
//!   (SQLAlchemy's `(SELECT pg_get_expr(…) FROM pg_attrdef WHERE adrelid = a.attrelid …)`)
//!   selects `first_value(expression)`: DataFusion plans correlated scalar subqueries only
//!   when they aggregate. Over the catalog they find at most one row, as in Postgres.
//!
//! The rewritten statement is planned and guarded like any other; the audit keeps the text
//! the client sent.

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    AccessExpr, Expr, FunctionArguments, ObjectName, OrderByKind, Query, SelectItem, SetExpr,
    Statement, Subscript, TableFactor, Value, Visit, VisitMut, Visitor, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Rewrites `statement` in place (see the module documentation).
pub(crate) fn rewrite(statement: &mut Statement) {
    let _ = statement.visit(&mut Rewriter);
}

struct Rewriter;

impl VisitorMut for Rewriter {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if is_regclass_lookup(query)
            && let SetExpr::Select(select) = query.body.as_mut()
            && let Some(selection) = select.selection.as_mut()
        {
            let _ = selection.visit(&mut SearchPath);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expression: &mut Expr) -> ControlFlow<()> {
        if let Some(rewritten) = rewritten(expression) {
            *expression = rewritten;
        }
        ControlFlow::Continue(())
    }
}

/// Whether `query` is `datafusion-pg-catalog`'s lookup of a `'name'::regclass` cast: a
/// select over `pg_class` cross joined with `(SELECT parse_ident(…) AS parts)`.
fn is_regclass_lookup(query: &Query) -> bool {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return false;
    };
    select.from.iter().any(|table| {
        table.joins.iter().any(|join| match &join.relation {
            TableFactor::Derived { subquery, .. } => match subquery.body.as_ref() {
                SetExpr::Select(inner) => inner.projection.iter().any(|item| {
                    matches!(item, SelectItem::ExprWithAlias { expr: Expr::Function(function), alias }
                        if alias.value == "parts" && function_name(&function.name) == "parse_ident")
                }),
                _ => false,
            },
            _ => false,
        })
    })
}

/// Turns `n.nspname = current_schema()` into `n.nspname IN ('pg_catalog', current_schema())`.
struct SearchPath;

impl VisitorMut for SearchPath {
    type Break = ();

    fn post_visit_expr(&mut self, expression: &mut Expr) -> ControlFlow<()> {
        if let Expr::BinaryOp { left, op, right } = expression
            && *op == datafusion::sql::sqlparser::ast::BinaryOperator::Eq
            && matches!(right.as_ref(), Expr::Function(function) if function_name(&function.name) == "current_schema")
            && let Some(searched) = parse_expression(&format!(
                "{left} IN ('{}', current_schema())",
                crate::catalog::PG_CATALOG
            ))
        {
            *expression = searched;
        }
        ControlFlow::Continue(())
    }
}

/// The rewrite of one expression (its parts are rewritten already), if it needs one.
fn rewritten(expression: &mut Expr) -> Option<Expr> {
    match expression {
        Expr::Like {
            pattern,
            escape_char,
            ..
        }
        | Expr::ILike {
            pattern,
            escape_char,
            ..
        } => {
            let escape = escape_char.as_ref().and_then(|value| match &value.value {
                Value::SingleQuotedString(text) | Value::EscapedStringLiteral(text) => {
                    Some(text.clone())
                }
                _ => None,
            })?;
            if escape == "\\" {
                *escape_char = None;
                return None;
            }
            let quoted = escape.replace('\'', "''");
            let escaped = parse_expression(&format!("like_escape({pattern}, '{quoted}')"))?;
            **pattern = escaped;
            *escape_char = None;
            None
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            // Dots right after a name qualify it (`con.conkey[1]` is column `con.conkey`).
            if let Expr::Identifier(_) | Expr::CompoundIdentifier(_) = root.as_ref() {
                let mut parts = match root.as_ref() {
                    Expr::Identifier(ident) => vec![ident.clone()],
                    Expr::CompoundIdentifier(idents) => idents.clone(),
                    _ => Vec::new(),
                };
                while let Some(AccessExpr::Dot(Expr::Identifier(field))) = access_chain.first() {
                    parts.push(field.clone());
                    access_chain.remove(0);
                }
                **root = if parts.len() == 1 {
                    Expr::Identifier(parts.remove(0))
                } else {
                    Expr::CompoundIdentifier(parts)
                };
                if access_chain.is_empty() {
                    return Some((**root).clone());
                }
            }
            for access in access_chain.iter_mut() {
                if let AccessExpr::Dot(Expr::Identifier(field)) = access {
                    *access = AccessExpr::Subscript(Subscript::Index {
                        index: Expr::Value(
                            Value::SingleQuotedString(field.value.clone()).with_empty_span(),
                        ),
                    });
                }
            }
            None
        }
        Expr::Function(function) => {
            let name = function_name(&function.name);
            match (name.as_str(), &function.args) {
                ("_pg_expandarray", FunctionArguments::List(arguments)) => {
                    parse_expression(&format!("unnest(_pg_expandarray({arguments}))"))
                }
                ("generate_subscripts", FunctionArguments::List(arguments)) => {
                    let array = arguments.args.first()?;
                    parse_expression(&format!(
                        "unnest(generate_series(1, CAST(coalesce(cardinality({array}), 0) AS BIGINT)))"
                    ))
                }
                ("array", FunctionArguments::Subquery(query)) => array_subquery(query),
                _ => None,
            }
        }
        Expr::Subquery(query) => aggregate_correlated(query),
        _ => None,
    }
}

fn function_name(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|part| part.as_ident())
        .map(|ident| ident.value.to_lowercase())
        .unwrap_or_default()
}

fn parse_expression(text: &str) -> Option<Expr> {
    match Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut parser| parser.parse_expr())
    {
        Ok(expression) => Some(expression),
        Err(error) => {
            tracing::warn!(%error, text, "Postgres wire: a compatibility rewrite does not parse");
            None
        }
    }
}

/// `ARRAY(SELECT e FROM … [ORDER BY …])` as `(SELECT array_agg(e [ORDER BY …]) FROM …)`, or
/// `NULL` when the subquery refers to the outer query.
fn array_subquery(query: &Query) -> Option<Expr> {
    if is_correlated(query) {
        return parse_expression("NULL");
    }
    let mut query = query.clone();
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let [item] = select.projection.as_slice() else {
        return None;
    };
    let element = match item {
        SelectItem::UnnamedExpr(expression)
        | SelectItem::ExprWithAlias {
            expr: expression, ..
        } => expression.clone(),
        _ => return None,
    };
    let order = match query.order_by.take().map(|order| order.kind) {
        Some(OrderByKind::Expressions(expressions)) if !expressions.is_empty() => {
            let terms: Vec<String> = expressions
                .iter()
                .map(|term| {
                    // `ORDER BY 1` is the element itself.
                    let mut term = term.clone();
                    if matches!(&term.expr, Expr::Value(value) if value.value.to_string() == "1") {
                        term.expr = element.clone();
                    }
                    term.to_string()
                })
                .collect();
            format!(" ORDER BY {}", terms.join(", "))
        }
        _ => String::new(),
    };
    let aggregated = parse_expression(&format!("array_agg({element}{order})"))?;
    select.projection = vec![SelectItem::UnnamedExpr(aggregated)];
    Some(Expr::Subquery(Box::new(query)))
}

/// Makes a correlated scalar subquery of one plain expression select `first_value` of it;
/// the conditions of its `WHERE` that are on the outer query's columns only become a `CASE`
/// around it (DataFusion cannot decorrelate them inside one), which means the same: without
/// them the subquery finds no row, and its answer is `NULL`.
fn aggregate_correlated(query: &mut Query) -> Option<Expr> {
    if query.limit_clause.is_some() || query.fetch.is_some() || !is_correlated(query) {
        return None;
    }
    let own = own_relations(query);
    let SetExpr::Select(select) = query.body.as_mut() else {
        return None;
    };
    let plain = select.having.is_none()
        && select.distinct.is_none()
        && matches!(&select.group_by, datafusion::sql::sqlparser::ast::GroupByExpr::Expressions(expressions, _) if expressions.is_empty());
    if !plain {
        return None;
    }
    let [item] = select.projection.as_mut_slice() else {
        return None;
    };
    let (expression, alias) = match item {
        SelectItem::UnnamedExpr(expression) => (expression, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
        _ => return None,
    };
    if contains_aggregate(expression) {
        return None;
    }
    let aggregated = parse_expression(&format!("first_value({expression})"))?;
    *item = match alias {
        Some(alias) => SelectItem::ExprWithAlias {
            expr: aggregated,
            alias,
        },
        None => SelectItem::UnnamedExpr(aggregated),
    };
    let mut outer_only = Vec::new();
    if let Some(selection) = select.selection.take() {
        let mut kept = Vec::new();
        for condition in conjuncts(selection) {
            if refers_only_outside(&condition, &own) {
                outer_only.push(condition);
            } else if is_decorrelatable(&condition, &own) {
                kept.push(condition);
            } else {
                // DataFusion cannot plan it (`s.seqrelid = f(a.attrelid)`): over the catalog
                // such lookups (sequences, defaults) find nothing.
                tracing::debug!(%condition, "Postgres wire: a correlated subquery is answered NULL");
                return parse_expression("NULL");
            }
        }
        select.selection = kept.into_iter().reduce(|left, right| Expr::BinaryOp {
            left: Box::new(left),
            op: datafusion::sql::sqlparser::ast::BinaryOperator::And,
            right: Box::new(right),
        });
    }
    if outer_only.is_empty() {
        return None;
    }
    let conditions: Vec<String> = outer_only
        .iter()
        .map(|condition| format!("({condition})"))
        .collect();
    parse_expression(&format!(
        "CASE WHEN {} THEN ({query}) END",
        conditions.join(" AND ")
    ))
}

/// The `AND`ed conditions of `expression`.
fn conjuncts(expression: Expr) -> Vec<Expr> {
    match expression {
        Expr::BinaryOp {
            left,
            op: datafusion::sql::sqlparser::ast::BinaryOperator::And,
            right,
        } => {
            let mut all = conjuncts(*left);
            all.extend(conjuncts(*right));
            all
        }
        Expr::Nested(inner)
            if matches!(
                inner.as_ref(),
                Expr::BinaryOp {
                    op: datafusion::sql::sqlparser::ast::BinaryOperator::And,
                    ..
                }
            ) =>
        {
            conjuncts(*inner)
        }
        other => vec![other],
    }
}

/// Whether DataFusion decorrelates `condition` of a subquery: it names no outer column, or
/// it is `own_expression = outer.column` (either way round).
fn is_decorrelatable(condition: &Expr, own: &HashSet<String>) -> bool {
    let outer_columns = |expression: &Expr| {
        struct Outer<'a>(&'a HashSet<String>, bool);
        impl Visitor for Outer<'_> {
            type Break = ();
            fn pre_visit_expr(&mut self, expression: &Expr) -> ControlFlow<()> {
                if let Expr::CompoundIdentifier(parts) = expression
                    && parts.len() >= 2
                    && !self
                        .0
                        .contains(&parts[parts.len() - 2].value.to_lowercase())
                {
                    self.1 = true;
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            }
        }
        let mut outer = Outer(own, false);
        let _ = expression.visit(&mut outer);
        outer.1
    };
    if !outer_columns(condition) {
        return true;
    }
    let is_outer_column = |expression: &Expr| {
        matches!(expression, Expr::CompoundIdentifier(parts)
            if parts.len() >= 2 && !own.contains(&parts[parts.len() - 2].value.to_lowercase()))
    };
    match condition {
        Expr::BinaryOp {
            left,
            op: datafusion::sql::sqlparser::ast::BinaryOperator::Eq,
            right,
        } => {
            (is_outer_column(right) && !outer_columns(left))
                || (is_outer_column(left) && !outer_columns(right))
        }
        Expr::Nested(inner) => is_decorrelatable(inner, own),
        _ => false,
    }
}

/// Whether `condition` names columns, all of them as `alias.column` of tables not in `own`,
/// and holds no subquery.
fn refers_only_outside(condition: &Expr, own: &HashSet<String>) -> bool {
    struct References<'a> {
        own: &'a HashSet<String>,
        outer: usize,
        other: bool,
    }
    impl Visitor for References<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expression: &Expr) -> ControlFlow<()> {
            match expression {
                Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                    if self
                        .own
                        .contains(&parts[parts.len() - 2].value.to_lowercase())
                    {
                        self.other = true;
                    } else {
                        self.outer += 1;
                    }
                }
                Expr::Identifier(_)
                | Expr::Subquery(_)
                | Expr::Exists { .. }
                | Expr::InSubquery { .. } => self.other = true,
                _ => {}
            }
            if self.other {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    let mut references = References {
        own,
        outer: 0,
        other: false,
    };
    let _ = condition.visit(&mut references);
    references.outer > 0 && !references.other
}

/// Whether `expression` calls an aggregate function (one of those clients use in catalog
/// subqueries).
fn contains_aggregate(expression: &Expr) -> bool {
    struct Aggregates(bool);
    impl Visitor for Aggregates {
        type Break = ();
        fn pre_visit_expr(&mut self, expression: &Expr) -> ControlFlow<()> {
            if let Expr::Function(function) = expression
                && (function.over.is_none()
                    && matches!(
                        function_name(&function.name).as_str(),
                        "count"
                            | "sum"
                            | "min"
                            | "max"
                            | "avg"
                            | "array_agg"
                            | "string_agg"
                            | "bool_and"
                            | "bool_or"
                            | "first_value"
                            | "last_value"
                            | "json_agg"
                    ))
            {
                self.0 = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut found = Aggregates(false);
    let _ = expression.visit(&mut found);
    found.0
}

/// The names and aliases of the relations in `query`'s `FROM`.
fn own_relations(query: &Query) -> HashSet<String> {
    let mut own: HashSet<String> = HashSet::new();
    let SetExpr::Select(select) = query.body.as_ref() else {
        return own;
    };
    for table in &select.from {
        let relations =
            std::iter::once(&table.relation).chain(table.joins.iter().map(|join| &join.relation));
        for relation in relations {
            let (name, alias) = match relation {
                TableFactor::Table { name, alias, .. } => (Some(function_name(name)), alias),
                TableFactor::Derived { alias, .. } | TableFactor::Function { alias, .. } => {
                    (None, alias)
                }
                _ => (None, &None),
            };
            own.extend(name);
            if let Some(alias) = alias {
                own.insert(alias.name.value.to_lowercase());
            }
        }
    }
    own
}

/// Whether `query` names a table (as `alias.column`) that is not in its own `FROM`.
fn is_correlated(query: &Query) -> bool {
    if !matches!(query.body.as_ref(), SetExpr::Select(_)) {
        return true;
    }
    let own = own_relations(query);
    struct Outer<'a> {
        own: &'a HashSet<String>,
        found: bool,
    }
    impl Visitor for Outer<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expression: &Expr) -> ControlFlow<()> {
            if let Expr::CompoundIdentifier(parts) = expression
                && parts.len() >= 2
                && !self
                    .own
                    .contains(&parts[parts.len() - 2].value.to_lowercase())
            {
                self.found = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
    }
    let mut outer = Outer {
        own: &own,
        found: false,
    };
    let _ = query.visit(&mut outer);
    outer.found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten_sql(sql: &str) -> String {
        let mut statement = Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .expect("parses")
            .remove(0);
        rewrite(&mut statement);
        statement.to_string()
    }

    #[test]
    fn like_with_another_escape_character_uses_like_escape() {
        assert_eq!(
            rewritten_sql("SELECT nspname FROM n WHERE nspname NOT LIKE 'pg/_' || '%' ESCAPE '/'"),
            "SELECT nspname FROM n WHERE nspname NOT LIKE like_escape('pg/_' || '%', '/')"
        );
        assert_eq!(
            rewritten_sql("SELECT 1 WHERE 'a' ILIKE 'A\\%' ESCAPE '\\'"),
            "SELECT 1 WHERE 'a' ILIKE 'A\\%'"
        );
    }

    #[test]
    fn regclass_names_resolve_in_pg_catalog_too() {
        let mut statement = datafusion_postgres::datafusion_pg_catalog::sql::PostgresCompatibilityParser::new()
            .parse("SELECT 1 FROM pg_catalog.pg_description d WHERE d.classoid = 'pg_class'::regclass")
            .expect("parses")
            .remove(0);
        rewrite(&mut statement);
        let text = statement.to_string();
        assert!(
            text.contains("n.nspname IN ('pg_catalog', current_schema())"),
            "{text}"
        );
    }

    #[test]
    fn correlated_scalar_subqueries_aggregate() {
        assert_eq!(
            rewritten_sql(
                "SELECT (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid = a.attrelid) AS x FROM pg_attribute a"
            ),
            "SELECT (SELECT first_value(pg_get_expr(d.adbin, d.adrelid)) FROM pg_attrdef d WHERE d.adrelid = a.attrelid) AS x FROM pg_attribute a"
        );
        assert_eq!(
            rewritten_sql(
                "SELECT CASE WHEN a.atthasdef THEN (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE a.atthasdef AND d.adrelid = a.attrelid) END FROM pg_attribute a"
            ),
            "SELECT CASE WHEN a.atthasdef THEN CASE WHEN (a.atthasdef) THEN (SELECT first_value(pg_get_expr(d.adbin, d.adrelid)) FROM pg_attrdef d WHERE d.adrelid = a.attrelid) END END FROM pg_attribute a"
        );
        assert_eq!(
            rewritten_sql("SELECT (SELECT count(*) FROM t WHERE t.a = o.a) FROM o"),
            "SELECT (SELECT count(*) FROM t WHERE t.a = o.a) FROM o"
        );
        assert_eq!(
            rewritten_sql("SELECT (SELECT t.b FROM t WHERE t.a = 1) FROM o"),
            "SELECT (SELECT t.b FROM t WHERE t.a = 1) FROM o"
        );
    }

    #[test]
    fn correlated_subqueries_datafusion_cannot_plan_are_null() {
        assert_eq!(
            rewritten_sql(
                "SELECT (SELECT s.seqstart FROM pg_sequence s WHERE s.seqrelid = f(a.attrelid)) FROM pg_attribute a"
            ),
            "SELECT NULL FROM pg_attribute a"
        );
    }

    #[test]
    fn field_access_on_an_expression_is_a_subscript() {
        assert_eq!(
            rewritten_sql("SELECT (r.keys).x FROM r"),
            "SELECT (r.keys)['x'] FROM r"
        );
        assert_eq!(
            rewritten_sql("SELECT con.confkey[pos.n] FROM con"),
            "SELECT con.confkey[pos.n] FROM con"
        );
    }

    #[test]
    fn set_returning_functions_are_unnested() {
        assert_eq!(
            rewritten_sql(
                "SELECT (_pg_expandarray(i.indkey)).n, _pg_expandarray(i.indkey) AS k FROM i"
            ),
            "SELECT (unnest(_pg_expandarray(i.indkey)))['n'], unnest(_pg_expandarray(i.indkey)) AS k FROM i"
        );
        assert_eq!(
            rewritten_sql("SELECT generate_subscripts(i.indkey, 1) AS ord FROM i"),
            "SELECT unnest(generate_series(1, CAST(coalesce(cardinality(i.indkey), 0) AS BIGINT))) AS ord FROM i"
        );
    }

    #[test]
    fn array_subqueries_aggregate_or_are_null_when_correlated() {
        assert_eq!(
            rewritten_sql("SELECT array(SELECT rolname FROM pg_roles ORDER BY 1)"),
            "SELECT (SELECT array_agg(rolname ORDER BY rolname) FROM pg_roles)"
        );
        assert_eq!(
            rewritten_sql(
                "SELECT array_to_string(c.reloptions || array(select 'toast.' || x from unnest(tc.reloptions) x), ', ') FROM pg_class c"
            ),
            "SELECT array_to_string(c.reloptions || NULL, ', ') FROM pg_class c"
        );
    }
}
