//! Test dialects: SQLite's and PostgreSQL's identifier, comment and rendering rules with a
//! normalization the test chooses (the identity by default), so differ and planner tests
//! pin the generic rules whatever the dialects' normal forms become.

use crate::data::Effect;
use crate::dialect::{Dialect, POSTGRES, SQLITE};
use crate::error::Result;
use crate::model::{Column, ColumnType, QualifiedName, TableDef};

/// `inner`'s rules, with `normalize` as [`Dialect::normalize_table`].
#[derive(Debug)]
pub(crate) struct Plain {
    pub(crate) inner: &'static dyn Dialect,
    pub(crate) normalize: fn(&TableDef) -> TableDef,
}

fn identity(table: &TableDef) -> TableDef {
    table.clone()
}

/// PostgreSQL rules (exact identifiers, comments), no normalization.
pub(crate) static PG: Plain = Plain {
    inner: &POSTGRES,
    normalize: identity,
};

/// SQLite rules (ASCII case-insensitive identifiers, no comments), no normalization.
pub(crate) static LITE: Plain = Plain {
    inner: &SQLITE,
    normalize: identity,
};

impl Dialect for Plain {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn display_name(&self) -> &'static str {
        self.inner.display_name()
    }
    fn url_schemes(&self) -> &'static [&'static str] {
        self.inner.url_schemes()
    }
    fn default_schema(&self) -> Option<&'static str> {
        self.inner.default_schema()
    }
    fn stores_alike(&self, from: &ColumnType, to: &ColumnType) -> bool {
        self.inner.stores_alike(from, to)
    }
    fn misfit_effect(&self, to: &ColumnType, effect: Effect) -> Effect {
        self.inner.misfit_effect(to, effect)
    }
    fn type_change_rewrites(&self, from: &ColumnType, to: &ColumnType) -> bool {
        self.inner.type_change_rewrites(from, to)
    }
    fn rebuilds_tables(&self) -> bool {
        self.inner.rebuilds_tables()
    }
    fn rebuild_blocked_by(&self, options: &crate::Options) -> Option<&'static str> {
        self.inner.rebuild_blocked_by(options)
    }
    fn quote_ident(&self, ident: &str) -> String {
        self.inner.quote_ident(ident)
    }
    fn quote_table(&self, table: &QualifiedName) -> String {
        self.inner.quote_table(table)
    }
    fn identifier_key(&self, ident: &str) -> String {
        self.inner.identifier_key(ident)
    }
    fn same_identifier(&self, a: &str, b: &str) -> bool {
        self.inner.same_identifier(a, b)
    }
    fn max_identifier_bytes(&self) -> Option<usize> {
        self.inner.max_identifier_bytes()
    }
    fn accepts_forward_references(&self) -> bool {
        self.inner.accepts_forward_references()
    }
    fn supports_comments(&self) -> bool {
        self.inner.supports_comments()
    }
    fn column_type_sql(&self, ty: &ColumnType) -> String {
        self.inner.column_type_sql(ty)
    }
    fn column_type_sql_for(&self, column: &Column) -> String {
        self.inner.column_type_sql_for(column)
    }
    fn effective_schema(&self, table_schema: Option<&str>, target_schema: &str) -> String {
        self.inner.effective_schema(table_schema, target_schema)
    }
    fn validate_table(&self, table: &TableDef) -> Result<()> {
        self.inner.validate_table(table)
    }
    fn create_schema_sql(&self, schema: &str) -> Option<String> {
        self.inner.create_schema_sql(schema)
    }
    fn create_table_sql(&self, table: &TableDef, deferred_fks: &[String]) -> Result<Vec<String>> {
        self.inner.create_table_sql(table, deferred_fks)
    }
    fn add_foreign_key_sql(&self, table: &TableDef, fk_name: &str) -> Result<Option<String>> {
        self.inner.add_foreign_key_sql(table, fk_name)
    }
    fn parse_type(&self, sql: &str) -> ColumnType {
        self.inner.parse_type(sql)
    }
    fn normalize_table(&self, table: &TableDef) -> TableDef {
        (self.normalize)(table)
    }
}
