//! Online mode ([`Options::online`]): the plan's phases ([`dbconform_core::online`]),
//! each committing on its own, while a separate session holds the schema-change lock.
//!
//! The lock is a session lock on a connection of its own that runs nothing else: it
//! holds no transaction open, so `CREATE INDEX CONCURRENTLY`, which waits for every
//! transaction older than itself, never waits for it. The work runs on a second
//! connection with the timeouts set for the session (statements outside a transaction
//! need them too); both connections are closed afterwards, never returned to the pool with
//! a lock or a setting. The plan is made in a transaction that is rolled back (one
//! consistent snapshot); then each phase runs, its statements grouped into short
//! transactions where allowed and alone where not. A failure stops the apply: the
//! database is read again and the error says what committed and what is left. A lock
//! timeout is returned as it is, so that [`Engine::run`] plans again from what committed
//! and tries again.

use super::{Backend, Conn, Engine};
use crate::driver::{self, Scope, db_error};
use crate::driver_error::DriverError;
use crate::report::{ExecutedStep, PhaseRun, Report, RoundTrip};
use dbconform_core::online::{PhaseKind, PhasedStatement};
use dbconform_core::{Error, OnlineFailure, Options, Plan, Result, TableDef};
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

/// A statement that failed, with where it was.
struct Failure {
    phase: dbconform_core::online::PhaseKind,
    statement: PhasedStatement,
    source: Error,
}

impl<B: Backend> Engine<B>
where
    for<'e> &'e mut Conn<B>: Executor<'e, Database = B::Db>,
{
    /// Applies `desired` online (see the [module](self)).
    pub(super) async fn apply_online(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Report> {
        let started = Instant::now();
        let mut lock = self.acquire().await?;
        lock.close_on_drop();
        self.backend
            .lock_session(&mut lock, scope, &self.counter)
            .await?;
        let mut work = self.acquire().await?;
        work.close_on_drop();
        self.backend
            .set_session_timeouts(&mut self.counted(&mut work), options)
            .await?;
        let plan = self
            .plan_rolled_back(&mut work, scope, desired, options)
            .await?;
        if options.fail_on_blocked && !plan.blocked().is_empty() {
            return Err(Error::Blocked {
                blocked: plan.blocked().to_vec(),
            });
        }
        driver::refuse_unexecutable(&plan)?;
        let mut durations = vec![Duration::ZERO; plan.steps().len()];
        let mut round_trips = Vec::new();
        let mut phases = Vec::new();
        let mut committed: Vec<String> = Vec::new();
        let mut failure = None;
        'phases: for phase in plan.phases() {
            let phase_started = Instant::now();
            for unit in phase.units() {
                let ran = self
                    .run_unit(&mut work, &plan, unit, &mut durations, &mut round_trips)
                    .await;
                match ran {
                    Ok(()) => committed.extend(
                        unit.iter()
                            .map(|s| format!("phase {}: {}", phase.kind.number(), s.sql)),
                    ),
                    Err((statement, source)) => {
                        failure = Some(Failure {
                            phase: phase.kind,
                            statement: statement.clone(),
                            source,
                        });
                        break 'phases;
                    }
                }
            }
            phases.push(PhaseRun {
                phase: phase.kind.number(),
                name: phase.kind.to_string(),
                statements: phase.statements.len(),
                outside_transaction: phase.statements.iter().filter(|s| !s.transaction).count(),
                duration: phase_started.elapsed(),
            });
        }
        if let Some(Failure {
            phase,
            statement,
            source,
        }) = failure
        {
            if self.backend.lock_timed_out(&source) {
                // Planned again from what committed, and tried again, by `run`.
                return Err(source);
            }
            let left = match self
                .plan_rolled_back(&mut work, scope, desired, options)
                .await
            {
                Ok(left) => left.steps().iter().map(|s| s.describe()).collect(),
                Err(error) => vec![format!(
                    "unknown: reading the database again failed ({error})"
                )],
            };
            let step = &plan.steps()[statement.step - 1];
            return Err(Error::OnlinePartiallyApplied(Box::new(OnlineFailure {
                committed,
                phase,
                step: statement.step,
                description: step.describe(),
                statement: statement.sql,
                left,
                source: match source {
                    Error::StepFailed { source, .. } => source,
                    other => Box::new(other),
                },
            })));
        }
        // Everything committed: what goes wrong from here says so.
        let verified = self
            .session(&mut work)
            .verify_dependents(plan.dependents())
            .await;
        if let Err(Error::DependentBroken {
            object,
            statement,
            source,
        }) = verified
        {
            let last = plan.phases().last().map_or(PhaseKind::Last, |p| p.kind);
            return Err(Error::OnlinePartiallyApplied(Box::new(OnlineFailure {
                committed,
                phase: last,
                step: plan.steps().len(),
                description: format!(
                    "checking the views, rules and triggers after the last phase: {object} no longer works"
                ),
                statement,
                left: vec![format!(
                    "change or drop {object} so that it works with the declared schema"
                )],
                source,
            })));
        }
        verified?;
        let after = self
            .plan_rolled_back(&mut work, scope, desired, options)
            .await?;
        if let Err(Error::NotConverged { plan: left }) = driver::verify_converged(&after) {
            let steps: Vec<String> = plan.steps().iter().map(|s| s.describe()).collect();
            return Err(super::not_converged_after_commits(&steps, &left));
        }
        drop(work);
        drop(lock);
        let (dialect, steps, blocked, drift) = plan.into_parts();
        Ok(Report {
            dialect,
            executed: steps
                .into_iter()
                .zip(durations)
                .map(|(step, duration)| ExecutedStep {
                    step,
                    duration: Some(duration),
                })
                .collect(),
            blocked,
            drift,
            round_trips,
            total: started.elapsed(),
            attempts: 1,
            phases,
            committed_first: Vec::new(),
        })
    }

    /// The plan for `desired`, made in a transaction that is then rolled back.
    async fn plan_rolled_back(
        &self,
        conn: &mut Conn<B>,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Plan> {
        self.counter.add(1);
        let mut tx = conn.begin().await.map_err(db_error("BEGIN"))?;
        let planned = {
            let mut session = self.session(&mut tx);
            driver::plan_on(&mut *session, scope, desired, options).await
        };
        self.counter.add(1);
        let _ = tx.rollback().await;
        Ok(planned?.0)
    }

    /// Runs one unit of a phase: statements sharing a transaction, or one statement
    /// outside any. On failure, the statement and the error ([`Error::StepFailed`]); a
    /// transaction is rolled back.
    async fn run_unit<'u>(
        &self,
        conn: &mut Conn<B>,
        plan: &Plan,
        unit: &'u [PhasedStatement],
        durations: &mut [Duration],
        round_trips: &mut Vec<RoundTrip>,
    ) -> std::result::Result<(), (&'u PhasedStatement, Error)> {
        let (first, last) = (&unit[0], &unit[unit.len() - 1]);
        if !unit.iter().all(|s| s.transaction) {
            for statement in unit {
                self.run_statement(conn, plan, statement, durations, round_trips)
                    .await
                    .map_err(|e| (statement, e))?;
            }
            return Ok(());
        }
        self.counter.add(1);
        let mut tx = conn
            .begin()
            .await
            .map_err(|e| (first, db_error("BEGIN")(e)))?;
        for statement in unit {
            // Dropping the transaction on failure rolls it back.
            self.run_statement(&mut tx, plan, statement, durations, round_trips)
                .await
                .map_err(|e| (statement, e))?;
        }
        self.counter.add(1);
        tx.commit().await.map_err(|e| (last, db_error("COMMIT")(e)))
    }

    /// Runs one statement of an online plan on `conn`, timing it.
    async fn run_statement(
        &self,
        conn: &mut Conn<B>,
        plan: &Plan,
        statement: &PhasedStatement,
        durations: &mut [Duration],
        round_trips: &mut Vec<RoundTrip>,
    ) -> Result<()> {
        let index = statement.step - 1;
        let step = &plan.steps()[index];
        #[cfg(feature = "failpoints")]
        if let Some(error) = driver::injected_fault(index, step, &statement.sql) {
            return Err(error);
        }
        self.counter.add(1);
        let sent = Instant::now();
        let result = sqlx::raw_sql(sqlx::AssertSqlSafe(statement.sql.as_str()))
            .execute(&mut *conn)
            .await;
        let took = sent.elapsed();
        tracing::debug!(
            step = statement.step,
            elapsed_us = took.as_micros() as u64,
            statement = %statement.sql,
            "executed online"
        );
        result.map_err(|source| Error::StepFailed {
            step: statement.step,
            description: step.describe(),
            statement: statement.sql.clone(),
            source: DriverError::boxed(source),
        })?;
        durations[index] += took;
        round_trips.push(RoundTrip {
            first_step: statement.step,
            last_step: statement.step,
            statements: 1,
            duration: took,
        });
        Ok(())
    }
}
