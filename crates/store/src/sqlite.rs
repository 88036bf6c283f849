//! The SQLite backend: the embedded default.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    AssertSqlSafe, Column, Row as _, Sqlite, Transaction, TypeInfo, ValueRef,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous},
};

use crate::{Conn, Database, Dialect, Row, StoreError, Value};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A SQLite database file in WAL mode with foreign keys enforced.
pub struct SqliteDatabase {
    pool: SqlitePool,
}

impl SqliteDatabase {
    /// Opens `url` (`sqlite://PATH`), creating the file if it is missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("bad SQLite URL `{url}`: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Config(format!("cannot open SQLite database `{url}`: {e}")))?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Database for SqliteDatabase {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn begin(&self, write: bool) -> Result<Box<dyn Conn>, StoreError> {
        let tx = if write { self.pool.begin_with("BEGIN IMMEDIATE").await? } else { self.pool.begin().await? };
        Ok(Box::new(SqliteConn { tx }))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await
    }
}

struct SqliteConn {
    tx: Transaction<'static, Sqlite>,
}

fn query<'q>(sql: &'q str, params: &'q [Value]) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for p in params {
        q = match p {
            Value::Int(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
        };
    }
    q
}

fn decode(row: &SqliteRow) -> Result<Row, StoreError> {
    let mut cols = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => Value::Int(Some(row.try_get::<i64, _>(i)?)),
                "REAL" => Value::Text(Some(row.try_get::<f64, _>(i)?.to_string())),
                _ => Value::Text(Some(row.try_get::<String, _>(i)?)),
            }
        };
        cols.push((col.name().to_owned(), value));
    }
    Ok(Row::new(cols))
}

#[async_trait]
impl Conn for SqliteConn {
    async fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        Ok(query(sql, params).execute(&mut *self.tx).await?.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let rows = query(sql, params).fetch_all(&mut *self.tx).await?;
        rows.iter().map(decode).collect()
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}
