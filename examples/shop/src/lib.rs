//! A small shop, as an application using dbconform would write it: its tables are structs
//! deriving both [`dbconform::Table`] (the schema) and `sqlx::FromRow` (reading rows), and
//! one spelling of each column name drives both.
//!
//! - `#[sqlx(rename = "...")]` names a field's column for sqlx and for dbconform; a
//!   `#[column(name = "...")]` that disagrees with it fails to compile.
//! - `#[sqlx(rename_all = "...")]` on the struct renames every other field's column the
//!   same way for both.
//! - `#[sqlx(skip)]` leaves a field out of the table and out of every row read.
//!
//! The integration tests in `tests/` run sqlx queries against throwaway SQLite and
//! PostgreSQL databases that dbconform made conform to these tables.

use dbconform::Table;

/// Someone who buys. The columns predate the struct: two of them are renamed.
#[derive(Debug, Clone, PartialEq, Eq, Table, sqlx::FromRow)]
#[table(name = "customers")]
pub struct Customer {
    /// Assigned by the database.
    #[column(primary_key)]
    pub id: i64,
    /// Unique per customer.
    #[sqlx(rename = "email_address")]
    #[column(max_length = 200, unique)]
    pub email: String,
    /// The name shown in the shop.
    #[sqlx(rename = "display_name")]
    pub name: String,
    /// Not stored: how many lines the customer has ordered, counted after loading.
    #[sqlx(skip)]
    pub line_count: usize,
}

/// Something for sale, with its price in cents.
#[derive(Debug, Clone, PartialEq, Eq, Table, sqlx::FromRow)]
#[table(name = "products")]
#[check(
    name = "ck_products_status",
    expr = "status IN ('draft', 'listed', 'retired')"
)]
#[index(
    name = "ix_products_listed",
    columns("sku"),
    predicate = "status = 'listed'"
)]
pub struct Product {
    /// Assigned by the database.
    #[column(primary_key)]
    pub id: i64,
    /// The stock-keeping unit printed on the label.
    #[column(max_length = 32, unique)]
    pub sku: String,
    /// The price in cents; never negative.
    #[sqlx(rename = "price_cents")]
    #[column(default = "0", check = "price_cents BETWEEN 0 AND 10000000")]
    pub price: i64,
    /// `draft`, `listed` or `retired`.
    #[column(max_length = 16, default = "'draft'")]
    pub status: String,
}

/// One line of an order: a table whose columns are camelCase, for every field at once.
#[derive(Debug, Clone, PartialEq, Eq, Table, sqlx::FromRow)]
#[table(name = "order_lines")]
#[sqlx(rename_all = "camelCase")]
pub struct OrderLine {
    /// Assigned by the database.
    #[column(primary_key)]
    pub id: i64,
    /// Column `customerId`.
    #[column(references = "customers(id)", on_delete = "cascade", index)]
    pub customer_id: i64,
    /// Column `productId`.
    #[column(references = "products(id)")]
    pub product_id: i64,
    /// Column `quantity`, between 1 and 99.
    #[column(check = "quantity BETWEEN 1 AND 99")]
    pub quantity: i32,
    /// Column `giftNote`.
    pub gift_note: Option<String>,
}
