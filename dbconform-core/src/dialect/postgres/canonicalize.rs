//! Asking PostgreSQL how it stores declared expressions ("canonicalization").
//!
//! Rules cannot predict every rewrite PostgreSQL applies to defaults, CHECKs, generated
//! columns and index expressions (`x IN (1, 2)` → `(x = ANY (ARRAY[1, 2]))`,
//! `price > 0` on a numeric column → `(price > (0)::numeric)`). So the runtime creates,
//! inside a transaction it always rolls back, one temporary table per declared table —
//! same column types, defaults, CHECKs, generated columns and expression/partial indexes —
//! and reads back what the catalog stored, with the very functions reflection uses.
//!
//! This module is the pure half: the DDL ([`statements`], [`batch`]), what each piece is
//! called in an error ([`Target::describe`]), and putting the stored text back into the
//! declared tables ([`apply`]). The runtime sends the batch and the catalog query.

use super::parse::{canonical_type, parse_type};
use crate::dialect::expr::{default_sql, problem};
use crate::dialect::{Dialect, POSTGRES};
use crate::error::{Error, Result};
use crate::model::{ColumnType, TableDef};

/// The prefix of every temporary table (and its indexes) the probe creates.
pub const TABLE_PREFIX: &str = "__dbconform_probe_";

/// The name of the temporary table standing for `tables[position]`.
pub fn table_name(position: usize) -> String {
    format!("{TABLE_PREFIX}{position}")
}

/// The name of the probe index standing for index `index` of `tables[position]`.
fn index_name(position: usize, index: usize) -> String {
    format!("{TABLE_PREFIX}{position}_{index}")
}

/// The name of the probe CHECK standing for check `check` of a table.
fn check_name(check: usize) -> String {
    format!("c{check}")
}

/// One declared expression the probe asks the database about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The default of column `n`.
    Default(usize),
    /// The generation expression of column `n`.
    Generated(usize),
    /// CHECK `n`.
    Check(usize),
    /// Index `n` (its expression keys and predicate).
    Index(usize),
}

impl Target {
    /// Every expression of `table` worth asking about: defaults, generated columns,
    /// CHECKs, and indexes with an expression key or a predicate.
    pub fn all(table: &TableDef) -> Vec<Target> {
        let columns = table.columns.iter().enumerate();
        let defaults = columns
            .clone()
            // An enum column's probe is text (its type may not exist yet): its default is
            // kept as declared, which PostgreSQL casts to the type.
            .filter(|(_, c)| {
                c.default.is_some() && c.generated.is_none() && c.ty.enum_type().is_none()
            })
            .map(|(i, _)| Target::Default(i));
        let generated = columns
            .filter(|(_, c)| c.generated.is_some())
            .map(|(i, _)| Target::Generated(i));
        let checks = (0..table.checks.len()).map(Target::Check);
        let indexes = table
            .indexes
            .iter()
            .enumerate()
            .filter(|(_, i)| i.predicate.is_some() || i.columns.iter().any(|c| c.expression))
            .map(|(i, _)| Target::Index(i));
        defaults
            .chain(generated)
            .chain(checks)
            .chain(indexes)
            .collect()
    }

    /// What the target is, for an error message: ``the default `now()` of column `at` ``.
    pub fn describe(self, table: &TableDef) -> String {
        match self {
            Target::Default(i) => {
                let column = &table.columns[i];
                format!(
                    "the default `{}` of column `{}`",
                    column.default.as_deref().unwrap_or_default(),
                    column.name
                )
            }
            Target::Generated(i) => {
                let column = &table.columns[i];
                format!(
                    "the generation expression `{}` of column `{}`",
                    column
                        .generated
                        .as_ref()
                        .map(|g| g.expr.as_str())
                        .unwrap_or_default(),
                    column.name
                )
            }
            Target::Check(i) => {
                let check = &table.checks[i];
                format!("CHECK `{}` (`{}`)", check.name, check.expr)
            }
            Target::Index(i) => {
                let index = &table.indexes[i];
                let keys: Vec<&str> = index.columns.iter().map(|c| c.name.as_str()).collect();
                match &index.predicate {
                    Some(p) => format!(
                        "index `{}` on ({}) WHERE `{p}`",
                        index.name,
                        keys.join(", ")
                    ),
                    None => format!("index `{}` on ({})", index.name, keys.join(", ")),
                }
            }
        }
    }

    /// The expression texts of this target, to check before they are pasted into SQL.
    fn texts(self, table: &TableDef) -> Vec<&str> {
        match self {
            Target::Default(i) => table.columns[i].default.as_deref().into_iter().collect(),
            Target::Generated(i) => table.columns[i]
                .generated
                .as_ref()
                .map(|g| g.expr.as_str())
                .into_iter()
                .collect(),
            Target::Check(i) => vec![table.checks[i].expr.as_str()],
            Target::Index(i) => {
                let index = &table.indexes[i];
                index
                    .columns
                    .iter()
                    .filter(|c| c.expression)
                    .map(|c| c.name.as_str())
                    .chain(index.predicate.as_deref())
                    .collect()
            }
        }
    }
}

/// The type a probe column is created with: the declared one, except that a `serial`
/// spelling becomes its integer type (a serial would create a sequence and a default).
fn probe_type(ty: &ColumnType) -> String {
    // The enum type may not exist yet: its labels are text to the probe.
    match ty {
        ColumnType::Enum(_) => return "TEXT".to_string(),
        ColumnType::Array(_) if ty.enum_type().is_some() => return "TEXT[]".to_string(),
        _ => {}
    }
    if let ColumnType::Custom(text) = ty {
        let canonical = canonical_type(text);
        if canonical.serial {
            return POSTGRES.column_type_sql(&canonical.ty);
        }
    }
    POSTGRES.column_type_sql(ty)
}

/// The statements creating the probe table for `tables[position]` with only `targets`'
/// expressions: `CREATE TEMP TABLE` (columns with their types, the targeted defaults,
/// generated columns and CHECKs), then one `CREATE INDEX` per targeted index.
///
/// Errors ([`Error::InvalidTable`]) name the table and the expression when an expression
/// would break the statement it is pasted into (`;`, a comment, an unclosed quote).
pub fn statements(position: usize, table: &TableDef, targets: &[Target]) -> Result<Vec<String>> {
    for &target in targets {
        for text in target.texts(table) {
            if let Some(problem) = problem(text) {
                return Err(Error::InvalidTable {
                    table: table.qualified_name(),
                    message: format!("{} {problem}", target.describe(table)),
                });
            }
        }
    }
    let probe = POSTGRES.quote_ident(&table_name(position));
    let mut elements: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let mut sql = format!(
                "{} {}",
                POSTGRES.quote_ident(&column.name),
                probe_type(&column.ty)
            );
            if let Some(generated) = &column.generated
                && targets.contains(&Target::Generated(i))
            {
                sql.push_str(&format!(
                    " GENERATED ALWAYS AS ({}) STORED",
                    generated.expr.trim()
                ));
            } else if let Some(default) = &column.default
                && targets.contains(&Target::Default(i))
            {
                sql.push_str(&format!(" DEFAULT {}", default_sql(default)));
            }
            sql
        })
        .collect();
    elements.extend(
        table
            .checks
            .iter()
            .enumerate()
            .filter(|(i, _)| targets.contains(&Target::Check(*i)))
            .map(|(i, check)| {
                format!(
                    "CONSTRAINT {} CHECK ({})",
                    POSTGRES.quote_ident(&check_name(i)),
                    check.expr.trim()
                )
            }),
    );
    let mut out = vec![format!(
        "CREATE TEMPORARY TABLE {probe} (\n  {}\n) ON COMMIT DROP",
        elements.join(",\n  ")
    )];
    for (i, index) in table.indexes.iter().enumerate() {
        if !targets.contains(&Target::Index(i)) {
            continue;
        }
        let keys: Vec<String> = index
            .columns
            .iter()
            .map(|c| {
                let key = if c.expression {
                    format!("({})", c.name.trim())
                } else {
                    POSTGRES.quote_ident(&c.name)
                };
                // The declared operator class: a key type may have none for the method
                // by default (text under GiST needs `gist_trgm_ops`).
                match &c.opclass {
                    Some(opclass) => {
                        let parts: Vec<String> = opclass
                            .split('.')
                            .map(|p| POSTGRES.quote_ident(p))
                            .collect();
                        format!("{key} {}", parts.join("."))
                    }
                    None => key,
                }
            })
            .collect();
        // The declared access method: an expression may have no B-tree operator class
        // (a `box`, a `tsvector` under GIN), and then the probe would fail where the
        // declared index will not.
        let method = index.method.as_ref().map_or(String::new(), |m| {
            format!(" USING {}", POSTGRES.quote_ident(m))
        });
        let mut sql = format!(
            "CREATE INDEX {} ON pg_temp.{probe}{method} ({})",
            POSTGRES.quote_ident(&index_name(position, i)),
            keys.join(", ")
        );
        if let Some(predicate) = &index.predicate {
            sql.push_str(&format!(" WHERE {}", predicate.trim()));
        }
        out.push(sql);
    }
    Ok(out)
}

/// Every probe statement for `tables`, as one batch (`;`-separated) sent in one round trip.
pub fn batch(tables: &[TableDef]) -> Result<String> {
    let mut all = Vec::new();
    for (position, table) in tables.iter().enumerate() {
        all.extend(statements(position, table, &Target::all(table))?);
    }
    Ok(all.join(";\n"))
}

/// What kind of stored text a catalog row carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredKind {
    /// `format_type` of a column (`name` = the column).
    Type,
    /// `pg_get_expr` of a column default (`name` = the column).
    Default,
    /// `pg_get_expr` of a generated column (`name` = the column).
    Generated,
    /// `pg_get_constraintdef` of a CHECK (`name` = the constraint).
    Check,
    /// `pg_get_expr` of an index predicate (`name` = the index).
    Predicate,
    /// `pg_get_indexdef(index, key, true)` of an expression key (`name` = the index,
    /// `key` = its 1-based key number).
    Key,
}

/// One row of the catalog query reading the probe tables back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The probe table (`__dbconform_probe_<n>`).
    pub table: String,
    /// What the text is.
    pub kind: StoredKind,
    /// The column, constraint or index name.
    pub name: String,
    /// The 1-based key number for [`StoredKind::Key`], else 0.
    pub key: usize,
    /// The stored text.
    pub text: String,
}

/// `tables` with every expression replaced by the text the database stored for its probe,
/// in the form reflection reports (CHECKs without `CHECK (...)`), and each `Custom` type
/// (serial spellings excepted) replaced by what `format_type` reported for it.
pub fn apply(tables: &[TableDef], stored: &[Stored]) -> Vec<TableDef> {
    let mut out = tables.to_vec();
    for row in stored {
        let Some(position) = row
            .table
            .strip_prefix(TABLE_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        let Some(table) = out.get_mut(position) else {
            continue;
        };
        match row.kind {
            StoredKind::Type => {
                if let Some(column) = table.columns.iter_mut().find(|c| c.name == row.name)
                    && let ColumnType::Custom(text) = &column.ty
                    && !canonical_type(text).serial
                {
                    column.ty = parse_type(&row.text);
                }
            }
            StoredKind::Default => {
                if let Some(column) = table.columns.iter_mut().find(|c| c.name == row.name)
                    && column.default.is_some()
                {
                    column.default = Some(row.text.clone());
                }
            }
            StoredKind::Generated => {
                if let Some(generated) = table
                    .columns
                    .iter_mut()
                    .find(|c| c.name == row.name)
                    .and_then(|c| c.generated.as_mut())
                {
                    generated.expr = row.text.clone();
                }
            }
            StoredKind::Check => {
                let check = row
                    .name
                    .strip_prefix('c')
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| table.checks.get_mut(n));
                if let (Some(check), Some(expr)) = (check, super::check_expression(&row.text)) {
                    check.expr = expr;
                }
            }
            StoredKind::Predicate | StoredKind::Key => {
                let index = row
                    .name
                    .strip_prefix(&format!("{}_", table_name(position)))
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| table.indexes.get_mut(n));
                let Some(index) = index else { continue };
                if row.kind == StoredKind::Predicate {
                    if index.predicate.is_some() {
                        index.predicate = Some(row.text.clone());
                    }
                } else if let Some(key) = row
                    .key
                    .checked_sub(1)
                    .and_then(|k| index.columns.get_mut(k))
                    && key.expression
                {
                    key.name = row.text.clone();
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "canonicalize_tests.rs"]
mod tests;
