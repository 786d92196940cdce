//! Your application's own `db` command: the dbconform CLI with your tables.
//!
//! In an application this file is `src/bin/db.rs` (with `use my_models as _;` when the
//! tables live in another crate, so that the linker keeps them):
//!
//! ```text
//! cargo run --example embedded_cli --features cli -- --help
//! cargo run --example embedded_cli --features cli -- plan --url sqlite://shop.db?mode=rwc
//! cargo run --example embedded_cli --features cli -- apply --url sqlite://shop.db?mode=rwc
//! cargo run --example embedded_cli --features cli -- check --url sqlite://shop.db   # exit 0
//! cargo run --example embedded_cli --features cli -- snapshot --dialect sqlite --output schema.json
//! ```

// The fields are read by the application's queries; this example only declares tables.
#![allow(dead_code)]

use dbconform::Table;

/// Customers who place orders.
#[derive(Table)]
#[table(name = "customers")]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 320, unique)]
    email: String,
    name: Option<String>,
}

/// Orders, each placed by one customer.
#[derive(Table)]
#[table(name = "orders")]
#[index(columns("customer_id", "placed_at"))]
struct Order {
    #[column(primary_key)]
    id: i64,
    #[column(references = "customers(id)", on_delete = "cascade")]
    customer_id: i64,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "TIMESTAMP")]
    placed_at: String,
    #[column(check = "total_cents >= 0")]
    total_cents: i64,
}

fn main() {
    dbconform::cli::run()
}
