//! Fault injection on MySQL/MariaDB (features `failpoints` and `mysql`, both in
//! `--all-features`): an apply whose statement k fails, for every k of a multi-step plan.
//! DDL is not transactional there, so each time the error is
//! `Error::PartiallyApplied` naming exactly the steps before the failing one, the database
//! holds exactly those (planning again proposes none of them and every other one), and
//! the next apply converges.
#![cfg(all(feature = "failpoints", feature = "mysql"))]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::{DbConform, Error, Table, TableDef};

mod common;

use common::mysql::{Scratch, mysql_url};

mod v1 {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "fi_accounts")]
    pub struct Account {
        #[column(primary_key)]
        pub id: i64,
        #[column(max_length = 50)]
        pub email: String,
    }
}

#[derive(Table)]
#[table(name = "fi_accounts")]
#[index(name = "ix_fi_accounts_email", columns("email"))]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 50)]
    email: String,
    nickname: Option<String>,
    #[column(default = "0")]
    balance: i64,
}

#[derive(Table)]
#[table(name = "fi_tags")]
struct Tag {
    #[column(primary_key)]
    id: i64,
    #[column(references = "fi_accounts(id)")]
    account_id: i64,
}

#[derive(Table)]
#[table(name = "fi_zones")]
struct Zone {
    #[column(primary_key)]
    id: i64,
}

fn after() -> Vec<TableDef> {
    vec![Account::table_def(), Tag::table_def(), Zone::table_def()]
}

#[tokio::test]
async fn statement_k_failing_leaves_exactly_the_steps_before_it() {
    let Some(server) = mysql_url() else { return };
    // The plan, on a database holding v1.
    let scratch = Scratch::new(&server, "fi_plan").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[v1::Account::table_def()]).await.unwrap();
    let plan = db.compare(&after()).await.unwrap();
    drop(db);
    scratch.cleanup().await;
    // Statement k belongs to step `of[k - 1]` (1-based).
    let of: Vec<usize> = plan
        .steps()
        .iter()
        .enumerate()
        .flat_map(|(i, s)| std::iter::repeat_n(i + 1, s.sql.len()))
        .collect();
    let steps: Vec<String> = plan.steps().iter().map(|s| s.describe()).collect();
    assert!(steps.len() >= 4, "{plan}");
    for k in 1..=of.len() {
        let scratch = Scratch::new(&server, "fi").await;
        let db = DbConform::connect(&scratch.url).await.unwrap();
        db.apply(&[v1::Account::table_def()]).await.unwrap();
        let scenario = fail::FailScenario::setup();
        let actions = if k == 1 {
            "1*return".to_string()
        } else {
            format!("{}*off->1*return", k - 1)
        };
        fail::cfg("dbconform::statement", &actions).unwrap();
        let outcome = db.apply(&after()).await;
        scenario.teardown();
        let failing = of[k - 1];
        match outcome {
            Err(Error::PartiallyApplied {
                committed, step, ..
            }) => {
                assert_eq!(step, failing, "statement {k}");
                assert_eq!(committed, steps[..failing - 1].to_vec(), "statement {k}");
            }
            other => panic!("statement {k}: expected PartiallyApplied, got {other:?}"),
        }
        // What is left to do is exactly the failing step and those after it (a step of one
        // statement each: the injected fault stops before the statement runs).
        let left: Vec<String> = db
            .compare(&after())
            .await
            .unwrap()
            .steps()
            .iter()
            .map(|s| s.describe())
            .collect();
        for done in &steps[..failing - 1] {
            assert!(
                !left.contains(done),
                "statement {k}: {done} again in {left:?}"
            );
        }
        for todo in &steps[failing - 1..] {
            assert!(
                left.contains(todo),
                "statement {k}: {todo} missing in {left:?}"
            );
        }
        // The next apply continues from there and converges.
        db.apply(&after()).await.unwrap();
        assert!(db.compare(&after()).await.unwrap().steps().is_empty());
        drop(db);
        scratch.cleanup().await;
    }
}
