//! Desired schema + actual schema → ordered, classified [`Plan`].
//!
//! The stages are small functions over plain data:
//!
//! 1. `resolve`: give every declared table (and every foreign-key target) its schema;
//! 2. `check`: validate every table, refuse duplicates and unknown references;
//! 3. [`crate::diff`]: the [`Change`]s that make the database conform — missing
//!    tables, and for tables that exist, every column, key, constraint, index and comment
//!    that differs;
//! 4. `policy`: drops the [`Options`] refuse become [`Drift`](crate::plan::Drift), not
//!    steps;
//! 5. `order`: see [`build_plan`];
//! 6. `steps`: each change with its risk and code ([`crate::risk`]), reason, suggestion
//!    and SQL;
//! 7. `policy` again: steps that can lose column values or need a SQLite rebuild the
//!    options refuse, and the steps needing them, are blocked.

pub(crate) mod describe;
pub(crate) mod policy;

use crate::dependents::{self, DependentObject};
use crate::dialect::{ChangeContext, ChangeSql, Dialect};
use crate::diff::{self, Key, Names, resolve_table};
use crate::error::{Error, Result};
use crate::model::{QualifiedName, Schema, TableDef};
use crate::options::Options;
use crate::plan::{Change, Plan, Risk, Step};
use crate::risk;
use std::collections::{BTreeMap, BTreeSet};

/// Builds the plan that makes `actual` conform to `desired`.
///
/// `desired` holds the declared tables as registered (schema `None` = target schema);
/// `actual` is what reflection found, with every table's schema resolved (`Some`).
/// Missing tables are created; tables that exist go through the
/// [differ](crate::diff::diff_tables). Drops the [`Options`] refuse are not steps but
/// [`Plan::drift`] entries naming the flag that would allow them, like tables the database
/// has and the declaration does not mention.
///
/// Steps come in this order, each group sorted by table, then by name:
///
/// 1. missing schemas;
/// 2. drops of foreign keys (before the keys and tables they need go);
/// 3. drops of tables, a table referencing another before it;
/// 4. the changes inside each existing table: drops of checks, indexes, uniques, primary
///    key, then columns (drops, adds, alters), the comment, then adds and alters of the
///    primary key, uniques, checks and indexes (keys before the tables and foreign keys
///    that reference them);
/// 5. missing tables, each after the tables it references, then the foreign keys that
///    close a cycle;
/// 6. adds and alters of foreign keys on existing tables (after every key and table they
///    may reference).
///
/// Only creates carry SQL so far (`CreateSchema`, `CreateTable` and the foreign keys
/// closing a cycle among them); every other step has an empty `sql`, which the runtime
/// refuses to execute.
///
/// The result is deterministic: the same inputs, in any order, give the same plan, byte
/// for byte.
///
/// Errors: a declared table the backend cannot create ([`Error::InvalidTable`]), and a
/// foreign key whose table is neither declared nor present ([`Error::UnknownReference`]).
pub fn build_plan(
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let draft = draft_plan(desired, actual, dialect, options)?;
    finish_plan(draft, desired, actual, &[], dialect, options)
}

/// The plan before its last stage: one step per change, and steps only a table rebuild
/// can perform still without SQL. The runtime refines it with the data checks
/// ([`crate::data::refine`]) and then calls [`finish_plan`]; [`build_plan`] is both
/// calls without data checks.
pub fn draft_plan(
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let declaration = Declaration::prepare(desired, dialect, options)?;
    draft_plan_declared(&declaration, actual, dialect, options)
}

/// The declaration made ready for planning on its own, before the database is read: the
/// tables resolved (schemas, constraint order) and sorted, each validated, a table
/// declared twice refused. What needs the database (foreign-key targets) waits for
/// [`draft_plan_declared`]. The runtime checks the declaration while the catalog query
/// runs ([`CheckedDeclaration`]) and resolves it ([`Declaration::from_checked`]) after.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::SQLITE;
/// use dbconform::planner::{Declaration, draft_plan_declared};
/// use dbconform::{Column, ColumnType, Options, Schema, TableDef};
///
/// let users = TableDef {
///     name: "users".into(),
///     columns: vec![Column::new("id", ColumnType::Integer)],
///     ..TableDef::default()
/// };
/// let options = Options::default();
/// let declaration = Declaration::prepare(&[users], &SQLITE, &options).unwrap();
/// let plan = draft_plan_declared(&declaration, &Schema::default(), &SQLITE, &options).unwrap();
/// assert_eq!(plan.steps()[0].describe(), "create table main.users");
/// ```
#[derive(Debug, Clone)]
pub struct Declaration {
    /// Resolved, sorted by qualified name.
    tables: Vec<TableDef>,
    /// The dialect it was prepared for.
    dialect: &'static str,
    /// The target schema it was resolved against.
    target_schema: String,
    /// The normal form of each table of `tables` (same order), where the dialect
    /// [normalizes every declaration](Dialect::normalizes_every_declaration).
    normalized: Option<Vec<TableDef>>,
    /// The position in `tables` of each table key (from the check).
    keys: BTreeMap<Key, usize>,
    /// A clash of index names ([`Error::InvalidTable`]'s table and message), reported
    /// after the foreign-key checks: the order [`draft_plan`] has always reported errors in.
    index_clash: Option<(QualifiedName, String)>,
}

impl Declaration {
    /// Resolves and validates `desired` for `dialect` under `options` (see [`Declaration`]):
    /// [`CheckedDeclaration::check`], then [`Declaration::from_checked`]. Errors: a table
    /// declared twice, a table the backend cannot create ([`Error::InvalidTable`]).
    pub fn prepare(desired: &[TableDef], dialect: &dyn Dialect, options: &Options) -> Result<Self> {
        // Nothing runs beside it here: the tables are checked on every core.
        let checked = CheckedDeclaration::check_with(desired, dialect, options, true)?;
        Ok(Declaration::from_checked(
            desired, checked, dialect, options,
        ))
    }

    /// The declaration of `desired`, which `checked` checked for the same dialect and
    /// options: its tables resolved (copied) and sorted.
    ///
    /// # Panics
    ///
    /// When `checked` was made for another dialect, target schema or number of tables
    /// (`desired` must be the slice that was checked).
    pub fn from_checked(
        desired: &[TableDef],
        checked: CheckedDeclaration,
        dialect: &dyn Dialect,
        options: &Options,
    ) -> Self {
        assert!(
            checked.dialect == dialect.name()
                && checked.target_schema == options.target_schema
                && checked.order.len() == desired.len(),
            "a CheckedDeclaration of {} tables for {} / {} used for {} tables on {} / {}",
            checked.order.len(),
            checked.dialect,
            checked.target_schema,
            desired.len(),
            dialect.name(),
            options.target_schema
        );
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
    order: Vec<usize>,
    /// The position in that order of each table key.
    keys: BTreeMap<Key, usize>,
    /// The normal form of each table, in [`Declaration::tables`] order.
    normalized: Option<Vec<TableDef>>,
    /// The dialect they were checked for.
    dialect: &'static str,
    /// The target schema they were resolved against.
    target_schema: String,
}

impl CheckedDeclaration {
    /// Checks `desired` for `dialect` under `options`, in the order (and with the
    /// messages) [`draft_plan`] reports errors in, on the calling thread only: it is meant
    /// to run while the database works on the other core. Errors: a table declared twice,
    /// a table the backend cannot create ([`Error::InvalidTable`]).
    pub fn check(desired: &[TableDef], dialect: &dyn Dialect, options: &Options) -> Result<Self> {
        Self::check_with(desired, dialect, options, false)
    }

    /// [`check`](Self::check), the tables spread over the cores when `every_core`.
    fn check_with(
        desired: &[TableDef],
        dialect: &dyn Dialect,
        options: &Options,
        every_core: bool,
    ) -> Result<Self> {
        Self::check_with_rules(desired, dialect, options, every_core, true)
    }

    /// [`check_with`](Self::check_with); each table validated only when `validate`
    /// (a schema read from a database is not a declaration to validate).
    fn check_with_rules(
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

/// [`draft_plan`] of a [`Declaration`] prepared for the same dialect and target schema.
///
/// # Panics
///
/// When `declaration` was prepared for another dialect or target schema (a programming
/// error: its tables would be resolved against the wrong schema).
pub fn draft_plan_declared(
    declaration: &Declaration,
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    assert!(
        declaration.dialect == dialect.name() && declaration.target_schema == options.target_schema,
        "a Declaration prepared for {} / {} planned for {} / {}",
        declaration.dialect,
        declaration.target_schema,
        dialect.name(),
        options.target_schema
    );
    let names = Names {
        dialect,
        target_schema: &options.target_schema,
    };
    let desired = &declaration.tables;
    check_references(desired, &declaration.keys, actual, names)?;
    if let Some((table, message)) = &declaration.index_clash {
        return Err(Error::InvalidTable {
            table: table.clone(),
            message: message.clone(),
        });
    }
    // Renames first; everything else compares the declaration with the database as it
    // will be after them.
    let (renames, actual) = diff::renames::plan_renames(desired, actual, names);
    let changes =
        diff::diff_resolved_normalized(desired, declaration.normalized.as_deref(), &actual, names);
    let hints = diff::renames::suggestions(&changes, desired, &actual, names);
    let (changes, drift) = policy::apply(changes, desired, options, names);
    let planned = order(renames, changes, &actual, names);
    let mut steps = steps(planned, desired, &actual, dialect)?;
    for step in &mut steps {
        if let Some(hint) = hints.get(&step.describe()) {
            step.suggestion = Some(match step.suggestion.take() {
                Some(first) => format!("{first}; {hint}"),
                None => hint.clone(),
            });
        }
    }
    let (steps, blocked) = policy::block(steps, options, dialect);
    Ok(Plan::new(dialect.name(), steps, blocked, drift))
}

/// The last stage of planning. First the views, rules and triggers that use the tables
/// (`dependents`, as the runtime read them; empty offline) keep working: a drop one of
/// them needs is blocked ([`dependents::block_drops`]). Then, on SQLite, the steps of
/// each table that needs a rebuild become one `rebuild table` step with its statements
/// ([`Dialect::assemble_rebuilds`]), made from the declaration (`desired`, as given to
/// [`draft_plan`]) and the database's table (`actual`) minus what the draft blocked, and
/// wrapped in the drops and re-creations of the objects that mention the table. Last, a
/// type change on a column an object uses is wrapped the same way
/// ([`dependents::wrap_type_changes`]), and the plan keeps the objects so that the
/// runtime can check them after executing it.
pub fn finish_plan(
    draft: Plan,
    desired: &[TableDef],
    actual: &Schema,
    dependents: &[DependentObject],
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let names = Names {
        dialect,
        target_schema: &options.target_schema,
    };
    let draft = dependents::block_drops(draft, dependents, dialect);
    // Only a plan with steps waiting for a table rebuild needs the declaration again.
    let plan = if draft
        .steps()
        .iter()
        .any(|s| s.rebuild.is_some() && s.sql.is_empty())
    {
        let desired = resolve(desired, names);
        let (_, actual) = diff::renames::plan_renames(&desired, actual, names);
        dialect.assemble_rebuilds(draft, &desired, &actual, dependents)?
    } else {
        draft
    };
    let plan = dependents::wrap_type_changes(plan, dependents, dialect);
    Ok(plan.with_dependents(dependents.to_vec()))
}

/// The plan between two snapshots, offline: `desired` as [`desired_schema`] gives it (or
/// any [`Schema`], e.g. another database's snapshot), `actual` a saved snapshot of the
/// database (`snapshot()` serialized as JSON and read back). The same plan as a live
/// compare of the same declaration against that database, except that a live compare may
/// additionally ask the database to spell declared expressions its own way.
///
/// [`desired_schema`]: https://docs.rs/dbconform/latest/dbconform/fn.desired_schema.html
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::SQLITE;
/// use dbconform::{Column, ColumnType, Options, Schema, TableDef, diff_snapshots};
///
/// let users = TableDef {
///     name: "users".into(),
///     columns: vec![Column::new("id", ColumnType::Integer)],
///     ..TableDef::default()
/// };
/// let desired = Schema::new(vec![users]);
/// let saved = serde_json::to_string(&Schema::default()).unwrap();
/// let actual: Schema = serde_json::from_str(&saved).unwrap();
/// let plan = diff_snapshots(&desired, &actual, &SQLITE, &Options::default()).unwrap();
/// assert_eq!(plan.steps()[0].describe(), "create table main.users");
/// ```
pub fn diff_snapshots(
    desired: &Schema,
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    build_plan(&desired.tables, actual, dialect, options)
}

/// [`diff_snapshots`] for a `desired` schema read from a database (another database's
/// snapshot, or this one's own): its tables are not validated as declarations are. A
/// database holds what its engine accepted — unnamed constraints, a SQLite rowid alias or
/// text key reported NULL-able, expression index keys — so a schema it reports is always
/// accepted as the side to reach, and `desired == actual` gives an empty plan. A table the
/// plan has to create is still checked when its SQL is written.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::SQLITE;
/// use dbconform::{Column, ColumnType, Options, PrimaryKey, Schema, TableDef, diff_reflected};
///
/// // `CREATE TABLE t (id INTEGER PRIMARY KEY)` as SQLite reports it: a NULL-able key.
/// let t = TableDef {
///     schema: Some("main".into()),
///     name: "t".into(),
///     columns: vec![Column { nullable: true, ..Column::new("id", ColumnType::Integer) }],
///     primary_key: Some(PrimaryKey { name: None, columns: vec!["id".into()] }),
///     ..TableDef::default()
/// };
/// let inspected = Schema::new(vec![t]);
/// let plan = diff_reflected(&inspected, &inspected, &SQLITE, &Options::default()).unwrap();
/// assert!(plan.is_empty());
/// ```
pub fn diff_reflected(
    desired: &Schema,
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
    let tables = &desired.tables;
    let checked = CheckedDeclaration::check_with_rules(tables, dialect, options, true, false)?;
    let declaration = Declaration::from_checked(tables, checked, dialect, options);
    let draft = draft_plan_declared(&declaration, actual, dialect, options)?;
    finish_plan(draft, tables, actual, &[], dialect, options)
}

/// Copies of the declared tables with their schema and their foreign keys' target schemas
/// resolved, constraints in their deterministic order, sorted by qualified name.
fn resolve(desired: &[TableDef], names: Names<'_>) -> Vec<TableDef> {
    resolved_order(desired, names)
        .into_iter()
        .map(|i| resolve_table(&desired[i], names))
        .collect()
}

/// The indexes of `desired` in the order of their resolved qualified names (stable: equal
/// names keep their declaration order), without resolving (copying) the tables.
fn resolved_order(desired: &[TableDef], names: Names<'_>) -> Vec<usize> {
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
fn check_references(
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
fn index_names_are_distinct(
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

/// A change in its place in the plan. `cycle_key` marks the foreign keys of new tables
/// that wait until the tables of a cycle exist (these carry SQL).
#[derive(Debug)]
struct Planned {
    change: Change,
    cycle_key: bool,
}

impl From<Change> for Planned {
    fn from(change: Change) -> Self {
        Planned {
            change,
            cycle_key: false,
        }
    }
}

/// Puts the allowed changes in plan order (see [`build_plan`]).
fn order(
    renames: Vec<Change>,
    changes: Vec<Change>,
    actual: &Schema,
    names: Names<'_>,
) -> Vec<Planned> {
    let mut creates = Vec::new();
    let mut drops = Vec::new();
    let mut fk_drops = Vec::new();
    let mut fk_adds = Vec::new();
    let mut in_tables = Vec::new();
    for change in changes {
        match change {
            Change::CreateTable { table } => creates.push(table),
            Change::DropTable { table } => drops.push(table),
            change @ Change::DropForeignKey { .. } => fk_drops.push(change),
            change @ (Change::AddForeignKey { .. } | Change::AlterForeignKey { .. }) => {
                fk_adds.push(change)
            }
            change => in_tables.push(change),
        }
    }
    for group in [&mut fk_drops, &mut in_tables, &mut fk_adds] {
        diff::sort_changes(group, names);
    }
    let schemas = missing_schemas(&creates, actual, names);
    let (created, cycle_keys) = create_order(creates, names);
    schemas
        .into_iter()
        .chain(renames)
        .chain(fk_drops)
        .chain(drop_order(drops, names))
        .chain(in_tables)
        .chain(created)
        .map(Planned::from)
        .chain(cycle_keys.into_iter().map(|change| Planned {
            change,
            cycle_key: true,
        }))
        .chain(fk_adds.into_iter().map(Planned::from))
        .collect()
}

/// A [`Change::CreateSchema`] for each missing schema a new table needs, by name.
fn missing_schemas(creates: &[TableDef], actual: &Schema, names: Names<'_>) -> Vec<Change> {
    let dialect = names.dialect;
    let existing: BTreeSet<String> = actual
        .schemas
        .iter()
        .map(|s| names.ident(s))
        .chain(actual.tables.iter().map(|t| names.table_key(t).0))
        .collect();
    let mut schemas: BTreeMap<String, String> = BTreeMap::new();
    for table in creates {
        let schema = names.schema(table.schema.as_deref());
        let key = names.ident(&schema);
        if !existing.contains(&key) && dialect.create_schema_sql(&schema).is_some() {
            schemas.entry(key).or_insert(schema);
        }
    }
    schemas
        .into_values()
        .map(|schema| Change::CreateSchema { schema })
        .collect()
}

/// Tables with every referenced table before the tables referencing it (ties by
/// qualified name), then, where the backend cannot create a table that references one not
/// created yet, an [`Change::AddForeignKey`] for each foreign key closing a cycle.
fn create_order(mut tables: Vec<TableDef>, names: Names<'_>) -> (Vec<Change>, Vec<Change>) {
    tables.sort_by(TableDef::cmp_qualified_name);
    let keys: Vec<Key> = tables.iter().map(|t| names.table_key(t)).collect();
    let index_of: BTreeMap<&Key, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let dependencies: Vec<BTreeSet<usize>> = tables
        .iter()
        .enumerate()
        .map(|(i, table)| {
            table
                .foreign_keys
                .iter()
                .filter_map(|fk| index_of.get(&names.key(&fk.references)).copied())
                .filter(|&j| j != i)
                .collect()
        })
        .collect();
    let sequence = dependency_order(&dependencies);

    let mut position = vec![0; tables.len()];
    for (pos, &i) in sequence.iter().enumerate() {
        position[i] = pos;
    }
    let mut deferred = Vec::new();
    if !names.dialect.accepts_forward_references() {
        for &i in &sequence {
            for fk in &tables[i].foreign_keys {
                if let Some(&j) = index_of.get(&names.key(&fk.references))
                    && position[j] > position[i]
                {
                    deferred.push(Change::AddForeignKey {
                        table: tables[i].qualified_name(),
                        foreign_key: fk.clone(),
                    });
                }
            }
        }
    }
    let mut slots: Vec<Option<TableDef>> = tables.into_iter().map(Some).collect();
    let created = sequence
        .iter()
        .filter_map(|&i| slots[i].take())
        .map(|table| Change::CreateTable { table })
        .collect();
    (created, deferred)
}

/// Undeclared tables in drop order: a table after every table referencing it (ties by
/// qualified name).
fn drop_order(mut tables: Vec<TableDef>, names: Names<'_>) -> Vec<Change> {
    tables.sort_by(TableDef::cmp_qualified_name);
    let keys: Vec<Key> = tables.iter().map(|t| names.table_key(t)).collect();
    let index_of: BTreeMap<&Key, usize> = keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut referenced_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); tables.len()];
    for (i, table) in tables.iter().enumerate() {
        for fk in &table.foreign_keys {
            if let Some(&j) = index_of.get(&names.key(&fk.references))
                && j != i
            {
                referenced_by[j].insert(i);
            }
        }
    }
    let sequence = dependency_order(&referenced_by);
    let mut slots: Vec<Option<TableDef>> = tables.into_iter().map(Some).collect();
    sequence
        .iter()
        .filter_map(|&i| slots[i].take())
        .map(|table| Change::DropTable { table })
        .collect()
}

/// Each change as a step: risk, stable code, reason, suggestion and, for creates, SQL.
fn steps(
    planned: Vec<Planned>,
    desired: &[TableDef],
    actual: &Schema,
    dialect: &dyn Dialect,
) -> Result<Vec<Step>> {
    let find = |tables: &'_ [TableDef], name: &Option<QualifiedName>| -> Option<usize> {
        let name = name.as_ref()?;
        let key = |q: &QualifiedName| {
            (
                q.schema.as_deref().map(|s| dialect.identifier_key(s)),
                dialect.identifier_key(&q.name),
            )
        };
        tables
            .iter()
            .position(|t| key(&t.qualified_name()) == key(name))
    };
    let mut deferred: BTreeMap<QualifiedName, Vec<String>> = BTreeMap::new();
    for planned in &planned {
        if let (Change::AddForeignKey { table, foreign_key }, true) =
            (&planned.change, planned.cycle_key)
        {
            deferred
                .entry(table.clone())
                .or_default()
                .push(foreign_key.name.clone());
        }
    }
    planned
        .into_iter()
        .map(|Planned { change, cycle_key }| {
            let mut risk = Risk::Safe;
            let mut code = change.kind().code();
            let mut suggestion = None;
            let mut rebuild = None;
            let (reason, sql) = match &change {
                Change::CreateSchema { schema } => (
                    describe::reason(&change, dialect),
                    dialect.create_schema_sql(schema).into_iter().collect(),
                ),
                Change::CreateTable { table } => {
                    let name = table.qualified_name();
                    let later = deferred.get(&name).map(Vec::as_slice).unwrap_or_default();
                    (
                        describe::reason(&change, dialect),
                        dialect.create_table_sql(table, later)?,
                    )
                }
                Change::AddForeignKey { table, foreign_key } if cycle_key => {
                    let name = &foreign_key.name;
                    let def = desired.iter().find(|t| &t.qualified_name() == table).ok_or_else(|| {
                        Error::internal(format!(
                            "foreign key `{name}` of `{table}` belongs to no declared table"
                        ))
                    })?;
                    let target = foreign_key.references.to_string();
                    let sql = dialect.add_foreign_key_sql(def, name)?.ok_or_else(|| {
                        Error::internal(format!(
                            "{} cannot add foreign key `{name}` to `{table}` after CREATE TABLE",
                            dialect.name()
                        ))
                    })?;
                    (
                        format!(
                            "foreign key `{name}` references `{target}`, which is created after `{table}` because the tables reference each other in a cycle; it is added once both exist"
                        ),
                        vec![sql],
                    )
                }
                // Changes to existing tables: SQL comes with the ALTER renderer; a step
                // without SQL is reported, never executed.
                other => {
                    suggestion = describe::suggestion(other);
                    let table = other.table();
                    let context = ChangeContext {
                        desired: find(desired, &table).map(|i| &desired[i]),
                        actual: find(&actual.tables, &table).map(|i| &actual.tables[i]),
                    };
                    let sql = match dialect.change_sql(other, &context)? {
                        ChangeSql::Statements(sql) => sql,
                        ChangeSql::NeedsRebuild(why) => {
                            rebuild = Some(why);
                            Vec::new()
                        }
                    };
                    let assessment = risk::assess(other, dialect, rebuild.is_some());
                    risk = assessment.risk;
                    code = assessment.code;
                    let mut reason = describe::reason(other, dialect);
                    if let Some(note) = assessment.note {
                        reason = format!("{reason}; {note}");
                    }
                    (reason, sql)
                }
            };
            let kind = change.kind();
            Ok(Step {
                kind,
                table: change.table(),
                risk,
                code: code.to_string(),
                reason,
                suggestion,
                sql,
                rebuild,
                change,
                parts: Vec::new(),
            })
        })
        .collect()
}

/// An order of the nodes `0..dependencies.len()` in which every node comes after the
/// nodes it depends on (`dependencies[i]` holds what `i` depends on), wherever cycles allow.
///
/// Groups of nodes that depend on each other (strongly connected components) are placed
/// as wholes, dependencies first, ties going to the group holding the smallest node.
/// Inside a group, a node comes as soon as its dependencies in the group are placed; when
/// none can, the smallest remaining node is placed first, and its dependencies on nodes
/// placed later are the ones that close the cycle.
pub(crate) fn dependency_order(dependencies: &[BTreeSet<usize>]) -> Vec<usize> {
    let mut dependents = vec![Vec::new(); dependencies.len()];
    for (node, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            dependents[dep].push(node);
        }
    }
    let graph = Graph {
        dependencies,
        dependents,
        component: components(dependencies),
    };
    let component = &graph.component;
    let count = component.iter().max().map_or(0, |&c| c + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (node, &c) in component.iter().enumerate() {
        members[c].push(node);
    }
    // What each component waits for, and who waits for it.
    let mut waiting_on: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    let mut waited_by: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    for (node, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            let (c, d) = (component[node], component[dep]);
            if c != d {
                waiting_on[c].insert(d);
                waited_by[d].insert(c);
            }
        }
    }
    let mut ready: BTreeSet<(usize, usize)> = (0..count)
        .filter(|&c| waiting_on[c].is_empty())
        .map(|c| (members[c][0], c))
        .collect();
    let mut placed = vec![false; dependencies.len()];
    let mut order = Vec::with_capacity(dependencies.len());
    while let Some((_, c)) = ready.pop_first() {
        place_component(c, &members[c], &graph, &mut placed, &mut order);
        for &w in &waited_by[c] {
            waiting_on[w].remove(&c);
            if waiting_on[w].is_empty() {
                ready.insert((members[w][0], w));
            }
        }
    }
    order
}

/// Places the members of component `c`: each as soon as its dependencies inside the
/// component are placed, the smallest remaining one when a cycle leaves no other choice.
fn place_component(
    c: usize,
    members: &[usize],
    graph: &Graph<'_>,
    placed: &mut [bool],
    order: &mut Vec<usize>,
) {
    let inside = |n: usize| graph.component[n] == c;
    let mut waiting: BTreeMap<usize, usize> = members
        .iter()
        .map(|&n| {
            (
                n,
                graph.dependencies[n]
                    .iter()
                    .filter(|&&d| inside(d) && !placed[d])
                    .count(),
            )
        })
        .collect();
    let mut ready: BTreeSet<usize> = waiting
        .iter()
        .filter(|&(_, &count)| count == 0)
        .map(|(&n, _)| n)
        .collect();
    let mut remaining: BTreeSet<usize> = members.iter().copied().collect();
    while let Some(&smallest) = remaining.first() {
        let node = ready.pop_first().unwrap_or(smallest);
        remaining.remove(&node);
        placed[node] = true;
        order.push(node);
        for &w in &graph.dependents[node] {
            if inside(w)
                && !placed[w]
                && let Some(count) = waiting.get_mut(&w)
            {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    ready.insert(w);
                }
            }
        }
    }
}

/// The dependency graph with what `dependency_order` derives from it.
struct Graph<'a> {
    /// What each node depends on.
    dependencies: &'a [BTreeSet<usize>],
    /// What depends on each node.
    dependents: Vec<Vec<usize>>,
    /// The strongly connected component of each node.
    component: Vec<usize>,
}

/// The strongly connected component of every node (Tarjan's algorithm, iterative so a
/// long chain of tables cannot overflow the stack). Numbers are dense, from 0.
fn components(dependencies: &[BTreeSet<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = dependencies.len();
    let edges: Vec<Vec<usize>> = dependencies
        .iter()
        .map(|d| d.iter().copied().collect())
        .collect();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![UNSEEN; n];
    let (mut next_index, mut next_component) = (0, 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, edge)) = calls.last() {
            if let Some(&w) = edges[v].get(edge) {
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod alter_tests;
#[cfg(test)]
mod tests;
