//! Helpers shared by the integration tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, Connection, PgConnection, PgPool, postgres::PgPoolOptions};
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

/// How many tables the scratch cleanup drops per transaction. Each dropped table takes a
/// lock on itself, its indexes, sequences and TOAST table; a whole schema of a thousand
/// tables in one `DROP SCHEMA ... CASCADE` needs thousands of lock slots and fails with
/// `out of shared memory` on a server whose shared lock table
/// (`max_locks_per_transaction` = 64 per connection by default) other sessions use too.
pub const TABLES_PER_DROP: usize = 50;

/// A scratch schema for one test, dropped by `cleanup` or, when the test never gets there
/// (a failed assertion panics), on drop.
pub struct PgScratch {
    pub pool: PgPool,
    pub schema: String,
    url: String,
    dropped: bool,
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
        // A schema of the same name left by an earlier run of the same process id.
        let mut conn = pool.acquire().await.expect("a connection");
        drop_in_pieces(&mut conn, &schema)
            .await
            .unwrap_or_else(|e| panic!("dropping the stale scratch schema {schema}: {e}"));
        drop(conn);
        PgScratch {
            pool,
            schema,
            url: url.to_string(),
            dropped: false,
        }
    }

    pub fn options(&self) -> dbconform::Options {
        dbconform::Options {
            target_schema: self.schema.clone(),
            ..dbconform::Options::default()
        }
    }

    /// Drops the schema (see [`PgScratch::cleanup_in_pieces`]) and closes the pool.
    pub async fn cleanup(self) {
        let schema = self.schema.clone();
        if let Err(e) = self.cleanup_in_pieces().await {
            panic!("dropping the scratch schema {schema}: {e}");
        }
    }

    /// Drops the schema's tables [`TABLES_PER_DROP`] per transaction, then the schema with
    /// what is left in it, and closes the pool; returns how many tables each transaction
    /// dropped. On failure the drop guard tries again on a connection of its own.
    pub async fn cleanup_in_pieces(mut self) -> Result<Vec<usize>, sqlx::Error> {
        let pieces = match self.pool.acquire().await {
            Ok(mut conn) => drop_in_pieces(&mut conn, &self.schema).await,
            Err(e) => Err(e),
        };
        self.dropped = pieces.is_ok();
        self.pool.close().await;
        pieces
    }
}

impl Drop for PgScratch {
    /// A test that panicked before `cleanup` still leaves nothing behind. The drop may run
    /// while the test's runtime unwinds (it cannot be blocked on, and the test's pool may
    /// hold a connection in a transaction that runtime would have rolled back), so the
    /// schema is dropped from a thread with a runtime and a connection of its own, which
    /// gives up after a lock timeout rather than wait for the test's own locks forever.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let outcome = std::thread::spawn(move || -> Result<Vec<usize>, String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::raw_sql("SET lock_timeout = '10s'")
                    .execute(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?;
                let pieces = drop_in_pieces(&mut conn, &schema)
                    .await
                    .map_err(|e| e.to_string());
                let _ = conn.close().await;
                pieces
            })
        })
        .join();
        match outcome {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("could not drop the scratch schema {}: {e}", self.schema),
            Err(_) => eprintln!(
                "could not drop the scratch schema {}: the cleanup panicked",
                self.schema
            ),
        }
    }
}

/// Drops the tables of `schema` [`TABLES_PER_DROP`] per statement (each its own
/// transaction), then the schema with whatever else it holds (views, sequences, types: a
/// few); returns how many tables each statement dropped. Nothing to do when the schema
/// does not exist.
pub async fn drop_in_pieces(
    conn: &mut PgConnection,
    schema: &str,
) -> Result<Vec<usize>, sqlx::Error> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(&mut *conn)
    .await?;
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let mut pieces = Vec::new();
    for chunk in tables.chunks(TABLES_PER_DROP) {
        let names: Vec<String> = chunk
            .iter()
            .map(|t| format!("{}.{}", quote(schema), quote(t)))
            .collect();
        // CASCADE: a foreign key from a table of a later piece goes with its target.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP TABLE IF EXISTS {} CASCADE",
            names.join(", ")
        )))
        .execute(&mut *conn)
        .await?;
        pieces.push(chunk.len());
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quote(schema)
    )))
    .execute(&mut *conn)
    .await?;
    Ok(pieces)
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
