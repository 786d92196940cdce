//! PostgreSQL's normal form of a table (`Dialect::normalize_table`).
//!
//! Applied to the declared and the reflected table alike, so that two tables PostgreSQL
//! treats as the same compare equal field by field, while every real difference survives.
//! Every rewrite keeps the text valid SQL meaning the same thing, because the planner may
//! write the normalized form back into DDL.
//!
//! | What | Rule |
//! |---|---|
//! | Custom types | the `format_type` spelling, or the logical type it names (`int4` → `Integer`, `varchar(20)` → `Varchar(20)`, `numeric(12)` → `Decimal(12,0)`, `timestamp(6)` → `Timestamp`, `_int4` → `Array(Integer)`, unquoted parts in lower case) |
//! | `serial`, `bigserial`, `smallserial` | the integer type, auto-increment, NOT NULL, no default |
//! | `Decimal { precision: Some(p), scale: None }` | scale `Some(0)` (`numeric(p)` is `numeric(p,0)`) |
//! | Arrays | `text[]`, `_text`, `text ARRAY`, `text[3]`, `text[][]` are all `Array(Text)`: the element in its normal form, nested arrays flattened (PostgreSQL ignores dimensions) |
//! | NOT NULL | implied for primary-key and auto-increment columns |
//! | Expressions (defaults, CHECKs, generated columns, index keys and predicates) | outer parentheses removed, whitespace runs collapsed (none after `(`/`[` or before `)`/`]`/`,`, one after `,`), ASCII lower case outside quotes (unquoted names and keywords are case-insensitive); text holding `$` is not case-folded (dollar quoting); `now()` and `transaction_timestamp()` (also `pg_catalog.`-qualified) → `current_timestamp`, the same function, which the server keeps in whichever spelling it was given |
//! | CHECKs, generated columns, index keys and predicates | read as SQL and settled (`sql_expr.rs`): redundant parentheses, the casts PostgreSQL adds to literals and to `varchar` columns, `IN` ↔ `= ANY (ARRAY[...])`, `BETWEEN` → `>= AND <=`, `~~` → `LIKE`; the textual rule above where the text is outside what is read |
//! | Defaults | a cast of a literal to the column's own type removed (`'x'::text` → `'x'`, `'-1'::integer` → `-1` on a numeric column, `'{}'::text[]` → `'{}'`), `ARRAY[]::T[]` on a `T[]` column → `'{}'`, `NULL` → no default (PostgreSQL stores none) |
//! | Comments | an empty comment is no comment (`COMMENT ... IS ''` removes it) |
//! | Collations | quotes and a `pg_catalog.` prefix removed; `default` → none |
//! | Index keys | an expression that is just a column name is that column; operator classes unquoted, lower case, without `pg_catalog.`; NULLS LAST on ASC / NULLS FIRST on DESC (the defaults) as none |
//! | Index access method | lower case; `btree` (the default) as none |
//! | Unique indexes | a unique, non-partial, plain-column, all-ascending index is the UNIQUE constraint it is equivalent to (same name) |
//!
//! Not decided here (a live comparison asks the database through `canonicalize`): the text
//! of typed literals (`'2020-01-01'::timestamp` → `'2020-01-01 00:00:00'`), and expressions
//! outside what `sql_expr.rs` reads (`CASE`, subqueries, `COLLATE`, ...).

use super::parse::canonical_type;
use crate::dialect::expr::{is_signed_number, is_string_literal, segments, strip_outer_parens};
use crate::model::{Column, ColumnType, Index, NullsOrder, SortOrder, TableDef};

/// The normal form of `table`.
pub(super) fn table(table: &TableDef) -> TableDef {
    // One copy, normalized in place: a compare normalizes every table of both sides.
    let mut out = table.clone();
    out.comment = comment(table.comment.as_deref());
    let pk_columns: &[String] = table
        .primary_key
        .as_ref()
        .map_or(&[], |pk| pk.columns.as_slice());
    for c in &mut out.columns {
        let in_primary_key = pk_columns.contains(&c.name);
        column(c, in_primary_key);
    }
    // Expressions are read against the table's columns as declared (or reflected): their
    // types tell which casts the server added. The loops above only normalize types.
    let columns = &table.columns;
    for generated in out.columns.iter_mut().filter_map(|c| c.generated.as_mut()) {
        generated.expr = expression_on(&generated.expr, columns);
    }
    for check in &mut out.checks {
        check.expr = expression_on(&check.expr, columns);
    }
    // A unique index and a UNIQUE constraint stay what they are: the differ treats them as
    // equivalent, and a plan must know which one it drops (DROP INDEX vs DROP CONSTRAINT).
    for i in &mut out.indexes {
        index(i, columns);
    }
    out.normalized_order();
    out
}

/// Puts one column into normal form; `in_primary_key` implies NOT NULL.
fn column(out: &mut Column, in_primary_key: bool) {
    // The labels belong to the type (`Schema::enums`): a column (or an array of the type)
    // compares by the type's name alone.
    if let Some(ty) = out.ty.enum_type_mut() {
        ty.labels.clear();
    }
    match &mut out.ty {
        ColumnType::Enum(_) => {}
        ColumnType::Custom(text) => {
            let canonical = canonical_type(text);
            out.ty = canonical.ty;
            if canonical.serial {
                out.auto_increment = true;
                out.default = None;
            }
        }
        ColumnType::Decimal {
            precision: Some(p),
            scale: None,
        } => {
            out.ty = ColumnType::Decimal {
                precision: Some(*p),
                scale: Some(0),
            };
        }
        ColumnType::Array(element) => {
            out.ty = ColumnType::Array(Box::new(element_type(element)));
        }
        _ => {}
    }
    if in_primary_key || out.auto_increment {
        out.nullable = false;
    }
    out.default = out.default.as_deref().and_then(|d| default(d, &out.ty));
    out.comment = comment(out.comment.as_deref());
    out.collation = out.collation.as_deref().and_then(collation);
    // The generated expression is settled with the table's other expressions.
    if out.generated.is_some() {
        out.default = None;
    }
}

/// The normal form of an array's element type: the innermost element of nested arrays
/// (PostgreSQL ignores dimensions), a custom spelling as the type it names (never a
/// serial: an array of a serial is no sequence), `numeric(p)` as `numeric(p,0)`.
fn element_type(ty: &ColumnType) -> ColumnType {
    match ty {
        ColumnType::Array(inner) => element_type(inner),
        ColumnType::Custom(text) => match canonical_type(text).ty {
            // `sql_type`-like element spellings naming an array (`int[]` in `Vec<..>`).
            ColumnType::Array(inner) => *inner,
            other => other,
        },
        ColumnType::Decimal {
            precision: Some(p),
            scale: None,
        } => ColumnType::Decimal {
            precision: Some(*p),
            scale: Some(0),
        },
        other => other.clone(),
    }
}

/// Puts an index into normal form: key expressions and predicate normalized, an
/// expression key that only names a column turned into that column, the access method in
/// lower case with `btree` (the default) as none, operator classes without quotes, lower
/// case and `pg_catalog.` prefix, and a NULLS order that is the default for the key's
/// direction (NULLS LAST for ASC, NULLS FIRST for DESC) as none.
fn index(out: &mut Index, columns: &[Column]) {
    out.method = out
        .method
        .as_deref()
        .map(identifier)
        .filter(|m| !m.is_empty() && m != "btree");
    for key in &mut out.columns {
        key.opclass = key.opclass.as_deref().map(|o| {
            let o = o.trim();
            let o = o.strip_prefix("pg_catalog.").unwrap_or(o);
            identifier(o)
        });
        let default_nulls = match key.order {
            SortOrder::Asc => NullsOrder::Last,
            SortOrder::Desc => NullsOrder::First,
        };
        if key.nulls == Some(default_nulls) {
            key.nulls = None;
        }
    }
    for key in &mut out.columns {
        if key.expression {
            let expr = expression_on(&key.name, columns);
            match column_name(&expr) {
                Some(name) => {
                    key.name = name;
                    key.expression = false;
                }
                None => key.name = expr,
            }
        }
    }
    out.predicate = out
        .predicate
        .as_deref()
        .map(|p| expression_on(p, columns))
        .filter(|p| !p.is_empty());
}

/// The normal form of an expression on a table with `columns`: read as SQL and settled
/// ([`sql_expr`](super::sql_expr): casts the server adds, `IN`, `BETWEEN`, parentheses), or
/// the textual [`expression`] when it is outside what is read there.
fn expression_on(text: &str, columns: &[Column]) -> String {
    super::sql_expr::settle(text, columns).unwrap_or_else(|| expression(text))
}

/// A name as PostgreSQL stores it: a quoted one exact, an unquoted one in lower case.
fn identifier(name: &str) -> String {
    let name = name.trim();
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => name.to_ascii_lowercase(),
    }
}

/// The column an expression names when it is nothing but a (possibly quoted) column
/// name, as PostgreSQL would store the key: `"Email"` → `Email`, `email` → `email`.
fn column_name(expr: &str) -> Option<String> {
    if let Some(inner) = expr.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
        let unescaped = inner.replace("\"\"", "\"");
        // A lone `"` inside would have ended the name: not a single quoted identifier.
        return (!inner.replace("\"\"", "").contains('"') && !unescaped.is_empty())
            .then_some(unescaped);
    }
    let mut chars = expr.chars();
    let first = chars.next()?;
    let plain = (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    (plain && !is_keyword(expr)).then(|| expr.to_string())
}

/// Bare words that are values, not column names.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "true"
            | "false"
            | "null"
            | "current_date"
            | "current_time"
            | "current_timestamp"
            | "localtime"
            | "localtimestamp"
            | "current_user"
            | "session_user"
            | "user"
    )
}

/// `true` when `column` assigns its own ids from a sequence without being an identity
/// or a reflected `serial`: an integer column, not generated, whose default is one
/// `nextval(...)` call (pg_dump's spelling of a serial, a sequence the column merely uses,
/// one shared by several tables). See `Dialect::assigns_own_ids`.
pub(super) fn draws_from_sequence(column: &Column) -> bool {
    let ty = match &column.ty {
        ColumnType::Custom(text) => canonical_type(text).ty,
        other => other.clone(),
    };
    let Some(default) = column.default.as_deref() else {
        return false;
    };
    let default = expression(default);
    let call = default.strip_prefix("pg_catalog.").unwrap_or(&default);
    !column.auto_increment
        && column.generated.is_none()
        && ty.is_integer()
        && call
            .strip_prefix("nextval")
            .is_some_and(crate::dialect::expr::is_parenthesized)
}

/// An empty comment is no comment.
fn comment(comment: Option<&str>) -> Option<String> {
    comment.filter(|c| !c.is_empty()).map(str::to_string)
}

/// A collation name as `pg_collation` holds it.
fn collation(name: &str) -> Option<String> {
    let name = name.trim();
    let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => name.to_string(),
    };
    (!name.is_empty() && name != "default").then_some(name)
}

/// The normal form of an SQL expression (CHECK, predicate, index key, generated column,
/// default): outer parentheses removed, whitespace collapsed, ASCII lower case outside
/// quoted text. Text the scanner cannot read (an unclosed quote) is only trimmed.
pub(crate) fn expression(text: &str) -> String {
    let text = strip_outer_parens(text);
    let Some(segments) = segments(text) else {
        return text.to_string();
    };
    // `$1$ ... $1$` quoting is not understood by the scanner: fold nothing then.
    let fold = !segments
        .iter()
        .any(|(s, quoted)| !quoted && s.contains('$'));
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut buf = [0u8; 4];
    for (segment, quoted) in &segments {
        if *quoted {
            push_piece(&mut out, segment, &mut pending_space);
            continue;
        }
        for ch in segment.chars() {
            if ch.is_whitespace() {
                pending_space = true;
                continue;
            }
            let ch = if fold { ch.to_ascii_lowercase() } else { ch };
            push_piece(&mut out, ch.encode_utf8(&mut buf), &mut pending_space);
        }
    }
    if fold {
        same_timestamp_spelling(&out)
    } else {
        out
    }
}

/// Spellings of the transaction's start time, all one function on PostgreSQL, written the
/// way [`expression`] leaves them.
const TRANSACTION_TIMESTAMP: [&str; 4] = [
    "pg_catalog.transaction_timestamp()",
    "pg_catalog.now()",
    "transaction_timestamp()",
    "now()",
];

/// `text` (a normalized expression) with every spelling of [`TRANSACTION_TIMESTAMP`]
/// outside quotes written `current_timestamp`: the server stores `now()` and
/// `CURRENT_TIMESTAMP` each as given, so a database and a declaration spelling it
/// differently would otherwise differ forever. `xnow()` or `t.now()` are other functions.
fn same_timestamp_spelling(text: &str) -> String {
    let Some(segments) = segments(text) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for (segment, quoted) in &segments {
        if *quoted {
            out.push_str(segment);
            continue;
        }
        let mut rest: &str = segment;
        'scan: while !rest.is_empty() {
            // A name starts here only when what precedes is no part of a name.
            let starts_name =
                !out.ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | '"'));
            if starts_name {
                for spelling in TRANSACTION_TIMESTAMP {
                    if let Some(after) = rest.strip_prefix(spelling) {
                        out.push_str("current_timestamp");
                        rest = after;
                        continue 'scan;
                    }
                }
            }
            let mut chars = rest.chars();
            if let Some(ch) = chars.next() {
                out.push(ch);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// Appends `piece` to a normalized expression, with one space before it when whitespace
/// preceded it or a comma did, and none after `(`/`[` or before `)`/`]`/`,`.
fn push_piece(out: &mut String, piece: &str, pending_space: &mut bool) {
    let after_open = out.is_empty() || out.ends_with(['(', '[']);
    let before_close = piece.starts_with([')', ']', ',']);
    if (*pending_space || out.ends_with(',')) && !after_open && !before_close {
        out.push(' ');
    }
    *pending_space = false;
    out.push_str(piece);
}

/// The normal form of a column default: an expression, with a cast of a literal to the
/// column's own type removed (PostgreSQL adds that cast when it stores the default, and
/// the literal is converted to the column's type anyway), a quoted number on a numeric
/// column unquoted, and `NULL` as no default.
fn default(text: &str, ty: &ColumnType) -> Option<String> {
    let expr = expression(text);
    // `NULL::T` is NULL whatever `T`: no default.
    if split_cast(&expr).map_or(expr.as_str(), |(operand, _)| strip_outer_parens(operand)) == "null"
    {
        return None;
    }
    let expr = strip_own_cast(&expr, ty).unwrap_or(expr);
    // `ARRAY[]::T[]` is the empty array, `'{}'` (PostgreSQL stores each as written).
    let empty_array = matches!(ty, ColumnType::Array(_))
        && split_cast(&expr).is_some_and(|(operand, cast)| {
            operand == "array[]" && same_type_family(ty, &canonical_type(cast).ty)
        });
    let expr = if empty_array {
        "'{}'".to_string()
    } else {
        expr
    };
    let expr = match expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
        Some(number) if is_numeric(ty) && is_signed_number(number) && !number.contains('x') => {
            number.to_string()
        }
        _ => expr,
    };
    (expr != "null").then_some(expr)
}

/// `'lit'::T`, `(lit)::T` or `number::T` where `T` is the column's type (or both are
/// character types): the literal alone.
fn strip_own_cast(expr: &str, ty: &ColumnType) -> Option<String> {
    let (operand, cast) = split_cast(expr)?;
    let operand = strip_outer_parens(operand);
    let literal =
        (is_string_literal(operand) && operand.starts_with('\'')) || is_signed_number(operand);
    if !literal || !same_type_family(ty, &canonical_type(cast).ty) {
        return None;
    }
    Some(operand.to_string())
}

/// Splits `operand::type` at the first `::` outside quotes and parentheses, when the
/// type part is one type spelling (no further cast or operator).
fn split_cast(expr: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut offset = 0usize;
    for (segment, quoted) in segments(expr)? {
        if !quoted {
            let bytes = segment.as_bytes();
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    b':' if depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                        let at = offset + i;
                        let (operand, cast) = (&expr[..at], &expr[at + 2..]);
                        let type_like = !cast.contains("::")
                            && cast
                                .chars()
                                .all(|c| c.is_alphanumeric() || " _.,()[]\"".contains(c));
                        return type_like.then_some((operand, cast));
                    }
                    _ => {}
                }
            }
        }
        offset += segment.len();
    }
    None
}

/// `true` when a literal cast to `cast` means the same as the literal given to a column
/// of type `column`: the same type (modifiers aside), or two character types.
fn same_type_family(column: &ColumnType, cast: &ColumnType) -> bool {
    fn character(ty: &ColumnType) -> bool {
        match ty {
            // A label given to an enum column as text is the same label.
            ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Enum(_) => true,
            ColumnType::Custom(text) => {
                text.starts_with("character") || text == "bpchar" || text == "citext"
            }
            _ => false,
        }
    }
    if let Some(ty) = column.enum_type() {
        // `'x'::mood`, or `'x'::app.mood` where the type's schema is not on the path (and
        // `'{}'::app.mood[]` for an array of the type).
        let array = matches!(column, ColumnType::Array(_));
        let cast = type_name(cast);
        let last = cast.rsplit('.').next().unwrap_or(&cast);
        let last = match last.strip_suffix("[]") {
            Some(element) if array => element,
            _ if array => "",
            _ => last,
        };
        if last.trim_matches('"') == ty.name {
            return true;
        }
    }
    type_name(column) == type_name(cast) || (character(column) && character(cast))
}

/// The `format_type` name of a type without its modifiers: `character varying` for
/// `Varchar(20)`, `timestamp without time zone` for `timestamp(3) without time zone`.
pub(super) fn type_name(ty: &ColumnType) -> String {
    let spelled = match ty {
        ColumnType::SmallInt => "smallint",
        ColumnType::Integer => "integer",
        ColumnType::BigInt => "bigint",
        ColumnType::Real => "real",
        ColumnType::Double => "double precision",
        ColumnType::Boolean => "boolean",
        ColumnType::Text => "text",
        ColumnType::Varchar(_) => "character varying",
        ColumnType::Blob => "bytea",
        ColumnType::Decimal { .. } => "numeric",
        ColumnType::Date => "date",
        ColumnType::Time => "time without time zone",
        ColumnType::Timestamp => "timestamp without time zone",
        ColumnType::TimestampTz => "timestamp with time zone",
        ColumnType::Uuid => "uuid",
        ColumnType::Json => "jsonb",
        ColumnType::Array(element) => {
            return format!("{}[]", type_name(super::types::innermost(element)));
        }
        ColumnType::Enum(ty) => return ty.name.clone(),
        ColumnType::Custom(text) => {
            return match text.split_once('(') {
                Some((name, rest)) => {
                    let after = rest.split_once(')').map(|(_, a)| a).unwrap_or("");
                    format!("{name}{after}")
                }
                None => text.clone(),
            };
        }
    };
    spelled.to_string()
}

/// Numeric column types, where `'-1'` and `-1` are the same default.
fn is_numeric(ty: &ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::Real
            | ColumnType::Double
            | ColumnType::Decimal { .. }
    )
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
