//! Views, materialized views, rules and triggers: objects dbconform does not declare but
//! must keep working when it changes the tables they use.
//!
//! The runtime reads them (one query, only when a plan changes or drops existing columns
//! or tables, see [`may_affect`]) into [`DependentObject`]s, each with the statements that
//! drop and recreate it exactly and a statement that fails when it no longer works. Then,
//! as plain functions over the plan:
//!
//! - [`block_drops`]: a column or table drop that a dependent object uses is blocked, with
//!   a problem naming the object and what to do (the object could not be recreated
//!   without what the step drops, and dbconform never drops a view it cannot put back);
//! - [`wrap_type_changes`]: a column type change (PostgreSQL refuses `ALTER COLUMN ...
//!   TYPE` on a column a view or rule uses) drops the objects that use the column, and
//!   the objects that use those, before the change and recreates them after it, inside
//!   the same transaction;
//! - SQLite table rebuilds wrap themselves the same way (see
//!   `dialect::sqlite::rebuild`).
//!
//! The plan keeps the objects ([`Plan::dependents`]) so that the runtime can check after
//! executing it, before the commit, that every one of them still works.

use crate::dialect::Dialect;
use crate::model::QualifiedName;
use crate::plan::{BlockedStep, Change, ChangeKind, Plan, Risk, Step};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of object a [`DependentObject`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DependentKind {
    /// A view.
    View,
    /// A materialized view (PostgreSQL).
    MaterializedView,
    /// A rule on a table or view (PostgreSQL `CREATE RULE`).
    Rule,
    /// A trigger.
    Trigger,
}

impl fmt::Display for DependentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DependentKind::View => "view",
            DependentKind::MaterializedView => "materialized view",
            DependentKind::Rule => "rule",
            DependentKind::Trigger => "trigger",
        })
    }
}

/// A table (or view) an object reads, or one of its columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DependentUse {
    /// The table or view, schema resolved.
    pub table: QualifiedName,
    /// The column, when the object uses a column (a use of the whole table otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// A view, materialized view, rule or trigger as the database has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependentObject {
    /// What it is.
    pub kind: DependentKind,
    /// Its name; for a rule or trigger, with the schema of the table it is on.
    pub name: QualifiedName,
    /// The table (or view) a rule or trigger is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<QualifiedName>,
    /// What it reads: tables, views and their columns (views first resolved by the
    /// database where it records dependencies, from the SQL text otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<DependentUse>,
    /// The statements that recreate it as it is: definition, options, comments, grants,
    /// owner, indexes of a materialized view.
    pub create: Vec<String>,
    /// The statement that drops it (never with CASCADE).
    pub drop: String,
    /// An SQL expression giving, when evaluated, the statement that recreates the
    /// object's definition as the catalog has it at that moment (it then replaces
    /// `create[0]`): an earlier step of the same plan may have renamed a column the object
    /// uses, which the database rewrote in its definition but not in the text read when
    /// the plan was made. `None` where the text read then is used as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_definition: Option<String>,
    /// A statement that fails when the object no longer works (`SELECT * FROM v LIMIT 0`,
    /// or compiling the statement that fires a trigger); run after an apply, before the
    /// commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
}

impl DependentObject {
    /// `kind name` for messages: ``view `public.v` ``.
    pub fn label(&self) -> String {
        format!("{} `{}`", self.kind, self.name)
    }

    /// `true` when the object uses `column` of `table` (or the whole table, with `None`).
    pub fn uses(&self, table: &QualifiedName, column: Option<&str>, dialect: &dyn Dialect) -> bool {
        self.uses.iter().any(|u| {
            same_table(&u.table, table, dialect)
                && match (column, &u.column) {
                    (None, _) => true,
                    (Some(wanted), Some(used)) => dialect.same_identifier(wanted, used),
                    (Some(_), None) => false,
                }
        })
    }

    /// `true` when this object is a relation (view or materialized view) other objects
    /// may read.
    fn is_relation(&self) -> bool {
        matches!(
            self.kind,
            DependentKind::View | DependentKind::MaterializedView
        )
    }

    /// `true` when the object goes away with `table` itself (a rule or trigger on it).
    fn is_on(&self, table: &QualifiedName, dialect: &dyn Dialect) -> bool {
        self.on
            .as_ref()
            .is_some_and(|on| same_table(on, table, dialect))
    }
}

/// `true` when `a` and `b` name the same table; a missing schema matches any.
pub fn same_table(a: &QualifiedName, b: &QualifiedName, dialect: &dyn Dialect) -> bool {
    dialect.same_identifier(&a.name, &b.name)
        && match (&a.schema, &b.schema) {
            (Some(x), Some(y)) => dialect.same_identifier(x, y),
            _ => true,
        }
}

/// `true` when the plan changes or drops something existing that a view, rule or trigger
/// could use: only then does the runtime read them.
pub fn may_affect(plan: &Plan) -> bool {
    plan.steps()
        .iter()
        .chain(plan.blocked().iter().map(|b| &b.step))
        .any(|s| {
            s.rebuild.is_some()
                || matches!(
                    s.kind,
                    ChangeKind::AlterColumn
                        | ChangeKind::DropColumn
                        | ChangeKind::DropTable
                        | ChangeKind::RenameColumn
                        | ChangeKind::RenameTable
                        | ChangeKind::RebuildTable
                        | ChangeKind::RecreateEnum
                )
        })
}

/// The objects that must be dropped to change `seeds` and everything reading them,
/// in drop order (readers before what they read). `seeds` are indexes into `objects`.
pub fn closure(objects: &[DependentObject], seeds: &[usize], dialect: &dyn Dialect) -> Vec<usize> {
    // Depth-first: an object is listed after every object reading it.
    fn visit(
        i: usize,
        objects: &[DependentObject],
        dialect: &dyn Dialect,
        state: &mut Vec<u8>,
        out: &mut Vec<usize>,
    ) {
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        if objects[i].is_relation() {
            let name = &objects[i].name;
            for (j, reader) in objects.iter().enumerate() {
                if j != i && (reader.uses(name, None, dialect) || reader.is_on(name, dialect)) {
                    visit(j, objects, dialect, state, out);
                }
            }
        }
        state[i] = 2;
        out.push(i);
    }
    let mut state = vec![0u8; objects.len()];
    let mut post = Vec::new();
    for &seed in seeds {
        visit(seed, objects, dialect, &mut state, &mut post);
    }
    // `post` lists readers first (they finished first): that is the drop order.
    post
}

/// The renames a plan makes, to find the names the objects (read before the plan) use for
/// a table or column that a step names as declared.
struct Renamed {
    /// (declared name, name in the database) of each renamed table.
    tables: Vec<(QualifiedName, QualifiedName)>,
    /// (table as declared, declared name, name in the database) of each renamed column.
    columns: Vec<(QualifiedName, String, String)>,
}

impl Renamed {
    fn of(steps: &[Step]) -> Self {
        let mut renamed = Renamed {
            tables: Vec::new(),
            columns: Vec::new(),
        };
        for step in steps {
            match &step.change {
                Change::RenameTable { from, to } => renamed.tables.push((to.clone(), from.clone())),
                Change::RenameColumn { table, from, to } => {
                    renamed
                        .columns
                        .push((table.clone(), to.clone(), from.clone()))
                }
                _ => {}
            }
        }
        renamed
    }

    /// `table` and `column`, named as declared, by the names they had when the objects
    /// were read.
    fn as_read<'a>(
        &'a self,
        table: &'a QualifiedName,
        column: &'a str,
        dialect: &dyn Dialect,
    ) -> (&'a QualifiedName, &'a str) {
        let column = self
            .columns
            .iter()
            .find(|(t, to, _)| same_table(t, table, dialect) && dialect.same_identifier(to, column))
            .map_or(column, |(_, _, from)| from.as_str());
        let table = self
            .tables
            .iter()
            .find(|(to, _)| same_table(to, table, dialect))
            .map_or(table, |(_, from)| from);
        (table, column)
    }
}

/// Blocks every column or table drop that a dependent object uses (see the module docs).
/// A table's own rules and triggers go with it and do not block its drop.
pub fn block_drops(plan: Plan, objects: &[DependentObject], dialect: &dyn Dialect) -> Plan {
    if objects.is_empty() {
        return plan;
    }
    let (name, steps, mut blocked, drift) = plan.into_parts();
    let renamed = Renamed::of(&steps);
    let mut kept = Vec::with_capacity(steps.len());
    for step in steps {
        let users: Vec<&DependentObject> = match &step.change {
            Change::DropColumn { table, column } => {
                let (table, column) = renamed.as_read(table, &column.name, dialect);
                objects
                    .iter()
                    .filter(|o| o.uses(table, Some(column), dialect))
                    .collect()
            }
            Change::DropTable { table } => {
                let q = table.qualified_name();
                objects
                    .iter()
                    .filter(|o| o.uses(&q, None, dialect) && !o.is_on(&q, dialect))
                    .collect()
            }
            _ => Vec::new(),
        };
        if users.is_empty() {
            kept.push(step);
            continue;
        }
        let labels: Vec<String> = users.iter().map(|o| o.label()).collect();
        let what = match &step.change {
            Change::DropColumn { column, .. } => format!("column `{}`", column.name),
            _ => "the table".to_string(),
        };
        blocked.push(BlockedStep {
            problem: Some(format!(
                "will fail: {} {} {what}, and could not be recreated without it",
                labels.join(", "),
                if users.len() == 1 { "uses" } else { "use" },
            )),
            unlocked_by: String::new(),
            depends_on: None,
            step: Step {
                suggestion: Some(format!(
                    "change or drop {} first, then run again",
                    labels.join(", ")
                )),
                ..step
            },
        });
    }
    let (steps, blocked) = crate::planner::policy::block_dependents(kept, blocked, dialect);
    Plan::new(name, steps, blocked, drift)
}

/// Wraps every column type change whose column a dependent object uses in the drops and
/// re-creations of the objects that need it (see the module docs). The step becomes at
/// least [`Risk::Caution`]: the objects are briefly gone inside the transaction and their
/// tables locked.
pub fn wrap_type_changes(plan: Plan, objects: &[DependentObject], dialect: &dyn Dialect) -> Plan {
    if objects.is_empty() || dialect.dependents_survive_type_changes() {
        return plan;
    }
    let (name, steps, blocked, drift) = plan.into_parts();
    let renamed = Renamed::of(&steps);
    let steps = steps
        .into_iter()
        .map(|mut step| {
            // The columns whose type the step changes: one, or every column of an enum
            // type made again.
            let columns: Vec<(&QualifiedName, &str)> = match &step.change {
                Change::AlterColumn {
                    table,
                    from,
                    changes,
                    ..
                } if changes.ty => vec![renamed.as_read(table, &from.name, dialect)],
                Change::RecreateEnum { columns, .. } => columns
                    .iter()
                    .map(|(table, column)| renamed.as_read(table, &column.name, dialect))
                    .collect(),
                _ => return step,
            };
            if step.sql.is_empty() {
                return step;
            }
            let seeds: Vec<usize> = objects
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    columns
                        .iter()
                        .any(|(table, column)| o.uses(table, Some(column), dialect))
                })
                .map(|(i, _)| i)
                .collect();
            if seeds.is_empty() {
                return step;
            }
            let order = closure(objects, &seeds, dialect);
            let labels: Vec<String> = order.iter().rev().map(|&i| objects[i].label()).collect();
            let wrapped: Vec<&DependentObject> = order.iter().map(|&i| &objects[i]).collect();
            step.sql = dialect.wrap_with_dependents(std::mem::take(&mut step.sql), &wrapped);
            step.risk = step.risk.max(Risk::Caution);
            step.reason = format!(
                "{}; {} {} the {}: dropped before the change and recreated after it, as {}, in the same transaction",
                step.reason,
                labels.join(", "),
                if labels.len() == 1 { "uses" } else { "use" },
                if columns.len() == 1 { "column" } else { "columns" },
                if labels.len() == 1 { "it was" } else { "they were" },
            );
            step
        })
        .collect();
    Plan::new(name, steps, blocked, drift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::POSTGRES;

    fn view(name: &str, uses: &[(&str, Option<&str>)]) -> DependentObject {
        DependentObject {
            kind: DependentKind::View,
            name: QualifiedName::with_schema("public", name),
            on: None,
            uses: uses
                .iter()
                .map(|(t, c)| DependentUse {
                    table: QualifiedName::with_schema("public", *t),
                    column: c.map(str::to_string),
                })
                .collect(),
            create: vec![format!("CREATE VIEW {name}")],
            drop: format!("DROP VIEW {name}"),
            live_definition: None,
            verify: None,
        }
    }

    #[test]
    fn readers_are_dropped_before_what_they_read() {
        let objects = vec![
            view("vv", &[("v", None), ("v", Some("a"))]),
            view("v", &[("t", None), ("t", Some("a"))]),
            view("other", &[("u", None)]),
            view("vvv", &[("vv", None)]),
        ];
        let order = closure(&objects, &[1], &POSTGRES);
        let names: Vec<&str> = order
            .iter()
            .map(|&i| objects[i].name.name.as_str())
            .collect();
        assert_eq!(names, ["vvv", "vv", "v"]);
    }
}
