#![doc = include_str!("../README.md")]

mod accounts;
mod audit;
mod backend;
mod error;
mod forecasts;
mod postgres;
mod records;
mod report_delivery;
mod report_snapshots;
mod schedules;
mod sqlite;
mod status_drafts;
pub mod testing;
mod tx;
mod value;

use std::sync::Arc;

pub use accounts::{NewSession, SessionInfo, TokenInfo};
pub use audit::{AuditFilter, OpenMilestone, RagPoint};
pub use backend::{Conn, Database, Dialect};
pub use error::StoreError;
pub use forecasts::{DeliveryHistoryRow, ForecastRunRow, ForecastSettingsRow};
pub use records::{
    ColType, Column, Cursor, Filter, FilterOp, ListQuery, Page, Relation, ResolvedColumn, Stored, record_columns,
    related_names, relations, resolve_column,
};
pub use report_delivery::{ReportDeliveryRow, ReportScheduleRow};
pub use report_snapshots::ReportSnapshotRow;
pub use schedules::ScheduleVersionRow;
pub use status_drafts::StatusDraftRow;
pub use tx::{Tx, now};
pub use value::{Row, Value};

/// A stored row and the JSON body kept beside it (schedule versions, forecast runs, delivery
/// histories), serialised side by side: the row's columns and `body`, as the export carries them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WithBody<R> {
    /// The row's columns.
    #[serde(flatten)]
    pub row: R,
    /// The body, as stored.
    pub body: String,
}

/// A connected database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Store {
    db: Arc<dyn Database>,
    url: Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dialect", &self.db.dialect()).finish()
    }
}

impl Store {
    /// Connects to `url`: `sqlite://PATH` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db: Arc<dyn Database> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Arc::new(postgres::PgDatabase::connect(url).await?)
        } else if url.starts_with("sqlite:") {
            Arc::new(sqlite::SqliteDatabase::connect(url).await?)
        } else {
            return Err(StoreError::Config(format!(
                "database URL `{url}` is not supported: expected sqlite://PATH or postgres://..."
            )));
        };
        Ok(Self { db, url: Arc::from(url) })
    }

    /// The URL this store was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &std::path::Path) -> Result<Self, StoreError> {
        Self::connect(&format!("sqlite://{}", path.display())).await
    }

    /// Brings the schema up to date. Safe to run from several processes: the migrator locks.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.db.migrate().await
    }

    /// Which SQL dialect is behind this store.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Begins a read-write transaction. Dropping it without [`Tx::commit`] rolls it back.
    pub async fn write(&self) -> Result<Tx, StoreError> {
        Ok(Tx::new(self.db.begin(true).await?))
    }

    /// Begins a read-only transaction (a consistent snapshot for a page or an export).
    pub async fn read(&self) -> Result<Tx, StoreError> {
        Ok(Tx::new(self.db.begin(false).await?))
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await
    }

    /// Closes the connection pool (graceful shutdown).
    pub async fn close(&self) {
        self.db.close().await
    }
}

impl Store {
    /// The tables and columns of the live schema, sorted (diagnostics, and the test that keeps
    /// the two dialects' migrations in step).
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>, StoreError> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'"
            }
            Dialect::Postgres => {
                "SELECT table_name AS t, column_name AS c FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'"
            }
        };
        let mut tx = self.read().await?;
        let mut out: Vec<(String, String)> = tx
            .rows(&tx::Sql::new(sql))
            .await?
            .iter()
            .map(|r| Ok((r.text("t")?, r.text("c")?)))
            .collect::<Result<_, StoreError>>()?;
        out.sort();
        Ok(out)
    }
}
