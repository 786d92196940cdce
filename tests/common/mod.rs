//! Helpers shared by the integration tests: the backend matrix ([`matrix`]), scratch
//! databases ([`scratch`]) and shared table definitions. The shared `#[derive(Table)]`
//! models are in `models.rs`, which a test binary includes on its own
//! (`#[path = "common/models.rs"] mod models;`): a derived table registers itself, and the
//! binaries that use the registry (`apply_all`, `compare_all`) must not see them.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod build;
pub mod drift;
pub mod matrix;
#[cfg(feature = "mysql")]
pub mod mysql;
pub mod scratch;

pub(crate) use matrix::backend_tests;
pub use matrix::{Backend, TestDb};
pub use scratch::{
    PgScratch, TABLES_PER_DROP, create_database, drop_database, drop_in_pieces, pg_url,
    sqlite_file, sqlite_with, with_database,
};

use build::index;
use dbconform::sqlx::{self, SqlitePool};
use dbconform::{ChangeKind, Plan, Report};
use dbconform::{Column, ColumnType, IndexColumn, PrimaryKey, TableDef, UniqueConstraint};

/// The kinds of the executed steps, in order.
pub fn kinds(report: &Report) -> Vec<ChangeKind> {
    report.executed.iter().map(|e| e.step.kind).collect()
}

/// What each step of `plan` does, in order.
pub fn described(plan: &Plan) -> Vec<String> {
    plan.steps().iter().map(|s| s.describe()).collect()
}

/// Applies `tables` with `db` as `conform_all` does (`fail_on_blocked`): the apply must be
/// refused with exactly `blocked`; returns the error's text.
pub async fn refused_as_blocked(
    db: dbconform::DbConform,
    tables: &[TableDef],
    blocked: &[dbconform::BlockedStep],
) -> String {
    let options = dbconform::Options {
        fail_on_blocked: true,
        ..db.options().clone()
    };
    let error = db.with_options(options).apply(tables).await.unwrap_err();
    assert!(
        matches!(&error, dbconform::Error::Blocked { blocked: b } if b == blocked),
        "{error}"
    );
    error.to_string()
}

/// The CREATE statement SQLite stores for the table or index `name`.
pub async fn sqlite_sql(pool: &SqlitePool, name: &str) -> String {
    sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = ?")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("no {name} in sqlite_schema: {e}"))
}

/// SQLite tables `a` to `h`: primary keys with and without AUTOINCREMENT, named, composite,
/// and the STRICT and WITHOUT ROWID options.
pub const SQLITE_KEYS_DDL: &str = r#"CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
           CREATE TABLE b (id INTEGER PRIMARY KEY, v TEXT);
           CREATE TABLE c (id INT PRIMARY KEY, v TEXT);
           CREATE TABLE d (id integer NOT NULL, CONSTRAINT pk_d PRIMARY KEY (id AUTOINCREMENT));
           CREATE TABLE e (x TEXT, y TEXT NOT NULL, CONSTRAINT "pk e" PRIMARY KEY (y, x)) WITHOUT ROWID;
           CREATE TABLE f (id INTEGER PRIMARY KEY, n INT NOT NULL, s TEXT) STRICT;
           CREATE TABLE g (k TEXT PRIMARY KEY, v ANY) STRICT, WITHOUT ROWID;
           CREATE TABLE h (v TEXT);"#;

/// The columns of a SQLite table `user` with names in every quoting style (and
/// constraint names, a collation and a default holding quotes).
pub const SQLITE_HOSTILE_COLUMNS: &str = r#""order" INTEGER PRIMARY KEY,
               [group] TEXT CONSTRAINT "uq ""g""" UNIQUE,
               `na"me` TEXT,
               "with space" TEXT CONSTRAINT [ck ü] CHECK ("with space" <> ''),
               ünïcødé TEXT COLLATE NOCASE,
               "select" TEXT DEFAULT 'a '' b'"#;

/// The columns and foreign keys of a SQLite table referencing `parent (id, code)` four
/// times, the keys alike but for their actions or referenced columns.
pub const SQLITE_ALIKE_FOREIGN_KEYS: &str = "id INTEGER PRIMARY KEY,
               p INT,
               q INT,
               CONSTRAINT fk_cascade FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE,
               CONSTRAINT fk_set_null FOREIGN KEY (p) REFERENCES parent (id) ON DELETE SET NULL ON UPDATE RESTRICT,
               CONSTRAINT fk_by_id FOREIGN KEY (q) REFERENCES parent (id),
               CONSTRAINT fk_by_code FOREIGN KEY (q) REFERENCES parent (code)";

/// A table of every SQLite column spelling the reflection tests read back: type names of
/// SQLite and of other databases, defaults, collations, generated columns.
pub const SQLITE_THINGS_DDL: &str = r#"CREATE TABLE things (
            id INTEGER PRIMARY KEY,
            small smallint NOT NULL,
            n int,
            big BIGINT DEFAULT -1,
            r REAL DEFAULT 0.5,
            d Double,
            flag BOOLEAN NOT NULL DEFAULT true,
            t TEXT DEFAULT 'a;b',
            quote TEXT DEFAULT 'it''s',
            v varchar ( 20 ) COLLATE NOCASE,
            b BLOB DEFAULT X'00ff',
            price NUMERIC(10, 2) DEFAULT (0),
            whole numeric(12),
            any_number NUMERIC,
            day DATE DEFAULT CURRENT_DATE,
            at TIME,
            seen timestamp DEFAULT current_timestamp,
            zoned TIMESTAMPTZ,
            odd "my type" COLLATE "rtrim",
            untyped,
            calc DEFAULT (1 + 1),
            lowered TEXT DEFAULT (lower('X')) COLLATE binary,
            twice INTEGER GENERATED ALWAYS AS (n * 2) STORED,
            thrice AS (n * 3)
        )"#;

/// Tables with hostile names (quotes, spaces, unicode, SQL keywords) and a default holding
/// quotes and `;`.
pub fn hostile_tables() -> Vec<TableDef> {
    let names = [
        "order",
        "we\"ird 'na`me'",
        "Ünïcødé 表",
        "select; drop table x; --",
    ];
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let column = format!("{name} col");
            TableDef {
                name: name.to_string(),
                columns: vec![
                    Column::new("id", ColumnType::BigInt),
                    Column {
                        nullable: true,
                        default: Some("'it''s; DROP TABLE x; --'".into()),
                        ..Column::new(column.clone(), ColumnType::Text)
                    },
                    Column {
                        default: Some(i.to_string()),
                        ..Column::new("group", ColumnType::Integer)
                    },
                ],
                primary_key: Some(PrimaryKey {
                    name: None,
                    columns: vec!["id".into()],
                }),
                uniques: vec![UniqueConstraint {
                    nulls_not_distinct: false,
                    name: format!("uq {i} \"q\""),
                    columns: vec![column.clone()],
                }],
                indexes: vec![index(
                    format!("ix {i} 'x'"),
                    vec![IndexColumn::asc("group")],
                )],
                ..TableDef::default()
            }
        })
        .collect()
}

/// A PostgreSQL table's constraints as `constraint <name> <type> <validated>`, its
/// indexes as `index <name> <valid>` and its columns as `column <name> <not-null>`, read
/// from the catalog (`pg_constraint`, `pg_index`, `pg_attribute`) of the scratch schema.
pub async fn pg_table_state(db: &TestDb, table: &str) -> Vec<String> {
    let schema = db.schema();
    let mut out = db
        .texts(&format!(
            "SELECT 'constraint ' || c.conname || ' ' || c.contype::text || ' ' || c.convalidated
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = '{schema}' AND t.relname = '{table}' ORDER BY 1"
        ))
        .await;
    out.extend(
        db.texts(&format!(
            "SELECT 'index ' || i.relname || ' ' || x.indisvalid
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = '{schema}' AND t.relname = '{table}' ORDER BY 1"
        ))
        .await,
    );
    out.extend(
        db.texts(&format!(
            "SELECT 'column ' || attname || ' ' || attnotnull FROM pg_attribute
             WHERE attrelid = '{{S}}{table}'::regclass AND attnum > 0 AND NOT attisdropped
             ORDER BY attnum"
        ))
        .await,
    );
    out
}
