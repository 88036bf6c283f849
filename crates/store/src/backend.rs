//! The storage traits: what each SQL backend must provide.

use async_trait::async_trait;

use crate::{Row, StoreError, Value};

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// An open transaction on one backend. Statements use `$1, $2, ...` placeholders, each used once.
#[async_trait]
pub trait Conn: Send {
    /// Runs a statement, returning the number of rows affected.
    async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// Runs a query, returning all rows.
    async fn fetch(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    /// Commits. Dropping the connection without committing rolls back.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A database backend: a pool of connections that hands out transactions.
#[async_trait]
pub trait Database: Send + Sync {
    /// The dialect.
    fn dialect(&self) -> Dialect;
    /// Begins a transaction; `write` transactions take the write lock up front where the
    /// backend needs it (SQLite's `BEGIN IMMEDIATE`), so concurrent writers queue instead of
    /// failing half-way.
    async fn begin(&self, write: bool) -> Result<Box<dyn Conn>, StoreError>;
    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// Checks the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
    /// Closes the pool.
    async fn close(&self);
}
