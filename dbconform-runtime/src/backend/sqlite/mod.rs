//! SQLite backend: connect, lock with `BEGIN IMMEDIATE`, the session.

mod create;
mod data_checks;
mod inspect;
mod rebuild;
#[cfg(feature = "testing")]
pub(super) mod throwaway;

use super::{Registration, SupportedPool, sealed};
use crate::driver::{Arrival, Driver, Scope, StatementCounter, db_error};
use crate::engine::{Backend, Counted, Engine};
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::{Dialect, Sqlite};
use dbconform_core::{DependentObject, Error, Plan, Result, Schema, Step, TableDef, redact_url};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// For dbconform's own differential tests (`tests/reflect_sqlite_differential.rs`): SQLite
/// reflection from the stored text next to the pragma-based reference. Not public API.
#[doc(hidden)]
pub mod differential {
    use super::*;

    /// Both reflections of one database.
    #[derive(Debug)]
    pub struct Reflections {
        /// What dbconform reflects (text, pragmas for the tables in `fallback`).
        pub schema: Schema,
        /// Tables the text path left to the pragmas.
        pub fallback: Vec<String>,
        /// Every table read with the pragmas.
        pub reference: Schema,
    }

    /// Reflects the database `conn` is connected to both ways.
    pub async fn both(conn: &mut SqliteConnection) -> Result<Reflections> {
        let counter = StatementCounter::default();
        let (schema, fallback) = inspect::reflect_reporting_fallback(conn, &counter).await?;
        let reference = inspect::reflect_with_pragmas(conn).await?;
        Ok(Reflections {
            schema,
            fallback,
            reference,
        })
    }
}

/// What the runtime needs of this backend before connecting.
pub(super) const REGISTRATION: Registration = Registration {
    schemes: dbconform_core::dialect::sqlite::SCHEMES,
    connect: |url| Box::pin(connect(url)),
    create_database: |url| Box::pin(create::create_if_missing(url)),
    create_before_connecting: true,
    missing_database_codes: &[],
    transient_codes: &[],
    // SQLite's errors are their message.
    error_details: |_| None,
    reflection_queries: inspect::queries,
};

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

static DIALECT: Sqlite = Sqlite;

/// dbconform's SQLite backend: a pool; the lock is `BEGIN IMMEDIATE`.
#[derive(Debug)]
pub(crate) struct SqliteBackend {
    pool: SqlitePool,
}

/// Opens `url` (`sqlite://app.db?mode=rwc`, `sqlite::memory:`).
pub(crate) async fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(Engine::new(
        SqliteBackend::connect(url).await?,
        None,
    )))
}

impl SqliteBackend {
    async fn connect(url: &str) -> Result<Self> {
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
        let path = options.get_filename().to_path_buf();
        let pool = pool_options
            .connect_with(options)
            .await
            .map_err(|e| Error::Connect {
                url: redact_url(url),
                source: match (in_memory, MissingFile::find(&path, url)) {
                    (false, Some(missing)) => Box::new(missing),
                    _ => crate::DriverError::boxed(e),
                },
            })?;
        Ok(SqliteBackend { pool })
    }

    /// Wraps an existing pool.
    fn from_pool(pool: SqlitePool) -> Self {
        SqliteBackend { pool }
    }
}

/// Why a SQLite database could not be opened when its file or directory is missing:
/// SQLite itself only says `(code: 14) unable to open database file`.
#[derive(Debug)]
enum MissingFile {
    /// The file is missing (and the URL does not ask to create it).
    File {
        /// The path as the URL gives it.
        path: PathBuf,
        /// Where a relative path was looked for.
        cwd: Option<PathBuf>,
        /// The URL with `mode=rwc`, redacted.
        create_url: String,
    },
    /// The directory the file should be in is missing: `mode=rwc` cannot help.
    Directory(PathBuf),
}

impl MissingFile {
    /// What is missing of `path` (the file of `url`), if anything.
    fn find(path: &Path, url: &str) -> Option<MissingFile> {
        if path.as_os_str().is_empty() || path.exists() {
            return None;
        }
        let directory = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(directory) = directory
            && !directory.exists()
        {
            return Some(MissingFile::Directory(directory.to_path_buf()));
        }
        // A URL that asks for the file to be created failed for another reason.
        if url.contains("mode=rwc") {
            return None;
        }
        Some(MissingFile::File {
            path: path.to_path_buf(),
            cwd: if path.is_relative() {
                std::env::current_dir().ok()
            } else {
                None
            },
            create_url: redact_url(&with_create_mode(url)),
        })
    }
}

/// `url` with `mode=rwc` (read, write, create) in its query, in place of any other mode.
fn with_create_mode(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.starts_with("mode=") {
                "mode=rwc"
            } else {
                p
            }
        })
        .collect();
    if !params.contains(&"mode=rwc") {
        params.push("mode=rwc");
    }
    format!("{base}?{}", params.join("&"))
}

impl std::fmt::Display for MissingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissingFile::File {
                path,
                cwd,
                create_url,
            } => {
                write!(f, "the SQLite database file `{}`", path.display())?;
                if let Some(cwd) = cwd {
                    write!(f, " (in `{}`)", cwd.display())?;
                }
                write!(
                    f,
                    " does not exist; to have it created, add `?mode=rwc` to the URL (`{create_url}`), or pass `--create-database-if-missing` to the command line's `apply` or `wait` (in code: `dbconform::create_database_if_missing`)"
                )
            }
            MissingFile::Directory(directory) => write!(
                f,
                "the directory `{}` of the SQLite database file does not exist; create it first (SQLite creates the file, not its directory)",
                directory.display()
            ),
        }
    }
}

impl std::error::Error for MissingFile {}

/// Begins a transaction with `BEGIN IMMEDIATE`, which takes the write lock before
/// anything is read: concurrent conformers queue here (up to the busy timeout) and each
/// plans from the state the previous one committed.
async fn begin_immediate<'c>(
    conn: &'c mut SqliteConnection,
    counter: &StatementCounter,
) -> Result<sqlx::Transaction<'c, sqlx::Sqlite>> {
    counter.add(1);
    conn.begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(db_error("BEGIN IMMEDIATE"))
}

impl sealed::Sealed for SqlitePool {}
impl SupportedPool for SqlitePool {
    fn into_driver(self) -> Arc<dyn Driver> {
        Arc::new(Engine::new(SqliteBackend::from_pool(self), None))
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    type Db = sqlx::Sqlite;
    /// Whether foreign keys were on before.
    type SetUp = bool;

    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// sqlx's worker runs the statements one by one and hands each result over.
    const ARRIVAL: Arrival = Arrival::PerStatement;

    async fn reflect(&self, db: &mut Counted<'_, Self::Db>, scope: &Scope) -> Result<Schema> {
        inspect::reflect(db.conn, scope, db.counter).await
    }

    async fn canonicalize(
        &self,
        db: &mut Counted<'_, Self::Db>,
        tables: &[TableDef],
    ) -> Result<Vec<TableDef>> {
        inspect::canonicalize(db.conn, tables, db.counter).await
    }

    async fn answer(
        &self,
        db: &mut Counted<'_, Self::Db>,
        questions: &[Question],
    ) -> Result<Answers> {
        crate::data_checks::answer::<sqlx::Sqlite>(
            db.conn,
            questions,
            db.counter,
            &data_checks::count,
            false,
        )
        .await
    }

    async fn dependents(
        &self,
        db: &mut Counted<'_, Self::Db>,
        _scope: &Scope,
        actual: &Schema,
    ) -> Result<Vec<DependentObject>> {
        rebuild::dependents(db.conn, actual, db.counter).await
    }

    /// A rebuild with foreign keys on would cascade: the engine turns them off first
    /// ([`Backend::set_up`]); this refuses the plan if they are still on.
    async fn check_before_steps(&self, db: &mut Counted<'_, Self::Db>, plan: &Plan) -> Result<()> {
        rebuild::ensure_foreign_keys_off(db.conn, plan, db.counter).await
    }

    async fn begin_locked<'c>(
        &self,
        conn: &'c mut SqliteConnection,
        _scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<sqlx::Transaction<'c, sqlx::Sqlite>> {
        begin_immediate(conn, counter).await
    }

    /// A table rebuild: its `DROP TABLE` would fire `ON DELETE CASCADE` into the
    /// referencing tables with foreign keys on, and `PRAGMA foreign_keys` is a no-op
    /// inside a transaction.
    fn needs_setup(&self, step: &Step) -> bool {
        rebuild::is_rebuild(step)
    }

    async fn set_up(
        &self,
        conn: &mut SqliteConnection,
        counter: &StatementCounter,
    ) -> Result<bool> {
        rebuild::foreign_keys_off(conn, counter).await
    }

    async fn restore(
        &self,
        conn: &mut SqliteConnection,
        was_on: bool,
        counter: &StatementCounter,
    ) -> bool {
        rebuild::restore_foreign_keys(conn, was_on, counter).await
    }

    async fn check_set_up_steps(
        &self,
        conn: &mut SqliteConnection,
        plan: &Plan,
        counter: &StatementCounter,
    ) -> Result<()> {
        rebuild::check_foreign_keys(conn, plan, counter).await
    }

    fn set_up_check_statement(&self) -> &'static str {
        "PRAGMA foreign_key_check"
    }
}
