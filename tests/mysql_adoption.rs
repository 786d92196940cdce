//! Adopting an existing MySQL/MariaDB table without losing what the declaration cannot
//! say yet: a column's `ON UPDATE CURRENT_TIMESTAMP` survives a `MODIFY COLUMN` made for
//! another reason (`MODIFY` replaces the whole definition, docs/DATABASE_TRAPS.md M13),
//! read back through `information_schema`.
#![cfg(feature = "mysql")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::TestDb;
use dbconform::Table;

#[derive(Table)]
#[table(name = "posts")]
struct Post {
    #[column(primary_key)]
    id: i64,
    /// When the row last changed.
    #[column(default = "CURRENT_TIMESTAMP")]
    updated_at: chrono::NaiveDateTime,
}

#[tokio::test]
async fn on_update_current_timestamp_survives_a_modify_column() {
    let Some(db) = TestDb::mysql("on_update").await else {
        return;
    };
    db.exec(
        "CREATE TABLE posts (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, \
           updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)) \
         ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    )
    .await;
    let conform = db.conform().await;
    let plan = conform.compare(&[Post::table_def()]).await.unwrap();
    // Only the column comment differs: the step restates the whole column.
    let statements: Vec<&str> = plan
        .steps()
        .iter()
        .flat_map(|s| s.sql.iter().map(String::as_str))
        .filter(|s| s.contains("MODIFY COLUMN"))
        .collect();
    assert_eq!(
        statements,
        [
            "ALTER TABLE `posts` MODIFY COLUMN `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'When the row last changed.'"
        ],
        "{plan}"
    );
    conform.apply(&[Post::table_def()]).await.unwrap();
    let extra = db
        .texts(
            "SELECT EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 'posts' AND COLUMN_NAME = 'updated_at'",
        )
        .await;
    assert_eq!(extra.len(), 1);
    assert!(
        extra[0]
            .to_ascii_lowercase()
            .contains("on update current_timestamp(6)"),
        "{extra:?}"
    );
    let again = conform.compare(&[Post::table_def()]).await.unwrap();
    assert!(again.is_empty(), "not converged:\n{again}");
    db.cleanup().await;
}
