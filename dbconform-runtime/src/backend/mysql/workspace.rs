//! Preflight on MySQL: the plan's statements tried in a scratch database (a workspace, as
//! Skeema calls it), since DDL on the database itself would commit.
//!
//! The workspace holds empty copies (`SHOW CREATE TABLE`, foreign keys included) of the
//! tables the plan changes and of the tables related to them by a foreign key, existing
//! or declared; every step's statements run there in order, a failing one recorded with
//! the server's message and the next step tried. The workspace is dropped on every path.
//! What the rows would make fail is the data checks' to say (they ran on the database
//! itself while planning): the copies are empty.

use crate::driver::{self, StatementCounter, db_error};
use crate::preflight::PreflightStep;
use dbconform_core::dialect::Dialect;
use dbconform_core::{Change, Error, Plan, Result};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::{Connection, Executor, Row};
use std::collections::BTreeSet;

/// Tries `plan`'s steps in a new scratch database next to the one `options` names, then
/// drops it; returns the outcomes and the scratch database's name.
pub(super) async fn try_steps(
    dialect: &dyn Dialect,
    options: &MySqlConnectOptions,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<(Vec<PreflightStep>, String)> {
    let name = workspace_name();
    let quoted = dialect.quote_ident(&name);
    let mut conn = MySqlConnection::connect_with(options)
        .await
        .map_err(db_error("connecting for the preflight workspace"))?;
    super::set_up_session(&mut conn)
        .await
        .map_err(db_error("setting up the preflight workspace's session"))?;
    counter.add(1);
    conn.execute(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )))
    .await
    .map_err(|e| Error::Database {
        operation: format!(
            "creating the scratch database `{name}` preflight tries the steps in (MySQL cannot roll DDL back; the user needs CREATE and DROP on it); nothing was run"
        ),
        source: crate::DriverError::boxed(e),
    })?;
    let tried = fill_and_try(dialect, &mut conn, &quoted, plan, counter).await;
    counter.add(1);
    let dropped = conn
        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE {quoted}")))
        .await;
    let _ = conn.close().await;
    let steps = tried?;
    dropped.map_err(|e| Error::Database {
        operation: format!(
            "dropping the preflight's scratch database `{name}` (drop it by hand); the database itself was not changed"
        ),
        source: crate::DriverError::boxed(e),
    })?;
    Ok((steps, name))
}

/// A name no other preflight uses at the same time, well under 64 characters.
fn workspace_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("dbconform_preflight_{}_{nanos:x}", std::process::id())
}

/// Copies the tables the plan touches into the workspace (`conn` still in the database
/// itself), switches to it, and tries the steps.
async fn fill_and_try(
    dialect: &dyn Dialect,
    conn: &mut MySqlConnection,
    workspace: &str,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<Vec<PreflightStep>> {
    let existing = existing_tables(conn, counter).await?;
    let mut creates = Vec::new();
    for table in tables_to_copy(plan, &existing.edges) {
        if !existing.tables.contains(&table) {
            continue;
        }
        counter.add(1);
        let row = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SHOW CREATE TABLE {}",
            dialect.quote_ident(&table)
        )))
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error(
            "reading a table's definition for the preflight workspace",
        ))?;
        creates.push(row.try_get::<String, _>(1).map_err(db_error(
            "reading a table's definition for the preflight workspace",
        ))?);
    }
    counter.add(1);
    conn.execute(sqlx::AssertSqlSafe(format!(
        "USE {workspace}; SET foreign_key_checks = 0"
    )))
    .await
    .map_err(db_error("entering the preflight workspace"))?;
    for create in creates {
        counter.add(1);
        conn.execute(sqlx::AssertSqlSafe(create))
            .await
            .map_err(db_error("copying a table into the preflight workspace"))?;
    }
    counter.add(1);
    conn.execute("SET foreign_key_checks = 1")
        .await
        .map_err(db_error("entering the preflight workspace"))?;
    // A step's savepoint is harmless here: the DDL commits in the workspace, which is
    // dropped afterwards.
    driver::try_steps::<sqlx::MySql>(conn, plan, counter).await
}

/// The database's base tables and its foreign keys (referencing, referenced).
struct Existing {
    tables: BTreeSet<String>,
    edges: Vec<(String, String)>,
}

async fn existing_tables(
    conn: &mut MySqlConnection,
    counter: &StatementCounter,
) -> Result<Existing> {
    let read = || db_error("reading the tables to copy into the preflight workspace");
    counter.add(1);
    let tables = sqlx::raw_sql(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(read())?
    .iter()
    .map(|row| row.try_get::<String, _>(0))
    .collect::<std::result::Result<_, _>>()
    .map_err(read())?;
    counter.add(1);
    let edges = sqlx::raw_sql(
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(REFERENCED_TABLE_NAME AS CHAR) \
         FROM information_schema.REFERENTIAL_CONSTRAINTS \
         WHERE CONSTRAINT_SCHEMA = DATABASE() AND UNIQUE_CONSTRAINT_SCHEMA = DATABASE()",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(read())?
    .iter()
    .map(|row| Ok((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?)))
    .collect::<std::result::Result<_, sqlx::Error>>()
    .map_err(read())?;
    Ok(Existing { tables, edges })
}

/// The tables the plan's steps change (a renamed table under its old name), the tables
/// its declared foreign keys reference, and every table related to one of those by an
/// existing foreign key in either direction (a change to a key column is checked against
/// the keys that use it).
fn tables_to_copy(plan: &Plan, edges: &[(String, String)]) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for step in plan.steps() {
        if let Some(table) = &step.table {
            named.insert(table.name.clone());
        }
        match &step.change {
            Change::RenameTable { from, .. } => {
                named.insert(from.name.clone());
            }
            Change::CreateTable { table } => {
                named.extend(
                    table
                        .foreign_keys
                        .iter()
                        .map(|fk| fk.references.name.clone()),
                );
            }
            Change::AddForeignKey { foreign_key, .. }
            | Change::AlterForeignKey {
                to: foreign_key, ..
            } => {
                named.insert(foreign_key.references.name.clone());
            }
            _ => {}
        }
    }
    let mut copy = named.clone();
    for (referencing, referenced) in edges {
        if named.contains(referencing) {
            copy.insert(referenced.clone());
        }
        if named.contains(referenced) {
            copy.insert(referencing.clone());
        }
    }
    copy
}
