//! Snapshots: the declared and the reflected schema are the same `Schema` type, round-trip
//! through JSON, and diff offline exactly as a live compare does.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::dialect::{POSTGRES, SQLITE};
use dbconform::planner::diff_snapshots;
use dbconform::{DbConform, Options, Schema, Table};

/// Books on the shelf.
#[derive(Table)]
#[table(name = "books")]
#[index(columns("title"))]
struct Book {
    #[column(primary_key)]
    id: i64,
    // Offline diffs have no database to spell expressions for them; keep this CHECK in
    // the form PostgreSQL stores it (no implicit casts) so both sides agree.
    #[column(check = "length(title) > 0")]
    title: String,
    #[column(references = "authors(id)", on_delete = "cascade")]
    author_id: i64,
    #[column(default = "0")]
    pages: i32,
}

#[derive(Table)]
#[table(name = "authors")]
struct Author {
    #[column(primary_key)]
    id: i64,
    #[column(unique)]
    name: String,
}

fn round_trip(schema: &Schema) -> Schema {
    let json = serde_json::to_string_pretty(schema).unwrap();
    let back: Schema = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, schema, "JSON round trip changed the schema:\n{json}");
    assert_eq!(
        serde_json::to_string_pretty(&back).unwrap(),
        json,
        "JSON is not stable"
    );
    back
}

#[test]
fn desired_schema_round_trips_through_json_in_a_stable_order() {
    let desired = dbconform::desired_schema().unwrap();
    let names: Vec<&str> = desired.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["authors", "books"]);
    round_trip(&desired);
}

#[tokio::test]
async fn sqlite_snapshot_round_trips_and_diffs_offline_like_a_live_compare() {
    let (_dir, url) = common::sqlite_file();
    let db = DbConform::connect(&url).await.unwrap();
    db.apply_all().await.unwrap();
    sqlx::raw_sql("ALTER TABLE books ADD COLUMN legacy TEXT; DROP INDEX ix_books_title;")
        .execute(&sqlx::SqlitePool::connect(&url).await.unwrap())
        .await
        .unwrap();

    let actual = round_trip(&db.snapshot().await.unwrap());
    let desired = round_trip(&dbconform::desired_schema().unwrap());
    let offline = diff_snapshots(&desired, &actual, &SQLITE, &Options::default()).unwrap();
    let live = db.compare_all().await.unwrap();
    assert_eq!(offline, live);
    assert_eq!(offline.steps().len(), 1, "{offline}");
    assert_eq!(
        offline.steps()[0].describe(),
        "add index ix_books_title on main.books"
    );
    assert_eq!(offline.drift().len(), 1, "{offline}");
}

#[tokio::test]
async fn postgres_snapshot_round_trips_and_diffs_offline_like_a_live_compare() {
    let Some(url) = common::pg_url() else { return };
    let scratch = common::PgScratch::new(&url, "snapshot").await;
    let db = scratch.conform().await;
    db.apply_all().await.unwrap();
    let alter = format!(
        "ALTER TABLE \"{0}\".books ADD COLUMN legacy text; DROP INDEX \"{0}\".ix_books_title;",
        scratch.schema
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(alter))
        .execute(&scratch.pool)
        .await
        .unwrap();

    let actual = round_trip(&db.snapshot().await.unwrap());
    let desired = round_trip(&dbconform::desired_schema().unwrap());
    let offline = diff_snapshots(&desired, &actual, &POSTGRES, &scratch.options());
    let live = db.compare_all().await;
    scratch.cleanup().await;
    let (offline, live) = (offline.unwrap(), live.unwrap());
    assert_eq!(offline, live);
    assert_eq!(offline.steps().len(), 1, "{offline}");
    assert!(
        offline.steps()[0]
            .describe()
            .starts_with("add index ix_books_title on "),
        "{offline}"
    );
    assert_eq!(offline.drift().len(), 1, "{offline}");
}
