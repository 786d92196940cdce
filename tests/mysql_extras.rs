//! The MySQL/MariaDB backend's entry points beyond compare and apply: database creation
//! (`ConnectOptions::create_database_if_missing`), throwaway databases
//! (`testing::throwaway_mysql`) and the standalone CLI with a `mysql://` URL. The server
//! is `DBCONFORM_TEST_MYSQL_URL`'s; skipped without it on a developer machine, never in
//! CI.
#![cfg(all(feature = "mysql", feature = "testing", feature = "cli"))]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, Connection, MySqlConnection};
use dbconform::{ConnectOptions, DbConform, Table};

mod common;

use common::mysql::{mysql_url, with_database};

async fn databases_named(server: &str, name: &str) -> i64 {
    let mut conn = MySqlConnection::connect(server).await.unwrap();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    )
    .bind(name)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    n
}

async fn drop_database(server: &str, name: &str) {
    let mut conn = MySqlConnection::connect(server).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS `{name}`"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
}

#[derive(Table)]
#[table(name = "extras_items")]
struct Item {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 30)]
    label: String,
}

#[tokio::test]
async fn a_missing_database_is_created_only_when_asked() {
    let Some(server) = mysql_url() else { return };
    // A name that needs quoting.
    let name = format!("dbct create-{}", std::process::id());
    drop_database(&server, &name).await;
    let url = with_database(&server, &name.replace(' ', "%20"));
    let refused = DbConform::connect_with(&url, &ConnectOptions::default()).await;
    assert!(refused.is_err(), "connected to a missing database");
    assert_eq!(databases_named(&server, &name).await, 0);
    let options = ConnectOptions {
        create_database_if_missing: true,
        ..ConnectOptions::default()
    };
    let db = DbConform::connect_with(&url, &options).await.unwrap();
    assert_eq!(databases_named(&server, &name).await, 1);
    db.apply(&[Item::table_def()]).await.unwrap();
    // Again: it exists, nothing to create.
    DbConform::connect_with(&url, &options).await.unwrap();
    drop(db);
    drop_database(&server, &name).await;
}

#[tokio::test]
async fn a_throwaway_database_is_conformed_and_dropped() {
    let Some(server) = mysql_url() else { return };
    let db = dbconform::testing::throwaway_mysql(&server).await.unwrap();
    let name = db.database().to_string();
    assert_eq!(databases_named(&server, &name).await, 1);
    assert!(!db.report().executed.is_empty());
    sqlx::query("INSERT INTO extras_items (id, label) VALUES (1, 'x')")
        .execute(db.pool())
        .await
        .unwrap();
    // The pool's sessions are set up as dbconform's: strict mode, UTC.
    let (mode, zone): (String, String) = sqlx::query_as(
        "SELECT CAST(@@SESSION.sql_mode AS CHAR), CAST(@@SESSION.time_zone AS CHAR)",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(mode.contains("STRICT_TRANS_TABLES"), "{mode}");
    assert!(!mode.contains("NO_BACKSLASH_ESCAPES"), "{mode}");
    assert_eq!(zone, "+00:00");
    db.cleanup().await.unwrap();
    assert_eq!(databases_named(&server, &name).await, 0);
}

#[tokio::test]
async fn the_standalone_cli_inspects_and_diffs_a_mysql_url() {
    let Some(server) = mysql_url() else { return };
    let name = format!("dbct_cli_{}", std::process::id());
    drop_database(&server, &name).await;
    let url = with_database(&server, &name);
    let options = ConnectOptions {
        create_database_if_missing: true,
        ..ConnectOptions::default()
    };
    DbConform::connect_with(&url, &options)
        .await
        .unwrap()
        .apply(&[Item::table_def()])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("inspected.json");
    let inspect = std::process::Command::new(env!("CARGO_BIN_EXE_dbconform"))
        .args(["inspect", "-q", &url, "-o"])
        .arg(&snapshot)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(inspect.status.success(), "{inspect:?}");
    let json = std::fs::read_to_string(&snapshot).unwrap();
    assert!(json.contains("extras_items"), "{json}");
    let diff = std::process::Command::new(env!("CARGO_BIN_EXE_dbconform"))
        .args(["diff", &url])
        .arg(&snapshot)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(0), "{diff:?}");
    drop_database(&server, &name).await;
}
