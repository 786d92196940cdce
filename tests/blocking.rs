//! The blocking API, for programs without an async runtime — and inside one.
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::Table;

#[derive(Table)]
#[table(name = "settings")]
struct Setting {
    #[column(primary_key, max_length = 100)]
    key: String,
    value: Option<String>,
}

#[test]
fn blocking_conform_all_creates_then_does_nothing() {
    let (_dir, url) = common::sqlite_file();
    let first = dbconform::blocking::conform_all(&url).unwrap();
    assert_eq!(first.executed.len(), 1);
    assert_eq!(
        first.executed[0].step.describe(),
        "create table main.settings"
    );
    let second = dbconform::blocking::conform_all(&url).unwrap();
    assert!(second.is_noop(), "{second}");
    dbconform::blocking::check_all(&url, dbconform::Options::default()).unwrap();
}

#[tokio::test]
async fn blocking_api_called_inside_an_async_runtime_does_not_panic() {
    let (_dir, url) = common::sqlite_file();
    let plan = dbconform::blocking::compare_all(&url, dbconform::Options::default()).unwrap();
    assert_eq!(plan.steps().len(), 1);
}

#[test]
fn bad_url_is_a_clear_error_without_the_password() {
    let err = dbconform::blocking::conform_all("oracle://app:hunter2@localhost/db")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported scheme `oracle`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let err = dbconform::blocking::conform_all("postgres://app:hunter2@127.0.0.1:1/db")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot connect to `postgres://app:***@127.0.0.1:1/db`"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}
