//! PostgreSQL backend: connect, lock with `pg_advisory_xact_lock`, the session.

mod array;
mod create;
mod data_checks;
mod dependents;
mod inspect;
#[cfg(test)]
mod inspect_tests;
mod lock_wait;
mod privileges;
#[cfg(test)]
mod reference;
#[cfg(feature = "testing")]
pub(super) mod throwaway;

use super::{Registration, SupportedPool, sealed};
use crate::driver::{Arrival, Driver, Scope, StatementCounter, db_error};
use crate::engine::{Backend, Counted, Engine};
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::{Dialect, Postgres};
use dbconform_core::locks::{self, LockSettings};
use dbconform_core::privileges::{Need, Privileges};
use dbconform_core::{
    DependentObject, Error, Options, Plan, QualifiedName, Result, Schema, TableDef, redact_url,
};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// What the runtime needs of this backend before connecting.
pub(super) const REGISTRATION: Registration = Registration {
    schemes: dbconform_core::dialect::postgres::SCHEMES,
    connect: |url| Box::pin(connect(url)),
    create_database: |url| Box::pin(create::create_if_missing(url)),
    create_before_connecting: false,
    // invalid_catalog_name.
    missing_database_codes: &["3D000"],
    // cannot_connect_now (starting up, shutting down), too_many_connections,
    // connection_failure, sqlclient_unable_to_establish_sqlconnection.
    transient_codes: &["57P03", "53300", "08006", "08001"],
    error_details,
    reflection_queries: || inspect::QUERIES.to_vec(),
};

/// `DETAIL` and `HINT` of a PostgreSQL error.
fn error_details(error: &dyn sqlx::error::DatabaseError) -> Option<Vec<(&'static str, String)>> {
    let pg = error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    Some(
        [("DETAIL", pg.detail()), ("HINT", pg.hint())]
            .into_iter()
            .filter_map(|(label, text)| Some((label, text?.to_string())))
            .collect(),
    )
}

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

/// dbconform's PostgreSQL backend: a pool; the lock is `pg_advisory_xact_lock`.
#[derive(Debug)]
pub(crate) struct PgBackend {
    pool: PgPool,
}

/// Connects to `url` (`postgres://user@host/db`).
pub(crate) async fn connect(url: &str) -> Result<Arc<dyn Driver>> {
    let options = connect_options(url)?;
    // One direct connection first: the pool retries refused connections until its
    // acquire timeout (30 s), while a direct attempt reports a wrong host, port,
    // database or password at once. It serves the first read-only operation.
    let first = PgConnection::connect_with(&options)
        .await
        .map_err(|e| Error::Connect {
            url: redact_url(url),
            source: crate::DriverError::boxed(e),
        })?;
    // The pool opens its connections when first asked.
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_lazy_with(options);
    Ok(Arc::new(Engine::new(PgBackend { pool }, Some(first))))
}

impl sealed::Sealed for PgPool {}
impl SupportedPool for PgPool {
    fn into_driver(self) -> Arc<dyn Driver> {
        Arc::new(Engine::new(PgBackend { pool: self }, None))
    }
}

/// A PostgreSQL connection and its statement counter, as the hooks take it.
type Pg<'c> = Counted<'c, sqlx::Postgres>;

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

#[async_trait]
impl Backend for PgBackend {
    type Db = sqlx::Postgres;
    type SetUp = ();

    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The server buffers its replies to a simple-query string until the last statement.
    const ARRIVAL: Arrival = Arrival::AtEnd;

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
        crate::data_checks::answer::<sqlx::Postgres>(
            db.conn,
            questions,
            db.counter,
            &data_checks::count,
            true,
        )
        .await
    }

    async fn dependents(
        &self,
        db: &mut Counted<'_, Self::Db>,
        scope: &Scope,
        _actual: &Schema,
    ) -> Result<Vec<DependentObject>> {
        dependents::read(db.conn, scope, db.counter).await
    }

    /// The lock budget ([`check_lock_budget`]).
    async fn check_before_steps(&self, db: &mut Counted<'_, Self::Db>, plan: &Plan) -> Result<()> {
        check_lock_budget(db.conn, plan, db.counter).await
    }

    /// Ownership, CREATE and REFERENCES, in one statement ([`privileges`]).
    async fn privileges(&self, db: &mut Pg<'_>, needs: &[Need]) -> Result<Privileges> {
        privileges::refused(db.conn, db.counter, needs).await
    }

    /// `SET LOCAL lock_timeout`, `statement_timeout` ([`lock_wait`]).
    async fn set_timeouts(&self, db: &mut Counted<'_, Self::Db>, options: &Options) -> Result<()> {
        lock_wait::set_timeouts(db.conn, db.counter, options).await
    }

    /// `SET lock_timeout`, `statement_timeout` for the session ([`lock_wait`]).
    async fn set_session_timeouts(
        &self,
        db: &mut Counted<'_, Self::Db>,
        options: &Options,
    ) -> Result<()> {
        lock_wait::set_session_timeouts(db.conn, db.counter, options).await
    }

    /// `pg_advisory_lock` on the key [`begin_locked`](Backend::begin_locked) takes for the
    /// transaction: the two exclude each other.
    async fn lock_session(
        &self,
        conn: &mut PgConnection,
        scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<()> {
        counter.add(1);
        sqlx::query("SELECT pg_advisory_lock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(lock_key(&scope.target_schema))
            .execute(&mut *conn)
            .await
            .map(|_| ())
            .map_err(db_error("taking the advisory lock"))
    }

    /// SQLSTATE `55P03`.
    fn lock_timed_out(&self, error: &Error) -> bool {
        lock_wait::lock_timed_out(error)
    }

    /// From `pg_stat_activity` and `pg_locks` ([`lock_wait`]).
    async fn lock_holders(
        &self,
        db: &mut Pg<'_>,
        of: &Scope,
        age: Duration,
    ) -> Result<Vec<String>> {
        lock_wait::holders(db.conn, db.counter, of, age).await
    }

    /// From `pg_stat_activity` and `pg_locks` ([`lock_wait`]).
    async fn table_holders(
        &self,
        db: &mut Pg<'_>,
        tables: &[QualifiedName],
        age: Duration,
        concurrent: bool,
    ) -> Result<Vec<String>> {
        lock_wait::holders_of(db.conn, db.counter, tables, age, concurrent).await
    }

    /// Conformers of the same target schema queue here; the lock ends with the
    /// transaction.
    async fn begin_locked<'c>(
        &self,
        conn: &'c mut PgConnection,
        scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<sqlx::Transaction<'c, sqlx::Postgres>> {
        counter.add(2);
        let mut tx = conn.begin().await.map_err(db_error("BEGIN"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(LOCK_CLASS)
            .bind(lock_key(&scope.target_schema))
            .execute(&mut *tx)
            .await
            .map_err(db_error("taking the advisory lock"))?;
        Ok(tx)
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
