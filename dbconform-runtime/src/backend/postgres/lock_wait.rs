//! Bounded waiting for locks: the apply transaction's `lock_timeout` and
//! `statement_timeout` (`SET LOCAL`, so nothing outlives the transaction), whether an
//! error is a statement giving up on its lock (SQLSTATE `55P03`), and which sessions hold
//! the tables then (`pg_stat_activity` joined with the granted `pg_locks` on relations of
//! the scope's schemas) or, before a plan runs, the plan's tables.

use crate::driver::{Scope, StatementCounter, db_error};
use dbconform_core::{Error, Options, QualifiedName, Result};
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
    let found = sessions(conn, counter, &scope.schemas, None, older_than, false).await?;
    Ok(found
        .into_iter()
        .map(|(who, query, _)| format!("{who}: {query}"))
        .collect())
}

/// The sessions, other than this one, holding a lock on one of `tables` in a transaction
/// older than `older_than`, with the tables each holds: `pid 4242 (app `report`, idle in
/// transaction for 62 s) holds public.orders`, oldest first. With `concurrent`, also the
/// sessions of this database with a transaction that old holding none of them: a
/// concurrent index build waits for every transaction older than itself.
pub(super) async fn holders_of(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    tables: &[QualifiedName],
    older_than: Duration,
    concurrent: bool,
) -> Result<Vec<String>> {
    let schema = |t: &QualifiedName| t.schema.clone().unwrap_or_default();
    let mut schemas: Vec<String> = tables.iter().map(schema).collect();
    schemas.sort();
    schemas.dedup();
    let named = (
        tables.iter().map(schema).collect::<Vec<_>>(),
        tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
    );
    let found = sessions(conn, counter, &schemas, Some(named), older_than, concurrent).await?;
    Ok(found
        .into_iter()
        .map(|(who, _, held)| match held {
            Some(held) => format!("{who} holds {held}"),
            None => format!(
                "{who} has a transaction open in this database, which a concurrent index build waits for"
            ),
        })
        .collect())
}

/// Who holds granted locks on relations of `schemas` (only `tables`, as parallel lists of
/// schemas and names, when given) in a transaction older than `older_than`, oldest first:
/// `pid 4242 (app `report`, idle in transaction for 62 s)`, its current or last statement
/// cut to 120 characters, and the relations it holds (`public.orders, public.lines`);
/// with `any_snapshot`, also the sessions of this database whose transaction that old holds
/// a snapshot or a transaction id but none of those relations (`None`).
async fn sessions(
    conn: &mut PgConnection,
    counter: &StatementCounter,
    schemas: &[String],
    tables: Option<(Vec<String>, Vec<String>)>,
    older_than: Duration,
    any_snapshot: bool,
) -> Result<Vec<(String, String, Option<String>)>> {
    counter.add(1);
    let (table_schemas, table_names) = tables.unzip();
    sqlx::query_as(
        r"SELECT format('pid %s (%s%s for %s s)', a.pid,
                CASE WHEN a.application_name <> '' THEN format('app `%s`, ', a.application_name) ELSE '' END,
                coalesce(a.state, 'unknown state'),
                floor(extract(epoch FROM now() - a.xact_start))::bigint),
              left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 120),
              held.relations
         FROM pg_catalog.pg_stat_activity a
         CROSS JOIN LATERAL (
           SELECT string_agg(DISTINCT format('%s.%s', n.nspname, c.relname), ', ') AS relations
           FROM pg_catalog.pg_locks l
           JOIN pg_catalog.pg_class c ON c.oid = l.relation
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE l.pid = a.pid AND l.granted AND n.nspname = ANY($1)
             AND ($3::text[] IS NULL OR (n.nspname::text, c.relname::text) IN (
               SELECT * FROM unnest($3::text[], $4::text[])))) held
         WHERE a.pid <> pg_backend_pid()
           AND a.xact_start < now() - make_interval(secs => $2)
           AND (held.relations IS NOT NULL
             OR ($5 AND a.datname = current_database()
                 AND (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL)))
         ORDER BY a.xact_start",
    )
    .bind(schemas)
    .bind(older_than.as_secs_f64())
    .bind(table_schemas)
    .bind(table_names)
    .bind(any_snapshot)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the sessions that hold the tables"))
}
