//! Helpers shared by the integration tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, PgPool, postgres::PgPoolOptions};
use dbconform::{Column, ColumnType, Index, IndexColumn, PrimaryKey, TableDef, UniqueConstraint};
use std::sync::atomic::{AtomicU32, Ordering};

/// The PostgreSQL URL from `DBCONFORM_TEST_PG_URL`. Without it the PostgreSQL tests are
/// skipped locally, but fail in CI (`CI` set), where they must never be skipped.
pub fn pg_url() -> Option<String> {
    match std::env::var("DBCONFORM_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("DBCONFORM_TEST_PG_URL is not set: the PostgreSQL tests must run in CI")
        }
        _ => {
            eprintln!("DBCONFORM_TEST_PG_URL is not set: skipping a PostgreSQL test");
            None
        }
    }
}

/// A scratch schema for one test, dropped by `cleanup`.
pub struct PgScratch {
    pub pool: PgPool,
    pub schema: String,
}

impl PgScratch {
    pub async fn new(url: &str, tag: &str) -> PgScratch {
        static N: AtomicU32 = AtomicU32::new(0);
        // Keep well under PostgreSQL's 63-byte identifier limit, which dbconform enforces.
        let tag: String = tag
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(32)
            .collect();
        let schema = format!(
            "dbct_{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(url)
            .await
            .expect("connect to PostgreSQL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
        )))
        .execute(&pool)
        .await
        .unwrap();
        PgScratch { pool, schema }
    }

    pub fn options(&self) -> dbconform::Options {
        dbconform::Options {
            target_schema: self.schema.clone(),
            ..dbconform::Options::default()
        }
    }

    pub async fn cleanup(self) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
            self.schema
        )))
        .execute(&self.pool)
        .await
        .unwrap();
        self.pool.close().await;
    }
}

/// A SQLite file in a fresh temporary directory.
pub fn sqlite_file() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    (dir, url)
}

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
        "we\"ird 'name'",
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
                    name: format!("uq {i} \"q\""),
                    columns: vec![column.clone()],
                }],
                indexes: vec![Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    name: format!("ix {i} 'x'"),
                    columns: vec![IndexColumn::asc("group")],
                    unique: false,
                    predicate: None,
                }],
                ..TableDef::default()
            }
        })
        .collect()
}
