//! Fault injection (feature `failpoints`, on in CI through `--all-features`): an apply whose
//! statement k fails, for every k of a multi-step plan, on every backend of the matrix.
//!
//! - SQLite (with a table rebuild in the plan) and PostgreSQL: each time the schema
//!   snapshot and every row are exactly as before, and the error names the step holding
//!   statement k.
//! - MySQL/MariaDB, whose DDL is not transactional: each time the error is
//!   `Error::PartiallyApplied` naming exactly the steps before statement k's, the
//!   database's catalog (read through `information_schema`) is exactly that of the v1
//!   database on which the plan's first k - 1 statements were run by hand, no row is lost,
//!   planning again proposes exactly the failing step and those after it, and the next
//!   apply converges.
#![cfg(feature = "failpoints")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;

use common::matrix::Conform;
use common::{Backend, TestDb, described};
use dbconform::{Error, Plan, Table, TableDef};

/// The schema before: what the plan under test starts from.
mod v1 {
    #[derive(dbconform::Table)]
    #[table(name = "fi_accounts")]
    pub struct Account {
        #[column(primary_key)]
        pub id: i64,
        // A length, so that MySQL can key it whole.
        #[column(max_length = 50)]
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
    #[column(max_length = 50)]
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
    #[column(references = "fi_accounts(id)")]
    account_id: i64,
}

fn before() -> Vec<TableDef> {
    vec![v1::Account::table_def(), v1::Note::table_def()]
}

fn after() -> Vec<TableDef> {
    vec![Account::table_def(), Note::table_def(), Tag::table_def()]
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

/// A fresh database of `backend` with the v1 schema and rows; `None` when the backend's
/// server is not set (outside CI).
async fn fresh(backend: Backend) -> Option<TestDb> {
    let db = TestDb::open(backend, "faults").await?;
    db.create(&before()).await;
    db.exec(ROWS).await;
    Some(db)
}

/// The database's state: the plan from it to the v1 declaration (empty, drift included,
/// exactly when the schema is v1's) and to v2 (the plan under test), and every row.
async fn state(db: &TestDb, conform: &Conform) -> (String, String, Vec<String>) {
    let to_v1 = conform.compare(&before()).await.unwrap();
    let to_v2 = conform.compare(&after()).await.unwrap();
    (
        serde_json::to_string(&to_v1).unwrap(),
        serde_json::to_string(&to_v2).unwrap(),
        db.texts(READ).await,
    )
}

/// Statement by statement, the step it belongs to (1-based) and what that step does.
fn statements(plan: &Plan) -> Vec<(usize, String)> {
    plan.steps()
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.sql.iter().map(move |_| (i + 1, s.describe())))
        .collect()
}

async fn every_statement_fails_in_turn(backend: Backend) {
    // The plan's statements, counted on a database of its own; on MySQL, what the
    // database holds after each of them.
    let Some(db) = fresh(backend).await else {
        return;
    };
    let name = db.name();
    let plan = db.conform().await.compare(&after()).await.unwrap();
    let count = statements(&plan).len();
    assert!(plan.steps().len() >= 4, "{name}: {plan}");
    let by_hand = if db.is_mysql() {
        mysql::catalog_after_each_statement(&db, &plan).await
    } else {
        Vec::new()
    };
    db.cleanup().await;
    // SQLite: the rebuild step's statements, plus the views and triggers around it (none
    // here), are what runs.
    for k in 1..=count {
        let db = fresh(backend).await.unwrap();
        let conform = db.conform().await;
        // Each database has a plan of its own (PostgreSQL: in a scratch schema of its own).
        let plan = conform.compare(&after()).await.unwrap();
        let steps = statements(&plan);
        assert_eq!(steps.len(), count, "{name}: {plan}");
        let before = state(&db, &conform).await;
        let v1: Plan = serde_json::from_str(&before.0).unwrap();
        assert!(v1.is_empty() && v1.drift().is_empty(), "{name}: {v1}");
        let scenario = fail_statement(k);
        let outcome = conform.apply(&after()).await;
        scenario.teardown();
        let error = match outcome {
            Ok(report) => panic!("{name}: statement {k} did not fail:\n{report}"),
            Err(error) => error,
        };
        let text = error.to_string();
        let (step, description) = &steps[k - 1];
        assert!(
            text.contains(&format!("step {step} ({description})"))
                && text.contains("injected fault"),
            "{name}, statement {k}: {text}"
        );
        if db.is_mysql() {
            let partial = mysql::Partial {
                plan: &plan,
                k,
                step: *step,
                rows: &before.2,
                by_hand: &by_hand,
            };
            partial.holds(&db, &conform, error).await;
        } else {
            assert_eq!(
                state(&db, &conform).await,
                before,
                "{name}: statement {k} left a change behind"
            );
        }
        db.cleanup().await;
    }
    // Without the fault the same apply succeeds and converges.
    let db = fresh(backend).await.unwrap();
    let conform = db.conform().await;
    conform.apply(&after()).await.unwrap();
    assert!(conform.compare(&after()).await.unwrap().is_empty());
    db.cleanup().await;
}

/// MySQL: what the database holds is read through `information_schema`, not through
/// dbconform.
mod mysql {
    use super::*;

    /// Every column (type, nullability, default), index key and CHECK of the database,
    /// one line each, sorted.
    const CATALOG: &str = "SELECT CONCAT_WS(' ', 'column', TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, '(none)')) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
        UNION ALL SELECT CONCAT_WS(' ', 'index', TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
        UNION ALL SELECT CONCAT_WS(' ', 'check', TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
        UNION ALL SELECT CONCAT_WS(' ', 'foreign key', TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE, UPDATE_RULE) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
        ORDER BY 1";

    /// The catalog of a v1 database (`db`, used up) before the plan's statements and after
    /// each of them, run by hand one by one: entry j is what j statements leave.
    pub async fn catalog_after_each_statement(db: &TestDb, plan: &Plan) -> Vec<Vec<String>> {
        let mut catalogs = vec![db.texts(CATALOG).await];
        for statement in plan.steps().iter().flat_map(|s| &s.sql) {
            db.exec(statement).await;
            catalogs.push(db.texts(CATALOG).await);
        }
        for (j, catalog) in catalogs.iter().enumerate().skip(1) {
            assert_ne!(
                *catalog,
                catalogs[j - 1],
                "statement {j} leaves no trace in the catalog, so a test cannot tell whether it ran"
            );
        }
        catalogs
    }

    /// An apply of `plan` whose statement `k` (of step `step`) failed.
    pub struct Partial<'a> {
        pub plan: &'a Plan,
        pub k: usize,
        pub step: usize,
        /// Every row before the apply.
        pub rows: &'a [String],
        /// [`catalog_after_each_statement`].
        pub by_hand: &'a [Vec<String>],
    }

    impl Partial<'_> {
        /// The error names exactly the steps before `step` as committed, the database holds
        /// exactly the statements before `k` and every row, planning again proposes the
        /// failing step and those after it, and the next apply converges.
        pub async fn holds(&self, db: &TestDb, conform: &Conform, error: Error) {
            let Partial { plan, k, step, .. } = *self;
            let steps = described(plan);
            match &error {
                Error::PartiallyApplied {
                    committed,
                    step: failing,
                    statement,
                    ..
                } => {
                    assert_eq!(*failing, step, "statement {k}: {error}");
                    assert_eq!(committed, &steps[..step - 1], "statement {k}: {error}");
                    let first = statements(plan)
                        .iter()
                        .position(|(s, _)| *s == step)
                        .unwrap();
                    assert_eq!(
                        statement,
                        &plan.steps()[step - 1].sql[k - 1 - first],
                        "{error}"
                    );
                }
                other => panic!("mysql, statement {k}: expected PartiallyApplied, got {other}"),
            }
            let text = error.to_string();
            assert!(
                text.contains("nothing was rolled back") && text.contains("run again"),
                "{text}"
            );
            assert_eq!(
                db.texts(CATALOG).await,
                self.by_hand[k - 1],
                "statement {k}: the database holds exactly the {} statement(s) before it",
                k - 1
            );
            assert_eq!(db.texts(READ).await, self.rows, "statement {k}: the rows");
            let left = described(&conform.compare(&after()).await.unwrap());
            assert_eq!(left, steps[step - 1..], "statement {k}: what is left to do");
            // The next apply continues from there and converges.
            conform.apply(&after()).await.unwrap();
            assert!(conform.compare(&after()).await.unwrap().is_empty());
            assert_eq!(db.texts(CATALOG).await, *self.by_hand.last().unwrap());
        }
    }
}

const ROWS: &str = "INSERT INTO {S}fi_accounts (id, email) VALUES (1, 'a@x'), (2, 'b@x'); \
                    INSERT INTO {S}fi_notes (id, body) VALUES (1, 'hello'), (2, 'world');";

const READ: &str = "SELECT 'a' || id || email FROM {S}fi_accounts UNION ALL \
                    SELECT 'n' || id || body FROM {S}fi_notes ORDER BY 1";

// One test for every backend: a fail point is process-wide, so two tests running at once
// would trip each other's statements.
#[tokio::test]
async fn every_failing_statement_leaves_everything_as_it_was_or_says_what_committed() {
    for &backend in Backend::ALL {
        every_statement_fails_in_turn(backend).await;
    }
}
