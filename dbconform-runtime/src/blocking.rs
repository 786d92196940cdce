//! Blocking versions of the entry points, for programs without an async runtime.
//!
//! [`blocking::DbConform`](DbConform) mirrors every operation of the async
//! `dbconform::DbConform` on one private single-threaded runtime and one connection pool,
//! both made once by [`DbConform::connect`] and kept for every call:
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! use dbconform::Options;
//!
//! let db = dbconform::blocking::DbConform::connect("sqlite://app.db?mode=rwc")?
//!     .with_options(Options { allow_drop_extra_columns: true, ..Options::default() });
//! let plan = db.compare_all()?;
//! println!("{plan}");
//! let report = db.apply_all()?;
//! println!("{report}");
//! db.check_all()?;
//! # Ok::<(), dbconform::Error>(())
//! ```
//!
//! The free functions connect, run one operation and disconnect:
//!
//! ```no_run
//! # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
//! let report = dbconform::blocking::conform_all("sqlite://app.db?mode=rwc")?;
//! println!("{report}");
//! # Ok::<(), dbconform::Error>(())
//! ```
//!
//! Both work inside an async runtime too (a `#[tokio::test]`, say), where blocking the
//! thread would panic: the work then runs on a separate thread while the caller waits.

use crate::{PreflightReport, Report};
use dbconform_core::dialect::Dialect;
use dbconform_core::{Error, Options, Plan, Result, Schema, TableDef};
use std::future::Future;

/// The blocking counterpart of the async `dbconform::DbConform`: the same operations, each
/// waiting for its result. Made once, it keeps its runtime (one thread: the caller's) and
/// its connection pool for every call.
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// let db = dbconform::blocking::DbConform::connect("sqlite://app.db?mode=rwc")?;
/// let dry = db.preflight_all()?;
/// if dry.is_ok() {
///     db.apply_all()?;
/// } else {
///     eprintln!("{dry}");
/// }
/// # Ok::<(), dbconform::Error>(())
/// ```
#[derive(Debug)]
pub struct DbConform {
    // Dropped before the runtime: the pool's connections belong to it.
    inner: crate::DbConform,
    runtime: Runtime,
}

impl DbConform {
    /// Starts the private runtime and connects to a database by URL, as the async
    /// `DbConform::connect` does (`sqlite://path?mode=rwc`, `sqlite::memory:`,
    /// `postgres://user:password@host:port/db`). Errors never show the password.
    pub fn connect(url: &str) -> Result<Self> {
        let runtime = Runtime::new()?;
        let inner = runtime.block_on(crate::DbConform::connect(url))?;
        Ok(DbConform { inner, runtime })
    }

    /// Connects as [`DbConform::connect`] does, retrying while the database does not
    /// answer yet and creating it first when asked: the async `DbConform::connect_with`.
    ///
    /// ```no_run
    /// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
    /// use dbconform::ConnectOptions;
    /// use std::time::Duration;
    ///
    /// let options = ConnectOptions {
    ///     retry_for: Duration::from_secs(30),
    ///     create_database_if_missing: true,
    ///     ..ConnectOptions::default()
    /// };
    /// let db = dbconform::blocking::DbConform::connect_with("postgres://app@db/app", &options)?;
    /// db.apply_all()?;
    /// # Ok::<(), dbconform::Error>(())
    /// ```
    pub fn connect_with(url: &str, options: &crate::ConnectOptions) -> Result<Self> {
        let runtime = Runtime::new()?;
        let inner = runtime.block_on(crate::DbConform::connect_with(url, options))?;
        Ok(DbConform { inner, runtime })
    }

    /// Replaces the policy.
    pub fn with_options(mut self, options: Options) -> Self {
        self.inner = self.inner.with_options(options);
        self
    }

    /// The policy in force.
    pub fn options(&self) -> &Options {
        self.inner.options()
    }

    /// The SQL dialect of the connected backend.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.inner.dialect()
    }

    /// The plan that would make the database conform to every registered table. Changes
    /// nothing.
    pub fn compare_all(&self) -> Result<Plan> {
        self.runtime.block_on(self.inner.compare_all())
    }

    /// The plan that would make the database conform to `tables`. Changes nothing.
    pub fn compare(&self, tables: &[TableDef]) -> Result<Plan> {
        self.runtime.block_on(self.inner.compare(tables))
    }

    /// Makes the database conform to every registered table, in one transaction.
    pub fn apply_all(&self) -> Result<Report> {
        self.runtime.block_on(self.inner.apply_all())
    }

    /// Makes the database conform to `tables`, in one transaction; any failure rolls back.
    pub fn apply(&self, tables: &[TableDef]) -> Result<Report> {
        self.runtime.block_on(self.inner.apply(tables))
    }

    /// Executes the plan for every registered table in a transaction that is rolled back,
    /// and reports every step's outcome. Changes nothing.
    pub fn preflight_all(&self) -> Result<PreflightReport> {
        self.runtime.block_on(self.inner.preflight_all())
    }

    /// Executes the plan for `tables` in a transaction that is rolled back, and reports
    /// every step's outcome. Changes nothing.
    pub fn preflight(&self, tables: &[TableDef]) -> Result<PreflightReport> {
        self.runtime.block_on(self.inner.preflight(tables))
    }

    /// `Ok(())` when the database conforms to every registered table; otherwise
    /// [`Error::NotConformant`] with the plan that would make it conform. Changes nothing.
    pub fn check_all(&self) -> Result<()> {
        self.runtime.block_on(self.inner.check_all())
    }

    /// `Ok(())` when the database conforms to `tables`; otherwise
    /// [`Error::NotConformant`]. Changes nothing.
    pub fn check(&self, tables: &[TableDef]) -> Result<()> {
        self.runtime.block_on(self.inner.check(tables))
    }

    /// The database as reflected, in the scope of the registered tables.
    pub fn snapshot(&self) -> Result<Schema> {
        self.runtime.block_on(self.inner.snapshot())
    }

    /// How many statements this `DbConform` has sent to the database so far.
    pub fn statements_sent(&self) -> u64 {
        self.inner.statements_sent()
    }
}

/// Blocking `dbconform::conform_all`: connects, makes the database conform to every
/// registered table (all or nothing), disconnects.
pub fn conform_all(url: &str) -> Result<Report> {
    Runtime::new()?.block_on(crate::conform_all(url))
}

/// Blocking `DbConform::apply_all` with `options`, on a connection made for this call.
pub fn apply_all(url: &str, options: Options) -> Result<Report> {
    DbConform::connect(url)?.with_options(options).apply_all()
}

/// Blocking `DbConform::compare_all` with `options`, on a connection made for this call.
pub fn compare_all(url: &str, options: Options) -> Result<Plan> {
    DbConform::connect(url)?.with_options(options).compare_all()
}

/// Blocking `DbConform::check_all` with `options`, on a connection made for this call.
pub fn check_all(url: &str, options: Options) -> Result<()> {
    DbConform::connect(url)?.with_options(options).check_all()
}

/// A private single-threaded tokio runtime that can be used, and dropped, inside another
/// runtime too.
#[derive(Debug)]
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn new() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Database {
                operation: "starting a runtime".into(),
                source: Box::new(e),
            })?;
        Ok(Runtime(Some(runtime)))
    }

    /// Runs `future` to completion. Inside an async runtime (where blocking the thread
    /// would panic) it runs on a separate thread while this one waits.
    fn block_on<F, T>(&self, future: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send,
        T: Send,
    {
        let Some(runtime) = &self.0 else {
            unreachable!("the runtime is only taken when dropped")
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|scope| {
                scope
                    .spawn(|| runtime.block_on(future))
                    .join()
                    .unwrap_or_else(|_| {
                        Err(Error::Internal {
                            message: "the dbconform worker thread panicked".into(),
                        })
                    })
            })
        } else {
            runtime.block_on(future)
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Dropping a runtime inside another one panics; there, its tasks are dropped
        // without waiting for them instead.
        if let Some(runtime) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            runtime.shutdown_background();
        }
    }
}
