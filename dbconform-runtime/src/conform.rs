//! The public entry points: [`DbConform`] and [`conform_all`].

use crate::backend::{self, SupportedPool};
use crate::driver::{Driver, Scope};
use crate::preflight::PreflightReport;
use crate::report::Report;
use dbconform_core::dialect::Dialect;
use dbconform_core::{Error, Options, Plan, Result, Schema, TableDef, registered_tables};
use std::sync::Arc;
use tracing::Instrument;

/// Makes one database conform to declared tables.
///
/// The `*_all` methods work on every registered table (every `#[derive(Table)]` the
/// program links) and refuse with [`Error::NoTables`] when there is none: a test or binary
/// that never names the crate declaring the tables (`use my_app as _;` fixes it).
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// # async fn run() -> dbconform::Result<()> {
/// use dbconform::DbConform;
/// use dbconform::Options;
/// let db = DbConform::connect("sqlite://app.db?mode=rwc").await?
///     .with_options(Options { allow_drop_extra_columns: true, ..Options::default() });
/// let plan = db.compare_all().await?;
/// println!("{plan}");
/// let report = db.apply_all().await?;
/// println!("{report}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DbConform {
    driver: Arc<dyn Driver>,
    options: Options,
}

impl DbConform {
    /// Connects to a database by URL: `sqlite://path?mode=rwc`, `sqlite::memory:`,
    /// `postgres://user:password@host:port/db`. Errors never show the password.
    pub async fn connect(url: &str) -> Result<Self> {
        let driver = backend::connect(url).await?;
        Ok(DbConform {
            driver,
            options: Options::default(),
        })
    }

    /// Works through an existing sqlx pool (`SqlitePool` or `PgPool`). dbconform takes one
    /// connection for its own transaction and never touches the pool's other work. A
    /// `MySqlPool` (feature `mysql`) lends only its connect options: dbconform opens at
    /// most two connections of its own with them, so that its session settings never
    /// reach the application's connections.
    pub fn from_pool(pool: impl SupportedPool) -> Self {
        DbConform {
            driver: pool.into_driver(),
            options: Options::default(),
        }
    }

    /// Replaces the policy.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The policy in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The SQL dialect of the connected backend.
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.driver.dialect()
    }

    /// The plan that would make the database conform to every registered table.
    pub async fn compare_all(&self) -> Result<Plan> {
        self.compare(&declared_tables()?).await
    }

    /// The plan that would make the database conform to `tables`. Changes nothing.
    pub async fn compare(&self, tables: &[TableDef]) -> Result<Plan> {
        let scope = self.scope(tables);
        self.driver
            .compare(&scope, tables, &self.options)
            .instrument(tracing::info_span!("compare", tables = tables.len()))
            .await
    }

    /// Makes the database conform to every registered table, in one transaction.
    pub async fn apply_all(&self) -> Result<Report> {
        self.apply(&declared_tables()?).await
    }

    /// Makes the database conform to `tables`, in one transaction: locks, reflects, plans,
    /// executes, verifies that nothing is left to do, commits. Any failure rolls back.
    pub async fn apply(&self, tables: &[TableDef]) -> Result<Report> {
        let scope = self.scope(tables);
        let report = self
            .driver
            .apply(&scope, tables, &self.options)
            .instrument(tracing::info_span!("apply", tables = tables.len()))
            .await?;
        tracing::info!(steps = report.executed.len(), "applied");
        Ok(report)
    }

    /// Executes the plan for every registered table in a transaction that is rolled back,
    /// and reports which steps would succeed and, for those that would not, the
    /// database's message. Changes nothing.
    pub async fn preflight_all(&self) -> Result<PreflightReport> {
        self.preflight(&declared_tables()?).await
    }

    /// Executes the plan for `tables` in a transaction that is always rolled back: locks
    /// as [`DbConform::apply`] does, plans (with the data checks), runs each step in a
    /// savepoint of its own — a failing step is undone and the next one runs — and
    /// reports every step's outcome with the database's message. Changes nothing.
    ///
    /// ```no_run
    /// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
    /// # async fn run(db: dbconform::DbConform) -> dbconform::Result<()> {
    /// let dry = db.preflight_all().await?;
    /// if !dry.is_ok() {
    ///     eprintln!("{dry}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn preflight(&self, tables: &[TableDef]) -> Result<PreflightReport> {
        let scope = self.scope(tables);
        let report = self
            .driver
            .preflight(&scope, tables, &self.options)
            .instrument(tracing::info_span!("preflight", tables = tables.len()))
            .await?;
        tracing::info!(
            steps = report.steps.len(),
            failed = report.failures().len(),
            "preflight"
        );
        Ok(report)
    }

    /// `Ok(())` when the database conforms to every registered table; otherwise
    /// [`Error::NotConformant`] listing what differs. Changes nothing.
    pub async fn check_all(&self) -> Result<()> {
        self.check(&declared_tables()?).await
    }

    /// `Ok(())` when the database conforms to `tables`. Changes nothing.
    pub async fn check(&self, tables: &[TableDef]) -> Result<()> {
        let plan = self.compare(tables).await?;
        if plan.is_empty() {
            Ok(())
        } else {
            Err(Error::NotConformant {
                plan: Box::new(plan),
            })
        }
    }

    /// The database as reflected, in the scope of the registered tables.
    pub async fn snapshot(&self) -> Result<Schema> {
        let scope = self.scope(&registered_tables()?);
        self.driver.reflect(&scope).await
    }

    /// How many statements (queries, DDL, BEGIN/COMMIT) this `DbConform` has sent to the
    /// database so far. Reflection costs the same number whatever the number of tables:
    ///
    /// ```no_run
    /// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
    /// # async fn run(db: dbconform::DbConform) -> dbconform::Result<()> {
    /// let before = db.statements_sent();
    /// db.compare_all().await?;
    /// println!("compare_all sent {} statements", db.statements_sent() - before);
    /// # Ok(()) }
    /// ```
    pub fn statements_sent(&self) -> u64 {
        self.driver.counter().get()
    }

    fn scope(&self, tables: &[TableDef]) -> Scope {
        let target = self.options.target_schema.clone();
        let mut schemas: Vec<String> = tables
            .iter()
            .map(|t| {
                self.dialect()
                    .effective_schema(t.schema.as_deref(), &target)
            })
            .collect();
        schemas.push(self.dialect().effective_schema(None, &target));
        // The schemas of the enum types the columns use: their types are read there.
        for column in tables.iter().flat_map(|t| &t.columns) {
            if let Some(ty) = column.ty.enum_type()
                && let Some(schema) = &ty.schema
            {
                schemas.push(self.dialect().effective_schema(Some(schema), &target));
            }
        }
        schemas.sort();
        schemas.dedup();
        Scope {
            target_schema: target,
            schemas,
        }
    }
}

/// Connects to `url` and makes the database conform to every registered table, in one
/// transaction. The one call most applications need at start-up.
///
/// All or nothing: when a step needed for conformance is blocked (a narrower column over
/// values that do not fit, a unique key over duplicates, a change the default
/// [`Options`] refuse), nothing is changed and the error is [`Error::Blocked`], listing
/// each blocked step and what would unblock it — an application should not start against
/// a schema its queries would fail on. So an `Ok` report always
/// [`is_conformant`](Report::is_conformant). To apply what can be applied and get the
/// blocked steps in the report instead, call [`DbConform::apply_all`] (whose
/// [`Options::fail_on_blocked`] is `false` by default).
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// # async fn run() -> dbconform::Result<()> {
/// let report = dbconform::conform_all("sqlite://app.db?mode=rwc").await?;
/// println!("{report}");
/// # Ok(()) }
/// ```
pub async fn conform_all(url: &str) -> Result<Report> {
    let options = Options {
        fail_on_blocked: true,
        ..Options::default()
    };
    DbConform::connect(url)
        .await?
        .with_options(options)
        .apply_all()
        .await
}

/// Every registered table, for the `*_all` entry points; none is [`Error::NoTables`].
///
/// Refused because an empty declaration is almost always a linking mistake (an
/// integration test that never names the library holding the models), and conforming to
/// it would hand out an empty database whose first query fails far from the cause.
fn declared_tables() -> Result<Vec<TableDef>> {
    let tables = registered_tables()?;
    if tables.is_empty() {
        // Cargo sets CARGO_PKG_NAME for the programs it runs (`cargo test`, `cargo run`):
        // the library to name is then most likely that package's own.
        let library = std::env::var("CARGO_PKG_NAME")
            .ok()
            .filter(|name| !name.is_empty())
            .map(|name| name.replace('-', "_"))
            .unwrap_or_else(|| "my_app".to_string());
        return Err(Error::NoTables { library });
    }
    Ok(tables)
}

/// Every registered table, as a [`Schema`] (serializable to JSON).
pub fn desired_schema() -> Result<Schema> {
    Ok(Schema::new(registered_tables()?))
}
