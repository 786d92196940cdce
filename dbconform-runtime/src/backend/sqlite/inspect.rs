//! SQLite reflection. A constant number of queries, whatever the number of tables.

use crate::driver::{Scope, StatementCounter, reflect_error};
use dbconform_core::{Result, Schema, TableDef};
use sqlx::{Row, SqliteConnection};

/// The only schema SQLite tables live in for dbconform.
const MAIN: &str = "main";

/// Reads the tables of the `main` database.
pub(crate) async fn reflect(
    conn: &mut SqliteConnection,
    _scope: &Scope,
    counter: &StatementCounter,
) -> Result<Schema> {
    counter.add(1);
    let rows = sqlx::query(TABLES)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error("listing tables"))?;
    let tables = rows
        .iter()
        .map(|row| {
            let name: String = row
                .try_get("name")
                .map_err(reflect_error("reading table names"))?;
            Ok(TableDef {
                schema: Some(MAIN.to_string()),
                name,
                ..TableDef::default()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut schema = Schema::new(tables);
    schema.schemas = vec![MAIN.to_string()];
    Ok(schema)
}

/// User tables; SQLite's own (`sqlite_sequence`, `sqlite_stat1`, ...) are never ours.
const TABLES: &str = "SELECT name FROM sqlite_schema \
     WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

/// SQLite stores declared expressions exactly as written, so the declaration is already
/// in the database's own spelling.
pub(crate) async fn canonicalize(
    _conn: &mut SqliteConnection,
    tables: &[TableDef],
    _counter: &StatementCounter,
) -> Result<Vec<TableDef>> {
    Ok(tables.to_vec())
}
