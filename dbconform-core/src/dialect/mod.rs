//! SQL dialects: one folder per backend with the same files (`types` for type spelling,
//! `render` for DDL, `validate` for backend rules), wired together by a unit type
//! implementing [`Dialect`]. Adding a backend means adding a folder, a static and one line
//! in [`by_name`], not editing every match.
//!
//! The runtime uses the dialects as `&'static dyn Dialect`: [`SQLITE`], [`POSTGRES`], or
//! [`by_name`] with the name stored in a [`Plan`].
//!
//! # What sea-query builds and what is written by hand
//!
//! sea-query 1.0 quotes table and column names correctly (it doubles embedded `"`), so
//! column definitions and CHECK constraints are rendered with its builders. It writes index
//! and constraint names *unescaped* (`CONSTRAINT "a"b"`), drops foreign-key names on
//! SQLite, panics on schema-qualified SQLite indexes and on several SQLite ALTERs, drops
//! comments, and its inline non-unique indexes are invalid SQL. Everything that carries
//! such a name (PRIMARY KEY, UNIQUE and FOREIGN KEY constraints, CREATE INDEX, ALTER TABLE
//! ADD CONSTRAINT, COMMENT ON, CREATE SCHEMA) is therefore written here as dialect SQL,
//! with every identifier going through [`Dialect::quote_ident`]. The tests in `render.rs`
//! pin the sea-query behaviour this split relies on.

use crate::data::Effect;
use crate::dependents::DependentObject;
use crate::effect::TableEffect;
use crate::error::Result;
use crate::model::{Column, ColumnType, QualifiedName, Schema, TableDef};
use crate::plan::{BlockedStep, Change, Drift, Plan, Step};

mod expr;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod mysql;
pub mod postgres;
mod render;
pub mod sqlite;
mod validate;

pub use mysql::MySql;
pub use postgres::Postgres;
pub use sqlite::Sqlite;

/// Seals [`Dialect`]: `Sealed` is public in a private module, so no other crate can name
/// it, and so none can implement `Dialect`.
mod sealed {
    /// Implemented by dbconform's own dialects only.
    pub trait Sealed {}

    impl Sealed for super::Sqlite {}
    impl Sealed for super::Postgres {}
    impl Sealed for super::MySql {}
    #[cfg(test)]
    impl Sealed for crate::diff::testing::Plain {}
}

/// The SQLite dialect object.
pub static SQLITE: Sqlite = Sqlite;

/// The PostgreSQL dialect object.
pub static POSTGRES: Postgres = Postgres;

/// The MySQL / MariaDB dialect object.
pub static MYSQL: MySql = MySql;

/// Every built-in dialect, in a fixed order.
pub fn all() -> [&'static dyn Dialect; 3] {
    [&SQLITE, &POSTGRES, &MYSQL]
}

/// The dialect whose [`Dialect::name`] is `name` (`sqlite`, `postgres`), if any.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::by_name;
/// assert_eq!(by_name("postgres").map(|d| d.name()), Some("postgres"));
/// assert!(by_name("oracle").is_none());
/// ```
pub fn by_name(name: &str) -> Option<&'static dyn Dialect> {
    all().into_iter().find(|d| d.name() == name)
}

/// Quotes an identifier for SQLite and PostgreSQL (and any dialect using `"` quoting):
/// wraps it in double quotes and doubles embedded double quotes.
///
/// Every identifier dbconform writes goes through this function (via [`Dialect::quote_ident`]).
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::quote_ident_double;
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
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::quote_literal;
/// assert_eq!(quote_literal("it's"), "'it''s'");
/// ```
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `NUMERIC`, `NUMERIC(p)` or `NUMERIC(p,s)`: the same spelling on both backends. A scale
/// without a precision cannot be written (validation refuses it) and is left out.
fn numeric_type_sql(precision: Option<u32>, scale: Option<u32>) -> String {
    match (precision, scale) {
        (Some(p), Some(s)) => format!("NUMERIC({p},{s})"),
        (Some(p), None) => format!("NUMERIC({p})"),
        (None, _) => "NUMERIC".to_string(),
    }
}

/// What differs between backends when rendering DDL. Plain data in, SQL text out; no I/O.
///
/// The trait is object safe: the runtime holds dialects as `&'static dyn Dialect`.
///
/// Only the methods documented here are public API; the others are the planner's seams,
/// hidden and free to change.
///
/// It is sealed: only dbconform's own dialects ([`SQLITE`], [`POSTGRES`]) implement it, so
/// that its methods can change as the planner needs without breaking anyone.
///
/// An implementation elsewhere does not compile (`the trait bound `MyDialect: Sealed` is
/// not satisfied`):
///
/// ```compile_fail
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::{Dialect, SQLITE};
/// use dbconform::{ColumnType, Result, TableDef};
///
/// #[derive(Debug)]
/// struct MyDialect;
///
/// impl Dialect for MyDialect {
///     fn name(&self) -> &'static str {
///         "mine"
///     }
///     fn column_type_sql(&self, ty: &ColumnType) -> String {
///         SQLITE.column_type_sql(ty)
///     }
///     fn effective_schema(&self, schema: Option<&str>, target: &str) -> String {
///         SQLITE.effective_schema(schema, target)
///     }
///     fn validate_table(&self, table: &TableDef) -> Result<()> {
///         SQLITE.validate_table(table)
///     }
///     fn create_schema_sql(&self, schema: &str) -> Option<String> {
///         SQLITE.create_schema_sql(schema)
///     }
///     fn create_table_sql(&self, table: &TableDef, later: &[String]) -> Result<Vec<String>> {
///         SQLITE.create_table_sql(table, later)
///     }
///     fn add_foreign_key_sql(&self, table: &TableDef, name: &str) -> Result<Option<String>> {
///         SQLITE.add_foreign_key_sql(table, name)
///     }
/// }
/// ```
pub trait Dialect: sealed::Sealed + Send + Sync + std::fmt::Debug {
    /// Short backend name: `sqlite`, `postgres`.
    fn name(&self) -> &'static str;

    /// The backend's name as messages spell it: `SQLite`, `PostgreSQL`. The default is
    /// [`Dialect::name`].
    fn display_name(&self) -> &'static str {
        self.name()
    }

    /// The URL schemes that name this backend, in lower case (`postgres`, `postgresql`),
    /// so that a URL's dialect is known without connecting. None by default: such a
    /// dialect is only found by [`by_name`].
    fn url_schemes(&self) -> &'static [&'static str] {
        &[]
    }

    /// The schema tables without one go to when no target schema is given (`public` on
    /// PostgreSQL), or `None` where the backend has no target schema to choose (SQLite:
    /// always `main`), which is the default. Snapshots record a target schema only where
    /// there is one.
    fn default_schema(&self) -> Option<&'static str> {
        None
    }

    #[doc(hidden)]
    /// `true` when the backend stores values of `from` and `to` alike, so that changing a
    /// column between them only changes its declared type (SQLite: the integer types are
    /// one 64-bit storage, REAL and DOUBLE one 8-byte float). `false` by default: each
    /// declared type is stored as declared.
    fn stores_alike(&self, from: &ColumnType, to: &ColumnType) -> bool {
        let _ = (from, to);
        false
    }

    #[doc(hidden)]
    /// What happens on this backend to a value that does not fit a column narrowed to
    /// `to`, given `effect`, what happens where declared types are enforced (fail or
    /// change). The default is `effect`; SQLite, which does not enforce declared types,
    /// keeps such values as they are ([`Effect::Kept`]).
    fn misfit_effect(&self, to: &ColumnType, effect: Effect) -> Effect {
        let _ = to;
        effect
    }

    #[doc(hidden)]
    /// `true` when changing a column's type from `from` to `to` rewrites the table (every
    /// row copied while it is locked). `true` by default, the cautious answer; PostgreSQL
    /// changes only its catalog for a longer VARCHAR and similar widenings.
    fn type_change_rewrites(&self, from: &ColumnType, to: &ColumnType) -> bool {
        let _ = (from, to);
        true
    }

    /// Whether DDL runs inside a transaction and rolls back with it (SQLite,
    /// PostgreSQL). `false` where each DDL statement commits on its own (MySQL): an apply
    /// then commits step by step, and a failure half-way leaves the steps before it
    /// applied ([`Error::PartiallyApplied`](crate::Error::PartiallyApplied)).
    fn transactional_ddl(&self) -> bool {
        true
    }

    #[doc(hidden)]
    /// Whether a key (primary, unique, index) can cover a column of type `ty` whole.
    /// `false` for MySQL's TEXT, BLOB and JSON, which it keys only by a prefix: a key
    /// waiting for such a column's blocked type change is blocked with it.
    fn keys_whole(&self, ty: &crate::model::ColumnType) -> bool {
        let _ = ty;
        true
    }

    #[doc(hidden)]
    /// What performing `change` on a table in use means for the application, when it
    /// matters: the risk the step is raised to at least, and a note for its reason
    /// (MySQL: a change InnoDB may do by copying the table). `context` holds the table as
    /// declared and as reflected. `None` by default.
    fn online_note(
        &self,
        change: &Change,
        context: &ChangeContext<'_>,
    ) -> Option<(crate::plan::Risk, String)> {
        let _ = (change, context);
        None
    }

    #[doc(hidden)]
    /// The statements performing `step` in online mode, each with the phase it belongs
    /// in (see [`crate::online`]). The default refuses: this backend has no online mode.
    fn online_statements(&self, step: &Step) -> Result<Vec<crate::online::OnlineStatement>> {
        let _ = step;
        Err(crate::online::unsupported(self.name(), self.display_name()))
    }

    #[doc(hidden)]
    /// What `step` does to its tables when performed online ([`Dialect::online_statements`]),
    /// given what it does in one transaction (`step.effects`). The same by default.
    fn online_effects(&self, step: &Step) -> Vec<TableEffect> {
        step.effects.clone()
    }

    #[doc(hidden)]
    /// What performing `change` (on an existing table; `context` as for
    /// [`Dialect::change_sql`]) does to each table it touches while it runs: the lock it
    /// takes and whether it rewrites the table, scans it or changes only the catalog (see
    /// [`crate::effect`]). None by default: the backend does not say. PostgreSQL's table
    /// is in `dialect/postgres/effects.rs`; MySQL says what matters there through
    /// [`Dialect::online_note`] instead (its algorithms are not PostgreSQL's lock modes).
    fn table_effects(&self, change: &Change, context: &ChangeContext<'_>) -> Vec<TableEffect> {
        let _ = (change, context);
        Vec::new()
    }

    #[doc(hidden)]
    /// Whether `ALTER` can change the type of a column a foreign key uses (either side)
    /// while the key exists. `false` (MySQL, MariaDB): the planner drops such keys before
    /// the change and adds them again after it.
    fn alters_key_column_types(&self) -> bool {
        true
    }

    #[doc(hidden)]
    /// `true` when [`Dialect::assemble_rebuilds`] performs the steps that need a table
    /// rebuild by copying the table (SQLite), so such a step is at least Caution even
    /// when the change itself is Safe. `false` by default: those steps stay without SQL.
    fn rebuilds_tables(&self) -> bool {
        false
    }

    /// The name of the option that, unset in `options`, blocks the steps needing a table
    /// rebuild (SQLite: `allow_sqlite_table_rebuild`); `None` when nothing blocks them.
    /// Only dialects that [`rebuild tables`](Dialect::rebuilds_tables) have such steps.
    #[doc(hidden)]
    fn rebuild_blocked_by(&self, options: &crate::Options) -> Option<&'static str> {
        let _ = options;
        None
    }

    /// Quotes one identifier. The only place identifiers become SQL.
    fn quote_ident(&self, ident: &str) -> String {
        quote_ident_double(ident)
    }

    /// Quotes a possibly schema-qualified table name.
    fn quote_table(&self, table: &QualifiedName) -> String {
        match &table.schema {
            Some(schema) => format!(
                "{}.{}",
                self.quote_ident(schema),
                self.quote_ident(&table.name)
            ),
            None => self.quote_ident(&table.name),
        }
    }

    #[doc(hidden)]
    /// A key such that two identifiers name the same database object exactly when their
    /// keys are equal: the identifier itself where quoted identifiers are exact
    /// (PostgreSQL), its ASCII lower case where they are not (SQLite).
    fn identifier_key(&self, ident: &str) -> String {
        ident.to_string()
    }

    /// `true` when `a` and `b` name the same database object (see
    /// [`Dialect::identifier_key`]).
    fn same_identifier(&self, a: &str, b: &str) -> bool {
        self.identifier_key(a) == self.identifier_key(b)
    }

    /// The longest identifier the backend keeps, in bytes, if it has a limit that it
    /// enforces by silently truncating (PostgreSQL: 63).
    fn max_identifier_bytes(&self) -> Option<usize> {
        None
    }

    #[doc(hidden)]
    /// `true` when a CREATE TABLE may reference a table that does not exist yet (SQLite).
    /// Where it may not (PostgreSQL), the planner leaves foreign keys that close a cycle
    /// out of CREATE TABLE and adds them with [`Dialect::add_foreign_key_sql`].
    fn accepts_forward_references(&self) -> bool {
        false
    }

    /// `true` when the backend stores table and column comments (PostgreSQL).
    fn supports_comments(&self) -> bool {
        false
    }

    /// The SQL spelling of a logical type on this backend (`BIGINT`, `VARCHAR(64)`, ...).
    fn column_type_sql(&self, ty: &ColumnType) -> String;

    /// The type written for `column` in CREATE TABLE. Usually
    /// [`Dialect::column_type_sql`] of its type; SQLite spells an auto-increment column
    /// `INTEGER`, the only type AUTOINCREMENT accepts.
    fn column_type_sql_for(&self, column: &Column) -> String {
        self.column_type_sql(&column.ty)
    }

    #[doc(hidden)]
    /// The schema a table with `schema: None` lives in, given the target schema
    /// (`main` on SQLite; the target schema on PostgreSQL). An explicit schema is kept.
    fn effective_schema(&self, table_schema: Option<&str>, target_schema: &str) -> String;

    /// Checks that a declared table can be created on this backend; the error
    /// ([`Error::InvalidTable`](crate::Error::InvalidTable)) names the table and column and
    /// says what to change.
    fn validate_table(&self, table: &TableDef) -> Result<()>;

    #[doc(hidden)]
    /// The statement creating a schema, or `None` when the backend has no schemas to create.
    fn create_schema_sql(&self, schema: &str) -> Option<String>;

    /// Statements that create the table with its columns, keys, constraints, indexes and
    /// comments, each one complete and without a trailing `;`. `table.schema` and the
    /// foreign keys' referenced schemas are already resolved (see
    /// [`Dialect::effective_schema`]). `deferred_fks` names foreign keys to leave out of
    /// CREATE TABLE because they close a cycle; [`Dialect::add_foreign_key_sql`] adds them
    /// afterwards. The table is validated first.
    fn create_table_sql(&self, table: &TableDef, deferred_fks: &[String]) -> Result<Vec<String>>;

    #[doc(hidden)]
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`, for keys deferred out of a cycle.
    /// `None` where the backend cannot add a foreign key with ALTER (SQLite, which also
    /// does not need it: it accepts forward references in CREATE TABLE).
    fn add_foreign_key_sql(&self, table: &TableDef, fk_name: &str) -> Result<Option<String>>;

    #[doc(hidden)]
    /// Parses a type as the database reports it (`character varying(64)`, `VARCHAR(64)`)
    /// into a logical type; anything without an exact logical equivalent becomes
    /// [`ColumnType::Custom`] with the text as reported. Used by reflection.
    fn parse_type(&self, sql: &str) -> ColumnType {
        ColumnType::Custom(sql.to_string())
    }

    #[doc(hidden)]
    /// Puts a table — declared or reflected, schema already resolved — into this
    /// dialect's database-normal form, so that two tables the database treats as the
    /// same compare equal field by field: type aliases and implicit modifiers, default
    /// and CHECK spellings, implied NOT NULL, unique indexes as unique constraints, ...
    /// (docs/DATABASE_TRAPS.md). The differ calls it on both sides before comparing.
    fn normalize_table(&self, table: &TableDef) -> TableDef {
        table.clone()
    }

    #[doc(hidden)]
    /// `true` when `column` of the existing table `table` (reflected, in normal form or
    /// not) already assigns ids by itself the way existing databases spell an
    /// auto-increment key, without being one in this dialect's own spelling: a
    /// PostgreSQL integer column whose default draws from a sequence (`serial` written
    /// out, a sequence it merely uses or shares), a SQLite `INTEGER PRIMARY KEY` rowid
    /// alias without `AUTOINCREMENT`. Such a column satisfies a declared auto-increment
    /// column: adopting a database keeps its keys (rewriting them would orphan the
    /// sequence, break tables and rules that use its default, or rebuild the table),
    /// while the tables dbconform creates get the dialect's own spelling. The default
    /// (`false`) adopts nothing.
    fn assigns_own_ids(&self, table: &TableDef, column: &Column) -> bool {
        let _ = (table, column);
        false
    }

    #[doc(hidden)]
    /// `true` when reflection spells every table differently from its declaration (on
    /// PostgreSQL the primary key has the server's name, `FALSE` reads back as `false`),
    /// so that a compare normalizes every declared table anyway: the planner then
    /// normalizes the declaration when it checks it, which the runtime does while the
    /// database answers the catalog query
    /// ([`Planner::check`](crate::planner::Planner::check)). `false`
    /// (the default) where a table reads back as it was declared and is compared as it is.
    fn normalizes_every_declaration(&self) -> bool {
        false
    }

    #[doc(hidden)]
    /// The SQL that performs one change to an existing table (everything but
    /// `CreateSchema`/`CreateTable`, which have their own methods), or the reason the
    /// backend can only do it by rebuilding the table. `context` holds the declared and
    /// the reflected table the change is about (resolved, not normalized), for names and
    /// definitions the change itself does not carry.
    fn change_sql(&self, change: &Change, context: &ChangeContext<'_>) -> Result<ChangeSql> {
        let _ = context;
        Ok(ChangeSql::NeedsRebuild(format!(
            "{} cannot yet render `{}`",
            self.name(),
            change.describe()
        )))
    }

    #[doc(hidden)]
    /// Whether enum types are named objects of their own (PostgreSQL's `CREATE TYPE ...
    /// AS ENUM`): then the planner creates, alters and drops them ([`Change::CreateEnum`]
    /// and the others), and an enum column compares by its type's name. `false` by
    /// default: an enum column carries its labels inline (SQLite's CHECK, MySQL's `ENUM`).
    fn named_enum_types(&self) -> bool {
        false
    }

    #[doc(hidden)]
    /// Whether an enum column is declared as `TEXT` with a CHECK of its labels, named
    /// `ck_<table>_<column>_enum` (SQLite, which has no enum type): the declaration is
    /// resolved that way, so the CHECK is created, reflected and changed like any other.
    /// `false` by default.
    fn enums_as_checks(&self) -> bool {
        false
    }

    #[doc(hidden)]
    /// Whether `change` must commit in a transaction of its own before the plan's other
    /// steps, because the database refuses to use what it makes in the transaction that
    /// made it (PostgreSQL: a label `ALTER TYPE ... ADD VALUE` added). The runtime's apply
    /// runs such steps first and commits them, then everything else in one transaction,
    /// and the report says what committed first. `false` by default.
    fn commits_before_others(&self, change: &Change) -> bool {
        let _ = change;
        false
    }

    #[doc(hidden)]
    /// Whether views and triggers keep working when a column they use changes type (MySQL
    /// resolves a view when it is used): then nothing is dropped and recreated around a
    /// type change. `false` by default (PostgreSQL refuses the change).
    fn dependents_survive_type_changes(&self) -> bool {
        false
    }

    #[doc(hidden)]
    /// `sql` (one step's statements) wrapped in the drops of `objects` (in that order:
    /// readers first) and their re-creations (in the reverse order), so that the step can
    /// change what they use. The default uses the statements read when the plan was made.
    fn wrap_with_dependents(&self, sql: Vec<String>, objects: &[&DependentObject]) -> Vec<String> {
        wrap_plainly(sql, objects)
    }

    #[doc(hidden)]
    /// What [`Plan::to_sql`] writes before the steps so that the script runs as `apply`
    /// does (a transaction, connection settings). Nothing by default: the script is run
    /// in one transaction by its runner (`psql -1`).
    fn script_prologue(&self, plan: &Plan) -> String {
        let _ = plan;
        "-- run it in one transaction: psql -1 -v ON_ERROR_STOP=1 -f plan.sql\n".to_string()
    }

    #[doc(hidden)]
    /// What [`Plan::to_sql`] writes after the steps (see [`Dialect::script_prologue`]).
    fn script_epilogue(&self, plan: &Plan) -> String {
        let _ = plan;
        String::new()
    }

    #[doc(hidden)]
    /// The last stage of planning, after the data checks: turns the steps that need a
    /// table rebuild (those [`change_sql`](Dialect::change_sql) answered with
    /// [`ChangeSql::NeedsRebuild`]) into steps this backend can execute. `desired` holds
    /// the declared tables, schemas resolved; `actual` the reflected schema; `dependents`
    /// the views and triggers a rebuild must drop and recreate. The planner orders what
    /// comes back and applies the policy to it ([`Assembled`]). The default leaves the
    /// steps as they are: such steps stay without SQL and are never executed.
    fn assemble_rebuilds(
        &self,
        plan: Plan,
        desired: &[TableDef],
        actual: &Schema,
        dependents: &[DependentObject],
    ) -> Result<Assembled> {
        let _ = (desired, actual, dependents);
        let (_, steps, blocked, drift) = plan.into_parts();
        Ok(Assembled {
            steps,
            rebuilds: Vec::new(),
            blocked,
            drift,
        })
    }
}

/// What [`Dialect::assemble_rebuilds`] made of a plan, for the planner to finish: the
/// steps, each table's rebuild in the place of its first step; the blocked steps (the
/// draft's, and those a rebuild that cannot be made blocks); the drift. The planner puts
/// the rebuilds in foreign-key order among the places they took, then blocks every step
/// that needs a blocked one.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// The plan's steps.
    pub steps: Vec<Step>,
    /// The positions in `steps` of the rebuild steps.
    pub rebuilds: Vec<usize>,
    /// The blocked steps.
    pub blocked: Vec<BlockedStep>,
    /// The plan's drift, unchanged.
    pub drift: Vec<Drift>,
}

/// `sql` between the drops of `objects` and their re-creations from the statements read
/// when the plan was made (see [`Dialect::wrap_with_dependents`]).
pub(crate) fn wrap_plainly(sql: Vec<String>, objects: &[&DependentObject]) -> Vec<String> {
    let mut out: Vec<String> = objects.iter().map(|o| o.drop.clone()).collect();
    out.extend(sql);
    for object in objects.iter().rev() {
        out.extend(object.create.iter().cloned());
    }
    out
}

/// The tables a change is about, for [`Dialect::change_sql`].
#[derive(Debug, Clone, Copy)]
pub struct ChangeContext<'a> {
    /// The declared table (schema resolved), if declared.
    pub desired: Option<&'a TableDef>,
    /// The table as reflected, if it exists.
    pub actual: Option<&'a TableDef>,
}

/// How a backend performs one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeSql {
    /// These statements, in order (each complete, without a trailing `;`).
    Statements(Vec<String>),
    /// Only a table rebuild can do it (SQLite); the text says why.
    NeedsRebuild(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_are_found_by_name() {
        assert_eq!(by_name("sqlite").map(|d| d.name()), Some("sqlite"));
        assert_eq!(by_name("postgres").map(|d| d.name()), Some("postgres"));
        assert_eq!(by_name("mysql").map(|d| d.name()), Some("mysql"));
    }

    #[test]
    fn identifier_rules_differ_per_dialect() {
        assert!(SQLITE.same_identifier("Users", "users"));
        assert!(!SQLITE.same_identifier("Straße", "STRASSE"));
        // SQLite folds ASCII only.
        assert!(!SQLITE.same_identifier("É", "é"));
        assert!(!POSTGRES.same_identifier("Users", "users"));
        assert!(POSTGRES.same_identifier("users", "users"));
    }

    #[test]
    fn hostile_identifiers_are_quoted() {
        for (raw, quoted) in [
            ("user", "\"user\""),
            ("order", "\"order\""),
            ("group", "\"group\""),
            ("with space", "\"with space\""),
            ("quo\"te", "\"quo\"\"te\""),
            ("\"", "\"\"\"\""),
            ("ünïcødé", "\"ünïcødé\""),
        ] {
            assert_eq!(SQLITE.quote_ident(raw), quoted);
            assert_eq!(POSTGRES.quote_ident(raw), quoted);
        }
    }
}
