//! An applying process killed half-way (SIGKILL, no cleanup): the database is either fully
//! as before or fully applied — never half — and the next apply succeeds and converges.
//! SQLite recovers through its journal when the file is next opened; PostgreSQL aborts
//! the dead session's transaction.

#[path = "common/mod.rs"]
mod common;

use common::{Backend, TestDb};

use dbconform::{DbConform, Options, TableDef, sample};
use std::process::Command;
use std::time::Duration;

const CHILD_URL: &str = "DBCONFORM_KILLED_URL";
const CHILD_SCHEMA: &str = "DBCONFORM_KILLED_SCHEMA";
const TABLES: usize = 200;

fn tables() -> Vec<TableDef> {
    sample::benchmark_schema(TABLES)
}

fn options(schema: Option<String>) -> Options {
    match schema {
        Some(target_schema) => Options {
            target_schema,
            ..Options::default()
        },
        None => Options::default(),
    }
}

#[tokio::test]
#[ignore = "run in a child process by the killed-apply tests"]
async fn child_applier() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    let schema = std::env::var(CHILD_SCHEMA).ok();
    println!("STARTED");
    DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(options(schema))
        .apply(&tables())
        .await
        .unwrap();
    println!("DONE");
}

/// Kills a child applying the 200-table schema after `after`; returns whether it had
/// finished.
fn kill_after(url: &str, schema: Option<&str>, after: Duration) -> bool {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new(exe);
    command
        .args(["--exact", "child_applier", "--ignored", "--nocapture"])
        .env(CHILD_URL, url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(schema) = schema {
        command.env(CHILD_SCHEMA, schema);
    }
    let mut child = command.spawn().unwrap();
    std::thread::sleep(after);
    let finished = matches!(child.try_wait(), Ok(Some(status)) if status.success());
    let _ = child.kill();
    let _ = child.wait();
    finished
}

/// The number of the schema's tables the database has: 0 or all of them.
async fn tables_present(db: &DbConform) -> usize {
    let snapshot = db.compare(&tables()).await.unwrap();
    let to_create = snapshot
        .steps()
        .iter()
        .filter(|s| s.kind == dbconform::ChangeKind::CreateTable)
        .count();
    TABLES - to_create
}

async fn check_round(db: DbConform, finished: bool, what: &str) {
    let present = tables_present(&db).await;
    assert!(
        present == 0 || present == TABLES,
        "{what}: {present} of {TABLES} tables after the kill: half-applied"
    );
    if finished {
        assert_eq!(present, TABLES, "{what}: finished but not applied");
    }
    if present == TABLES {
        let plan = db.compare(&tables()).await.unwrap();
        assert!(
            plan.is_empty(),
            "{what}: applied but not conformant:\n{plan}"
        );
    }
    db.apply(&tables()).await.unwrap();
    assert!(db.compare(&tables()).await.unwrap().is_empty(), "{what}");
}

/// Kills an apply on a fresh database of `backend` after each of `delays` (milliseconds).
async fn killed_applies(backend: Backend, delays: [u64; 3]) {
    for ms in delays {
        let Some(db) = TestDb::open(backend, "killed").await else {
            return;
        };
        let schema = db.pg().map(|scratch| scratch.schema.as_str());
        let finished = kill_after(db.url(), schema, Duration::from_millis(ms));
        // A failing round still drops its database: the PostgreSQL scratch schema's drop
        // guard does, in pieces (the schema holds about a thousand relations, too many for
        // one transaction on a shared server's lock table).
        let what = format!("{}, killed after {ms} ms", db.name());
        check_round(db.conform().await.into_inner(), finished, &what).await;
        db.cleanup().await;
    }
}

#[tokio::test]
async fn sqlite_a_killed_apply_is_all_or_nothing() {
    killed_applies(Backend::Sqlite, [30, 120, 400]).await;
}

#[tokio::test]
async fn postgres_a_killed_apply_is_all_or_nothing() {
    killed_applies(Backend::Postgres, [60, 250, 800]).await;
}
