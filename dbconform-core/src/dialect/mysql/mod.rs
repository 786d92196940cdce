//! MySQL and MariaDB (one dialect, `mysql`; URL schemes `mysql` and `mariadb`): type
//! spelling (`types`), DDL (`render`, `alter`), backend rules (`validate`), reading SQL
//! text (`lex`, `sql_expr`) and the normal form compared by the differ (`normalize`).
//! The traps it handles are listed in docs/DATABASE_TRAPS.md, section M.
//!
//! Decisions:
//!
//! - **Schemas.** MySQL has no schema inside a database: a "schema" is a database, and
//!   dbconform manages the one the connection names. As SQLite's `main`, every table's
//!   schema is [`DATABASE_SCHEMA`] (a name for "the connection's database", never written
//!   into SQL: tables are written unqualified); [`Dialect::default_schema`] is `None`,
//!   [`Dialect::create_schema_sql`] is `None`, and a declaration naming another schema is
//!   refused.
//! - **Tables** are created `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
//!   COLLATE=utf8mb4_unicode_ci`: InnoDB for transactions-safe rows and foreign keys,
//!   utf8mb4 for all of Unicode (`utf8` is the 3-byte `utf8mb3`), and one collation named
//!   rather than the server's default, which differs between MySQL 8
//!   (`utf8mb4_0900_ai_ci`), MariaDB (`utf8mb4_general_ci`, or `uca1400` from 11.5) and
//!   server settings: the same declaration then compares and orders text alike on both.
//!   Columns inherit it; reflection reports a column's collation only where it differs
//!   from its table's, so an inherited collation is an undeclared one.
//! - **Timestamps** are `DATETIME(6)`, both of them (see [`TIMESTAMP_SQL`]).
//! - **Identifiers** are quoted in backticks (a backtick doubled) and compared
//!   case-insensitively ([`Dialect::identifier_key`]): column, index and constraint names
//!   are case-insensitive on every platform, table names on Windows and macOS servers.
//!   Names longer than 64 characters are refused (the server refuses them too, so
//!   [`Dialect::max_identifier_bytes`], the truncation limit, is `None`).
//! - **Keys** (M12) on `TEXT` (a `String` without `max_length`), `LONGBLOB` or `JSON` are
//!   refused: MySQL indexes those only by a prefix.
//! - **Literals** are written with `\` escaped (one quoting function,
//!   `lex::quote_literal`): the script and the runtime turn `NO_BACKSLASH_ESCAPES` off
//!   ([`SESSION_SETUP`]).
//! - **DDL is not transactional** (docs/DATABASE_TRAPS.md M11): each statement commits
//!   on its own. A primary key, unique constraint or index that changes is therefore
//!   dropped and added in one `ALTER TABLE`, which MySQL applies whole or not at all (a
//!   foreign key or CHECK keeping its name cannot be, and takes two statements).
//!
//! # What reflection hands the dialect
//!
//! The runtime reads `information_schema` for `TABLE_SCHEMA = DATABASE()` and reports:
//!
//! - every table (`TABLES.TABLE_TYPE = 'BASE TABLE'`) with `schema:
//!   Some(DATABASE_SCHEMA)`, `TABLE_COMMENT` as its comment (`''` is none), and
//!   `Schema::schemas = [DATABASE_SCHEMA]`;
//! - each column's type as `COLUMNS.COLUMN_TYPE` through [`parse_type`] (unchanged:
//!   `int(11)`, `tinyint(1)`, `longtext`, `datetime(6)`); `IS_NULLABLE`;
//!   `COLUMN_COMMENT`; `auto_increment` when `EXTRA` holds `auto_increment`; a generated
//!   column (`EXTRA` `VIRTUAL GENERATED`/`STORED GENERATED`) with
//!   [`from_catalog`]`(GENERATION_EXPRESSION)`; `COLLATION_NAME` only when it differs
//!   from `TABLES.TABLE_COLLATION`;
//! - each column's default as [`reflected_default`]`(flavor, COLUMN_DEFAULT, EXTRA,
//!   COLUMN_TYPE)`: the flavor tells MariaDB's spelling (quoted literals, the string
//!   `NULL` for "no default") from MySQL 8's (raw literal values; expressions only marked
//!   by `EXTRA = DEFAULT_GENERATED`), which cannot be told apart from the text alone;
//! - CHECKs from `CHECK_CONSTRAINTS` (joined with `TABLE_CONSTRAINTS` for the table) as
//!   [`from_catalog`]`(CHECK_CLAUSE)` with their names, MariaDB's column-level ones (a
//!   JSON column's `json_valid` included) too;
//! - the primary key, unique constraints and indexes from `STATISTICS` (`NON_UNIQUE`,
//!   `SEQ_IN_INDEX`, `COLLATION` `D` for descending, `INDEX_TYPE` lower case as the
//!   method), foreign keys from `KEY_COLUMN_USAGE` and `REFERENTIAL_CONSTRAINTS`
//!   (`DELETE_RULE`, `UPDATE_RULE`), each with its name; the index InnoDB made for a
//!   foreign key is reported like any other (the normal form drops it).

mod alter;
mod lex;
mod normalize;
mod online;
mod render;
mod sql_expr;
mod types;
mod validate;

pub use types::{TIMESTAMP_SQL, parse_type};
pub use validate::MAX_IDENTIFIER_CHARS;

use super::{ChangeContext, ChangeSql, Dialect};
use crate::error::Result;
use crate::model::{ColumnType, QualifiedName, TableDef};
use crate::plan::{Change, Plan};

/// The URL schemes of MySQL and MariaDB servers (`mysql://user@host/db`).
pub const SCHEMES: &[&str] = &["mysql", "mariadb"];

/// The schema every table has in the normal form: the connection's database (MySQL has no
/// schemas inside a database). Never written into SQL.
pub const DATABASE_SCHEMA: &str = "database";

/// The table options of every CREATE TABLE (see the module documentation).
pub const TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/// The session settings DDL written by this dialect needs, run before the steps by the
/// script and by the runtime on its connection: `NO_BACKSLASH_ESCAPES` off (literals
/// escape `\`), `STRICT_TRANS_TABLES` on (a value that does not fit a changed column
/// fails the statement instead of being silently truncated, as `Dialect::misfit_effect`
/// assumes). The rest of the session's `sql_mode` is kept.
pub const SESSION_SETUP: &str = "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ',')), ''), 'STRICT_TRANS_TABLES')";

/// Which server reported a catalog value: their `information_schema` spellings differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// MySQL 8.
    MySql,
    /// MariaDB 10.x and 11.x (`SELECT VERSION()` contains `MariaDB`).
    MariaDb,
}

/// A column default as `information_schema.COLUMNS` reports it, as the SQL expression a
/// declaration would write (the form [`Dialect::normalize_table`] reads); `None` for no
/// default. The reflection contract (docs/DATABASE_TRAPS.md M2, M3):
///
/// - MariaDB: `COLUMN_DEFAULT` is SQL text: `'abc'` quoted, `0`, `current_timestamp()`;
///   the string `NULL` means a NULL default, SQL NULL no default at all. The text is read
///   with MySQL's quoting ([`from_catalog`]).
/// - MySQL 8: `COLUMN_DEFAULT` is the raw value of a literal default (`abc` for `'abc'`,
///   `0`, `b'0'` for a BIT) and the text of an expression default only when `EXTRA`
///   holds `DEFAULT_GENERATED` (``concat(_utf8mb4\'a\',`b`)``, `CURRENT_TIMESTAMP(6)`):
///   `extra` decides which, and `column_type` (`COLUMN_TYPE`) whether a raw value is
///   quoted (it is, except on numeric and BIT columns).
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::mysql::{Flavor, reflected_default};
/// assert_eq!(reflected_default(Flavor::MariaDb, Some("'it''s'"), "", "varchar(10)").as_deref(), Some("'it''s'"));
/// assert_eq!(reflected_default(Flavor::MariaDb, Some("NULL"), "", "int(11)"), None);
/// assert_eq!(reflected_default(Flavor::MySql, Some("it's"), "", "varchar(10)").as_deref(), Some("'it''s'"));
/// assert_eq!(reflected_default(Flavor::MySql, Some("0"), "", "int").as_deref(), Some("0"));
/// assert_eq!(
///     reflected_default(Flavor::MySql, Some("_utf8mb4\\'x\\'"), "DEFAULT_GENERATED", "text").as_deref(),
///     Some("(_utf8mb4'x')")
/// );
/// ```
pub fn reflected_default(
    flavor: Flavor,
    column_default: Option<&str>,
    extra: &str,
    column_type: &str,
) -> Option<String> {
    let text = column_default?;
    match flavor {
        Flavor::MariaDb => (text != "NULL").then(|| from_catalog(text)),
        Flavor::MySql => {
            let generated = extra
                .split_whitespace()
                .any(|w| w.eq_ignore_ascii_case("DEFAULT_GENERATED"));
            let ty = parse_type(column_type);
            let bit = column_type.trim().to_ascii_lowercase().starts_with("bit");
            let current_time = types::datetime_precision(&ty).is_some()
                && text.to_ascii_lowercase().starts_with("current_timestamp");
            if generated {
                Some(format!("({})", from_catalog(text)))
            } else if types::is_numeric(&ty) || ty == ColumnType::Boolean || bit || current_time {
                Some(text.to_string())
            } else {
                Some(lex::standard_literal(text))
            }
        }
    }
}

/// Text the catalog reports — `CHECK_CLAUSE`, `GENERATION_EXPRESSION`, MariaDB's
/// `COLUMN_DEFAULT` — read with MySQL's quoting (`\` escapes, `"..."` strings) and written
/// with the declaration's (standard SQL literals), so that the normal form reads both
/// sides alike. MySQL 8's extra escaping of quotes in `information_schema`
/// (`_utf8mb4\'x\'`) is undone.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::mysql::from_catalog;
/// assert_eq!(from_catalog(r"(`name` <> _utf8mb4'a\\b')"), r"(`name` <> _utf8mb4'a\b')");
/// ```
pub fn from_catalog(text: &str) -> String {
    lex::from_catalog(text)
}

/// The MySQL dialect. Use the [`MYSQL`](super::MYSQL) static as `&'static dyn Dialect`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MySql;

impl Dialect for MySql {
    fn name(&self) -> &'static str {
        "mysql"
    }

    /// Each DDL statement commits on its own (an implicit commit before and after).
    fn transactional_ddl(&self) -> bool {
        false
    }

    /// TEXT, BLOB and JSON (MariaDB's LONGTEXT) are keyed only by a prefix (M12).
    fn keys_whole(&self, ty: &ColumnType) -> bool {
        !matches!(ty, ColumnType::Text | ColumnType::Blob | ColumnType::Json)
            && !matches!(ty, ColumnType::Custom(t) if ["text", "blob", "json"].iter().any(|k| t.to_ascii_lowercase().contains(k)))
    }

    /// A view is resolved when it is used; a trigger's statement when it fires.
    fn dependents_survive_type_changes(&self) -> bool {
        true
    }

    /// A change InnoDB may copy the table for, and one it runs in place (the `online`
    /// module).
    ///
    /// MySQL does not fill [`Dialect::table_effects`]: its classes would map onto the
    /// work (instant: catalog only; in place: the table is read; copy: rewritten), but
    /// not onto the lock, which [`crate::effect::LockLevel`] names by PostgreSQL's modes
    /// and InnoDB decides per server version (a metadata lock, writes blocked or not).
    /// Half an effect would read as a claim about locks the plan cannot make; the note
    /// in the reason and the raised risk already say what the application feels.
    fn online_note(
        &self,
        change: &Change,
        context: &ChangeContext<'_>,
    ) -> Option<(crate::plan::Risk, String)> {
        online::note(change, context)
    }

    /// "Cannot change column 'id': used in a foreign key constraint", even with
    /// `foreign_key_checks` off (M15).
    fn alters_key_column_types(&self) -> bool {
        false
    }

    fn display_name(&self) -> &'static str {
        "MySQL"
    }

    fn url_schemes(&self) -> &'static [&'static str] {
        SCHEMES
    }

    /// The two timestamp types are one `DATETIME(6)`.
    fn stores_alike(&self, from: &ColumnType, to: &ColumnType) -> bool {
        use ColumnType as T;
        matches!(
            (from, to),
            (T::Timestamp | T::TimestampTz, T::Timestamp | T::TimestampTz)
        )
    }

    /// As declared types are enforced: in strict mode (which [`SESSION_SETUP`] turns on)
    /// MySQL refuses a value that does not fit the narrowed column, as PostgreSQL does, so
    /// the effect is what it is where types are enforced. (Without strict mode MySQL
    /// would truncate it with only a warning.)
    fn misfit_effect(&self, _to: &ColumnType, effect: crate::data::Effect) -> crate::data::Effect {
        effect
    }

    /// `MODIFY COLUMN` copies the table, except for a longer VARCHAR keeping its length
    /// prefix's size (and between the two timestamp types, one storage).
    fn type_change_rewrites(&self, from: &ColumnType, to: &ColumnType) -> bool {
        !types::in_place(from, to)
    }

    /// Backticks, a backtick doubled.
    fn quote_ident(&self, ident: &str) -> String {
        lex::quote_ident(ident)
    }

    /// The table name alone: tables live in the connection's database.
    fn quote_table(&self, table: &QualifiedName) -> String {
        self.quote_ident(&table.name)
    }

    /// Lower case (Unicode): column, index and constraint names are case-insensitive.
    /// Table names are too on Windows and macOS servers; on Linux two tables differing
    /// only in case are refused as one declared twice rather than created side by side.
    fn identifier_key(&self, ident: &str) -> String {
        ident.to_lowercase()
    }

    fn supports_comments(&self) -> bool {
        true
    }

    fn column_type_sql(&self, ty: &ColumnType) -> String {
        types::type_sql(ty)
    }

    /// Always [`DATABASE_SCHEMA`] unless the table names another schema (which validation
    /// refuses).
    fn effective_schema(&self, table_schema: Option<&str>, _target_schema: &str) -> String {
        match table_schema {
            Some(schema) if !schema.eq_ignore_ascii_case(DATABASE_SCHEMA) => schema.to_string(),
            _ => DATABASE_SCHEMA.to_string(),
        }
    }

    fn validate_table(&self, table: &TableDef) -> Result<()> {
        validate::table(self, table)
    }

    /// MySQL has no schemas inside a database to create.
    fn create_schema_sql(&self, _schema: &str) -> Option<String> {
        None
    }

    /// CREATE TABLE (comments inline, [`TABLE_OPTIONS`]), then its CREATE INDEX statements.
    fn create_table_sql(&self, table: &TableDef, deferred_fks: &[String]) -> Result<Vec<String>> {
        render::create_table(self, table, deferred_fks)
    }

    /// `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY ...`: CREATE TABLE cannot reference a
    /// table that does not exist yet (with foreign-key checks on).
    fn add_foreign_key_sql(&self, table: &TableDef, fk_name: &str) -> Result<Option<String>> {
        render::add_foreign_key(self, table, fk_name).map(Some)
    }

    /// `COLUMN_TYPE` spellings to logical types (see [`parse_type`]).
    fn parse_type(&self, sql: &str) -> ColumnType {
        parse_type(sql)
    }

    /// See the rules in the `normalize` module.
    fn normalize_table(&self, table: &TableDef) -> TableDef {
        normalize::table(table)
    }

    /// A boolean reads back as `tinyint(1)`, `CURRENT_TIMESTAMP` as `current_timestamp(6)`:
    /// every declared table needs its normal form.
    fn normalizes_every_declaration(&self) -> bool {
        true
    }

    /// `ALTER TABLE`, `CREATE INDEX`, `RENAME TABLE` and `DROP TABLE` statements (the
    /// `alter` module lists them); MySQL never needs a table rebuild.
    fn change_sql(&self, change: &Change, context: &ChangeContext<'_>) -> Result<ChangeSql> {
        alter::change_sql(self, change, context)
    }

    /// The session settings ([`SESSION_SETUP`]), and a warning: MySQL commits each DDL
    /// statement on its own, so a script that stops half-way leaves the steps before the
    /// failing one applied.
    fn script_prologue(&self, _plan: &Plan) -> String {
        format!(
            "-- MySQL and MariaDB commit each DDL statement on its own: a failing statement leaves the steps before it applied\n-- the session settings the statements are written for: `\\` escaped in literals, strict mode\n{SESSION_SETUP};\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::MYSQL;

    #[test]
    fn names_schemes_and_schema() {
        assert_eq!(MYSQL.name(), "mysql");
        assert_eq!(MYSQL.display_name(), "MySQL");
        assert_eq!(MYSQL.url_schemes(), ["mysql", "mariadb"]);
        assert_eq!(MYSQL.default_schema(), None);
        assert_eq!(MYSQL.create_schema_sql("x"), None);
        assert_eq!(MYSQL.effective_schema(None, "public"), DATABASE_SCHEMA);
        assert_eq!(
            MYSQL.effective_schema(Some("DATABASE"), "public"),
            DATABASE_SCHEMA
        );
        assert_eq!(MYSQL.effective_schema(Some("other"), "public"), "other");
        assert_eq!(
            MYSQL.quote_table(&QualifiedName::with_schema(DATABASE_SCHEMA, "t")),
            "`t`"
        );
    }

    #[test]
    fn hostile_identifiers_are_quoted() {
        for (raw, quoted) in [
            ("user", "`user`"),
            ("order", "`order`"),
            ("with space", "`with space`"),
            ("back`tick", "`back``tick`"),
            ("`", "````"),
            ("quo\"te", "`quo\"te`"),
            ("it's", "`it's`"),
            ("ünïcødé", "`ünïcødé`"),
        ] {
            assert_eq!(MYSQL.quote_ident(raw), quoted);
        }
        assert!(MYSQL.same_identifier("Users", "users"));
        assert!(MYSQL.same_identifier("É", "é"));
        assert!(!MYSQL.same_identifier("a", "b"));
    }

    #[test]
    fn defaults_as_each_server_reports_them() {
        let maria = |d: Option<&str>, ty: &str| reflected_default(Flavor::MariaDb, d, "", ty);
        let mysql =
            |d: Option<&str>, extra: &str, ty: &str| reflected_default(Flavor::MySql, d, extra, ty);
        // No default at all, and a NULL default.
        assert_eq!(maria(None, "int(11)"), None);
        assert_eq!(maria(Some("NULL"), "int(11)"), None);
        assert_eq!(mysql(None, "", "int"), None);
        // The string 'NULL' is a string.
        assert_eq!(
            maria(Some("'NULL'"), "varchar(5)").as_deref(),
            Some("'NULL'")
        );
        assert_eq!(
            mysql(Some("NULL"), "", "varchar(5)").as_deref(),
            Some("'NULL'")
        );
        // Backslashes: MariaDB escapes them, MySQL 8 reports the value.
        assert_eq!(
            maria(Some(r"'a\\b'"), "varchar(5)").as_deref(),
            Some(r"'a\b'")
        );
        assert_eq!(
            mysql(Some(r"a\b"), "", "varchar(5)").as_deref(),
            Some(r"'a\b'")
        );
        // Expressions.
        assert_eq!(
            maria(Some("current_timestamp(6)"), "datetime(6)").as_deref(),
            Some("current_timestamp(6)")
        );
        assert_eq!(
            mysql(
                Some("CURRENT_TIMESTAMP(6)"),
                "DEFAULT_GENERATED",
                "datetime(6)"
            )
            .as_deref(),
            Some("(CURRENT_TIMESTAMP(6))")
        );
        assert_eq!(
            mysql(
                Some("CURRENT_TIMESTAMP(6)"),
                "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)",
                "datetime(6)"
            )
            .as_deref(),
            Some("(CURRENT_TIMESTAMP(6))")
        );
        assert_eq!(mysql(Some("b'0'"), "", "bit(1)").as_deref(), Some("b'0'"));
        assert_eq!(
            mysql(Some("0.00"), "", "decimal(10,2)").as_deref(),
            Some("0.00")
        );
    }

    #[test]
    fn a_plan_script_sets_the_session_up_first() {
        let hostile = tests_support::declarable(crate::dialect::fixtures::hostile());
        let plan = crate::build_plan(
            &[hostile],
            &crate::Schema::default(),
            &MYSQL,
            &crate::Options::default(),
        )
        .unwrap();
        let script = plan.to_sql();
        let setup = script.find(SESSION_SETUP).expect("session set-up");
        let create = script.find("CREATE TABLE `user` (").expect("create table");
        assert!(setup < create, "{script}");
        assert!(
            script.contains("CONSTRAINT `fk \"self\"` FOREIGN KEY (`na\"me`, `with space`) REFERENCES `user` (`ünïcødé`, `with space`) ON DELETE RESTRICT"),
            "{script}"
        );
    }

    #[test]
    fn the_script_turns_backslash_escapes_on_and_strict_mode_on() {
        let plan = crate::plan::Plan::new("mysql", Vec::new(), Vec::new(), Vec::new());
        let prologue = MYSQL.script_prologue(&plan);
        assert!(prologue.contains("NO_BACKSLASH_ESCAPES"));
        assert!(prologue.contains("STRICT_TRANS_TABLES"));
        assert!(prologue.ends_with(";\n"));
    }
}

/// Tables shared by this dialect's tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::DATABASE_SCHEMA;
    use crate::dialect::fixtures::{col, fk, null, pk, serial, with_default};
    use crate::model::{
        Check, ColumnType, FkAction, ForeignKey, Index, IndexColumn, SortOrder, TableDef,
        UniqueConstraint,
    };

    /// `table` (a fixture written for the other dialects) as a MySQL declaration may
    /// spell it: a precision for every DECIMAL, `VARCHAR(255)` for text keys (TEXT is
    /// refused in keys, M12), `citext` as text, no index options MySQL lacks, no `SET
    /// DEFAULT` foreign-key action.
    pub(crate) fn declarable(mut table: TableDef) -> TableDef {
        use crate::model::IndexColumn;
        let mut keyed: Vec<String> = Vec::new();
        keyed.extend(table.primary_key.iter().flat_map(|pk| pk.columns.clone()));
        keyed.extend(table.uniques.iter().flat_map(|u| u.columns.clone()));
        keyed.extend(table.foreign_keys.iter().flat_map(|f| f.columns.clone()));
        keyed.extend(
            table
                .indexes
                .iter()
                .flat_map(|i| i.columns.iter().map(|c| c.name.clone())),
        );
        for column in &mut table.columns {
            if column.ty == ColumnType::Custom("citext".into()) {
                column.ty = ColumnType::Text;
            }
            if let ColumnType::Decimal {
                precision: None, ..
            } = column.ty
            {
                column.ty = ColumnType::Decimal {
                    precision: Some(65),
                    scale: Some(30),
                };
            }
            if keyed.contains(&column.name)
                && matches!(
                    column.ty,
                    ColumnType::Text | ColumnType::Blob | ColumnType::Json
                )
            {
                column.ty = ColumnType::Varchar(255);
            }
        }
        for index in &mut table.indexes {
            index.predicate = None;
            index.method = None;
            index.include.clear();
            index.nulls_not_distinct = false;
            for key in &mut index.columns {
                *key = IndexColumn {
                    order: key.order,
                    ..IndexColumn::asc(key.name.clone())
                };
            }
        }
        for fk in &mut table.foreign_keys {
            for action in [&mut fk.on_delete, &mut fk.on_update] {
                if *action == FkAction::SetDefault {
                    *action = FkAction::NoAction;
                }
            }
        }
        table
    }

    /// `table` resolved into the connection's database, as the planner hands it over.
    pub(crate) fn resolved(table: TableDef) -> TableDef {
        crate::dialect::fixtures::resolved(table, DATABASE_SCHEMA)
    }

    /// Every logical type, default form, constraint kind and index kind MySQL can have.
    pub(crate) fn products() -> TableDef {
        let mut description = null("description", ColumnType::Text);
        description.comment = Some("Free text, shown as is".to_string());
        TableDef {
            name: "products".to_string(),
            comment: Some("Things a vendor's shop sells".to_string()),
            columns: vec![
                serial("id"),
                col("sku", ColumnType::Varchar(64)),
                description,
                with_default(
                    "price",
                    ColumnType::Decimal {
                        precision: Some(10),
                        scale: Some(2),
                    },
                    "0",
                ),
                null(
                    "whole",
                    ColumnType::Decimal {
                        precision: Some(12),
                        scale: None,
                    },
                ),
                with_default("small", ColumnType::SmallInt, "-1"),
                with_default("qty", ColumnType::Integer, "(1+1)"),
                col("vendor_id", ColumnType::BigInt),
                null("parent_id", ColumnType::BigInt),
                null("ratio", ColumnType::Real),
                null("score", ColumnType::Double),
                with_default("active", ColumnType::Boolean, "TRUE"),
                null("data", ColumnType::Blob),
                null("day", ColumnType::Date),
                null("at", ColumnType::Time),
                null("seen", ColumnType::Timestamp),
                with_default("created_at", ColumnType::TimestampTz, "CURRENT_TIMESTAMP"),
                null("uid", ColumnType::Uuid),
                null("doc", ColumnType::Json),
                with_default("code", ColumnType::Custom("enum('a','b')".into()), "'a'"),
                with_default("note", ColumnType::Text, "'a;b'"),
                with_default("quote", ColumnType::Varchar(20), "'it''s'"),
                with_default("path", ColumnType::Varchar(20), r"'a\b'"),
                with_default("lowered", ColumnType::Varchar(20), "lower('X')"),
                with_default("day_added", ColumnType::Date, "CURRENT_DATE"),
            ],
            primary_key: pk(&["id"]),
            uniques: vec![UniqueConstraint {
                nulls_not_distinct: false,
                name: "uq_products_sku".to_string(),
                columns: vec!["sku".to_string()],
            }],
            foreign_keys: vec![
                ForeignKey {
                    on_delete: FkAction::SetNull,
                    on_update: FkAction::Cascade,
                    not_valid: false,
                    ..fk("fk_products_parent", &["parent_id"], "products", &["id"])
                },
                ForeignKey {
                    on_delete: FkAction::Cascade,
                    ..fk("fk_products_vendor", &["vendor_id"], "vendors", &["id"])
                },
            ],
            checks: vec![Check {
                name: "ck_products_price".to_string(),
                expr: r#"price >= 0 AND "sku" <> 'a\b'"#.to_string(),
                not_valid: false,
            }],
            indexes: vec![
                Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ix_products_vendor_sku".to_string(),
                    columns: vec![
                        IndexColumn::asc("vendor_id"),
                        IndexColumn {
                            order: SortOrder::Desc,
                            ..IndexColumn::asc("sku")
                        },
                    ],
                    unique: false,
                    predicate: None,
                },
                Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ux_products_uid".to_string(),
                    columns: vec![IndexColumn::asc("uid")],
                    unique: true,
                    predicate: None,
                },
            ],
            ..TableDef::default()
        }
    }
}
