//! Type changes of the columns foreign keys use, on a database that cannot make them while
//! the keys exist ([`Dialect::alters_key_column_types`] `false`: MySQL and MariaDB refuse
//! "Cannot change column 'id': used in a foreign key constraint", even with
//! `foreign_key_checks` off). Each such key is dropped before the changes inside tables
//! and added again after them — as declared, or as it was when nobody declared it — so
//! that widening `parents.id` and `children.parent_id` from INT to BIGINT works in one
//! apply. Keys the plan already drops are left alone; a key the plan alters is split into
//! its drop and its add, the drop then running first.

use crate::dialect::Dialect;
use crate::diff::Names;
use crate::model::{ForeignKey, QualifiedName, Schema, TableDef};
use crate::plan::{Change, Step};
use std::collections::BTreeSet;

/// The keys dropped and added again, by table key and key name, for [`explain`].
pub(super) type Unlocked = BTreeSet<(crate::diff::Key, String)>;

/// `changes` with the drop and the add of every foreign key a type change needs out of
/// the way (see the module documentation).
pub(super) fn unlock(
    changes: Vec<Change>,
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
    names: Names<'_>,
) -> (Vec<Change>, Unlocked) {
    let mut unlocked = Unlocked::new();
    if dialect.alters_key_column_types() {
        return (changes, unlocked);
    }
    // The columns whose type changes, as (table key, column key).
    let retyped: BTreeSet<(crate::diff::Key, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn {
                table,
                from,
                changes,
                ..
            } if changes.ty => Some((names.key(table), names.ident(&from.name))),
            _ => None,
        })
        .collect();
    if retyped.is_empty() {
        return (changes, unlocked);
    }
    let uses = |table: &TableDef, fk: &ForeignKey| {
        let own = names.table_key(table);
        let target = names.key(&fk.references);
        fk.columns
            .iter()
            .any(|c| retyped.contains(&(own.clone(), names.ident(c))))
            || fk
                .referenced_columns
                .iter()
                .any(|c| retyped.contains(&(target.clone(), names.ident(c))))
    };
    let dropped: BTreeSet<(crate::diff::Key, String)> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropForeignKey { table, foreign_key } => {
                Some((names.key(table), names.ident(&foreign_key.name)))
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(changes.len());
    let mut altered = BTreeSet::new();
    for change in changes {
        match change {
            Change::AlterForeignKey { table, from, to }
                if actual
                    .tables
                    .iter()
                    .find(|t| names.table_key(t) == names.key(&table))
                    .is_some_and(|t| uses(t, &from)) =>
            {
                altered.insert((names.key(&table), names.ident(&from.name)));
                out.push(Change::DropForeignKey {
                    table: table.clone(),
                    foreign_key: from,
                });
                out.push(Change::AddForeignKey {
                    table,
                    foreign_key: to,
                });
            }
            change => out.push(change),
        }
    }
    for table in &actual.tables {
        for fk in &table.foreign_keys {
            let key = (names.table_key(table), names.ident(&fk.name));
            if !uses(table, fk) || dropped.contains(&key) || altered.contains(&key) {
                continue;
            }
            let name = table.qualified_name();
            let declared = desired
                .iter()
                .find(|t| names.table_key(t) == key.0)
                .and_then(|t| {
                    t.foreign_keys
                        .iter()
                        .find(|d| names.ident(&d.name) == key.1)
                })
                .unwrap_or(fk);
            out.push(Change::DropForeignKey {
                table: name.clone(),
                foreign_key: fk.clone(),
            });
            out.push(Change::AddForeignKey {
                table: name,
                foreign_key: declared.clone(),
            });
            unlocked.insert(key);
        }
    }
    (out, unlocked)
}

/// Says why the unlocked keys' drops and adds are in the plan.
pub(super) fn explain(steps: &mut [Step], unlocked: &Unlocked, names: Names<'_>) {
    for step in steps {
        let (table, fk, verb) = match &step.change {
            Change::DropForeignKey { table, foreign_key } => (table, foreign_key, "dropped"),
            Change::AddForeignKey { table, foreign_key } => (table, foreign_key, "added again"),
            _ => continue,
        };
        if unlocked.contains(&(names.key(table), names.ident(&fk.name))) {
            step.reason = format!(
                "foreign key `{}` on `{}` uses a column whose type changes, which {} cannot do while the key exists: {verb} around the change",
                fk.name,
                QualifiedName::clone(table),
                names.dialect.display_name()
            );
        }
    }
}
