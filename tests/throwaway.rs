//! The idiom a user copies into their own app's tests: a fresh database per test,
//! already conformed to every registered table, gone afterwards. On SQLite (a file),
//! PostgreSQL (a scratch schema) and MySQL/MariaDB (a scratch database, feature `mysql`).
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::Table;
use dbconform::sqlx;
use dbconform::testing::{throwaway_postgres, throwaway_sqlite};

#[derive(Table)]
#[table(name = "accounts")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 320, unique)]
    email: String,
    balance: i64,
}

#[derive(Table)]
#[table(name = "transfers")]
struct Transfer {
    #[column(primary_key)]
    id: i64,
    #[column(references = "accounts(id)", on_delete = "cascade")]
    account_id: i64,
    amount: i64,
}

/// In each fresh throwaway database of `pools`, SQLite's or MySQL's (both bind with `?`),
/// one account and one transfer of it (the first account); how many accounts each then
/// holds.
async fn insert_and_count<DB>(pools: &[&sqlx::Pool<DB>]) -> Vec<i64>
where
    DB: sqlx::Database,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'e> &'e str: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    let mut counts = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        sqlx::query("INSERT INTO accounts (email, balance) VALUES (?, 100)")
            .bind(format!("user{i}@example.com").as_str())
            .execute(*pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO transfers (account_id, amount) VALUES (1, -5)")
            .execute(*pool)
            .await
            .unwrap();
        counts.push(
            sqlx::query_scalar("SELECT count(*) FROM accounts")
                .fetch_one(*pool)
                .await
                .unwrap(),
        );
    }
    counts
}

#[tokio::test]
async fn throwaway_sqlite_has_every_registered_table() {
    let db = throwaway_sqlite().await.unwrap();
    assert_eq!(db.report().executed.len(), 2);
    assert_eq!(insert_and_count(&[db.pool()]).await, [1]);
    let (email, balance): (String, i64) =
        sqlx::query_as("SELECT email, balance FROM accounts WHERE id = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!((email.as_str(), balance), ("user0@example.com", 100));
}

#[tokio::test]
async fn throwaway_sqlite_databases_are_isolated_and_removed() {
    let (a, b) = tokio::join!(throwaway_sqlite(), throwaway_sqlite());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.path(), b.path());
    assert_eq!(
        insert_and_count(&[a.pool(), b.pool()]).await,
        [1, 1],
        "each test sees only its own rows"
    );

    let dir = a.path().parent().unwrap().to_path_buf();
    assert!(a.path().exists());
    drop(a);
    assert!(
        !dir.exists(),
        "the throwaway database and its directory are removed on drop"
    );
}

#[tokio::test]
async fn throwaway_postgres_uses_a_scratch_schema_and_drops_it() {
    let Some(url) = common::pg_url() else { return };
    let db = throwaway_postgres(&url).await.unwrap();
    let schema = db.schema().to_string();
    sqlx::query("INSERT INTO accounts (email, balance) VALUES ('ada@example.com', 1)")
        .execute(db.pool())
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
    db.cleanup().await.unwrap();

    let left = schemas_named(&url, &schema).await;
    assert_eq!(left, 0, "the scratch schema is dropped");
}

#[tokio::test]
async fn throwaway_postgres_is_dropped_on_drop_too() {
    let Some(url) = common::pg_url() else { return };
    let db = throwaway_postgres(&url).await.unwrap();
    let schema = db.schema().to_string();
    drop(db);
    let left = schemas_named(&url, &schema).await;
    assert_eq!(left, 0);
}

/// How many schemas named `schema` the server has, read on a connection of its own.
async fn schemas_named(url: &str, schema: &str) -> i64 {
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query_scalar("SELECT count(*) FROM pg_namespace WHERE nspname = $1")
        .bind(schema)
        .fetch_one(&admin)
        .await
        .unwrap()
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn throwaway_mysql_uses_a_scratch_database_and_drops_it() {
    let Some(server) = common::mysql::mysql_url() else {
        return;
    };
    let db = dbconform::testing::throwaway_mysql(&server).await.unwrap();
    let name = db.database().to_string();
    assert_eq!(common::mysql::databases_named(&server, &name).await, 1);
    assert_eq!(db.report().executed.len(), 2, "{}", db.report());
    assert_eq!(insert_and_count(&[db.pool()]).await, [1]);
    // The pool's sessions are set up as dbconform's: strict mode, `\` escapes, UTC.
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
    assert_eq!(
        common::mysql::databases_named(&server, &name).await,
        0,
        "the scratch database is dropped"
    );
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn throwaway_mysql_databases_are_isolated_and_dropped_on_drop() {
    let Some(server) = common::mysql::mysql_url() else {
        return;
    };
    let (a, b) = tokio::join!(
        dbconform::testing::throwaway_mysql(&server),
        dbconform::testing::throwaway_mysql(&server)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.database(), b.database());
    assert_eq!(
        insert_and_count(&[a.pool(), b.pool()]).await,
        [1, 1],
        "each test sees only its own rows"
    );
    let names = [a.database().to_string(), b.database().to_string()];
    drop((a, b));
    for name in names {
        assert_eq!(common::mysql::databases_named(&server, &name).await, 0);
    }
}
