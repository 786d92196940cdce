//! Throwaway databases for your application's own tests.
//!
//! Each call gives a fresh database that already conforms to every registered table,
//! with the sqlx pool to use, and removes it when dropped. Tests running in parallel
//! never see each other's data.
//!
//! An integration test (`tests/*.rs`) is a binary of its own: when the models live in the
//! application's library, the test must name that library (`use my_app as _;`) or the
//! linker leaves its tables out. With no table registered, both functions refuse with
//! [`Error::NoTables`], which names the line to add.
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! # async fn test() -> dbconform::Result<()> {
//! let db = dbconform::testing::throwaway_sqlite().await?;
//! dbconform::sqlx::query("INSERT INTO users (name) VALUES ('ada')")
//!     .execute(db.pool())
//!     .await
//!     .unwrap();
//! # Ok(()) }
//! ```

use crate::{DbConform, Report};
use dbconform_core::{Error, Options, Result, redact_url};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[cfg(feature = "sqlite")]
pub use self::sqlite::{ThrowawaySqlite, throwaway_sqlite};

#[cfg(feature = "postgres")]
pub use self::postgres::{ThrowawayPostgres, throwaway_postgres};

/// A name no other throwaway database of this or any other process uses.
fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
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
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use crate::backend::postgres::connect_options;
    use dbconform_core::dialect::quote_ident_double;
    use sqlx::postgres::{PgPool, PgPoolOptions};

    /// A scratch PostgreSQL schema conformed to every registered table (those without an
    /// explicit `schema`), with a pool whose `search_path` is that schema. The schema is
    /// dropped with everything in it by [`ThrowawayPostgres::cleanup`] or on drop.
    #[derive(Debug)]
    pub struct ThrowawayPostgres {
        pool: PgPool,
        schema: String,
        url: String,
        report: Report,
        dropped: bool,
    }

    impl ThrowawayPostgres {
        /// The pool to run your test's queries through (`search_path` = the scratch schema).
        pub fn pool(&self) -> &PgPool {
            &self.pool
        }

        /// The scratch schema's name.
        pub fn schema(&self) -> &str {
            &self.schema
        }

        /// What conforming the fresh schema did.
        pub fn report(&self) -> &Report {
            &self.report
        }

        /// Drops the scratch schema now (otherwise it is dropped on drop, from a helper
        /// thread).
        pub async fn cleanup(mut self) -> Result<()> {
            self.dropped = true;
            self.pool.close().await;
            drop_schema(&self.url, &self.schema).await
        }
    }

    impl Drop for ThrowawayPostgres {
        fn drop(&mut self) {
            if self.dropped {
                return;
            }
            let (url, schema) = (self.url.clone(), self.schema.clone());
            // Drop cannot await; a private runtime on its own thread works inside and
            // outside an async runtime alike.
            let outcome = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?
                    .block_on(drop_schema(&url, &schema))
                    .map_err(|e| e.to_string())
            })
            .join();
            if let Ok(Err(message)) = outcome {
                tracing::warn!(schema = %self.schema, %message, "could not drop the throwaway schema");
            }
        }
    }

    async fn drop_schema(url: &str, schema: &str) -> Result<()> {
        let options = connect_options(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| Error::Connect {
                url: redact_url(url),
                source: crate::DriverError::boxed(e),
            })?;
        let statement = format!(
            "DROP SCHEMA IF EXISTS {} CASCADE",
            quote_ident_double(schema)
        );
        let outcome = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&pool)
            .await;
        pool.close().await;
        outcome.map(|_| ()).map_err(|e| Error::Database {
            operation: format!("dropping schema {schema}"),
            source: crate::DriverError::boxed(e),
        })
    }

    /// A fresh scratch schema in the database at `url`, conformed to every registered
    /// table.
    pub async fn throwaway_postgres(url: &str) -> Result<ThrowawayPostgres> {
        let schema = format!("dbconform_tmp_{}", unique_suffix());
        let options = connect_options(url)?.options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| Error::Connect {
                url: redact_url(url),
                source: crate::DriverError::boxed(e),
            })?;
        let mut db = ThrowawayPostgres {
            pool: pool.clone(),
            schema: schema.clone(),
            url: url.to_string(),
            report: Report {
                dialect: dbconform_core::dialect::Dialect::name(&dbconform_core::dialect::POSTGRES)
                    .into(),
                executed: Vec::new(),
                blocked: Vec::new(),
                drift: Vec::new(),
                round_trips: Vec::new(),
                total: std::time::Duration::ZERO,
            },
            dropped: false,
        };
        let options = Options {
            target_schema: schema,
            ..Options::default()
        };
        // On failure `db` is dropped here, which drops the half-made schema too.
        db.report = DbConform::from_pool(pool)
            .with_options(options)
            .apply_all()
            .await?;
        Ok(db)
    }
}
