//! The shop on a throwaway PostgreSQL schema (`DBCONFORM_TEST_PG_URL`): rows written with
//! sqlx and read back through `FromRow`, over the column names dbconform created.

// Links the models crate, whose tables the throwaway schema is made from (the test binary
// sees only the tables of the crates it links).
use shop as _;

use dbconform::sqlx;
use dbconform::testing::ThrowawayPostgres;
use shop::{Customer, OrderLine, Product};

/// A throwaway schema, or `None` (the test is skipped) when `DBCONFORM_TEST_PG_URL` is not
/// set outside CI. In CI (`CI` set) the PostgreSQL tests must run.
async fn throwaway() -> Option<ThrowawayPostgres> {
    let url = match std::env::var("DBCONFORM_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "DBCONFORM_TEST_PG_URL is not set: the PostgreSQL tests must run in CI"
            );
            eprintln!("DBCONFORM_TEST_PG_URL is not set: skipping a PostgreSQL test");
            return None;
        }
    };
    Some(dbconform::testing::throwaway_postgres(&url).await.unwrap())
}

#[tokio::test]
async fn customers_round_trip_through_renamed_columns() {
    let Some(db) = throwaway().await else { return };
    let written = Customer {
        id: 7,
        email: "ada@example.com".into(),
        name: "Ada".into(),
        line_count: 0,
    };
    sqlx::query("INSERT INTO customers (id, email_address, display_name) VALUES ($1, $2, $3)")
        .bind(written.id)
        .bind(&written.email)
        .bind(&written.name)
        .execute(db.pool())
        .await
        .unwrap();
    let read: Customer = sqlx::query_as("SELECT * FROM customers WHERE id = $1")
        .bind(7_i64)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(read, written);
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn products_get_their_declared_defaults_and_checks() {
    let Some(db) = throwaway().await else { return };
    sqlx::query("INSERT INTO products (sku) VALUES ('TEA-1')")
        .execute(db.pool())
        .await
        .unwrap();
    let product: Product = sqlx::query_as("SELECT * FROM products")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(
        (product.sku.as_str(), product.price, product.status.as_str()),
        ("TEA-1", 0, "draft")
    );
    let refused = sqlx::query("UPDATE products SET status = 'sold'")
        .execute(db.pool())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("ck_products_status"),
        "{refused}"
    );
    db.cleanup().await.unwrap();
}

#[tokio::test]
async fn order_lines_read_through_camel_case_columns() {
    let Some(db) = throwaway().await else { return };
    sqlx::raw_sql(
        "INSERT INTO customers (id, email_address, display_name) VALUES (1, 'b@x', 'B');
         INSERT INTO products (id, sku, price_cents, status) VALUES (2, 'MUG', 900, 'listed');
         INSERT INTO order_lines (\"customerId\", \"productId\", quantity, \"giftNote\")
           VALUES (1, 2, 3, 'for you');",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let lines: Vec<OrderLine> = sqlx::query_as("SELECT * FROM order_lines")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(
        lines,
        [OrderLine {
            id: lines[0].id,
            customer_id: 1,
            product_id: 2,
            quantity: 3,
            gift_note: Some("for you".into()),
        }]
    );
    db.cleanup().await.unwrap();
}
