//! `#[derive(Table)]` produces exactly the expected `TableDef`, for every attribute and every
//! mapped type, and registers each table.
#![allow(dead_code)]

use dbconform::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey,
    QualifiedName, SortOrder, Table, TableDef, UniqueConstraint, generated_name, short_hash,
};

fn s(text: &str) -> String {
    text.to_string()
}

fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

fn nullable(name: &str, ty: ColumnType) -> Column {
    Column { nullable: true, ..Column::new(name, ty) }
}

/// Products we sell.
///
/// Priced in the shop's currency.
#[derive(Table)]
#[table(name = "products")]
#[index(name = "ix_products_vendor_sku", columns("vendor_id", "sku"))]
#[unique(columns("vendor_id", "sku"))]
#[check(name = "ck_products_price", expr = "price >= 0")]
struct Product {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 64, unique)]
    sku: String,
    description: Option<String>,
    #[column(precision = 10, scale = 2, default = "0")]
    price: rust_decimal::Decimal,
    #[column(references = "vendors(id)", on_delete = "cascade", index)]
    vendor_id: i64,
    #[column(default = "CURRENT_TIMESTAMP")]
    created_at: chrono::DateTime<chrono::Utc>,
    #[column(renamed_from = "qty")]
    quantity: i32,
    #[column(sql_type = "citext")]
    email: String,
    #[column(skip)]
    cached: Vec<u8>,
}

#[test]
fn design_example_product() {
    let expected = TableDef {
        schema: None,
        name: s("products"),
        renamed_from: vec![],
        comment: Some(s("Products we sell.\n\nPriced in the shop's currency.")),
        columns: vec![
            Column { auto_increment: true, ..col("id", ColumnType::BigInt) },
            col("sku", ColumnType::Varchar(64)),
            nullable("description", ColumnType::Text),
            Column {
                default: Some(s("0")),
                ..col("price", ColumnType::Decimal { precision: Some(10), scale: Some(2) })
            },
            col("vendor_id", ColumnType::BigInt),
            Column { default: Some(s("CURRENT_TIMESTAMP")), ..col("created_at", ColumnType::TimestampTz) },
            Column { renamed_from: vec![s("qty")], ..col("quantity", ColumnType::Integer) },
            col("email", ColumnType::Custom(s("citext"))),
        ],
        primary_key: Some(PrimaryKey { name: None, columns: vec![s("id")] }),
        uniques: vec![
            UniqueConstraint {
                name: s("uq_products_vendor_id_sku"),
                columns: vec![s("vendor_id"), s("sku")],
            },
            UniqueConstraint { name: s("uq_products_sku"), columns: vec![s("sku")] },
        ],
        foreign_keys: vec![ForeignKey {
            name: s("fk_products_vendor_id"),
            columns: vec![s("vendor_id")],
            references: QualifiedName { schema: None, name: s("vendors") },
            referenced_columns: vec![s("id")],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
        }],
        checks: vec![Check { name: s("ck_products_price"), expr: s("price >= 0") }],
        indexes: vec![
            Index {
                name: s("ix_products_vendor_sku"),
                columns: vec![IndexColumn::asc("vendor_id"), IndexColumn::asc("sku")],
                unique: false,
                predicate: None,
            },
            Index {
                name: s("ix_products_vendor_id"),
                columns: vec![IndexColumn::asc("vendor_id")],
                unique: false,
                predicate: None,
            },
        ],
    };
    assert_eq!(Product::table_def(), expected);
}
