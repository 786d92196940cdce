//! On PostgreSQL the statements of several steps go in one round trip, and the server
//! answers them all when the last is done: a step's time cannot be told from its
//! neighbours', so the report must not give the whole round trip to the first step
//! (issue 16).

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;

use common::{PgScratch, pg_url};
use dbconform::{DbConform, Table};
use std::time::Duration;

#[derive(Table)]
#[table(name = "timed")]
struct Before {
    #[column(primary_key)]
    id: i64,
}

// Step 1 adds a column (fast); step 2 a CHECK whose validation sleeps 300 ms on the one row.
#[derive(Table)]
#[table(name = "timed")]
#[check(name = "ck_slow", expr = "(pg_sleep(0.3))::text = ''")]
struct After {
    #[column(primary_key)]
    id: i64,
    note: Option<String>,
}

#[tokio::test]
async fn a_slow_step_is_not_charged_to_the_first_step_of_its_round_trip() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "timing").await;
    let db = DbConform::from_pool(scratch.pool.clone()).with_options(scratch.options());
    db.apply(&[Before::table_def()]).await.unwrap();
    scratch.exec("INSERT INTO {S}timed (id) VALUES (1)").await;
    let report = db.apply(&[After::table_def()]).await.unwrap();
    let described: Vec<String> = report.executed.iter().map(|e| e.step.describe()).collect();
    assert_eq!(described.len(), 2, "{report}");
    assert!(described[0].starts_with("add column"), "{report}");
    // The first step is not given the sleep: either its own time or none.
    assert!(
        report.executed[0]
            .duration
            .is_none_or(|d| d < Duration::from_millis(300)),
        "{report}"
    );
    // The round trip holding both took the sleep, and the report says so once.
    let round_trip = report
        .round_trips
        .iter()
        .find(|r| r.first_step == 1)
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!((round_trip.first_step, round_trip.last_step), (1, 2));
    assert!(
        round_trip.duration >= Duration::from_millis(300),
        "{report}"
    );
    let text = report.to_string();
    assert!(
        text.contains("steps 1–2 took") && text.contains("together (one round trip"),
        "{text}"
    );
    scratch.cleanup().await;
}
