//! Models several test binaries declare: accounts and the payments that reference them.
//! A derived table registers itself, so a binary includes this file on its own
//! (`#[path = "common/models.rs"] mod models;`) rather than through `common`.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::{Column, ColumnType, Table, TableDef};

/// Holders of money.
#[derive(Table)]
#[table(name = "accounts")]
#[index(name = "ix_accounts_email_created", columns("email", "created_at"))]
#[check(name = "ck_accounts_balance", expr = "balance >= 0")]
pub struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 100, unique)]
    email: String,
    #[column(default = "0")]
    balance: i64,
    nickname: Option<String>,
    #[column(sql_type = "TIMESTAMP")]
    created_at: Option<String>,
}

#[derive(Table)]
#[table(name = "payments")]
pub struct Payment {
    #[column(primary_key)]
    id: i64,
    #[column(references = "accounts(id)", on_delete = "cascade")]
    account_id: i64,
    amount: i64,
}

/// `accounts` and `payments`, as declared.
pub fn accounts_and_payments() -> Vec<TableDef> {
    vec![Account::table_def(), Payment::table_def()]
}

/// `accounts` with `column` (nullable) added before the column named `before`, or last.
pub fn accounts_with(column: Column, before: Option<&str>) -> TableDef {
    let mut accounts = Account::table_def();
    let at = before.map_or(accounts.columns.len(), |name| {
        accounts
            .columns
            .iter()
            .position(|c| c.name == name)
            .unwrap()
    });
    accounts.columns.insert(
        at,
        Column {
            nullable: true,
            ..column
        },
    );
    accounts
}

/// A nullable column of the SQL type `sql_type` (as `#[column(sql_type = ...)]` declares).
pub fn custom(name: &str, sql_type: &str) -> Column {
    Column::new(name, ColumnType::Custom(sql_type.to_string()))
}
