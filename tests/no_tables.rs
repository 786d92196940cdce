//! An integration test of an application whose models live in its library, written as
//! if nothing named that library: no table is registered. Every entry point that works
//! on "every registered table" refuses loudly with the line to add, instead of giving an
//! empty database (`no such table: customers` later, far from the cause).

mod common;

use dbconform::{DbConform, Error};

/// What the error says: the `use` line naming this package's library, which is where
/// the README tells an application to keep its models.
fn expected_message() -> String {
    format!(
        "no tables are registered: this program links no `#[derive(Table)]` struct, so there is nothing to conform to. A crate the program does not name is left out by the linker, tables and all: in an integration test (`tests/*.rs`) or a binary whose models live in a library, name it at the top of that file with `use {} as _;` (the crate that declares the structs)",
        env!("CARGO_PKG_NAME").replace('-', "_")
    )
}

fn assert_no_tables(error: Error) {
    assert!(matches!(error, Error::NoTables { .. }), "{error:?}");
    assert_eq!(error.to_string(), expected_message());
}

#[tokio::test]
async fn throwaway_sqlite_refuses_without_tables() {
    assert_no_tables(dbconform::testing::throwaway_sqlite().await.unwrap_err());
}

#[tokio::test]
async fn throwaway_postgres_refuses_without_tables() {
    let Some(url) = common::pg_url() else { return };
    assert_no_tables(
        dbconform::testing::throwaway_postgres(&url)
            .await
            .unwrap_err(),
    );
}

#[tokio::test]
async fn conform_all_and_apply_all_refuse_without_tables_and_create_nothing() {
    let (dir, url) = common::sqlite_file();
    assert_no_tables(dbconform::conform_all(&url).await.unwrap_err());
    let db = DbConform::connect(&url).await.unwrap();
    assert_no_tables(db.apply_all().await.unwrap_err());
    assert_no_tables(db.compare_all().await.unwrap_err());
    assert_no_tables(db.check_all().await.unwrap_err());
    assert_no_tables(db.preflight_all().await.unwrap_err());
    let tables: i64 = dbconform::sqlx::query_scalar("SELECT count(*) FROM sqlite_master")
        .fetch_one(&dbconform::sqlx::SqlitePool::connect(&url).await.unwrap())
        .await
        .unwrap();
    assert_eq!(tables, 0);
    drop(dir);
}

#[test]
fn blocking_conform_all_refuses_without_tables() {
    let (_dir, url) = common::sqlite_file();
    assert_no_tables(dbconform::blocking::conform_all(&url).unwrap_err());
}
