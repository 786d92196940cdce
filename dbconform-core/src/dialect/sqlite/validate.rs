//! SQLite's own rules, on top of the shared ones.

use super::{MAIN_SCHEMA, Sqlite};
use crate::dialect::Dialect;
use crate::dialect::validate::{common, invalid};
use crate::error::Result;
use crate::model::TableDef;

/// The shared rules, then: the table (and every table it references) is in `main`, and
/// auto-increment is only on a single-column integer primary key.
pub(super) fn table(dialect: &Sqlite, table: &TableDef) -> Result<()> {
    common(dialect, table)?;
    if let Some(schema) = &table.schema
        && !schema.eq_ignore_ascii_case(MAIN_SCHEMA)
    {
        return Err(invalid(
            table,
            format!(
                "schema `{schema}` is not supported on SQLite, where every table lives in `main`; remove the schema from the table"
            ),
        ));
    }
    for fk in &table.foreign_keys {
        if let Some(schema) = &fk.references.schema
            && !schema.eq_ignore_ascii_case(MAIN_SCHEMA)
        {
            return Err(invalid(
                table,
                format!(
                    "foreign key `{}` references `{}` in schema `{schema}`; SQLite foreign keys can only reference tables in `main`: remove the schema from the reference",
                    fk.name, fk.references
                ),
            ));
        }
    }
    for column in table.columns.iter().filter(|c| c.auto_increment) {
        let pk_columns = table
            .primary_key
            .as_ref()
            .map(|pk| pk.columns.as_slice())
            .unwrap_or(&[]);
        let is_whole_key =
            pk_columns.len() == 1 && dialect.same_identifier(&pk_columns[0], &column.name);
        if !is_whole_key {
            return Err(invalid(
                table,
                format!(
                    "column `{name}` is auto-increment, but SQLite only allows AUTOINCREMENT on a table's single INTEGER PRIMARY KEY column; set `auto_increment = false` or make `{name}` the only primary-key column",
                    name = column.name
                ),
            ));
        }
    }
    Ok(())
}
