//! Helpers for tests of this and other crates: a fresh database per test.

use crate::{Store, StoreError};

/// The PostgreSQL server to test against, from `KEEL_TEST_POSTGRES_URL` (e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`); `None` means the PostgreSQL suites are skipped.
pub fn postgres_url() -> Option<String> {
    std::env::var("KEEL_TEST_POSTGRES_URL").ok().filter(|s| !s.trim().is_empty())
}

/// Creates an empty, uniquely named database on the server at `admin_url` and returns a migrated
/// store connected to it.
pub async fn fresh_postgres(admin_url: &str) -> Result<Store, StoreError> {
    let name = format!("keel_test_{}", uuid::Uuid::now_v7().simple());
    let admin = Store::connect(admin_url).await?;
    let mut tx = admin.write().await?;
    // CREATE DATABASE cannot run in a transaction block: end the implicit one first.
    tx.run(&crate::tx::Sql::new("COMMIT")).await?;
    tx.run(&crate::tx::Sql::new(&format!("CREATE DATABASE {name}"))).await?;
    drop(tx);
    admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').ok_or_else(|| StoreError::Config(format!("bad URL {admin_url}")))?;
    let store = Store::connect(&format!("{base}/{name}")).await?;
    store.migrate().await?;
    Ok(store)
}

/// A migrated store on a new SQLite file inside `dir`.
pub async fn fresh_sqlite(dir: &std::path::Path) -> Result<Store, StoreError> {
    let store = Store::open_sqlite(&dir.join("keel.db")).await?;
    store.migrate().await?;
    Ok(store)
}
