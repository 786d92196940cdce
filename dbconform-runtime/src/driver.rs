//! The seam between the database-independent runtime and each backend folder.

use crate::report::{ExecutedStep, Report};
use async_trait::async_trait;
use dbconform_core::dialect::Dialect;
use dbconform_core::{Error, Plan, Result, Schema};
use std::time::{Duration, Instant};

/// Which part of the database dbconform looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The schema undeclared-schema tables live in (`public`; ignored on SQLite).
    pub target_schema: String,
    /// Every schema to reflect (the target schema plus per-table schemas).
    pub schemas: Vec<String>,
}

/// Builds a plan from what reflection found. Called by [`Driver::apply`] while the
/// database is locked, so the plan is made from the state it is applied to.
pub type Planner<'a> = dyn Fn(&Schema) -> Result<Plan> + Send + Sync + 'a;

/// One backend: reflection and execution. Each backend folder implements it once.
#[async_trait]
pub trait Driver: Send + Sync + std::fmt::Debug {
    /// The SQL dialect of this backend.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Reads the database's schema within `scope`, without locking.
    async fn reflect(&self, scope: &Scope) -> Result<Schema>;

    /// Locks the database for schema changes, reflects it, asks `planner` for the plan,
    /// executes every step in one transaction, verifies that planning again finds nothing
    /// left to do, and commits. Any failure rolls everything back.
    async fn apply(&self, scope: &Scope, planner: &Planner<'_>) -> Result<Report>;
}

/// Runs `plan`'s statements on an open transaction, one step after another, recording how
/// long each took. The first failure stops with [`Error::StepFailed`]; the caller rolls back.
pub(crate) async fn run_steps<DB>(
    conn: &mut DB::Connection,
    plan: &Plan,
) -> Result<Vec<ExecutedStep>>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    // Refuse before executing anything: a step without SQL is one this version cannot
    // perform on this backend, and running the rest would leave the schema half-changed.
    if let Some((index, step)) = plan
        .steps()
        .iter()
        .enumerate()
        .find(|(_, s)| s.sql.is_empty())
    {
        return Err(Error::NotExecutable(format!(
            "step {} ({}) cannot be executed by this version of dbconform on {}; nothing was changed",
            index + 1,
            step.describe(),
            plan.dialect
        )));
    }
    let mut executed = Vec::with_capacity(plan.steps().len());
    for (index, step) in plan.steps().iter().enumerate() {
        let step_started = Instant::now();
        for statement in &step.sql {
            let started = Instant::now();
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.as_str()))
                .execute(&mut *conn)
                .await
                .map_err(|source| Error::StepFailed {
                    step: index + 1,
                    description: step.describe(),
                    statement: statement.clone(),
                    source: Box::new(source),
                })?;
            tracing::debug!(
                step = index + 1,
                elapsed_us = started.elapsed().as_micros() as u64,
                statement = %statement,
                "executed"
            );
        }
        executed.push(ExecutedStep {
            step: step.clone(),
            duration: step_started.elapsed(),
        });
    }
    Ok(executed)
}

/// After executing, the plan computed from the new state must be empty; anything left is
/// a dbconform bug (the change would be proposed forever), reported instead of committed.
pub(crate) fn verify_converged(after: &Plan) -> Result<()> {
    if after.steps().is_empty() {
        return Ok(());
    }
    let pending: Vec<String> = after.steps().iter().map(|s| s.describe()).collect();
    Err(Error::NotExecutable(format!(
        "after applying, dbconform still finds changes to make ({}); this is a bug in dbconform, please report it. Nothing was committed.",
        pending.join("; ")
    )))
}

/// Wraps a driver error raised outside any step.
pub(crate) fn db_error(operation: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |source| Error::Database {
        operation: operation.to_string(),
        source: Box::new(source),
    }
}

/// Wraps a driver error raised while reading the catalog.
pub(crate) fn reflect_error(what: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |source| Error::Reflect {
        what: what.to_string(),
        source: Box::new(source),
    }
}

/// Builds the report of a finished apply.
pub(crate) fn report(plan: Plan, executed: Vec<ExecutedStep>, total: Duration) -> Report {
    Report {
        dialect: plan.dialect.clone(),
        executed,
        blocked: plan.blocked().to_vec(),
        drift: plan.drift().to_vec(),
        total,
    }
}
