//! The policy: what dbconform may do to a database.

use serde::{Deserialize, Serialize};

/// What dbconform may do. The defaults never lose data.
///
/// ```
/// use dbconform_core::Options;
/// let options = Options { allow_drop_extra_columns: true, ..Options::default() };
/// assert_eq!(options.target_schema, "public");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Drop tables that exist in the database but are not declared. Default `false`.
    pub allow_drop_extra_tables: bool,
    /// Drop columns that exist in the database but are not declared. Default `false`.
    pub allow_drop_extra_columns: bool,
    /// Allow changes that can lose data by narrowing a column. Default `false`.
    pub allow_shrink_column: bool,
    /// Drop constraints and indexes that are not declared. Default `true`.
    pub allow_drop_extra_constraints: bool,
    /// Rebuild SQLite tables when `ALTER TABLE` cannot express a change. Default `true`.
    pub allow_sqlite_table_rebuild: bool,
    /// The PostgreSQL schema tables without an explicit `schema` live in. Default `public`.
    pub target_schema: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_drop_extra_tables: false,
            allow_drop_extra_columns: false,
            allow_shrink_column: false,
            allow_drop_extra_constraints: true,
            allow_sqlite_table_rebuild: true,
            target_schema: "public".to_string(),
        }
    }
}
