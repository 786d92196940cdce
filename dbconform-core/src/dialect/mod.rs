//! SQL dialects: one folder per backend with the same files (`types`, `render`), wired
//! together by a unit type implementing [`Dialect`]. Adding a backend means adding a folder
//! and one line in [`dialect_for`]-style lookups in the runtime, not editing every match.

use crate::error::Result;
use crate::model::{ColumnType, QualifiedName, TableDef};

pub mod postgres;
pub mod sqlite;

pub use postgres::Postgres;
pub use sqlite::Sqlite;

/// Quotes an identifier for SQLite and PostgreSQL (and any dialect using `"` quoting):
/// wraps it in double quotes and doubles embedded double quotes.
///
/// Every identifier dbconform writes goes through this function (via [`Dialect::quote_ident`]).
///
/// ```
/// use dbconform_core::dialect::quote_ident_double;
/// assert_eq!(quote_ident_double("user"), "\"user\"");
/// assert_eq!(quote_ident_double("a\"b"), "\"a\"\"b\"");
/// ```
pub fn quote_ident_double(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len() + 2);
    out.push('"');
    for ch in ident.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// Quotes a string literal (`'it''s'`).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What differs between backends when rendering DDL. Plain data in, SQL text out; no I/O.
pub trait Dialect: Send + Sync + std::fmt::Debug {
    /// Short backend name: `sqlite`, `postgres`.
    fn name(&self) -> &'static str;

    /// Quotes one identifier. The only place identifiers become SQL.
    fn quote_ident(&self, ident: &str) -> String {
        quote_ident_double(ident)
    }

    /// Quotes a possibly schema-qualified table name.
    fn quote_table(&self, table: &QualifiedName) -> String {
        match &table.schema {
            Some(schema) => format!("{}.{}", self.quote_ident(schema), self.quote_ident(&table.name)),
            None => self.quote_ident(&table.name),
        }
    }

    /// The SQL spelling of a logical type on this backend (`BIGINT`, `VARCHAR(64)`, ...).
    fn column_type_sql(&self, ty: &ColumnType) -> String;

    /// The schema a table with `schema: None` lives in, given the target schema
    /// (`main` on SQLite; the target schema on PostgreSQL).
    fn effective_schema(&self, table_schema: Option<&str>, target_schema: &str) -> String;

    /// Checks that a declared table can be created on this backend; the error names the
    /// table and column and says what to change.
    fn validate_table(&self, table: &TableDef) -> Result<()>;

    /// Statements creating a schema, or `None` when the backend has no schemas to create.
    fn create_schema_sql(&self, schema: &str) -> Option<String>;

    /// Statements that create the table with its columns, keys, constraints, indexes and
    /// comments. `table.schema` is already resolved (see [`Dialect::effective_schema`]).
    /// `deferred_fks` names foreign keys to leave out of CREATE TABLE because they close a
    /// cycle; [`Dialect::add_foreign_key_sql`] adds them afterwards.
    fn create_table_sql(&self, table: &TableDef, deferred_fks: &[String]) -> Result<Vec<String>>;

    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`, for keys deferred out of a cycle.
    /// `None` where the backend cannot add a foreign key with ALTER (SQLite, which also
    /// does not need it: it accepts forward references in CREATE TABLE).
    fn add_foreign_key_sql(&self, table: &TableDef, fk_name: &str) -> Result<Option<String>>;
}
