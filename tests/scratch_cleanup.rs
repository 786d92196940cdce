//! The PostgreSQL scratch schemas of the tests go away whatever happens to the test: a
//! panicking test drops its schema too, and a schema of a thousand tables is dropped a
//! bounded number of tables per transaction, so that the cleanup never needs more locks
//! than a shared server's lock table has left (`out of shared memory` under
//! `max_locks_per_transaction = 64`).

#[path = "common/mod.rs"]
mod common;

use common::{PgScratch, pg_url};
use dbconform::sqlx::{self, AssertSqlSafe, PgPool};

async fn schema_exists(pool: &PgPool, schema: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_panicking_test_drops_its_scratch_schema() {
    let Some(url) = pg_url() else { return };
    let observer = PgPool::connect(&url).await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let body = tokio::spawn({
        let url = url.clone();
        async move {
            let scratch = PgScratch::new(&url, "panicking").await;
            scratch.ddl("CREATE TABLE t (id int)").await;
            tx.send(scratch.schema.clone()).unwrap();
            panic!("a failing assertion");
        }
    });
    assert!(body.await.unwrap_err().is_panic());
    let schema = rx.await.unwrap();
    assert!(
        !schema_exists(&observer, &schema).await,
        "{schema} stayed behind"
    );
}

#[tokio::test]
async fn a_thousand_tables_are_dropped_in_pieces() {
    let Some(url) = pg_url() else { return };
    let observer = PgPool::connect(&url).await.unwrap();
    let scratch = PgScratch::new(&url, "thousand").await;
    let schema = scratch.schema.clone();
    // Created a hundred per transaction, for the same reason.
    for chunk in 0..10 {
        let mut sql = String::from("BEGIN;");
        if chunk == 0 {
            sql.push_str(&format!("CREATE SCHEMA \"{schema}\";"));
        }
        for i in chunk * 100..(chunk + 1) * 100 {
            sql.push_str(&format!(
                "CREATE TABLE \"{schema}\".t{i} (id serial PRIMARY KEY, v text UNIQUE);"
            ));
        }
        sql.push_str("COMMIT;");
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&scratch.pool)
            .await
            .unwrap();
    }
    let pieces = scratch.cleanup_in_pieces().await.unwrap();
    assert_eq!(pieces.iter().sum::<usize>(), 1000, "{pieces:?}");
    assert!(
        pieces.iter().all(|&n| n <= common::TABLES_PER_DROP),
        "{pieces:?}"
    );
    assert!(!schema_exists(&observer, &schema).await);
}
