//! SQLite table rebuild: the statements that replace a table by one built from its
//! declaration when `ALTER TABLE` cannot express a change (docs/DATABASE_TRAPS.md S7–S9).
//!
//! Two pure functions:
//!
//! - [`assemble`] (through [`Dialect::assemble_rebuilds`]) turns a plan's per-change
//!   steps into one [`ChangeKind::RebuildTable`] step per table that has a change only a
//!   rebuild can make. Every other change of that table joins the rebuild (a native step
//!   run before or after it would be undone or repeated by it); changes the policy or the
//!   data checks blocked are left out of the rebuilt table, which keeps what the database
//!   has for them. The planner then puts the rebuilds in foreign-key order, referenced
//!   tables first, and blocks what needs a blocked step ([`crate::dialect::Assembled`]).
//! - [`table_rebuild`] gives one table's statements.
//!
//! The statements must run with `PRAGMA foreign_keys=OFF` (set outside the transaction: a
//! `DROP TABLE` with foreign keys on fires `ON DELETE CASCADE`), inside one transaction,
//! followed by `PRAGMA foreign_key_check`; triggers and views that mention the table are
//! dropped before and recreated after by the runtime, from their stored SQL. The order is:
//!
//! 1. `CREATE TABLE "dbconform_new_<t>"` from the declaration, plus every database-only column,
//!    key, constraint and table option (`STRICT`, `WITHOUT ROWID`) the plan does not drop,
//!    as the database has them (indexes come last: their names are still taken by the old
//!    table's);
//! 2. `INSERT INTO "dbconform_new_<t>" (cols) SELECT cols FROM "<t>"` with explicit column lists and
//!    the rowids, values copied as they are (SQLite's column affinity converts what looks
//!    like the new type and keeps the rest: a `CAST` would turn `'abc'` into `0`), and
//!    `COALESCE` with the declared default only for the columns the caller names;
//! 3. for an AUTOINCREMENT table, the `sqlite_sequence` value carried over (the larger of
//!    the old counter and the largest copied key), so ids are never reused;
//! 4. `DROP TABLE "<t>"`, `ALTER TABLE "dbconform_new_<t>" RENAME TO "<t>"`;
//! 5. the declared and the kept database-only indexes.
//!
//! What it cannot recreate (a STRICT table whose declared types STRICT refuses, a WITHOUT
//! ROWID table without a primary key) makes it refuse with a reason instead of losing it;
//! the plan then blocks the changes that needed the rebuild.

use super::Sqlite;
use crate::dependents::DependentObject;
use crate::dialect::{Assembled, Dialect, quote_literal, render as shared};
use crate::error::{Error, Result};
use crate::model::{Column, ColumnType, QualifiedName, Schema, TableDef};
use crate::plan::{BlockedStep, Change, ChangeKind, Plan, Risk, Step};
use std::collections::{BTreeMap, BTreeSet};

/// The result of [`table_rebuild`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    /// The rebuild can be done.
    Statements {
        /// The statements, in order (each complete, without a trailing `;`).
        statements: Vec<String>,
        /// What the rebuild keeps that the declaration does not mention (`column
        /// `legacy``, `index `ix_t_legacy``, `the AUTOINCREMENT counter`, ...).
        kept: Vec<String>,
    },
    /// The rebuild would lose something it cannot recreate; the text says what.
    Refused(String),
}

/// The column types a STRICT table accepts.
const STRICT_TYPES: &[&str] = &["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];

/// The statements that rebuild `actual` (as reflected, schema resolved) into `target` (as
/// declared, schema resolved, with the changes the plan does not make put back as the
/// database has them). `changes` are the changes the rebuild makes: what it drops
/// (columns, keys, constraints, indexes) comes from there; everything else the database
/// has and `target` does not mention is kept. `fill_nulls` names the columns becoming NOT
/// NULL whose NULLs may be replaced by the declared default.
pub fn table_rebuild(
    dialect: &Sqlite,
    target: &TableDef,
    actual: &TableDef,
    changes: &[Change],
    fill_nulls: &[String],
) -> Result<Rebuild> {
    let table = actual.name.as_str();
    let refuse = |what: String| {
        Ok(Rebuild::Refused(format!(
            "table `{table}` cannot be rebuilt without losing {what}; change it by hand"
        )))
    };
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    let dropped = Dropped::of(changes, dialect);
    let mut adopted = keep_rowid_keys(dialect, target, actual);
    keep_database_names(dialect, &mut adopted, actual);
    let target = &adopted;

    // Where each declared column's values come from.
    let source = |column: &Column| -> Option<&Column> {
        actual
            .columns
            .iter()
            .find(|a| same(&a.name, &column.name))
            .or_else(|| {
                actual
                    .columns
                    .iter()
                    .find(|a| column.renamed_from.iter().any(|old| same(&a.name, old)))
            })
    };
    let declared = target.clone();
    let sources: Vec<Option<&Column>> = declared.columns.iter().map(source).collect();
    let mut target = declared.clone();
    let mut kept = Vec::new();
    let kept_columns: Vec<&Column> = actual
        .columns
        .iter()
        .filter(|a| {
            !sources.iter().flatten().any(|s| same(&s.name, &a.name)) && !dropped.column(&a.name)
        })
        .collect();
    for column in &kept_columns {
        target.columns.push((*column).clone());
        kept.push(format!("column `{}`", column.name));
    }
    let names: Vec<String> = target.columns.iter().map(|c| c.name.clone()).collect();
    let has_column = |name: &str| names.iter().any(|c| same(c, name));
    keep_constraints(
        dialect,
        actual,
        &mut target,
        &dropped,
        &has_column,
        &mut kept,
    );

    // Table options the declaration cannot spell are carried over, when they still fit.
    target.options = actual.options.clone();
    if target.options.strict {
        for column in &target.columns {
            let ty = dialect.column_type_sql_for(column);
            if !STRICT_TYPES.iter().any(|t| t.eq_ignore_ascii_case(&ty)) {
                return refuse(format!(
                    "its STRICT option (column `{}` would be {ty}, which a STRICT table refuses; STRICT accepts INT, INTEGER, REAL, TEXT, BLOB and ANY)",
                    column.name
                ));
            }
        }
        kept.push("the STRICT option".into());
    }
    if target.options.without_rowid {
        if target.primary_key.is_none() {
            return refuse(
                "its WITHOUT ROWID option (a WITHOUT ROWID table needs a primary key, and the rebuilt one has none)".into(),
            );
        }
        if target.columns.iter().any(|c| c.auto_increment) {
            return refuse("its WITHOUT ROWID option (it cannot have an AUTOINCREMENT key)".into());
        }
        kept.push("the WITHOUT ROWID option".into());
    }
    let indexes = std::mem::take(&mut target.indexes);

    let final_name = target.qualified_name();
    let new_name = QualifiedName {
        schema: target.schema.clone(),
        name: format!("dbconform_new_{}", target.name),
    };
    target.name = new_name.name.clone();
    let mut statements = super::render::create_table_unvalidated(dialect, &target, &[])?;

    // Copy: every column of the new table that has a source, generated columns excepted
    // (the new table computes them; a column that stops being generated keeps the values
    // it had).
    let mut into = Vec::new();
    let mut select = Vec::new();
    if keeps_rowids(dialect, &target, actual) {
        into.push("rowid".to_string());
        select.push("rowid".to_string());
        kept.push("the rowids".into());
    }
    for (column, from) in declared.columns.iter().zip(&sources) {
        let Some(from) = from else { continue };
        if column.generated.is_some() {
            continue;
        }
        let mut expr = dialect.quote_ident(&from.name);
        if fill_nulls.iter().any(|f| same(f, &column.name))
            && let Some(default) = &column.default
        {
            expr = format!(
                "COALESCE({expr}, {})",
                crate::dialect::expr::default_sql(default)
            );
        }
        into.push(dialect.quote_ident(&column.name));
        select.push(expr);
    }
    for column in kept_columns.iter().filter(|c| c.generated.is_none()) {
        let name = dialect.quote_ident(&column.name);
        into.push(name.clone());
        select.push(name);
    }
    if into.iter().all(|c| c == "rowid") {
        return refuse("its rows: none of its columns is kept".into());
    }
    let new_table = dialect.quote_table(&new_name);
    let old_table = dialect.quote_table(&final_name);
    statements.push(format!(
        "INSERT INTO {new_table} ({}) SELECT {} FROM {old_table}",
        into.join(", "),
        select.join(", ")
    ));

    // AUTOINCREMENT: the new table's counter is the larger of the old counter and the
    // largest copied key (DROP TABLE removes the old entry, RENAME renames the new one).
    if let Some(key) = target.columns.iter().find(|c| c.auto_increment) {
        let (new_lit, old_lit) = (quote_literal(&new_name.name), quote_literal(table));
        statements.push(format!(
            "DELETE FROM sqlite_sequence WHERE name = {new_lit}"
        ));
        statements.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {new_lit}, MAX(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = {old_lit} UNION ALL SELECT MAX({}) FROM {new_table}) HAVING MAX(seq) IS NOT NULL",
            dialect.quote_ident(&key.name)
        ));
        kept.push("the AUTOINCREMENT counter".into());
    }
    statements.push(format!("DROP TABLE {old_table}"));
    statements.push(format!(
        "ALTER TABLE {new_table} RENAME TO {}",
        dialect.quote_ident(&final_name.name)
    ));
    statements.extend(
        indexes
            .iter()
            .map(|index| shared::create_index_on(dialect, &final_name, index)),
    );
    Ok(Rebuild::Statements { statements, kept })
}

/// `target` with each auto-increment column that the database has as a rowid alias
/// without `AUTOINCREMENT` ([`Dialect::assigns_own_ids`]) kept that way: an `INTEGER`
/// key, not auto-increment. The differ adopts such keys instead of rebuilding for them,
/// so a rebuild made for another change must not add `AUTOINCREMENT` either.
fn keep_rowid_keys(dialect: &Sqlite, target: &TableDef, actual: &TableDef) -> TableDef {
    let mut target = target.clone();
    for column in target.columns.iter_mut().filter(|c| c.auto_increment) {
        let found = actual
            .columns
            .iter()
            .find(|a| dialect.same_identifier(&a.name, &column.name));
        if found.is_some_and(|found| dialect.assigns_own_ids(actual, found)) {
            column.auto_increment = false;
            column.ty = ColumnType::Integer;
        }
    }
    target
}

/// Gives each foreign key, UNIQUE and CHECK of `target` whose name the derive generated
/// (the declaration gives none: `fk_<table>_<cols>`, `uq_<table>_<cols>`,
/// `ck_<table>_<col>`, `ck_<table>_<hash>`) the name of the database's constraint of the
/// same definition — possibly none, an unnamed constraint staying unnamed. The differ
/// pairs such constraints by definition and plans nothing for the name, so a rebuild
/// made for another change must not rename them either. A foreign key is the same one
/// when its columns and referenced columns are (its actions may be what changes).
fn keep_database_names(dialect: &Sqlite, target: &mut TableDef, actual: &TableDef) {
    use crate::naming::{generated_name, short_hash};
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    let same_list =
        |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y));
    let table = target.name.clone();
    let generated = |prefix: &str, parts: &[String]| {
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        generated_name(prefix, &table, &parts)
    };
    // A database name is taken over only once, and never when the declaration uses it.
    let mut taken: Vec<String> = target
        .uniques
        .iter()
        .map(|u| u.name.clone())
        .chain(target.foreign_keys.iter().map(|f| f.name.clone()))
        .chain(target.checks.iter().map(|c| c.name.clone()))
        .collect();
    let mut take = |name: &str, taken_by: &str| -> bool {
        if !name.is_empty() && taken.iter().any(|t| same(t, name)) {
            return false;
        }
        taken.retain(|t| t != taken_by);
        taken.push(name.to_string());
        true
    };
    for fk in &mut target.foreign_keys {
        if fk.name != generated("fk", &fk.columns) {
            continue;
        }
        let found = actual.foreign_keys.iter().find(|a| {
            same_list(&a.columns, &fk.columns)
                && same(&a.references.name, &fk.references.name)
                && same_list(&a.referenced_columns, &fk.referenced_columns)
        });
        if let Some(found) = found
            && !same(&found.name, &fk.name)
            && take(&found.name, &fk.name)
        {
            fk.name = found.name.clone();
        }
    }
    for unique in &mut target.uniques {
        if unique.name != generated("uq", &unique.columns) {
            continue;
        }
        let found = actual
            .uniques
            .iter()
            .find(|a| same_list(&a.columns, &unique.columns));
        if let Some(found) = found
            && !same(&found.name, &unique.name)
            && take(&found.name, &unique.name)
        {
            unique.name = found.name.clone();
        }
    }
    let columns: Vec<String> = target.columns.iter().map(|c| c.name.clone()).collect();
    for check in &mut target.checks {
        let is_generated = check.name == generated("ck", &[short_hash(&check.expr)])
            || columns
                .iter()
                .any(|c| check.name == generated("ck", std::slice::from_ref(c)));
        if !is_generated {
            continue;
        }
        let expr = super::normalize::expression(&check.expr);
        let found = actual
            .checks
            .iter()
            .find(|a| super::normalize::expression(&a.expr) == expr);
        if let Some(found) = found
            && !same(&found.name, &check.name)
            && take(&found.name, &check.name)
        {
            check.name = found.name.clone();
        }
    }
}

/// `true` when the copy must carry the rowids over explicitly: both tables have rowids,
/// the new one has no `INTEGER PRIMARY KEY` alias carrying them, and no real column is
/// called `rowid`.
fn keeps_rowids(dialect: &Sqlite, target: &TableDef, actual: &TableDef) -> bool {
    if target.options.without_rowid || actual.options.without_rowid {
        return false;
    }
    let shadowed = target.columns.iter().chain(&actual.columns).any(|c| {
        ["rowid", "oid", "_rowid_"]
            .iter()
            .any(|r| c.name.eq_ignore_ascii_case(r))
    });
    let alias = match target.primary_key.as_ref().map(|pk| pk.columns.as_slice()) {
        Some([only]) => target.columns.iter().any(|c| {
            dialect.same_identifier(&c.name, only)
                && (c.auto_increment
                    || dialect
                        .column_type_sql_for(c)
                        .eq_ignore_ascii_case("INTEGER"))
        }),
        _ => false,
    };
    !shadowed && !alias
}

/// What a rebuild's changes drop from the database's table.
struct Dropped<'a> {
    dialect: &'a Sqlite,
    columns: Vec<&'a str>,
    primary_key: bool,
    /// Constraint and index names (unique, check, foreign key, index).
    names: Vec<&'a str>,
    /// Unnamed checks, by expression.
    checks: Vec<&'a str>,
}

impl<'a> Dropped<'a> {
    fn of(changes: &'a [Change], dialect: &'a Sqlite) -> Self {
        let mut dropped = Dropped {
            dialect,
            columns: Vec::new(),
            primary_key: false,
            names: Vec::new(),
            checks: Vec::new(),
        };
        for change in changes {
            match change {
                Change::DropColumn { column, .. } => dropped.columns.push(&column.name),
                Change::DropPrimaryKey { .. } => dropped.primary_key = true,
                Change::DropUnique { unique, .. } => dropped.names.push(&unique.name),
                Change::DropForeignKey { foreign_key, .. } => dropped.names.push(&foreign_key.name),
                Change::DropIndex { index, .. } => dropped.names.push(&index.name),
                Change::DropCheck { check, .. } => {
                    dropped.names.push(&check.name);
                    dropped.checks.push(check.expr.trim());
                }
                _ => {}
            }
        }
        dropped
    }

    fn column(&self, name: &str) -> bool {
        self.columns
            .iter()
            .any(|c| self.dialect.same_identifier(c, name))
    }

    fn named(&self, name: &str) -> bool {
        !name.is_empty()
            && self
                .names
                .iter()
                .any(|n| self.dialect.same_identifier(n, name))
    }
}

/// Adds to `target` the primary key, constraints and indexes of `actual` that the target
/// does not have (matched by name, or by content for unnamed ones) and the changes do not
/// drop, when all their columns exist in `target`; records each in `kept`.
fn keep_constraints(
    dialect: &Sqlite,
    actual: &TableDef,
    target: &mut TableDef,
    dropped: &Dropped<'_>,
    has_column: &dyn Fn(&str) -> bool,
    kept: &mut Vec<String>,
) {
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    let same_list =
        |a: &[String], b: &[String]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y));
    let all_kept = |columns: &[String]| columns.iter().all(|c| has_column(c));
    let named = |a: &str, b: &str| !a.is_empty() && same(a, b);

    if target.primary_key.is_none()
        && !dropped.primary_key
        && let Some(pk) = &actual.primary_key
        && all_kept(&pk.columns)
    {
        target.primary_key = Some(pk.clone());
        kept.push(format!("the primary key ({})", pk.columns.join(", ")));
    }
    // A unique index and a unique constraint over the same columns are one key.
    let unique_index_on = |t: &TableDef, columns: &[String]| {
        t.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && i.columns.iter().all(|c| !c.expression)
                && same_list(
                    &i.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
                    columns,
                )
        })
    };
    let uniques: Vec<_> = actual
        .uniques
        .iter()
        .filter(|u| {
            !target
                .uniques
                .iter()
                .any(|d| named(&u.name, &d.name) || same_list(&u.columns, &d.columns))
                && !unique_index_on(target, &u.columns)
                && !dropped.named(&u.name)
                && all_kept(&u.columns)
        })
        .cloned()
        .collect();
    let checks: Vec<_> = actual
        .checks
        .iter()
        .filter(|c| {
            !target
                .checks
                .iter()
                .any(|d| named(&c.name, &d.name) || c.expr.trim() == d.expr.trim())
                && !dropped.named(&c.name)
                && !dropped.checks.contains(&c.expr.trim())
        })
        .cloned()
        .collect();
    let fks: Vec<_> = actual
        .foreign_keys
        .iter()
        .filter(|f| {
            !target.foreign_keys.iter().any(|d| {
                named(&f.name, &d.name)
                    || (same_list(&f.columns, &d.columns)
                        && same(&f.references.name, &d.references.name))
            }) && !dropped.named(&f.name)
                && all_kept(&f.columns)
        })
        .cloned()
        .collect();
    let indexes: Vec<_> = actual
        .indexes
        .iter()
        .filter(|i| {
            let columns: Vec<String> = i.columns.iter().map(|c| c.name.clone()).collect();
            let is_unique_key = i.unique
                && i.predicate.is_none()
                && i.columns.iter().all(|c| !c.expression)
                && target
                    .uniques
                    .iter()
                    .any(|u| same_list(&u.columns, &columns));
            !target.indexes.iter().any(|d| same(&i.name, &d.name))
                && !is_unique_key
                && !dropped.named(&i.name)
                && i.columns
                    .iter()
                    .all(|c| c.expression || has_column(&c.name))
        })
        .cloned()
        .collect();
    kept.extend(uniques.iter().map(|u| format!("unique `{}`", u.name)));
    kept.extend(checks.iter().map(|c| format!("check `{}`", c.name)));
    kept.extend(fks.iter().map(|f| format!("foreign key `{}`", f.name)));
    kept.extend(indexes.iter().map(|i| format!("index `{}`", i.name)));
    target.uniques.extend(uniques);
    target.checks.extend(checks);
    target.foreign_keys.extend(fks);
    target.indexes.extend(indexes);
}

/// Replaces, in `plan`, the steps of each table that has an executable change only a
/// rebuild can make by one [`ChangeKind::RebuildTable`] step (see the module docs).
/// `desired` holds the declared tables with their schemas resolved, `actual` the
/// reflected schema. A table whose rebuild [`table_rebuild`] refuses keeps its native
/// steps; the changes needing the rebuild are blocked with the reason (and what needs
/// them with them).
pub fn assemble(
    dialect: &Sqlite,
    plan: Plan,
    desired: &[TableDef],
    actual: &Schema,
    dependents: &[DependentObject],
) -> Result<Assembled> {
    let key = |q: &QualifiedName| dialect.identifier_key(&q.name);
    let mut tables: Vec<QualifiedName> = Vec::new();
    for step in plan.steps() {
        if let (Some(_), true, Some(table)) = (&step.rebuild, step.sql.is_empty(), &step.table)
            && !tables.iter().any(|t| key(t) == key(table))
        {
            tables.push(table.clone());
        }
    }
    let (_, steps, blocked, drift) = plan.into_parts();
    let on = |step: &Step, table: &QualifiedName| {
        step.table.as_ref().is_some_and(|t| key(t) == key(table))
            && !matches!(
                step.kind,
                ChangeKind::CreateTable
                    | ChangeKind::DropTable
                    | ChangeKind::RenameTable
                    | ChangeKind::RenameColumn
            )
    };
    let find = |tables: &'_ [TableDef], name: &QualifiedName| -> Result<TableDef> {
        tables
            .iter()
            .find(|t| key(&t.qualified_name()) == key(name))
            .cloned()
            .ok_or_else(|| {
                Error::internal(format!(
                    "table `{name}` needs a rebuild but is not both declared and present; this is a bug in dbconform, please report it"
                ))
            })
    };
    let mut merged: BTreeMap<String, Step> = BTreeMap::new();
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    // Rename steps that became part of a rebuild, by their position in the plan.
    let mut absorbed: BTreeSet<usize> = BTreeSet::new();
    for table in &tables {
        let parts: Vec<&Step> = steps.iter().filter(|s| on(s, table)).collect();
        let actual_table = find(&actual.tables, table)?;
        let mut target = find(desired, table)?;
        for held in blocked.iter().filter(|b| on(&b.step, table)) {
            put_back(&mut target, &held.step.change, &actual_table, dialect);
        }
        let changes: Vec<Change> = parts.iter().map(|s| s.change.clone()).collect();
        // Renames of this table and its columns run after the rebuild, which is made
        // under the old names: the views and triggers recreated around it are the ones
        // read before the plan, which spell the old names, and SQLite's own RENAME then
        // rewrites them (and the table's constraints and indexes).
        let renames = Renames::of(&steps, table, dialect);
        let target = renames.under_old_names(&target);
        let actual_table = renames.under_old_names(&actual_table);
        match table_rebuild(dialect, &target, &actual_table, &changes, &[])? {
            Rebuild::Statements {
                mut statements,
                kept,
            } => {
                let old_name = target.qualified_name();
                let seeds: Vec<usize> = dependents
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| {
                        [&old_name, table].iter().any(|t| {
                            o.uses(t, None, dialect)
                                || o.on
                                    .as_ref()
                                    .is_some_and(|on| crate::dependents::same_table(on, t, dialect))
                        })
                    })
                    .map(|(i, _)| i)
                    .collect();
                let order = crate::dependents::closure(dependents, &seeds, dialect);
                let mut sql: Vec<String> =
                    order.iter().map(|&i| dependents[i].drop.clone()).collect();
                sql.append(&mut statements);
                for &i in order.iter().rev() {
                    sql.extend(dependents[i].create.iter().cloned());
                }
                sql.extend(renames.statements(dialect, &old_name.name, &table.name));
                let mut parts = parts;
                parts.extend(renames.positions.iter().map(|&i| &steps[i]));
                merged.insert(key(table), rebuild_step(table, &parts, sql, &kept));
                absorbed.extend(renames.positions.iter().copied());
            }
            Rebuild::Refused(why) => {
                refused.insert(key(table), why);
            }
        }
    }

    // Each rebuild takes the place of its table's first step; then the rebuilds are put
    // in foreign-key order among the places they took.
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    let mut newly_blocked = Vec::new();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut slots = Vec::new();
    for (position, step) in steps.into_iter().enumerate() {
        if absorbed.contains(&position) {
            continue;
        }
        let table_key = step.table.as_ref().map(key);
        let rebuilt = table_key
            .as_ref()
            .filter(|k| merged.contains_key(*k))
            .filter(|_| {
                !matches!(
                    step.kind,
                    ChangeKind::CreateTable
                        | ChangeKind::DropTable
                        | ChangeKind::RenameTable
                        | ChangeKind::RenameColumn
                )
            });
        if let Some(k) = rebuilt {
            if placed.insert(k.clone()) {
                slots.push(out.len());
                out.push(merged[k].clone());
            }
            continue;
        }
        match table_key.and_then(|k| refused.get(&k)) {
            Some(why) if step.rebuild.is_some() && step.sql.is_empty() => {
                newly_blocked.push(BlockedStep {
                    step,
                    unlocked_by: String::new(),
                    problem: Some(why.clone()),
                    depends_on: None,
                })
            }
            _ => out.push(step),
        }
    }
    let mut all_blocked = blocked;
    all_blocked.extend(newly_blocked);
    Ok(Assembled {
        steps: out,
        rebuilds: slots,
        blocked: all_blocked,
        drift,
    })
}

/// The renames of one rebuilt table and of its columns in a plan (see [`assemble`]).
struct Renames {
    /// The rename steps, by their position in the plan.
    positions: Vec<usize>,
    /// The table's old name, when it is renamed.
    table: Option<String>,
    /// (declared name, old name) of each renamed column.
    columns: Vec<(String, String)>,
}

impl Renames {
    fn of(steps: &[Step], table: &QualifiedName, dialect: &Sqlite) -> Self {
        let same = |a: &QualifiedName| dialect.same_identifier(&a.name, &table.name);
        let mut renames = Renames {
            positions: Vec::new(),
            table: None,
            columns: Vec::new(),
        };
        for (position, step) in steps.iter().enumerate() {
            match &step.change {
                Change::RenameTable { from, to } if same(to) => {
                    renames.table = Some(from.name.clone());
                    renames.positions.push(position);
                }
                Change::RenameColumn {
                    table: on,
                    from,
                    to,
                } if same(on) => {
                    renames.columns.push((to.clone(), from.clone()));
                    renames.positions.push(position);
                }
                _ => {}
            }
        }
        renames
    }

    /// `table` (declared or reflected, with the declared names) as it is named before
    /// the renames: its name, its columns and every mention of them in its keys,
    /// constraints, indexes and expressions.
    fn under_old_names(&self, table: &TableDef) -> TableDef {
        if self.positions.is_empty() {
            return table.clone();
        }
        let column = |name: &str| -> String {
            self.columns
                .iter()
                .find(|(new, _)| new.eq_ignore_ascii_case(name))
                .map_or_else(|| name.to_string(), |(_, old)| old.clone())
        };
        let expr = |sql: &str| super::dependents::rename_identifiers(sql, &self.columns);
        let mut out = table.clone();
        let declared_name = table.name.clone();
        if let Some(old) = &self.table {
            out.name = old.clone();
        }
        for c in &mut out.columns {
            c.name = column(&c.name);
            if let Some(generated) = &mut c.generated {
                generated.expr = expr(&generated.expr);
            }
        }
        if let Some(pk) = &mut out.primary_key {
            pk.columns = pk.columns.iter().map(|c| column(c)).collect();
        }
        for u in &mut out.uniques {
            u.columns = u.columns.iter().map(|c| column(c)).collect();
        }
        for fk in &mut out.foreign_keys {
            fk.columns = fk.columns.iter().map(|c| column(c)).collect();
            if fk.references.name.eq_ignore_ascii_case(&declared_name) {
                fk.referenced_columns = fk.referenced_columns.iter().map(|c| column(c)).collect();
                if let Some(old) = &self.table {
                    fk.references.name = old.clone();
                }
            }
        }
        for check in &mut out.checks {
            check.expr = expr(&check.expr);
        }
        for index in &mut out.indexes {
            for c in &mut index.columns {
                c.name = if c.expression {
                    expr(&c.name)
                } else {
                    column(&c.name)
                };
            }
            index.predicate = index.predicate.as_deref().map(expr);
        }
        out
    }

    /// The statements that rename the rebuilt table and its columns, run last.
    fn statements(&self, dialect: &Sqlite, old_name: &str, new_name: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.table.is_some() {
            out.push(format!(
                "ALTER TABLE {} RENAME TO {}",
                dialect.quote_ident(old_name),
                dialect.quote_ident(new_name)
            ));
        }
        for (new, old) in &self.columns {
            out.push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                dialect.quote_ident(new_name),
                dialect.quote_ident(old),
                dialect.quote_ident(new)
            ));
        }
        out
    }
}

/// `true` when the plan holds a table rebuild to execute.
pub fn has_rebuilds(plan: &Plan) -> bool {
    plan.steps().iter().any(is_rebuild)
}

/// `true` for a table rebuild with statements to execute.
pub fn is_rebuild(step: &Step) -> bool {
    step.kind == ChangeKind::RebuildTable && !step.sql.is_empty()
}

/// The one step that rebuilds `table` to make `parts`.
fn rebuild_step(table: &QualifiedName, parts: &[&Step], sql: Vec<String>, kept: &[String]) -> Step {
    let risk = parts.iter().map(|s| s.risk).fold(Risk::Safe, Risk::max);
    let mut whys: Vec<&str> = Vec::new();
    for why in parts.iter().filter_map(|s| s.rebuild.as_deref()) {
        if !whys.contains(&why) {
            whys.push(why);
        }
    }
    let list: Vec<String> = parts
        .iter()
        .map(|s| format!("[{} {}] {}", s.risk, s.code, s.describe()))
        .collect();
    let mut kept: Vec<String> = kept.to_vec();
    kept.push("the triggers and views that mention it (dropped and recreated)".into());
    let reason = format!(
        "the table is rebuilt (a new table as declared, every row copied, the old table dropped, the new one renamed; foreign keys checked before the commit) to make {} change(s): {}; keeps {}",
        parts.len(),
        list.join("; "),
        kept.join(", ")
    );
    let mut suggestions: Vec<&str> = Vec::new();
    for suggestion in parts.iter().filter_map(|s| s.suggestion.as_deref()) {
        if !suggestions.contains(&suggestion) {
            suggestions.push(suggestion);
        }
    }
    let change = Change::RebuildTable {
        table: table.clone(),
    };
    Step {
        kind: ChangeKind::RebuildTable,
        table: Some(table.clone()),
        risk,
        code: ChangeKind::RebuildTable.code().to_string(),
        reason,
        suggestion: (!suggestions.is_empty()).then(|| suggestions.join("; ")),
        sql,
        rebuild: Some(whys.join("; ")),
        change,
        parts: parts
            .iter()
            .map(|&s| Step {
                sql: Vec::new(),
                ..s.clone()
            })
            .collect(),
        effects: Vec::new(),
    }
}

/// Puts back into `target` what the database has for a change the plan does not make
/// (blocked by the policy or the data), so the rebuild neither makes it nor loses what
/// is there. Drops need nothing: what the changes do not drop is kept.
fn put_back(target: &mut TableDef, change: &Change, actual: &TableDef, dialect: &Sqlite) {
    let same = |a: &str, b: &str| dialect.same_identifier(a, b);
    fn replace<T: Clone>(items: &mut Vec<T>, is: impl Fn(&T) -> bool, with: Option<&T>) {
        match (items.iter().position(is), with) {
            (Some(i), Some(with)) => items[i] = with.clone(),
            (Some(i), None) => {
                items.remove(i);
            }
            (None, _) => {}
        }
    }
    match change {
        Change::AddColumn { column, .. } => {
            replace(&mut target.columns, |c| same(&c.name, &column.name), None)
        }
        Change::AlterColumn { from, to, .. } => {
            let mut from = from.clone();
            from.name = to.name.clone();
            replace(
                &mut target.columns,
                |c| same(&c.name, &to.name),
                Some(&from),
            );
        }
        Change::AddPrimaryKey { .. } | Change::AlterPrimaryKey { .. } => {
            target.primary_key = actual.primary_key.clone();
        }
        Change::AddUnique { unique, .. } => {
            replace(&mut target.uniques, |u| same(&u.name, &unique.name), None)
        }
        Change::AlterUnique { from, to, .. } => {
            replace(&mut target.uniques, |u| same(&u.name, &to.name), Some(from))
        }
        Change::AddForeignKey { foreign_key, .. } => replace(
            &mut target.foreign_keys,
            |f| same(&f.name, &foreign_key.name),
            None,
        ),
        Change::AlterForeignKey { from, to, .. } => replace(
            &mut target.foreign_keys,
            |f| same(&f.name, &to.name),
            Some(from),
        ),
        Change::AddCheck { check, .. } => {
            replace(&mut target.checks, |c| same(&c.name, &check.name), None)
        }
        Change::AlterCheck { from, to, .. } => {
            replace(&mut target.checks, |c| same(&c.name, &to.name), Some(from))
        }
        Change::AddIndex { index, .. } => {
            replace(&mut target.indexes, |i| same(&i.name, &index.name), None)
        }
        Change::AlterIndex { from, to, .. } => {
            replace(&mut target.indexes, |i| same(&i.name, &to.name), Some(from))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{Rebuild, table_rebuild};
    use crate::dialect::SQLITE;
    use crate::dialect::fixtures::{col, null, pk, serial, with_default};
    use crate::model::{
        Check, Column, ColumnType, GeneratedColumn, Index, IndexColumn, QualifiedName, TableDef,
        TableOptions,
    };
    use crate::plan::Change;

    fn statements(rebuild: Rebuild) -> Vec<String> {
        match rebuild {
            Rebuild::Statements { statements, .. } => statements,
            Rebuild::Refused(why) => panic!("refused: {why}"),
        }
    }

    fn kept(rebuild: Rebuild) -> Vec<String> {
        match rebuild {
            Rebuild::Statements { kept, .. } => kept,
            Rebuild::Refused(why) => panic!("refused: {why}"),
        }
    }

    fn run(desired: &TableDef, actual: &TableDef, changes: &[Change], fill: &[&str]) -> Rebuild {
        let fill: Vec<String> = fill.iter().map(|s| s.to_string()).collect();
        match table_rebuild(&SQLITE, desired, actual, changes, &fill) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    fn parent() -> QualifiedName {
        QualifiedName {
            schema: Some("main".into()),
            name: "parent".into(),
        }
    }

    fn parent_actual() -> TableDef {
        TableDef {
            schema: Some("main".into()),
            name: "parent".into(),
            columns: vec![
                col("id", ColumnType::BigInt),
                null("qty", ColumnType::Text),
                null("note", ColumnType::Text),
                null("legacy", ColumnType::Custom("VARCHAR(9)".into())),
            ],
            primary_key: pk(&["id"]),
            indexes: vec![
                Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ix_parent_note".into(),
                    columns: vec![IndexColumn::asc("note")],
                    unique: false,
                    predicate: None,
                },
                Index {
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                    invalid: false,
                    name: "ix_parent_legacy".into(),
                    columns: vec![IndexColumn::asc("legacy")],
                    unique: false,
                    predicate: None,
                },
            ],
            ..TableDef::default()
        }
    }

    fn parent_desired() -> TableDef {
        TableDef {
            schema: Some("main".into()),
            name: "parent".into(),
            columns: vec![
                col("id", ColumnType::BigInt),
                col("qty", ColumnType::Integer),
                with_default("note", ColumnType::Text, "'none'"),
            ],
            primary_key: pk(&["id"]),
            checks: vec![Check {
                name: "ck_parent_qty".into(),
                expr: "qty >= 0".into(),
                not_valid: false,
            }],
            indexes: vec![Index {
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
                invalid: false,
                name: "ix_parent_note".into(),
                columns: vec![IndexColumn::asc("note")],
                unique: false,
                predicate: None,
            }],
            ..TableDef::default()
        }
    }

    #[test]
    fn keeps_database_only_columns_and_indexes_copies_as_is_and_fills() {
        let rebuild = run(&parent_desired(), &parent_actual(), &[], &["note"]);
        assert_eq!(
            kept(rebuild.clone()),
            ["column `legacy`", "index `ix_parent_legacy`", "the rowids"]
        );
        assert_eq!(
            statements(rebuild),
            [
                r#"CREATE TABLE "dbconform_new_parent" (
  "id" BIGINT NOT NULL,
  "qty" INTEGER NOT NULL,
  "note" TEXT NOT NULL DEFAULT 'none',
  "legacy" VARCHAR(9),
  PRIMARY KEY ("id"),
  CONSTRAINT "ck_parent_qty" CHECK (qty >= 0)
)"#,
                // No CAST: SQLite's affinity converts what looks like an integer and keeps
                // the rest (a CAST would turn 'abc' into 0).
                r#"INSERT INTO "dbconform_new_parent" (rowid, "id", "qty", "note", "legacy") SELECT rowid, "id", "qty", COALESCE("note", 'none'), "legacy" FROM "parent""#,
                r#"DROP TABLE "parent""#,
                r#"ALTER TABLE "dbconform_new_parent" RENAME TO "parent""#,
                r#"CREATE INDEX "ix_parent_note" ON "parent" ("note")"#,
                r#"CREATE INDEX "ix_parent_legacy" ON "parent" ("legacy")"#,
            ]
        );
    }

    #[test]
    fn drops_what_the_changes_drop_and_never_fills_unasked() {
        let actual = parent_actual();
        let changes = [
            Change::DropColumn {
                table: parent(),
                column: actual.columns[3].clone(),
            },
            Change::DropIndex {
                table: parent(),
                index: actual.indexes[1].clone(),
            },
        ];
        let sql = statements(run(&parent_desired(), &actual, &changes, &[]));
        assert_eq!(
            sql[1],
            r#"INSERT INTO "dbconform_new_parent" (rowid, "id", "qty", "note") SELECT rowid, "id", "qty", "note" FROM "parent""#
        );
        assert!(!sql[0].contains("legacy"));
        assert_eq!(sql.len(), 5);
        assert_eq!(
            sql[4],
            r#"CREATE INDEX "ix_parent_note" ON "parent" ("note")"#
        );
    }

    #[test]
    fn keeps_the_primary_key_and_constraints_nothing_drops() {
        let mut actual = parent_actual();
        actual.checks.push(Check {
            name: "ck_old".into(),
            expr: "length(legacy) < 9".into(),
            not_valid: false,
        });
        let desired = TableDef {
            primary_key: None,
            ..parent_desired()
        };
        let rebuild = run(&desired, &actual, &[], &[]);
        assert_eq!(
            kept(rebuild.clone()),
            [
                "column `legacy`",
                "the primary key (id)",
                "check `ck_old`",
                "index `ix_parent_legacy`",
                "the rowids"
            ]
        );
        let drop_check = [Change::DropCheck {
            table: parent(),
            check: actual.checks[0].clone(),
        }];
        let sql = statements(run(&parent_desired(), &actual, &drop_check, &[]));
        assert!(!sql[0].contains("ck_old"), "{}", sql[0]);
    }

    #[test]
    fn autoincrement_counter_is_carried_over() {
        let actual = TableDef {
            schema: Some("main".into()),
            name: "t".into(),
            columns: vec![serial("id"), null("v", ColumnType::Text)],
            primary_key: pk(&["id"]),
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![serial("id"), col("v", ColumnType::Text)],
            ..actual.clone()
        };
        let sql = statements(run(&desired, &actual, &[], &[]));
        assert_eq!(
            sql,
            [
                r#"CREATE TABLE "dbconform_new_t" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "v" TEXT NOT NULL
)"#,
                r#"INSERT INTO "dbconform_new_t" ("id", "v") SELECT "id", "v" FROM "t""#,
                "DELETE FROM sqlite_sequence WHERE name = 'dbconform_new_t'",
                r#"INSERT INTO sqlite_sequence (name, seq) SELECT 'dbconform_new_t', MAX(seq) FROM (SELECT seq FROM sqlite_sequence WHERE name = 't' UNION ALL SELECT MAX("id") FROM "dbconform_new_t") HAVING MAX(seq) IS NOT NULL"#,
                r#"DROP TABLE "t""#,
                r#"ALTER TABLE "dbconform_new_t" RENAME TO "t""#,
            ]
        );
    }

    #[test]
    fn a_rowid_alias_key_stays_without_autoincrement() {
        // `id INTEGER PRIMARY KEY` (reflected nullable), declared auto-increment BIGINT:
        // the rebuild keeps the rowid alias as it is and adds no AUTOINCREMENT.
        let actual = TableDef {
            schema: Some("main".into()),
            name: "t".into(),
            columns: vec![null("id", ColumnType::Integer), null("v", ColumnType::Text)],
            primary_key: pk(&["id"]),
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![serial("id"), col("v", ColumnType::Text)],
            ..actual.clone()
        };
        let rebuild = run(&desired, &actual, &[], &[]);
        assert!(
            !kept(rebuild.clone())
                .iter()
                .any(|k| k.contains("AUTOINCREMENT"))
        );
        assert_eq!(
            statements(rebuild)[..2],
            [
                r#"CREATE TABLE "dbconform_new_t" (
  "id" INTEGER NOT NULL,
  "v" TEXT NOT NULL,
  PRIMARY KEY ("id")
)"#,
                r#"INSERT INTO "dbconform_new_t" ("id", "v") SELECT "id", "v" FROM "t""#,
            ]
        );
    }

    #[test]
    fn hostile_names_and_renamed_columns() {
        let actual = TableDef {
            schema: Some("main".into()),
            name: "us\"er".into(),
            columns: vec![col("old \"n\"", ColumnType::Text)],
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![Column {
                renamed_from: vec!["old \"n\"".into()],
                ..null("new\"n", ColumnType::Text)
            }],
            ..actual.clone()
        };
        let sql = statements(run(&desired, &actual, &[], &[]));
        assert_eq!(
            sql,
            [
                "CREATE TABLE \"dbconform_new_us\"\"er\" (\n  \"new\"\"n\" TEXT\n)",
                r#"INSERT INTO "dbconform_new_us""er" (rowid, "new""n") SELECT rowid, "old ""n""" FROM "us""er""#,
                r#"DROP TABLE "us""er""#,
                r#"ALTER TABLE "dbconform_new_us""er" RENAME TO "us""er""#,
            ]
        );
    }

    #[test]
    fn carries_table_options_collations_and_generated_columns_over() {
        let mut actual = parent_actual();
        actual.columns[3].collation = Some("NOCASE".into());
        actual.columns.push(Column {
            generated: Some(GeneratedColumn {
                expr: "qty * 2".into(),
                stored: false,
            }),
            ..null("twice", ColumnType::Integer)
        });
        actual.options = TableOptions {
            strict: false,
            without_rowid: true,
        };
        let rebuild = run(&parent_desired(), &actual, &[], &[]);
        assert_eq!(
            kept(rebuild.clone()),
            [
                "column `legacy`",
                "column `twice`",
                "index `ix_parent_legacy`",
                "the WITHOUT ROWID option"
            ]
        );
        let sql = statements(rebuild);
        assert_eq!(
            sql[0],
            r#"CREATE TABLE "dbconform_new_parent" (
  "id" BIGINT NOT NULL,
  "qty" INTEGER NOT NULL,
  "note" TEXT NOT NULL DEFAULT 'none',
  "legacy" VARCHAR(9) COLLATE "NOCASE",
  "twice" INTEGER GENERATED ALWAYS AS (qty * 2) VIRTUAL,
  PRIMARY KEY ("id"),
  CONSTRAINT "ck_parent_qty" CHECK (qty >= 0)
) WITHOUT ROWID"#
        );
        // No rowids to carry, and the generated column is computed, not copied.
        assert_eq!(
            sql[1],
            r#"INSERT INTO "dbconform_new_parent" ("id", "qty", "note", "legacy") SELECT "id", "qty", "note", "legacy" FROM "parent""#
        );
    }

    #[test]
    fn keeps_a_strict_table_strict_when_its_types_allow() {
        let actual = TableDef {
            schema: Some("main".into()),
            name: "s".into(),
            columns: vec![col("id", ColumnType::Integer), null("v", ColumnType::Text)],
            primary_key: pk(&["id"]),
            options: TableOptions {
                strict: true,
                without_rowid: false,
            },
            ..TableDef::default()
        };
        let desired = TableDef {
            columns: vec![col("id", ColumnType::Integer), col("v", ColumnType::Text)],
            options: TableOptions::default(),
            ..actual.clone()
        };
        let sql = statements(run(&desired, &actual, &[], &[]));
        assert!(sql[0].ends_with("\n) STRICT"), "{}", sql[0]);
        assert_eq!(
            sql[1],
            r#"INSERT INTO "dbconform_new_s" ("id", "v") SELECT "id", "v" FROM "s""#
        );
    }

    #[test]
    fn refuses_what_it_cannot_recreate() {
        let mut strict = parent_actual();
        strict.options = TableOptions {
            strict: true,
            without_rowid: false,
        };
        assert_eq!(
            run(&parent_desired(), &strict, &[], &[]),
            Rebuild::Refused("table `parent` cannot be rebuilt without losing its STRICT option (column `id` would be BIGINT, which a STRICT table refuses; STRICT accepts INT, INTEGER, REAL, TEXT, BLOB and ANY); change it by hand".into())
        );
        let mut keyless = parent_actual();
        keyless.options = TableOptions {
            strict: false,
            without_rowid: true,
        };
        let desired = TableDef {
            primary_key: None,
            ..parent_desired()
        };
        let drop_key = [Change::DropPrimaryKey {
            table: parent(),
            key: pk(&["id"]).unwrap(),
        }];
        assert!(matches!(
            run(&desired, &keyless, &drop_key, &[]),
            Rebuild::Refused(why) if why.contains("WITHOUT ROWID option (a WITHOUT ROWID table needs a primary key")
        ));
        let actual = parent_actual();
        let drops: Vec<Change> = actual
            .columns
            .iter()
            .map(|c| Change::DropColumn {
                table: parent(),
                column: c.clone(),
            })
            .collect();
        let disjoint = TableDef {
            columns: vec![col("other", ColumnType::Text)],
            primary_key: None,
            checks: Vec::new(),
            indexes: Vec::new(),
            ..parent_desired()
        };
        let without_key = TableDef {
            primary_key: None,
            ..actual
        };
        assert!(matches!(
            run(&disjoint, &without_key, &drops, &[]),
            Rebuild::Refused(why) if why.contains("none of its columns is kept")
        ));
    }
}
