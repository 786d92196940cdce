//! Helpers shared by the integration tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, PgPool, postgres::PgPoolOptions};
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
