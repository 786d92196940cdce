//! SQLite driver: connect, lock with `BEGIN IMMEDIATE`, execute.

mod inspect;

use super::{SupportedPool, sealed};
use crate::driver::{self, Driver, Planner, Scope, db_error};
use crate::report::Report;
use async_trait::async_trait;
use dbconform_core::dialect::{Dialect, Sqlite};
use dbconform_core::{Error, Result, Schema, redact_url};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// URL schemes this backend answers to.
pub const SCHEMES: &[&str] = &["sqlite"];

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

static DIALECT: Sqlite = Sqlite;

/// dbconform's SQLite backend.
#[derive(Debug)]
pub struct SqliteDriver {
    pool: SqlitePool,
}

impl SqliteDriver {
    /// Opens `url` (`sqlite://app.db?mode=rwc`, `sqlite::memory:`).
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::InvalidUrl {
                url: redact_url(url),
                message: e.to_string(),
            })?
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // An in-memory database lives only as long as its one connection: keep exactly one.
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool_options = if in_memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(2)
        };
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| Error::Connect {
                url: redact_url(url),
                source: Box::new(e),
            })?;
        Ok(SqliteDriver { pool })
    }

    /// Wraps an existing pool.
    pub fn from_pool(pool: SqlitePool) -> Self {
        SqliteDriver { pool }
    }
}

impl sealed::Sealed for SqlitePool {}
impl SupportedPool for SqlitePool {
    fn into_driver(self) -> Arc<dyn Driver> {
        Arc::new(SqliteDriver::from_pool(self))
    }
}

#[async_trait]
impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    async fn reflect(&self, _scope: &Scope) -> Result<Schema> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))?;
        inspect::reflect(&mut conn).await
    }

    async fn apply(&self, _scope: &Scope, planner: &Planner<'_>) -> Result<Report> {
        let started = Instant::now();
        // BEGIN IMMEDIATE takes the write lock before reading, so concurrent conformers
        // queue here and each plans from the state the previous one committed.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error("BEGIN IMMEDIATE"))?;
        let before = inspect::reflect(&mut tx).await?;
        let plan = planner(&before)?;
        let executed = driver::run_steps::<sqlx::Sqlite>(&mut tx, &plan).await?;
        if !executed.is_empty() {
            let after = inspect::reflect(&mut tx).await?;
            driver::verify_converged(&planner(&after)?)?;
        }
        tx.commit().await.map_err(db_error("COMMIT"))?;
        Ok(driver::report(plan, executed, started.elapsed()))
    }
}
