//! Which roles may call which route. Row-level rules (an enterprise's own rows) are the query
//! layer's; this table only says who may reach a route at all.
//!
//! A route missing from [`RULES`] is admin-only: default deny, and a unit test makes sure
//! every route the server serves is listed.

use axum::http::Method;

use crate::auth::Role;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a token (`/health`).
    Public,
    /// Holders of a token of one of these roles.
    Roles(&'static [Role]),
    /// Every role, and anonymous callers when `allow_anonymous_search = true`.
    SearchRoles,
}

/// What a request did, as the audit trail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// SQL over the lake.
    Sql,
    /// A named indicator, or their list.
    Indicator,
    /// Matching offerings to a need.
    Match,
    /// Pushing data into the lake, or reading a batch report.
    Ingest,
    /// Creating, replacing or deleting a catalog entry.
    CatalogEdit,
    /// Reading a catalog entry.
    CatalogRead,
    /// Searching the catalog.
    Search,
    /// Listing the lake's tables.
    Tables,
    /// Reading rejected rows.
    Quarantine,
    /// Managing tokens.
    Token,
    /// Giving, listing or revoking enterprises' grants.
    Grant,
    /// Liveness, metrics and the API description.
    Service,
}

impl Action {
    /// Returns the name written in the `action` column of `_audit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Sql => "sql",
            Action::Indicator => "indicator",
            Action::Match => "match",
            Action::Ingest => "ingest",
            Action::CatalogEdit => "catalog_edit",
            Action::CatalogRead => "catalog_read",
            Action::Search => "search",
            Action::Tables => "tables",
            Action::Quarantine => "quarantine",
            Action::Token => "token",
            Action::Grant => "grant",
            Action::Service => "service",
        }
    }
}

const ALL: &[Role] = &Role::ALL;
const ADMIN: &[Role] = &[Role::Admin];
const CURATORS: &[Role] = &[Role::Admin, Role::Centre];
const MATCHERS: &[Role] = &[Role::Admin, Role::Committee, Role::Centre];
const INGESTERS: &[Role] = &[Role::Admin, Role::Enterprise];
/// Grants are given and revoked by the enterprise whose rows they are (or an admin).
const GRANTORS: &[Role] = &[Role::Admin, Role::Enterprise];
/// Quarantine and ingest reports: enterprises see their own (row-level, in the query layer).
const SUBMISSION_READERS: &[Role] = &[Role::Admin, Role::Committee, Role::Enterprise];

/// Every route's access and action, by method and path in the router's `{parameter}` syntax.
pub const RULES: &[(&str, &str, Access, Action)] = &[
    ("GET", "/health", Access::Public, Action::Service),
    ("GET", "/metrics", Access::Roles(ADMIN), Action::Service),
    (
        "GET",
        "/api/openapi.json",
        Access::Roles(ALL),
        Action::Service,
    ),
    ("GET", "/api/whoami", Access::Roles(ALL), Action::Service),
    ("GET", "/api/tables", Access::Roles(ALL), Action::Tables),
    ("POST", "/api/sql", Access::Roles(ALL), Action::Sql),
    (
        "GET",
        "/api/indicators",
        Access::Roles(ALL),
        Action::Indicator,
    ),
    (
        "GET",
        "/api/indicators/{name}",
        Access::Roles(ALL),
        Action::Indicator,
    ),
    (
        "GET",
        "/api/catalog/search",
        Access::SearchRoles,
        Action::Search,
    ),
    (
        "POST",
        "/api/catalog/{kind}",
        Access::Roles(CURATORS),
        Action::CatalogEdit,
    ),
    (
        "GET",
        "/api/catalog/{kind}/{id}",
        Access::Roles(ALL),
        Action::CatalogRead,
    ),
    (
        "PUT",
        "/api/catalog/{kind}/{id}",
        Access::Roles(CURATORS),
        Action::CatalogEdit,
    ),
    (
        "DELETE",
        "/api/catalog/{kind}/{id}",
        Access::Roles(CURATORS),
        Action::CatalogEdit,
    ),
    ("POST", "/api/match", Access::Roles(MATCHERS), Action::Match),
    (
        "GET",
        "/api/match/need/{need_id}",
        Access::Roles(MATCHERS),
        Action::Match,
    ),
    (
        "POST",
        "/api/ingest/{table_or_batch}",
        Access::Roles(INGESTERS),
        Action::Ingest,
    ),
    (
        "GET",
        "/api/ingest/{table_or_batch}",
        Access::Roles(SUBMISSION_READERS),
        Action::Ingest,
    ),
    (
        "GET",
        "/api/ingest",
        Access::Roles(SUBMISSION_READERS),
        Action::Ingest,
    ),
    (
        "GET",
        "/api/quarantine",
        Access::Roles(SUBMISSION_READERS),
        Action::Quarantine,
    ),
    ("GET", "/api/grants", Access::Roles(ALL), Action::Grant),
    (
        "POST",
        "/api/grants",
        Access::Roles(GRANTORS),
        Action::Grant,
    ),
    (
        "DELETE",
        "/api/grants/{id}",
        Access::Roles(GRANTORS),
        Action::Grant,
    ),
    ("GET", "/api/sources", Access::Roles(ADMIN), Action::Ingest),
    (
        "POST",
        "/api/sources/{name}/sync",
        Access::Roles(ADMIN),
        Action::Ingest,
    ),
    ("GET", "/api/tokens", Access::Roles(ADMIN), Action::Token),
    ("POST", "/api/tokens", Access::Roles(ADMIN), Action::Token),
    (
        "DELETE",
        "/api/tokens/{name}",
        Access::Roles(ADMIN),
        Action::Token,
    ),
];

/// Returns the access and action of a request; `matched_path` is `None` for a path no route
/// serves, which any token may reach (to be told 404).
pub fn rule(method: &Method, matched_path: Option<&str>) -> (Access, Action) {
    let Some(path) = matched_path else {
        return (Access::Roles(ALL), Action::Service);
    };
    RULES
        .iter()
        .find(|(rule_method, rule_path, _, _)| {
            *rule_path == path && method.as_str().eq_ignore_ascii_case(rule_method)
        })
        .map_or(
            (Access::Roles(ADMIN), Action::Service),
            |(_, _, access, action)| (*access, *action),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_route_has_a_rule_and_every_rule_a_route() {
        let served = crate::server::routes();
        for (method, path) in &served {
            assert!(
                RULES.iter().any(
                    |(rule_method, rule_path, _, _)| rule_method == method && rule_path == path
                ),
                "{method} {path} has no access rule"
            );
        }
        for (method, path, _, _) in RULES {
            assert!(
                served
                    .iter()
                    .any(|(served_method, served_path)| served_method == method
                        && served_path == path),
                "the rule for {method} {path} names no route"
            );
        }
    }

    #[test]
    fn edits_tokens_and_unknown_routes_are_closed_to_enterprises() {
        let allows = |method: Method, path: &str, role: Role| match rule(&method, Some(path)).0 {
            Access::Public | Access::SearchRoles => true,
            Access::Roles(roles) => roles.contains(&role),
        };
        assert!(!allows(
            Method::PUT,
            "/api/catalog/{kind}/{id}",
            Role::Enterprise
        ));
        assert!(allows(
            Method::PUT,
            "/api/catalog/{kind}/{id}",
            Role::Centre
        ));
        assert!(!allows(Method::POST, "/api/tokens", Role::Committee));
        assert!(!allows(
            Method::POST,
            "/api/ingest/{table_or_batch}",
            Role::Centre
        ));
        assert!(allows(Method::POST, "/api/match", Role::Committee));
        assert!(!allows(Method::POST, "/api/match", Role::Enterprise));
        assert!(!allows(
            Method::GET,
            "/api/a-route-added-later",
            Role::Committee
        ));
        assert!(allows(Method::GET, "/api/a-route-added-later", Role::Admin));
    }
}
