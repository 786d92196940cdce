//! Renames the declaration asks for (`#[table(renamed_from = "old")]`,
//! `#[column(renamed_from = "old")]`), and rename suggestions where it does not.
//!
//! A rename is planned when the declared name does not exist and one of the old names does
//! and is not declared itself (several old names are tried in order). Once renamed, the
//! declared name exists and the hint is inert, so leaving it in the code is harmless.
//!
//! [`plan_renames`] returns the rename changes and the reflected schema *as it will be
//! after them* (tables and columns renamed, with every reference to them: keys,
//! constraints, indexes, other tables' foreign keys), which the differ then compares with
//! the declaration as usual. The database makes the same edits when it renames (both
//! PostgreSQL and SQLite ≥ 3.26 carry foreign keys, indexes, CHECKs and triggers over).
//!
//! [`suggestions`] never renames on a guess: for a column (table) the declaration adds
//! while the database has an undeclared one of a compatible type (with mostly the same
//! columns), it says which `renamed_from` would keep the data.

use super::{Key, Names};
use crate::model::{Column, ColumnType, QualifiedName, Schema, TableDef};
use crate::plan::Change;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The renames `desired` (resolved) asks for, and `actual` with them made.
pub(crate) fn plan_renames<'a>(
    desired: &[TableDef],
    actual: &'a Schema,
    names: Names<'_>,
) -> (Vec<Change>, Cow<'a, Schema>) {
    // The common case stays cheap: no declaration names an old name, no copy.
    let hinted = desired.iter().any(|t| {
        !t.renamed_from.is_empty() || t.columns.iter().any(|c| !c.renamed_from.is_empty())
    });
    if !hinted {
        return (Vec::new(), Cow::Borrowed(actual));
    }
    let mut after = actual.clone();
    for table in &mut after.tables {
        table.schema = Some(names.schema(table.schema.as_deref()));
    }
    let declared: BTreeSet<Key> = desired.iter().map(|t| names.table_key(t)).collect();
    let mut existing: BTreeMap<Key, usize> = after
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (names.table_key(t), i))
        .collect();
    let mut table_renames = Vec::new();
    for table in desired {
        if table.renamed_from.is_empty() || existing.contains_key(&names.table_key(table)) {
            continue;
        }
        for old in &table.renamed_from {
            let from = QualifiedName {
                schema: table.schema.clone(),
                name: old.clone(),
            };
            let key = names.key(&from);
            if declared.contains(&key) || !existing.contains_key(&key) {
                continue;
            }
            rename_table(&mut after, &key, &table.name, names);
            if let Some(i) = existing.remove(&key) {
                existing.insert(names.table_key(table), i);
            }
            table_renames.push(Change::RenameTable {
                from,
                to: table.qualified_name(),
            });
            break;
        }
    }
    let mut column_renames = Vec::new();
    for table in desired {
        if table.columns.iter().all(|c| c.renamed_from.is_empty()) {
            continue;
        }
        let Some(&found) = existing.get(&names.table_key(table)) else {
            continue;
        };
        for column in &table.columns {
            let has = |t: &TableDef, name: &str| {
                t.columns
                    .iter()
                    .any(|c| names.ident(&c.name) == names.ident(name))
            };
            if has(&after.tables[found], &column.name) {
                continue;
            }
            for old in &column.renamed_from {
                if has(table, old) || !has(&after.tables[found], old) {
                    continue;
                }
                let real = after.tables[found]
                    .columns
                    .iter()
                    .find(|c| names.ident(&c.name) == names.ident(old))
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| old.clone());
                rename_column(&mut after, found, &real, &column.name, names);
                column_renames.push(Change::RenameColumn {
                    table: table.qualified_name(),
                    from: real,
                    to: column.name.clone(),
                });
                break;
            }
        }
    }
    table_renames.extend(column_renames);
    (table_renames, Cow::Owned(after))
}

/// Renames table `key` of `schema` to `to`, and every foreign key pointing at it.
fn rename_table(schema: &mut Schema, key: &Key, to: &str, names: Names<'_>) {
    for table in &mut schema.tables {
        if &names.table_key(table) == key {
            // Its size goes with it.
            if let Some(size) = schema.sizes.remove(&table.qualified_name()) {
                let renamed = QualifiedName {
                    name: to.to_string(),
                    ..table.qualified_name()
                };
                schema.sizes.insert(renamed, size);
            }
            table.name = to.to_string();
        }
        for fk in &mut table.foreign_keys {
            if &names.key(&fk.references) == key {
                fk.references.name = to.to_string();
            }
        }
    }
}

/// Renames column `from` of table `index` to `to`, in its keys, constraints, indexes and
/// expressions, and in the foreign keys of every table that references it.
fn rename_column(schema: &mut Schema, index: usize, from: &str, to: &str, names: Names<'_>) {
    let same = |name: &str| names.ident(name) == names.ident(from);
    let rename = |list: &mut Vec<String>| {
        for name in list.iter_mut() {
            if same(name) {
                *name = to.to_string();
            }
        }
    };
    // Written bare when that spells the same name, as the database will show it.
    let plain = to
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && to
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let quoted_to = if plain {
        to.to_string()
    } else {
        names.dialect.quote_ident(to)
    };
    let in_expr = |expr: &mut String| *expr = rename_in_expression(expr, from, &quoted_to, names);
    let key = names.table_key(&schema.tables[index]);
    for (i, table) in schema.tables.iter_mut().enumerate() {
        if i == index {
            for column in &mut table.columns {
                if same(&column.name) {
                    column.name = to.to_string();
                }
                if let Some(generated) = &mut column.generated {
                    in_expr(&mut generated.expr);
                }
            }
            if let Some(pk) = &mut table.primary_key {
                rename(&mut pk.columns);
            }
            for unique in &mut table.uniques {
                rename(&mut unique.columns);
            }
            for check in &mut table.checks {
                in_expr(&mut check.expr);
            }
            for index in &mut table.indexes {
                for column in &mut index.columns {
                    if column.expression {
                        in_expr(&mut column.name);
                    } else if same(&column.name) {
                        column.name = to.to_string();
                    }
                }
                if let Some(predicate) = &mut index.predicate {
                    in_expr(predicate);
                }
            }
            for fk in &mut table.foreign_keys {
                rename(&mut fk.columns);
            }
        }
        for fk in &mut table.foreign_keys {
            if names.key(&fk.references) == key {
                rename(&mut fk.referenced_columns);
            }
        }
    }
}

/// `expr` with every mention of the identifier `from` (bare or double-quoted, outside
/// string literals) replaced by `to` (already quoted).
fn rename_in_expression(expr: &str, from: &str, to: &str, names: Names<'_>) -> String {
    let mut out = String::with_capacity(expr.len());
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A string literal, copied as is ('' escapes a quote).
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            continue;
        }
        if c == '"' {
            let start = i;
            let mut ident = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '"' {
                    if chars.get(i + 1) == Some(&'"') {
                        ident.push('"');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                ident.push(chars[i]);
                i += 1;
            }
            if names.ident(&ident) == names.ident(from) {
                out.push_str(to);
            } else {
                out.extend(&chars[start..i]);
            }
            continue;
        }
        if word(c) && (i == 0 || !word(chars[i - 1])) {
            let start = i;
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
            let ident: String = chars[start..i].iter().collect();
            // A bare identifier folds to lower case (PostgreSQL; SQLite ignores case).
            if names.ident(&ident.to_lowercase()) == names.ident(from) {
                out.push_str(to);
            } else {
                out.push_str(&ident);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Rename hints for the changes the differ found: for each added column, the dropped (or
/// kept undeclared) columns of the same table with a compatible type; for each created
/// table, the undeclared table sharing the most of its columns (two at least, and at
/// least half). Keyed by the
/// description of the change they are about.
pub(crate) fn suggestions(
    changes: &[Change],
    desired: &[TableDef],
    actual: &Schema,
    names: Names<'_>,
) -> BTreeMap<String, String> {
    // Only added columns and created tables get suggestions; a no-op start-up has none.
    if !changes
        .iter()
        .any(|c| matches!(c, Change::AddColumn { .. } | Change::CreateTable { .. }))
    {
        return BTreeMap::new();
    }
    let declared: BTreeSet<Key> = desired.iter().map(|t| names.table_key(t)).collect();
    let mut out = BTreeMap::new();
    for change in changes {
        match change {
            Change::AddColumn { table, column } => {
                let key = names.key(table);
                let Some(found) = actual.tables.iter().find(|t| names.table_key(t) == key) else {
                    continue;
                };
                let Some(declaration) = desired.iter().find(|t| names.table_key(t) == key) else {
                    continue;
                };
                let candidates: Vec<&Column> = found
                    .columns
                    .iter()
                    .filter(|c| {
                        !declaration
                            .columns
                            .iter()
                            .any(|d| names.ident(&d.name) == names.ident(&c.name))
                            && compatible(&c.ty, &column.ty, names)
                    })
                    .collect();
                let Some(old) = candidates.first() else {
                    continue;
                };
                out.insert(
                    change.describe(),
                    format!(
                        "if `{}` is `{}` renamed, declare `#[column(renamed_from = \"{}\")]` on it: a rename keeps the values, while this plan adds an empty column and keeps or drops `{}` (evidence: `{}` is not declared and its type {} is compatible with {})",
                        column.name,
                        old.name,
                        old.name,
                        old.name,
                        old.name,
                        names.dialect.column_type_sql_for(old),
                        names.dialect.column_type_sql_for(column)
                    ),
                );
            }
            Change::CreateTable { table } => {
                let wanted: BTreeSet<String> =
                    table.columns.iter().map(|c| names.ident(&c.name)).collect();
                let best = actual
                    .tables
                    .iter()
                    .filter(|t| !declared.contains(&names.table_key(t)))
                    .map(|t| {
                        let shared: Vec<&str> = t
                            .columns
                            .iter()
                            .filter(|c| wanted.contains(&names.ident(&c.name)))
                            .map(|c| c.name.as_str())
                            .collect();
                        (shared, t)
                    })
                    // Two shared columns at least (`id` alone says nothing), and half.
                    .filter(|(shared, _)| shared.len() >= 2 && shared.len() * 2 >= wanted.len())
                    .max_by_key(|(shared, t)| (shared.len(), std::cmp::Reverse(t.name.clone())));
                if let Some((shared, old)) = best {
                    out.insert(
                        change.describe(),
                        format!(
                            "if `{}` is `{}` renamed, declare `#[table(renamed_from = \"{}\")]`: a rename keeps the rows, while this plan creates an empty table and keeps or drops `{}` (evidence: `{}` is not declared and has {} of the {} declared columns: {})",
                            table.name,
                            old.name,
                            old.name,
                            old.name,
                            old.name,
                            shared.len(),
                            wanted.len(),
                            shared.join(", ")
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

/// `true` when a column of type `a` could be the same data as one of type `b`: the same
/// type in the dialect's normal form, or both text, or both integers.
fn compatible(a: &ColumnType, b: &ColumnType, names: Names<'_>) -> bool {
    let normal = |ty: &ColumnType| names.dialect.parse_type(&names.dialect.column_type_sql(ty));
    let (a, b) = (normal(a), normal(b));
    let text = |t: &ColumnType| matches!(t, ColumnType::Text | ColumnType::Varchar(_));
    a == b || (text(&a) && text(&b)) || (a.is_integer() && b.is_integer())
}

#[cfg(test)]
mod tests {
    use super::rename_in_expression;
    use crate::dialect::{POSTGRES, SQLITE};
    use crate::diff::Names;

    #[test]
    fn renames_identifiers_in_expressions_but_not_in_strings() {
        let names = Names {
            dialect: &SQLITE,
            target_schema: "main",
        };
        assert_eq!(
            rename_in_expression(
                "full_name <> '' AND length(\"FULL_NAME\") < 9 AND x = 'full_name' AND full_names > 0",
                "full_name",
                "\"display_name\"",
                names
            ),
            "\"display_name\" <> '' AND length(\"display_name\") < 9 AND x = 'full_name' AND full_names > 0"
        );
        let names = Names {
            dialect: &POSTGRES,
            target_schema: "public",
        };
        // Quoted identifiers are case-sensitive on PostgreSQL.
        assert_eq!(
            rename_in_expression("\"Qty\" > 0 AND qty > 1", "qty", "\"n\"", names),
            "\"Qty\" > 0 AND \"n\" > 1"
        );
    }
}
