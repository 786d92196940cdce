//! Pairing of named objects (UNIQUE constraints, foreign keys, CHECKs, indexes): by name
//! first, then the remaining by definition.
//!
//! A name is only a way to find the same object again; the database may have chosen it
//! (`users_email_key`, `""` for an unnamed SQLite constraint) or the derive may have
//! generated it (`uq_users_email`). So a pair found by definition whose names differ is
//! no change, and an empty name never pairs by name.

use super::Names;
use crate::model::{Check, ForeignKey, Index, QualifiedName, TableDef, UniqueConstraint};
use crate::plan::Change;

/// The outcome of pairing a declared list with a reflected one.
#[derive(Debug)]
pub(crate) struct Pairing<'a, T> {
    /// (declared, reflected) pairs, found by name or by definition.
    pub(crate) pairs: Vec<(&'a T, &'a T)>,
    /// Declared objects without a reflected partner.
    pub(crate) added: Vec<&'a T>,
    /// Reflected objects without a declared partner.
    pub(crate) dropped: Vec<&'a T>,
}

/// One kind of named object: how to read its name and compare definitions.
pub(crate) trait Named {
    /// The object's name (`""` = unnamed).
    fn name(&self) -> &str;
    /// `true` when `self` and `other` define the same object, names aside.
    fn same_definition(&self, other: &Self, names: Names<'_>) -> bool;
}

impl Named for UniqueConstraint {
    fn name(&self) -> &str {
        &self.name
    }
    fn same_definition(&self, other: &Self, names: Names<'_>) -> bool {
        names.idents(&self.columns) == names.idents(&other.columns)
            && self.nulls_not_distinct == other.nulls_not_distinct
    }
}

impl Named for ForeignKey {
    fn name(&self) -> &str {
        &self.name
    }
    fn same_definition(&self, other: &Self, names: Names<'_>) -> bool {
        names.idents(&self.columns) == names.idents(&other.columns)
            && names.key(&self.references) == names.key(&other.references)
            && names.idents(&self.referenced_columns) == names.idents(&other.referenced_columns)
            && self.on_delete == other.on_delete
            && self.on_update == other.on_update
            && self.deferrable == other.deferrable
            // A key the database never checked the rows against is validated.
            && self.not_valid == other.not_valid
    }
}

impl Named for Check {
    fn name(&self) -> &str {
        &self.name
    }
    fn same_definition(&self, other: &Self, _names: Names<'_>) -> bool {
        self.expr == other.expr && self.not_valid == other.not_valid
    }
}

impl Named for Index {
    fn name(&self) -> &str {
        &self.name
    }
    fn same_definition(&self, other: &Self, names: Names<'_>) -> bool {
        let column_key = |c: &crate::model::IndexColumn| {
            let name = if c.expression {
                c.name.clone()
            } else {
                names.ident(&c.name)
            };
            (name, c.order, c.expression)
        };
        let same_key = |a: &crate::model::IndexColumn, b: &crate::model::IndexColumn| {
            a.opclass == b.opclass && a.nulls == b.nulls && column_key(a) == column_key(b)
        };
        let same_include = self.include.len() == other.include.len()
            && self
                .include
                .iter()
                .zip(&other.include)
                .all(|(a, b)| names.ident(a) == names.ident(b));
        // Both sides are in normal form: `btree`, default operator classes and default
        // NULLS orders are `None`, so any difference left is a different index.
        // An index a failed build left invalid is not the declared one, however alike.
        self.unique == other.unique
            && self.invalid == other.invalid
            && self.predicate == other.predicate
            && self.method == other.method
            && self.nulls_not_distinct == other.nulls_not_distinct
            && same_include
            && self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| same_key(a, b))
    }
}

/// Pairs `desired` with `actual`: first every declared object with the reflected one of
/// the same (non-empty) name, then each remaining declared object with the first
/// remaining reflected one of the same definition. Both lists are visited in a fixed
/// order (name key, then content), so the result never depends on input order.
pub(crate) fn pair<'a, T: Named + std::fmt::Debug>(
    desired: &'a [T],
    actual: &'a [T],
    names: Names<'_>,
) -> Pairing<'a, T> {
    let sorted = |items: &'a [T]| {
        let mut items: Vec<&'a T> = items.iter().collect();
        items.sort_by_cached_key(|item| (names.ident(item.name()), format!("{item:?}")));
        items
    };
    let desired = sorted(desired);
    let actual = sorted(actual);
    let mut partner: Vec<Option<usize>> = vec![None; desired.len()];
    let mut taken = vec![false; actual.len()];

    for (d, item) in desired.iter().enumerate() {
        if item.name().is_empty() {
            continue;
        }
        let key = names.ident(item.name());
        if let Some(a) =
            (0..actual.len()).find(|&a| !taken[a] && names.ident(actual[a].name()) == key)
        {
            taken[a] = true;
            partner[d] = Some(a);
        }
    }
    for (d, item) in desired.iter().enumerate() {
        if partner[d].is_some() {
            continue;
        }
        if let Some(a) =
            (0..actual.len()).find(|&a| !taken[a] && item.same_definition(actual[a], names))
        {
            taken[a] = true;
            partner[d] = Some(a);
        }
    }

    let mut pairing = Pairing {
        pairs: Vec::new(),
        added: Vec::new(),
        dropped: Vec::new(),
    };
    for (d, &item) in desired.iter().enumerate() {
        match partner[d] {
            Some(a) => pairing.pairs.push((item, actual[a])),
            None => pairing.added.push(item),
        }
    }
    pairing.dropped = actual
        .into_iter()
        .zip(taken)
        .filter(|(_, taken)| !taken)
        .map(|(item, _)| item)
        .collect();
    pairing
}

/// The changes of one kind of named object, built by `add`, `drop` and `alter`.
fn changes_of<'a, T: Named + std::fmt::Debug + Clone>(
    desired: &'a [T],
    actual: &'a [T],
    names: Names<'_>,
    add: impl Fn(T) -> Change,
    drop: impl Fn(T) -> Change,
    alter: impl Fn(T, T) -> Change,
) -> Vec<Change> {
    let pairing = pair(desired, actual, names);
    let mut changes: Vec<Change> = pairing
        .dropped
        .into_iter()
        .map(|found| drop(found.clone()))
        .collect();
    changes.extend(pairing.added.into_iter().map(|item| add(item.clone())));
    changes.extend(
        pairing
            .pairs
            .into_iter()
            .filter(|(to, from)| !to.same_definition(from, names))
            .map(|(to, from)| alter(from.clone(), to.clone())),
    );
    changes
}

/// The UNIQUE, FOREIGN KEY, CHECK and index changes of one table (both in normal form).
pub(crate) fn diff_constraints(
    table: &QualifiedName,
    desired: &TableDef,
    actual: &TableDef,
    names: Names<'_>,
) -> Vec<Change> {
    let t = || table.clone();
    let mut changes = diff_uniques_and_indexes(table, desired, actual, names);
    changes.extend(changes_of(
        &desired.foreign_keys,
        &actual.foreign_keys,
        names,
        |foreign_key| Change::AddForeignKey {
            table: t(),
            foreign_key,
        },
        |foreign_key| Change::DropForeignKey {
            table: t(),
            foreign_key,
        },
        |from, to| Change::AlterForeignKey {
            table: t(),
            from,
            to,
        },
    ));
    changes.extend(changes_of(
        &desired.checks,
        &actual.checks,
        names,
        |check| Change::AddCheck { table: t(), check },
        |check| Change::DropCheck { table: t(), check },
        |from, to| Change::AlterCheck {
            table: t(),
            from,
            to,
        },
    ));
    changes
}

/// A UNIQUE constraint, or a unique index that stands for one, remembering which: the two
/// spellings satisfy each other, but a change must add or drop the object as it is.
#[derive(Debug, Clone)]
struct UniqueKey<'a> {
    /// The constraint, or the index's equivalent constraint.
    def: UniqueConstraint,
    /// The index it came from, if it is one.
    index: Option<&'a Index>,
}

impl Named for UniqueKey<'_> {
    fn name(&self) -> &str {
        &self.def.name
    }
    fn same_definition(&self, other: &Self, names: Names<'_>) -> bool {
        self.def.same_definition(&other.def, names)
    }
}

/// UNIQUE constraints and indexes. Indexes are paired by name first (a name shared by a
/// declared and a reflected index is one object, whatever its uniqueness). The remaining
/// unique indexes that stand for a UNIQUE constraint join the constraints, and that pool
/// is paired by name then by definition, so `UNIQUE (email)` and `CREATE UNIQUE INDEX ...
/// (email)` converge. The rest of the indexes are paired by definition.
fn diff_uniques_and_indexes(
    table: &QualifiedName,
    desired: &TableDef,
    actual: &TableDef,
    names: Names<'_>,
) -> Vec<Change> {
    let t = || table.clone();
    let mut changes = Vec::new();

    // 1. Indexes with the same name.
    let (named_pairs, desired_rest, actual_rest) =
        pair_by_name(&desired.indexes, &actual.indexes, names);
    for (to, from) in named_pairs {
        if !to.same_definition(from, names) {
            changes.push(Change::AlterIndex {
                table: t(),
                from: from.clone(),
                to: to.clone(),
            });
        }
    }

    // 2. Constraints and constraint-like unique indexes, in one pool per side.
    let (desired_keys, desired_indexes) = unique_pool(&desired.uniques, &desired_rest);
    let (actual_keys, actual_indexes) = unique_pool(&actual.uniques, &actual_rest);
    let add = |key: &UniqueKey<'_>| match key.index {
        Some(index) => Change::AddIndex {
            table: t(),
            index: index.clone(),
        },
        None => Change::AddUnique {
            table: t(),
            unique: key.def.clone(),
        },
    };
    let drop = |key: &UniqueKey<'_>| match key.index {
        Some(index) => Change::DropIndex {
            table: t(),
            index: index.clone(),
        },
        None => Change::DropUnique {
            table: t(),
            unique: key.def.clone(),
        },
    };
    let pairing = pair(&desired_keys, &actual_keys, names);
    changes.extend(pairing.dropped.iter().map(|key| drop(key)));
    changes.extend(pairing.added.iter().map(|key| add(key)));
    for (to, from) in pairing.pairs {
        if to.same_definition(from, names) {
            continue;
        }
        match (to.index, from.index) {
            (None, None) => changes.push(Change::AlterUnique {
                table: t(),
                from: from.def.clone(),
                to: to.def.clone(),
            }),
            (Some(to), Some(from)) => changes.push(Change::AlterIndex {
                table: t(),
                from: from.clone(),
                to: to.clone(),
            }),
            // Same name, different kinds and definitions: replace one by the other.
            _ => {
                changes.push(drop(from));
                changes.push(add(to));
            }
        }
    }

    // 3. The other indexes, by definition.
    changes.extend(changes_of(
        &desired_indexes,
        &actual_indexes,
        names,
        |index| Change::AddIndex { table: t(), index },
        |index| Change::DropIndex { table: t(), index },
        |from, to| Change::AlterIndex {
            table: t(),
            from,
            to,
        },
    ));
    changes
}

/// A side's UNIQUE constraints plus the unique indexes that stand for one (with their
/// provenance), and the remaining indexes.
fn unique_pool<'a>(
    uniques: &[UniqueConstraint],
    rest: &[&'a Index],
) -> (Vec<UniqueKey<'a>>, Vec<Index>) {
    let mut keys: Vec<UniqueKey<'a>> = uniques
        .iter()
        .map(|u| UniqueKey {
            def: u.clone(),
            index: None,
        })
        .collect();
    let mut others = Vec::new();
    for &index in rest {
        match index.as_unique_constraint() {
            Some(def) => keys.push(UniqueKey {
                def,
                index: Some(index),
            }),
            None => others.push(index.clone()),
        }
    }
    (keys, others)
}

/// Pairs objects of the same (non-empty) name; returns the pairs and what is left on each
/// side, in input order.
fn pair_by_name<'a, T: Named>(
    desired: &'a [T],
    actual: &'a [T],
    names: Names<'_>,
) -> (Vec<(&'a T, &'a T)>, Vec<&'a T>, Vec<&'a T>) {
    let mut taken = vec![false; actual.len()];
    let mut pairs = Vec::new();
    let mut desired_rest = Vec::new();
    for item in desired {
        let key = names.ident(item.name());
        let found = (!item.name().is_empty())
            .then(|| (0..actual.len()).find(|&a| !taken[a] && names.ident(actual[a].name()) == key))
            .flatten();
        match found {
            Some(a) => {
                taken[a] = true;
                pairs.push((item, &actual[a]));
            }
            None => desired_rest.push(item),
        }
    }
    let actual_rest = actual
        .iter()
        .zip(taken)
        .filter(|(_, taken)| !taken)
        .map(|(item, _)| item)
        .collect();
    (pairs, desired_rest, actual_rest)
}
