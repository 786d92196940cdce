//! An apply sends its statements several to a round trip (`run_steps` batches them): a
//! statement failing in the middle of a later batch is still reported with its own step
//! and statement, and nothing of the earlier batches is committed.
//!
//! 300 benchmark tables make 600 statements (a CREATE TABLE and a CREATE INDEX each),
//! more than two batches. A table the declaration does not know is named like the index
//! of `t0200`, so that CREATE INDEX fails when it is reached (index and table names share
//! a namespace on both backends), far from any batch boundary's start.

mod common;

use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{DbConform, Error, Options, sample};

const TABLES: usize = 300;

/// Applies the benchmark tables over a database holding only the clashing table, and
/// checks the error and that nothing was created.
async fn failing_statement_in_a_later_batch(url: &str, options: Options) {
    let db = DbConform::connect(url)
        .await
        .unwrap()
        .with_options(options.clone());
    let tables = sample::benchmark_schema(TABLES);
    let plan = db.compare(&tables).await.unwrap();
    let statements: usize = plan.steps().iter().map(|s| s.sql.len()).sum();
    assert!(
        statements > 512,
        "{statements} statements: fewer than three batches"
    );
    let failing = plan
        .steps()
        .iter()
        .position(|s| s.describe().contains("t0200"))
        .expect("a step for t0200")
        + 1;
    let before = db.snapshot().await.unwrap();

    let error = db.apply(&tables).await.unwrap_err();
    match &error {
        Error::StepFailed {
            step, statement, ..
        } => {
            assert_eq!(*step, failing, "{error}");
            assert!(
                statement.starts_with("CREATE INDEX") && statement.contains("ix_t0200_name"),
                "{error}"
            );
        }
        other => panic!("expected the CREATE INDEX of t0200 to fail, got: {other}"),
    }
    assert!(error.to_string().contains("ix_t0200_name"), "{error}");
    // Nothing was committed: the first 400 statements (two batches) are rolled back.
    assert_eq!(db.snapshot().await.unwrap(), before);
    assert_eq!(before.tables.len(), 1);
}

#[tokio::test]
async fn sqlite_failing_statement_in_a_later_batch_names_its_step() {
    let (_dir, url) = common::sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let create = "CREATE TABLE ix_t0200_name (x INTEGER)";
    sqlx::raw_sql(AssertSqlSafe(create))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    failing_statement_in_a_later_batch(&url, Options::default()).await;
}

#[tokio::test]
async fn postgres_failing_statement_in_a_later_batch_names_its_step() {
    let Some(url) = common::pg_url() else { return };
    let scratch = common::PgScratch::new(&url, "batched").await;
    let create = format!(
        "CREATE SCHEMA \"{0}\"; CREATE TABLE \"{0}\".ix_t0200_name (x integer)",
        scratch.schema
    );
    sqlx::raw_sql(AssertSqlSafe(create))
        .execute(&scratch.pool)
        .await
        .unwrap();
    failing_statement_in_a_later_batch(&url, scratch.options()).await;
    scratch.cleanup().await;
}
