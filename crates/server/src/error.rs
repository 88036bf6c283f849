//! Error policy: every application error maps to one HTTP status with an exhaustive `match`.
//! Internal errors are logged once, here, and the client only learns that something failed.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use keel_api_types::Problem;
use keel_app::AppError;
use keel_domain::{FieldError, ValidationErrors};

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    problem: Box<Problem>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem with a status, title and detail.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            problem: Box::new(Problem {
                kind: "about:blank".into(),
                title: status.canonical_reason().unwrap_or("Error").into(),
                status: status.as_u16(),
                detail: Some(detail.into()),
                errors: Vec::new(),
                current_version: None,
            }),
            retry_after: None,
        }
    }

    /// A 400/422 naming the fields.
    pub fn fields(status: StatusCode, detail: &str, errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(status, detail);
        e.problem.errors = errors;
        e
    }

    /// A single-field error.
    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::fields(status, &format!("{field}: {message}"), vec![FieldError { field: field.into(), message }])
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem body.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(ValidationErrors(errors)) => {
                ApiError::fields(StatusCode::UNPROCESSABLE_ENTITY, "some fields are invalid", errors)
            }
            AppError::InvalidQuery(ValidationErrors(errors)) => {
                ApiError::fields(StatusCode::BAD_REQUEST, "the query parameters are invalid", errors)
            }
            AppError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "no such record in your organisation"),
            AppError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, m),
            AppError::StaleVersion { current } => {
                let mut e = ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    format!(
                        "the record was changed by someone else since you read it: it is now at version {current}; reload and apply your change again"
                    ),
                );
                e.problem.current_version = Some(current);
                e
            }
            AppError::Unauthenticated(m) => ApiError::new(StatusCode::UNAUTHORIZED, m),
            AppError::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, m),
            AppError::RateLimited { retry_after_secs } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many failed sign-ins: try again in {} minutes", retry_after_secs.div_ceil(60)),
                );
                e.retry_after = Some(retry_after_secs);
                e
            }
            AppError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "something went wrong on the server; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&*self.problem).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}
