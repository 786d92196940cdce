//! The schema model shared by the derive (desired schema) and reflection (actual schema).
//!
//! Everything here is plain data: `serde` round-trips it, and [`Schema::normalized_order`]
//! puts it in a deterministic order so two equal schemas serialize byte for byte the same.

use crate::effect::TableSize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A whole database schema: every table dbconform knows of, sorted by (schema, name).
///
/// Two schemas that differ only in [`sizes`](Schema::sizes) are equal.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Schema {
    /// The tables, sorted by (schema, name) once [`Schema::new`] or
    /// [`Schema::normalized_order`] has run.
    pub tables: Vec<TableDef>,
    /// Schemas (namespaces) known to exist; filled by reflection, empty for declared schemas.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<String>,
    /// The tables' sizes as the database estimated them when reflected (PostgreSQL), by
    /// table; empty for declared schemas and where the backend does not say. Plans show
    /// them beside the steps that rewrite or scan a table. Not part of what the schema
    /// is: ignored when schemas are compared, and left out of JSON when empty (a
    /// snapshot taken by reflection records them as a list of `{"table", "bytes",
    /// "rows"}`).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "sizes_as_list"
    )]
    pub sizes: BTreeMap<QualifiedName, TableSize>,
    /// Named enumerated types of the schemas in scope (PostgreSQL's `CREATE TYPE ... AS
    /// ENUM`), with their labels in order: filled by reflection; empty for declared
    /// schemas (the planner collects the declared types from the columns, each
    /// [`ColumnType::Enum`]) and where the backend has no named enum types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        // Every field but the sizes: a field added later must be listed here.
        let Schema {
            tables,
            schemas,
            sizes: _,
            enums,
        } = self;
        (tables, schemas, enums) == (&other.tables, &other.schemas, &other.enums)
    }
}

impl Eq for Schema {}

/// [`Schema::sizes`] in JSON: a list (JSON object keys cannot be qualified names).
mod sizes_as_list {
    use super::{QualifiedName, TableSize};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize, Deserialize)]
    struct Entry {
        table: QualifiedName,
        #[serde(flatten)]
        size: TableSize,
    }

    pub(super) fn serialize<S: Serializer>(
        sizes: &BTreeMap<QualifiedName, TableSize>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let entries: Vec<Entry> = sizes
            .iter()
            .map(|(table, size)| Entry {
                table: table.clone(),
                size: *size,
            })
            .collect();
        entries.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<QualifiedName, TableSize>, D::Error> {
        let entries = Vec::<Entry>::deserialize(deserializer)?;
        Ok(entries.into_iter().map(|e| (e.table, e.size)).collect())
    }
}

impl Schema {
    /// Builds a schema and sorts it into its deterministic order.
    pub fn new(tables: Vec<TableDef>) -> Self {
        let mut schema = Schema {
            tables,
            ..Schema::default()
        };
        schema.normalized_order();
        schema
    }

    /// Sorts tables by (schema, name) and the unordered parts of every table
    /// (constraints and indexes) so that output never depends on declaration order.
    /// Column order is kept: it is the order in which a table is created.
    pub fn normalized_order(&mut self) {
        for table in &mut self.tables {
            table.normalized_order();
        }
        self.tables.sort_by(TableDef::cmp_qualified_name);
        self.schemas.sort();
        self.enums
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.schemas.dedup();
    }

    /// Finds a table by its qualified name.
    pub fn table(&self, name: &QualifiedName) -> Option<&TableDef> {
        self.tables.iter().find(|t| &t.qualified_name() == name)
    }
}

/// A table name with its optional schema (`None` means the connection's target schema).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    /// The schema, or `None` for the target schema (`public` on PostgreSQL by default,
    /// `main` on SQLite).
    pub schema: Option<String>,
    /// The table name, exactly as it is stored in the database.
    pub name: String,
}

impl QualifiedName {
    /// A name in the target schema.
    pub fn new(name: impl Into<String>) -> Self {
        QualifiedName {
            schema: None,
            name: name.into(),
        }
    }

    /// A name in an explicit schema.
    pub fn with_schema(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: Some(schema.into()),
            name: name.into(),
        }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{schema}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One table: columns, keys, constraints and indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDef {
    /// Schema the table lives in; `None` means the target schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name as stored in the database (case preserved; always quoted in SQL).
    pub name: String,
    /// Earlier names of this table, for rename detection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_from: Vec<String>,
    /// Table comment (from `comment = "..."` or the struct's doc comment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// The primary key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// UNIQUE constraints (single-column `unique` fields become one-column entries here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    /// FOREIGN KEY constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// CHECK constraints (column-level checks become table-level entries here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Non-constraint indexes (unique or not).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Storage options found in the database (SQLite `STRICT`, `WITHOUT ROWID`).
    #[serde(default, skip_serializing_if = "TableOptions::is_default")]
    pub options: TableOptions,
}

/// Table storage options, reflected from the database and kept by rebuilds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableOptions {
    /// SQLite `STRICT` table.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
    /// SQLite `WITHOUT ROWID` table.
    #[serde(default, skip_serializing_if = "is_false")]
    pub without_rowid: bool,
}

impl TableOptions {
    /// `true` when no option is set.
    pub fn is_default(&self) -> bool {
        self == &TableOptions::default()
    }
}

impl TableDef {
    /// The table's qualified name.
    pub fn qualified_name(&self) -> QualifiedName {
        QualifiedName {
            schema: self.schema.clone(),
            name: self.name.clone(),
        }
    }

    /// Finds a column by exact name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Sorts constraints and indexes into a deterministic order (by name, then columns).
    pub fn normalized_order(&mut self) {
        self.uniques.sort_by(order::unique);
        self.foreign_keys.sort_by(order::foreign_key);
        self.checks.sort_by(order::check);
        self.indexes.sort_by(order::index);
    }

    /// Whether constraints and indexes are already in [`normalized_order`]'s order (so a
    /// copy need not be made to sort them).
    ///
    /// [`normalized_order`]: TableDef::normalized_order
    pub fn is_in_normalized_order(&self) -> bool {
        self.uniques
            .is_sorted_by(|a, b| order::unique(a, b).is_le())
            && self
                .foreign_keys
                .is_sorted_by(|a, b| order::foreign_key(a, b).is_le())
            && self.checks.is_sorted_by(|a, b| order::check(a, b).is_le())
            && self.indexes.is_sorted_by(|a, b| order::index(a, b).is_le())
    }

    /// Orders by (schema, name), as [`qualified_name`](TableDef::qualified_name) would,
    /// without copying the names.
    pub fn cmp_qualified_name(&self, other: &TableDef) -> std::cmp::Ordering {
        (self.schema.as_deref(), &self.name).cmp(&(other.schema.as_deref(), &other.name))
    }
}

/// The orders of [`TableDef::normalized_order`].
mod order {
    use super::{Check, ForeignKey, Index, UniqueConstraint};
    use std::cmp::Ordering;

    pub(super) fn unique(a: &UniqueConstraint, b: &UniqueConstraint) -> Ordering {
        (&a.name, &a.columns).cmp(&(&b.name, &b.columns))
    }

    pub(super) fn foreign_key(a: &ForeignKey, b: &ForeignKey) -> Ordering {
        (&a.name, &a.columns, &a.references).cmp(&(&b.name, &b.columns, &b.references))
    }

    pub(super) fn check(a: &Check, b: &Check) -> Ordering {
        (&a.name, &a.expr).cmp(&(&b.name, &b.expr))
    }

    pub(super) fn index(a: &Index, b: &Index) -> Ordering {
        (&a.name, &a.columns).cmp(&(&b.name, &b.columns))
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Column name as stored in the database.
    pub name: String,
    /// Logical type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// `true` for NULL-able columns (`Option<T>` fields).
    pub nullable: bool,
    /// Default as an SQL expression, exactly as declared (`'x'`, `0`, `CURRENT_TIMESTAMP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Auto-increment: `INTEGER PRIMARY KEY AUTOINCREMENT` on SQLite, an identity column on
    /// PostgreSQL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    /// Column comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Earlier names of this column, for rename detection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_from: Vec<String>,
    /// Collation, when the column has one other than the database default (reflected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Generated-column expression (`GENERATED ALWAYS AS (...)`), reflected from the
    /// database; dbconform never writes to such a column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<GeneratedColumn>,
    /// MySQL's `ON UPDATE` clause as the database has it (`CURRENT_TIMESTAMP(6)`),
    /// reflected: not declarable yet and not compared, but kept whenever dbconform
    /// restates the column (`MODIFY COLUMN` replaces the whole definition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
}

/// A generated (computed) column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedColumn {
    /// The expression.
    pub expr: String,
    /// `true` for STORED, `false` for VIRTUAL.
    pub stored: bool,
}

impl Column {
    /// A NOT NULL column with no default.
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            auto_increment: false,
            comment: None,
            renamed_from: Vec::new(),
            collation: None,
            generated: None,
            on_update: None,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Logical column types. Each dialect maps them to its own SQL spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// 16-bit integer (`i16`).
    SmallInt,
    /// 32-bit integer (`i32`).
    Integer,
    /// 64-bit integer (`i64`).
    BigInt,
    /// 32-bit float (`f32`).
    Real,
    /// 64-bit float (`f64`).
    Double,
    /// `bool`.
    Boolean,
    /// Unbounded text (`String`).
    Text,
    /// Text with a maximum length in characters (`String` with `max_length`).
    Varchar(u32),
    /// Bytes (`Vec<u8>`): BLOB on SQLite, BYTEA on PostgreSQL.
    Blob,
    /// Exact decimal (`rust_decimal::Decimal`); `None` precision means unconstrained NUMERIC.
    Decimal {
        /// Total digits.
        precision: Option<u32>,
        /// Digits after the decimal point.
        scale: Option<u32>,
    },
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Timestamp without time zone.
    Timestamp,
    /// Timestamp with time zone.
    TimestampTz,
    /// UUID.
    Uuid,
    /// JSON document (JSONB on PostgreSQL, TEXT on SQLite).
    Json,
    /// Any SQL type, given verbatim by `sql_type = "..."`; compared textually.
    Custom(String),
    /// A one-dimensional array of the element type (`Vec<T>`, `T` not `u8`): `T[]` on
    /// PostgreSQL. PostgreSQL does not enforce dimensions, so `int[][]` and `integer[3]`
    /// are this same type, and an array of arrays is the array of the innermost element.
    /// SQLite and MySQL have no array type: their dialects refuse it at plan time.
    Array(Box<ColumnType>),
    /// An enumerated type (`#[derive(DbEnum)]`): a named type on PostgreSQL, `TEXT` with a
    /// `CHECK (col IN (...))` on SQLite, an inline `ENUM(...)` on MySQL. The column carries
    /// the labels so that backends without named types can render them inline (boxed:
    /// every column carries a `ColumnType`).
    Enum(Box<EnumType>),
}

/// An enumerated type: its name and its labels in order (`#[derive(DbEnum)]`, or reflected
/// from PostgreSQL's `pg_enum`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnumType {
    /// The schema holding the type (PostgreSQL); `None` for the target schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The type's name.
    pub name: String,
    /// The labels, in their sort order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<EnumLabel>,
}

impl EnumType {
    /// A type named `name` in the target schema with `labels` (no earlier spellings).
    pub fn new<S: Into<String>>(
        name: impl Into<String>,
        labels: impl IntoIterator<Item = S>,
    ) -> Self {
        EnumType {
            schema: None,
            name: name.into(),
            labels: labels.into_iter().map(EnumLabel::new).collect(),
        }
    }

    /// The type's qualified name.
    pub fn qualified(&self) -> QualifiedName {
        QualifiedName {
            schema: self.schema.clone(),
            name: self.name.clone(),
        }
    }

    /// The labels' names, in order.
    pub fn label_names(&self) -> Vec<&str> {
        self.labels.iter().map(|l| l.name.as_str()).collect()
    }
}

/// One label of an [`EnumType`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnumLabel {
    /// The label as stored.
    pub name: String,
    /// Earlier spellings of this label (`#[db_enum(renamed_from = "...")]`), for renames.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_from: Vec<String>,
}

impl EnumLabel {
    /// A label with no earlier spellings.
    pub fn new(name: impl Into<String>) -> Self {
        EnumLabel {
            name: name.into(),
            renamed_from: Vec::new(),
        }
    }
}

impl ColumnType {
    /// The enum type of an enum column, or of an array of enums (`Vec<Mood>`).
    pub fn enum_type(&self) -> Option<&EnumType> {
        match self {
            ColumnType::Enum(ty) => Some(ty),
            ColumnType::Array(element) => element.enum_type(),
            _ => None,
        }
    }

    /// [`ColumnType::enum_type`], to change.
    pub fn enum_type_mut(&mut self) -> Option<&mut EnumType> {
        match self {
            ColumnType::Enum(ty) => Some(ty),
            ColumnType::Array(element) => element.enum_type_mut(),
            _ => None,
        }
    }

    /// `true` for the integer types that may auto-increment.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
        )
    }
}

/// The primary key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    /// Constraint name; `None` lets the database choose (`<table>_pkey` on PostgreSQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Key columns, in key order.
    pub columns: Vec<String>,
}

/// Sort order of an index column.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Ascending (the default).
    #[default]
    Asc,
    /// Descending.
    Desc,
}

/// Where an index column puts NULLs (`NULLS FIRST` / `NULLS LAST`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullsOrder {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

impl NullsOrder {
    /// The SQL spelling (`NULLS FIRST`, `NULLS LAST`).
    pub fn as_sql(self) -> &'static str {
        match self {
            NullsOrder::First => "NULLS FIRST",
            NullsOrder::Last => "NULLS LAST",
        }
    }
}

/// One column of an index, with its order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IndexColumn {
    /// Column name, or the expression's SQL text when `expression` is set.
    pub name: String,
    /// Sort order.
    #[serde(default)]
    pub order: SortOrder,
    /// `true` when `name` is an expression (`lower(email)`), not a column.
    #[serde(default, skip_serializing_if = "is_false")]
    pub expression: bool,
    /// Operator class (PostgreSQL `text_pattern_ops`), only when it is not the default
    /// one for the key's type and the index's method; `None` is the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    /// `NULLS FIRST` / `NULLS LAST` as written; `None` is the database's default for the
    /// sort order (on PostgreSQL NULLS LAST for ASC, NULLS FIRST for DESC), and the
    /// dialects' normal forms turn a written default into `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls: Option<NullsOrder>,
}

impl IndexColumn {
    /// An ascending index column.
    pub fn asc(name: impl Into<String>) -> Self {
        IndexColumn {
            name: name.into(),
            order: SortOrder::Asc,
            expression: false,
            opclass: None,
            nulls: None,
        }
    }

    /// `true` when the key is a plain column sorted the default way: no expression,
    /// ascending, default operator class and NULLS order.
    pub fn is_plain(&self) -> bool {
        !self.expression
            && self.order == SortOrder::Asc
            && self.opclass.is_none()
            && self.nulls.is_none()
    }
}

/// A (non-constraint) index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Index name (always set: the derive generates `ix_<table>_<cols>` when none is given).
    pub name: String,
    /// Indexed columns, in order.
    pub columns: Vec<IndexColumn>,
    /// `true` for a UNIQUE index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Partial-index predicate (`WHERE ...`), as SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// Access method (PostgreSQL `gist`, `gin`, `hash`, `brin`, ...), in lower case;
    /// `None` is the default, a B-tree (the dialects' normal forms turn `btree` into
    /// `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Non-key columns stored in the index (PostgreSQL `INCLUDE (...)`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// PostgreSQL 15's `NULLS NOT DISTINCT`: a unique index then allows one NULL only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// `true` for an index the database does not use because building it failed
    /// (PostgreSQL's `indisvalid = false`, left by a `CREATE INDEX CONCURRENTLY` that
    /// failed or was cancelled). Only reflection sets it: such an index never satisfies a
    /// declared one, so it is dropped and built again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub invalid: bool,
}

impl Index {
    /// `true` when the index is a B-tree without INCLUDE columns or NULLS NOT DISTINCT:
    /// all an index declared without those options can be.
    pub fn is_plain_btree(&self) -> bool {
        self.method.is_none() && self.include.is_empty() && !self.nulls_not_distinct
    }

    /// The UNIQUE constraint this index is equivalent to, if any: a unique B-tree index
    /// on plain columns, all ascending with default operator classes and NULLS order,
    /// without a predicate or INCLUDE columns is how both SQLite and PostgreSQL implement
    /// a UNIQUE constraint (with or without NULLS NOT DISTINCT), so either spelling
    /// satisfies the other.
    pub fn as_unique_constraint(&self) -> Option<UniqueConstraint> {
        let plain = self.unique
            && !self.invalid
            && self.predicate.is_none()
            && self.method.is_none()
            && self.include.is_empty()
            && !self.columns.is_empty()
            && self.columns.iter().all(IndexColumn::is_plain);
        plain.then(|| UniqueConstraint {
            name: self.name.clone(),
            columns: self.columns.iter().map(|c| c.name.clone()).collect(),
            nulls_not_distinct: self.nulls_not_distinct,
        })
    }
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueConstraint {
    /// Constraint name (always set: the derive generates `uq_<table>_<cols>` when none is given).
    pub name: String,
    /// Columns, in order.
    pub columns: Vec<String>,
    /// PostgreSQL 15's `UNIQUE NULLS NOT DISTINCT`: rows whose key columns are all NULL
    /// are duplicates of each other too, so the key allows one such row only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

/// Referential action of a foreign key.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    /// `NO ACTION` (the SQL default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    /// The SQL spelling (`NO ACTION`, `CASCADE`, ...).
    pub fn as_sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the attribute spelling: `no_action`, `restrict`, `cascade`, `set_null`,
    /// `set_default` (case-insensitive; spaces are accepted in place of `_`).
    pub fn parse(s: &str) -> Option<FkAction> {
        match s.trim().to_ascii_lowercase().replace(' ', "_").as_str() {
            "no_action" => Some(FkAction::NoAction),
            "restrict" => Some(FkAction::Restrict),
            "cascade" => Some(FkAction::Cascade),
            "set_null" => Some(FkAction::SetNull),
            "set_default" => Some(FkAction::SetDefault),
            _ => None,
        }
    }
}

/// Whether a constraint may be checked at commit instead of at each statement.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Deferrability {
    /// `NOT DEFERRABLE` (the SQL default): checked after each statement.
    #[default]
    NotDeferrable,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: checked after each statement unless a transaction
    /// says `SET CONSTRAINTS ... DEFERRED`.
    Deferrable,
    /// `DEFERRABLE INITIALLY DEFERRED`: checked at commit.
    InitiallyDeferred,
}

impl Deferrability {
    /// `true` for [`Deferrability::NotDeferrable`].
    pub fn is_default(&self) -> bool {
        *self == Deferrability::NotDeferrable
    }

    /// The SQL clause to write after a key's actions: empty for the default,
    /// `DEFERRABLE` or `DEFERRABLE INITIALLY DEFERRED`.
    pub fn as_sql(self) -> &'static str {
        match self {
            Deferrability::NotDeferrable => "",
            Deferrability::Deferrable => "DEFERRABLE",
            Deferrability::InitiallyDeferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Constraint name (always set: the derive generates `fk_<table>_<cols>` when none is given).
    pub name: String,
    /// Referencing columns, in order.
    pub columns: Vec<String>,
    /// Referenced table.
    pub references: QualifiedName,
    /// Referenced columns, in the same order as `columns`.
    pub referenced_columns: Vec<String>,
    /// `ON DELETE` action.
    #[serde(default)]
    pub on_delete: FkAction,
    /// `ON UPDATE` action.
    #[serde(default)]
    pub on_update: FkAction,
    /// When the key is checked: at each statement (the default) or, for a `DEFERRABLE`
    /// key, possibly at commit.
    #[serde(default, skip_serializing_if = "Deferrability::is_default")]
    pub deferrable: Deferrability,
    /// `true` for a key the database has but has not checked the existing rows against
    /// (PostgreSQL's `NOT VALID`, left by an online apply interrupted before `VALIDATE
    /// CONSTRAINT`). Only reflection sets it: such a key never satisfies a declared one,
    /// so it is validated (replaced).
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
}

impl ForeignKey {
    /// `true` when this key, as reflected, is `declared` but for when it is checked
    /// ([`Deferrability`]): the rows need not be checked again.
    pub fn only_deferrability_differs(&self, declared: &ForeignKey) -> bool {
        self.deferrable != declared.deferrable
            && !self.not_valid
            && ForeignKey {
                deferrable: declared.deferrable,
                ..self.clone()
            } == *declared
    }

    /// `true` when this key, as reflected, is `declared` but NOT VALID: validating it is
    /// all there is to do.
    pub fn only_needs_validating(&self, declared: &ForeignKey) -> bool {
        self.not_valid
            && ForeignKey {
                not_valid: false,
                ..self.clone()
            } == *declared
    }
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Constraint name (always set: the derive generates `ck_<table>_<n>` when none is given).
    pub name: String,
    /// The boolean SQL expression, as declared.
    pub expr: String,
    /// `true` for a CHECK the database has `NOT VALID` (see [`ForeignKey::not_valid`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
}

impl Check {
    /// `true` when this CHECK, as reflected, is `declared` but NOT VALID (see
    /// [`ForeignKey::only_needs_validating`]).
    pub fn only_needs_validating(&self, declared: &Check) -> bool {
        self.not_valid && self.name == declared.name && self.expr == declared.expr
    }
}
