//! `#[derive(Table)]` produces exactly the expected `TableDef`, for every attribute and every
//! mapped type, and registers each table.
#![allow(dead_code)]

#[path = "common/build.rs"]
mod build;

use FkAction::{Cascade, NoAction, Restrict, SetDefault, SetNull};
use build::{check, index, nullable, primary_key, unique};
use dbconform::{
    Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, QualifiedName, SortOrder,
    SqlType, Table, TableDef, generated_name, short_hash,
};

fn s(text: &str) -> String {
    text.to_string()
}

fn col(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

/// A NOT NULL column that auto-increments (a mapped integer key).
fn auto_increment(name: &str, ty: ColumnType) -> Column {
    Column {
        auto_increment: true,
        ..col(name, ty)
    }
}

/// A descending index column.
fn desc(name: &str) -> IndexColumn {
    IndexColumn {
        opclass: None,
        nulls: None,
        expression: false,
        name: s(name),
        order: SortOrder::Desc,
    }
}

/// The foreign key `name` from `column` to `references`, spelled as in the derive's
/// `references` attribute: `[schema.]table(column)`.
fn fk(
    name: &str,
    column: &str,
    references: &str,
    on_delete: FkAction,
    on_update: FkAction,
) -> ForeignKey {
    let (table, referenced) = references
        .strip_suffix(')')
        .and_then(|r| r.split_once('('))
        .unwrap_or_else(|| panic!("{references:?} is not `[schema.]table(column)`"));
    let references = match table.split_once('.') {
        Some((schema, table)) => QualifiedName::with_schema(schema, table),
        None => QualifiedName::new(table),
    };
    ForeignKey {
        deferrable: Default::default(),
        name: s(name),
        columns: vec![s(column)],
        references,
        referenced_columns: vec![s(referenced)],
        on_delete,
        on_update,
        not_valid: false,
    }
}

/// Products we sell.
///
/// Priced in the shop's currency.
#[derive(Table)]
#[index(name = "ix_products_vendor_sku", columns("vendor_id", "sku"))]
#[table(name = "products")]
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
        options: Default::default(),
        schema: None,
        name: s("products"),
        renamed_from: vec![],
        comment: Some(s("Products we sell.\n\nPriced in the shop's currency.")),
        columns: vec![
            auto_increment("id", ColumnType::BigInt),
            col("sku", ColumnType::Varchar(64)),
            nullable("description", ColumnType::Text),
            Column {
                default: Some(s("0")),
                ..col(
                    "price",
                    ColumnType::Decimal {
                        precision: Some(10),
                        scale: Some(2),
                    },
                )
            },
            col("vendor_id", ColumnType::BigInt),
            Column {
                default: Some(s("CURRENT_TIMESTAMP")),
                ..col("created_at", ColumnType::TimestampTz)
            },
            Column {
                renamed_from: vec![s("qty")],
                ..col("quantity", ColumnType::Integer)
            },
            col("email", ColumnType::Custom(s("citext"))),
        ],
        primary_key: primary_key(None, &["id"]),
        uniques: vec![
            unique("uq_products_vendor_id_sku", &["vendor_id", "sku"]),
            unique("uq_products_sku", &["sku"]),
        ],
        foreign_keys: vec![fk(
            "fk_products_vendor_id",
            "vendor_id",
            "vendors(id)",
            Cascade,
            NoAction,
        )],
        checks: vec![check("ck_products_price", "price >= 0")],
        indexes: vec![
            index(
                s("ix_products_vendor_sku"),
                vec![IndexColumn::asc("vendor_id"), IndexColumn::asc("sku")],
            ),
            index(
                s("ix_products_vendor_id"),
                vec![IndexColumn::asc("vendor_id")],
            ),
        ],
    };
    assert_eq!(Product::table_def(), expected);
}

/// Every mapped type, NOT NULL. No primary key: tables without one are legal.
#[derive(Table)]
struct AllTypes {
    small: i16,
    int: i32,
    big: i64,
    real: f32,
    double: f64,
    flag: bool,
    text: String,
    bytes: Vec<u8>,
    decimal: rust_decimal::Decimal,
    chrono_date: chrono::NaiveDate,
    chrono_time: chrono::NaiveTime,
    chrono_naive: chrono::NaiveDateTime,
    chrono_utc: chrono::DateTime<chrono::Utc>,
    chrono_fixed: chrono::DateTime<chrono::FixedOffset>,
    chrono_local: chrono::DateTime<chrono::Local>,
    time_date: time::Date,
    time_time: time::Time,
    time_primitive: time::PrimitiveDateTime,
    time_offset: time::OffsetDateTime,
    uuid: uuid::Uuid,
    json: serde_json::Value,
}

fn all_type_columns() -> Vec<Column> {
    vec![
        col("small", ColumnType::SmallInt),
        col("int", ColumnType::Integer),
        col("big", ColumnType::BigInt),
        col("real", ColumnType::Real),
        col("double", ColumnType::Double),
        col("flag", ColumnType::Boolean),
        col("text", ColumnType::Text),
        col("bytes", ColumnType::Blob),
        col(
            "decimal",
            ColumnType::Decimal {
                precision: None,
                scale: None,
            },
        ),
        col("chrono_date", ColumnType::Date),
        col("chrono_time", ColumnType::Time),
        col("chrono_naive", ColumnType::Timestamp),
        col("chrono_utc", ColumnType::TimestampTz),
        col("chrono_fixed", ColumnType::TimestampTz),
        col("chrono_local", ColumnType::TimestampTz),
        col("time_date", ColumnType::Date),
        col("time_time", ColumnType::Time),
        col("time_primitive", ColumnType::Timestamp),
        col("time_offset", ColumnType::TimestampTz),
        col("uuid", ColumnType::Uuid),
        col("json", ColumnType::Json),
    ]
}

#[test]
fn every_mapped_type() {
    let expected = TableDef {
        options: Default::default(),
        schema: None,
        name: s("all_types"),
        renamed_from: vec![],
        comment: Some(s(
            "Every mapped type, NOT NULL. No primary key: tables without one are legal.",
        )),
        columns: all_type_columns(),
        primary_key: None,
        uniques: vec![],
        foreign_keys: vec![],
        checks: vec![],
        indexes: vec![],
    };
    assert_eq!(AllTypes::table_def(), expected);
}

// The three spellings of `Option` the derive recognizes.
use std::option::Option as StdOption;

#[derive(Table)]
struct NullableTypes {
    small: Option<i16>,
    int: std::option::Option<i32>,
    big: ::core::option::Option<i64>,
    real: Option<f32>,
    double: Option<f64>,
    flag: Option<bool>,
    text: Option<String>,
    bytes: Option<Vec<u8>>,
    decimal: Option<rust_decimal::Decimal>,
    chrono_date: Option<chrono::NaiveDate>,
    chrono_time: Option<chrono::NaiveTime>,
    chrono_naive: Option<chrono::NaiveDateTime>,
    chrono_utc: Option<chrono::DateTime<chrono::Utc>>,
    chrono_fixed: Option<chrono::DateTime<chrono::FixedOffset>>,
    chrono_local: Option<chrono::DateTime<chrono::Local>>,
    time_date: Option<time::Date>,
    time_time: Option<time::Time>,
    time_primitive: Option<time::PrimitiveDateTime>,
    time_offset: Option<time::OffsetDateTime>,
    uuid: Option<uuid::Uuid>,
    json: Option<serde_json::Value>,
    #[column(max_length = 12)]
    short_text: Option<String>,
    #[column(precision = 8)]
    whole: Option<rust_decimal::Decimal>,
}

#[test]
fn option_makes_every_type_nullable() {
    let mut columns: Vec<Column> = all_type_columns()
        .into_iter()
        .map(|c| Column {
            nullable: true,
            ..c
        })
        .collect();
    columns.push(nullable("short_text", ColumnType::Varchar(12)));
    columns.push(nullable(
        "whole",
        ColumnType::Decimal {
            precision: Some(8),
            scale: None,
        },
    ));
    let expected = TableDef {
        options: Default::default(),
        schema: None,
        name: s("nullable_types"),
        renamed_from: vec![],
        comment: None,
        columns,
        primary_key: None,
        uniques: vec![],
        foreign_keys: vec![],
        checks: vec![],
        indexes: vec![],
    };
    assert_eq!(NullableTypes::table_def(), expected);
    // An alias of `Option` is not recognized by spelling: the derive cannot resolve names,
    // so such a field must not compile. Only the three spellings above count.
    let _: StdOption<()> = None;
}

/// A line of an order. This doc comment is replaced by `comment`.
#[derive(Table)]
#[table(
    schema = "shop",
    renamed_from = "order_items",
    renamed_from("line_items", "lines"),
    comment = "One line per product in an order"
)]
#[primary_key(name = "pk_order_line", columns("order_id", "line_no"))]
#[unique(name = "uq_order_line_product", columns("order_id", "product"))]
#[unique(columns("order_id", "note"))]
#[index(columns("order_id", "line_no DESC"))]
#[index(
    name = "ix_open_lines",
    columns("Product Code asc", "order_id desc"),
    unique,
    predicate = "shipped IS NULL"
)]
#[check(expr = "quantity > 0")]
#[check(expr = "unit_price >= 0 AND quantity < 1000")]
#[check(name = "ck_note_length", expr = "length(note) < 500")]
struct OrderLine {
    /// The order.
    /// Second line of the doc.
    #[column(
        references = "shop.orders(id)",
        on_delete = "cascade",
        on_update = "restrict"
    )]
    order_id: i64,
    #[column(comment = "")]
    /// This doc is suppressed by the empty `comment`.
    line_no: i32,
    /// Used when the comment key is absent; `name` keeps case and spaces.
    #[column(name = "Product Code", max_length = 40)]
    product: String,
    #[column(precision = 12, scale = 4, check = "unit_price >= 0")]
    unit_price: rust_decimal::Decimal,
    #[column(default = "1", renamed_from = "qty", renamed_from = "count")]
    quantity: i32,
    #[column(
        references = "coupons(code)",
        on_delete = "set_null",
        on_update = "SET DEFAULT"
    )]
    coupon: Option<String>,
    note: Option<String>,
    shipped: Option<chrono::NaiveDateTime>,
    #[column(
        references = "warehouses(id)",
        on_delete = "set_default",
        default = "1"
    )]
    warehouse_id: i32,
    #[column(skip)]
    in_memory_only: std::collections::HashMap<String, String>,
}

#[test]
fn composite_keys_constraints_and_comments() {
    let expected = TableDef {
        options: Default::default(),
        schema: Some(s("shop")),
        name: s("order_line"),
        renamed_from: vec![s("order_items"), s("line_items"), s("lines")],
        comment: Some(s("One line per product in an order")),
        columns: vec![
            Column {
                comment: Some(s("The order.\nSecond line of the doc.")),
                ..col("order_id", ColumnType::BigInt)
            },
            col("line_no", ColumnType::Integer),
            Column {
                comment: Some(s(
                    "Used when the comment key is absent; `name` keeps case and spaces.",
                )),
                ..col("Product Code", ColumnType::Varchar(40))
            },
            col(
                "unit_price",
                ColumnType::Decimal {
                    precision: Some(12),
                    scale: Some(4),
                },
            ),
            Column {
                default: Some(s("1")),
                renamed_from: vec![s("qty"), s("count")],
                ..col("quantity", ColumnType::Integer)
            },
            nullable("coupon", ColumnType::Text),
            nullable("note", ColumnType::Text),
            nullable("shipped", ColumnType::Timestamp),
            Column {
                default: Some(s("1")),
                ..col("warehouse_id", ColumnType::Integer)
            },
        ],
        primary_key: primary_key(Some("pk_order_line"), &["order_id", "line_no"]),
        uniques: vec![
            unique("uq_order_line_product", &["order_id", "Product Code"]),
            unique("uq_order_line_order_id_note", &["order_id", "note"]),
        ],
        foreign_keys: vec![
            fk(
                "fk_order_line_order_id",
                "order_id",
                "shop.orders(id)",
                Cascade,
                Restrict,
            ),
            fk(
                "fk_order_line_coupon",
                "coupon",
                "coupons(code)",
                SetNull,
                SetDefault,
            ),
            fk(
                "fk_order_line_warehouse_id",
                "warehouse_id",
                "warehouses(id)",
                SetDefault,
                NoAction,
            ),
        ],
        checks: vec![
            check("ck_order_line_362195e2", "quantity > 0"),
            check(
                "ck_order_line_61bf72d5",
                "unit_price >= 0 AND quantity < 1000",
            ),
            check("ck_note_length", "length(note) < 500"),
            check("ck_order_line_unit_price", "unit_price >= 0"),
        ],
        indexes: vec![
            index(
                s("ix_order_line_order_id_line_no"),
                vec![IndexColumn::asc("order_id"), desc("line_no")],
            ),
            Index {
                unique: true,
                predicate: Some(s("shipped IS NULL")),
                ..index(
                    s("ix_open_lines"),
                    vec![IndexColumn::asc("Product Code"), desc("order_id")],
                )
            },
        ],
    };
    assert_eq!(OrderLine::table_def(), expected);
    // The hashed check names are the core naming function's.
    assert_eq!(
        generated_name("ck", "order_line", &[&short_hash("quantity > 0")]),
        "ck_order_line_362195e2"
    );
}

/// Keyword table and column names, raw identifiers, mixed case.
#[derive(Table)]
#[table(name = "user")]
#[unique(columns("type", "Group"))]
#[index(columns("group"))]
#[allow(non_snake_case)]
struct User {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    r#type: String,
    #[column(name = "Group")]
    group: String,
    #[column(name = "order", index)]
    r#order: i32,
    displayName: Option<String>,
}

#[test]
fn keywords_raw_identifiers_and_mixed_case() {
    let expected = TableDef {
        options: Default::default(),
        schema: None,
        name: s("user"),
        renamed_from: vec![],
        comment: Some(s(
            "Keyword table and column names, raw identifiers, mixed case.",
        )),
        columns: vec![
            col("id", ColumnType::BigInt),
            col("type", ColumnType::Text),
            col("Group", ColumnType::Text),
            col("order", ColumnType::Integer),
            nullable("displayName", ColumnType::Text),
        ],
        primary_key: primary_key(None, &["id"]),
        uniques: vec![unique("uq_user_type_Group", &["type", "Group"])],
        foreign_keys: vec![],
        checks: vec![],
        indexes: vec![
            index(s("ix_user_Group"), vec![IndexColumn::asc("Group")]),
            index(s("ix_user_order"), vec![IndexColumn::asc("order")]),
        ],
    };
    assert_eq!(User::table_def(), expected);
}

/// A struct whose name is an SQL keyword gets that keyword as its table name.
#[derive(Table)]
struct Order {
    #[column(primary_key)]
    id: i32,
}

#[derive(Table)]
struct HTTPLog {
    #[column(primary_key)]
    id: i16,
}

#[derive(Table)]
struct OrderItem {
    #[column(primary_key, sql_type = "INTEGER")]
    id: i64,
}

#[test]
fn default_names_are_snake_case_and_integer_keys_auto_increment() {
    let order = Order::table_def();
    assert_eq!(order.name, "order");
    assert_eq!(
        order.columns,
        vec![auto_increment("id", ColumnType::Integer)]
    );
    let log = HTTPLog::table_def();
    assert_eq!(log.name, "http_log");
    assert_eq!(
        log.columns,
        vec![auto_increment("id", ColumnType::SmallInt)]
    );
    // `sql_type` makes the type custom, and only the mapped integer types auto-increment.
    let item = OrderItem::table_def();
    assert_eq!(item.name, "order_item");
    assert_eq!(
        item.columns,
        vec![col("id", ColumnType::Custom(s("INTEGER")))]
    );
    assert_eq!(item.primary_key, primary_key(None, &["id"]));
}

/// A user type mapped by implementing `SqlType`, and type aliases, work without `sql_type`.
struct Email(String);

impl SqlType for Email {
    fn column_type() -> ColumnType {
        ColumnType::Varchar(320)
    }
}

type Money = rust_decimal::Decimal;
type Name = String;

#[derive(Table)]
#[table(name = "Accounts")]
struct Account {
    /// Keys that are not integers never auto-increment on their own.
    #[column(primary_key)]
    id: uuid::Uuid,
    email: Email,
    backup_email: Option<Email>,
    #[column(precision = 18, scale = 0)]
    balance: Money,
    #[column(max_length = 100)]
    name: Name,
}

/// A primary key with a default is not auto-increment; `auto_increment` forces it on.
#[derive(Table)]
struct Counter {
    #[column(primary_key, default = "1")]
    id: i64,
}

#[derive(Table)]
struct Ticket {
    #[column(primary_key, auto_increment)]
    id: i32,
}

#[test]
fn user_types_aliases_and_auto_increment_rules() {
    let account = Account::table_def();
    assert_eq!(
        account,
        TableDef {
            options: Default::default(),
            schema: None,
            name: s("Accounts"),
            renamed_from: vec![],
            comment: None,
            columns: vec![
                Column {
                    comment: Some(s(
                        "Keys that are not integers never auto-increment on their own."
                    )),
                    ..col("id", ColumnType::Uuid)
                },
                col("email", ColumnType::Varchar(320)),
                nullable("backup_email", ColumnType::Varchar(320)),
                col(
                    "balance",
                    ColumnType::Decimal {
                        precision: Some(18),
                        scale: Some(0)
                    }
                ),
                col("name", ColumnType::Varchar(100)),
            ],
            primary_key: primary_key(None, &["id"]),
            uniques: vec![],
            foreign_keys: vec![],
            checks: vec![],
            indexes: vec![],
        }
    );
    assert_eq!(
        Counter::table_def().columns,
        vec![Column {
            default: Some(s("1")),
            ..col("id", ColumnType::BigInt)
        }]
    );
    assert_eq!(
        Ticket::table_def().columns,
        vec![auto_increment("id", ColumnType::Integer)]
    );
}

/// Names with spaces, quotes and non-ASCII characters pass through untouched.
#[derive(Table)]
#[unique(columns("naïve \"quoted\" col"))]
struct Café {
    #[column(name = "naïve \"quoted\" col", comment = "It's \"quoted\"")]
    value: String,
    #[column(default = "'a;b'")]
    motto: String,
}

#[test]
fn quotes_spaces_and_non_ascii_names() {
    let expected = TableDef {
        options: Default::default(),
        schema: None,
        name: s("café"),
        renamed_from: vec![],
        comment: Some(s(
            "Names with spaces, quotes and non-ASCII characters pass through untouched.",
        )),
        columns: vec![
            Column {
                comment: Some(s("It's \"quoted\"")),
                ..col("naïve \"quoted\" col", ColumnType::Text)
            },
            Column {
                default: Some(s("'a;b'")),
                ..col("motto", ColumnType::Text)
            },
        ],
        primary_key: None,
        uniques: vec![unique(
            "uq_café_naïve \"quoted\" col",
            &["naïve \"quoted\" col"],
        )],
        foreign_keys: vec![],
        checks: vec![],
        indexes: vec![],
    };
    assert_eq!(Café::table_def(), expected);
}

mod inner {
    use dbconform::Table;

    /// Lives in a module and in another schema; `registered_tables` sorts it after the
    /// tables without a schema.
    #[derive(Table)]
    #[table(schema = "audit", name = "events")]
    pub struct Event {
        #[column(primary_key)]
        pub id: i64,
    }
}

#[test]
fn table_def_is_independent_of_the_registry() {
    let event = inner::Event::table_def();
    assert_eq!(
        event.qualified_name(),
        QualifiedName::with_schema("audit", "events")
    );
}

#[test]
fn registered_tables_are_sorted_by_schema_then_name() {
    let tables = dbconform::registered_tables().expect("no duplicate tables in this binary");
    let names: Vec<String> = tables
        .iter()
        .map(|t| t.qualified_name().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Accounts",
            "all_types",
            "café",
            "counter",
            "http_log",
            "nullable_types",
            "order",
            "order_item",
            "people",
            "products",
            "ticket",
            "user",
            "audit.events",
            "shop.order_line",
        ]
    );
    let with_types = dbconform::registered_tables_with_types().unwrap();
    let event = with_types.iter().find(|(_, t)| t.name == "events").unwrap();
    assert_eq!(event.0, "derive_tabledef::inner::Event");
    // Registered definitions are the derive's, with constraints in normalized order.
    let mut product = Product::table_def();
    product.normalized_order();
    assert!(tables.contains(&product));
}

// What real PostgreSQL schemas use: index methods, expression keys, INCLUDE, NULLS NOT
// DISTINCT, a composite deferrable foreign key, generated columns and collations.
#[derive(Table)]
#[table(name = "people")]
#[index(name = "ix_people_tags", columns("tags"), using = "GIN")]
#[index(name = "ix_people_lower_name", expr = "lower(name)", unique)]
#[index(columns("org_id"), include("name"), predicate = "active")]
#[index(columns("org_id"), expr = "lower(nick)", expr = "length(name)")]
#[unique(name = "uq_people_nick", columns("nick"), nulls_not_distinct)]
#[foreign_key(
    name = "fk_people_team",
    columns("org_id", "team_no"),
    references = "teams(org_id, team_no)",
    on_delete = "cascade",
    deferrable
)]
#[foreign_key(
    columns("team_no", "org_id"),
    references = "app.squads(no, org)",
    initially_deferred
)]
struct Person {
    #[column(primary_key)]
    id: i64,
    name: String,
    #[column(sql_type = "tsvector")]
    tags: String,
    #[column(generated = "length(name)")]
    name_len: i32,
    #[column(generated = "id * 2", stored = false)]
    double_id: i64,
    #[column(collation = "C")]
    code: String,
    org_id: i64,
    team_no: i32,
    nick: Option<String>,
    active: bool,
    #[column(max_length = 20)]
    aliases: Option<Vec<String>>,
}

#[test]
fn rich_postgres_declarations() {
    // In the order the registry sorts constraints and indexes into (by name).
    let mut t = Person::table_def();
    t.normalized_order();
    let key = |name: &str, expression: bool| IndexColumn {
        expression,
        ..IndexColumn::asc(name)
    };
    let generated = |name: &str, ty, expr: &str, stored| Column {
        generated: Some(dbconform::GeneratedColumn {
            expr: s(expr),
            stored,
        }),
        ..col(name, ty)
    };
    assert_eq!(
        t.columns,
        [
            auto_increment("id", ColumnType::BigInt),
            col("name", ColumnType::Text),
            col("tags", ColumnType::Custom(s("tsvector"))),
            generated("name_len", ColumnType::Integer, "length(name)", true),
            generated("double_id", ColumnType::BigInt, "id * 2", false),
            Column {
                collation: Some(s("C")),
                ..col("code", ColumnType::Text)
            },
            col("org_id", ColumnType::BigInt),
            col("team_no", ColumnType::Integer),
            nullable("nick", ColumnType::Text),
            col("active", ColumnType::Boolean),
            nullable(
                "aliases",
                ColumnType::Array(Box::new(ColumnType::Varchar(20)))
            ),
        ]
    );
    let plain = |name: String, columns: Vec<IndexColumn>| Index {
        name,
        columns,
        unique: false,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
    };
    let mut expected = vec![
        Index {
            method: Some(s("gin")),
            ..plain(s("ix_people_tags"), vec![key("tags", false)])
        },
        Index {
            unique: true,
            ..plain(s("ix_people_lower_name"), vec![key("lower(name)", true)])
        },
        Index {
            include: vec![s("name")],
            predicate: Some(s("active")),
            ..plain(
                generated_name("ix", "people", &["org_id"]),
                vec![key("org_id", false)],
            )
        },
        plain(
            generated_name(
                "ix",
                "people",
                &[
                    "org_id",
                    &short_hash("lower(nick)"),
                    &short_hash("length(name)"),
                ],
            ),
            vec![
                key("org_id", false),
                key("lower(nick)", true),
                key("length(name)", true),
            ],
        ),
    ];
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(t.indexes, expected);
    assert_eq!(
        t.uniques,
        [dbconform::UniqueConstraint {
            name: s("uq_people_nick"),
            columns: vec![s("nick")],
            nulls_not_distinct: true,
        }]
    );
    let composite =
        |name: String, columns: [&str; 2], references, referenced: [&str; 2]| ForeignKey {
            name,
            columns: columns.map(s).to_vec(),
            references,
            referenced_columns: referenced.map(s).to_vec(),
            on_delete: NoAction,
            on_update: NoAction,
            deferrable: Default::default(),
            not_valid: false,
        };
    assert_eq!(
        t.foreign_keys,
        [
            ForeignKey {
                on_delete: Cascade,
                deferrable: dbconform::Deferrability::Deferrable,
                ..composite(
                    s("fk_people_team"),
                    ["org_id", "team_no"],
                    QualifiedName::new("teams"),
                    ["org_id", "team_no"],
                )
            },
            ForeignKey {
                deferrable: dbconform::Deferrability::InitiallyDeferred,
                ..composite(
                    generated_name("fk", "people", &["team_no", "org_id"]),
                    ["team_no", "org_id"],
                    QualifiedName::with_schema("app", "squads"),
                    ["no", "org"],
                )
            },
        ]
    );
}
