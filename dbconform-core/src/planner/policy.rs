//! The policy: which drops the plan may make, and which steps it refuses.
//!
//! A drop the [`Options`] refuse is no step; it is reported as [`Drift`] naming the flag
//! that would allow it. A step that can lose column values (narrowing, see
//! [`crate::risk`]) is blocked unless `allow_shrink_column`, one only a SQLite table
//! rebuild can perform unless `allow_sqlite_table_rebuild`; a step that needs a blocked
//! step is blocked with it. Independent steps still run.

use super::describe;
use crate::data::words;
use crate::dialect::Dialect;
use crate::diff::{Key, Names};
use crate::model::{ForeignKey, Index, QualifiedName, TableDef};
use crate::options::Options;
use crate::plan::{BlockedStep, Change, Drift, Step};
use crate::risk;
use std::collections::{BTreeMap, BTreeSet};

/// The `Options` flag that allows a drop, if `change` is one.
pub(super) fn unlocking_flag(change: &Change) -> Option<&'static str> {
    match change {
        Change::DropTable { .. } => Some("allow_drop_extra_tables"),
        Change::DropColumn { .. } => Some("allow_drop_extra_columns"),
        Change::DropPrimaryKey { .. }
        | Change::DropUnique { .. }
        | Change::DropForeignKey { .. }
        | Change::DropCheck { .. }
        | Change::DropIndex { .. } => Some("allow_drop_extra_constraints"),
        _ => None,
    }
}

/// `true` when `options` set `flag`.
fn allowed(flag: &str, options: &Options) -> bool {
    match flag {
        "allow_drop_extra_tables" => options.allow_drop_extra_tables,
        "allow_drop_extra_columns" => options.allow_drop_extra_columns,
        "allow_drop_extra_constraints" => options.allow_drop_extra_constraints,
        _ => false,
    }
}

/// Splits `changes` into the ones the policy allows and drift for the drops it refuses.
///
/// An undeclared table is also kept, even when dropping tables is allowed, while a foreign
/// key that stays references it: a declared one, one whose drop the policy refused, or one
/// of another table that is kept. Dropping it would fail (PostgreSQL) or leave dangling
/// references (SQLite).
///
/// Likewise an undeclared column is kept, even when dropping columns is allowed, while an
/// index, unique, check, foreign key or primary key whose drop the policy refused uses it
/// (on its table, or as a referenced column).
pub(super) fn apply(
    changes: Vec<Change>,
    desired: &[TableDef],
    options: &Options,
    names: Names<'_>,
) -> (Vec<Change>, Vec<Drift>) {
    let mut kept_changes = Vec::new();
    let mut drift = Vec::new();
    let mut extra_tables: Vec<TableDef> = Vec::new();
    // Foreign keys whose drop the policy refuses, with the table holding each: with the
    // declared ones, the foreign keys that exist after the plan.
    let mut refused_foreign_keys: Vec<(QualifiedName, ForeignKey)> = Vec::new();

    // Constraint and index drops the policy refuses: what they use must stay.
    let mut kept_constraints: Vec<Change> = Vec::new();
    for change in changes {
        match (&change, unlocking_flag(&change)) {
            (Change::DropTable { table }, _) => extra_tables.push(table.clone()),
            (_, Some(flag)) if !allowed(flag, options) => {
                if let Change::DropForeignKey { table, foreign_key } = &change {
                    refused_foreign_keys.push((table.clone(), foreign_key.clone()));
                }
                drift.push(refused(&change, flag));
                if !matches!(change, Change::DropColumn { .. }) {
                    kept_constraints.push(change);
                }
            }
            _ => kept_changes.push(change),
        }
    }

    // A column that a kept constraint or index uses is kept too: dropping it would fail
    // (SQLite) or silently drop that constraint with it (PostgreSQL).
    let mut allowed_changes = Vec::with_capacity(kept_changes.len());
    for change in kept_changes {
        let user = match &change {
            Change::DropColumn { table, column } => kept_constraints
                .iter()
                .find(|c| uses_column(&as_added(c), table, &column.name, names.dialect)),
            _ => None,
        };
        match user {
            Some(user) => drift.push(Drift {
                table: change.table().unwrap_or_else(|| QualifiedName::new("")),
                description: format!(
                    "{} (kept: {} uses it and set {} to drop it)",
                    describe::extra(&change),
                    describe::kept_object(user),
                    unlocking_flag(user).unwrap_or("allow_drop_extra_constraints")
                ),
            }),
            None => allowed_changes.push(change),
        }
    }
    let mut kept_changes = allowed_changes;

    if !options.allow_drop_extra_tables {
        for table in extra_tables {
            drift.push(refused(
                &Change::DropTable { table },
                "allow_drop_extra_tables",
            ));
        }
    } else if !extra_tables.is_empty() {
        // Built only when a table may be dropped: copying every declared foreign key
        // would cost a no-op start-up thousands of allocations.
        let staying: Vec<(QualifiedName, ForeignKey)> = desired
            .iter()
            .flat_map(|t| {
                t.foreign_keys
                    .iter()
                    .map(|fk| (t.qualified_name(), fk.clone()))
            })
            .chain(refused_foreign_keys)
            .collect();
        let (dropped, kept) = droppable(extra_tables, staying, names);
        kept_changes.extend(dropped.into_iter().map(|table| Change::DropTable { table }));
        for (table, (holder, fk)) in kept {
            drift.push(Drift {
                table: table.qualified_name(),
                description: format!(
                    "{} (kept: foreign key `{}` of `{holder}` references it)",
                    describe::extra(&Change::DropTable {
                        table: table.clone()
                    }),
                    fk.name
                ),
            });
        }
    }
    drift.sort_by(|a, b| a.table.cmp(&b.table));
    (kept_changes, drift)
}

/// The change that adds what the refused drop `change` keeps, so that
/// [`uses_column`] can tell which columns it uses.
fn as_added(change: &Change) -> Change {
    match change.clone() {
        Change::DropPrimaryKey { table, key } => Change::AddPrimaryKey { table, key },
        Change::DropUnique { table, unique } => Change::AddUnique { table, unique },
        Change::DropForeignKey { table, foreign_key } => {
            Change::AddForeignKey { table, foreign_key }
        }
        Change::DropCheck { table, check } => Change::AddCheck { table, check },
        Change::DropIndex { table, index } => Change::AddIndex { table, index },
        other => other,
    }
}

/// The drift entry of a refused drop.
fn refused(change: &Change, flag: &str) -> Drift {
    Drift {
        table: change.table().unwrap_or_else(|| QualifiedName::new("")),
        description: format!("{} (kept; set {flag} to drop it)", describe::extra(change)),
    }
}

/// An undeclared table kept because a foreign key references it, with that key.
type Kept = (TableDef, (QualifiedName, ForeignKey));

/// Splits undeclared tables into those that can be dropped and those a staying foreign
/// key references (until nothing changes: a kept table keeps the tables it references).
fn droppable(
    extra: Vec<TableDef>,
    mut staying: Vec<(QualifiedName, ForeignKey)>,
    names: Names<'_>,
) -> (Vec<TableDef>, Vec<Kept>) {
    let mut candidates: BTreeMap<Key, TableDef> = extra
        .into_iter()
        .map(|t| (names.table_key(&t), t))
        .collect();
    let mut kept: Vec<Kept> = Vec::new();
    loop {
        let mut newly: BTreeMap<Key, (QualifiedName, ForeignKey)> = BTreeMap::new();
        for (holder, fk) in &staying {
            let target = names.key(&fk.references);
            if names.key(holder) != target && candidates.contains_key(&target) {
                newly
                    .entry(target)
                    .or_insert_with(|| (holder.clone(), fk.clone()));
            }
        }
        if newly.is_empty() {
            break;
        }
        for (key, reference) in newly {
            if let Some(table) = candidates.remove(&key) {
                staying.extend(
                    table
                        .foreign_keys
                        .iter()
                        .map(|fk| (table.qualified_name(), fk.clone())),
                );
                kept.push((table, reference));
            }
        }
    }
    (candidates.into_values().collect(), kept)
}

/// Splits steps into those the policy lets run and those it blocks: steps that can lose
/// column values without `allow_shrink_column`, steps needing a SQLite table rebuild
/// without `allow_sqlite_table_rebuild` (both flags named when both are needed), then
/// every step needing a blocked one (see [`block_dependents`]).
pub(crate) fn block(
    steps: Vec<Step>,
    options: &Options,
    dialect: &dyn Dialect,
) -> (Vec<Step>, Vec<BlockedStep>) {
    let mut kept = Vec::new();
    let mut blocked = Vec::new();
    for step in steps {
        let mut flags = Vec::new();
        if !options.allow_shrink_column && risk::shrinks(&step.change, dialect) {
            flags.push("allow_shrink_column");
        }
        if !options.allow_sqlite_table_rebuild && step.rebuild.is_some() {
            flags.push("allow_sqlite_table_rebuild");
        }
        if flags.is_empty() {
            kept.push(step);
        } else {
            blocked.push(BlockedStep::by_policy(step, flags.join(", ")));
        }
    }
    block_dependents(kept, blocked, dialect)
}

/// Moves every step that needs a blocked step to the blocked ones, until none does: a
/// foreign key needing a blocked key of the table it references, or whose columns (or
/// referenced columns) change type in a blocked step; a key, index, check or foreign key
/// over a column whose add is blocked. Each names the step it needs (`depends_on`) and
/// inherits what unlocks it.
pub(crate) fn block_dependents(
    mut steps: Vec<Step>,
    mut blocked: Vec<BlockedStep>,
    dialect: &dyn Dialect,
) -> (Vec<Step>, Vec<BlockedStep>) {
    loop {
        let mut newly = Vec::new();
        let mut remaining = Vec::with_capacity(steps.len());
        for step in steps {
            let needed = blocked
                .iter()
                .chain(newly.iter())
                .find(|b: &&BlockedStep| needs(&step.change, &b.step.change, dialect));
            match needed {
                Some(b) => {
                    let dependent = BlockedStep {
                        unlocked_by: b.unlocked_by.clone(),
                        problem: b.problem.clone(),
                        depends_on: Some(b.step.describe()),
                        step,
                    };
                    newly.push(dependent);
                }
                None => remaining.push(step),
            }
        }
        steps = remaining;
        if newly.is_empty() {
            return (steps, blocked);
        }
        blocked.extend(newly);
    }
}

/// `true` when `step` cannot run, or would fail, without `other`.
fn needs(step: &Change, other: &Change, dialect: &dyn Dialect) -> bool {
    let same =
        |a: &QualifiedName, b: &QualifiedName| table_key(a, dialect) == table_key(b, dialect);
    match other {
        Change::AddColumn { table, column } => uses_column(step, table, &column.name, dialect),
        // A table still referenced by a foreign key whose drop (or replacement) is blocked
        // must stay: dropping it would fail, or, on SQLite with foreign keys enforced,
        // run an implicit DELETE that cascades into the referencing table's rows.
        Change::DropForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            from: foreign_key, ..
        } => {
            matches!(step, Change::DropTable { table } if same(&foreign_key.references, &table.qualified_name()))
        }
        Change::AlterColumn {
            table, to, changes, ..
        } if changes.ty => match step {
            Change::AddForeignKey {
                table: holder,
                foreign_key,
            }
            | Change::AlterForeignKey {
                table: holder,
                to: foreign_key,
                ..
            } => {
                (same(holder, table) && contains(&foreign_key.columns, &to.name, dialect))
                    || (same(&foreign_key.references, table)
                        && contains(&foreign_key.referenced_columns, &to.name, dialect))
            }
            _ => false,
        },
        Change::AddPrimaryKey { table, key } | Change::AlterPrimaryKey { table, to: key, .. } => {
            references_key(step, table, &key.columns, dialect)
        }
        Change::AddUnique { table, unique }
        | Change::AlterUnique {
            table, to: unique, ..
        } => references_key(step, table, &unique.columns, dialect),
        Change::AddIndex { table, index }
        | Change::AlterIndex {
            table, to: index, ..
        } => match Index::as_unique_constraint(index) {
            Some(unique) => references_key(step, table, &unique.columns, dialect),
            None => false,
        },
        _ => false,
    }
}

/// `true` when `step` uses column `column` of `table`: a key, index, check or foreign key
/// of that table over it, or a foreign key referencing it.
fn uses_column(step: &Change, table: &QualifiedName, column: &str, dialect: &dyn Dialect) -> bool {
    let on_table = step
        .table()
        .is_some_and(|t| table_key(&t, dialect) == table_key(table, dialect));
    let mentions = |expr: &str| words(expr).any(|w| dialect.same_identifier(w, column));
    let in_index = |index: &Index| {
        index.columns.iter().any(|c| {
            if c.expression {
                mentions(&c.name)
            } else {
                dialect.same_identifier(&c.name, column)
            }
        }) || index.predicate.as_deref().is_some_and(mentions)
    };
    let referenced = match step {
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => {
            table_key(&foreign_key.references, dialect) == table_key(table, dialect)
                && contains(&foreign_key.referenced_columns, column, dialect)
        }
        _ => false,
    };
    if referenced {
        return true;
    }
    if !on_table {
        return false;
    }
    match step {
        Change::AddPrimaryKey { key, .. } | Change::AlterPrimaryKey { to: key, .. } => {
            contains(&key.columns, column, dialect)
        }
        Change::AddUnique { unique, .. } | Change::AlterUnique { to: unique, .. } => {
            contains(&unique.columns, column, dialect)
        }
        Change::AddIndex { index, .. } | Change::AlterIndex { to: index, .. } => in_index(index),
        Change::AddCheck { check, .. } | Change::AlterCheck { to: check, .. } => {
            mentions(&check.expr)
        }
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => contains(&foreign_key.columns, column, dialect),
        _ => false,
    }
}

/// `true` when `step` adds a foreign key referencing exactly the key `columns` of `table`.
fn references_key(
    step: &Change,
    table: &QualifiedName,
    columns: &[String],
    dialect: &dyn Dialect,
) -> bool {
    let set = |columns: &[String]| -> BTreeSet<String> {
        columns.iter().map(|c| dialect.identifier_key(c)).collect()
    };
    match step {
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => {
            table_key(&foreign_key.references, dialect) == table_key(table, dialect)
                && set(&foreign_key.referenced_columns) == set(columns)
        }
        _ => false,
    }
}

/// `true` when `columns` holds `column` under the dialect's identifier rules.
fn contains(columns: &[String], column: &str, dialect: &dyn Dialect) -> bool {
    columns.iter().any(|c| dialect.same_identifier(c, column))
}

/// A table's identity under the dialect's identifier rules (names in changes are
/// resolved).
fn table_key(table: &QualifiedName, dialect: &dyn Dialect) -> (String, String) {
    (
        dialect.identifier_key(table.schema.as_deref().unwrap_or_default()),
        dialect.identifier_key(&table.name),
    )
}
