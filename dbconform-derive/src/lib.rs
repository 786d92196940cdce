//! `#[derive(Table)]` for dbconform. Use it through the `dbconform` crate; this crate holds
//! only the macro.
//!
//! The pipeline follows thiserror-impl: `ast` parses the input and its attributes (`attr`),
//! `valid` checks how they combine, collecting every error before failing (`ctxt`), and
//! `expand` writes the tokens. `value` turns key values into typed values; `text` holds the pure string
//! helpers.

mod ast;
mod attr;
mod ctxt;
mod db_enum;
mod expand;
mod text;
mod valid;
mod value;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `dbconform::Table` for a struct with named fields and registers the table, so
/// that `dbconform::conform_all`, the `*_all` methods of `DbConform` and
/// `dbconform::desired_schema()` see it.
///
/// ```ignore
/// use dbconform::Table;
///
/// /// Products we sell.                              (doc comments become comments)
/// #[derive(Table)]
/// #[table(name = "products")]                        // default: `product`
/// #[index(columns("vendor_id", "sku DESC"))]         // named `ix_products_vendor_id_sku`
/// #[unique(columns("vendor_id", "sku"))]             // named `uq_products_vendor_id_sku`
/// #[check(name = "ck_products_price", expr = "price >= 0")]
/// struct Product {
///     #[column(primary_key)]                         // i64 key: auto-increment
///     id: i64,
///     #[column(max_length = 64, unique)]             // VARCHAR(64), `uq_products_sku`
///     sku: String,
///     description: Option<String>,                   // nullable TEXT
///     #[column(precision = 10, scale = 2, default = "0")]
///     price: rust_decimal::Decimal,
///     #[column(references = "vendors(id)", on_delete = "cascade", index)]
///     vendor_id: i64,
///     #[column(skip)]
///     cached: Vec<u8>,
/// }
/// ```
///
/// # Struct attributes
///
/// | attribute | keys |
/// | --- | --- |
/// | `#[table(...)]` | `name = "..."` (default: the struct name in snake_case, `HTTPLog` → `http_log`), `schema = "..."`, `renamed_from = "..."` (repeatable, or `renamed_from("a", "b")`), `comment = "..."` (default: the doc comment; `""` for none) |
/// | `#[index(...)]` (repeatable) | `columns("a", "b DESC")` and/or `expr = "lower(a)"` (repeatable; expression keys come after the columns), `name = "..."` (default `ix_<table>_<cols>`, each expression as its hash), `unique`, `predicate = "SQL"`, `using = "gin"` (or `method`: `btree`, `hash`, `gist`, `spgist`, `gin`, `brin`, `bloom`, `rum`, `ivfflat`, `hnsw`), `include("c")`, `nulls_not_distinct` |
/// | `#[unique(...)]` (repeatable) | `columns(...)` (required), `name = "..."` (default `uq_<table>_<cols>`), `nulls_not_distinct` |
/// | `#[foreign_key(...)]` (repeatable) | `columns(...)` and `references = "[schema.]table(col, ...)"` (required, as many referenced columns as columns), `name = "..."` (default `fk_<table>_<cols>`), `on_delete`, `on_update`, `deferrable` or `initially_deferred` |
/// | `#[check(...)]` (repeatable) | `expr = "SQL"` (required), `name = "..."` (default `ck_<table>_<hash of expr>`) |
/// | `#[primary_key(...)]` (once) | `columns(...)` (required), `name = "..."`; a composite key never auto-increments |
///
/// Names in `columns(...)` are column names or field names. Generated names are at most 63
/// bytes: a longer one is shortened and ends with a hash of the full name, so it stays
/// unique and the same from run to run.
///
/// # Field attribute `#[column(...)]`
///
/// | key | meaning |
/// | --- | --- |
/// | `name = "..."` | column name (default: the field name, `r#type` → `type`) |
/// | `primary_key` | single-column primary key; an integer key auto-increments |
/// | `auto_increment`, `auto_increment = bool` | only with `primary_key`; forces auto-increment on or off (a key with a `default` is not auto-increment unless forced) |
/// | `unique` | one-column UNIQUE constraint `uq_<table>_<col>` |
/// | `index` | one-column index `ix_<table>_<col>` |
/// | `default = "SQL"` | default expression, verbatim |
/// | `sql_type = "..."` | any SQL type, verbatim; the field type then needs no mapping |
/// | `max_length = N` | `VARCHAR(N)`; `String` fields only (`Vec<String>`: `VARCHAR(N)[]`) |
/// | `precision = P`, `scale = S` | `NUMERIC(P, S)`; decimal fields only; `scale` needs `precision` |
/// | `references = "table(col)"`, `"schema.table(col)"` | foreign key `fk_<table>_<col>` |
/// | `on_delete`, `on_update` = `"cascade"`, `"set_null"`, `"set_default"`, `"restrict"`, `"no_action"` | foreign key actions (`set_null` needs an `Option` field) |
/// | `check = "SQL"` | CHECK constraint `ck_<table>_<col>` |
/// | `generated = "SQL"` | generated column, `GENERATED ALWAYS AS (SQL) STORED`; not with `primary_key`, `default` or `auto_increment` |
/// | `stored = false` | with `generated`: a VIRTUAL generated column (SQLite, MySQL) |
/// | `collation = "..."` | the column's collation |
/// | `renamed_from = "..."` | an earlier column name (repeatable, or a list) |
/// | `comment = "..."` | column comment (default: the doc comment; `""` for none) |
/// | `skip` | not a column; combines with no other key |
///
/// The column type comes from `dbconform::SqlType` for the field type with one outer
/// `Option<...>` removed (`Option` makes the column nullable). A type without a mapping
/// fails to compile at the field unless `sql_type` is given.
///
/// # With `sqlx::FromRow`
///
/// The derive reads the `#[sqlx(...)]` keys that decide which column `sqlx::FromRow` reads
/// a field from, so that one spelling drives both derives:
///
/// | `#[sqlx(...)]` key | for `Table` |
/// | --- | --- |
/// | `rename = "..."` (field) | the column name |
/// | `rename_all = "..."` (struct) | the column name of every field without `rename` or `#[column(name)]`: `snake_case`, `lowercase`, `UPPERCASE`, `camelCase`, `PascalCase`, `SCREAMING_SNAKE_CASE`, `kebab-case`, converted as sqlx converts them |
/// | `skip` (field) | not a column, like `#[column(skip)]` |
/// | `default` (field) | nothing (the field stays a column; sqlx tolerates its absence) |
/// | `flatten` (field) | refused: the flattened struct's columns cannot be seen |
///
/// Other keys are sqlx's alone. On a struct with any `#[sqlx(...)]` attribute, a
/// `#[column(name = "...")]` naming another column than sqlx reads, or a `#[column(skip)]`
/// field that sqlx would still read (no `#[sqlx(skip)]` or `#[sqlx(default)]`), fails to
/// compile: at run time sqlx would fail with `ColumnNotFound`. Without any, the derive
/// cannot tell that sqlx reads the struct: prefer `#[sqlx(rename)]` and `#[sqlx(skip)]` to
/// `#[column(name)]` and `#[column(skip)]` on a `FromRow` struct.
///
/// ```ignore
/// #[derive(dbconform::Table, sqlx::FromRow)]
/// #[sqlx(rename_all = "camelCase")]
/// struct OrderLine {
///     #[column(primary_key)]
///     id: i64,
///     customer_id: i64,                  // column `customerId` for both
///     #[sqlx(rename = "qty")]
///     quantity: i32,                     // column `qty` for both
///     #[sqlx(skip)]
///     cached_total: i64,                 // no column; sqlx fills in `Default::default()`
/// }
/// ```
///
/// Every attribute mistake is a compile error spanned on the token to fix, and all of them
/// are reported at once.
// `sqlx` is declared here too, so that `#[sqlx(...)]` is accepted on a struct deriving only
// `Table`; a struct also deriving `sqlx::FromRow` shares it (a helper attribute may belong
// to several derives).
#[proc_macro_derive(
    Table,
    attributes(table, column, index, unique, check, primary_key, foreign_key, sqlx)
)]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// Derives `dbconform::DbEnum` and `dbconform::SqlType` for an enum of unit variants, so
/// that fields of the enum are columns of a database enum type (PostgreSQL: a named
/// `CREATE TYPE ... AS ENUM`; SQLite: `TEXT` with a `CHECK (col IN (...))`; MySQL: an
/// inline `ENUM(...)`).
///
/// ```ignore
/// #[derive(dbconform::DbEnum, sqlx::Type)]
/// #[sqlx(type_name = "mood", rename_all = "lowercase")]   // read by DbEnum too
/// #[db_enum(schema = "app")]
/// enum Mood {
///     Happy,                                              // label `happy`
///     Sad,
///     #[db_enum(rename = "so-so", renamed_from = "meh")]  // the label was `meh`
///     SoSo,
/// }
/// ```
///
/// | attribute | keys |
/// | --- | --- |
/// | `#[db_enum(...)]` on the enum | `name = "..."` (default: `#[sqlx(type_name)]`, else the enum's name in snake_case), `schema = "..."` (default: the target schema), `rename_all = "..."` (sqlx's styles) |
/// | `#[db_enum(...)]` on a variant | `rename = "..."` (the label), `renamed_from = "..."` (an earlier label, repeatable: renamed in place) |
/// | `#[sqlx(...)]` | `type_name`, `rename_all` on the enum and `rename` on a variant are read, so the labels are those sqlx binds; a `db_enum` key disagreeing with sqlx's fails to compile |
///
/// Without either, a label is the variant's name as written (sqlx's default). Labels must
/// be unique after renaming.
#[proc_macro_derive(DbEnum, attributes(db_enum, sqlx))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    db_enum::derive(&input).into()
}
