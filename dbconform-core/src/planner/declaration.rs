//! The declaration checked and resolved before and after the database is read: tables
//! resolved (schemas, constraint order) and sorted, each validated, duplicates, unknown
//! references and clashing index names refused.

use crate::dialect::Dialect;
use crate::diff::{self, Key, Names, resolve_table};
use crate::error::{Error, Result};
use crate::model::{QualifiedName, Schema, TableDef};
use crate::options::Options;
use std::collections::{BTreeMap, BTreeSet};

/// The declaration made ready for planning on its own, before the database is read: the
/// tables resolved (schemas, constraint order) and sorted, each validated, a table
/// declared twice refused. What needs the database (foreign-key targets) waits for
/// [`Planner::draft`](super::Planner::draft). The runtime checks the declaration while
/// the catalog query runs ([`Planner::check`](super::Planner::check)) and resolves it
/// ([`Planner::declare_checked`](super::Planner::declare_checked)) after; see the
/// [`Planner`](super::Planner) for an example.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// Resolved, sorted by qualified name.
    pub(super) tables: Vec<TableDef>,
    /// The dialect it was prepared for.
    pub(super) dialect: &'static str,
    /// The target schema it was resolved against.
    pub(super) target_schema: String,
    /// The normal form of each table of `tables` (same order), where the dialect
    /// [normalizes every declaration](Dialect::normalizes_every_declaration).
    pub(super) normalized: Option<Vec<TableDef>>,
    /// The position in `tables` of each table key (from the check).
    pub(super) keys: BTreeMap<Key, usize>,
    /// A clash of index names ([`Error::InvalidTable`]'s table and message), reported
    /// after the foreign-key checks: the order planning has always reported errors in.
    pub(super) index_clash: Option<(QualifiedName, String)>,
}

impl Declaration {
    /// The declaration of `desired`, which `checked` checked for the same dialect and
    /// options (the [`Planner`](super::Planner) makes sure of it): its tables resolved
    /// (copied) and sorted.
    pub(super) fn from_checked(
        desired: &[TableDef],
        checked: CheckedDeclaration,
        dialect: &dyn Dialect,
        options: &Options,
    ) -> Self {
        let names = Names {
            dialect,
            target_schema: &options.target_schema,
        };
        // In the order the check found, not sorted again.
        let tables: Vec<TableDef> = checked
            .order
            .iter()
            .map(|&i| resolve_table(&desired[i], names))
            .collect();
        let index_clash = index_names_are_distinct(&tables, &checked.keys, names);
        Declaration {
            tables,
            keys: checked.keys,
            normalized: checked.normalized,
            dialect: checked.dialect,
            target_schema: checked.target_schema,
            index_clash,
        }
    }

    /// The declared tables, resolved and sorted by qualified name.
    pub fn tables(&self) -> &[TableDef] {
        &self.tables
    }
}

/// What a declaration says on its own, checked before the database is read: no table
/// declared twice, each table one the backend can create. It keeps no copy of the
/// tables (the runtime checks while the catalog query runs, and a copy held meanwhile
/// would add to the peak memory of a start-up), only their normal forms where the
/// dialect [normalizes every declaration](Dialect::normalizes_every_declaration).
#[derive(Debug, Clone)]
pub struct CheckedDeclaration {
    /// The tables' indexes in the checked slice, in [`Declaration::tables`] order.
    pub(super) order: Vec<usize>,
    /// The position in that order of each table key.
    pub(super) keys: BTreeMap<Key, usize>,
    /// The normal form of each table, in [`Declaration::tables`] order.
    pub(super) normalized: Option<Vec<TableDef>>,
    /// The dialect they were checked for.
    pub(super) dialect: &'static str,
    /// The target schema they were resolved against.
    pub(super) target_schema: String,
}

impl CheckedDeclaration {
    /// The check ([`Planner::check`](super::Planner::check)), the tables spread over the
    /// cores when `every_core`.
    pub(super) fn check_with(
        desired: &[TableDef],
        dialect: &dyn Dialect,
        options: &Options,
        every_core: bool,
    ) -> Result<Self> {
        Self::check_with_rules(desired, dialect, options, every_core, true)
    }

    /// [`check_with`](Self::check_with); each table validated only when `validate`
    /// (a schema read from a database is not a declaration to validate).
    pub(super) fn check_with_rules(
        desired: &[TableDef],
        dialect: &dyn Dialect,
        options: &Options,
        every_core: bool,
        validate: bool,
    ) -> Result<Self> {
        let names = Names {
            dialect,
            target_schema: &options.target_schema,
        };
        let order = resolved_order(desired, names);
        let mut keys: BTreeMap<Key, usize> = BTreeMap::new();
        for (position, &i) in order.iter().enumerate() {
            if let Some(first) = keys.insert(names.table_key(&desired[i]), position) {
                let first = resolve_table(&desired[order[first]], names).qualified_name();
                let table = resolve_table(&desired[i], names).qualified_name();
                return Err(Error::InvalidTable {
                    message: format!(
                        "the table is declared twice (as `{first}` and `{table}`); rename or remove one of them"
                    ),
                    table,
                });
            }
        }
        // Each table resolved for as long as it is checked (see above); the first error
        // in that order is the one reported.
        let normalizes = dialect.normalizes_every_declaration();
        let one = |i: usize| -> Result<Option<TableDef>> {
            let table = diff::resolved_table(&desired[i], names);
            if validate {
                dialect.validate_table(&table)?;
            }
            Ok(normalizes.then(|| dialect.normalize_table(&table)))
        };
        let normal_forms: Vec<Option<TableDef>> = if every_core {
            crate::parallel::map(order.clone(), 128, one)
                .into_iter()
                .collect::<Result<_>>()?
        } else {
            order.iter().map(|&i| one(i)).collect::<Result<_>>()?
        };
        let normalized = normalizes.then(|| normal_forms.into_iter().flatten().collect());
        Ok(CheckedDeclaration {
            order,
            keys,
            normalized,
            dialect: dialect.name(),
            target_schema: options.target_schema.clone(),
        })
    }
}

/// Copies of the declared tables with their schema and their foreign keys' target schemas
/// resolved, constraints in their deterministic order, sorted by qualified name.
pub(super) fn resolve(desired: &[TableDef], names: Names<'_>) -> Vec<TableDef> {
    resolved_order(desired, names)
        .into_iter()
        .map(|i| resolve_table(&desired[i], names))
        .collect()
}

/// The indexes of `desired` in the order of their resolved qualified names (stable: equal
/// names keep their declaration order), without resolving (copying) the tables.
pub(super) fn resolved_order(desired: &[TableDef], names: Names<'_>) -> Vec<usize> {
    let schemas: Vec<String> = desired
        .iter()
        .map(|t| names.schema(t.schema.as_deref()))
        .collect();
    let mut order: Vec<usize> = (0..desired.len()).collect();
    order.sort_by(|&a, &b| {
        (schemas[a].as_str(), &desired[a].name).cmp(&(schemas[b].as_str(), &desired[b].name))
    });
    order
}

/// Checks that every foreign key references a declared or existing table, its columns,
/// and a key of it. `declared`: the position in `desired` of each table key.
pub(super) fn check_references(
    desired: &[TableDef],
    declared: &BTreeMap<Key, usize>,
    actual: &Schema,
    names: Names<'_>,
) -> Result<()> {
    let dialect = names.dialect;
    // The database's tables by key, made only when a foreign key references a table the
    // declaration does not have (most reference declared tables).
    let mut existing: Option<BTreeMap<Key, &TableDef>> = None;
    for table in desired {
        for fk in &table.foreign_keys {
            let target_key = names.key(&fk.references);
            let target = match declared.get(&target_key) {
                Some(&position) => Some(&desired[position]),
                None => existing
                    .get_or_insert_with(|| {
                        actual
                            .tables
                            .iter()
                            .map(|t| (names.table_key(t), t))
                            .collect()
                    })
                    .get(&target_key)
                    .copied(),
            };
            let Some(target) = target else {
                return Err(Error::UnknownReference {
                    table: table.qualified_name(),
                    constraint: fk.name.clone(),
                    references: fk.references.clone(),
                });
            };
            referenced_key(table, fk, target, dialect)?;
        }
    }
    Ok(())
}

/// The referenced columns exist and are the target's primary key or a unique key (both
/// PostgreSQL and SQLite refuse anything else, PostgreSQL at CREATE, SQLite on every write).
fn referenced_key(
    table: &TableDef,
    fk: &crate::model::ForeignKey,
    target: &TableDef,
    dialect: &dyn Dialect,
) -> Result<()> {
    let invalid = |message: String| Error::InvalidTable {
        table: table.qualified_name(),
        message,
    };
    for name in &fk.referenced_columns {
        if !target
            .columns
            .iter()
            .any(|c| dialect.same_identifier(&c.name, name))
        {
            return Err(invalid(format!(
                "foreign key `{}` references column `{name}` of `{}`, which has no such column; reference one of its columns",
                fk.name, fk.references
            )));
        }
    }
    let set = |columns: &mut dyn Iterator<Item = &str>| -> BTreeSet<String> {
        columns.map(|c| dialect.identifier_key(c)).collect()
    };
    let wanted = set(&mut fk.referenced_columns.iter().map(String::as_str));
    let mut keys: Vec<BTreeSet<String>> = Vec::new();
    if let Some(pk) = &target.primary_key {
        keys.push(set(&mut pk.columns.iter().map(String::as_str)));
    }
    keys.extend(
        target
            .uniques
            .iter()
            .map(|u| set(&mut u.columns.iter().map(String::as_str))),
    );
    keys.extend(
        target
            .indexes
            .iter()
            .filter(|i| i.unique && i.predicate.is_none())
            .map(|i| set(&mut i.columns.iter().map(|c| c.name.as_str()))),
    );
    if !keys.contains(&wanted) {
        return Err(invalid(format!(
            "foreign key `{}` references ({}) of `{}`, which is neither its primary key nor a unique key; the database refuses such a foreign key: reference the primary key, or declare ({}) unique on `{}`",
            fk.name,
            fk.referenced_columns.join(", "),
            fk.references,
            fk.referenced_columns.join(", "),
            fk.references
        )));
    }
    Ok(())
}

/// Index names are unique per schema (they share a namespace with tables), so two declared
/// tables cannot use the same index name, nor an index the name of a table: the
/// [`Error::InvalidTable`] table and message of the first clash, if any. `tables`: the
/// position in `desired` of each table key (the check computed them).
pub(super) fn index_names_are_distinct(
    desired: &[TableDef],
    tables: &BTreeMap<Key, usize>,
    names: Names<'_>,
) -> Option<(QualifiedName, String)> {
    let mut indexes: BTreeMap<Key, &TableDef> = BTreeMap::new();
    for table in desired {
        for index in &table.indexes {
            let key = names.key_of(table.schema.as_deref(), &index.name);
            let clash = if let Some(&position) = tables.get(&key) {
                format!("the table `{}`", desired[position].qualified_name())
            } else if let Some(owner) = indexes.insert(key, table) {
                format!("an index of table `{}`", owner.qualified_name())
            } else {
                continue;
            };
            return Some((
                table.qualified_name(),
                format!(
                    "index `{}` has the same name as {clash}; index names are unique per schema, rename the index",
                    index.name
                ),
            ));
        }
    }
    None
}
