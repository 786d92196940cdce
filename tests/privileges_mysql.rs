//! Privileges known at plan time on MySQL/MariaDB: connected as an account whose grants
//! do not cover a step (ALTER on the table, CREATE on the database), the plan blocks it
//! with the reason instead of failing mid-apply (each DDL statement commits on its own
//! there: a failure half-way leaves the steps before it applied); once granted, the same
//! apply runs. The database is read back as root, through `information_schema`. The
//! server is `DBCONFORM_TEST_MYSQL_URL`'s; skipped without it on a developer machine,
//! never in CI.
#![cfg(feature = "mysql")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::mysql::{Scratch, mysql_url};
use common::refused_as_blocked;
use common::scratch::{as_user, detached};
use dbconform::sqlx::{self, AssertSqlSafe, Connection, MySqlConnection};
use dbconform::{DbConform, Options, Table};

#[derive(Table)]
#[table(name = "pvm_orders")]
struct Orders {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "pvm_orders")]
struct OrdersWithNote {
    #[column(primary_key)]
    id: i64,
    note: Option<String>,
}

#[derive(Table)]
#[table(name = "pvm_customers")]
struct Customers {
    #[column(primary_key)]
    id: i64,
}

/// An account `'<database>_app'@'%'` (named after the scratch database, so that parallel
/// tests never share one) with SELECT on the scratch database, dropped by `cleanup` or,
/// when the test panics first, on drop.
struct Account {
    server: String,
    user: String,
    dropped: bool,
}

impl Account {
    async fn new(scratch: &Scratch) -> Account {
        let account = Account {
            server: scratch.server.clone(),
            user: format!("{}_app", scratch.database),
            dropped: false,
        };
        account.run("DROP USER IF EXISTS {u}").await;
        account
            .run(&format!(
                "CREATE USER {{u}}; GRANT SELECT ON `{}`.* TO {{u}}",
                scratch.database
            ))
            .await;
        account
    }

    /// `'user'@'%'`, as the server names the account.
    fn name(&self) -> String {
        format!("'{}'@'%'", self.user)
    }

    /// Runs `sql` as root, with `{u}` standing for the account.
    async fn run(&self, sql: &str) {
        run_as_root(&self.server, &sql.replace("{u}", &self.name()))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// A conformer connected as the account to `scratch`.
    async fn conform(&self, scratch: &Scratch, options: Options) -> DbConform {
        DbConform::connect(&as_user(&scratch.url, &self.user))
            .await
            .unwrap()
            .with_options(options)
    }

    async fn cleanup(mut self) {
        self.run("DROP USER IF EXISTS {u}").await;
        self.dropped = true;
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (server, sql) = (
            self.server.clone(),
            format!("DROP USER IF EXISTS {}", self.name()),
        );
        if let Err(e) = detached(move || async move { run_as_root(&server, &sql).await }) {
            eprintln!("could not drop the account {}: {e}", self.name());
        }
    }
}

async fn run_as_root(server: &str, sql: &str) -> Result<(), String> {
    let mut conn = MySqlConnection::connect(server)
        .await
        .map_err(|e| e.to_string())?;
    let ran = sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    let _ = conn.close().await;
    ran
}

/// The columns of `table` in the scratch database, read as root.
async fn columns(scratch: &Scratch, table: &str) -> Vec<String> {
    let mut conn = scratch.conn().await;
    let names = sqlx::query_scalar(
        "SELECT CAST(COLUMN_NAME AS CHAR) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    )
    .bind(table)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    names
}

#[tokio::test]
async fn an_account_without_alter_is_blocked_until_granted() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "pvm_alter").await;
    DbConform::connect(&scratch.url)
        .await
        .unwrap()
        .apply(&[Orders::table_def()])
        .await
        .unwrap();
    let account = Account::new(&scratch).await;
    let (who, database) = (account.name(), &scratch.database);
    let db = account.conform(&scratch, Options::default()).await;

    // A compare that finds nothing to do asks nothing about grants: the reflection only.
    let before = db.statements_sent();
    assert!(db.compare(&[Orders::table_def()]).await.unwrap().is_empty());
    let no_op = db.statements_sent() - before;
    let before = db.statements_sent();
    let plan = db.compare(&[OrdersWithNote::table_def()]).await.unwrap();
    // One statement more: the grants.
    assert_eq!(db.statements_sent() - before, no_op + 1);
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    let reason = format!("user {who} cannot alter database.pvm_orders: it lacks ALTER on it");
    assert_eq!(plan.blocked()[0].why(), reason);
    assert_eq!(
        plan.blocked()[0].step.suggestion.as_deref(),
        Some(format!("GRANT ALTER ON `{database}`.`pvm_orders` TO {who}").as_str())
    );

    let another = account.conform(&scratch, Options::default()).await;
    let error = refused_as_blocked(another, &[OrdersWithNote::table_def()], plan.blocked()).await;
    assert!(error.contains(&reason), "{error}");
    assert_eq!(columns(&scratch, "pvm_orders").await, ["id"]);

    account
        .run(&format!(
            "GRANT ALTER ON `{database}`.`pvm_orders` TO {{u}}"
        ))
        .await;
    let report = db.apply(&[OrdersWithNote::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(columns(&scratch, "pvm_orders").await, ["id", "note"]);

    account.cleanup().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_new_table_needs_create_on_the_database() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "pvm_create").await;
    let account = Account::new(&scratch).await;
    let (who, database) = (account.name(), &scratch.database);
    let db = account.conform(&scratch, Options::default()).await;

    let plan = db.compare(&[Customers::table_def()]).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    assert_eq!(
        plan.blocked()[0].why(),
        format!("user {who} cannot create tables in the database: it lacks CREATE on the database")
    );
    assert_eq!(
        plan.blocked()[0].step.suggestion.as_deref(),
        Some(format!("GRANT CREATE ON `{database}`.* TO {who}").as_str())
    );
    db.apply(&[Customers::table_def()]).await.unwrap();
    assert!(columns(&scratch, "pvm_customers").await.is_empty());

    account
        .run(&format!("GRANT CREATE ON `{database}`.* TO {{u}}"))
        .await;
    let report = db.apply(&[Customers::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(columns(&scratch, "pvm_customers").await, ["id"]);

    account.cleanup().await;
    scratch.cleanup().await;
}
