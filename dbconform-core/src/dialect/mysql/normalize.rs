//! MySQL's and MariaDB's normal form of a table (`Dialect::normalize_table`,
//! docs/DATABASE_TRAPS.md M1–M10, M14). Applied to the declared and the reflected table alike;
//! the reflected one arrives as the reflection contract in `mod.rs` describes (defaults
//! and expressions already read by [`super::reflected_default`] / [`super::from_catalog`]).
//!
//! | What | Rule |
//! |---|---|
//! | schema | the connection's database, [`DATABASE_SCHEMA`](super::DATABASE_SCHEMA), for tables and foreign-key targets |
//! | types | the logical type a spelling names ([`super::parse_type`]: `tinyint(1)`/`bool` → `Boolean`, `int(11)` → `Integer`, display widths dropped, `char(36)` → `Uuid`); `TimestampTz` → `Timestamp` (one `DATETIME(6)`); `Decimal(p)` → `Decimal(p,0)` |
//! | MariaDB JSON | a `longtext` column with a CHECK named after it reading `json_valid(col)` is `Json`, without that CHECK or its `utf8mb4_bin` collation |
//! | NOT NULL | implied for primary-key columns |
//! | defaults | `NULL` → none; `TRUE`/`FALSE`/`'1'`/`b'0'` on a boolean → `1`/`0`; a quoted number on a numeric column → the number, trailing zeros of a fraction dropped (`0.00` → `0`); a number on a character column → the string; `now()`, `current_timestamp()`, `localtimestamp` → `current_timestamp(n)` with the column's fractional-seconds precision; other expressions as below |
//! | expressions (CHECKs, generated columns, defaults) | [`super::sql_expr`]: server parentheses, backticks, case, charset introducers, `!=` |
//! | comments | an empty comment is no comment (MySQL stores `''` for none) |
//! | collations | lower case, `utf8_` → `utf8mb3_` (reflection reports a collation only where it differs from the table's) |
//! | primary key | no name (MySQL names every primary key `PRIMARY`) |
//! | foreign keys | `RESTRICT` → `NO ACTION` (InnoDB checks both at once) |
//! | indexes | `btree` → none; NULLs first ascending / last descending → none; a unique plain index is the UNIQUE constraint it is (both are dropped with `DROP INDEX`); the index InnoDB creates for a foreign key (same name, the key's columns) → none |

use super::types::{datetime_precision, is_numeric, is_string, parse_type};
use super::{DATABASE_SCHEMA, sql_expr::expression};
use crate::model::{
    Column, ColumnType, FkAction, Index, IndexColumn, NullsOrder, SortOrder, TableDef,
    UniqueConstraint,
};

/// The normal form of `table`.
pub(super) fn table(table: &TableDef) -> TableDef {
    let mut out = table.clone();
    let database = |schema: &mut Option<String>| {
        if schema
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(DATABASE_SCHEMA))
        {
            *schema = Some(DATABASE_SCHEMA.to_string());
        }
    };
    database(&mut out.schema);
    out.comment = comment(out.comment.as_deref());
    let pk_columns: Vec<String> = out
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.clone())
        .unwrap_or_default();
    for c in &mut out.columns {
        let in_key = pk_columns
            .iter()
            .any(|k| k.to_lowercase() == c.name.to_lowercase());
        column(c, in_key);
    }
    for check in &mut out.checks {
        check.expr = expression(&check.expr);
    }
    mariadb_json(&mut out);
    if let Some(pk) = &mut out.primary_key {
        pk.name = None;
    }
    for fk in &mut out.foreign_keys {
        database(&mut fk.references.schema);
        for action in [&mut fk.on_delete, &mut fk.on_update] {
            if *action == FkAction::Restrict {
                *action = FkAction::NoAction;
            }
        }
    }
    let mut indexes = Vec::with_capacity(out.indexes.len());
    for mut index in std::mem::take(&mut out.indexes) {
        normalize_index(&mut index);
        if foreign_key_index(&out, &index) {
            continue;
        }
        match index.as_unique_constraint() {
            Some(unique) if !has_unique(&out.uniques, &unique) => out.uniques.push(unique),
            Some(_) => {}
            None => indexes.push(index),
        }
    }
    out.indexes = indexes;
    out.normalized_order();
    out
}

/// One column: its type, implied NOT NULL, default, comment, collation and generation
/// expression.
fn column(c: &mut Column, in_primary_key: bool) {
    c.ty = match &c.ty {
        ColumnType::Custom(text) => parse_type(text),
        // An inline `ENUM(...)`: the labels are the type, compared as the catalog spells
        // them (the type's name does not exist in MySQL).
        ColumnType::Enum(ty) => parse_type(&super::types::enum_sql(ty)),
        ColumnType::TimestampTz => ColumnType::Timestamp,
        ColumnType::Decimal {
            precision: Some(p),
            scale: None,
        } => ColumnType::Decimal {
            precision: Some(*p),
            scale: Some(0),
        },
        other => other.clone(),
    };
    if c.ty == ColumnType::TimestampTz {
        c.ty = ColumnType::Timestamp;
    }
    if in_primary_key {
        c.nullable = false;
    }
    c.comment = comment(c.comment.as_deref());
    c.collation = c.collation.as_deref().and_then(collation);
    match &mut c.generated {
        Some(generated) => {
            generated.expr = expression(&generated.expr);
            c.default = None;
        }
        None => c.default = c.default.as_deref().and_then(|d| default(d, &c.ty)),
    }
}

/// An empty comment is no comment.
fn comment(comment: Option<&str>) -> Option<String> {
    comment.filter(|c| !c.is_empty()).map(str::to_string)
}

/// A collation name as the catalog spells it: lower case, `utf8mb3` for `utf8`.
fn collation(name: &str) -> Option<String> {
    let name = name.trim().trim_matches('`').to_ascii_lowercase();
    (!name.is_empty() && name != "default").then(|| super::types::utf8_is_utf8mb3(&name))
}

/// The normal form of a column default (see the module documentation).
pub(super) fn default(text: &str, ty: &ColumnType) -> Option<String> {
    let expr = expression(text);
    if expr == "null" {
        return None;
    }
    if let Some(fsp) = timestamp_function(&expr) {
        let fsp = fsp.or_else(|| datetime_precision(ty)).unwrap_or(0);
        return Some(format!("current_timestamp({fsp})"));
    }
    let literal = literal_value(&expr);
    if *ty == ColumnType::Boolean {
        match (expr.as_str(), literal.as_deref()) {
            ("true", _) | ("b'1'", _) | (_, Some("1")) => return Some("1".into()),
            ("false", _) | ("b'0'", _) | (_, Some("0")) => return Some("0".into()),
            _ => {}
        }
    }
    if is_numeric(ty) || *ty == ColumnType::Boolean {
        let number = literal.as_deref().unwrap_or(&expr);
        if let Some(n) = canonical_number(number) {
            return Some(n);
        }
        match expr.as_str() {
            "true" => return Some("1".into()),
            "false" => return Some("0".into()),
            _ => {}
        }
    }
    if is_string(ty)
        && let Some(n) = canonical_number(&expr)
    {
        // `DEFAULT 0` on a VARCHAR stores the string '0'.
        return Some(crate::dialect::quote_literal(&n));
    }
    Some(expr)
}

/// The fractional-seconds precision written in a spelling of the current time
/// (`current_timestamp(6)` → `Some(Some(6))`, `now()` → `Some(None)`), `None` for other
/// text. `current_timestamp()` has been read as `current_timestamp` already.
pub(super) fn timestamp_function(expr: &str) -> Option<Option<u32>> {
    for name in ["current_timestamp", "now", "localtimestamp", "localtime"] {
        let Some(rest) = expr.strip_prefix(name) else {
            continue;
        };
        if rest.is_empty() {
            return Some(None);
        }
        let inner = rest.strip_prefix('(')?.strip_suffix(')')?.trim();
        if inner.is_empty() {
            return Some(None);
        }
        return inner.parse().ok().map(Some);
    }
    None
}

/// The value of a normalized string literal (`'it''s'` → `it's`).
fn literal_value(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix('\'')?.strip_suffix('\'')?;
    // One literal only: the quotes left inside are doubled.
    (!inner.replace("''", "").contains('\'')).then(|| inner.replace("''", "'"))
}

/// A decimal number in one spelling: no `+`, no trailing zeros after the point, no
/// lone point, `-0` as `0`. `None` for anything else (hex, exponent, text).
fn canonical_number(text: &str) -> Option<String> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let number = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    Some(if number == "0" || sign.is_empty() {
        number
    } else {
        format!("{sign}{number}")
    })
}

/// MariaDB's JSON (M5): `JSON` is an alias there for `LONGTEXT` with a column CHECK
/// named after the column, `json_valid(col)`, and the collation `utf8mb4_bin`. Such a
/// column is `Json`, as declared, without the CHECK.
fn mariadb_json(table: &mut TableDef) {
    for column in &mut table.columns {
        if column.ty != ColumnType::Custom("longtext".into()) {
            continue;
        }
        let lower = column.name.to_lowercase();
        let validity = format!("json_valid({})", super::lex::quote_ident(&lower));
        let Some(at) = table
            .checks
            .iter()
            .position(|c| c.name.to_lowercase() == lower && c.expr == validity)
        else {
            continue;
        };
        table.checks.remove(at);
        column.ty = ColumnType::Json;
    }
    for column in &mut table.columns {
        if column.ty == ColumnType::Json && column.collation.as_deref() == Some("utf8mb4_bin") {
            column.collation = None;
        }
    }
}

/// An index with its defaults written as none: `btree`, and MySQL's NULLS order.
fn normalize_index(index: &mut Index) {
    index.method = index
        .method
        .as_deref()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty() && m != "btree");
    for key in &mut index.columns {
        let default_nulls = match key.order {
            SortOrder::Asc => NullsOrder::First,
            SortOrder::Desc => NullsOrder::Last,
        };
        if key.nulls == Some(default_nulls) {
            key.nulls = None;
        }
        if key.expression {
            key.name = expression(&key.name);
        }
    }
    index.predicate = index.predicate.as_deref().map(expression);
}

/// `true` for the index InnoDB creates for a foreign key that has none (M9): not unique,
/// on exactly the key's columns, named like the key — or, for a key declared without a
/// constraint name (`REFERENCES` on the column, `FOREIGN KEY (c) REFERENCES ...`), like its
/// first column. Both sides lose it, so a declaration that spells it out compares equal
/// too.
fn foreign_key_index(table: &TableDef, index: &Index) -> bool {
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    !index.unique
        && index.predicate.is_none()
        && index.method.is_none()
        && index.columns.iter().all(IndexColumn::is_plain)
        && table.foreign_keys.iter().any(|fk| {
            (same(&fk.name, &index.name)
                || fk.columns.first().is_some_and(|c| same(c, &index.name)))
                && fk.columns.len() == index.columns.len()
                && fk
                    .columns
                    .iter()
                    .zip(&index.columns)
                    .all(|(f, i)| same(f, &i.name))
        })
}

fn has_unique(uniques: &[UniqueConstraint], unique: &UniqueConstraint) -> bool {
    uniques
        .iter()
        .any(|u| u.name.to_lowercase() == unique.name.to_lowercase())
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
