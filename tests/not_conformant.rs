//! A step needed for conformance that stays blocked (here: a narrower column over values
//! that do not fit) is never reported as "the database conforms": `Report::is_conformant`
//! is `false`, the report says what is blocked, and `conform_all` — the start-up call —
//! refuses with `Error::Blocked`, changing nothing, instead of letting the application
//! start against a schema its queries would fail on.
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::sqlx::{self, Connection};
use dbconform::{ColumnType, DbConform, Error, Options, Table};

/// Notes with a short title.
#[derive(Table)]
#[table(name = "notes")]
struct Note {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 10)]
    title: String,
    tag: Option<String>,
}

/// The database as an older version of the application left it: `title` was
/// VARCHAR(100) and `tag` did not exist yet; one note's title is too long for 10.
async fn older_database(url: &str) {
    let mut older = Note::table_def();
    older.columns.retain(|c| c.name != "tag");
    for column in &mut older.columns {
        if column.name == "title" {
            column.ty = ColumnType::Varchar(100);
        }
    }
    DbConform::connect(url)
        .await
        .unwrap()
        .apply(&[older])
        .await
        .unwrap();
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    sqlx::query("INSERT INTO notes (title) VALUES ('a title longer than ten')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// The columns of `notes`, read through sqlx.
async fn columns(url: &str) -> Vec<(String, String)> {
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let columns = sqlx::query_as("SELECT name, type FROM pragma_table_info('notes') ORDER BY cid")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    columns
}

fn older_columns() -> Vec<(String, String)> {
    vec![
        ("id".into(), "INTEGER".into()),
        ("title".into(), "VARCHAR(100)".into()),
    ]
}

#[tokio::test]
async fn conform_all_refuses_when_a_needed_step_stays_blocked_and_changes_nothing() {
    let (_dir, url) = common::sqlite_file();
    older_database(&url).await;

    let error = dbconform::conform_all(&url).await.unwrap_err();
    let Error::Blocked { blocked } = &error else {
        panic!("expected Error::Blocked, got {error:?}");
    };
    assert_eq!(blocked.len(), 1, "{error}");
    assert_eq!(
        error.to_string(),
        format!(
            "the database does not conform and nothing was changed: 1 step needed for it is blocked\n  - {} ({})\nunblock it as it says, or use `DbConform::apply_all`, which applies the other steps and reports the blocked ones in its `Report`",
            blocked[0].step.describe(),
            blocked[0].why()
        )
    );
    assert!(
        error.to_string().contains("narrow column `title`") || error.to_string().contains("title"),
        "{error}"
    );
    // Nothing was changed: `tag` was not added although its step was not blocked.
    assert_eq!(columns(&url).await, older_columns());
}

#[tokio::test]
async fn apply_all_applies_the_rest_and_its_report_says_the_database_does_not_conform() {
    let (_dir, url) = common::sqlite_file();
    older_database(&url).await;
    // The narrowing is blocked by the policy (`allow_shrink_column` is off).
    let db = DbConform::connect(&url).await.unwrap();
    let report = db.apply_all().await.unwrap();
    assert!(!report.is_conformant(), "{report}");
    assert_eq!(report.blocked.len(), 1, "{report}");
    let text = report.to_string();
    assert!(!text.contains("conforms"), "{text}");
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("Applied 1 step(s), 1 statement(s), in one transaction ("),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\nThe database does not conform: 1 step blocked:\n  blocked: {} ({})\n",
            report.blocked[0].step.describe(),
            report.blocked[0].why()
        )),
        "{text}"
    );
    let mut expected = older_columns();
    expected.push(("tag".into(), "TEXT".into()));
    assert_eq!(columns(&url).await, expected);

    // Nothing left but the blocked step: nothing applied, and still not "conforms".
    let report = db.apply_all().await.unwrap();
    assert!(!report.is_conformant(), "{report}");
    let text = report.to_string();
    assert!(
        text.starts_with("Nothing applied: the database does not conform, 1 step blocked ("),
        "{text}"
    );
    assert!(!text.contains("conforms"), "{text}");

    // One option away: `fail_on_blocked` makes apply_all refuse as conform_all does.
    let options = Options {
        fail_on_blocked: true,
        ..Options::default()
    };
    let strict = DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(options);
    let error = strict.apply_all().await.unwrap_err();
    assert!(matches!(error, Error::Blocked { .. }), "{error:?}");
}

#[tokio::test]
async fn a_conformant_database_reports_conformant() {
    let (_dir, url) = common::sqlite_file();
    let report = dbconform::conform_all(&url).await.unwrap();
    assert!(report.is_conformant(), "{report}");
    let again = dbconform::conform_all(&url).await.unwrap();
    assert!(again.is_conformant(), "{again}");
    assert!(
        again
            .to_string()
            .starts_with("Nothing to do: the database conforms ("),
        "{again}"
    );
}

/// The case on PostgreSQL: `allow_shrink_column` is set, but the data does not
/// fit the narrower column, so the step is blocked by the data — never "conforms".
#[tokio::test]
async fn postgres_shrink_blocked_by_the_data_is_not_conformant() {
    let Some(url) = common::pg_url() else { return };
    let scratch = common::PgScratch::new(&url, "not_conformant").await;
    let mut older = Note::table_def();
    for column in &mut older.columns {
        if column.name == "title" {
            column.ty = ColumnType::Varchar(100);
        }
    }
    let options = Options {
        allow_shrink_column: true,
        ..scratch.options()
    };
    let db = DbConform::from_pool(scratch.pool.clone()).with_options(options.clone());
    db.apply(&[older]).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "INSERT INTO \"{}\".notes (title) VALUES ('a title longer than ten')",
        scratch.schema
    )))
    .execute(&scratch.pool)
    .await
    .unwrap();

    let report = db.apply_all().await.unwrap();
    let text = report.to_string();
    assert!(!report.is_conformant(), "{text}");
    assert!(
        text.starts_with("Nothing applied: the database does not conform, 1 step blocked ("),
        "{text}"
    );
    assert!(!text.contains("conforms"), "{text}");
    assert!(text.contains("will fail"), "{text}");

    let strict = DbConform::from_pool(scratch.pool.clone()).with_options(Options {
        fail_on_blocked: true,
        ..options
    });
    let error = strict.apply_all().await.unwrap_err();
    let Error::Blocked { blocked } = &error else {
        panic!("expected Error::Blocked, got {error:?}");
    };
    assert!(blocked[0].problem.is_some(), "{error}");
    let title: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT title FROM \"{}\".notes",
        scratch.schema
    )))
    .fetch_one(&scratch.pool)
    .await
    .unwrap();
    assert_eq!(title, "a title longer than ten");
    scratch.cleanup().await;
}
