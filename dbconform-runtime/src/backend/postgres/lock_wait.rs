//! Bounded waiting for locks: the apply transaction's `lock_timeout` and
//! `statement_timeout` (`SET LOCAL`, so nothing outlives the transaction), whether an
//! error is a statement giving up on its lock (SQLSTATE `55P03`), and which sessions hold
//! the tables then (`pg_stat_activity` joined with the granted `pg_locks` on relations of
//! the scope's schemas).

use crate::driver::{Scope, StatementCounter, db_error};
use dbconform_core::{Error, Options, Result};
use sqlx::postgres::PgConnection;
use std::time::Duration;

/// SQLSTATE `lock_not_available`: `lock_timeout` ran out.
const LOCK_NOT_AVAILABLE: &str = "55P03";

/// Sets the options' timeouts for the current transaction.
pub(super) async fn set_timeouts(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    options: &Options,
) -> Result<()> {
    set(conn, counter, options, "SET LOCAL").await
}

/// Sets the options' timeouts for the session (online mode; its connection is closed
/// afterwards).
pub(super) async fn set_session_timeouts(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    options: &Options,
) -> Result<()> {
    set(conn, counter, options, "SET").await
}

async fn set(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    options: &Options,
    set: &str,
) -> Result<()> {
    // Whole milliseconds, at least 1 (0 would mean no timeout at all).
    let ms = |d: Duration| d.as_millis().clamp(1, i32::MAX as u128);
    let settings: Vec<String> = [
        ("lock_timeout", options.lock_timeout),
        ("statement_timeout", options.statement_timeout),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.map(|v| format!("{set} {name} = {}", ms(v))))
    .collect();
    if settings.is_empty() {
        return Ok(());
    }
    counter.add(settings.len() as u64);
    sqlx::raw_sql(sqlx::AssertSqlSafe(settings.join("; ")))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(db_error("setting the apply's lock and statement timeouts"))
}

/// Whether `error` (or what it wraps) is PostgreSQL's `lock_not_available`.
pub(super) fn lock_timed_out(error: &Error) -> bool {
    crate::driver_error::database_code(error).as_deref() == Some(LOCK_NOT_AVAILABLE)
}

/// The sessions, other than this one, holding a lock on a relation of the scope's schemas
/// in a transaction older than `older_than`: `pid 4242 (app `report`, idle in
/// transaction for 62 s): SELECT ...`, oldest first.
pub(super) async fn holders(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    scope: &Scope,
    older_than: Duration,
) -> Result<Vec<String>> {
    counter.add(1);
    sqlx::query_scalar(
        r"SELECT format('pid %s (%s%s for %s s): %s', a.pid,
                CASE WHEN a.application_name <> '' THEN format('app `%s`, ', a.application_name) ELSE '' END,
                coalesce(a.state, 'unknown state'),
                floor(extract(epoch FROM now() - a.xact_start))::bigint,
                left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 120))
         FROM pg_catalog.pg_stat_activity a
         WHERE a.pid <> pg_backend_pid()
           AND a.xact_start < now() - make_interval(secs => $2)
           AND EXISTS (
             SELECT 1 FROM pg_catalog.pg_locks l
             JOIN pg_catalog.pg_class c ON c.oid = l.relation
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE l.pid = a.pid AND l.granted AND n.nspname = ANY($1))
         ORDER BY a.xact_start",
    )
    .bind(&scope.schemas)
    .bind(older_than.as_secs_f64())
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the sessions that hold the tables"))
}
