//! `now()`, `CURRENT_TIMESTAMP` and `transaction_timestamp()` are one function on
//! PostgreSQL (the transaction's start time). A database spelling a default one way and a
//! declaration spelling it another compare equal — live, offline (`diff_snapshots`) and
//! again after an apply — while a really different function (`clock_timestamp()`) is still
//! a change. PostgreSQL 15 keeps each spelling as written (`CURRENT_TIMESTAMP` reads back
//! as `CURRENT_TIMESTAMP`, `now()` as `now()`), so only dbconform's normal form can tell.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{PgScratch, pg_url};
use dbconform::sqlx;
use dbconform::{ChangeKind, Schema, Table, TableDef};

/// The database's spellings: each column has one of the three, the declaration below
/// another.
const DDL: &str = "CREATE TABLE ts_events (
    id integer PRIMARY KEY,
    a timestamptz NOT NULL DEFAULT now(),
    b timestamptz DEFAULT CURRENT_TIMESTAMP,
    c timestamp DEFAULT transaction_timestamp(),
    d timestamptz DEFAULT (now() + '1 day'::interval),
    e timestamptz DEFAULT clock_timestamp()
)";

#[derive(Table)]
#[table(name = "ts_events")]
struct Event {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "timestamptz")]
    a: String,
    #[column(default = "transaction_timestamp()", sql_type = "timestamptz")]
    b: Option<String>,
    #[column(default = "now()", sql_type = "timestamp")]
    c: Option<String>,
    #[column(
        default = "CURRENT_TIMESTAMP + interval '1 day'",
        sql_type = "timestamptz"
    )]
    d: Option<String>,
    #[column(default = "clock_timestamp()", sql_type = "timestamptz")]
    e: Option<String>,
}

/// The same table with `e` declared `now()` (`clock_timestamp()` is another function)
/// and a new column `added` defaulting to `now()`. Built from [`Event`]: a second derive of
/// the same table would be a duplicate in the registry the snapshot reads.
fn event_now() -> TableDef {
    let mut table = Event::table_def();
    let e = table
        .columns
        .iter_mut()
        .find(|c| c.name == "e")
        .expect("column e");
    e.default = Some("now()".into());
    let mut added = e.clone();
    added.name = "added".into();
    table.columns.push(added);
    table
}

/// The stored default of `column`, as `pg_get_expr` reads it.
async fn stored_default(scratch: &PgScratch, column: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
         JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
         JOIN pg_class c ON c.oid = d.adrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = 'ts_events' AND a.attname = $2",
    )
    .bind(&scratch.schema)
    .bind(column)
    .fetch_optional(&scratch.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn now_and_current_timestamp_compare_equal() {
    let Some(url) = pg_url() else { return };
    let (scratch, db) = PgScratch::with_ddl(&url, "ts_equal", DDL).await;
    // The server keeps each spelling: the normal form must bridge them.
    assert_eq!(
        stored_default(&scratch, "a").await.as_deref(),
        Some("now()")
    );
    assert_eq!(
        stored_default(&scratch, "b").await.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    let plan = db.compare(&[Event::table_def()]).await;
    // Offline: the reflected schema against the declaration, without the database.
    let snapshot = db.snapshot().await;
    scratch.cleanup().await;
    let plan = plan.unwrap();
    assert!(plan.is_empty(), "expected no change:\n{plan}");

    let mut actual = snapshot.unwrap();
    let options = db.options().clone();
    let mut declared = Event::table_def();
    declared.schema = Some(options.target_schema.clone());
    // Offline nothing asks the server how it stores `interval '1 day'`: the declaration
    // spells the literal as stored, and the function another way.
    for column in &mut declared.columns {
        if column.name == "d" {
            column.default = Some("transaction_timestamp() + '1 day'::interval".into());
        }
    }
    for table in &mut actual.tables {
        table.schema = Some(options.target_schema.clone());
    }
    let desired = Schema::new(vec![declared]);
    let offline = dbconform::diff_snapshots(&desired, &actual, db.dialect(), &options).unwrap();
    assert!(offline.is_empty(), "expected no change offline:\n{offline}");
}

#[tokio::test]
async fn another_function_is_still_a_change_and_a_second_compare_is_empty() {
    let Some(url) = pg_url() else { return };
    let (scratch, db) = PgScratch::with_ddl(&url, "ts_change", DDL).await;
    let tables: Vec<TableDef> = vec![event_now()];
    let plan = db.compare(&tables).await.unwrap();
    let kinds: Vec<(ChangeKind, String)> = plan
        .steps()
        .iter()
        .map(|s| (s.kind, s.describe()))
        .collect();
    let report = db.apply(&tables).await;
    let after = db.compare(&tables).await;
    let e = stored_default(&scratch, "e").await;
    let added = stored_default(&scratch, "added").await;
    scratch.cleanup().await;
    // Exactly the two real changes: `e` (clock_timestamp() → now()) and the new column.
    assert_eq!(kinds.len(), 2, "{plan}");
    assert!(
        kinds
            .iter()
            .any(|(k, d)| *k == ChangeKind::AlterColumn && d.contains(".e")),
        "{plan}"
    );
    assert!(
        kinds.iter().any(|(k, _)| *k == ChangeKind::AddColumn),
        "{plan}"
    );
    report.unwrap();
    assert_eq!(e.as_deref(), Some("now()"));
    assert_eq!(added.as_deref(), Some("now()"));
    let after = after.unwrap();
    assert!(after.is_empty(), "a second compare finds nothing:\n{after}");
}
