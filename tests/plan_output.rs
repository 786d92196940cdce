//! What a person and a machine read: `Display`, `to_sql()` and JSON of a representative
//! plan on each backend, pinned as insta snapshots (`tests/snapshots/`). Review changes
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test plan_output` and
//! read the diff) — in CI a changed output fails.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{DbConform, Options, Plan, Table, TableDef};

/// Customers.
#[derive(Table)]
#[table(name = "customers")]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 200, unique)]
    email: String,
    #[column(default = "'new'")]
    status: String,
    nickname: Option<String>,
}

#[derive(Table)]
#[table(name = "orders")]
#[index(columns("customer_id", "placed_at"))]
struct Order {
    #[column(primary_key)]
    id: i64,
    #[column(references = "customers(id)", on_delete = "cascade")]
    customer_id: i64,
    #[column(sql_type = "TIMESTAMP")]
    placed_at: Option<String>,
    #[column(check = "total >= 0", default = "0")]
    total: i64,
}

#[derive(Table)]
#[table(name = "invoices")]
struct Invoice {
    #[column(primary_key)]
    id: i64,
    #[column(references = "orders(id)")]
    order_id: i64,
}

fn tables() -> Vec<TableDef> {
    vec![
        Customer::table_def(),
        Order::table_def(),
        Invoice::table_def(),
    ]
}

/// The database as an older version of the application left it: `invoices` is missing,
/// `orders` lacks its index, `customers` has an undeclared column and an older default,
/// and an undeclared table exists.
fn old_schema(s: &str) -> String {
    format!(
        r#"CREATE TABLE {s}"customers" (
  "id" BIGINT NOT NULL PRIMARY KEY,
  "email" VARCHAR(200) NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'active',
  "nickname" TEXT,
  "legacy_code" TEXT,
  CONSTRAINT "uq_customers_email" UNIQUE ("email")
);
CREATE TABLE {s}"orders" (
  "id" BIGINT NOT NULL PRIMARY KEY,
  "customer_id" BIGINT NOT NULL REFERENCES {s}"customers" ("id") ON DELETE CASCADE,
  "placed_at" TIMESTAMP,
  "total" BIGINT NOT NULL DEFAULT 0 CHECK (total >= 0)
);
CREATE TABLE {s}"audit_log" ("line" TEXT);
"#
    )
}

fn snapshot_all(backend: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{backend}_display"), plan.to_string());
    insta::assert_snapshot!(format!("{backend}_sql"), plan.to_sql());
    insta::assert_snapshot!(
        format!("{backend}_json"),
        serde_json::to_string_pretty(plan).unwrap()
    );
}

#[tokio::test]
async fn sqlite_plan_output() {
    let (_dir, url) = common::sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(old_schema("")))
        .execute(&pool)
        .await
        .unwrap();
    let plan = DbConform::connect(&url)
        .await
        .unwrap()
        .compare(&tables())
        .await
        .unwrap();
    snapshot_all("sqlite", &plan);
}

#[tokio::test]
async fn postgres_plan_output() {
    let Some(url) = common::pg_url() else { return };
    // A fixed schema name, so that the snapshots do not depend on the process id.
    let schema = "dbct_plan_output";
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    let reset = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};");
    sqlx::raw_sql(AssertSqlSafe(reset))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::raw_sql(AssertSqlSafe(old_schema(&format!("\"{schema}\"."))))
        .execute(&admin)
        .await
        .unwrap();
    let options = Options {
        target_schema: schema.to_string(),
        ..Options::default()
    };
    let plan = DbConform::connect(&url)
        .await
        .unwrap()
        .with_options(options)
        .compare(&tables())
        .await;
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .unwrap();
    snapshot_all("postgres", &plan.unwrap());
}
