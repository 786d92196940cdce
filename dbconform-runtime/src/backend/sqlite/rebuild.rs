//! Executing SQLite table rebuilds (DESIGN.md §7, PITFALLS.md 16–24). The statements come
//! from the plan (`rebuild table` steps, see
//! [`dbconform_core::dialect::sqlite::rebuild`]); this module supplies what only the live
//! connection can:
//!
//! - [`ForeignKeysOff`]: `PRAGMA foreign_keys=OFF` set *outside* the transaction (inside
//!   one it is a no-op, and a `DROP TABLE` with foreign keys on fires `ON DELETE CASCADE`
//!   into the referencing tables), and the setting restored on every path before the
//!   connection goes back to the pool; when it cannot be (or the future is dropped or
//!   panics half-way), the connection is detached from the pool and closed instead.
//! - [`with_dependents`]: the views and triggers that mention a rebuilt table are dropped
//!   before its statements and recreated from their stored SQL after, in their original
//!   order (the rename would otherwise fail on a view naming the dropped table, and DROP
//!   TABLE drops the table's triggers).
//! - [`check_foreign_keys`]: `PRAGMA foreign_key_check` before the commit; a row of a
//!   rebuilt table, or of a table referencing one, that references a missing row fails
//!   the apply, naming the table.

use crate::driver::{StatementCounter, db_error};
use dbconform_core::dialect::quote_ident_double;
use dbconform_core::{ChangeKind, Error, Plan, Result, Step};
use sqlx::pool::PoolConnection;
use sqlx::{Row, Sqlite, SqliteConnection};
use std::borrow::Cow;

/// `true` when the plan holds a table rebuild to execute.
pub(super) fn has_rebuilds(plan: &Plan) -> bool {
    plan.steps().iter().any(is_rebuild)
}

fn is_rebuild(step: &Step) -> bool {
    step.kind == ChangeKind::RebuildTable && !step.sql.is_empty()
}

/// The names of the tables the plan rebuilds.
fn rebuilt_tables(plan: &Plan) -> Vec<String> {
    plan.steps()
        .iter()
        .filter(|s| is_rebuild(s))
        .filter_map(|s| s.table.as_ref().map(|t| t.name.clone()))
        .collect()
}

/// A pooled connection with `foreign_keys` off. Give it back with
/// [`restore`](ForeignKeysOff::restore); dropped otherwise, it closes the connection so
/// that nobody inherits the setting.
pub(super) struct ForeignKeysOff {
    conn: Option<PoolConnection<Sqlite>>,
    was_on: bool,
}

impl ForeignKeysOff {
    /// Turns foreign keys off on `conn`, which must not be in a transaction.
    pub(super) async fn new(
        conn: PoolConnection<Sqlite>,
        counter: &StatementCounter,
    ) -> Result<Self> {
        let mut guard = ForeignKeysOff {
            conn: Some(conn),
            was_on: false,
        };
        guard.was_on = foreign_keys(guard.conn(), counter).await?;
        if guard.was_on {
            exec(guard.conn(), "PRAGMA foreign_keys=OFF", counter).await?;
            if foreign_keys(guard.conn(), counter).await? {
                return Err(Error::NotExecutable(
                    "SQLite did not turn foreign keys off (is a transaction open on the connection?); a table rebuild with foreign keys on would fire ON DELETE CASCADE, so nothing was changed".into(),
                ));
            }
        }
        Ok(guard)
    }

    /// The connection.
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        match self.conn.as_mut() {
            Some(conn) => conn,
            None => unreachable!("the guard holds its connection until restored"),
        }
    }

    /// Restores the setting and returns the connection to the pool; if the setting cannot
    /// be restored, closes the connection instead.
    pub(super) async fn restore(mut self, counter: &StatementCounter) {
        let wanted = u8::from(self.was_on);
        let restored = match exec(
            self.conn(),
            &format!("PRAGMA foreign_keys={wanted}"),
            counter,
        )
        .await
        {
            Ok(()) => foreign_keys(self.conn(), counter).await.ok() == Some(self.was_on),
            Err(_) => false,
        };
        if restored {
            drop(self.conn.take());
        } else {
            tracing::warn!(
                "could not restore PRAGMA foreign_keys after a table rebuild; closing the connection"
            );
        }
        // Otherwise `Drop` detaches and closes the connection.
    }
}

impl Drop for ForeignKeysOff {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the connection rolls back any open transaction; the pool never sees
            // it again, so nobody inherits `foreign_keys=OFF`.
            drop(conn.detach());
        }
    }
}

/// `plan` with each rebuild step's statements wrapped in the drops and re-creations of
/// the views and triggers that mention its table (one query, whatever the number of
/// rebuilds). Fails when foreign keys are on: the rebuild's `DROP TABLE` would cascade.
pub(super) async fn with_dependents<'p>(
    conn: &mut SqliteConnection,
    plan: &'p Plan,
    counter: &StatementCounter,
) -> Result<Cow<'p, Plan>> {
    if !has_rebuilds(plan) {
        return Ok(Cow::Borrowed(plan));
    }
    if foreign_keys(conn, counter).await? {
        return Err(Error::NotExecutable(
            "a SQLite table rebuild must run with foreign keys off (its DROP TABLE would fire ON DELETE CASCADE); this is a bug in dbconform, please report it. Nothing was changed.".into(),
        ));
    }
    counter.add(1);
    let rows = sqlx::query(
        "SELECT type, name, lower(tbl_name), lower(sql) , sql FROM sqlite_schema \
         WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error(
        "reading the views and triggers of the rebuilt tables",
    ))?;
    let objects: Vec<Dependent> = rows
        .iter()
        .map(|row| Dependent {
            kind: row.get(0),
            name: row.get(1),
            table: row.get(2),
            lowered: row.get(3),
            sql: row.get(4),
        })
        .collect();
    let (name, steps, blocked, drift) = plan.clone().into_parts();
    let steps = steps
        .into_iter()
        .map(|mut step| {
            if let (true, Some(table)) = (is_rebuild(&step), step.table.as_ref()) {
                let table = table.name.to_ascii_lowercase();
                // A mention anywhere in the text is enough: recreating an object that did
                // not need it costs nothing, missing one fails the rename or loses a trigger.
                let dependents: Vec<&Dependent> = objects
                    .iter()
                    .filter(|o| o.table == table || o.lowered.contains(&table))
                    .collect();
                let mut sql: Vec<String> = dependents
                    .iter()
                    .rev()
                    .map(|o| {
                        let keyword = if o.kind == "view" { "VIEW" } else { "TRIGGER" };
                        format!("DROP {keyword} IF EXISTS {}", quote_ident_double(&o.name))
                    })
                    .collect();
                sql.append(&mut step.sql);
                sql.extend(dependents.iter().map(|o| o.sql.clone()));
                step.sql = sql;
            }
            step
        })
        .collect();
    Ok(Cow::Owned(Plan::new(name, steps, blocked, drift)))
}

/// A view or trigger as `sqlite_schema` stores it.
struct Dependent {
    kind: String,
    name: String,
    /// Lower-cased table the trigger is on (the view itself for a view).
    table: String,
    /// Lower-cased SQL, to find mentions.
    lowered: String,
    sql: String,
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
