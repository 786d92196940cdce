//! The shop on a throwaway SQLite database: rows written with sqlx and read back through
//! `FromRow`, over the column names dbconform created.

// Links the models crate, whose tables the throwaway database is made from (the test
// binary sees only the tables of the crates it links).
use shop as _;

use dbconform::sqlx;
use shop::{Customer, OrderLine, Product};

#[tokio::test]
async fn customers_round_trip_through_renamed_columns() {
    let db = dbconform::testing::throwaway_sqlite().await.unwrap();
    let written = Customer {
        id: 7,
        email: "ada@example.com".into(),
        name: "Ada".into(),
        line_count: 0,
    };
    // Written through the database's column names...
    sqlx::query("INSERT INTO customers (id, email_address, display_name) VALUES (?, ?, ?)")
        .bind(written.id)
        .bind(&written.email)
        .bind(&written.name)
        .execute(db.pool())
        .await
        .unwrap();
    // ...and read back with `SELECT *` into the struct: the skipped field is its default.
    let read: Customer = sqlx::query_as("SELECT * FROM customers WHERE id = ?")
        .bind(7_i64)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(read, written);
}

#[tokio::test]
async fn products_get_their_declared_defaults_and_checks() {
    let db = dbconform::testing::throwaway_sqlite().await.unwrap();
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
    let refused = sqlx::query("UPDATE products SET price_cents = -1")
        .execute(db.pool())
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("CHECK constraint failed"),
        "{refused}"
    );
}

#[tokio::test]
async fn order_lines_read_through_camel_case_columns() {
    let db = dbconform::testing::throwaway_sqlite().await.unwrap();
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
    // The foreign key cascades: deleting the customer deletes the line.
    sqlx::query("DELETE FROM customers WHERE id = 1")
        .execute(db.pool())
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM order_lines")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}
