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
use crate::effect::Work;
use crate::model::{ForeignKey, Index, QualifiedName, TableDef};
use crate::options::Options;
use crate::plan::{BlockedStep, Change, Drift, Plan, Step};
use crate::risk;
use std::collections::{BTreeMap, BTreeSet};

/// The `Options` flag that allows a drop, if `change` is one.
pub(super) fn unlocking_flag(change: &Change) -> Option<&'static str> {
    match change {
        Change::DropTable { .. } => Some("allow_drop_extra_tables"),
        Change::DropColumn { .. } => Some("allow_drop_extra_columns"),
        // A unique index enforces what a UNIQUE constraint does, so it goes with the
        // constraints; only plain indexes, which serve queries, have their own flag.
        Change::DropIndex { index, .. } if !index.unique => Some("allow_drop_extra_indexes"),
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
        "allow_drop_extra_indexes" => options.allow_drop_extra_indexes,
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
/// (on its table, or as a referenced column). And the other way round, an undeclared
/// index, unique, check or foreign key over a column that is kept is kept too, even when
/// its own drop is allowed: the column stays with its values (typically a column renamed
/// in the struct without `renamed_from`), and what guards those values or serves queries
/// on them has no reason to go. Both rules apply until nothing changes.
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
    // Columns whose drop the policy refuses, by table: what uses them stays.
    let mut kept_columns: Vec<(QualifiedName, String)> = Vec::new();
    // The names the plan adds or alters a constraint or index under, by table: a drop
    // making room for one of them must run whatever it uses.
    let declared_names: BTreeSet<((String, String), String)> = changes
        .iter()
        .filter_map(|c| Some((table_key(&c.table()?, names.dialect), added_name(c)?)))
        .map(|(table, name)| (table, names.dialect.identifier_key(name)))
        .collect();
    for change in changes {
        match (&change, unlocking_flag(&change)) {
            (Change::DropTable { table }, _) => extra_tables.push(table.clone()),
            (_, Some(flag)) if !allowed(flag, options) => {
                if let Change::DropForeignKey { table, foreign_key } = &change {
                    refused_foreign_keys.push((table.clone(), foreign_key.clone()));
                }
                drift.push(refused(&change, flag));
                match &change {
                    Change::DropColumn { table, column } => {
                        kept_columns.push((table.clone(), column.name.clone()))
                    }
                    _ => kept_constraints.push(change),
                }
            }
            _ => kept_changes.push(change),
        }
    }

    // A column that a kept constraint or index uses is kept too: dropping it would fail
    // (SQLite) or silently drop that constraint with it (PostgreSQL). A constraint or index
    // over a kept column is kept too. Each kept one may keep others: until nothing moves.
    let mut allowed_changes = kept_changes;
    loop {
        let mut moved = false;
        let mut remaining = Vec::with_capacity(allowed_changes.len());
        for change in allowed_changes {
            match kept_by(
                &change,
                &kept_constraints,
                &kept_columns,
                &declared_names,
                names.dialect,
            ) {
                None => remaining.push(change),
                Some(why) => {
                    moved = true;
                    drift.push(Drift {
                        table: change.table().unwrap_or_else(|| QualifiedName::new("")),
                        description: format!("{} ({why})", describe::extra(&change)),
                    });
                    match change {
                        Change::DropColumn { table, column } => {
                            kept_columns.push((table, column.name))
                        }
                        other => {
                            if let Change::DropForeignKey { table, foreign_key } = &other {
                                refused_foreign_keys.push((table.clone(), foreign_key.clone()));
                            }
                            kept_constraints.push(other);
                        }
                    }
                }
            }
        }
        allowed_changes = remaining;
        if !moved {
            break;
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

/// Why an allowed drop must be kept after all, if it must: a column that a kept
/// constraint or index uses, or an index, unique, check or foreign key (a primary key
/// goes: the declared one takes its place) over a kept column of its table, unless the
/// plan adds or alters one of the same name, which needs the name free.
fn kept_by(
    change: &Change,
    kept_constraints: &[Change],
    kept_columns: &[(QualifiedName, String)],
    declared_names: &BTreeSet<((String, String), String)>,
    dialect: &dyn Dialect,
) -> Option<String> {
    match change {
        Change::DropColumn { table, column } => {
            let user = kept_constraints
                .iter()
                .find(|c| uses_column(&as_added(c), table, &column.name, dialect))?;
            Some(match unlocking_flag(user) {
                // Kept by the policy: its flag drops both.
                Some(flag) if !kept_by_column(user, kept_columns, dialect) => format!(
                    "kept: {} uses it and set {flag} to drop it",
                    describe::kept_object(user)
                ),
                _ => format!("kept: {} uses it", describe::kept_object(user)),
            })
        }
        Change::DropUnique { .. }
        | Change::DropCheck { .. }
        | Change::DropForeignKey { .. }
        | Change::DropIndex { .. } => {
            let table = change.table()?;
            let name = dropped_name(change)?;
            if declared_names.contains(&(table_key(&table, dialect), dialect.identifier_key(name)))
            {
                return None;
            }
            let (_, column) = kept_columns.iter().find(|(t, c)| {
                table_key(t, dialect) == table_key(&table, dialect)
                    && uses_own_column(&as_added(change), c, dialect)
            })?;
            Some(format!("kept: it uses column `{column}`, which is kept"))
        }
        _ => None,
    }
}

/// `true` when the kept drop `kept` stays because of a kept column rather than by the
/// policy's refusal (a drop the policy refused is never re-examined).
fn kept_by_column(
    kept: &Change,
    kept_columns: &[(QualifiedName, String)],
    dialect: &dyn Dialect,
) -> bool {
    let Some(table) = kept.table() else {
        return false;
    };
    kept_columns.iter().any(|(t, c)| {
        table_key(t, dialect) == table_key(&table, dialect)
            && uses_own_column(&as_added(kept), c, dialect)
    })
}

/// The name of the constraint or index `change` drops.
fn dropped_name(change: &Change) -> Option<&str> {
    match change {
        Change::DropUnique { unique, .. } => Some(&unique.name),
        Change::DropCheck { check, .. } => Some(&check.name),
        Change::DropForeignKey { foreign_key, .. } => Some(&foreign_key.name),
        Change::DropIndex { index, .. } => Some(&index.name),
        _ => None,
    }
}

/// The name of the constraint or index `change` adds or alters (its declared name).
fn added_name(change: &Change) -> Option<&str> {
    match change {
        Change::AddUnique { unique, .. } | Change::AlterUnique { to: unique, .. } => {
            Some(unique.name.as_str())
        }
        Change::AddCheck { check, .. } | Change::AlterCheck { to: check, .. } => {
            Some(check.name.as_str())
        }
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => Some(foreign_key.name.as_str()),
        Change::AddIndex { index, .. } | Change::AlterIndex { to: index, .. } => {
            Some(index.name.as_str())
        }
        _ => None,
    }
    .filter(|name| !name.is_empty())
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
/// column values without `allow_shrink_column`, steps needing a table rebuild the
/// dialect's option blocks ([`Dialect::rebuild_blocked_by`]: SQLite's
/// `allow_sqlite_table_rebuild`; both flags named when both are needed), then
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
        if step.rebuild.is_some()
            && let Some(flag) = dialect.rebuild_blocked_by(options)
        {
            flags.push(flag);
        }
        if flags.is_empty() {
            kept.push(step);
        } else {
            blocked.push(BlockedStep::by_policy(step, flags.join(", ")));
        }
    }
    block_dependents(kept, blocked, dialect)
}

/// Online mode: blocks each step that would rewrite a table larger than
/// [`Options::online_rewrite_limit`] (a rewrite holds ACCESS EXCLUSIVE while it copies
/// every row: no online form exists), with the steps needing it. A table whose size the
/// database does not know is not blocked.
pub(crate) fn block_online_rewrites(plan: Plan, dialect: &dyn Dialect, options: &Options) -> Plan {
    let Some(limit) = options.online_rewrite_limit else {
        return plan;
    };
    let too_big = |step: &Step| {
        dialect.online_effects(step).into_iter().find(|e| {
            e.work == Work::Rewrites && e.size.and_then(|s| s.bytes).is_some_and(|b| b > limit)
        })
    };
    if !plan.steps().iter().any(|s| too_big(s).is_some()) {
        return plan;
    }
    let dependents = plan.dependents().to_vec();
    let warnings = plan.warnings().to_vec();
    let (name, steps, mut blocked, drift) = plan.into_parts();
    let mut kept = Vec::with_capacity(steps.len());
    for mut step in steps {
        let Some(effect) = too_big(&step) else {
            kept.push(step);
            continue;
        };
        step.suggestion = Some(format!(
            "do it by hand as expand and contract (add a new column, backfill it in batches, switch the application to it, drop the old one), apply it outside online mode in a quiet moment, or raise online_rewrite_limit (--online-rewrite-limit) above {}",
            effect.size.map(|s| s.to_string()).unwrap_or_default()
        ));
        blocked.push(BlockedStep {
            problem: Some(format!(
                "online mode: it {effect}, over the online rewrite limit of {}: every query on the table would wait while it runs",
                crate::effect::human_bytes(limit)
            )),
            unlocked_by: "online_rewrite_limit".into(),
            depends_on: None,
            step,
        });
    }
    let (steps, blocked) = block_dependents(kept, blocked, dialect);
    Plan::new(name, steps, blocked, drift)
        .with_dependents(dependents)
        .with_warnings(warnings)
}

/// Moves every step that needs a blocked step to the blocked ones, until none does: a
/// foreign key needing a blocked key of the table it references, or whose columns (or
/// referenced columns) change type in a blocked step; a key, index, check or foreign key
/// over a column whose add is blocked; anything in a schema, on a table or referencing a
/// table whose creation (or rename) is blocked. Each names the step it needs (`depends_on`) and
/// inherits what unlocks it, not its data problem (which is the needed step's).
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
                        // The data problem is the needed step's, said there: repeated
                        // here it read as this step failing too.
                        problem: None,
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
        // What is in a schema, or on or referencing a table, the blocked step would have
        // created (or renamed into being): blocked only by privileges (see
        // `crate::privileges`).
        Change::CreateSchema { schema } => step.table().is_some_and(|t| {
            dialect.same_identifier(t.schema.as_deref().unwrap_or_default(), schema)
        }),
        Change::CreateTable { table } => on_or_referencing(step, &table.qualified_name(), dialect),
        Change::RenameTable { to, .. } => on_or_referencing(step, to, dialect),
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
            table,
            from,
            to,
            changes,
        } if changes.ty => match step {
            // A key planned for the declared type, over a column whose type in the
            // database this dialect cannot key whole (MySQL's TEXT: MariaDB would build a
            // hash key, not the declared one).
            Change::AddUnique { table: on, unique }
            | Change::AlterUnique {
                table: on,
                to: unique,
                ..
            } if !dialect.keys_whole(&from.ty) => {
                same(on, table) && contains(&unique.columns, &to.name, dialect)
            }
            Change::AddIndex { table: on, index }
            | Change::AlterIndex {
                table: on,
                to: index,
                ..
            } if !dialect.keys_whole(&from.ty) => {
                same(on, table)
                    && index
                        .columns
                        .iter()
                        .any(|c| dialect.same_identifier(&c.name, &to.name))
            }
            Change::AddPrimaryKey { table: on, key }
            | Change::AlterPrimaryKey {
                table: on, to: key, ..
            } if !dialect.keys_whole(&from.ty) => {
                same(on, table) && contains(&key.columns, &to.name, dialect)
            }
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

/// `true` when `step` is on `table` or adds a foreign key (alone or in a new table)
/// referencing it.
fn on_or_referencing(step: &Change, table: &QualifiedName, dialect: &dyn Dialect) -> bool {
    let same = |t: &QualifiedName| table_key(t, dialect) == table_key(table, dialect);
    step.table().is_some_and(|t| same(&t))
        || match step {
            Change::AddForeignKey { foreign_key, .. }
            | Change::AlterForeignKey {
                to: foreign_key, ..
            } => same(&foreign_key.references),
            Change::CreateTable { table: created } => {
                created.foreign_keys.iter().any(|fk| same(&fk.references))
            }
            _ => false,
        }
}

/// `true` when `step` uses column `column` of `table`: a key, index, check or foreign key
/// of that table over it, or a foreign key referencing it.
fn uses_column(step: &Change, table: &QualifiedName, column: &str, dialect: &dyn Dialect) -> bool {
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
    let on_table = step
        .table()
        .is_some_and(|t| table_key(&t, dialect) == table_key(table, dialect));
    referenced || (on_table && uses_own_column(step, column, dialect))
}

/// `true` when the key, index, check or foreign key `step` adds is over column `column`
/// of its own table (a foreign key's referenced columns do not count).
fn uses_own_column(step: &Change, column: &str, dialect: &dyn Dialect) -> bool {
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
