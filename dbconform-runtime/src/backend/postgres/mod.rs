//! PostgreSQL driver: connect, lock with `pg_advisory_xact_lock`, execute.

mod array;
mod dependents;
mod inspect;
#[cfg(test)]
mod inspect_tests;
mod probe;
#[cfg(test)]
mod reference;

use super::{SupportedPool, sealed};
use crate::driver::{self, Driver, Scope, Session, StatementCounter, db_error};
use crate::preflight::{PreflightReport, PreflightStep};
use crate::report::Report;
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::{Dialect, Postgres};
use dbconform_core::locks::{self, LockSettings};
use dbconform_core::{DependentObject, Error, Options, Plan, Result, Schema, TableDef, redact_url};
use sqlx::Connection;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The catalog queries one reflection sends, in order (benchmark floors: the same
/// queries run alone).
pub(crate) const REFLECTION_QUERIES: &[&str] = &inspect::QUERIES;

/// URL schemes this backend answers to: the dialect's, so the CLI (which reads the
/// scheme without connecting) and the runtime agree.
pub const SCHEMES: &[&str] = dbconform_core::dialect::postgres::SCHEMES;

/// Maintenance databases to connect to when creating a database, in order of
/// preference.
pub(crate) const MAINTENANCE_DATABASES: [&str; 2] = ["postgres", "template1"];

/// The connect options `url` names, refused before anything is sent unless the URL has
/// the `//` authority: sqlx reads `postgresql:/alice:pw@host/db` (one slash) as a URL
/// without a host whose database is `alice:pw@host/db`, connects to the default host and
/// sends the password to the server as a database name, which then ends up in the error
/// and in the server's log.
pub(crate) fn connect_options(url: &str) -> Result<PgConnectOptions> {
    let authority = url
        .split_once(':')
        .is_some_and(|(_, rest)| rest.starts_with("//"));
    if !authority {
        return Err(Error::InvalidUrl {
            url: redact_url(url),
            message: "a PostgreSQL URL has the form `postgres://user:password@host:5432/database` (`//` after the scheme); nothing was sent to any server".to_string(),
        });
    }
    PgConnectOptions::from_str(url).map_err(|e| Error::InvalidUrl {
        url: redact_url(url),
        message: e.to_string(),
    })
}

/// First half of the advisory-lock key: "dbcf" in ASCII, so the lock is recognisable in
/// `pg_locks` and does not collide with applications using single-key locks.
const LOCK_CLASS: i32 = 0x6462_6366;

static DIALECT: Postgres = Postgres;

/// dbconform's PostgreSQL backend.
#[derive(Debug)]
pub struct PgDriver {
    pool: PgPool,
    counter: StatementCounter,
    /// The connection [`PgDriver::connect`] opened to check the URL, kept for the first
    /// read-only operation (reflect, compare) instead of opening another: a one-shot
    /// compare costs one connection, not two. Closed after that operation.
    spare: Mutex<Option<PgConnection>>,
}

/// The connection one read-only operation runs on.
enum Lease {
    /// The connection `connect` opened.
    Spare(PgConnection),
    /// One of the pool's.
    Pooled(PoolConnection<sqlx::Postgres>),
}

impl Lease {
    fn conn(&mut self) -> &mut PgConnection {
        match self {
            Lease::Spare(conn) => conn,
            Lease::Pooled(conn) => conn,
        }
    }

    /// Ends the operation: the spare is closed (the pool serves from now on), a pooled
    /// connection goes back to the pool.
    async fn release(self) {
        if let Lease::Spare(conn) = self {
            let _ = conn.close().await;
        }
    }
}

impl PgDriver {
    /// Connects to `url` (`postgres://user@host/db`).
    pub async fn connect(url: &str) -> Result<Self> {
        let options = connect_options(url)?;
        // One direct connection first: the pool retries refused connections until its
        // acquire timeout (30 s), while a direct attempt reports a wrong host, port,
        // database or password at once.
        let probe = PgConnection::connect_with(&options)
            .await
            .map_err(|e| Error::Connect {
                url: redact_url(url),
                source: crate::DriverError::boxed(e),
            })?;
        // The pool opens its connections when first asked: the probe serves the first
        // read-only operation, and apply's transaction takes a pooled one.
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_lazy_with(options);
        Ok(PgDriver {
            pool,
            counter: StatementCounter::default(),
            spare: Mutex::new(Some(probe)),
        })
    }

    /// A connection for one read-only operation: the spare while there is one and it
    /// still answers, the pool's otherwise.
    async fn lease(&self) -> Result<Lease> {
        // A poisoned lock only means another operation panicked while taking the spare.
        let spare = self.spare.lock().map(|mut s| s.take()).unwrap_or(None);
        if let Some(mut conn) = spare
            && conn.ping().await.is_ok()
        {
            return Ok(Lease::Spare(conn));
        }
        let conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))?;
        Ok(Lease::Pooled(conn))
    }

    /// Begins a transaction holding the schema-change lock of `scope`'s target schema:
    /// conformers of the same schema queue here; the lock ends with the transaction.
    async fn begin_locked(
        &self,
        scope: &Scope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.counter.add(2);
        let mut tx = self.pool.begin().await.map_err(db_error("BEGIN"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(lock_key(&scope.target_schema))
            .execute(&mut *tx)
            .await
            .map_err(db_error("taking the advisory lock"))?;
        Ok(tx)
    }

    /// Wraps an existing pool.
    pub fn from_pool(pool: PgPool) -> Self {
        PgDriver {
            pool,
            counter: StatementCounter::default(),
            spare: Mutex::new(None),
        }
    }
}

impl sealed::Sealed for PgPool {}
impl SupportedPool for PgPool {
    fn into_driver(self) -> Arc<dyn Driver> {
        Arc::new(PgDriver::from_pool(self))
    }
}

/// The advisory-lock key of a target schema: every conformer of the same schema queues on
/// the same key; different schemas do not block each other.
fn lock_key(target_schema: &str) -> i32 {
    // FNV-1a, stable across versions and platforms (std's hasher is not guaranteed to be).
    let mut hash: u32 = 0x811c_9dc5;
    for &b in target_schema.as_bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as i32
}

/// Refuses `plan` before its first statement when the locks it would hold exceed the
/// server's lock table (see [`dbconform_core::locks`]): PostgreSQL would otherwise fail
/// half-way with `out of shared memory`. One statement reads the three settings that size
/// the table; an empty plan sends none.
async fn check_lock_budget(
    conn: &mut PgConnection,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<()> {
    if plan.steps().is_empty() {
        return Ok(());
    }
    counter.add(1);
    let (per, connections, prepared): (i64, i64, i64) = sqlx::query_as(
        "SELECT pg_catalog.current_setting('max_locks_per_transaction')::int8, \
           pg_catalog.current_setting('max_connections')::int8, \
           pg_catalog.current_setting('max_prepared_transactions')::int8",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("reading the lock table's size"))?;
    // The settings are never negative; a negative one would only mean no room.
    let setting = |value: i64| u64::try_from(value).unwrap_or(0);
    locks::check_lock_budget(
        plan,
        &LockSettings {
            max_locks_per_transaction: setting(per),
            max_connections: setting(connections),
            max_prepared_transactions: setting(prepared),
        },
    )
}

/// One PostgreSQL connection, in or out of a transaction.
struct PgSession<'c> {
    conn: &'c mut PgConnection,
    counter: &'c StatementCounter,
}

#[async_trait]
impl Session for PgSession<'_> {
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
        check_lock_budget(self.conn, &plan, self.counter).await?;
        driver::run_steps::<sqlx::Postgres>(self.conn, plan, self.counter, driver::Arrival::AtEnd)
            .await
    }

    async fn answer(&mut self, questions: &[Question]) -> Result<Answers> {
        probe::answer(self.conn, questions, self.counter).await
    }

    async fn try_steps(&mut self, plan: &Plan) -> Result<Vec<PreflightStep>> {
        check_lock_budget(self.conn, plan, self.counter).await?;
        driver::try_steps::<sqlx::Postgres>(self.conn, plan, self.counter).await
    }

    async fn dependents(
        &mut self,
        scope: &Scope,
        _actual: &Schema,
    ) -> Result<Vec<DependentObject>> {
        dependents::read(self.conn, scope, self.counter).await
    }

    async fn verify_dependents(&mut self, objects: &[DependentObject]) -> Result<()> {
        driver::verify_dependents::<sqlx::Postgres>(self.conn, objects, self.counter).await
    }
}

#[async_trait]
impl Driver for PgDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn counter(&self) -> &StatementCounter {
        &self.counter
    }

    async fn reflect(&self, scope: &Scope) -> Result<Schema> {
        let mut lease = self.lease().await?;
        let schema = PgSession {
            conn: lease.conn(),
            counter: &self.counter,
        }
        .reflect(scope)
        .await;
        lease.release().await;
        schema
    }

    async fn compare(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Plan> {
        let mut lease = self.lease().await?;
        let mut session = PgSession {
            conn: lease.conn(),
            counter: &self.counter,
        };
        let plan = driver::plan_on(&mut session, scope, desired, options).await;
        lease.release().await;
        Ok(plan?.0)
    }

    async fn apply(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Report> {
        let started = Instant::now();
        let mut tx = self.begin_locked(scope).await?;
        let mut session = PgSession {
            conn: &mut tx,
            counter: &self.counter,
        };
        let report = driver::apply_on(&mut session, scope, desired, options, started).await?;
        self.counter.add(1);
        tx.commit().await.map_err(db_error("COMMIT"))?;
        Ok(report)
    }

    async fn preflight(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<PreflightReport> {
        let started = Instant::now();
        // The same lock as apply: a preflight never races a conformer of the same schema.
        let mut tx = self.begin_locked(scope).await?;
        let mut session = PgSession {
            conn: &mut tx,
            counter: &self.counter,
        };
        let report = driver::preflight_on(&mut session, scope, desired, options, started).await;
        self.counter.add(1);
        tx.rollback().await.map_err(db_error("ROLLBACK"))?;
        report
    }
}

#[cfg(test)]
mod tests {
    use super::lock_key;

    #[test]
    fn lock_key_is_stable_and_schema_specific() {
        assert_eq!(lock_key("public"), lock_key("public"));
        assert_ne!(lock_key("public"), lock_key("tenant_1"));
    }
}
