//! PostgreSQL reflection from `pg_catalog`, scoped to the schemas in play. A constant
//! number of queries, whatever the number of tables.

use crate::driver::{Scope, StatementCounter, reflect_error};
use dbconform_core::{Result, Schema, TableDef};
use sqlx::{PgConnection, Row};

/// Reads the tables of `schemas` and which of `schemas` exist.
pub(crate) async fn reflect(
    conn: &mut PgConnection,
    scope: &Scope,
    counter: &StatementCounter,
) -> Result<Schema> {
    let schemas = &scope.schemas;
    counter.add(2);
    let existing = sqlx::query(SCHEMAS)
        .bind(schemas)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error("listing schemas"))?;
    let rows = sqlx::query(TABLES)
        .bind(schemas)
        .fetch_all(&mut *conn)
        .await
        .map_err(reflect_error("listing tables"))?;
    let tables = rows
        .iter()
        .map(|row| {
            Ok(TableDef {
                schema: Some(
                    row.try_get("nspname")
                        .map_err(reflect_error("reading tables"))?,
                ),
                name: row
                    .try_get("relname")
                    .map_err(reflect_error("reading tables"))?,
                ..TableDef::default()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut schema = Schema::new(tables);
    schema.schemas = existing
        .iter()
        .map(|row| {
            row.try_get("nspname")
                .map_err(reflect_error("reading schemas"))
        })
        .collect::<Result<Vec<String>>>()?;
    schema.normalized_order();
    Ok(schema)
}

const SCHEMAS: &str = "SELECT nspname::text AS nspname FROM pg_catalog.pg_namespace \
     WHERE nspname = ANY($1) ORDER BY 1";

/// Ordinary and partitioned tables (not views, sequences, foreign tables or partitions
/// of a partitioned table, which belong to their parent).
const TABLES: &str = "SELECT n.nspname::text AS nspname, c.relname::text AS relname \
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1) \
     ORDER BY 1, 2";

/// Not yet implemented: returns the declaration unchanged.
pub(crate) async fn canonicalize(
    _conn: &mut PgConnection,
    tables: &[TableDef],
    _counter: &StatementCounter,
) -> Result<Vec<TableDef>> {
    Ok(tables.to_vec())
}
