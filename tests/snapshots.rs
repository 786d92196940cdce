//! Snapshots: the declared and the reflected schema are the same `Schema` type, round-trip
//! through JSON, and diff offline exactly as a live compare does.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::backend_tests;
use dbconform::planner::diff_snapshots;
use dbconform::{Schema, Table};

/// Books on the shelf.
#[derive(Table)]
#[table(name = "books")]
#[index(columns("title"))]
struct Book {
    #[column(primary_key)]
    id: i64,
    // Offline diffs have no database to spell expressions for them; keep this CHECK in
    // the form PostgreSQL stores it (no implicit casts) so both sides agree.
    // A length, so that MySQL can index it whole.
    #[column(check = "length(title) > 0", max_length = 200)]
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
    #[column(unique, max_length = 200)]
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

backend_tests! {
    snapshot_round_trips_and_diffs_offline_like_a_live_compare => async |db| {
        let conform = db.conform().await;
        conform.apply_all().await.unwrap();
        db.exec(if db.is_mysql() {
            // MySQL names an index within its table.
            "ALTER TABLE books ADD COLUMN legacy TEXT; DROP INDEX ix_books_title ON books;"
        } else {
            "ALTER TABLE {S}books ADD COLUMN legacy TEXT; DROP INDEX {S}ix_books_title;"
        })
        .await;

        let actual = round_trip(&conform.snapshot().await.unwrap());
        let desired = round_trip(&dbconform::desired_schema().unwrap());
        let offline =
            diff_snapshots(&desired, &actual, db.backend.dialect(), &db.options()).unwrap();
        let live = conform.compare_all().await.unwrap();
        assert_eq!(offline, live);
        assert_eq!(offline.steps().len(), 1, "{offline}");
        assert_eq!(
            offline.steps()[0].describe(),
            format!("add index ix_books_title on {}", db.table("books"))
        );
        assert_eq!(offline.drift().len(), 1, "{offline}");
    };
}
