//! Fault injection (feature `failpoints`, on in CI through `--all-features`): an apply whose
//! statement k fails, for every k of a multi-step plan, on SQLite (with a table rebuild in
//! the plan) and PostgreSQL. Each time the schema snapshot and every row are exactly as
//! before, and the error names the step holding statement k.
#![cfg(feature = "failpoints")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;

use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{DbConform, Options, Table, TableDef};

/// The schema before: what the plan under test starts from.
mod v1 {
    #[derive(dbconform::Table)]
    #[table(name = "fi_accounts")]
    pub struct Account {
        #[column(primary_key)]
        pub id: i64,
        pub email: String,
    }

    #[derive(dbconform::Table)]
    #[table(name = "fi_notes")]
    pub struct Note {
        #[column(primary_key)]
        pub id: i64,
        pub body: String,
    }
}

#[derive(Table)]
#[index(name = "ix_fi_accounts_email", columns("email"))]
#[table(name = "fi_accounts")]
struct Account {
    #[column(primary_key)]
    id: i64,
    email: String,
    nickname: Option<String>,
    #[column(default = "0")]
    balance: i64,
}

// The CHECK needs a table rebuild on SQLite.
#[derive(Table)]
#[table(name = "fi_notes")]
#[check(name = "ck_fi_notes_body", expr = "length(body) > 0")]
struct Note {
    #[column(primary_key)]
    id: i64,
    body: String,
}

#[derive(Table)]
#[table(name = "fi_tags")]
struct Tag {
    #[column(primary_key)]
    id: i64,
    name: String,
}

fn before() -> Vec<TableDef> {
    vec![v1::Account::table_def(), v1::Note::table_def()]
}

fn after() -> Vec<TableDef> {
    vec![Account::table_def(), Note::table_def(), Tag::table_def()]
}

/// One backend: a fresh database with the v1 schema and rows, and every row of it.
enum Backend {
    Sqlite {
        dir: Option<tempfile::TempDir>,
        pool: Option<sqlx::SqlitePool>,
    },
    Postgres {
        url: String,
        scratch: Option<common::PgScratch>,
    },
}

impl Backend {
    fn prefix(&self) -> String {
        match self {
            Backend::Sqlite { .. } => String::new(),
            Backend::Postgres { scratch, .. } => {
                format!("\"{}\".", scratch.as_ref().unwrap().schema)
            }
        }
    }

    async fn fresh(&mut self) -> (String, Options) {
        match self {
            Backend::Sqlite { dir, pool } => {
                let (new_dir, url) = common::sqlite_file();
                DbConform::connect(&url)
                    .await
                    .unwrap()
                    .apply(&before())
                    .await
                    .unwrap();
                let new_pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(ROWS.replace("{S}", "")))
                    .execute(&new_pool)
                    .await
                    .unwrap();
                *dir = Some(new_dir);
                *pool = Some(new_pool);
                (url, Options::default())
            }
            Backend::Postgres { url, scratch } => {
                let new = common::PgScratch::new(url, "faults").await;
                let options = new.options();
                DbConform::connect(url)
                    .await
                    .unwrap()
                    .with_options(options.clone())
                    .apply(&before())
                    .await
                    .unwrap();
                let prefix = format!("\"{}\".", new.schema);
                sqlx::raw_sql(AssertSqlSafe(ROWS.replace("{S}", &prefix)))
                    .execute(&new.pool)
                    .await
                    .unwrap();
                *scratch = Some(new);
                (url.clone(), options)
            }
        }
    }

    async fn rows(&self) -> Vec<String> {
        let sql = READ.replace("{S}", &self.prefix());
        match self {
            Backend::Sqlite { pool, .. } => sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_all(pool.as_ref().unwrap())
                .await
                .unwrap(),
            Backend::Postgres { scratch, .. } => sqlx::query_scalar(AssertSqlSafe(sql))
                .fetch_all(&scratch.as_ref().unwrap().pool)
                .await
                .unwrap(),
        }
    }

    async fn done(&mut self) {
        match self {
            Backend::Sqlite { dir, pool } => {
                if let Some(pool) = pool.take() {
                    pool.close().await;
                }
                *dir = None;
            }
            Backend::Postgres { scratch, .. } => {
                if let Some(scratch) = scratch.take() {
                    scratch.cleanup().await;
                }
            }
        }
    }
}

/// Sets up a fail point scenario in which statement `k` (1-based) of the next apply fails
/// and every statement before it runs; tear it down after that apply.
fn fail_statement(k: usize) -> fail::FailScenario<'static> {
    let scenario = fail::FailScenario::setup();
    let actions = match k {
        1 => "1*return".to_string(),
        _ => format!("{}*off->1*return", k - 1),
    };
    fail::cfg("dbconform::statement", &actions).unwrap();
    scenario
}

/// The database's state: the plan from it to the v1 declaration (empty, drift included,
/// exactly when the schema is v1's) and to v2 (the plan under test), and every row.
async fn state(url: &str, options: &Options, backend: &Backend) -> (String, String, Vec<String>) {
    let db = DbConform::connect(url)
        .await
        .unwrap()
        .with_options(options.clone());
    let to_v1 = db.compare(&before()).await.unwrap();
    let to_v2 = db.compare(&after()).await.unwrap();
    (
        serde_json::to_string(&to_v1).unwrap(),
        serde_json::to_string(&to_v2).unwrap(),
        backend.rows().await,
    )
}

async fn every_statement_fails_in_turn(backend: &mut Backend, name: &str) {
    // The plan's statements, counted on a database of its own.
    let (url, options) = backend.fresh().await;
    let db = DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(options.clone());
    let plan = db.compare(&after()).await.unwrap();
    let steps: Vec<(usize, String)> = plan
        .steps()
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.sql.iter().map(move |_| (i + 1, s.describe())))
        .collect();
    assert!(plan.steps().len() >= 4, "{name}: {plan}");
    let counted_in = options.target_schema.clone();
    backend.done().await;
    // SQLite: the rebuild step's statements, plus the views and triggers around it (none
    // here), are what runs.
    for k in 1..=steps.len() {
        let (url, options) = backend.fresh().await;
        let before = state(&url, &options, backend).await;
        let v1: dbconform::Plan = serde_json::from_str(&before.0).unwrap();
        assert!(v1.is_empty() && v1.drift().is_empty(), "{name}: {v1}");
        let scenario = fail_statement(k);
        let outcome = DbConform::connect(&url)
            .await
            .unwrap()
            .with_options(options.clone())
            .apply(&after())
            .await;
        scenario.teardown();
        let error = match outcome {
            Ok(report) => panic!("{name}: statement {k} did not fail:\n{report}"),
            Err(error) => error.to_string(),
        };
        let (step, description) = &steps[k - 1];
        // PostgreSQL: each database lives in a scratch schema of its own.
        let description = description.replace(&counted_in, &options.target_schema);
        assert!(
            error.contains(&format!("step {step} ({description})"))
                && error.contains("injected fault"),
            "{name}, statement {k}: {error}"
        );
        assert_eq!(
            state(&url, &options, backend).await,
            before,
            "{name}: statement {k} left a change behind"
        );
        backend.done().await;
    }
    // Without the fault the same apply succeeds and converges.
    let (url, options) = backend.fresh().await;
    let db = DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(options.clone());
    db.apply(&after()).await.unwrap();
    assert!(db.compare(&after()).await.unwrap().is_empty());
    backend.done().await;
}

const ROWS: &str = "INSERT INTO {S}fi_accounts (id, email) VALUES (1, 'a@x'), (2, 'b@x'); \
                    INSERT INTO {S}fi_notes (id, body) VALUES (1, 'hello'), (2, 'world');";

const READ: &str = "SELECT 'a' || id || email FROM {S}fi_accounts UNION ALL \
                    SELECT 'n' || id || body FROM {S}fi_notes ORDER BY 1";

// One test for both backends: a fail point is process-wide, so two tests running at once
// would trip each other's statements.
#[tokio::test]
async fn every_failing_statement_leaves_everything_as_it_was() {
    let mut sqlite = Backend::Sqlite {
        dir: None,
        pool: None,
    };
    every_statement_fails_in_turn(&mut sqlite, "sqlite").await;
    if let Some(url) = common::pg_url() {
        let mut postgres = Backend::Postgres { url, scratch: None };
        every_statement_fails_in_turn(&mut postgres, "postgres").await;
    }
}
