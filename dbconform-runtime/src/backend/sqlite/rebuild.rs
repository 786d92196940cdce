//! The SQLite table-rebuild procedure (DESIGN.md §7): the statements of
//! [`table_rebuild`](dbconform_core::dialect::sqlite::rebuild::table_rebuild) run on one
//! pooled connection with foreign keys off, in one `BEGIN IMMEDIATE` transaction, checked
//! with `PRAGMA foreign_key_check` before the commit.
//!
//! - `PRAGMA foreign_keys=OFF` is set *outside* the transaction (inside it is a no-op, and
//!   a `DROP TABLE` with foreign keys on fires `ON DELETE CASCADE`).
//! - Views and triggers that mention a rebuilt table are dropped before its statements
//!   and recreated from their stored SQL afterwards, in their original order (the rename
//!   would otherwise fail on a view naming the dropped table, and DROP TABLE drops the
//!   table's triggers).
//! - Any `foreign_key_check` row rolls everything back; the error names the table whose
//!   rows violate a key.
//! - The `foreign_keys` setting is restored on every path before the connection goes back
//!   to the pool; when it cannot be (or the future is dropped or panics half-way), the
//!   connection is detached from the pool and closed instead.
//!
//! Not wired into `apply` yet: the executor still refuses plans with rebuild steps.
#![allow(dead_code)]

use crate::driver::{StatementCounter, db_error};
use dbconform_core::{Error, Result};
use sqlx::pool::PoolConnection;
use sqlx::{Row, Sqlite, SqliteConnection};

/// One table to rebuild: its name and the statements rebuilding it.
#[derive(Debug, Clone)]
pub(crate) struct TableRebuild {
    /// The table's name.
    pub table: String,
    /// The rebuild statements, in order.
    pub statements: Vec<String>,
}

/// Returns the connection to the pool only when disarmed; otherwise (a panic, a dropped
/// future, a setting that could not be restored) detaches and closes it.
struct Guard {
    conn: Option<PoolConnection<Sqlite>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the connection rolls back any open transaction; the pool never sees
            // it again, so nobody inherits `foreign_keys=OFF`.
            drop(conn.detach());
        }
    }
}

impl Guard {
    fn conn(&mut self) -> &mut SqliteConnection {
        match self.conn.as_mut() {
            Some(conn) => conn,
            None => unreachable!("the guard holds its connection until disarmed"),
        }
    }
}

/// Runs `rebuilds` (in order, in one transaction) on `conn`; see the module docs.
pub(crate) async fn run(
    conn: PoolConnection<Sqlite>,
    rebuilds: &[TableRebuild],
    counter: &StatementCounter,
) -> Result<()> {
    let mut guard = Guard { conn: Some(conn) };
    let was_on = foreign_keys(guard.conn(), counter).await?;
    exec(guard.conn(), "PRAGMA foreign_keys=OFF", counter).await?;
    let result = transaction(guard.conn(), rebuilds, counter).await;
    let wanted = u8::from(was_on);
    let restored = match exec(
        guard.conn(),
        &format!("PRAGMA foreign_keys={wanted}"),
        counter,
    )
    .await
    {
        Ok(()) => foreign_keys(guard.conn(), counter).await.ok() == Some(was_on),
        Err(_) => false,
    };
    if restored {
        // Disarmed: the connection goes back to the pool as it came.
        drop(guard.conn.take());
    }
    // Otherwise the guard closes the connection when it goes out of scope.
    result
}

/// `BEGIN IMMEDIATE`, every rebuild, the foreign-key check, `COMMIT`; `ROLLBACK` on any
/// failure.
async fn transaction(
    conn: &mut SqliteConnection,
    rebuilds: &[TableRebuild],
    counter: &StatementCounter,
) -> Result<()> {
    exec(conn, "BEGIN IMMEDIATE", counter).await?;
    let body = async {
        for rebuild in rebuilds {
            rebuild_one(conn, rebuild, counter).await?;
        }
        foreign_key_check(conn, rebuilds, counter).await?;
        exec(conn, "COMMIT", counter).await
    };
    let result = body.await;
    if result.is_err() {
        // Best effort: if ROLLBACK fails the transaction may already be gone (a failed
        // COMMIT); either way nothing was committed.
        let _ = exec(conn, "ROLLBACK", counter).await;
    }
    result
}

/// One table: drop the views and triggers mentioning it, run its statements, recreate
/// them.
async fn rebuild_one(
    conn: &mut SqliteConnection,
    rebuild: &TableRebuild,
    counter: &StatementCounter,
) -> Result<()> {
    counter.add(1);
    let dependents = sqlx::query(
        "SELECT type, name, sql FROM sqlite_schema \
         WHERE type IN ('view', 'trigger') AND sql IS NOT NULL \
         AND (lower(tbl_name) = lower(?1) OR instr(lower(sql), lower(?1)) > 0) \
         ORDER BY rowid",
    )
    .bind(&rebuild.table)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error(
        "reading the views and triggers of a rebuilt table",
    ))?;
    let dependents: Vec<(String, String, String)> = dependents
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    for (kind, name, _) in dependents.iter().rev() {
        let keyword = if kind == "view" { "VIEW" } else { "TRIGGER" };
        let sql = format!(
            "DROP {keyword} IF EXISTS {}",
            dbconform_core::dialect::quote_ident_double(name)
        );
        exec(conn, &sql, counter).await?;
    }
    for statement in &rebuild.statements {
        exec(conn, statement, counter).await?;
    }
    for (_, _, sql) in &dependents {
        exec(conn, sql, counter).await?;
    }
    Ok(())
}

/// `PRAGMA foreign_key_check`: an error naming the first table with violating rows.
async fn foreign_key_check(
    conn: &mut SqliteConnection,
    rebuilds: &[TableRebuild],
    counter: &StatementCounter,
) -> Result<()> {
    counter.add(1);
    let rows = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("PRAGMA foreign_key_check"))?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let table: String = first.get(0);
    let parent: String = first.get(2);
    let count = rows
        .iter()
        .filter(|r| r.get::<String, _>(0) == table)
        .count();
    let rebuilt: Vec<&str> = rebuilds.iter().map(|r| r.table.as_str()).collect();
    Err(Error::Database {
        operation: format!(
            "the foreign-key check after rebuilding {}",
            rebuilt.join(", ")
        ),
        source: format!(
            "{count} row(s) of table `{table}` reference rows of `{parent}` that do not exist; nothing was changed"
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
            source: Box::new(source),
        })
}

#[cfg(test)]
mod tests {
    use super::{TableRebuild, run};
    use crate::driver::StatementCounter;
    use dbconform_core::dialect::SQLITE;
    use dbconform_core::dialect::sqlite::rebuild::{Rebuild, table_rebuild};
    use dbconform_core::{Check, Column, ColumnType, Options, PrimaryKey, TableDef};
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
    use std::str::FromStr;

    async fn pool() -> SqlitePool {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .unwrap()
            .foreign_keys(true);
        SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .unwrap()
    }

    async fn exec(pool: &SqlitePool, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(pool)
            .await
            .unwrap();
    }

    async fn text(pool: &SqlitePool, sql: &str) -> String {
        sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap()
    }

    async fn int(pool: &SqlitePool, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap()
    }

    const SETUP: &str = r#"
        CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, qty INTEGER, note TEXT, legacy TEXT);
        CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, v TEXT);
        CREATE TABLE log (what TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
          INSERT INTO parent (id, qty, note, legacy) SELECT i, i % 97, 'n' || i, 'old' || i FROM n;
        INSERT INTO child (id, parent_id, v) SELECT id, id, 'c' || id FROM parent;
        INSERT INTO parent (qty) VALUES (1);
        DELETE FROM parent WHERE id = 100001;
        CREATE VIEW big_parents AS SELECT id, qty FROM parent WHERE qty > 90;
        CREATE TRIGGER parent_log AFTER INSERT ON parent BEGIN INSERT INTO log VALUES ('p' || new.id); END;
    "#;

    const CHECKSUM: &str = "SELECT (SELECT count(*) || ':' || total(id) || ':' || total(qty) || ':' || group_concat(note || legacy, ',') FROM parent) || '/' || (SELECT count(*) || ':' || total(parent_id) || ':' || group_concat(v, ',') FROM child)";

    fn declared(unique_note: bool) -> TableDef {
        TableDef {
            schema: Some("main".into()),
            name: "parent".into(),
            columns: vec![
                Column {
                    auto_increment: true,
                    ..Column::new("id", ColumnType::BigInt)
                },
                Column::new("qty", ColumnType::Integer),
                Column {
                    nullable: true,
                    ..Column::new("note", ColumnType::Text)
                },
            ],
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            }),
            checks: vec![Check {
                name: "ck_parent_qty".into(),
                expr: "qty >= 0".into(),
            }],
            uniques: if unique_note {
                vec![dbconform_core::UniqueConstraint {
                    name: "uq_parent_qty".into(),
                    columns: vec!["qty".into()],
                }]
            } else {
                Vec::new()
            },
            ..TableDef::default()
        }
    }

    fn reflected() -> TableDef {
        let mut t = declared(false);
        t.checks.clear();
        t.columns[1].nullable = true;
        t.columns.push(Column {
            nullable: true,
            ..Column::new("legacy", ColumnType::Text)
        });
        t
    }

    fn statements(desired: &TableDef) -> Vec<TableRebuild> {
        let Rebuild::Statements(statements) =
            table_rebuild(&SQLITE, desired, &reflected(), &Options::default(), &[]).unwrap()
        else {
            panic!("refused")
        };
        vec![TableRebuild {
            table: "parent".into(),
            statements,
        }]
    }

    #[tokio::test]
    async fn a_cascading_parent_is_rebuilt_without_losing_a_row() {
        let pool = pool().await;
        exec(&pool, SETUP).await;
        let before = text(&pool, CHECKSUM).await;
        let counter = StatementCounter::default();
        let conn = pool.acquire().await.unwrap();
        run(conn, &statements(&declared(false)), &counter)
            .await
            .unwrap();
        assert_eq!(text(&pool, CHECKSUM).await, before);
        assert_eq!(
            int(&pool, "SELECT count(*) FROM pragma_foreign_key_check").await,
            0
        );
        assert_eq!(int(&pool, "PRAGMA foreign_keys").await, 1);
        // The new definition is in place, the database-only column kept with its data.
        let sql = text(&pool, "SELECT sql FROM sqlite_schema WHERE name = 'parent'").await;
        assert!(
            sql.contains("\"qty\" INTEGER NOT NULL") && sql.contains("qty >= 0"),
            "{sql}"
        );
        assert!(sql.contains("\"legacy\" TEXT"), "{sql}");
        // The view and the trigger exist and work; the counter was kept (100001 was issued).
        assert_eq!(int(&pool, "SELECT count(*) FROM big_parents").await, 6180);
        exec(&pool, "INSERT INTO parent (qty) VALUES (5)").await;
        assert_eq!(int(&pool, "SELECT max(id) FROM parent").await, 100002);
        assert_eq!(text(&pool, "SELECT what FROM log").await, "p100002");
        // Foreign keys are enforced again: a delete cascades.
        exec(&pool, "DELETE FROM parent WHERE id = 1").await;
        assert_eq!(int(&pool, "SELECT count(*) FROM child").await, 99999);
    }

    #[tokio::test]
    async fn a_failing_rebuild_changes_nothing_and_restores_foreign_keys() {
        let pool = pool().await;
        exec(&pool, SETUP).await;
        let schema = "SELECT group_concat(type || name || tbl_name || coalesce(sql, ''), ';') FROM (SELECT * FROM sqlite_schema ORDER BY rowid)";
        let before = (
            text(&pool, schema).await,
            text(&pool, CHECKSUM).await,
            int(
                &pool,
                "SELECT seq FROM sqlite_sequence WHERE name = 'parent'",
            )
            .await,
        );
        let counter = StatementCounter::default();
        let conn = pool.acquire().await.unwrap();
        let error = run(conn, &statements(&declared(true)), &counter)
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("UNIQUE constraint failed"), "{error}");
        let after = (
            text(&pool, schema).await,
            text(&pool, CHECKSUM).await,
            int(
                &pool,
                "SELECT seq FROM sqlite_sequence WHERE name = 'parent'",
            )
            .await,
        );
        assert_eq!(after, before);
        assert_eq!(int(&pool, "PRAGMA foreign_keys").await, 1);
        assert_eq!(pool.size(), 1);
    }

    #[tokio::test]
    async fn a_foreign_key_violation_rolls_back_naming_the_table() {
        let pool = pool().await;
        exec(&pool, SETUP).await;
        exec(
            &pool,
            "PRAGMA foreign_keys=OFF; INSERT INTO child (id, parent_id, v) VALUES (0, 424242, 'orphan'); PRAGMA foreign_keys=ON",
        )
        .await;
        let before = text(&pool, CHECKSUM).await;
        let counter = StatementCounter::default();
        let conn = pool.acquire().await.unwrap();
        let error = run(conn, &statements(&declared(false)), &counter)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("1 row(s) of table `child` reference rows of `parent`"),
            "{error}"
        );
        assert_eq!(text(&pool, CHECKSUM).await, before);
        let sql = text(&pool, "SELECT sql FROM sqlite_schema WHERE name = 'parent'").await;
        assert!(!sql.contains("qty >= 0"), "{sql}");
        assert_eq!(int(&pool, "PRAGMA foreign_keys").await, 1);
    }
}
