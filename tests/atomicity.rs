//! Atomicity: a plan whose k-th step fails (the data checks switched off so that it is
//! executed) leaves the schema snapshot and the rows exactly as before, and the error
//! names step k, its statement and the database's message. PostgreSQL: SET NOT NULL over
//! NULLs; SQLite: a native CREATE UNIQUE INDEX over duplicates. With the data checks on,
//! the same step is blocked and the rest of the plan applies.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{TestDb, backend_tests};
use dbconform::{Error, Table, TableDef};

#[derive(Table)]
#[table(name = "people")]
#[index(name = "ix_people_name", columns("name"))]
struct Person {
    #[column(primary_key)]
    id: i64,
    name: String,
    nick: Option<String>,
}

#[derive(Table)]
#[table(name = "members")]
#[index(name = "ux_members_email", columns("email"), unique)]
struct Member {
    #[column(primary_key)]
    id: i64,
    // A length, so that MySQL can key it whole.
    #[column(max_length = 100)]
    email: String,
    nick: Option<String>,
}

#[derive(Table)]
#[table(name = "pets")]
struct Pet {
    #[column(primary_key)]
    id: i64,
    #[column(references = "people(id)")]
    owner_id: i64,
}

/// `table` as it was before: without `nick` and without indexes, `name` nullable.
fn before(mut table: TableDef) -> TableDef {
    table.columns.retain(|c| c.name != "nick");
    for column in &mut table.columns {
        if column.name == "name" {
            column.nullable = true;
        }
    }
    table.indexes.clear();
    table
}

/// Applies `after` over `before` (filled by `rows`) with the data checks off, expects
/// step `what` to fail after at least one executed step, and checks that nothing changed.
async fn fails_atomically(
    db: &TestDb,
    before: Vec<TableDef>,
    after: Vec<TableDef>,
    rows: &str,
    what: &str,
) {
    db.create(&before).await;
    db.exec(rows).await;
    let blind = db.options_with(|o| o.skip_data_checks = true);
    let conform = db.conform_with(blind).await;
    let plan = conform.compare(&after).await.unwrap();
    assert!(plan.blocked().is_empty(), "{plan}");
    assert!(plan.steps().iter().all(|s| !s.sql.is_empty()), "{plan}");
    let k = plan
        .steps()
        .iter()
        .position(|s| s.describe().starts_with(what))
        .unwrap_or_else(|| panic!("{what}\n{plan}"))
        + 1;
    assert!(k > 1 && k < plan.steps().len(), "step {k} of\n{plan}");

    let snapshot = conform.snapshot().await.unwrap();
    let rows_before = db.texts(ROWS).await;
    let error = conform.apply(&after).await.unwrap_err();
    if db.is_mysql() {
        return committed_up_to(db, &conform, &after, &plan, k, what, error, &rows_before).await;
    }
    match &error {
        Error::StepFailed {
            step,
            description,
            statement,
            ..
        } => {
            assert_eq!(*step, k, "{error}");
            assert!(description.starts_with(what), "{error}");
            assert_eq!(statement, &plan.steps()[k - 1].sql[0], "{error}");
        }
        other => panic!("{}: step {k} should fail: {other}", db.name()),
    }
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("step {k} ({what}")),
        "{message}"
    );
    assert!(
        message.contains("rolled back and nothing was changed"),
        "{message}"
    );
    assert!(message.contains("database said: "), "{message}");

    assert_eq!(conform.snapshot().await.unwrap(), snapshot, "{}", db.name());
    assert_eq!(db.texts(ROWS).await, rows_before);
    // Nothing half-applied: the plan is the same as before.
    assert_eq!(conform.compare(&after).await.unwrap(), plan);

    // With the data checks on, the failing step is blocked and the rest applies.
    let checked = db.conform().await;
    let report = checked.apply(&after).await.unwrap();
    assert_eq!(report.executed.len(), plan.steps().len() - 1, "{report}");
    assert!(
        report.blocked[0].step.describe().starts_with(what),
        "{report}"
    );
    assert!(report.blocked[0].problem.is_some(), "{report}");
    assert_eq!(db.texts(ROWS).await, rows_before);
}

/// MySQL commits each DDL statement on its own, so the same failure is not atomic there:
/// the error names exactly the `k - 1` steps that committed, the database holds them and
/// no more (the next compare plans only the rest), no row is lost, and with the data
/// checks on the failing step is blocked.
#[allow(clippy::too_many_arguments)]
async fn committed_up_to(
    db: &TestDb,
    conform: &common::matrix::Conform,
    after: &[TableDef],
    plan: &dbconform::Plan,
    k: usize,
    what: &str,
    error: Error,
    rows_before: &[String],
) {
    let Error::PartiallyApplied {
        committed, step, ..
    } = &error
    else {
        panic!(
            "mysql: step {k} should fail after {} committed: {error}",
            k - 1
        );
    };
    assert_eq!(*step, k, "{error}");
    let committed: Vec<String> = committed.clone();
    let planned: Vec<String> = plan.steps()[..k - 1].iter().map(|s| s.describe()).collect();
    assert_eq!(committed, planned, "{error}");
    let rest = conform.compare(after).await.unwrap();
    let rest: Vec<String> = rest.steps().iter().map(|s| s.describe()).collect();
    let planned: Vec<String> = plan.steps()[k - 1..].iter().map(|s| s.describe()).collect();
    assert_eq!(
        rest, planned,
        "the database holds exactly the committed steps"
    );
    assert!(rest[0].starts_with(what));
    assert_eq!(db.texts(ROWS).await, rows_before);

    let checked = db.conform().await;
    let report = checked.apply(after).await.unwrap();
    assert_eq!(report.executed.len(), plan.steps().len() - k, "{report}");
    assert!(
        report.blocked[0].step.describe().starts_with(what),
        "{report}"
    );
    assert_eq!(db.texts(ROWS).await, rows_before);
}

/// Every row of both tables, as text.
const ROWS: &str = "SELECT CAST(id AS TEXT) || ':' || COALESCE(name, 'NULL') FROM {S}people \
    UNION ALL SELECT CAST(id AS TEXT) || ':' || email FROM {S}members ORDER BY 1";

/// Both tables exist on both backends, so the row query works everywhere.
fn tables(first: TableDef) -> Vec<TableDef> {
    let other = if first.name == "people" {
        Member::table_def()
    } else {
        before(Person::table_def())
    };
    vec![first, other]
}

#[tokio::test]
async fn postgres_set_not_null_over_nulls_rolls_everything_back() {
    let Some(db) = TestDb::postgres("atomic_not_null").await else {
        return;
    };
    // people: add nick (step 1), SET NOT NULL over NULLs (step 2), index, then pets.
    fails_atomically(
        &db,
        tables(before(Person::table_def())),
        vec![Person::table_def(), Member::table_def(), Pet::table_def()],
        "INSERT INTO {S}people (name) VALUES ('ada'), (NULL), ('bob'); \
         INSERT INTO {S}members (email) VALUES ('a@x')",
        &format!("alter column {}.name", db.table("people")),
    )
    .await;
    db.cleanup().await;
}

backend_tests! {
    unique_index_over_duplicates_rolls_everything_back => async |db| {
        // members: add nick (step 1), the unique index over duplicates (step 2), then pets.
        let mut before_members = Member::table_def();
        before_members.columns.retain(|c| c.name != "nick");
        before_members.indexes.clear();
        fails_atomically(
            db,
            tables(before_members),
            vec![
                Member::table_def(),
                before(Person::table_def()),
                Pet::table_def(),
            ],
            "INSERT INTO {S}members (email) VALUES ('a@x'), ('a@x'), ('b@x'); \
             INSERT INTO {S}people (name) VALUES ('ada')",
            // MySQL has one kind of unique index, which dbconform models as a constraint.
            &format!(
                "add {} ux_members_email on {}",
                if db.is_mysql() { "unique" } else { "index" },
                db.table("members")
            ),
        )
        .await;
    };
}
