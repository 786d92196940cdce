//! SQLite: type spelling (`types`), DDL rendering (`render`) and backend rules (`validate`).
//!
//! - Every table lives in schema `main`; names are written unqualified (foreign-key
//!   clauses cannot be qualified on SQLite at all).
//! - Identifiers are case-insensitive even when quoted (ASCII folding only).
//! - SQLite cannot store comments: table and column comments are skipped silently.
//! - An auto-increment column is spelled `INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT`
//!   inline, whatever its logical integer type: `INTEGER PRIMARY KEY` is the rowid alias
//!   and AUTOINCREMENT is only allowed there.
//! - CREATE TABLE accepts references to tables that do not exist yet, so foreign keys in
//!   cycles stay inline and are never added with ALTER (which SQLite cannot do).
//! - Changes to existing tables (`alter`): native `ALTER TABLE` where SQLite allows it,
//!   otherwise the step says why it needs a table rebuild.
//! - Reflection reads what only the stored SQL holds with [`parse`]; [`Dialect::parse_type`]
//!   and [`Dialect::normalize_table`] (the `normalize` module) put both sides into one
//!   normal form before they are compared.

mod alter;
pub mod dependents;
mod lex;
mod normalize;
pub mod parse;
pub mod rebuild;
mod render;
mod types;
mod validate;

use super::{Assembled, ChangeContext, ChangeSql, Dialect};
use crate::data::Effect;
use crate::dependents::DependentObject;
use crate::error::Result;
use crate::model::{Column, ColumnType, QualifiedName, Schema, TableDef};
use crate::plan::{Change, Plan};

/// The URL schemes of SQLite databases (`sqlite://app.db`, `sqlite::memory:`).
pub const SCHEMES: &[&str] = &["sqlite"];

/// The only schema SQLite tables are created in.
pub const MAIN_SCHEMA: &str = "main";

/// The SQLite dialect. Use the [`SQLITE`](super::SQLITE) static as `&'static dyn Dialect`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn display_name(&self) -> &'static str {
        "SQLite"
    }

    fn url_schemes(&self) -> &'static [&'static str] {
        SCHEMES
    }

    /// The integer types are one 64-bit storage, REAL and DOUBLE one 8-byte float.
    fn stores_alike(&self, from: &ColumnType, to: &ColumnType) -> bool {
        types::same_storage(from, to)
    }

    /// Values are copied as they are by the rebuild (SQLite does not enforce declared
    /// types on ordinary tables), except that a REAL column turns integers into floats.
    fn misfit_effect(&self, to: &ColumnType, _effect: Effect) -> Effect {
        match to {
            ColumnType::Real | ColumnType::Double => Effect::Lost,
            _ => Effect::Kept,
        }
    }

    /// Every type change rebuilds the table.
    fn type_change_rewrites(&self, _from: &ColumnType, _to: &ColumnType) -> bool {
        true
    }

    /// [`rebuild`] copies every row into a new table.
    fn rebuilds_tables(&self) -> bool {
        true
    }

    fn rebuild_blocked_by(&self, options: &crate::Options) -> Option<&'static str> {
        (!options.allow_sqlite_table_rebuild).then_some("allow_sqlite_table_rebuild")
    }

    /// The table name alone: only `main` is valid, and SQLite does not accept a qualified
    /// name in a foreign-key clause.
    fn quote_table(&self, table: &QualifiedName) -> String {
        self.quote_ident(&table.name)
    }

    /// ASCII lower case: SQLite compares identifiers case-insensitively (ASCII only), even
    /// quoted ones.
    fn identifier_key(&self, ident: &str) -> String {
        ident.to_ascii_lowercase()
    }

    fn same_identifier(&self, a: &str, b: &str) -> bool {
        a.eq_ignore_ascii_case(b)
    }

    fn accepts_forward_references(&self) -> bool {
        true
    }

    fn column_type_sql(&self, ty: &ColumnType) -> String {
        types::type_sql(ty)
    }

    /// SQLite has no enum type: `TEXT` with a CHECK of the labels.
    fn enums_as_checks(&self) -> bool {
        true
    }

    /// `INTEGER` for an auto-increment column (the rowid alias), the type's spelling
    /// otherwise.
    fn column_type_sql_for(&self, column: &Column) -> String {
        if column.auto_increment {
            types::AUTOINCREMENT_TYPE.to_string()
        } else {
            types::type_sql(&column.ty)
        }
    }

    /// Always `main` unless the table names another schema (which validation refuses);
    /// `MAIN` and other spellings of `main` become `main`.
    fn effective_schema(&self, table_schema: Option<&str>, _target_schema: &str) -> String {
        match table_schema {
            Some(schema) if !schema.eq_ignore_ascii_case(MAIN_SCHEMA) => schema.to_string(),
            _ => MAIN_SCHEMA.to_string(),
        }
    }

    fn validate_table(&self, table: &TableDef) -> Result<()> {
        validate::table(self, table)
    }

    /// SQLite has no schemas to create.
    fn create_schema_sql(&self, _schema: &str) -> Option<String> {
        None
    }

    /// CREATE TABLE and its CREATE INDEX statements. Comments are skipped: SQLite cannot
    /// store them. `deferred_fks` must be empty: SQLite keeps every foreign key inline.
    fn create_table_sql(&self, table: &TableDef, deferred_fks: &[String]) -> Result<Vec<String>> {
        render::create_table(self, table, deferred_fks)
    }

    /// Always `None`: SQLite cannot add a foreign key to an existing table (and never needs
    /// to here, since CREATE TABLE accepts forward references).
    fn add_foreign_key_sql(&self, _table: &TableDef, _fk_name: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// The spellings the renderer writes (`INTEGER`, `VARCHAR(64)`, `NUMERIC(10,2)`, ...)
    /// in any case and with any whitespace; anything else, aliases such as `INT`
    /// included, is [`ColumnType::Custom`] as given (normalization resolves aliases where
    /// SQLite treats them alike).
    fn parse_type(&self, sql: &str) -> ColumnType {
        types::parse_type(sql)
    }

    /// SQLite's normal form: see the rules in the `normalize` module.
    fn normalize_table(&self, table: &TableDef) -> TableDef {
        normalize::table(table)
    }

    /// The rowid alias (`INTEGER PRIMARY KEY` without `AUTOINCREMENT`), which assigns ids
    /// by itself and so satisfies a declared auto-increment key without a rebuild.
    fn assigns_own_ids(&self, table: &TableDef, column: &Column) -> bool {
        normalize::is_plain_rowid_alias(table, column)
    }

    /// Native `ALTER TABLE ADD COLUMN` / `DROP COLUMN`, `CREATE INDEX`, `DROP INDEX` and
    /// `DROP TABLE` where SQLite can do the change that way; for everything else the reason
    /// only a table rebuild can (the rules are in the `alter` module).
    fn change_sql(&self, change: &Change, context: &ChangeContext<'_>) -> Result<ChangeSql> {
        alter::change_sql(self, change, context)
    }

    /// One [`Change::RebuildTable`] step per table that needs a rebuild, holding every
    /// change of that table (see the [`rebuild`] module).
    /// `BEGIN`, after `PRAGMA foreign_keys=OFF` when the plan rebuilds a table (set
    /// outside the transaction, where it takes effect: a `DROP TABLE` with foreign keys on
    /// would fire `ON DELETE CASCADE`).
    fn script_prologue(&self, plan: &Plan) -> String {
        let mut out = String::new();
        if rebuild::has_rebuilds(plan) {
            out.push_str("\n-- table rebuilds: foreign keys off while tables are replaced (set outside the transaction)\nPRAGMA foreign_keys=OFF;\n");
        }
        out.push_str("BEGIN;\n");
        out
    }

    /// `PRAGMA foreign_key_check` (when the plan rebuilds a table) and `COMMIT`.
    fn script_epilogue(&self, plan: &Plan) -> String {
        if rebuild::has_rebuilds(plan) {
            "\n-- any row this lists references a missing row: roll back instead of committing\nPRAGMA foreign_key_check;\nCOMMIT;\nPRAGMA foreign_keys=ON;\n".to_string()
        } else {
            "\nCOMMIT;\n".to_string()
        }
    }

    fn assemble_rebuilds(
        &self,
        plan: Plan,
        desired: &[TableDef],
        actual: &Schema,
        dependents: &[DependentObject],
    ) -> Result<Assembled> {
        rebuild::assemble(self, plan, desired, actual, dependents)
    }
}
