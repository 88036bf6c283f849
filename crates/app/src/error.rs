//! The one error vocabulary every front end understands.

use keel_domain::ValidationErrors;
use keel_store::StoreError;

/// What a use case can answer instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is invalid; each field says why.
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    /// A list query (filter, sort, cursor) that cannot be run; each parameter says why.
    #[error("invalid query: {0}")]
    InvalidQuery(ValidationErrors),
    /// No such record (or not in the caller's organisation).
    #[error("not found")]
    NotFound,
    /// The request conflicts with stored data (a duplicate code, a record still referenced).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else: it is now at version {current}")]
    StaleVersion {
        /// The version now stored.
        current: i64,
    },
    /// Not signed in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the role does not allow it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins: try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Something broke inside; logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(ValidationErrors::single(field, message))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Validation(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Duplicate(m) => match m.split_once(": ") {
                Some((field, msg)) if !field.contains(' ') => AppError::field(field, msg),
                _ => AppError::Conflict(m),
            },
            StoreError::VersionConflict { current } => AppError::StaleVersion { current },
            StoreError::Reference(m) => AppError::Conflict(m),
            StoreError::InvalidQuery { field, message } => {
                AppError::InvalidQuery(ValidationErrors::single(field, message))
            }
            StoreError::Corrupt(m) | StoreError::Config(m) | StoreError::Backend(m) => AppError::Internal(m),
        }
    }
}
