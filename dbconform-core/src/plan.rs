//! Plans: ordered, risk-classified steps, each remembering the change that produced it
//! and the SQL it runs.

use crate::model::{QualifiedName, TableDef};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How dangerous a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Cannot lose data or fail on existing data.
    Safe,
    /// May fail on existing data or lock a table.
    Caution,
    /// Can lose data.
    Danger,
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::Safe => "safe",
            Risk::Caution => "caution",
            Risk::Danger => "danger",
        })
    }
}

/// The kind of a change, without its data (for filtering, codes and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Create a missing schema (PostgreSQL).
    CreateSchema,
    /// Create a missing table.
    CreateTable,
    /// Add a foreign key that had to wait until every table of a cycle existed.
    AddForeignKey,
}

impl ChangeKind {
    /// The stable code of this kind (documented in the README).
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::CreateSchema => "DC001",
            ChangeKind::CreateTable => "DC002",
            ChangeKind::AddForeignKey => "DC003",
        }
    }
}

/// A difference between the declared and the actual schema, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// A schema is missing.
    CreateSchema {
        /// The schema's name.
        schema: String,
    },
    /// A table is missing.
    CreateTable {
        /// The table as declared (schema resolved).
        table: TableDef,
    },
    /// A foreign key left out of a CREATE TABLE because it closes a cycle.
    AddForeignKey {
        /// The referencing table.
        table: QualifiedName,
        /// The foreign key's name.
        name: String,
    },
}

impl Change {
    /// The change's kind.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::CreateSchema { .. } => ChangeKind::CreateSchema,
            Change::CreateTable { .. } => ChangeKind::CreateTable,
            Change::AddForeignKey { .. } => ChangeKind::AddForeignKey,
        }
    }

    /// The table the change is about, if any.
    pub fn table(&self) -> Option<QualifiedName> {
        match self {
            Change::CreateSchema { .. } => None,
            Change::CreateTable { table } => Some(table.qualified_name()),
            Change::AddForeignKey { table, .. } => Some(table.clone()),
        }
    }

    /// A short description: `create table "users"`.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateSchema { schema } => format!("create schema {schema}"),
            Change::CreateTable { table } => format!("create table {}", table.qualified_name()),
            Change::AddForeignKey { table, name } => {
                format!("add foreign key {name} on {table}")
            }
        }
    }
}

/// One step of a plan: a change, its risk, and the SQL that performs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The change's kind.
    pub kind: ChangeKind,
    /// The table the step is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<QualifiedName>,
    /// How dangerous it is.
    pub risk: Risk,
    /// Stable code (`DC002`).
    pub code: String,
    /// Why the step is needed, in plain words.
    pub reason: String,
    /// What the user may want to do about it, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The statements, each one complete; never split on `;`.
    pub sql: Vec<String>,
    /// The change that produced this step.
    pub change: Change,
}

impl Step {
    /// A short description of what the step does.
    pub fn describe(&self) -> String {
        self.change.describe()
    }
}

/// A step the policy refused, with the option that would allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedStep {
    /// The refused step.
    pub step: Step,
    /// The `Options` field that would unlock it (`allow_drop_extra_columns`).
    pub unlocked_by: String,
}

/// Something in the database the declared schema does not mention, kept by policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// The table concerned.
    pub table: QualifiedName,
    /// What was found (`extra column "legacy"`).
    pub description: String,
}

/// An ordered plan. Build it with the planner; print it, render it as SQL or JSON, or
/// hand it to the runtime to apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The backend the SQL is written for (`sqlite`, `postgres`).
    pub dialect: String,
    steps: Vec<Step>,
    blocked: Vec<BlockedStep>,
    drift: Vec<Drift>,
}

impl Plan {
    /// Builds a plan from its parts (already ordered).
    pub fn new(
        dialect: impl Into<String>,
        steps: Vec<Step>,
        blocked: Vec<BlockedStep>,
        drift: Vec<Drift>,
    ) -> Self {
        Plan {
            dialect: dialect.into(),
            steps,
            blocked,
            drift,
        }
    }

    /// Steps to execute, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Steps the policy refused.
    pub fn blocked(&self) -> &[BlockedStep] {
        &self.blocked
    }

    /// Things in the database that the declared schema does not mention.
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    /// `true` when there is nothing to execute and nothing blocked.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.blocked.is_empty()
    }

    /// The plan as a runnable SQL script: every statement ends with `;` on its own line,
    /// each step preceded by a comment saying what it does and its risk.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "-- step {}: {} [{} {}]\n",
                i + 1,
                comment_safe(&step.describe()),
                step.code,
                step.risk
            ));
            for statement in &step.sql {
                out.push_str(statement);
                out.push_str(";\n");
            }
        }
        for blocked in &self.blocked {
            out.push_str(&format!(
                "-- blocked: {} [{} {}] (set {} to allow)\n",
                comment_safe(&blocked.step.describe()),
                blocked.step.code,
                blocked.step.risk,
                blocked.unlocked_by
            ));
        }
        out
    }
}

/// Keeps a description on one comment line, whatever names it contains.
fn comment_safe(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() && self.drift.is_empty() {
            return writeln!(f, "Nothing to do: the database conforms.");
        }
        if !self.steps.is_empty() {
            writeln!(f, "{} step(s):", self.steps.len())?;
            for (i, step) in self.steps.iter().enumerate() {
                writeln!(
                    f,
                    "  {:>3}. [{} {}] {}",
                    i + 1,
                    step.risk,
                    step.code,
                    step.describe()
                )?;
                writeln!(f, "       {}", step.reason)?;
                if let Some(suggestion) = &step.suggestion {
                    writeln!(f, "       suggestion: {suggestion}")?;
                }
            }
        }
        if !self.blocked.is_empty() {
            writeln!(f, "{} blocked step(s):", self.blocked.len())?;
            for blocked in &self.blocked {
                writeln!(
                    f,
                    "  - [{} {}] {} (set {} to allow)",
                    blocked.step.risk,
                    blocked.step.code,
                    blocked.step.describe(),
                    blocked.unlocked_by
                )?;
            }
        }
        if !self.drift.is_empty() {
            writeln!(f, "{} drift item(s) kept:", self.drift.len())?;
            for drift in &self.drift {
                writeln!(f, "  - {}: {}", drift.table, drift.description)?;
            }
        }
        Ok(())
    }
}
