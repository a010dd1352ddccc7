//! The one error type of the HTTP API: a status, a stable machine-readable code and a short
//! message; details go to the log, never into the body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered by the API as `{"code": "...", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code clients can branch on (`invalid_sql`, `read_only`, `unknown_table`, …).
    pub code: &'static str,
    /// What was wrong, for people.
    pub message: String,
}

/// The stable code of an error answer, left in the response's extensions so that middleware
/// (the audit log) can tell what went wrong without reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"code": "invalid_sql", "message": "SQL error: ParserError(\"Expected: an SQL statement, found: SELEC\")"}))]
pub struct ErrorBody<'a> {
    /// A stable code clients can branch on (`invalid_sql`, `read_only`, `unknown_table`,
    /// `invalid_parameters`, `not_found`, `not_acceptable`, `payload_too_large`,
    /// `unsupported_media_type`, `busy`, `query_timeout`, `unauthorized`, `forbidden`,
    /// `rate_limited`, `internal`, …).
    pub code: &'a str,
    /// What was wrong, for people.
    pub message: &'a str,
}

impl ApiError {
    /// A 400 with the given code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    /// A 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }

    /// A 406 for an `Accept` header the route cannot answer.
    pub fn not_acceptable(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_ACCEPTABLE,
            code: "not_acceptable",
            message: message.into(),
        }
    }

    /// A 401: no token, or one that is malformed, unknown, expired or revoked.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.into(),
        }
    }

    /// A 403: the token's role may not do this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            message: message.into(),
        }
    }

    /// A 409 with the given code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            code,
            message: message.into(),
        }
    }

    /// A 429: the token's rate limit is reached (the caller adds `Retry-After`).
    pub fn too_many_requests(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "rate_limited",
            message: message.into(),
        }
    }

    /// A 500 whose detail is logged and not shown.
    pub fn internal(detail: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "internal error; see the server log".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(self.code));
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"parkhub\""),
            );
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy and exhausted are passing states: say when to come back.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

impl From<parkhub_queries::Error> for ApiError {
    fn from(error: parkhub_queries::Error) -> ApiError {
        use parkhub_queries::Error;
        let error = match error {
            Error::Catalog(error) => return (*error).into(),
            other => other,
        };
        match &error {
            Error::InvalidSql(_) => ApiError::bad_request("invalid_sql", error.to_string()),
            Error::ReadOnly { .. } => ApiError::bad_request("read_only", error.to_string()),
            Error::UnknownTable { .. } => ApiError::bad_request("unknown_table", error.to_string()),
            Error::Indicator(indicator_error) => {
                use parkhub_queries::indicators::IndicatorError;
                match indicator_error {
                    IndicatorError::UnknownIndicator { .. } => {
                        ApiError::not_found(error.to_string())
                    }
                    IndicatorError::UnknownParameter { .. } => {
                        ApiError::bad_request("unknown_parameter", error.to_string())
                    }
                    IndicatorError::BadParameterValue { .. } => {
                        ApiError::bad_request("bad_parameter", error.to_string())
                    }
                    IndicatorError::MissingParameter { .. } => {
                        ApiError::bad_request("missing_parameter", error.to_string())
                    }
                    IndicatorError::InvalidDefinition { .. } => ApiError::internal(&error),
                }
            }
            Error::Policy(parkhub_queries::policy::PolicyError::IndicatorNotForRole { .. }) => {
                ApiError::forbidden(error.to_string())
            }
            Error::Busy { .. } => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message: error.to_string(),
            },
            Error::Timeout { .. } => ApiError {
                status: StatusCode::REQUEST_TIMEOUT,
                code: "query_timeout",
                message: error.to_string(),
            },
            Error::ResourcesExhausted(_) => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "resources_exhausted",
                message: error.to_string(),
            },
            Error::TooManyXlsxRows | Error::TooManyXlsxColumns { .. } => ApiError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: "too_many_rows",
                message: error.to_string(),
            },
            Error::InvalidUscc { .. } => ApiError::bad_request("invalid_uscc", error.to_string()),
            Error::UnknownEnterprise(_) | Error::UnknownNeed(_) => {
                ApiError::not_found(error.to_string())
            }
            _ if error.is_client_error() => ApiError::bad_request("invalid_sql", error.to_string()),
            _ => ApiError::internal(&error),
        }
    }
}

impl From<datafusion::error::DataFusionError> for ApiError {
    fn from(error: datafusion::error::DataFusionError) -> ApiError {
        ApiError::from(parkhub_queries::Error::from(error))
    }
}

impl From<parkhub_catalog::Error> for ApiError {
    fn from(error: parkhub_catalog::Error) -> ApiError {
        use parkhub_catalog::Error;
        match &error {
            Error::EmptyQuery => ApiError::bad_request("empty_query", error.to_string()),
            Error::InvalidKind(_) => ApiError::bad_request("invalid_kind", error.to_string()),
            Error::InvalidSort(_) => ApiError::bad_request("invalid_sort", error.to_string()),
            Error::InvalidFilter { .. }
            | Error::NothingToMatch
            | Error::InvalidMatchLimit { .. }
            | Error::InvalidMatchBudget { .. } => {
                ApiError::bad_request("invalid_parameters", error.to_string())
            }
            Error::IndexLocked { .. } => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message: error.to_string(),
            },
            Error::InvalidEntry { .. } => ApiError::bad_request("invalid_entry", error.to_string()),
            Error::EntryNotFound { .. } => ApiError::not_found(error.to_string()),
            Error::EntryExists { .. } => ApiError {
                status: StatusCode::CONFLICT,
                code: "already_exists",
                message: error.to_string(),
            },
            _ => ApiError::internal(&error),
        }
    }
}

impl From<parkhub_connectors::Error> for ApiError {
    fn from(error: parkhub_connectors::Error) -> ApiError {
        use parkhub_connectors::Error;
        match &error {
            // The same status as an unknown table in SQL.
            Error::UnknownTable { .. } => ApiError::bad_request("unknown_table", error.to_string()),
            Error::InvalidRecords { .. } => {
                ApiError::bad_request("invalid_entry", error.to_string())
            }
            Error::NotOwnedByEnterprises { .. } => ApiError::forbidden(error.to_string()),
            Error::UnsupportedFormat { .. } | Error::UnsupportedEncoding { .. } => {
                ApiError::bad_request("invalid_parameters", error.to_string())
            }
            Error::MissingColumns { .. }
            | Error::EmptySource { .. }
            | Error::NoKnownColumn { .. }
            | Error::UnknownUnit { .. }
            | Error::UnknownHeader { .. }
            | Error::UnknownSheet { .. }
            | Error::Decode { .. }
            | Error::Encoding { .. }
            | Error::ArchiveTooLarge { .. } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "unreadable_source",
                message: error.to_string(),
            },
            Error::UnknownSource { .. } => ApiError::not_found(error.to_string()),
            Error::SourceBusy { .. } => ApiError::conflict("source_busy", error.to_string()),
            Error::SourceConfig { .. } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "invalid_source",
                message: error.to_string(),
            },
            Error::SourceServer { .. } => ApiError {
                status: StatusCode::BAD_GATEWAY,
                code: "source_unreachable",
                message: error.to_string(),
            },
            Error::CommitRetriesExhausted { .. } => ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "busy",
                message: "the lake is busy with other writes; retry".to_string(),
            },
            // Paths, I/O and library details stay in the log.
            _ => ApiError::internal(&error),
        }
    }
}

impl From<parkhub_access::Error> for ApiError {
    fn from(error: parkhub_access::Error) -> ApiError {
        use parkhub_access::Error;
        match error {
            refused @ (Error::InvalidTokenName { .. }
            | Error::UsccRequired
            | Error::UsccNotAllowed { .. }
            | Error::InvalidUscc { .. }) => {
                ApiError::bad_request("invalid_token_request", refused.to_string())
            }
            refused @ Error::UnknownEnterprise { .. } => {
                ApiError::bad_request("unknown_enterprise", refused.to_string())
            }
            refused @ Error::DuplicateTokenName { .. } => {
                ApiError::conflict("token_exists", refused.to_string())
            }
            refused @ Error::TokenAlreadyRevoked { .. } => {
                ApiError::conflict("token_revoked", refused.to_string())
            }
            missing @ (Error::UnknownToken { .. } | Error::UnknownGrant { .. }) => {
                ApiError::not_found(missing.to_string())
            }
            refused @ (Error::NoGrantTables
            | Error::NotGrantable { .. }
            | Error::BadGrantPurpose
            | Error::GrantUntilInThePast { .. }) => {
                ApiError::bad_request("invalid_grant", refused.to_string())
            }
            refused @ Error::NoGrantor(_) => ApiError::forbidden(refused.to_string()),
            refused @ Error::NotYourGrant { .. } => ApiError {
                status: StatusCode::FORBIDDEN,
                code: "not_your_grant",
                message: refused.to_string(),
            },
            refused @ Error::GrantAlreadyRevoked { .. } => {
                ApiError::conflict("grant_revoked", refused.to_string())
            }
            // Paths, I/O and library details stay in the log.
            failed @ (Error::StoreIo { .. }
            | Error::StoreCorrupt { .. }
            | Error::CorruptKey { .. }
            | Error::Random(_)
            | Error::EnterpriseLookup(_)
            | Error::AuditWrite(_)
            | Error::AuditBatch(_)) => ApiError::internal(&failed),
        }
    }
}

impl From<crate::Error> for ApiError {
    fn from(error: crate::Error) -> ApiError {
        use crate::Error;
        match error {
            Error::Lake(error) => error.into(),
            Error::Query(error) => error.into(),
            Error::Catalog(error) => error.into(),
            Error::Access(error) => error.into(),
            refused @ Error::UnknownRole(_) => {
                ApiError::bad_request("invalid_parameters", refused.to_string())
            }
            // Paths, I/O and library details stay in the log; a DataFusion error here comes
            // from a constant plan of the hub's own, not from the caller.
            failed @ (Error::ConfigRead { .. }
            | Error::ConfigParse { .. }
            | Error::DataFusion(_)
            | Error::DemoNotEmpty { .. }
            | Error::DemoGenerate(_)
            | Error::DemoInterrupted(_)) => ApiError::internal(&failed),
        }
    }
}

/// Runs a blocking call of the access stores (file I/O under a lock, as the token and grant
/// stores do) off the request threads; a panic in it is an internal error.
pub async fn run_blocking<T: Send + 'static, E: Into<ApiError> + Send + 'static>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(Into::into),
        Err(error) => Err(ApiError::internal(&error)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn answer(error: impl Into<ApiError>) -> (StatusCode, &'static str, String) {
        let answer = error.into();
        (answer.status, answer.code, answer.message)
    }

    #[test]
    fn the_access_error_answers_a_status_and_code_per_cause() {
        use parkhub_access::Error;
        assert_eq!(
            answer(Error::UnknownGrant { id: "g-1".into() }),
            (
                StatusCode::NOT_FOUND,
                "not_found",
                "no grant has the id 'g-1'".to_string()
            )
        );
        assert_eq!(
            answer(Error::NotYourGrant { id: "g-1".into() }).1,
            "not_your_grant"
        );
        assert_eq!(
            answer(Error::TokenAlreadyRevoked { name: "a".into() }).0,
            StatusCode::CONFLICT
        );
        // Through the hub's error as well.
        assert_eq!(
            answer(crate::Error::from(Error::UnknownToken { name: "a".into() })).0,
            StatusCode::NOT_FOUND
        );
        let store = Error::StoreIo {
            path: "/data/auth/tokens.json".into(),
            source: std::io::Error::other("disk full"),
        };
        assert_eq!(
            answer(store),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error; see the server log".to_string()
            )
        );
    }

    #[test]
    fn a_refused_match_request_is_a_client_error() {
        use parkhub_queries::Error;
        assert_eq!(
            answer(Error::UnknownNeed("n-9".into())),
            (
                StatusCode::NOT_FOUND,
                "not_found",
                "no need 'n-9' in the enterprise_needs table".to_string()
            )
        );
        assert_eq!(
            answer(Error::from(parkhub_catalog::Error::NothingToMatch)).1,
            "invalid_parameters"
        );
        let too_long = answer(Error::TooManyXlsxRows);
        assert_eq!(
            (too_long.0, too_long.1),
            (StatusCode::PAYLOAD_TOO_LARGE, "too_many_rows")
        );
        assert!(too_long.2.contains("text/csv"), "{}", too_long.2);
        // Through the hub's error as well: the queries error keeps its status.
        assert_eq!(
            answer(crate::Error::Query(Error::UnknownEnterprise("91".into()))).0,
            StatusCode::NOT_FOUND
        );
    }
}
