//! The PostgreSQL backend, for several Keel instances sharing one database.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{
    AssertSqlSafe, Column, Postgres, Row as _, Transaction, TypeInfo, ValueRef,
    postgres::{PgPool, PgPoolOptions, PgRow},
};

use crate::{Conn, Database, Dialect, Row, StoreError, Value};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A PostgreSQL connection pool.
pub struct PgDatabase {
    pool: PgPool,
}

impl PgDatabase {
    /// Connects to `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Config(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Database for PgDatabase {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn begin(&self, write: bool) -> Result<Box<dyn Conn>, StoreError> {
        // Reads see one snapshot (a page, an export); writes use the default READ COMMITTED and
        // rely on versions and constraints for correctness.
        let tx = if write {
            self.pool.begin().await?
        } else {
            self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").await?
        };
        Ok(Box::new(PgConn { tx }))
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

struct PgConn {
    tx: Transaction<'static, Postgres>,
}

fn query<'q>(sql: &'q str, params: &'q [Value]) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for p in params {
        q = match p {
            Value::Int(v) => q.bind(*v),
            Value::Text(v) => q.bind(v.as_deref()),
        };
    }
    q
}

fn decode(row: &PgRow) -> Result<Row, StoreError> {
    let mut cols = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i)?;
        let value = if raw.is_null() {
            Value::Text(None)
        } else {
            match col.type_info().name() {
                "INT8" => Value::Int(Some(row.try_get::<i64, _>(i)?)),
                "INT4" => Value::Int(Some(row.try_get::<i32, _>(i)?.into())),
                "INT2" => Value::Int(Some(row.try_get::<i16, _>(i)?.into())),
                "BOOL" => Value::Int(Some(row.try_get::<bool, _>(i)?.into())),
                _ => Value::Text(Some(row.try_get::<String, _>(i)?)),
            }
        };
        cols.push((col.name().to_owned(), value));
    }
    Ok(Row::new(cols))
}

#[async_trait]
impl Conn for PgConn {
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
