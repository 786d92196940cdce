//! The policy: which drops the plan may make. A drop the [`Options`] refuse is no step; it
//! is reported as [`Drift`] naming the flag that would allow it.

use super::describe;
use crate::diff::{Key, Names};
use crate::model::{ForeignKey, QualifiedName, TableDef};
use crate::options::Options;
use crate::plan::{Change, Drift};
use std::collections::BTreeMap;

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
pub(super) fn apply(
    changes: Vec<Change>,
    desired: &[TableDef],
    options: &Options,
    names: Names<'_>,
) -> (Vec<Change>, Vec<Drift>) {
    let mut kept_changes = Vec::new();
    let mut drift = Vec::new();
    let mut extra_tables: Vec<TableDef> = Vec::new();
    // Foreign keys that exist after the plan, with the table holding each.
    let mut staying: Vec<(QualifiedName, ForeignKey)> = desired
        .iter()
        .flat_map(|t| {
            t.foreign_keys
                .iter()
                .map(|fk| (t.qualified_name(), fk.clone()))
        })
        .collect();

    for change in changes {
        match (&change, unlocking_flag(&change)) {
            (Change::DropTable { table }, _) => extra_tables.push(table.clone()),
            (_, Some(flag)) if !allowed(flag, options) => {
                if let Change::DropForeignKey { table, foreign_key } = &change {
                    staying.push((table.clone(), foreign_key.clone()));
                }
                drift.push(refused(&change, flag));
            }
            _ => kept_changes.push(change),
        }
    }

    if !options.allow_drop_extra_tables {
        for table in extra_tables {
            drift.push(refused(
                &Change::DropTable { table },
                "allow_drop_extra_tables",
            ));
        }
    } else {
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
