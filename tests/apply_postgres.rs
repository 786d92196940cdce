//! Applying changes to existing PostgreSQL tables: for each change kind, dbconform creates
//! the declared tables, the test makes one drift by hand (ALTER, extra objects, rows), then
//! `apply` closes the gap. Each test asserts the catalog afterwards — read from
//! `pg_catalog` directly, not through dbconform's reflection — the rows that must survive,
//! and that `compare` is then empty.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "apply_postgres/catalog.rs"]
mod catalog;
#[path = "apply_postgres/columns.rs"]
mod columns;
mod common;
#[path = "apply_postgres/constraints.rs"]
mod constraints;
#[path = "common/models.rs"]
mod models;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use dbconform::{GeneratedColumn, Table, TableDef};

#[derive(Table)]
#[table(name = "readings")]
pub(crate) struct Reading {
    #[column(primary_key)]
    id: i64,
    value: i32,
    #[column(default = "'n/a'")]
    unit: String,
}

#[derive(Table)]
#[table(name = "log_lines")]
pub(crate) struct LogLine {
    message: String,
}

#[derive(Table)]
#[table(name = "shapes")]
pub(crate) struct Shape {
    #[column(primary_key)]
    id: i64,
    side: i64,
    #[column(index)]
    area: Option<i64>,
}

/// `shapes` with `area` computed from `side`.
pub(crate) fn generated_shapes() -> TableDef {
    let mut table = Shape::table_def();
    if let Some(area) = table.columns.iter_mut().find(|c| c.name == "area") {
        area.generated = Some(GeneratedColumn {
            expr: "side * side".into(),
            stored: true,
        });
    }
    table
}

/// It's "odd".
#[derive(Table)]
#[table(name = "Odd \"Table\"")]
#[index(name = "ix \"Group\"", columns("Group"))]
pub(crate) struct Odd {
    #[column(primary_key, name = "order")]
    order: i64,
    #[column(name = "Group", max_length = 30)]
    group: String,
    #[column(name = "na\"me", default = "'it''s; fine'")]
    name: String,
    #[column(name = "with space", check = "\"with space\" <> ''")]
    with_space: Option<String>,
}

/// `accounts` (with `label`, commented `Shown on statements.`) and `payments`.
pub(crate) fn bank() -> Vec<TableDef> {
    let label = dbconform::Column {
        comment: Some("Shown on statements.".into()),
        ..dbconform::Column::new("label", dbconform::ColumnType::Text)
    };
    vec![
        models::accounts_with(label, Some("created_at")),
        models::Payment::table_def(),
    ]
}

pub(crate) use common::kinds;

/// Three accounts and two payments.
pub(crate) const ROWS: &str = "INSERT INTO {S}.accounts (email, balance, nickname) VALUES \
    ('a@x', 10, 'al'), ('b@x', 20, NULL), ('c@x', 30, 'cy'); \
    INSERT INTO {S}.payments (account_id, amount) VALUES (1, 5), (2, 7)";
