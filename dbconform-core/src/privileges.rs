//! Privileges known at plan time, as plain data.
//!
//! A role that may not do everything (a production role without CREATE on the schema, or
//! not owning the tables) would otherwise fail in the middle of an apply with `permission
//! denied`. [`needs`] lists what the steps of a [`Plan`] need the connected role to be
//! allowed to do — create a schema, create tables in a schema, alter or drop an existing
//! table, reference an existing table in a foreign key; the runtime asks the database which
//! of those the role may not do, with a constant number of statements (PostgreSQL and
//! MySQL: `backend/<db>/privileges.rs` of the runtime; a backend without grants refuses
//! nothing), and
//! [`block`] moves each step needing one of them to [`Plan::blocked`] with the reason
//! (`role "app" cannot alter public.orders: it is owned by "admin"`) as its
//! [`problem`](crate::plan::BlockedStep::problem), no option unlocking it, and the way
//! out as its suggestion; the steps needing a blocked step are blocked with it.
//!
//! Only objects that exist before the plan runs are asked about: a table or schema the
//! plan creates belongs to the role. Only executable steps are judged: a step the policy
//! or the data checks already blocked keeps its own reason.

use crate::dialect::{self, Dialect};
use crate::model::QualifiedName;
use crate::plan::{BlockedStep, Change, Plan, Step};
use crate::planner::policy;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Something a step needs the connected role to be allowed to do. Every table is
/// schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "need", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Need {
    /// Create the schema `schema` (PostgreSQL: CREATE on the database).
    CreateSchema {
        /// The schema to create.
        schema: String,
    },
    /// Create tables in the existing schema `schema` (PostgreSQL: CREATE on the schema).
    CreateIn {
        /// The schema.
        schema: String,
    },
    /// Alter the existing table `table`: its columns, keys, constraints, indexes, comment
    /// or name (PostgreSQL: be the owner or a member of the owning role).
    Alter {
        /// The table.
        table: QualifiedName,
    },
    /// Drop the existing table `table` (PostgreSQL: own it or its schema).
    Drop {
        /// The table.
        table: QualifiedName,
    },
    /// Reference the existing table `table` in a foreign key (REFERENCES on it).
    Reference {
        /// The referenced table.
        table: QualifiedName,
    },
}

impl Need {
    /// What the role would do, as a refusal in `dialect` says it: `alter public.orders`,
    /// `create tables in schema public` (`in the database` where the dialect has no
    /// schema to choose: MySQL), `reference public.customers in a foreign key`.
    pub fn action(&self, dialect: &dyn Dialect) -> String {
        match self {
            Need::CreateSchema { schema } => format!("create schema {schema}"),
            Need::CreateIn { .. } if dialect.default_schema().is_none() => {
                "create tables in the database".to_string()
            }
            Need::CreateIn { schema } => format!("create tables in schema {schema}"),
            Need::Alter { table } => format!("alter {table}"),
            Need::Drop { table } => format!("drop {table}"),
            Need::Reference { table } => format!("reference {table} in a foreign key"),
        }
    }
}

/// Why the role may not do something, and what would let it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Why, after the action (`it is owned by "admin"`, `it lacks CREATE on the schema`).
    pub why: String,
    /// What would let it (`run as the owner, or GRANT "admin" TO "app"`).
    pub remedy: String,
}

/// What the connected role may not do of the [`needs`] of a plan, as the database said.
/// A need it does not list is allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Privileges {
    /// The role as refusals name it (`role "app"`).
    pub who: String,
    /// The needs refused, each with why and the way out.
    pub refused: BTreeMap<Need, Refusal>,
}

impl Privileges {
    /// The refusal of `need`, if the role may not do it.
    pub fn refusal(&self, need: &Need) -> Option<&Refusal> {
        self.refused.get(need)
    }
}

/// The schemas and tables a plan creates (or renames into being), by identifier key: the
/// role owns them, so nothing is asked about them.
struct Created {
    schemas: BTreeSet<String>,
    tables: BTreeSet<(String, String)>,
}

impl Created {
    fn of(plan: &Plan, dialect: &dyn Dialect) -> Created {
        let mut created = Created {
            schemas: BTreeSet::new(),
            tables: BTreeSet::new(),
        };
        for step in plan.steps() {
            match &step.change {
                Change::CreateSchema { schema } => {
                    created.schemas.insert(dialect.identifier_key(schema));
                }
                Change::CreateTable { table } => {
                    created.tables.insert(key(&table.qualified_name(), dialect));
                }
                Change::RenameTable { to, .. } => {
                    created.tables.insert(key(to, dialect));
                }
                _ => {}
            }
        }
        created
    }
}

/// A table's identity under the dialect's identifier rules.
fn key(table: &QualifiedName, dialect: &dyn Dialect) -> (String, String) {
    (
        dialect.identifier_key(table.schema.as_deref().unwrap_or_default()),
        dialect.identifier_key(&table.name),
    )
}

/// What `step` needs the role to be allowed to do, leaving out what the plan creates.
fn step_needs(step: &Step, created: &Created, dialect: &dyn Dialect) -> Vec<Need> {
    let existing = |table: &QualifiedName| !created.tables.contains(&key(table, dialect));
    let reference = |table: &QualifiedName| {
        existing(table).then(|| Need::Reference {
            table: table.clone(),
        })
    };
    let mut needs = Vec::new();
    match &step.change {
        Change::CreateSchema { schema } => needs.push(Need::CreateSchema {
            schema: schema.clone(),
        }),
        Change::CreateTable { table } => {
            let schema = table.schema.clone().unwrap_or_default();
            if !created.schemas.contains(&dialect.identifier_key(&schema)) {
                needs.push(Need::CreateIn { schema });
            }
            let own = key(&table.qualified_name(), dialect);
            needs.extend(
                table
                    .foreign_keys
                    .iter()
                    .filter(|fk| key(&fk.references, dialect) != own)
                    .filter_map(|fk| reference(&fk.references)),
            );
        }
        Change::DropTable { table } => needs.push(Need::Drop {
            table: table.qualified_name(),
        }),
        Change::RenameTable { from, .. } => needs.push(Need::Alter {
            table: from.clone(),
        }),
        other => {
            if let Some(table) = other.table().filter(|t| existing(t)) {
                needs.push(Need::Alter { table });
            }
            if let Change::AddForeignKey { table, foreign_key }
            | Change::AlterForeignKey {
                table,
                to: foreign_key,
                ..
            } = other
                && key(table, dialect) != key(&foreign_key.references, dialect)
            {
                needs.extend(reference(&foreign_key.references));
            }
        }
    }
    needs
}

/// Everything the steps of `plan` need the connected role to be allowed to do, sorted and
/// without duplicates; empty when the plan has no step (nothing to ask the database).
/// Blocked steps do not run: they need nothing.
pub fn needs(plan: &Plan) -> Vec<Need> {
    let Some(dialect) = dialect::by_name(&plan.dialect) else {
        return Vec::new();
    };
    let created = Created::of(plan, dialect);
    let needs: BTreeSet<Need> = plan
        .steps()
        .iter()
        .flat_map(|step| step_needs(step, &created, dialect))
        .collect();
    needs.into_iter().collect()
}

/// The plan with every step needing something the role may not do blocked: its
/// [`problem`](BlockedStep::problem) says what and why (`role "app" cannot alter
/// public.orders: it is owned by "admin"`; several refusals joined with `; `), no option
/// unlocks it (`unlocked_by` empty), and its suggestion starts with the way out (`run as
/// the owner, or GRANT "admin" TO "app"`). The steps needing a blocked step are blocked
/// with it ([`BlockedStep::depends_on`]). Nothing refused: the plan as it was.
pub fn block(plan: Plan, privileges: &Privileges) -> Plan {
    let Some(dialect) = dialect::by_name(&plan.dialect) else {
        return plan;
    };
    if privileges.refused.is_empty() {
        return plan;
    }
    let created = Created::of(&plan, dialect);
    let dependents = plan.dependents().to_vec();
    let (name, steps, mut blocked, drift) = plan.into_parts();
    let mut kept = Vec::with_capacity(steps.len());
    for mut step in steps {
        let refused: Vec<(Need, &Refusal)> = step_needs(&step, &created, dialect)
            .into_iter()
            .filter_map(|need| Some((need.clone(), privileges.refusal(&need)?)))
            .collect();
        if refused.is_empty() {
            kept.push(step);
            continue;
        }
        let problem = refused
            .iter()
            .map(|(need, r)| {
                format!(
                    "{} cannot {}: {}",
                    privileges.who,
                    need.action(dialect),
                    r.why
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut remedies: Vec<&str> = Vec::new();
        for (_, r) in &refused {
            if !remedies.contains(&r.remedy.as_str()) {
                remedies.push(&r.remedy);
            }
        }
        let remedy = remedies.join("; ");
        step.suggestion = Some(match step.suggestion.take() {
            Some(other) => format!("{remedy}; {other}"),
            None => remedy,
        });
        blocked.push(BlockedStep {
            step,
            unlocked_by: String::new(),
            problem: Some(problem),
            depends_on: None,
        });
    }
    let (steps, blocked) = policy::block_dependents(kept, blocked, dialect);
    Plan::new(name, steps, blocked, drift).with_dependents(dependents)
}

#[cfg(test)]
mod tests;
