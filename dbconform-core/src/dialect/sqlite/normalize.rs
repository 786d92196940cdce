//! SQLite's database-normal form (docs/DATABASE_TRAPS.md S1–S6): what two tables SQLite treats as the
//! same have in common, field by field. Applied to the declared and the reflected side
//! alike by [`Dialect::normalize_table`](crate::dialect::Dialect::normalize_table).
//!
//! | rule | example |
//! | --- | --- |
//! | types as SQLite spells what the renderer writes | `Json` → `Text`, `Uuid` → `Blob`, auto-increment → `Integer` |
//! | type text case and whitespace | `varchar ( 20 )` → `Varchar(20)`, `Custom("citext")` → `Custom("CITEXT")` |
//! | same-semantics aliases, never on the rowid key | `INT` → `Integer` (not for `INT PRIMARY KEY`), `BOOL`, `DOUBLE PRECISION`, `CHARACTER VARYING(n)`, `DECIMAL(p,s)` |
//! | implicit scale | `NUMERIC(12)` → `NUMERIC(12,0)` |
//! | implied NOT NULL | the rowid alias (`INTEGER PRIMARY KEY`), every key column of a `WITHOUT ROWID` table |
//! | defaults | outer parentheses, whitespace and keyword case (`(0)` → `0`, `true` → `TRUE`); `NULL` → none; a bare identifier is the string it spells (`DEFAULT abc` → `'abc'`); `+1` → `1` |
//! | expressions (CHECK, generated, index keys, predicates) | outer parentheses, whitespace, comments, keywords in upper case, identifiers and functions in lower case, identifier quoting (`"Price"`, `[price]` → `price`), `==` → `=`, `!=` → `<>` |
//! | collation | `BINARY` (the default) → none, names in upper case |
//! | index method and NULLS order | `btree` (SQLite's only kind) → none; NULLS FIRST on ASC / NULLS LAST on DESC (SQLite's order) → none |
//! | unique index ⇄ constraint | a unique, non-partial, all-ascending index on plain columns becomes a UNIQUE constraint of the same name |
//! | constraints SQLite folds away | a UNIQUE on exactly the (non-rowid) primary key, and a second UNIQUE on the same columns, are dropped |
//! | no comments | SQLite stores none |
//! | schema | `main` |
//!
//! String literals are never altered: `'a;b'` and `'It''s'` stay byte for byte.

use super::lex::{Kind, Token, tokenize, unquote};
use super::{MAIN_SCHEMA, types};
use crate::dialect::quote_literal;
use crate::model::{Column, ColumnType, NullsOrder, SortOrder, TableDef, UniqueConstraint};

/// The table in SQLite's normal form (see the module documentation).
pub(super) fn table(table: &TableDef) -> TableDef {
    let mut t = table.clone();
    if t.schema
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case(MAIN_SCHEMA))
    {
        t.schema = Some(MAIN_SCHEMA.to_string());
    }
    t.comment = None;
    let pk_columns: Vec<String> = t
        .primary_key
        .as_ref()
        .map(|pk| pk.columns.clone())
        .unwrap_or_default();
    let sole_key = match pk_columns.as_slice() {
        [only] if !t.options.without_rowid => Some(only.clone()),
        _ => None,
    };
    let in_key = |name: &str| pk_columns.iter().any(|k| k.eq_ignore_ascii_case(name));
    let mut rowid_alias = false;
    for column in &mut t.columns {
        let is_sole_key = sole_key
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case(&column.name));
        column.ty = column_type(column, is_sole_key);
        if is_sole_key && column.ty == ColumnType::Integer {
            rowid_alias = true;
            column.nullable = false;
        }
        if t.options.without_rowid && in_key(&column.name) {
            column.nullable = false;
        }
        column.comment = None;
        column.default = match &column.generated {
            Some(_) => None,
            None => column.default.as_deref().and_then(default_value),
        };
        column.collation = column
            .collation
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.eq_ignore_ascii_case("BINARY"))
            .map(str::to_ascii_uppercase);
        if let Some(generated) = &mut column.generated {
            generated.expr = expression(&generated.expr);
        }
    }
    t.uniques = folded_uniques(&t.uniques, &pk_columns, rowid_alias);
    for check in &mut t.checks {
        check.expr = expression(&check.expr);
    }
    for fk in &mut t.foreign_keys {
        if fk
            .references
            .schema
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(MAIN_SCHEMA))
        {
            fk.references.schema = Some(MAIN_SCHEMA.to_string());
        }
    }
    let mut indexes = Vec::with_capacity(t.indexes.len());
    for mut index in std::mem::take(&mut t.indexes) {
        index.predicate = index.predicate.as_deref().map(expression);
        // `btree` is the only kind of index SQLite has: the default, so none. Any other
        // method is refused by validation.
        if index
            .method
            .as_deref()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("btree"))
        {
            index.method = None;
        }
        for key in &mut index.columns {
            if key.expression {
                key.name = expression(&key.name);
            }
            // SQLite sorts NULLs first in ascending order and last in descending order.
            let default_nulls = match key.order {
                SortOrder::Asc => NullsOrder::First,
                SortOrder::Desc => NullsOrder::Last,
            };
            if key.nulls == Some(default_nulls) {
                key.nulls = None;
            }
        }
        // A unique index stays an index: the differ treats it as equivalent to a UNIQUE
        // constraint, and a plan must know it can be dropped with DROP INDEX (a
        // constraint needs a table rebuild on SQLite).
        indexes.push(index);
    }
    t.indexes = indexes;
    t.normalized_order();
    t
}

/// The type SQLite gives `column`: what the renderer writes for it, parsed back, with
/// same-semantics aliases resolved (those meaning `Integer` only off the rowid key, where
/// `INT PRIMARY KEY` is not the rowid alias), and `NUMERIC(p)` as `NUMERIC(p,0)`.
fn column_type(column: &Column, is_sole_key: bool) -> ColumnType {
    if column.auto_increment {
        return ColumnType::Integer;
    }
    let sql = types::type_sql(&column.ty);
    let canonical = types::canonical_type_text(&sql);
    let mut ty = types::parse_type(&canonical);
    if matches!(ty, ColumnType::Custom(_)) {
        ty = match types::alias(&canonical) {
            Some(ColumnType::Integer) if is_sole_key => ColumnType::Custom(canonical.into_owned()),
            Some(alias) => alias,
            None => ColumnType::Custom(canonical.into_owned()),
        };
    }
    match ty {
        ColumnType::Decimal {
            precision: Some(p),
            scale: None,
        } => ColumnType::Decimal {
            precision: Some(p),
            scale: Some(0),
        },
        other => other,
    }
}

/// `true` when `column` is the rowid alias of `table` without `AUTOINCREMENT`: the whole
/// primary key of a rowid table, of type `INTEGER` exactly (`INT PRIMARY KEY` is no
/// alias), not generated and without a default. SQLite assigns it an id on every insert
/// (the largest plus one; `AUTOINCREMENT` only adds that ids of deleted rows are never
/// handed out again). See `Dialect::assigns_own_ids`.
pub(super) fn is_plain_rowid_alias(table: &TableDef, column: &Column) -> bool {
    let sole_key = match table.primary_key.as_ref().map(|pk| pk.columns.as_slice()) {
        Some([only]) => only.eq_ignore_ascii_case(&column.name),
        _ => false,
    };
    sole_key
        && !table.options.without_rowid
        && !column.auto_increment
        && column.generated.is_none()
        && column.default.as_deref().and_then(default_value).is_none()
        && column_type(column, true) == ColumnType::Integer
}

/// UNIQUE constraints as SQLite keeps them: one per column list (SQLite creates a single
/// index for two identical constraints), and none on exactly the primary key unless that
/// key is the rowid alias (SQLite reuses the key's own index).
fn folded_uniques(
    uniques: &[UniqueConstraint],
    pk_columns: &[String],
    rowid_alias: bool,
) -> Vec<UniqueConstraint> {
    let key = |columns: &[String]| -> Vec<String> {
        columns.iter().map(|c| c.to_ascii_lowercase()).collect()
    };
    let pk_key = key(pk_columns);
    let mut sorted = uniques.to_vec();
    sorted.sort_by(|a, b| (&a.name, &a.columns).cmp(&(&b.name, &b.columns)));
    let mut seen: Vec<Vec<String>> = Vec::new();
    let mut kept = Vec::with_capacity(sorted.len());
    for unique in sorted {
        let k = key(&unique.columns);
        let on_key = !pk_key.is_empty() && k == pk_key && !rowid_alias;
        if on_key || seen.contains(&k) {
            continue;
        }
        seen.push(k);
        kept.push(unique);
    }
    kept
}

/// Keywords that a DEFAULT may hold bare with their own meaning; any other bare word or
/// quoted identifier after DEFAULT is the string it spells (SQLite's grammar).
const DEFAULT_KEYWORDS: [&str; 6] = [
    "NULL",
    "TRUE",
    "FALSE",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
];

/// A default in normal form: `None` for `NULL`; otherwise [`expression`], except that a
/// lone identifier is the string literal it denotes and a `+` sign on a number goes.
pub(super) fn default_value(text: &str) -> Option<String> {
    let Ok(tokens) = tokenize(text) else {
        return Some(collapse_whitespace(text));
    };
    let tokens = strip_outer_parens(&tokens);
    match tokens {
        [] => None,
        [t] if t.is_kw("NULL") => None,
        [t] if t.kind == Kind::Word
            && !DEFAULT_KEYWORDS
                .iter()
                .any(|k| t.text.eq_ignore_ascii_case(k)) =>
        {
            Some(quote_literal(t.text))
        }
        [t] if t.kind == Kind::Quoted => Some(quote_literal(&unquote(t.text))),
        [sign, n] if sign.is_punct("+") && n.kind == Kind::Number => Some(render(&[*n])),
        _ => Some(render(tokens)),
    }
}

/// An SQL expression in normal form: comments and outer parentheses removed, one
/// canonical spacing, keywords in upper case, identifiers and function names (bare or
/// quoted) in ASCII lower case — SQLite identifiers are case-insensitive even when
/// quoted — with quotes kept only where needed, `==` as `=` and `!=` as `<>`:
/// `(Price>=0)` → `price >= 0`, `LOWER("Email") IS not null` → `lower(email) IS NOT NULL`.
/// String literals are kept exactly. Text that does not tokenize is only trimmed and its
/// whitespace collapsed.
pub(super) fn expression(text: &str) -> String {
    match tokenize(text) {
        Ok(tokens) => render(strip_outer_parens(&tokens)),
        Err(_) => collapse_whitespace(text),
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes parentheses that enclose the whole expression, as often as they do, in one
/// pass: the `k`-th token opens a group closed by the `k`-th last.
fn strip_outer_parens<'a, 's>(tokens: &'a [Token<'s>]) -> &'a [Token<'s>] {
    let mut partner: Vec<Option<usize>> = vec![None; tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.is_punct("(") {
            open.push(i);
        } else if token.is_punct(")") {
            match open.pop() {
                Some(o) => partner[o] = Some(i),
                // Unbalanced: leave the text as it is.
                None => return tokens,
            }
        }
    }
    if !open.is_empty() {
        return tokens;
    }
    let mut k = 0;
    while 2 * k + 1 < tokens.len()
        && partner
            .get(k)
            .copied()
            .flatten()
            .is_some_and(|close| close + 1 + k == tokens.len())
    {
        k += 1;
    }
    tokens.get(k..tokens.len() - k).unwrap_or(tokens)
}

/// How a rendered token behaves for spacing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A keyword.
    Keyword,
    /// An identifier, function name or quoted identifier.
    Name,
    /// A literal or parameter.
    Value,
    /// An operator.
    Operator,
    /// A `+`, `-` or `~` that applies to what follows.
    Unary,
    Open,
    Close,
    Comma,
    Dot,
}

/// Renders tokens with the canonical spelling and spacing described at [`expression`].
fn render(tokens: &[Token<'_>]) -> String {
    let mut out = String::new();
    let mut prev: Option<Role> = None;
    for token in tokens {
        let (text, role) = canonical_token(token, prev);
        // Tokens are only glued where gluing cannot make another token: a sign to what
        // it applies to (never to another sign: `- -1` is not the comment `--1`), a dot
        // between names (`t.a`, while `) .1` keeps apart from the number `.1`), a
        // function name to its parenthesis.
        let space = !matches!(
            (prev, role),
            (None | Some(Role::Open), _)
                | (Some(Role::Unary), Role::Value | Role::Name | Role::Open)
                | (_, Role::Close | Role::Comma)
                | (Some(Role::Name), Role::Dot | Role::Open)
                | (Some(Role::Dot), Role::Name)
        );
        if space {
            out.push(' ');
        }
        out.push_str(&text);
        prev = Some(role);
    }
    out
}

/// One token's canonical text and role; `prev` decides whether a sign is unary.
fn canonical_token(token: &Token<'_>, prev: Option<Role>) -> (String, Role) {
    match token.kind {
        Kind::Word => {
            let upper = token.text.to_ascii_uppercase();
            if is_keyword(&upper) {
                (upper, Role::Keyword)
            } else {
                (token.text.to_ascii_lowercase(), Role::Name)
            }
        }
        Kind::Quoted => {
            let lower = unquote(token.text).to_ascii_lowercase();
            if is_plain_identifier(&lower) && !is_keyword(&lower.to_ascii_uppercase()) {
                (lower, Role::Name)
            } else {
                (format!("\"{}\"", lower.replace('"', "\"\"")), Role::Name)
            }
        }
        Kind::String | Kind::Variable => (token.text.to_string(), Role::Value),
        Kind::Blob => (token.text.to_ascii_uppercase(), Role::Value),
        Kind::Number => (
            token.text.to_ascii_uppercase().replace('_', ""),
            Role::Value,
        ),
        Kind::Punct => match token.text {
            "(" => ("(".into(), Role::Open),
            ")" => (")".into(), Role::Close),
            "," => (",".into(), Role::Comma),
            "." => (".".into(), Role::Dot),
            "==" => ("=".into(), Role::Operator),
            "!=" => ("<>".into(), Role::Operator),
            sign @ ("+" | "-" | "~") => {
                let unary = matches!(
                    prev,
                    None | Some(
                        Role::Open | Role::Comma | Role::Operator | Role::Unary | Role::Keyword
                    )
                );
                let role = if unary { Role::Unary } else { Role::Operator };
                (sign.to_string(), role)
            }
            other => (other.to_string(), Role::Operator),
        },
    }
}

/// `true` for a name that needs no quotes: an ASCII letter or `_`, then letters, digits
/// and `_`.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `true` for an SQLite keyword (upper case), or `TRUE`/`FALSE`, which a quoted
/// identifier must not turn into.
fn is_keyword(upper: &str) -> bool {
    KEYWORDS.binary_search(&upper).is_ok()
}

/// SQLite's keywords (sqlite.org/lang_keywords.html) plus `TRUE` and `FALSE`, sorted.
const KEYWORDS: [&str; 149] = [
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FALSE",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "TRUE",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
];

#[cfg(test)]
mod tests;
