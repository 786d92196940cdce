//! Convergence: whatever dbconform creates, it must then see as conformant. For each family
//! of types, defaults, constraints and names, on each backend: apply on an empty database,
//! then `compare` must be empty. A failing test's name says which family drifts.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{Backend, TestDb, backend_tests};
use dbconform::{Table, TableDef};

/// Applies `tables` on an empty `db` (one step a table, and the schema's on PostgreSQL),
/// then `compare` must be empty.
/// The tables are first made [`TestDb::ready`] for the backend.
async fn converges(db: &TestDb, tables: Vec<TableDef>) {
    let tables = db.ready(tables);
    let conform = db.conform().await;
    let report = conform.apply(&tables).await.unwrap();
    assert_eq!(
        report.executed.len(),
        tables.len() + db.schema_steps(),
        "{report}"
    );
    let plan = conform.compare(&tables).await.unwrap();
    assert!(
        plan.is_empty() && plan.drift().is_empty(),
        "{} proposes changes right after creating:\n{plan}\n{}",
        db.backend.title(),
        plan.to_sql()
    );
}

/// One test per backend for a family of tables (`name::sqlite`, `name::postgres`,
/// `name::mysql`), with the tables only that backend has: `family!(name, [every backend's],
/// sqlite: [...], postgres: [...], mysql: [...])`, each list optional.
macro_rules! family {
    ($name:ident, [$($table:ty),* $(,)?]
        $(, sqlite: [$($sqlite_only:ty),*])?
        $(, postgres: [$($pg_only:ty),*])?
        $(, mysql: [$($mysql_only:ty),*])? $(,)?) => {
        backend_tests! {
            $name => async |db| {
                let only: Vec<TableDef> = match db.backend {
                    Backend::Sqlite => vec![$($(<$sqlite_only>::table_def(),)*)?],
                    Backend::Postgres => vec![$($(<$pg_only>::table_def(),)*)?],
                    #[cfg(feature = "mysql")]
                    Backend::Mysql => vec![$($(<$mysql_only>::table_def(),)*)?],
                };
                let mut tables = vec![$(<$table>::table_def(),)*];
                tables.extend(only);
                converges(db, tables).await;
            };
        }
    };
}

// ------------------------------------------------------------------ integers

#[derive(Table)]
struct Integers {
    #[column(primary_key)]
    id: i64,
    small: i16,
    medium: i32,
    big: i64,
    small_null: Option<i16>,
    medium_null: Option<i32>,
    big_null: Option<i64>,
    #[column(default = "0")]
    zero: i32,
    #[column(default = "-1")]
    minus_one: i64,
    #[column(default = "42")]
    answer: Option<i16>,
}

#[derive(Table)]
struct SmallIdentity {
    #[column(primary_key)]
    id: i32,
    label: String,
}

#[derive(Table)]
struct ManualKey {
    #[column(primary_key, auto_increment = false)]
    id: i64,
}

family!(converges_integers, [Integers, SmallIdentity, ManualKey]);

// ------------------------------------------------------------------ floats and booleans

#[derive(Table)]
struct FloatsAndBools {
    #[column(primary_key)]
    id: i64,
    single: f32,
    double: f64,
    single_null: Option<f32>,
    double_null: Option<f64>,
    #[column(default = "1.5")]
    one_and_a_half: f64,
    #[column(default = "-2.25")]
    negative: f32,
    flag: bool,
    flag_null: Option<bool>,
    #[column(default = "TRUE")]
    yes: bool,
    #[column(default = "false")]
    no: bool,
}

family!(converges_floats_and_booleans, [FloatsAndBools]);

// ------------------------------------------------------------------ text and bytes

#[derive(Table)]
struct Texts {
    #[column(primary_key)]
    id: i64,
    body: String,
    body_null: Option<String>,
    #[column(max_length = 20)]
    code: String,
    #[column(max_length = 255)]
    code_null: Option<String>,
    #[column(default = "'x'")]
    simple: String,
    #[column(default = "'it''s'")]
    quoted: String,
    #[column(default = "'a;b'", max_length = 10)]
    semicolon: String,
    #[column(default = "''")]
    empty: Option<String>,
    #[column(default = "'DROP TABLE x; --'")]
    hostile: String,
    bytes: Vec<u8>,
    bytes_null: Option<Vec<u8>>,
    #[column(sql_type = "CHAR(3)")]
    currency: String,
}

family!(converges_text_and_bytes, [Texts]);

// ------------------------------------------------------------------ decimals

#[derive(Table)]
struct Decimals {
    #[column(primary_key)]
    id: i64,
    #[column(precision = 10, scale = 2)]
    price: rust_decimal::Decimal,
    #[column(precision = 12)]
    whole: rust_decimal::Decimal,
    unbounded: Option<rust_decimal::Decimal>,
    #[column(precision = 10, scale = 2, default = "0")]
    zero: rust_decimal::Decimal,
    #[column(precision = 8, scale = 3, default = "12.5")]
    twelve_and_a_half: Option<rust_decimal::Decimal>,
}

/// SQLite refuses a `Decimal` column (sqlx cannot read one back; NUMERIC keeps 15
/// digits): the way out it names, exact text.
#[derive(Table)]
struct TextDecimals {
    #[column(primary_key)]
    id: i64,
    #[column(sql_type = "TEXT")]
    price: rust_decimal::Decimal,
    #[column(sql_type = "TEXT", default = "'0'")]
    zero: rust_decimal::Decimal,
    #[column(sql_type = "TEXT")]
    unbounded: Option<rust_decimal::Decimal>,
}

family!(
    converges_decimals,
    [],
    sqlite: [TextDecimals],
    postgres: [Decimals],
    mysql: [Decimals]
);

// ------------------------------------------------------------------ dates and times

#[derive(Table)]
struct ChronoTimes {
    #[column(primary_key)]
    id: i64,
    day: chrono::NaiveDate,
    clock: chrono::NaiveTime,
    naive: chrono::NaiveDateTime,
    zoned: chrono::DateTime<chrono::Utc>,
    day_null: Option<chrono::NaiveDate>,
    zoned_null: Option<chrono::DateTime<chrono::Utc>>,
    #[column(default = "CURRENT_TIMESTAMP")]
    created: chrono::DateTime<chrono::Utc>,
    #[column(default = "CURRENT_DATE")]
    today: chrono::NaiveDate,
    #[column(default = "CURRENT_TIME")]
    now_time: Option<chrono::NaiveTime>,
}

#[derive(Table)]
struct TimeCrateTimes {
    #[column(primary_key)]
    id: i64,
    day: time::Date,
    clock: time::Time,
    naive: time::PrimitiveDateTime,
    zoned: Option<time::OffsetDateTime>,
    #[column(default = "CURRENT_TIMESTAMP")]
    created: time::PrimitiveDateTime,
}

/// `now()` is PostgreSQL's; SQLite has no such function.
#[derive(Table)]
struct PgNow {
    #[column(primary_key)]
    id: i64,
    #[column(default = "now()")]
    created: chrono::DateTime<chrono::Utc>,
    #[column(default = "(now() + interval '1 day')")]
    tomorrow: chrono::DateTime<chrono::Utc>,
    #[column(default = "CURRENT_DATE + 3")]
    in_three_days: chrono::NaiveDate,
}

family!(
    converges_dates_and_times,
    [ChronoTimes, TimeCrateTimes],
    postgres: [PgNow]
);

// ------------------------------------------------------------------ uuid and json

#[derive(Table)]
struct UuidsAndJson {
    #[column(primary_key)]
    id: uuid::Uuid,
    other: Option<uuid::Uuid>,
    doc: serde_json::Value,
    doc_null: Option<serde_json::Value>,
    #[column(default = "'{}'")]
    empty_doc: serde_json::Value,
    #[column(default = r#"'{"a": [1, 2], "b": "x;y"}'"#)]
    filled_doc: serde_json::Value,
}

family!(converges_uuid_and_json, [UuidsAndJson]);

// ------------------------------------------------------------------ constraints and indexes

#[derive(Table)]
#[table(name = "parents")]
struct Parent {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 40, unique)]
    code: String,
    region: i32,
    kind: i32,
}

#[derive(Table)]
#[table(name = "children")]
#[unique(columns("parent_id", "position"))]
#[unique(name = "uq_children_label_region", columns("label", "region"))]
#[index(columns("label"))]
#[index(name = "ix_children_recent", columns("created DESC", "label"))]
#[index(
    name = "ix_children_active",
    columns("parent_id"),
    predicate = "active"
)]
#[index(name = "ux_children_slug", columns("slug"), unique)]
#[check(
    name = "ck_children_position",
    expr = "position >= 0 AND position < 1000"
)]
#[check(expr = "region IN (1, 2, 3)")]
#[check(expr = "label <> ''")]
#[check(expr = "weight BETWEEN 0 AND 100")]
#[check(expr = "slug LIKE 'c-%'")]
struct Child {
    #[column(primary_key)]
    id: i64,
    #[column(references = "parents(id)", on_delete = "cascade", index)]
    parent_id: i64,
    #[column(
        references = "parents(id)",
        on_delete = "set_null",
        on_update = "cascade"
    )]
    adopted_by: Option<i64>,
    #[column(references = "parents(id)", on_delete = "restrict")]
    guardian: Option<i64>,
    #[column(references = "parents(id)", on_delete = "set_default", default = "1")]
    fallback: i64,
    #[column(references = "parents(id)", on_delete = "no_action")]
    sponsor: Option<i64>,
    #[column(references = "parents(code)")]
    parent_code: Option<String>,
    position: i32,
    label: String,
    region: i32,
    #[column(check = "weight >= 0")]
    weight: f64,
    slug: String,
    active: bool,
    #[column(sql_type = "TIMESTAMP")]
    created: Option<String>,
}

/// A composite primary key and a composite reference to it.
#[derive(Table)]
#[table(name = "memberships")]
#[primary_key(columns("parent_id", "member"))]
struct Membership {
    #[column(references = "parents(id)", on_delete = "cascade")]
    parent_id: i64,
    member: i32,
    note: Option<String>,
}

/// Self-reference.
#[derive(Table)]
#[table(name = "tree_nodes")]
struct TreeNode {
    #[column(primary_key)]
    id: i64,
    #[column(references = "tree_nodes(id)", on_delete = "cascade")]
    parent: Option<i64>,
}

family!(
    converges_constraints_and_indexes,
    [Parent, Child, Membership, TreeNode]
);

// ------------------------------------------------------------------ comments

/// Things with comments: 'quoted', "double", and a; semicolon.
#[derive(Table)]
struct Commented {
    #[column(primary_key)]
    id: i64,
    /// A column comment
    /// over two lines.
    described: String,
    #[column(comment = "explicit comment")]
    explicit: Option<i32>,
}

family!(converges_comments, [Commented]);

// ------------------------------------------------------------------ names

#[derive(Table)]
#[table(name = "user")]
#[index(columns("order", "group"))]
struct KeywordNames {
    #[column(primary_key)]
    id: i64,
    #[column(name = "order", unique)]
    order: i32,
    #[column(name = "group", check = "\"group\" <> 'admin'")]
    group: String,
    #[column(name = "select")]
    select: Option<String>,
}

#[derive(Table)]
#[table(name = "MixedCase Table")]
struct MixedCase {
    #[column(primary_key, name = "Id")]
    id: i64,
    #[column(name = "DisplayName", unique)]
    display_name: String,
    #[column(name = "with \"quotes\"")]
    quoted: Option<String>,
    #[column(name = "ünïcödé")]
    unicode: Option<String>,
}

/// 63 bytes: the longest name PostgreSQL keeps. Generated constraint and index names
/// built from it are longer and must be shortened the same way on every run.
#[derive(Table)]
#[table(name = "t23456789_123456789_123456789_123456789_123456789_123456789_123")]
#[index(columns("c23456789_123456789_123456789_123456789_123456789_123456789_123"))]
struct LongNames {
    #[column(primary_key)]
    id: i64,
    #[column(
        name = "c23456789_123456789_123456789_123456789_123456789_123456789_123",
        unique
    )]
    long_column: String,
    #[column(
        references = "t23456789_123456789_123456789_123456789_123456789_123456789_123(id)",
        check = "other_id > 0"
    )]
    other_id: Option<i64>,
}

family!(converges_names, [KeywordNames, MixedCase, LongNames]);

// ------------------------------------------------------------------ everything at once, twice

backend_tests! {
    second_apply_executes_nothing_for_every_family => async |db| {
        let mut tables = all_tables();
        match db.backend {
            Backend::Sqlite => {
                tables.retain(|t| t.name != "decimals");
                tables.push(TextDecimals::table_def());
            }
            Backend::Postgres => tables.push(PgNow::table_def()),
            #[cfg(feature = "mysql")]
            Backend::Mysql => tables = db.ready(tables),
        }
        let conform = db.conform().await;
        conform.apply(&tables).await.unwrap();
        let again = conform.apply(&tables).await.unwrap();
        assert!(again.is_noop(), "{again}");
    };
}

fn all_tables() -> Vec<TableDef> {
    vec![
        Integers::table_def(),
        SmallIdentity::table_def(),
        ManualKey::table_def(),
        FloatsAndBools::table_def(),
        Texts::table_def(),
        Decimals::table_def(),
        ChronoTimes::table_def(),
        TimeCrateTimes::table_def(),
        UuidsAndJson::table_def(),
        Parent::table_def(),
        Child::table_def(),
        Membership::table_def(),
        TreeNode::table_def(),
        Commented::table_def(),
        KeywordNames::table_def(),
        MixedCase::table_def(),
        LongNames::table_def(),
    ]
}
