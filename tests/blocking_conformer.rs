//! `dbconform::blocking::DbConform`: every operation of the async `DbConform`, on one
//! runtime and one pool made once.
mod common;

use dbconform::{Error, Options, StepOutcome, Table, TableDef};

// The fields are declarations read by dbconform, not by the tests.
#[derive(Table)]
#[table(name = "notes")]
struct Note {
    #[allow(dead_code)]
    #[column(primary_key)]
    id: i64,
    #[allow(dead_code)]
    #[column(max_length = 200)]
    title: String,
}

fn tables() -> Vec<TableDef> {
    vec![Note::table_def()]
}

#[test]
fn every_operation_runs_on_one_connection() {
    let (_dir, url) = common::sqlite_file();
    let db = dbconform::blocking::DbConform::connect(&url)
        .unwrap()
        .with_options(Options {
            allow_drop_extra_columns: true,
            ..Options::default()
        });
    assert!(db.options().allow_drop_extra_columns);
    assert_eq!(db.dialect().name(), "sqlite");

    let plan = db.compare(&tables()).unwrap();
    assert_eq!(plan.steps().len(), 1, "{plan}");
    assert_eq!(db.compare_all().unwrap().steps().len(), 1);

    let Error::NotConformant { plan } = db.check(&tables()).unwrap_err() else {
        panic!("check must report the plan");
    };
    assert_eq!(plan.steps()[0].describe(), "create table main.notes");
    assert!(matches!(
        db.check_all().unwrap_err(),
        Error::NotConformant { .. }
    ));

    let dry = db.preflight(&tables()).unwrap();
    assert!(dry.is_ok(), "{dry}");
    assert!(matches!(dry.steps[0].outcome, StepOutcome::Ok));
    assert!(db.preflight_all().unwrap().is_ok());
    assert!(
        db.snapshot().unwrap().tables.is_empty(),
        "preflight changes nothing"
    );

    let report = db.apply(&tables()).unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert!(db.apply_all().unwrap().is_noop());
    db.check(&tables()).unwrap();
    db.check_all().unwrap();
    let snapshot = db.snapshot().unwrap();
    assert_eq!(snapshot.tables.len(), 1);
    assert_eq!(snapshot.tables[0].name, "notes");
    assert!(db.statements_sent() > 0);
}

#[tokio::test]
async fn works_and_is_dropped_inside_an_async_runtime() {
    let (_dir, url) = common::sqlite_file();
    let db = dbconform::blocking::DbConform::connect(&url).unwrap();
    assert_eq!(db.apply_all().unwrap().executed.len(), 1);
    db.check_all().unwrap();
    drop(db);
    dbconform::blocking::check_all(&url, Options::default()).unwrap();
    let report = dbconform::blocking::apply_all(&url, Options::default()).unwrap();
    assert!(report.is_noop(), "{report}");
}

#[test]
fn connect_errors_hide_the_password() {
    let err = dbconform::blocking::DbConform::connect("postgres://app:hunter2@127.0.0.1:1/db")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot connect to `postgres://app:***@127.0.0.1:1/db`"),
        "{err}"
    );
}

#[test]
fn postgres_through_the_blocking_conformer() {
    let Some(url) = common::pg_url() else {
        return;
    };
    // The scratch schema is made and dropped on a runtime of the test's own; the blocking
    // conformer has its own runtime and pool.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let scratch = rt.block_on(common::PgScratch::new(&url, "blocking_conformer"));
    let db = dbconform::blocking::DbConform::connect(&url)
        .unwrap()
        .with_options(Options {
            target_schema: scratch.schema.clone(),
            ..Options::default()
        });
    assert_eq!(db.dialect().name(), "postgres");
    let report = db.apply(&tables()).unwrap();
    assert!(!report.executed.is_empty(), "{report}");
    db.check(&tables()).unwrap();
    assert!(db.compare(&tables()).unwrap().is_empty());
    drop(db);
    rt.block_on(scratch.cleanup());
}
