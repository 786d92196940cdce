//! SQLite driver: connect, lock with `BEGIN IMMEDIATE`, execute.

mod inspect;
mod probe;
mod rebuild;

use super::{SupportedPool, sealed};
use crate::driver::{self, Driver, Scope, Session, StatementCounter, db_error};
use crate::preflight::{PreflightReport, PreflightStep, StepOutcome};
use crate::report::Report;
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::{Dialect, Sqlite};
use dbconform_core::{DependentObject, Error, Options, Plan, Result, Schema, TableDef, redact_url};
use sqlx::Connection;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool, SqlitePoolOptions};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The catalog queries one reflection sends, in order (benchmark floors: the same
/// queries run alone).
pub(crate) fn reflection_queries() -> Vec<&'static str> {
    inspect::queries()
}

/// The text-path reflection (with the tables it left to the pragmas) and the pragma-based
/// reference reflection of the same connection, for the differential tests.
pub(crate) async fn reflections(
    conn: &mut SqliteConnection,
) -> Result<(Schema, Vec<String>, Schema)> {
    let counter = StatementCounter::default();
    let (schema, fallback) = inspect::reflect_reporting_fallback(conn, &counter).await?;
    let reference = inspect::reflect_with_pragmas(conn).await?;
    Ok((schema, fallback, reference))
}

/// URL schemes this backend answers to: the dialect's, so the CLI (which reads the
/// scheme without connecting) and the runtime agree.
pub const SCHEMES: &[&str] = dbconform_core::dialect::sqlite::SCHEMES;

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

static DIALECT: Sqlite = Sqlite;

/// dbconform's SQLite backend.
#[derive(Debug)]
pub struct SqliteDriver {
    pool: SqlitePool,
    counter: StatementCounter,
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
        Ok(SqliteDriver {
            pool,
            counter: StatementCounter::default(),
        })
    }

    async fn acquire(&self) -> Result<PoolConnection<sqlx::Sqlite>> {
        self.pool
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))
    }

    /// Wraps an existing pool.
    pub fn from_pool(pool: SqlitePool) -> Self {
        SqliteDriver {
            pool,
            counter: StatementCounter::default(),
        }
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
        Arc::new(SqliteDriver::from_pool(self))
    }
}

/// One SQLite connection, in or out of a transaction.
struct SqliteSession<'c> {
    conn: &'c mut SqliteConnection,
    counter: &'c StatementCounter,
}

#[async_trait]
impl Session for SqliteSession<'_> {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    async fn reflect(&mut self, scope: &Scope) -> Result<Schema> {
        inspect::reflect(self.conn, scope, self.counter).await
    }

    async fn canonicalize(&mut self, tables: &[TableDef]) -> Result<Vec<TableDef>> {
        inspect::canonicalize(self.conn, tables, self.counter).await
    }

    async fn run_steps(&mut self, plan: Plan) -> Result<Report> {
        rebuild::ensure_foreign_keys_off(self.conn, &plan, self.counter).await?;
        driver::run_steps::<sqlx::Sqlite>(
            self.conn,
            plan,
            self.counter,
            driver::Arrival::PerStatement,
        )
        .await
    }

    async fn dependents(
        &mut self,
        _scope: &Scope,
        actual: &Schema,
    ) -> Result<Vec<DependentObject>> {
        rebuild::dependents(self.conn, actual, self.counter).await
    }

    async fn verify_dependents(&mut self, objects: &[DependentObject]) -> Result<()> {
        driver::verify_dependents::<sqlx::Sqlite>(self.conn, objects, self.counter).await
    }

    async fn answer(&mut self, questions: &[Question]) -> Result<Answers> {
        probe::answer(self.conn, questions, self.counter).await
    }

    async fn try_steps(&mut self, plan: &Plan) -> Result<Vec<PreflightStep>> {
        rebuild::ensure_foreign_keys_off(self.conn, plan, self.counter).await?;
        driver::try_steps::<sqlx::Sqlite>(self.conn, plan, self.counter).await
    }
}

#[async_trait]
impl Driver for SqliteDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn counter(&self) -> &StatementCounter {
        &self.counter
    }

    async fn reflect(&self, scope: &Scope) -> Result<Schema> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))?;
        SqliteSession {
            conn: &mut conn,
            counter: &self.counter,
        }
        .reflect(scope)
        .await
    }

    async fn compare(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Plan> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))?;
        let mut session = SqliteSession {
            conn: &mut conn,
            counter: &self.counter,
        };
        Ok(driver::plan_on(&mut session, scope, desired, options)
            .await?
            .0)
    }

    /// Plans under the lock and, when no table needs a rebuild, executes and commits in
    /// that transaction. Otherwise rolls back (nothing was changed), turns foreign keys
    /// off outside any transaction ([`rebuild::ForeignKeysOff`]), and does it all again
    /// under a new lock: plan, execute (rebuilds with their views and triggers), verify,
    /// `PRAGMA foreign_key_check`, commit — then restores the setting.
    async fn apply(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Report> {
        let started = Instant::now();
        let mut conn = self.acquire().await?;
        {
            let mut tx = begin_immediate(&mut conn, &self.counter).await?;
            let mut session = SqliteSession {
                conn: &mut tx,
                counter: &self.counter,
            };
            let (plan, _) = driver::plan_on(&mut session, scope, desired, options).await?;
            if !rebuild::has_rebuilds(&plan) {
                let report =
                    driver::execute_on(&mut session, plan, scope, desired, options, started)
                        .await?;
                self.counter.add(1);
                tx.commit().await.map_err(db_error("COMMIT"))?;
                return Ok(report);
            }
            self.counter.add(1);
            tx.rollback().await.map_err(db_error("ROLLBACK"))?;
        }
        let mut guard = rebuild::ForeignKeysOff::new(conn, &self.counter).await?;
        let result = async {
            let mut tx = begin_immediate(guard.conn(), &self.counter).await?;
            let mut session = SqliteSession {
                conn: &mut tx,
                counter: &self.counter,
            };
            let (plan, _) = driver::plan_on(&mut session, scope, desired, options).await?;
            let checked = plan.clone();
            let report =
                driver::execute_on(&mut session, plan, scope, desired, options, started).await?;
            rebuild::check_foreign_keys(&mut tx, &checked, &self.counter).await?;
            self.counter.add(1);
            tx.commit().await.map_err(db_error("COMMIT"))?;
            Ok(report)
        }
        .await;
        guard.restore(&self.counter).await;
        result
    }

    /// Like [`apply`](Self::apply), rolling back instead of committing; a foreign-key
    /// violation a rebuild would leave is reported as the failure of the last rebuild
    /// step.
    async fn preflight(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<PreflightReport> {
        let started = Instant::now();
        let mut conn = self.acquire().await?;
        {
            let mut tx = begin_immediate(&mut conn, &self.counter).await?;
            let mut session = SqliteSession {
                conn: &mut tx,
                counter: &self.counter,
            };
            let planned = driver::plan_on(&mut session, scope, desired, options).await;
            let report = match planned {
                Ok((plan, _)) if !rebuild::has_rebuilds(&plan) => {
                    Some(driver::try_on(&mut session, plan, started).await)
                }
                Ok(_) => None,
                Err(error) => Some(Err(error)),
            };
            self.counter.add(1);
            tx.rollback().await.map_err(db_error("ROLLBACK"))?;
            if let Some(report) = report {
                return report;
            }
        }
        let mut guard = rebuild::ForeignKeysOff::new(conn, &self.counter).await?;
        let result = async {
            let mut tx = begin_immediate(guard.conn(), &self.counter).await?;
            let mut session = SqliteSession {
                conn: &mut tx,
                counter: &self.counter,
            };
            let report = async {
                let (plan, _) = driver::plan_on(&mut session, scope, desired, options).await?;
                let checked = plan.clone();
                let mut report = driver::try_on(&mut session, plan, started).await?;
                if let Err(error) =
                    rebuild::check_foreign_keys(session.conn, &checked, &self.counter).await
                    && let Some(last) = report
                        .steps
                        .iter_mut()
                        .rev()
                        .find(|s| s.step.kind == dbconform_core::ChangeKind::RebuildTable)
                    && last.outcome == StepOutcome::Ok
                {
                    last.outcome = StepOutcome::Failed {
                        statement: "PRAGMA foreign_key_check".into(),
                        message: error.to_string(),
                    };
                }
                Ok(report)
            }
            .await;
            self.counter.add(1);
            tx.rollback().await.map_err(db_error("ROLLBACK"))?;
            report
        }
        .await;
        guard.restore(&self.counter).await;
        result
    }
}
