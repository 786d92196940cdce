//! Executing SQLite table rebuilds (docs/DATABASE_TRAPS.md S7–S9). The statements come
//! from the plan (`rebuild table` steps, see
//! [`dbconform_core::dialect::sqlite::rebuild`]); this module supplies what only the live
//! connection can:
//!
//! - [`foreign_keys_off`] / [`restore_foreign_keys`]: `PRAGMA foreign_keys=OFF` set
//!   *outside* the transaction (inside one it is a no-op, and a `DROP TABLE` with foreign
//!   keys on fires `ON DELETE CASCADE` into the referencing tables), and the setting
//!   restored; the engine runs them around the apply and closes a connection it cannot
//!   restore ([`crate::engine`]).
//! - [`dependents`]: the views and triggers, read when a plan may affect them; the plan
//!   drops those that mention a rebuilt table before its statements and recreates them
//!   after (the rename would otherwise fail on a view naming the dropped table, and DROP
//!   TABLE drops the table's triggers), and the runtime checks each after the apply.
//! - [`check_foreign_keys`]: `PRAGMA foreign_key_check` before the commit; a row of a
//!   rebuilt table, or of a table referencing one, that references a missing row fails
//!   the apply, naming the table.

use crate::driver::{StatementCounter, db_error};
use dbconform_core::dialect::sqlite::dependents as sqlite_dependents;
pub(super) use dbconform_core::dialect::sqlite::rebuild::{has_rebuilds, is_rebuild};
use dbconform_core::{DependentKind, DependentObject, Error, Plan, Result, Schema};
use sqlx::{Row, SqliteConnection};

/// The names of the tables the plan rebuilds.
fn rebuilt_tables(plan: &Plan) -> Vec<String> {
    plan.steps()
        .iter()
        .filter(|s| is_rebuild(s))
        .filter_map(|s| s.table.as_ref().map(|t| t.name.clone()))
        .collect()
}

/// Turns foreign keys off on `conn`, which must not be in a transaction; returns whether
/// they were on.
pub(super) async fn foreign_keys_off(
    conn: &mut SqliteConnection,
    counter: &StatementCounter,
) -> Result<bool> {
    let was_on = foreign_keys(conn, counter).await?;
    if was_on {
        exec(conn, "PRAGMA foreign_keys=OFF", counter).await?;
        if foreign_keys(conn, counter).await? {
            return Err(Error::Internal {
                message: "SQLite did not turn foreign keys off (is a transaction open on the connection?); a table rebuild with foreign keys on would fire ON DELETE CASCADE, so nothing was changed".into(),
            });
        }
    }
    Ok(was_on)
}

/// Restores the setting [`foreign_keys_off`] changed; `false` when it could not be.
pub(super) async fn restore_foreign_keys(
    conn: &mut SqliteConnection,
    was_on: bool,
    counter: &StatementCounter,
) -> bool {
    let wanted = u8::from(was_on);
    match exec(conn, &format!("PRAGMA foreign_keys={wanted}"), counter).await {
        Ok(()) => foreign_keys(conn, counter).await.ok() == Some(was_on),
        Err(_) => false,
    }
}

/// Fails when the plan holds a table rebuild and foreign keys are on: the rebuild's `DROP
/// TABLE` would cascade.
pub(super) async fn ensure_foreign_keys_off(
    conn: &mut SqliteConnection,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<()> {
    if has_rebuilds(plan) && foreign_keys(conn, counter).await? {
        return Err(Error::Internal {
            message: "a SQLite table rebuild must run with foreign keys off (its DROP TABLE would fire ON DELETE CASCADE); this is a bug in dbconform, please report it. Nothing was changed.".into(),
        });
    }
    Ok(())
}

/// Every view and trigger of the database, with what each uses among `actual`'s tables
/// and the other views (one query, whatever their number). A rebuild drops and recreates
/// those that mention its table; after an apply each must still work.
pub(super) async fn dependents(
    conn: &mut SqliteConnection,
    actual: &Schema,
    counter: &StatementCounter,
) -> Result<Vec<DependentObject>> {
    counter.add(1);
    // The columns of the table or view a trigger is on, for the statement that checks it
    // (separated by the unit separator, which no sane name holds; a name holding it only
    // makes the check pick another column).
    let rows = sqlx::query(
        "SELECT s.type, s.name, s.tbl_name, s.sql, \
         CASE WHEN s.type = 'trigger' THEN \
           (SELECT group_concat(c.name, char(31)) FROM pragma_table_info(s.tbl_name) AS c) END \
         FROM sqlite_schema AS s \
         WHERE s.type IN ('view', 'trigger') AND s.sql IS NOT NULL ORDER BY s.rowid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading the views and triggers"))?;
    let views: Vec<String> = rows
        .iter()
        .filter(|r| r.get::<String, _>(0) == "view")
        .map(|r| r.get(1))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let kind = if row.get::<String, _>(0) == "view" {
                DependentKind::View
            } else {
                DependentKind::Trigger
            };
            let columns: Vec<String> = row
                .get::<Option<String>, _>(4)
                .map(|c| c.split('\u{1f}').map(str::to_string).collect())
                .unwrap_or_default();
            sqlite_dependents::object(
                kind,
                &row.get::<String, _>(1),
                &row.get::<String, _>(2),
                &row.get::<String, _>(3),
                &actual.tables,
                &views,
                &columns,
            )
        })
        .collect())
}

/// `PRAGMA foreign_key_check` after the plan's rebuilds: an error naming the first table
/// whose rows reference missing rows, when that table or the one it references was
/// rebuilt.
pub(super) async fn check_foreign_keys(
    conn: &mut SqliteConnection,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<()> {
    let rebuilt = rebuilt_tables(plan);
    if rebuilt.is_empty() {
        return Ok(());
    }
    counter.add(1);
    let rows = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("PRAGMA foreign_key_check"))?;
    let involved = |name: &str| rebuilt.iter().any(|t| t.eq_ignore_ascii_case(name));
    let violations: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(2)))
        .filter(|(table, parent)| involved(table) || involved(parent))
        .collect();
    let Some((table, parent)) = violations.first() else {
        return Ok(());
    };
    let count = violations
        .iter()
        .filter(|(t, p)| t == table && p == parent)
        .count();
    Err(Error::Database {
        operation: format!(
            "the foreign-key check after rebuilding {}",
            rebuilt.join(", ")
        ),
        source: format!(
            "{count} row(s) of table `{table}` reference rows of `{parent}` that do not exist (PRAGMA foreign_key_check lists them); delete or fix those rows, then apply again. Nothing was changed"
        )
        .into(),
    })
}

async fn foreign_keys(conn: &mut SqliteConnection, counter: &StatementCounter) -> Result<bool> {
    counter.add(1);
    let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("PRAGMA foreign_keys"))?;
    Ok(on != 0)
}

async fn exec(conn: &mut SqliteConnection, sql: &str, counter: &StatementCounter) -> Result<()> {
    counter.add(1);
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|source| Error::Database {
            operation: format!("`{sql}`"),
            source: crate::DriverError::boxed(source),
        })
}
