//! `rust_decimal::Decimal` on SQLite. sqlx 0.9 has no `Decode<Sqlite>` for `Decimal` (on
//! purpose: SQLite's NUMERIC keeps 15 significant digits), so a NUMERIC column could be
//! neither read back as a `Decimal` nor trusted to keep its digits. dbconform refuses the
//! declaration with the two ways out; the first, `sql_type = "TEXT"`, keeps every digit
//! and reads back through `sqlx::types::Text<Decimal>`.
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, types::Text};
use dbconform::{DbConform, Error, Table};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Prices as a first-time user writes them.
#[derive(Table)]
#[table(name = "prices")]
struct Price {
    #[column(primary_key)]
    id: i64,
    #[column(precision = 10, scale = 2)]
    amount: Decimal,
}

/// The same, stored as text: exact, and readable through sqlx.
#[derive(Table)]
#[table(name = "exact_prices")]
struct ExactPrice {
    #[column(primary_key)]
    id: i64,
    #[column(sql_type = "TEXT")]
    amount: Decimal,
}

#[tokio::test]
async fn a_decimal_column_on_sqlite_is_refused_with_the_ways_out() {
    let db = DbConform::connect("sqlite::memory:").await.unwrap();
    let error = db.apply(&[Price::table_def()]).await.unwrap_err();
    assert!(matches!(error, Error::InvalidTable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "table `main.prices`: column `amount` is a Decimal, which SQLite stores as NUMERIC: it keeps only 15 significant digits, and sqlx cannot read a Decimal from SQLite; declare it `#[column(sql_type = \"TEXT\")]` (exact; read and bind it as `sqlx::types::Text<Decimal>`) or make the field an `f64`"
    );
    assert!(db.snapshot().await.unwrap().tables.is_empty());
}

#[tokio::test]
async fn a_decimal_stored_as_text_reads_back_exactly_through_sqlx() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
    let db = DbConform::connect(&url).await.unwrap();
    db.apply(&[ExactPrice::table_def()]).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    // 22 significant digits: NUMERIC would round them to 15.
    let amount = Decimal::from_str("12345678901234567890.12").unwrap();
    sqlx::query("INSERT INTO exact_prices (amount) VALUES (?)")
        .bind(Text(amount))
        .execute(&pool)
        .await
        .unwrap();
    let Text(read): Text<Decimal> = sqlx::query_scalar("SELECT amount FROM exact_prices")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(read, amount);
    assert_eq!(read.to_string(), "12345678901234567890.12");
    assert!(
        db.compare(&[ExactPrice::table_def()])
            .await
            .unwrap()
            .is_empty()
    );
}
