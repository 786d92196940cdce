//! Adopting an existing MySQL/MariaDB table without losing what the declaration cannot
//! say: a column's `ON UPDATE CURRENT_TIMESTAMP` survives a `MODIFY COLUMN` made for
//! another reason (`MODIFY` replaces the whole definition, docs/DATABASE_TRAPS.md M13),
//! and the views and triggers over the table keep working — read back through the
//! database.
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

// `orders` without `legacy` (which a view uses) and without `note` (which a trigger
// uses), and with `total` widened to BIGINT. (No doc comment: it would be the table's.)
#[derive(Table)]
#[table(name = "orders")]
struct Order {
    #[column(primary_key)]
    id: i64,
    total: i64,
}

/// A view and a trigger over an adopted table keep working: dropping a column either
/// uses is blocked (naming it), and a type change goes through with both still working
/// (MySQL resolves a view when it is used, so nothing is dropped around the change).
#[tokio::test]
async fn views_and_triggers_block_the_drops_they_need_and_survive_a_type_change() {
    let Some(db) = TestDb::mysql("dependents").await else {
        return;
    };
    db.exec(
        "CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, total INT NOT NULL, \
           legacy INT NULL, note VARCHAR(20) NULL) \
         ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci; \
         CREATE VIEW v_orders AS SELECT id, total, legacy FROM orders; \
         CREATE TRIGGER tr_orders BEFORE INSERT ON orders FOR EACH ROW SET NEW.note = COALESCE(NEW.note, 'new'); \
         INSERT INTO orders (total, legacy) VALUES (5, 1)",
    )
    .await;
    let conform = db
        .conform_with(db.options_with(|o| o.allow_drop_extra_columns = true))
        .await;
    let plan = conform.compare(&[Order::table_def()]).await.unwrap();
    let problems: Vec<String> = plan
        .blocked()
        .iter()
        .map(|b| {
            format!(
                "{}: {}",
                b.step.describe(),
                b.problem.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            "drop column database.orders.legacy: will fail: view `database.v_orders` uses column `legacy`, and could not be recreated without it",
            "drop column database.orders.note: will fail: trigger `database.tr_orders` uses column `note`, and could not be recreated without it",
        ],
        "{plan}"
    );
    let report = conform.apply(&[Order::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "the type change: {report}");
    db.exec("INSERT INTO orders (total, legacy) VALUES (3000000000, 2)")
        .await;
    assert_eq!(
        db.texts("SELECT CAST(total AS CHAR) || ':' || note FROM orders ORDER BY id")
            .await,
        ["5:new", "3000000000:new"],
        "the trigger still fires"
    );
    assert_eq!(
        db.texts("SELECT CAST(SUM(total) AS CHAR) FROM v_orders")
            .await,
        ["3000000005"],
        "the view still works"
    );
    db.cleanup().await;
}

/// `DbConform::from_pool` with an application's `MySqlPool` whose sessions run in `ANSI`
/// mode (`"` quotes identifiers, `||` concatenates): dbconform works with its own
/// settings, and the application's connections keep theirs.
#[tokio::test]
async fn from_pool_works_with_its_own_session_and_leaves_the_applications_alone() {
    use dbconform::sqlx::mysql::MySqlPoolOptions;
    let Some(db) = TestDb::mysql("from_pool").await else {
        return;
    };
    let app = MySqlPoolOptions::new()
        .max_connections(1)
        .after_connect(|conn, _| {
            Box::pin(async move {
                dbconform::sqlx::raw_sql("SET SESSION sql_mode = 'ANSI'")
                    .execute(conn)
                    .await
                    .map(|_| ())
            })
        })
        .connect(db.url())
        .await
        .unwrap();
    let conform = dbconform::DbConform::from_pool(app.clone());
    let tables = [Order::table_def(), Post::table_def()];
    conform.apply(&tables).await.unwrap();
    assert!(conform.compare(&tables).await.unwrap().is_empty());
    assert_eq!(db.table_names().await, ["orders", "posts"]);
    let mode: String = dbconform::sqlx::query_scalar("SELECT @@SESSION.sql_mode")
        .fetch_one(&app)
        .await
        .unwrap();
    assert!(mode.contains("ANSI_QUOTES"), "{mode}");
    app.close().await;
    db.cleanup().await;
}

#[derive(Table)]
#[table(name = "tags")]
#[index(name = "ix_tags_label", columns("label"))]
struct Tag {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 200)]
    label: String,
}

/// An index on a prefix of a column (`label(10)`) is not the declared index on the whole
/// column: the plan replaces it, and then the index covers the whole value.
#[tokio::test]
async fn an_index_prefix_is_not_the_whole_column() {
    let Some(db) = TestDb::mysql("prefix").await else {
        return;
    };
    db.exec(
        "CREATE TABLE tags (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, label VARCHAR(200) NOT NULL, \
           INDEX ix_tags_label (label(10))) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    )
    .await;
    let conform = db.conform().await;
    let plan = conform.compare(&[Tag::table_def()]).await.unwrap();
    let described: Vec<String> = plan.steps().iter().map(|s| s.describe()).collect();
    assert_eq!(
        described,
        ["change index ix_tags_label on database.tags"],
        "{plan}"
    );
    conform.apply(&[Tag::table_def()]).await.unwrap();
    let sub_part = db
        .texts(
            "SELECT CAST(SUB_PART AS CHAR) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 'tags' AND INDEX_NAME = 'ix_tags_label'",
        )
        .await;
    assert_eq!(sub_part, ["NULL"], "the whole column");
    assert!(
        conform
            .compare(&[Tag::table_def()])
            .await
            .unwrap()
            .is_empty()
    );
    db.cleanup().await;
}
