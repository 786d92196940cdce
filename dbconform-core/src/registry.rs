//! The `inventory` registry that `#[derive(Table)]` submits every table to.

use crate::error::{Error, Result};
use crate::model::TableDef;

/// One registered table, submitted by `#[derive(Table)]`.
#[doc(hidden)]
pub struct Registration {
    /// The Rust type's path as written in its crate (`my_app::models::User`).
    pub rust_type: &'static str,
    /// Builds the table definition.
    pub table_def: fn() -> TableDef,
}

inventory::collect!(Registration);

/// Every registered table with the Rust type that declared it, sorted by (schema, name).
///
/// Two types claiming the same table is an error naming both.
pub fn registered_tables_with_types() -> Result<Vec<(&'static str, TableDef)>> {
    let mut tables: Vec<(&'static str, TableDef)> = inventory::iter::<Registration>
        .into_iter()
        .map(|r| (r.rust_type, (r.table_def)()))
        .collect();
    // Sort by name, then Rust type, so the duplicate error names the pair deterministically.
    tables.sort_by(|a, b| (a.1.qualified_name(), a.0).cmp(&(b.1.qualified_name(), b.0)));
    for pair in tables.windows(2) {
        if pair[0].1.qualified_name() == pair[1].1.qualified_name() {
            return Err(Error::DuplicateTable {
                table: pair[0].1.qualified_name(),
                first: pair[0].0.to_string(),
                second: pair[1].0.to_string(),
            });
        }
    }
    for (_, table) in &mut tables {
        table.normalized_order();
    }
    Ok(tables)
}

/// Every registered table, sorted by (schema, name).
///
/// Tables come from every `#[derive(Table)]` in the crates the final binary links. When
/// models live in another crate, reference it from the binary (`use my_models as _;`) so
/// the linker keeps it.
pub fn registered_tables() -> Result<Vec<TableDef>> {
    Ok(registered_tables_with_types()?
        .into_iter()
        .map(|(_, t)| t)
        .collect())
}
