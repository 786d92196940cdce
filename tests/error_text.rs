//! What a user reads when something goes wrong or is refused: PostgreSQL's errors with
//! their DETAIL and HINT (which often name the row or object at fault) and never the
//! server's C source line (`at line 13588`); a blocked step's "will fail" said once; and
//! no "fails if ..." suggestion once the data checks found nothing that would fail.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{PgScratch, pg_url, sqlite_file};
use dbconform::sqlx::{self, SqlitePool};
use dbconform::{DbConform, Options, Table, TableDef};

// Plain comments on the models: a doc comment would be the table's comment.

#[derive(Table)]
#[table(name = "et_users")]
#[unique(name = "uq_et_users_email", columns("email"))]
struct User {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    email: String,
}

#[derive(Table)]
#[table(name = "et_people")]
struct Person {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    name: String,
}

#[derive(Table)]
#[table(name = "et_parents")]
struct Parent {
    #[column(primary_key, auto_increment = false)]
    id: i32,
}

#[derive(Table)]
#[table(name = "et_children")]
struct Child {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    #[column(references = "et_parents(id)")]
    parent_id: Option<i32>,
}

/// `error` says each of `wanted` (the server's message, its DETAIL or HINT) and never the
/// server's source line.
fn assert_server_says(error: &str, wanted: &[&str]) {
    for wanted in wanted {
        assert!(error.contains(wanted), "no {wanted:?} in: {error}");
    }
    assert!(
        !error.contains(" at line "),
        "no server source line: {error}"
    );
}

/// Applies `tables` with `db`, which must fail (`why`), drops the scratch schema (before
/// any assertion can panic), and returns the error's text.
async fn failing_apply(
    scratch: PgScratch,
    db: DbConform,
    tables: &[TableDef],
    why: &str,
) -> String {
    let outcome = db.apply(tables).await;
    scratch.cleanup().await;
    outcome.expect_err(why).to_string()
}

/// A SQLite file on which `ddl` ran: a `DbConform` on it, and a pool for more SQL.
async fn sqlite_db(ddl: &str) -> (tempfile::TempDir, DbConform, SqlitePool) {
    let (dir, url) = sqlite_file();
    let db = DbConform::connect(&url).await.unwrap();
    let pool = SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(ddl.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    (dir, db, pool)
}

/// A step failing on PostgreSQL shows the server's DETAIL (the duplicated key), never the
/// server's source line.
#[tokio::test]
async fn a_postgres_error_shows_detail_and_no_source_line() {
    let Some(url) = pg_url() else { return };
    let why = "the unique constraint cannot be added";
    let (scratch, db) = PgScratch::with_ddl(
        &url,
        "et_detail",
        "CREATE TABLE et_users (id integer PRIMARY KEY, email text NOT NULL);
         INSERT INTO et_users VALUES (1, 'a@example.com'), (2, 'a@example.com')",
    )
    .await;
    // Without the data checks, the plan runs into the duplicates.
    let db = db.with_options(Options {
        skip_data_checks: true,
        ..scratch.options()
    });
    let error = failing_apply(scratch, db, &[User::table_def()], why).await;
    assert_server_says(
        &error,
        &[
            "could not create unique index \"uq_et_users_email\"",
            "DETAIL: Key (email)=(a@example.com) is duplicated.",
        ],
    );
}

/// The server's HINT is shown too.
#[tokio::test]
async fn a_postgres_error_shows_the_hint() {
    let Some(url) = pg_url() else { return };
    let mut person = Person::table_def();
    person.columns[1].default = Some("no_such_function(1)".into());
    let (scratch, db) = PgScratch::with_ddl(
        &url,
        "et_hint",
        "CREATE TABLE et_people (id integer PRIMARY KEY)",
    )
    .await;
    let error = failing_apply(scratch, db, &[person], "the default names no function").await;
    assert_server_says(
        &error,
        &[
            "function no_such_function(integer) does not exist",
            "HINT: No function matches the given name and argument types.",
        ],
    );
}

/// A step the data checks found would fail says so once in the plan, not in its reason
/// and again as its problem.
#[tokio::test]
async fn a_blocked_step_says_will_fail_once() {
    let (_dir, db, _pool) = sqlite_db(
        "CREATE TABLE et_people (id INTEGER NOT NULL PRIMARY KEY, name TEXT);
         INSERT INTO et_people VALUES (1, 'ada'), (2, NULL);",
    )
    .await;
    let plan = db.compare(&[Person::table_def()]).await.unwrap();
    let text = plan.to_string();
    assert_eq!(plan.blocked().len(), 1, "{text}");
    assert_eq!(
        text.matches("will fail").count(),
        1,
        "\"will fail\" once in:\n{text}"
    );
    assert!(
        text.contains("will fail: 1 row has NULL in `main.et_people`.name"),
        "{text}"
    );
    let report_text = plan.to_sql();
    assert_eq!(report_text.matches("will fail").count(), 1, "{report_text}");
}

/// SQLite: making a column NOT NULL rebuilds the table; the data checks found no NULL, so
/// the plan does not warn that it "fails if ... holds NULLs". The same for a new foreign key
/// whose rows all reference existing rows.
#[tokio::test]
async fn a_sqlite_rebuild_drops_the_warning_the_data_checks_answered() {
    let (_dir, db, pool) = sqlite_db(
        "CREATE TABLE et_people (id INTEGER NOT NULL PRIMARY KEY, name TEXT);
         INSERT INTO et_people VALUES (1, 'ada'), (2, 'grace');
         CREATE TABLE et_parents (id INTEGER NOT NULL PRIMARY KEY);
         INSERT INTO et_parents VALUES (1);
         CREATE TABLE et_children (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER);
         INSERT INTO et_children VALUES (1, 1), (2, NULL);",
    )
    .await;
    let tables = [Person::table_def(), Parent::table_def(), Child::table_def()];
    let plan = db.compare(&tables).await.unwrap();
    let text = plan.to_string();
    assert!(plan.blocked().is_empty(), "{text}");
    assert!(
        text.contains("checked: no rows have NULL in `main.et_people`.name"),
        "the data check ran: {text}"
    );
    assert!(
        !text.contains("holds NULLs"),
        "stale NULL warning in:\n{text}"
    );
    assert!(
        !text.contains("fails if rows reference"),
        "stale reference warning in:\n{text}"
    );
    for step in plan.steps() {
        assert_eq!(step.suggestion, None, "{}: {text}", step.describe());
    }
    // Where rows would make it fail, the warning stays.
    sqlx::raw_sql("INSERT INTO et_children VALUES (3, 99)")
        .execute(&pool)
        .await
        .unwrap();
    let plan = db.compare(&tables).await.unwrap();
    let text = plan.to_string();
    assert_eq!(plan.blocked().len(), 1, "{text}");
    assert!(
        text.contains("will fail: 1 row of `main.et_children`"),
        "{text}"
    );
}

/// PostgreSQL: the same for SET NOT NULL on a column without NULLs.
#[tokio::test]
async fn a_postgres_step_drops_the_warning_the_data_checks_answered() {
    let Some(url) = pg_url() else { return };
    let declared = [Person::table_def()];
    let (scratch, db) = PgScratch::with_ddl(
        &url,
        "et_checked",
        "CREATE TABLE et_people (id integer PRIMARY KEY, name text);
         INSERT INTO et_people VALUES (1, 'ada')",
    )
    .await;
    let plan = db.compare(&declared).await;
    scratch.cleanup().await;
    let plan = plan.unwrap();
    let text = plan.to_string();
    assert_eq!(plan.steps().len(), 1, "{text}");
    assert!(text.contains("checked: no rows have NULL"), "{text}");
    assert!(
        !text.contains("holds NULLs"),
        "stale NULL warning in:\n{text}"
    );
    assert_eq!(plan.steps()[0].suggestion, None, "{text}");
}
