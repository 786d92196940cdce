//! The load test of issue 19 with small sizes (R = 20,000 rows, N = 4 clients, a 2 s
//! blocker, a 300 ms lock timeout): the driver of `examples/load.rs` run in each
//! scenario, asserting what holds whatever the machine's load — the apply succeeds, no
//! client operation fails, the catalog ends as declared. Latency is printed (run with
//! `--nocapture`), never asserted: stalls are measured by the example on large tables
//! (BENCHMARKS.md, "Busy PostgreSQL").

mod common;
#[path = "../examples/load/driver.rs"]
mod driver;

use common::TestDb;
use driver::{Config, Outcome, Scenario};
use std::time::Duration;

/// One scenario at a time: each has clients of its own to time, on two cores.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `scenario` in `db`'s scratch schema (left for the test to read; `db.cleanup`
/// drops it) and prints the results line.
async fn run(db: &TestDb, scenario: Scenario) -> Outcome {
    let config = Config {
        url: db.url().to_string(),
        schema: db.schema(),
        rows: 20_000,
        clients: 4,
        interval: Duration::from_millis(5),
        lock_timeout: Some(Duration::from_millis(300)),
        blocker_for: Duration::from_secs(2),
        keep_schema: true,
    };
    let outcome = driver::run(&config, scenario).await.unwrap();
    println!("{}\n{}", Outcome::header(), outcome.row());
    for note in outcome.notes() {
        println!("{note}");
    }
    outcome
}

/// The apply succeeded and no client operation failed.
fn applied_without_failures(outcome: &Outcome) -> &dbconform::Report {
    let report = outcome
        .apply
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}\n{}", outcome.row()));
    assert_eq!(
        outcome.during.failed,
        0,
        "{:?}\n{}",
        outcome.during.errors,
        outcome.row()
    );
    assert!(outcome.during.ops > 0, "{}", outcome.row());
    report
}

#[tokio::test]
async fn a_blocked_apply_gives_up_on_its_lock_and_succeeds_once_the_blocker_lets_go() {
    let _serial = SERIAL.lock().await;
    let Some(db) = TestDb::postgres("load_blocker").await else {
        return;
    };
    let outcome = run(&db, Scenario::Blocker).await;
    let report = applied_without_failures(&outcome);
    assert!(report.attempts >= 2, "{}", outcome.row());
    let released = outcome.blocker_released.expect("the blocker's release");
    assert!(released < outcome.apply_time, "{}", outcome.row());
    assert_eq!(
        db.columns("orders").await,
        ["id", "customer_id", "total", "ref_code", "note"]
    );
    db.cleanup().await;
}

/// `orders` once the declaration of scenarios b and c is applied: the index, the unique
/// constraint, the foreign key and the CHECK valid, `customer_id` NOT NULL.
const CONSTRAINED: &[&str] = &[
    "constraint ck_orders_total c true",
    "constraint fk_orders_customer_id f true",
    "constraint orders_pkey p true",
    "constraint uq_orders_ref_code u true",
    "index ix_orders_total true",
    "index orders_pkey true",
    "index uq_orders_ref_code true",
    "column id true",
    "column customer_id true",
    "column total true",
    "column ref_code true",
];

#[tokio::test]
async fn an_online_apply_under_load_fails_no_client_and_leaves_everything_valid() {
    let _serial = SERIAL.lock().await;
    let Some(db) = TestDb::postgres("load_online").await else {
        return;
    };
    let outcome = run(&db, Scenario::Online).await;
    let report = applied_without_failures(&outcome);
    assert!(!report.phases.is_empty(), "{report}");
    assert_eq!(common::pg_table_state(&db, "orders").await, CONSTRAINED);
    db.cleanup().await;
}

#[tokio::test]
async fn the_same_change_in_the_default_mode_under_load_succeeds() {
    let _serial = SERIAL.lock().await;
    let Some(db) = TestDb::postgres("load_default").await else {
        return;
    };
    let outcome = run(&db, Scenario::Default).await;
    let report = applied_without_failures(&outcome);
    assert!(report.phases.is_empty(), "{report}");
    assert_eq!(common::pg_table_state(&db, "orders").await, CONSTRAINED);
    db.cleanup().await;
}
