//! Desired schema + actual schema → ordered, classified [`Plan`].
//!
//! The stages are small functions over plain data:
//!
//! 1. `resolve`: give every declared table (and every foreign-key target) its schema;
//! 2. `check`: validate every table, refuse duplicates and unknown references;
//! 3. [`crate::diff`]: the [`Change`](crate::plan::Change)s that make the database conform — missing
//!    tables, and for tables that exist, every column, key, constraint, index and comment
//!    that differs;
//! 4. `policy`: drops the [`Options`] refuse become [`Drift`](crate::plan::Drift), not
//!    steps;
//! 5. `order`: see [`build_plan`];
//! 6. `steps`: each change with its risk and code ([`crate::risk`]), reason, suggestion
//!    and SQL;
//! 7. `policy` again: steps that can lose column values or need a SQLite rebuild the
//!    options refuse, and the steps needing them, are blocked.

mod declaration;
pub(crate) mod describe;
mod key_types;
mod order;
pub(crate) mod policy;
mod steps;

pub use declaration::{CheckedDeclaration, Declaration};
use declaration::{check_references, resolve};
use order::order;
use steps::steps;

use crate::dependents::{self, DependentObject};
use crate::dialect::Dialect;
use crate::diff::{self, Names};
use crate::error::{Error, Result};
use crate::model::{Schema, TableDef};
use crate::options::Options;
use crate::plan::Plan;

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
    Planner::new(dialect, options).plan(desired, actual)
}

/// Plans for one dialect under one set of options: every stage of planning, for the
/// callers that run them apart (the runtime checks the declaration while the catalog
/// query runs, refines the draft with data checks and reads dependents before finishing)
/// and [`plan`](Planner::plan) for those that do not. Each stage refuses, with an error,
/// what another planner prepared: a declaration resolved against another dialect or
/// target schema would be planned wrongly.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::SQLITE;
/// use dbconform::planner::Planner;
/// use dbconform::{Column, ColumnType, Options, Schema, TableDef};
///
/// let users = TableDef {
///     name: "users".into(),
///     columns: vec![Column::new("id", ColumnType::Integer)],
///     ..TableDef::default()
/// };
/// let options = Options::default();
/// let planner = Planner::new(&SQLITE, &options);
/// let declaration = planner.declare(std::slice::from_ref(&users)).unwrap();
/// let draft = planner.draft(&declaration, &Schema::default()).unwrap();
/// let plan = planner.finish(draft, &[users], &Schema::default(), &[]).unwrap();
/// assert_eq!(plan.steps()[0].describe(), "create table main.users");
/// ```
#[derive(Clone, Copy)]
pub struct Planner<'a> {
    dialect: &'a dyn Dialect,
    options: &'a Options,
}

impl std::fmt::Debug for Planner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planner")
            .field("dialect", &self.dialect.name())
            .field("target_schema", &self.options.target_schema)
            .finish_non_exhaustive()
    }
}

impl<'a> Planner<'a> {
    /// A planner for `dialect` under `options`.
    pub fn new(dialect: &'a dyn Dialect, options: &'a Options) -> Self {
        Planner { dialect, options }
    }

    /// The whole plan from the declaration and the database's schema, offline (no data
    /// checks, no views or triggers to keep): see [`build_plan`].
    pub fn plan(&self, desired: &[TableDef], actual: &Schema) -> Result<Plan> {
        let draft = self.draft(&self.declare(desired)?, actual)?;
        self.finish(draft, desired, actual, &[])
    }

    /// [`plan`](Self::plan) for a `desired` schema read from a database: see
    /// [`diff_reflected`].
    pub fn plan_reflected(&self, desired: &Schema, actual: &Schema) -> Result<Plan> {
        let tables = &desired.tables;
        let checked =
            CheckedDeclaration::check_with_rules(tables, self.dialect, self.options, true, false)?;
        let declaration = self.declare_checked(tables, checked)?;
        let draft = self.draft(&declaration, actual)?;
        self.finish(draft, tables, actual, &[])
    }

    /// Checks the declaration on its own, on the calling thread only (see
    /// [`CheckedDeclaration`]): meant to run while the database works on the catalog
    /// query. Errors: a table declared twice, a table the backend cannot create
    /// ([`Error::InvalidTable`]).
    pub fn check(&self, desired: &[TableDef]) -> Result<CheckedDeclaration> {
        CheckedDeclaration::check_with(desired, self.dialect, self.options, false)
    }

    /// The declaration made ready for planning (see [`Declaration`]), checked on every
    /// core.
    pub fn declare(&self, desired: &[TableDef]) -> Result<Declaration> {
        let checked = CheckedDeclaration::check_with(desired, self.dialect, self.options, true)?;
        self.declare_checked(desired, checked)
    }

    /// The declaration of `desired`, which [`check`](Self::check) checked: its tables
    /// resolved (copied) and sorted. Refuses a check made by another planner or of
    /// another slice.
    pub fn declare_checked(
        &self,
        desired: &[TableDef],
        checked: CheckedDeclaration,
    ) -> Result<Declaration> {
        if checked.dialect != self.dialect.name()
            || checked.target_schema != self.options.target_schema
            || checked.order.len() != desired.len()
        {
            return Err(mismatch(format!(
                "a declaration of {} tables checked for {} / {} was given with {} tables to a planner for {} / {}",
                checked.order.len(),
                checked.dialect,
                checked.target_schema,
                desired.len(),
                self.dialect.name(),
                self.options.target_schema
            )));
        }
        Ok(Declaration::from_checked(
            desired,
            checked,
            self.dialect,
            self.options,
        ))
    }

    /// The plan before its last stage: one step per change, and steps only a table
    /// rebuild can perform still without SQL. The runtime refines it with the data
    /// checks ([`crate::data::refine`]) and then [`finish`](Self::finish)es it.
    pub fn draft(&self, declaration: &Declaration, actual: &Schema) -> Result<Plan> {
        if declaration.dialect != self.dialect.name()
            || declaration.target_schema != self.options.target_schema
        {
            return Err(mismatch(format!(
                "a declaration prepared for {} / {} was given to a planner for {} / {}",
                declaration.dialect,
                declaration.target_schema,
                self.dialect.name(),
                self.options.target_schema
            )));
        }
        draft_plan_declared(declaration, actual, self.dialect, self.options)
    }

    /// The last stage of planning. First the views, rules and triggers that use the tables
    /// (`dependents`, as the runtime read them; empty offline) keep working: a drop one of
    /// them needs is blocked ([`dependents::block_drops`]). Then, on SQLite, the steps of
    /// each table that needs a rebuild become one `rebuild table` step with its statements
    /// ([`Dialect::assemble_rebuilds`]), made from the declaration (`desired`, as given to
    /// [`Planner::draft`]) and the database's table (`actual`) minus what the draft blocked, and
    /// wrapped in the drops and re-creations of the objects that mention the table. Last, a
    /// type change on a column an object uses is wrapped the same way
    /// ([`dependents::wrap_type_changes`]), and the plan keeps the objects so that the
    /// runtime can check them after executing it.
    pub fn finish(
        &self,
        draft: Plan,
        desired: &[TableDef],
        actual: &Schema,
        dependents: &[DependentObject],
    ) -> Result<Plan> {
        finish_plan(
            draft,
            desired,
            actual,
            dependents,
            self.dialect,
            self.options,
        )
    }
}

/// A stage of planning given what another planner prepared: a bug in the caller.
fn mismatch(message: String) -> Error {
    Error::internal(format!(
        "{message}; this is a bug in dbconform, please report it"
    ))
}

/// [`Planner::draft`] of a [`Declaration`] prepared for the same dialect and target
/// schema (the planner checks that).
fn draft_plan_declared(
    declaration: &Declaration,
    actual: &Schema,
    dialect: &dyn Dialect,
    options: &Options,
) -> Result<Plan> {
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
    let enums = diff::enums::diff_enums(desired, &actual, names, options)?;
    let changes =
        diff::diff_resolved_normalized(desired, declaration.normalized.as_deref(), &actual, names);
    let hints = diff::renames::suggestions(&changes, desired, &actual, names);
    let (changes, mut drift) = policy::apply(changes, desired, options, names);
    drift.extend(enums.drift);
    let (changes, unlocked) = key_types::unlock(changes, desired, &actual, dialect, names);
    let planned = order(renames, changes, &actual, names);
    // Enum types after the missing schemas and before everything using them; their drops
    // after everything that stopped using them.
    let schemas = planned
        .iter()
        .take_while(|p| matches!(p.change, crate::plan::Change::CreateSchema { .. }))
        .count();
    let mut planned = planned;
    // A type's schema the plan does not create yet and the database does not have.
    let mut missing: Vec<crate::plan::Change> = Vec::new();
    for change in &enums.before {
        let crate::plan::Change::CreateEnum { enum_type } = change else {
            continue;
        };
        let schema = names.schema(enum_type.schema.as_deref());
        let key = names.ident(&schema);
        let exists = actual.schemas.iter().any(|s| names.ident(s) == key)
            || actual.tables.iter().any(|t| names.table_key(t).0 == key)
            || planned[..schemas]
                .iter()
                .map(|p| &p.change)
                .chain(&missing)
                .any(|c| matches!(c, crate::plan::Change::CreateSchema { schema } if names.ident(schema) == key));
        if !exists && dialect.create_schema_sql(&schema).is_some() {
            missing.push(crate::plan::Change::CreateSchema { schema });
        }
    }
    let mut schemas = schemas;
    for change in missing {
        planned.insert(schemas, change.into());
        schemas += 1;
    }
    planned.splice(schemas..schemas, enums.before.into_iter().map(Into::into));
    planned.extend(enums.after.into_iter().map(Into::into));
    let mut steps = steps(planned, desired, &actual, dialect)?;
    key_types::explain(&mut steps, &unlocked, names);
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

/// [`Planner::finish`].
fn finish_plan(
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
        let assembled = dialect.assemble_rebuilds(draft, &desired, &actual, dependents)?;
        order::place_rebuilds(assembled, &desired, dialect)
    } else {
        draft
    };
    let plan = dependents::wrap_type_changes(plan, dependents, dialect);
    let plan = plan.with_dependents(dependents.to_vec());
    if options.online {
        // Last: the phases arrange the steps' final statements.
        let plan = policy::block_online_rewrites(plan, dialect, options);
        crate::online::arrange(dialect, plan)
    } else {
        Ok(plan)
    }
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
    Planner::new(dialect, options).plan(&desired.tables, actual)
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
    Planner::new(dialect, options).plan_reflected(desired, actual)
}

#[cfg(test)]
mod alter_tests;
#[cfg(test)]
mod tests;
