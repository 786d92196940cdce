//! Online mode ([`Options::online`](crate::Options::online)): a plan's statements
//! arranged in phases that never hold a lock blocking writes for longer than a catalog
//! change takes.
//!
//! The dialect says, per step, which statements perform it online and in which phase each
//! belongs ([`Dialect::online_statements`]); [`arrange`] groups them. The phases, in
//! order:
//! 1. [`PhaseKind::Catalog`]: catalog-only changes (new tables, nullable columns or
//!    columns with a constant default, comments, defaults, renames) and constraints added
//!    `NOT VALID`;
//! 2. [`PhaseKind::Build`]: indexes built with `CREATE INDEX CONCURRENTLY`, unique and
//!    primary keys attached to such an index;
//! 3. [`PhaseKind::Validate`]: `VALIDATE CONSTRAINT`, which lets writes continue;
//! 4. [`PhaseKind::NotNull`]: `SET NOT NULL` proven by a validated check (no scan), primary
//!    keys attached;
//! 5. [`PhaseKind::Last`]: what rewrites a table or takes its lock for longer, and drops.
//!
//! A statement runs in a short transaction with the statements of its phase next to it
//! that may ([`PhasedStatement::transaction`]), or on its own where the database forbids a
//! transaction (`CONCURRENTLY`). A step never runs before a step it needs: a step on a
//! table whose column type an earlier step changes, a foreign key whose referenced key an
//! earlier step creates, an object whose name an earlier step frees — each waits for
//! that step's phase.
//!
//! [`Dialect::online_statements`]: crate::dialect::Dialect::online_statements

use crate::dialect::Dialect;
use crate::error::Result;
use crate::model::QualifiedName;
use crate::plan::{Change, Plan, Step};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The error of a backend without online mode: `dialect` is its name (`sqlite`),
/// `display_name` how people call it (`SQLite`).
pub fn unsupported(dialect: &'static str, display_name: &str) -> crate::Error {
    crate::Error::Unsupported {
        dialect,
        table: None,
        what: format!(
            "online mode (Options::online, --online) is for PostgreSQL; {display_name} has none: apply without it"
        ),
    }
}

/// A phase of an online plan (see the [module](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// 1: catalog-only changes, constraints added `NOT VALID`.
    Catalog,
    /// 2: indexes built concurrently, keys attached to them.
    Build,
    /// 3: constraints validated while writes continue.
    Validate,
    /// 4: `SET NOT NULL` proven by a validated check, primary keys attached.
    NotNull,
    /// 5: rewrites and drops.
    Last,
}

impl PhaseKind {
    /// The phase's number, 1 to 5.
    pub fn number(self) -> u8 {
        match self {
            PhaseKind::Catalog => 1,
            PhaseKind::Build => 2,
            PhaseKind::Validate => 3,
            PhaseKind::NotNull => 4,
            PhaseKind::Last => 5,
        }
    }
}

impl fmt::Display for PhaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PhaseKind::Catalog => "catalog-only changes",
            PhaseKind::Build => "indexes built concurrently",
            PhaseKind::Validate => "constraints validated",
            PhaseKind::NotNull => "NOT NULL and keys from validated constraints",
            PhaseKind::Last => "rewrites and drops",
        })
    }
}

/// One statement a dialect performs a step with online, and the phase it belongs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineStatement {
    /// The phase the statement belongs in at the earliest.
    pub phase: PhaseKind,
    /// The statement.
    pub sql: String,
    /// `false` when the statement must run outside any transaction
    /// (`CREATE INDEX CONCURRENTLY`).
    pub transaction: bool,
}

impl OnlineStatement {
    /// A statement of `phase` that runs in a transaction.
    pub fn in_transaction(phase: PhaseKind, sql: impl Into<String>) -> Self {
        OnlineStatement {
            phase,
            sql: sql.into(),
            transaction: true,
        }
    }

    /// A statement of `phase` that must run outside any transaction.
    pub fn alone(phase: PhaseKind, sql: impl Into<String>) -> Self {
        OnlineStatement {
            phase,
            sql: sql.into(),
            transaction: false,
        }
    }
}

/// One statement of a phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhasedStatement {
    /// The step it performs (part of), 1-based as in the plan's text.
    pub step: usize,
    /// The statement.
    pub sql: String,
    /// `true` when it runs in a transaction with the statements of its phase next to it
    /// that do too; `false` when it runs on its own, outside any transaction.
    pub transaction: bool,
}

/// A phase of an online plan: its statements, in plan order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// Which phase.
    pub kind: PhaseKind,
    /// Its statements.
    pub statements: Vec<PhasedStatement>,
}

impl Phase {
    /// The phase's statements in the units that commit on their own: runs of statements
    /// that share a transaction, and each statement that must run outside one.
    pub fn units(&self) -> Vec<&[PhasedStatement]> {
        let mut units = Vec::new();
        let mut start = 0;
        for (i, statement) in self.statements.iter().enumerate() {
            if !statement.transaction {
                if start < i {
                    units.push(&self.statements[start..i]);
                }
                units.push(&self.statements[i..=i]);
                start = i + 1;
            }
        }
        if start < self.statements.len() {
            units.push(&self.statements[start..]);
        }
        units
    }
}

/// `plan` with its steps' statements arranged in phases for online mode (see the
/// [module](self)); the steps keep their one-transaction SQL for reading. Blocked steps
/// are not arranged. An error when the dialect has no online mode.
pub fn arrange(dialect: &dyn Dialect, plan: Plan) -> Result<Plan> {
    let mut arranged: Vec<(PhaseKind, PhasedStatement)> = Vec::new();
    // The phase each step's last statement runs in, for the steps after it.
    let mut done: Vec<(&Step, PhaseKind)> = Vec::with_capacity(plan.steps().len());
    let mut effects = Vec::with_capacity(plan.steps().len());
    for (index, step) in plan.steps().iter().enumerate() {
        effects.push(dialect.online_effects(step));
        let statements = dialect.online_statements(step)?;
        let mut phase = done
            .iter()
            .filter(|(before, _)| needs(step, before))
            .map(|(_, phase)| *phase)
            .max()
            .unwrap_or(PhaseKind::Catalog);
        for statement in statements {
            // A step's statements run in their order: none in an earlier phase than
            // the one before it.
            phase = phase.max(statement.phase);
            arranged.push((
                phase,
                PhasedStatement {
                    step: index + 1,
                    sql: statement.sql,
                    transaction: statement.transaction,
                },
            ));
        }
        done.push((step, phase));
    }
    // A stable sort: plan order within each phase.
    arranged.sort_by_key(|(phase, _)| *phase);
    let mut phases: Vec<Phase> = Vec::new();
    for (kind, statement) in arranged {
        match phases.last_mut() {
            Some(last) if last.kind == kind => last.statements.push(statement),
            _ => phases.push(Phase {
                kind,
                statements: vec![statement],
            }),
        }
    }
    drop(done);
    let dependents = plan.dependents().to_vec();
    let warnings = plan.warnings().to_vec();
    let (name, steps, blocked, drift) = plan.into_parts();
    let steps = steps
        .into_iter()
        .zip(effects)
        .map(|(step, effects)| Step { effects, ..step })
        .collect();
    Ok(Plan::new(name, steps, blocked, drift)
        .with_dependents(dependents)
        .with_warnings(warnings)
        .with_phases(phases))
}

/// Whether `step` must wait for `before` (earlier in the plan): it is on a table whose
/// column type or generation `before` changes, it is a foreign key whose referenced table
/// `before` creates or changes the key or columns of, or it creates an object of the name
/// `before` frees.
fn needs(step: &Step, before: &Step) -> bool {
    let on = |table: &Option<QualifiedName>| table.is_some() && *table == step.table;
    let rewrites_columns = matches!(
        &before.change,
        Change::AlterColumn { changes, .. } if changes.ty || changes.generated
    );
    if rewrites_columns && on(&before.table) {
        return true;
    }
    if let Change::AddForeignKey { foreign_key, .. }
    | Change::AlterForeignKey {
        to: foreign_key, ..
    } = &step.change
    {
        let referenced = Some(foreign_key.references.clone());
        let shapes_keys = matches!(
            before.change,
            Change::CreateTable { .. }
                | Change::AddColumn { .. }
                | Change::AlterColumn { .. }
                | Change::RenameColumn { .. }
                | Change::AddPrimaryKey { .. }
                | Change::AlterPrimaryKey { .. }
                | Change::AddUnique { .. }
                | Change::AlterUnique { .. }
        );
        if shapes_keys && before.table == referenced {
            return true;
        }
    }
    match (freed_name(&before.change), created_name(&step.change)) {
        (Some(freed), Some(created)) => freed == created && before.table == step.table,
        _ => false,
    }
}

/// The name of the constraint or index `change` drops (or replaces).
fn freed_name(change: &Change) -> Option<&str> {
    Some(match change {
        Change::DropIndex { index, .. } | Change::AlterIndex { from: index, .. } => &index.name,
        Change::DropUnique { unique, .. } | Change::AlterUnique { from: unique, .. } => {
            &unique.name
        }
        Change::DropCheck { check, .. } | Change::AlterCheck { from: check, .. } => &check.name,
        Change::DropForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            from: foreign_key, ..
        } => &foreign_key.name,
        Change::DropPrimaryKey { key, .. } | Change::AlterPrimaryKey { from: key, .. } => {
            key.name.as_deref()?
        }
        _ => return None,
    })
}

/// The name of the constraint or index `change` creates.
fn created_name(change: &Change) -> Option<&str> {
    Some(match change {
        Change::AddIndex { index, .. } | Change::AlterIndex { to: index, .. } => &index.name,
        Change::AddUnique { unique, .. } | Change::AlterUnique { to: unique, .. } => &unique.name,
        Change::AddCheck { check, .. } | Change::AlterCheck { to: check, .. } => &check.name,
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => &foreign_key.name,
        Change::AddPrimaryKey { key, .. } | Change::AlterPrimaryKey { to: key, .. } => {
            key.name.as_deref()?
        }
        _ => return None,
    })
}
