//! Storage errors, free of driver types.

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record in this organisation.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (e.g. a project code already used).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// The record changed since the caller read it.
    #[error("version conflict: the record is now at version {current}")]
    VersionConflict {
        /// The version now stored.
        current: i64,
    },
    /// A reference to a record that does not exist, or a delete that would orphan records.
    #[error("invalid reference: {0}")]
    Reference(String),
    /// A list query named a field that cannot be filtered or sorted on.
    #[error("invalid query on `{field}`: {message}")]
    InvalidQuery {
        /// The field.
        field: String,
        /// What was expected.
        message: String,
    },
    /// The database holds something Keel cannot read.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The configuration (URL, path) is unusable.
    #[error("{0}")]
    Config(String),
    /// Any other database failure (connection lost, disk full...).
    #[error("database error: {0}")]
    Backend(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => StoreError::Duplicate(db.message().to_owned()),
                sqlx::error::ErrorKind::ForeignKeyViolation => StoreError::Reference(db.message().to_owned()),
                _ => StoreError::Backend(db.message().to_owned()),
            },
            _ => StoreError::Backend(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Backend(format!("migration failed: {e}"))
    }
}
