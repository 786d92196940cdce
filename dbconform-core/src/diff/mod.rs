//! The generic differ: declared tables + reflected schema → [`Change`]s.
//!
//! One differ serves every backend (Atlas style); what differs between backends enters
//! through [`Dialect`] hooks: [`Dialect::identifier_key`] decides which names denote the
//! same object, [`Dialect::normalize_table`] puts both sides into the database-normal form
//! before anything is compared, [`Dialect::supports_comments`] says whether comments can
//! differ at all.
//!
//! Rules:
//!
//! - tables are matched by the identifier key of (schema, name): a declared table missing
//!   from the database is a [`Change::CreateTable`], a reflected one nobody declares a
//!   [`Change::DropTable`] (whether it is dropped is the planner's policy);
//! - columns are matched by name, their order is ignored; a pair differing in any property
//!   is one [`Change::AlterColumn`] whose [`ColumnChanges`] says which; a declared
//!   auto-increment column is satisfied by a key the database already assigns ids with
//!   ([`Dialect::assigns_own_ids`]: a `nextval` default, a rowid alias), kept as it is;
//! - the primary key is added, dropped, or altered when its columns differ (its name only
//!   counts when the declaration names it);
//! - UNIQUE constraints, foreign keys, CHECKs and indexes are paired by name first, then
//!   by definition; a pair whose definitions differ is an `Alter*`, a pair whose names
//!   differ is no change at all (unnamed and database-named constraints converge);
//! - `from`/`to` and the objects inside changes are in normal form.
//!
//! The output is sorted: by table key, then by [`kind_rank`] (drops of foreign keys first,
//! then other drops, columns, keys, checks, indexes, and foreign keys last), then by the
//! name of the object.

pub(crate) mod enums;
mod pairing;
pub(crate) mod renames;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;

use crate::dialect::Dialect;
use crate::model::{Column, PrimaryKey, QualifiedName, Schema, TableDef};
use crate::options::Options;
use crate::plan::{Change, ChangeKind, ColumnChanges};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The changes that make `actual` conform to `desired`.
///
/// Both sides are expected with their schemas resolved (`schema: Some(..)` on every table
/// and every foreign-key target): the planner resolves the declaration against
/// [`Options::target_schema`]. A `None` left on either side is read as the dialect's
/// schema for the default target schema (`public` on PostgreSQL, `main` on SQLite), so an
/// unqualified foreign-key target means the target schema, never the referencing table's.
///
/// [`Dialect::normalize_table`] is applied to both sides before comparing. A
/// [`Change::CreateTable`] carries the declared table, resolved but not normalized (it is
/// rendered as declared); a [`Change::DropTable`] the reflected table; every other change
/// the normalized forms. Two declared tables with the same key: the first in (schema, name)
/// order is compared, the other ignored (the planner refuses such a declaration before
/// diffing).
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::SQLITE;
/// use dbconform::{Change, Column, ColumnType, Schema, TableDef, diff_tables};
///
/// let table = |columns: Vec<Column>| TableDef {
///     schema: Some("main".into()),
///     name: "users".into(),
///     columns,
///     ..TableDef::default()
/// };
/// let desired = [table(vec![Column::new("email", ColumnType::Text)])];
/// let actual = Schema::new(vec![table(vec![])]);
/// let changes = diff_tables(&desired, &actual, &SQLITE);
/// assert!(matches!(&changes[..], [Change::AddColumn { column, .. }] if column.name == "email"));
/// ```
pub fn diff_tables(desired: &[TableDef], actual: &Schema, dialect: &dyn Dialect) -> Vec<Change> {
    let target = Options::default().target_schema;
    let names = Names {
        dialect,
        target_schema: &target,
    };
    diff_resolved(desired, actual, names)
}

/// A table name under the dialect's identifier rules: two names denote the same table
/// exactly when their keys are equal.
pub(crate) type Key = (String, String);

/// Resolves and compares table names for one dialect and target schema.
#[derive(Clone, Copy)]
pub(crate) struct Names<'a> {
    /// The dialect whose identifier rules apply.
    pub(crate) dialect: &'a dyn Dialect,
    /// The schema unqualified names live in.
    pub(crate) target_schema: &'a str,
}

impl std::fmt::Debug for Names<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Names")
            .field("dialect", &self.dialect.name())
            .field("target_schema", &self.target_schema)
            .finish()
    }
}

impl Names<'_> {
    /// The schema `name` lives in.
    pub(crate) fn schema(&self, schema: Option<&str>) -> String {
        self.dialect.effective_schema(schema, self.target_schema)
    }

    /// The key of a (possibly unresolved) table name.
    pub(crate) fn key(&self, name: &QualifiedName) -> Key {
        self.key_of(name.schema.as_deref(), &name.name)
    }

    /// The key of a table (without copying its name first: planning computes thousands).
    pub(crate) fn table_key(&self, table: &TableDef) -> Key {
        self.key_of(table.schema.as_deref(), &table.name)
    }

    /// The key of the table (or index: they share a namespace) `name` in `schema`
    /// (`None`: the target schema).
    pub(crate) fn key_of(&self, schema: Option<&str>, name: &str) -> Key {
        let schema = self.schema(schema);
        (self.ident(&schema), self.ident(name))
    }

    /// The key of one identifier (column, constraint, index).
    pub(crate) fn ident(&self, name: &str) -> String {
        self.dialect.identifier_key(name)
    }

    /// The keys of a list of column names, in order.
    pub(crate) fn idents(&self, names: &[String]) -> Vec<String> {
        names.iter().map(|n| self.ident(n)).collect()
    }
}

/// A copy of `table` with its schema and its foreign keys' target schemas resolved and
/// its constraints in their deterministic order.
pub(crate) fn resolve_table(table: &TableDef, names: Names<'_>) -> TableDef {
    let mut table = table.clone();
    table.schema = Some(names.schema(table.schema.as_deref()));
    for fk in &mut table.foreign_keys {
        fk.references.schema = Some(names.schema(fk.references.schema.as_deref()));
    }
    for column in &mut table.columns {
        if let Some(ty) = column.ty.enum_type_mut() {
            ty.schema = Some(names.schema(ty.schema.as_deref()));
        }
    }
    if names.dialect.enums_as_checks() {
        enums_as_checks(&mut table, names.dialect);
    }
    table.normalized_order();
    table
}

/// Each enum column of `table` as `TEXT` with a CHECK of its labels named
/// `ck_<table>_<column>_enum` ([`Dialect::enums_as_checks`]: SQLite).
fn enums_as_checks(table: &mut TableDef, dialect: &dyn Dialect) {
    let mut checks = Vec::new();
    for column in &mut table.columns {
        let crate::model::ColumnType::Enum(ty) = &column.ty else {
            continue;
        };
        let labels: Vec<String> = ty
            .labels
            .iter()
            .map(|l| crate::dialect::quote_literal(&l.name))
            .collect();
        checks.push(crate::model::Check {
            name: crate::naming::generated_name("ck", &table.name, &[&column.name, "enum"]),
            expr: format!(
                "{} IN ({})",
                dialect.quote_ident(&column.name),
                labels.join(", ")
            ),
            not_valid: false,
        });
        column.ty = crate::model::ColumnType::Text;
    }
    table.checks.extend(checks);
}

/// `table` resolved as [`resolve_table`] resolves it, borrowed when it already is (the
/// planner's declaration and reflected tables usually are): a no-op compare of thousands
/// of tables should not copy them.
pub(crate) fn resolved_table<'t>(table: &'t TableDef, names: Names<'_>) -> Cow<'t, TableDef> {
    let is_resolved = |schema: &Option<String>| {
        schema
            .as_deref()
            .is_some_and(|s| names.schema(Some(s)) == s)
    };
    if is_resolved(&table.schema)
        && table
            .foreign_keys
            .iter()
            .all(|fk| is_resolved(&fk.references.schema))
        && table.columns.iter().all(|c| match c.ty.enum_type() {
            Some(ty) => is_resolved(&ty.schema) && !names.dialect.enums_as_checks(),
            None => true,
        })
        && table.is_in_normalized_order()
    {
        Cow::Borrowed(table)
    } else {
        Cow::Owned(resolve_table(table, names))
    }
}

/// [`diff_tables`] under explicit name rules (the planner passes its target schema).
pub(crate) fn diff_resolved(
    desired: &[TableDef],
    actual: &Schema,
    names: Names<'_>,
) -> Vec<Change> {
    diff_resolved_normalized(desired, None, actual, names)
}

/// [`diff_resolved`] with the normal forms of `desired` (same order) when the caller has
/// them already ([`crate::planner::Declaration`] computes them while the database
/// answers).
pub(crate) fn diff_resolved_normalized(
    desired: &[TableDef],
    normalized: Option<&[TableDef]>,
    actual: &Schema,
    names: Names<'_>,
) -> Vec<Change> {
    /// The first table of each key in (schema, name) order, with its index in `tables`.
    fn by_key<'t>(
        tables: &'t [TableDef],
        names: Names<'_>,
    ) -> BTreeMap<Key, (usize, Cow<'t, TableDef>)> {
        let mut tables: Vec<(usize, Cow<'t, TableDef>)> = tables
            .iter()
            .map(|t| resolved_table(t, names))
            .enumerate()
            .collect();
        tables.sort_by(|(_, a), (_, b)| a.cmp_qualified_name(b));
        let mut map = BTreeMap::new();
        for (index, table) in tables {
            map.entry(names.table_key(&table)).or_insert((index, table));
        }
        map
    }
    debug_assert!(normalized.is_none_or(|n| n.len() == desired.len()));
    let desired = by_key(desired, names);
    let mut actual = by_key(&actual.tables, names);

    let mut changes = Vec::new();
    let mut pairs = Vec::new();
    for (key, (index, declared)) in desired {
        match actual.remove(&key) {
            None => changes.push(Change::CreateTable {
                table: declared.into_owned(),
            }),
            // Identical tables have identical normal forms: nothing to compare. This is
            // the common case of a no-op start-up, and normalizing costs allocations.
            Some((_, found)) if *found == *declared => {}
            Some((_, found)) => pairs.push((index, declared, found)),
        }
    }
    // Each pair is normalized and compared on its own: spread over the cores.
    let altered = crate::parallel::map(pairs, PAIRS_PER_THREAD, |(index, declared, found)| {
        let to = match normalized {
            Some(normalized) => Cow::Borrowed(&normalized[index]),
            None => Cow::Owned(names.dialect.normalize_table(&declared)),
        };
        let from = names.dialect.normalize_table(&found);
        let to = adopt_own_ids(to, &from, names);
        // Equal normal forms differ in nothing (the differ's own premise, tested on
        // both dialects): a no-op start-up on PostgreSQL, where every table reads back
        // spelled differently, stops here.
        if equal_but_for_key_name(&to, &from) {
            return Vec::new();
        }
        diff_table(&declared.qualified_name(), &to, &from, names)
    });
    changes.extend(altered.into_iter().flatten());
    changes.extend(actual.into_values().map(|(_, table)| Change::DropTable {
        table: table.into_owned(),
    }));
    sort_changes(&mut changes, names);
    changes
}

/// `desired` (normal form) with each declared auto-increment column that the database
/// has as a column assigning its own ids ([`Dialect::assigns_own_ids`]: a PostgreSQL
/// `nextval` default, a SQLite rowid alias) declared as the database has it, so that the
/// key is kept: no step rewrites it into an identity or rebuilds the table for
/// `AUTOINCREMENT`, and a step changing another property of the column (its type) keeps
/// the sequence default. Borrowed when nothing is adopted.
fn adopt_own_ids<'t>(
    desired: Cow<'t, TableDef>,
    actual: &TableDef,
    names: Names<'_>,
) -> Cow<'t, TableDef> {
    let adopted: Vec<(usize, &Column)> = desired
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.auto_increment && c.default.is_none() && c.generated.is_none())
        .filter_map(|(i, c)| {
            let key = names.ident(&c.name);
            actual
                .columns
                .iter()
                .find(|a| names.ident(&a.name) == key)
                .filter(|a| names.dialect.assigns_own_ids(actual, a))
                .map(|a| (i, a))
        })
        .collect();
    if adopted.is_empty() {
        return desired;
    }
    let mut desired = desired.into_owned();
    for (i, found) in adopted {
        let column = &mut desired.columns[i];
        column.auto_increment = false;
        column.default = found.default.clone();
    }
    Cow::Owned(desired)
}

/// `true` when `desired` and `actual` (normal forms) are equal field by field, except
/// that a primary key the declaration leaves unnamed matches whatever name the database
/// gave it (PostgreSQL's `t_pkey`), as [`diff_primary_key`] has it. Such a pair has no
/// change; the field-by-field comparison costs far less than [`diff_table`].
fn equal_but_for_key_name(desired: &TableDef, actual: &TableDef) -> bool {
    // Destructured so that a field added to `TableDef` has to be considered here.
    let TableDef {
        schema,
        name,
        renamed_from,
        comment,
        columns,
        primary_key,
        uniques,
        foreign_keys,
        checks,
        indexes,
        options,
    } = desired;
    let same_key = match (primary_key, &actual.primary_key) {
        (Some(to), Some(from)) if to.name.is_none() => to.columns == from.columns,
        (to, from) => to == from,
    };
    same_key
        && *schema == actual.schema
        && *name == actual.name
        && *renamed_from == actual.renamed_from
        && *comment == actual.comment
        && *columns == actual.columns
        && *uniques == actual.uniques
        && *foreign_keys == actual.foreign_keys
        && *checks == actual.checks
        && *indexes == actual.indexes
        && *options == actual.options
}

/// Fewest table pairs worth a thread of their own (normalizing one takes microseconds).
const PAIRS_PER_THREAD: usize = 128;

/// Sorts changes by table key, then [`kind_rank`], then object name, then (only for
/// objects without a distinguishing name, such as unnamed SQLite constraints) their whole
/// content.
pub(crate) fn sort_changes(changes: &mut Vec<Change>, names: Names<'_>) {
    /// Table key, kind rank, object-name key.
    type SortKey = (Option<Key>, u8, String);
    let mut keyed: Vec<(SortKey, Change)> = changes
        .drain(..)
        .map(|change| {
            let key = (
                change.table().map(|t| names.key(&t)),
                kind_rank(change.kind()),
                names.ident(object_name(&change)),
            );
            (key, change)
        })
        .collect();
    keyed.sort_by(|(a_key, a), (b_key, b)| {
        a_key
            .cmp(b_key)
            .then_with(|| format!("{a:?}").cmp(&format!("{b:?}")))
    });
    changes.extend(keyed.into_iter().map(|(_, change)| change));
}

/// The fixed order of change kinds within one table: drops of foreign keys first (they
/// may need the keys dropped next), then the other drops (constraints and indexes before
/// the columns they use), columns, the comment, keys, checks, indexes, and the foreign
/// keys last (they need the keys and columns added before them).
pub fn kind_rank(kind: ChangeKind) -> u8 {
    match kind {
        ChangeKind::CreateSchema => 0,
        ChangeKind::DropForeignKey => 1,
        ChangeKind::DropTable => 2,
        ChangeKind::DropCheck => 3,
        ChangeKind::DropIndex => 4,
        ChangeKind::DropUnique => 5,
        ChangeKind::DropPrimaryKey => 6,
        ChangeKind::DropColumn => 7,
        ChangeKind::CreateTable => 8,
        ChangeKind::AddColumn => 9,
        ChangeKind::AlterColumn => 10,
        ChangeKind::SetTableComment => 11,
        ChangeKind::AddPrimaryKey => 12,
        ChangeKind::AlterPrimaryKey => 13,
        ChangeKind::AddUnique => 14,
        ChangeKind::AlterUnique => 15,
        ChangeKind::AddCheck => 16,
        ChangeKind::AlterCheck => 17,
        ChangeKind::AddIndex => 18,
        ChangeKind::AlterIndex => 19,
        ChangeKind::AddForeignKey => 20,
        ChangeKind::AlterForeignKey => 21,
        // `ChangeKind` is non-exhaustive: a kind added later sorts last until placed.
        #[allow(unreachable_patterns)]
        _ => u8::MAX,
    }
}

/// The name of the object a change is about (column, constraint, index), or `""`.
pub(crate) fn object_name(change: &Change) -> &str {
    match change {
        Change::CreateSchema { schema } => schema,
        Change::CreateEnum { enum_type } | Change::DropEnum { enum_type } => &enum_type.name,
        Change::AddEnumValue { label, .. } => label,
        Change::RenameEnumValue { to, .. } => to,
        Change::RecreateEnum { to, .. } => &to.name,
        Change::CreateTable { table } | Change::DropTable { table } => &table.name,
        Change::AddColumn { column, .. } | Change::DropColumn { column, .. } => &column.name,
        Change::AlterColumn { to, .. } => &to.name,
        Change::AddPrimaryKey { key, .. } | Change::DropPrimaryKey { key, .. } => {
            key.name.as_deref().unwrap_or_default()
        }
        Change::AlterPrimaryKey { to, .. } => to.name.as_deref().unwrap_or_default(),
        Change::AddUnique { unique, .. } | Change::DropUnique { unique, .. } => &unique.name,
        Change::AlterUnique { to, .. } => &to.name,
        Change::AddForeignKey { foreign_key, .. } | Change::DropForeignKey { foreign_key, .. } => {
            &foreign_key.name
        }
        Change::AlterForeignKey { to, .. } => &to.name,
        Change::AddCheck { check, .. } | Change::DropCheck { check, .. } => &check.name,
        Change::AlterCheck { to, .. } => &to.name,
        Change::AddIndex { index, .. } | Change::DropIndex { index, .. } => &index.name,
        Change::AlterIndex { to, .. } => &to.name,
        Change::SetTableComment { .. } | Change::RebuildTable { .. } => "",
        Change::RenameTable { to, .. } => &to.name,
        Change::RenameColumn { to, .. } => to,
    }
}

/// The changes inside one table that exists on both sides, both in normal form. `table`
/// is the declared (resolved) name the changes carry.
fn diff_table(
    table: &QualifiedName,
    desired: &TableDef,
    actual: &TableDef,
    names: Names<'_>,
) -> Vec<Change> {
    let mut changes = diff_columns(table, desired, actual, names);
    changes.extend(diff_primary_key(
        table,
        desired.primary_key.as_ref(),
        actual.primary_key.as_ref(),
        names,
    ));
    changes.extend(pairing::diff_constraints(table, desired, actual, names));
    if names.dialect.supports_comments() && desired.comment != actual.comment {
        changes.push(Change::SetTableComment {
            table: table.clone(),
            from: actual.comment.clone(),
            to: desired.comment.clone(),
        });
    }
    changes
}

/// Columns matched by name (identifier rules), order ignored.
fn diff_columns(
    table: &QualifiedName,
    desired: &TableDef,
    actual: &TableDef,
    names: Names<'_>,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut used = vec![false; actual.columns.len()];
    for to in &desired.columns {
        let key = names.ident(&to.name);
        let found = actual
            .columns
            .iter()
            .enumerate()
            .find(|(i, c)| !used[*i] && names.ident(&c.name) == key);
        match found {
            Some((i, from)) => {
                used[i] = true;
                let what = column_changes(from, to, names.dialect);
                if !what.is_empty() {
                    changes.push(Change::AlterColumn {
                        table: table.clone(),
                        from: from.clone(),
                        to: to.clone(),
                        changes: what,
                    });
                }
            }
            None => changes.push(Change::AddColumn {
                table: table.clone(),
                column: to.clone(),
            }),
        }
    }
    changes.extend(
        actual
            .columns
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(column, _)| Change::DropColumn {
                table: table.clone(),
                column: column.clone(),
            }),
    );
    changes
}

/// What differs between two columns in normal form. Comments only count where the
/// backend stores them.
pub fn column_changes(from: &Column, to: &Column, dialect: &dyn Dialect) -> ColumnChanges {
    ColumnChanges {
        ty: from.ty != to.ty,
        nullable: from.nullable != to.nullable,
        default: from.default != to.default,
        auto_increment: from.auto_increment != to.auto_increment,
        comment: dialect.supports_comments() && from.comment != to.comment,
        collation: from.collation != to.collation,
        generated: from.generated != to.generated,
    }
}

/// Add, drop or alter the primary key. Columns are compared in key order under the
/// identifier rules; the name only when the declaration gives one.
fn diff_primary_key(
    table: &QualifiedName,
    desired: Option<&PrimaryKey>,
    actual: Option<&PrimaryKey>,
    names: Names<'_>,
) -> Option<Change> {
    let table = table.clone();
    match (desired, actual) {
        (None, None) => None,
        (Some(key), None) => Some(Change::AddPrimaryKey {
            table,
            key: key.clone(),
        }),
        (None, Some(key)) => Some(Change::DropPrimaryKey {
            table,
            key: key.clone(),
        }),
        (Some(to), Some(from)) => {
            let same_columns = names.idents(&to.columns) == names.idents(&from.columns);
            let same_name = match &to.name {
                None => true,
                Some(name) => from
                    .name
                    .as_deref()
                    .is_some_and(|found| names.ident(found) == names.ident(name)),
            };
            (!(same_columns && same_name)).then(|| Change::AlterPrimaryKey {
                table,
                from: from.clone(),
                to: to.clone(),
            })
        }
    }
}
