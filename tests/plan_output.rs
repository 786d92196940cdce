//! What a person and a machine read: `Display`, `to_sql()` and JSON of a representative
//! plan on each backend, pinned as insta snapshots (`tests/snapshots/`). Review changes
//! with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test plan_output` and
//! read the diff) — in CI a changed output fails.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{TestDb, backend_tests};
use dbconform::{Plan, Table, TableDef};

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

/// The plan's three renderings against the snapshots of `db`'s backend, which name the
/// PostgreSQL schema `dbct_plan_output` (not the scratch schema's own name).
fn snapshot_all(db: &TestDb, plan: &Plan) {
    let fixed = |text: String| match db.pg() {
        Some(scratch) => text.replace(&scratch.schema, "dbct_plan_output"),
        None => text,
    };
    let backend = db.name();
    insta::assert_snapshot!(format!("{backend}_display"), fixed(plan.to_string()));
    insta::assert_snapshot!(format!("{backend}_sql"), fixed(plan.to_sql()));
    insta::assert_snapshot!(
        format!("{backend}_json"),
        fixed(serde_json::to_string_pretty(plan).unwrap())
    );
}

backend_tests! {
    plan_output => async |db| {
        db.ddl(&old_schema(&db.prefix())).await;
        let plan = db.conform().await.compare(&tables()).await.unwrap();
        snapshot_all(db, &plan);
    };
}
