//! Tables shared by the dialect and planner tests.

use crate::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey, QualifiedName,
    SortOrder, TableDef, UniqueConstraint,
};

/// A column of type `ty`, NOT NULL.
pub(crate) fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

/// A nullable column.
pub(crate) fn null(name: &str, ty: ColumnType) -> Column {
    Column {
        nullable: true,
        ..Column::new(name, ty)
    }
}

/// A NOT NULL column with a default.
pub(crate) fn with_default(name: &str, ty: ColumnType, default: &str) -> Column {
    Column {
        default: Some(default.to_string()),
        ..Column::new(name, ty)
    }
}

/// An auto-increment BIGINT `id` column.
pub(crate) fn serial(name: &str) -> Column {
    Column {
        auto_increment: true,
        ..Column::new(name, ColumnType::BigInt)
    }
}

/// An unnamed primary key.
pub(crate) fn pk(columns: &[&str]) -> Option<PrimaryKey> {
    Some(PrimaryKey {
        name: None,
        columns: columns.iter().map(|c| c.to_string()).collect(),
    })
}

/// A foreign key with NO ACTION on both sides.
pub(crate) fn fk(name: &str, columns: &[&str], table: &str, referenced: &[&str]) -> ForeignKey {
    ForeignKey {
        deferrable: Default::default(),
        name: name.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        references: QualifiedName::new(table),
        referenced_columns: referenced.iter().map(|c| c.to_string()).collect(),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        not_valid: false,
    }
}

/// A table with an auto-increment `id` primary key and the given extra columns.
pub(crate) fn table(name: &str, columns: Vec<Column>) -> TableDef {
    let mut all = vec![serial("id")];
    all.extend(columns);
    TableDef {
        name: name.to_string(),
        columns: all,
        primary_key: pk(&["id"]),
        ..TableDef::default()
    }
}

/// `name` with an `id` key and a `<target>_id` column referencing each target's `id`.
pub(crate) fn referencing(name: &str, targets: &[&str]) -> TableDef {
    let mut t = table(
        name,
        targets
            .iter()
            .map(|target| null(&format!("{target}_id"), ColumnType::BigInt))
            .collect(),
    );
    t.foreign_keys = targets
        .iter()
        .map(|target| {
            fk(
                &format!("fk_{name}_{target}"),
                &[&format!("{target}_id")],
                target,
                &["id"],
            )
        })
        .collect();
    t
}

/// `vendors`: the table `products` references.
pub(crate) fn vendors() -> TableDef {
    table("vendors", vec![col("name", ColumnType::Text)])
}

/// `products`: every column type, default form, constraint kind and index kind.
pub(crate) fn products() -> TableDef {
    let mut description = null("description", ColumnType::Text);
    description.comment = Some("Free text, shown as is".to_string());
    TableDef {
        options: Default::default(),
        schema: None,
        name: "products".to_string(),
        renamed_from: Vec::new(),
        comment: Some("Things a vendor's shop sells".to_string()),
        columns: vec![
            serial("id"),
            col("sku", ColumnType::Varchar(64)),
            description,
            with_default(
                "price",
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
                "0",
            ),
            null(
                "whole",
                ColumnType::Decimal {
                    precision: Some(12),
                    scale: None,
                },
            ),
            null(
                "any_number",
                ColumnType::Decimal {
                    precision: None,
                    scale: None,
                },
            ),
            with_default("small", ColumnType::SmallInt, "-1"),
            with_default("qty", ColumnType::Integer, "(1+1)"),
            col("vendor_id", ColumnType::BigInt),
            null("parent_id", ColumnType::BigInt),
            null("ratio", ColumnType::Real),
            null("score", ColumnType::Double),
            with_default("active", ColumnType::Boolean, "TRUE"),
            null("data", ColumnType::Blob),
            null("day", ColumnType::Date),
            null("at", ColumnType::Time),
            null("seen", ColumnType::Timestamp),
            with_default("created_at", ColumnType::TimestampTz, "CURRENT_TIMESTAMP"),
            null("uid", ColumnType::Uuid),
            null("doc", ColumnType::Json),
            null("email", ColumnType::Custom("citext".to_string())),
            with_default("note", ColumnType::Text, "'a;b'"),
            with_default("quote", ColumnType::Text, "'it''s'"),
            with_default("lowered", ColumnType::Text, "lower('X')"),
        ],
        primary_key: pk(&["id"]),
        uniques: vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_products_sku".to_string(),
            columns: vec!["sku".to_string()],
        }],
        foreign_keys: vec![
            ForeignKey {
                on_delete: FkAction::SetNull,
                on_update: FkAction::Cascade,
                not_valid: false,
                ..fk("fk_products_parent", &["parent_id"], "products", &["id"])
            },
            ForeignKey {
                on_delete: FkAction::Cascade,
                ..fk("fk_products_vendor", &["vendor_id"], "vendors", &["id"])
            },
        ],
        checks: vec![Check {
            name: "ck_products_price".to_string(),
            expr: "price >= 0".to_string(),
            not_valid: false,
        }],
        indexes: vec![
            Index {
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
                name: "ix_products_vendor_sku".to_string(),
                columns: vec![
                    IndexColumn::asc("vendor_id"),
                    IndexColumn {
                        opclass: None,
                        nulls: None,
                        expression: false,
                        name: "sku".to_string(),
                        order: SortOrder::Desc,
                    },
                ],
                unique: false,
                predicate: None,
            },
            Index {
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
                name: "ux_products_email".to_string(),
                columns: vec![IndexColumn::asc("email")],
                unique: true,
                predicate: Some("email IS NOT NULL".to_string()),
            },
        ],
    }
}

/// A table whose every name is hostile: keywords, quotes, spaces, non-ASCII.
pub(crate) fn hostile() -> TableDef {
    TableDef {
        options: Default::default(),
        schema: None,
        name: "user".to_string(),
        renamed_from: Vec::new(),
        comment: Some("it's \"quoted\"".to_string()),
        columns: vec![
            col("order", ColumnType::Integer),
            col("group", ColumnType::Text),
            col("na\"me", ColumnType::Text),
            col("with space", ColumnType::Text),
            col("ünïcødé", ColumnType::Text),
        ],
        primary_key: Some(PrimaryKey {
            name: Some("pk \"user\"".to_string()),
            columns: vec!["order".to_string(), "group".to_string()],
        }),
        uniques: vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq \"ünï\"".to_string(),
            columns: vec!["ünïcødé".to_string(), "with space".to_string()],
        }],
        foreign_keys: vec![ForeignKey {
            deferrable: Default::default(),
            name: "fk \"self\"".to_string(),
            columns: vec!["na\"me".to_string(), "with space".to_string()],
            references: QualifiedName::new("user"),
            referenced_columns: vec!["ünïcødé".to_string(), "with space".to_string()],
            on_delete: FkAction::Restrict,
            on_update: FkAction::SetDefault,
            not_valid: false,
        }],
        checks: vec![Check {
            name: "ck \"order\"".to_string(),
            expr: "\"order\" > 0".to_string(),
            not_valid: false,
        }],
        indexes: vec![Index {
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
            name: "ix \"group\"".to_string(),
            columns: vec![IndexColumn {
                opclass: None,
                nulls: None,
                expression: false,
                name: "group".to_string(),
                order: SortOrder::Desc,
            }],
            unique: false,
            predicate: None,
        }],
    }
}

/// `table` with its schema and its foreign keys' target schemas set to `schema`, as the
/// planner hands tables to a dialect.
pub(crate) fn resolved(mut table: TableDef, schema: &str) -> TableDef {
    table.schema = Some(schema.to_string());
    for fk in &mut table.foreign_keys {
        fk.references.schema = Some(schema.to_string());
    }
    table
}

/// `table` as a SQLite declaration may spell it: each `Decimal` column (refused on SQLite,
/// see `sqlite::validate`) becomes the custom type `NUMERIC(p,s)` the database shows.
pub fn sqlite_declarable(mut table: TableDef) -> TableDef {
    for column in &mut table.columns {
        if let ColumnType::Decimal { precision, scale } = column.ty {
            column.ty = ColumnType::Custom(match (precision, scale) {
                (Some(p), Some(s)) => format!("NUMERIC({p},{s})"),
                (Some(p), None) => format!("NUMERIC({p})"),
                _ => "NUMERIC".to_string(),
            });
        }
    }
    table
}
