//! Fault injection on MySQL/MariaDB (features `failpoints` and `mysql`, both in
//! `--all-features`): an apply whose statement k fails, for every k of a multi-step plan.
//! DDL is not transactional there, so each time the error is
//! `Error::PartiallyApplied` naming exactly the steps before the failing one, the database
//! holds exactly those (planning again proposes none of them and every other one), and
//! the next apply converges.
#![cfg(all(feature = "failpoints", feature = "mysql"))]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, Connection, MySqlConnection};
use dbconform::{DbConform, Error, Table, TableDef};
use std::sync::atomic::{AtomicU32, Ordering};

/// The server URL, or `None` (skipped) outside CI.
fn mysql_url() -> Option<String> {
    match std::env::var("DBCONFORM_TEST_MYSQL_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("DBCONFORM_TEST_MYSQL_URL is not set: the MySQL tests must run in CI")
        }
        _ => {
            eprintln!("DBCONFORM_TEST_MYSQL_URL is not set: skipping a MySQL test");
            None
        }
    }
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |slash| authority + slash);
    format!("{}/{database}{query}", &base[..end])
}

/// A scratch database for one test, dropped by `cleanup` or on drop.
struct Scratch {
    server: String,
    database: String,
    url: String,
    dropped: bool,
}

impl Scratch {
    async fn new(server: &str, tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let database = format!(
            "dbct_{tag}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = MySqlConnection::connect(server)
            .await
            .expect("connect to MySQL");
        for sql in [
            format!("DROP DATABASE IF EXISTS `{database}`"),
            format!("CREATE DATABASE `{database}`"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let _ = conn.close().await;
        Scratch {
            server: server.to_string(),
            url: with_database(server, &database),
            database,
            dropped: false,
        }
    }

    /// A connection to the scratch database, for reading the catalog or running DDL by
    /// hand.
    async fn conn(&self) -> MySqlConnection {
        MySqlConnection::connect(&self.url).await.unwrap()
    }

    async fn exec(&self, sql: &str) {
        let mut conn = self.conn().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
    }

    async fn cleanup(mut self) {
        self.dropped = true;
        drop_database(&self.server, &self.database).await;
    }
}

async fn drop_database(server: &str, database: &str) {
    if let Ok(mut conn) = MySqlConnection::connect(server).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS `{database}`"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (server, database) = (self.server.clone(), self.database.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&server, &database));
            }
        })
        .join();
    }
}

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
