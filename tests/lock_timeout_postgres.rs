//! Bounded waiting on a busy PostgreSQL: an apply whose statement waits for a lock
//! another session holds gives up after `lock_timeout`, is rolled back, and is tried
//! again until the session lets go (the report counts the tries) or `lock_retry_for`
//! runs out (the error names the session); `statement_timeout` cancels a statement that
//! runs too long; a plan warns of the sessions holding its tables before it runs. The
//! database is read back through its own catalog.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::TestDb;
use dbconform::sqlx::{self, Connection, PgConnection};
use dbconform::{Error, Options, Table};
use std::time::Duration;

#[derive(Table)]
#[table(name = "lt_orders")]
struct Before {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "lt_orders")]
#[check(name = "ck_lt_orders_slow", expr = "pg_sleep(0.05) IS NOT NULL")]
struct After {
    #[column(primary_key)]
    id: i64,
    note: Option<String>,
}

/// A session of "the application" holding ACCESS SHARE on `lt_orders` (a read in an open
/// transaction), and its pid.
async fn blocker(db: &TestDb) -> (PgConnection, i32) {
    let mut conn = PgConnection::connect(db.url()).await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(db.sql(
        "SET application_name = 'lt-blocker'; BEGIN; SELECT count(*) FROM {S}lt_orders",
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    (conn, pid)
}

/// `lt_orders` created, held by [`blocker`], and a conformer giving up on each lock after
/// `lock_timeout_ms` and trying again for `retry_for_ms`, with the declaration adding
/// `note`.
async fn held(
    db: &TestDb,
    lock_timeout_ms: u64,
    retry_for_ms: u64,
) -> (
    PgConnection,
    i32,
    common::matrix::Conform,
    dbconform::TableDef,
) {
    db.create(&[Before::table_def()]).await;
    let (held, pid) = blocker(db).await;
    let conform = db
        .conform_with(db.options_with(|o: &mut Options| {
            o.lock_timeout = Some(Duration::from_millis(lock_timeout_ms));
            o.lock_retry_for = Duration::from_millis(retry_for_ms);
            o.skip_data_checks = true;
        }))
        .await;
    let mut table = After::table_def();
    table.checks.clear();
    (held, pid, conform, table)
}

#[tokio::test]
async fn a_held_lock_is_waited_out_and_the_apply_tried_again() {
    let Some(db) = TestDb::postgres("lt_retry").await else {
        return;
    };
    // The session lets go after 1.5 s; each try gives up after 200 ms.
    let (mut held, _, conform, table) = held(&db, 200, 30_000).await;
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        sqlx::raw_sql("COMMIT").execute(&mut held).await.unwrap();
        held.close().await.unwrap();
    });
    let report = conform.apply(&[table]).await.unwrap();
    release.await.unwrap();
    assert!(report.attempts >= 2, "tried {} time(s)", report.attempts);
    assert_eq!(db.columns("lt_orders").await, ["id", "note"]);
    db.cleanup().await;
}

#[tokio::test]
async fn the_retry_window_running_out_names_the_session_holding_the_table() {
    let Some(db) = TestDb::postgres("lt_gave_up").await else {
        return;
    };
    let (mut held, pid, conform, table) = held(&db, 100, 1_000).await;
    let error = conform.apply(&[table]).await.unwrap_err();
    let Error::LockTimeout {
        attempts, blockers, ..
    } = &error
    else {
        panic!("{error}");
    };
    assert!(*attempts >= 2, "{error}");
    assert_eq!(blockers.len(), 1, "{error}");
    assert!(
        blockers[0].starts_with(&format!(
            "pid {pid} (app `lt-blocker`, idle in transaction for "
        )),
        "{error}"
    );
    assert!(
        blockers[0].ends_with(&db.sql("SELECT count(*) FROM {S}lt_orders")),
        "{error}"
    );
    let text = error.to_string();
    assert!(text.contains("nothing was changed"), "{text}");
    // Every try was rolled back.
    assert_eq!(db.columns("lt_orders").await, ["id"]);
    sqlx::raw_sql("ROLLBACK").execute(&mut held).await.unwrap();
    held.close().await.unwrap();
    db.cleanup().await;
}

#[tokio::test]
async fn a_statement_past_the_statement_timeout_is_cancelled_and_rolled_back() {
    let Some(db) = TestDb::postgres("lt_statement").await else {
        return;
    };
    db.create(&[Before::table_def()]).await;
    db.exec("INSERT INTO {S}lt_orders (id) SELECT generate_series(1, 40)")
        .await;
    // Checking the CHECK over 40 rows sleeps 2 s; the statement may run 300 ms.
    let conform = db
        .conform_with(db.options_with(|o| {
            o.statement_timeout = Some(Duration::from_millis(300));
            o.skip_data_checks = true;
        }))
        .await;
    let error = conform.apply(&[After::table_def()]).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("statement timeout"), "{text}");
    assert!(text.contains("rolled back"), "{text}");
    assert_eq!(db.columns("lt_orders").await, ["id"]);
    assert_eq!(db.rows("lt_orders").await, 40);
    db.cleanup().await;
}

#[tokio::test]
async fn a_plan_warns_of_the_sessions_holding_its_tables() {
    let Some(db) = TestDb::postgres("lt_warn").await else {
        return;
    };
    let (mut held, pid, conform, table) = held(&db, 100, 1_000).await;
    // A compare with nothing to do asks the catalog only, whoever holds the table.
    let before = conform.statements_sent();
    assert!(
        conform
            .compare(&[Before::table_def()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(conform.statements_sent() - before, 1);

    // Older than the lock timeout: the plan names the session and what the apply will do.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let plan = conform.compare(std::slice::from_ref(&table)).await.unwrap();
    assert_eq!(plan.warnings().len(), 1, "{plan}");
    let warning = &plan.warnings()[0];
    assert!(
        warning.starts_with(&format!(
            "pid {pid} (app `lt-blocker`, idle in transaction for "
        )),
        "{warning}"
    );
    assert!(
        warning.ends_with(&format!(
            " s) holds {}: the apply will wait up to 100ms for it, then retry (for up to 1s)",
            db.table("lt_orders")
        )),
        "{warning}"
    );
    assert!(
        plan.to_string()
            .contains(&format!("\nWarnings:\n  - {warning}\n")),
        "{plan}"
    );
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["warnings"][0], warning.as_str());

    // Once it lets go, no warning.
    sqlx::raw_sql("ROLLBACK").execute(&mut held).await.unwrap();
    held.close().await.unwrap();
    let plan = conform.compare(&[table]).await.unwrap();
    assert!(plan.warnings().is_empty(), "{plan}");
    db.cleanup().await;
}
