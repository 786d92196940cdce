//! Throwaway SQLite databases: a file in a private temporary directory.

use crate::testing::unique_suffix;
use crate::{DbConform, Report};
use dbconform_core::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};

/// A SQLite database file in a private temporary directory, conformed to every
/// registered table. The directory and file are removed on drop.
#[derive(Debug)]
pub struct ThrowawaySqlite {
    pool: SqlitePool,
    path: PathBuf,
    url: String,
    report: Report,
    // Dropped last: removes the directory and the database file in it.
    _dir: tempfile::TempDir,
}

impl ThrowawaySqlite {
    /// The pool to run your test's queries through.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A URL for code under test that connects by itself.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What conforming the fresh database did.
    pub fn report(&self) -> &Report {
        &self.report
    }
}

/// A fresh SQLite database conformed to every registered table.
pub async fn throwaway_sqlite() -> Result<ThrowawaySqlite> {
    let dir = tempfile::Builder::new()
        .prefix("dbconform-test-")
        .tempdir()
        .map_err(|e| Error::Database {
            operation: "creating a temporary directory".into(),
            source: Box::new(e),
        })?;
    let path = dir.path().join(format!("test_{}.db", unique_suffix()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true)
        .busy_timeout(std::time::Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| Error::Connect {
            url: url.clone(),
            source: crate::DriverError::boxed(e),
        })?;
    let report = DbConform::from_pool(pool.clone()).apply_all().await?;
    Ok(ThrowawaySqlite {
        pool,
        path,
        url,
        report,
        _dir: dir,
    })
}
