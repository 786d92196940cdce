//! An apply sends its statements several to a round trip (`run_steps` batches them): a
//! statement failing in the middle of a later batch is still reported with its own step
//! and statement, and nothing of the earlier batches is committed.
//!
//! 300 benchmark tables make 600 statements (a CREATE TABLE and a CREATE INDEX each),
//! more than two batches. A table the declaration does not know is named like the index
//! of `t0200`, so that CREATE INDEX fails when it is reached (index and table names share
//! a namespace on both backends), far from any batch boundary's start.

mod common;

use common::{TestDb, backend_tests};
use dbconform::{Error, sample};

const TABLES: usize = 300;

/// Applies the benchmark tables over a database holding only the clashing table, and
/// checks the error and that nothing was created.
async fn failing_statement_in_a_later_batch(db: &TestDb) {
    if db.is_mysql() {
        // MySQL runs each statement on its own, outside any transaction: there are no
        // batches to cross. A failing statement k for every k of a plan is
        // fault_injection.rs's.
        return;
    }
    db.ddl("CREATE TABLE ix_t0200_name (x INTEGER)").await;
    let db = db.conform().await;
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

backend_tests! {
    failing_statement_in_a_later_batch_names_its_step => failing_statement_in_a_later_batch;
}
