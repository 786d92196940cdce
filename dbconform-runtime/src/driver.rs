//! The flow on one connection, written once for every backend.
//!
//! A backend supplies a [`Session`] (what runs on one connection: reflect, canonicalize
//! expressions, answer data questions, execute) and a
//! [`Backend`](crate::engine::Backend) (pool, lock, connection set-up), which
//! [`Engine`](crate::engine::Engine) turns into the [`Driver`] the rest of the runtime
//! uses. The flow on a session — reflect, plan, canonicalize the expressions rules could
//! not decide, plan again, answer data questions, execute, verify — lives here.

use crate::deploy::human_duration;
use crate::driver_error::{DriverError, one_line_message};
use crate::preflight::{PreflightReport, PreflightStep, StepOutcome};
use crate::report::{ExecutedStep, Report, RoundTrip};
use async_trait::async_trait;
use dbconform_core::data::{self, Answers, Question};
use dbconform_core::dependents;
use dbconform_core::dialect::Dialect;
use dbconform_core::online::PhaseKind;
use dbconform_core::planner::Planner;
use dbconform_core::privileges::{self, Need, Privileges};
use dbconform_core::{
    DependentObject, Error, Options, Plan, QualifiedName, Result, Schema, TableDef,
};
use futures_util::StreamExt;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Which part of the database dbconform looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The schema undeclared-schema tables live in (`public`; ignored on SQLite).
    pub target_schema: String,
    /// Every schema to reflect (the target schema plus per-table schemas).
    pub schemas: Vec<String>,
}

/// Counts the statements dbconform sends to the database (queries, DDL, BEGIN/COMMIT).
#[derive(Debug, Default)]
pub struct StatementCounter(AtomicU64);

impl StatementCounter {
    /// Records `n` more statements.
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Statements sent so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// What runs on one connection (inside a transaction for apply).
#[async_trait]
pub trait Session: Send {
    /// The SQL dialect.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Reads the database's schema within `scope`, with a constant number of queries.
    async fn reflect(&mut self, scope: &Scope) -> Result<Schema>;

    /// Returns `tables` (schemas resolved) with every default, CHECK and partial-index
    /// expression replaced by the text the database itself stores for it, so that
    /// expressions the normalization rules cannot decide compare exactly. Must leave the
    /// database unchanged and cost a constant number of queries.
    async fn canonicalize(&mut self, tables: &[TableDef]) -> Result<Vec<TableDef>>;

    /// Executes the plan's statements in order (the caller owns the transaction) and
    /// reports them: the plan's steps move into the report, each with its duration
    /// ([`Report::total`] is left for the caller).
    async fn run_steps(&mut self, plan: Plan) -> Result<Report>;

    /// Answers every data question of a plan ([`data::questions`]) with a bounded number
    /// of statements: one query per 200 questions, whatever the number of tables and steps
    /// (plus a savepoint where a refused query would abort the transaction). A question
    /// the database cannot answer (a CHECK it cannot evaluate) is
    /// [`Unknown`](data::Answer::Unknown), never an error; only a broken connection is.
    async fn answer(&mut self, questions: &[Question]) -> Result<Answers>;

    /// Every view, rule and trigger the plan's changes could break (see
    /// [`dbconform_core::dependents`]), read with one query; `actual` is the schema just
    /// reflected, for what each uses.
    async fn dependents(&mut self, scope: &Scope, actual: &Schema) -> Result<Vec<DependentObject>>;

    /// The sessions holding locks on any of `tables` in transactions older than
    /// `older_than`, one line each naming the tables it holds (see
    /// [`Plan::warnings`]) — and, when `concurrent` (the plan builds an index
    /// concurrently, which waits for every older transaction), every session with a
    /// transaction that old in the database; one statement, or none where the backend
    /// does not say.
    async fn holders(
        &mut self,
        tables: &[QualifiedName],
        older_than: Duration,
        concurrent: bool,
    ) -> Result<Vec<String>>;

    /// Runs each object's check ([`DependentObject::verify`]); the first that fails is
    /// [`Error::DependentBroken`] (the caller rolls back).
    async fn verify_dependents(&mut self, objects: &[DependentObject]) -> Result<()>;

    /// Which of `needs` ([`privileges::needs`] of a plan with steps) the connected role
    /// may not do, read with a constant number of statements. Nothing refused by default
    /// (a backend without grants).
    async fn privileges(&mut self, needs: &[Need]) -> Result<Privileges> {
        let _ = needs;
        Ok(Privileges::default())
    }

    /// Executes the plan's steps in order, each inside a savepoint, continuing after a
    /// failing step (its savepoint is rolled back); the caller owns the transaction and
    /// rolls it back. Steps without SQL are reported, not tried. A backend whose DDL
    /// cannot be rolled back tries them in a scratch database instead, named in
    /// [`Tried::workspace`].
    async fn try_steps(&mut self, plan: &Plan) -> Result<Tried>;
}

/// What trying a plan's steps found, and where they were tried.
pub(crate) struct Tried {
    /// Every step, in order, with its outcome.
    pub(crate) steps: Vec<PreflightStep>,
    /// The scratch database the steps ran in (dropped since); `None`: the database's own
    /// transaction, rolled back.
    pub(crate) workspace: Option<String>,
}

/// What the runtime asks of a database: implemented once, by
/// [`Engine`](crate::engine::Engine), over each backend.
#[async_trait]
pub trait Driver: Send + Sync + std::fmt::Debug {
    /// The SQL dialect of this backend.
    fn dialect(&self) -> &'static dyn Dialect;

    /// The statements this driver has sent.
    fn counter(&self) -> &StatementCounter;

    /// Reads the database's schema within `scope`, without locking.
    async fn reflect(&self, scope: &Scope) -> Result<Schema>;

    /// The plan for `desired`, computed on one connection without locking or changing
    /// anything.
    async fn compare(&self, scope: &Scope, desired: &[TableDef], options: &Options)
    -> Result<Plan>;

    /// Locks the database for schema changes and, in one transaction, plans from the
    /// state found under the lock, executes, verifies that planning again finds nothing
    /// left to do, and commits. Any failure rolls everything back.
    async fn apply(&self, scope: &Scope, desired: &[TableDef], options: &Options)
    -> Result<Report>;

    /// Locks the database as `apply` does and, in one transaction that is always rolled
    /// back, plans and executes every step in a savepoint of its own, recording which
    /// succeed and the database's message for those that fail.
    async fn preflight(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<PreflightReport>;
}

/// Reflects, plans, and — when the plan touches expressions on existing tables — asks the
/// database for its own spelling of the declared expressions and plans again; then,
/// unless [`Options::skip_data_checks`], answers the plan's data questions and refines it
/// ([`data::refine`]): steps on empty tables become safe, steps known to fail are blocked;
/// then, when steps are left, asks what the connected role may not do of what they need
/// and blocks those steps ([`privileges::block`]); last, the backend assembles what is left ([`Planner::finish`]: SQLite table rebuilds).
pub(crate) async fn plan_on(
    session: &mut dyn Session,
    scope: &Scope,
    desired: &[TableDef],
    options: &Options,
) -> Result<(Plan, Schema)> {
    plan_on_with(session, scope, desired, options, Check::WhileReflecting).await
}

/// When the declaration is checked ([`Planner::check`]) relative to
/// reflection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// While the database answers the catalog query: the start-up compare takes the
    /// longer of the two rather than their sum.
    WhileReflecting,
    /// After it: planning again after executing a plan, when the executed steps are held
    /// too and the peak memory (the normal forms a PostgreSQL check keeps, beside the
    /// reflection being built) matters more than a few milliseconds.
    AfterReflecting,
}

async fn plan_on_with(
    session: &mut dyn Session,
    scope: &Scope,
    desired: &[TableDef],
    options: &Options,
    check: Check,
) -> Result<(Plan, Schema)> {
    let (mut plan, actual, desired) =
        schema_plan_on(session, scope, desired, options, check).await?;
    let questions = if options.skip_data_checks {
        Vec::new()
    } else {
        data::questions(&plan)
    };
    if !questions.is_empty() {
        let answers = session
            .answer(&questions)
            .instrument(tracing::info_span!(
                "data_checks",
                questions = questions.len()
            ))
            .await?;
        plan = data::refine_declared(plan, &answers, &desired);
    }
    // What the steps need the role to be allowed: asked only when there are steps.
    let needs = privileges::needs(&plan);
    if !needs.is_empty() {
        let refused = session
            .privileges(&needs)
            .instrument(tracing::info_span!("privileges", needs = needs.len()))
            .await?;
        plan = privileges::block(plan, &refused);
    }
    // Views, rules and triggers are read only when the plan could break one of them.
    let dependents = if dependents::may_affect(&plan) {
        session
            .dependents(scope, &actual)
            .instrument(tracing::info_span!("dependents"))
            .await?
    } else {
        Vec::new()
    };
    let plan =
        Planner::new(session.dialect(), options).finish(plan, &desired, &actual, &dependents)?;
    let plan = warn_of_holders(session, plan, options).await?;
    Ok((plan, actual))
}

/// `plan` with a warning for each session holding one of the tables its steps lock in a
/// transaction older than the lock timeout: the apply will wait for it. Asked only when
/// steps touch existing tables the backend reports effects for (a no-op compare costs
/// nothing more).
async fn warn_of_holders(session: &mut dyn Session, plan: Plan, options: &Options) -> Result<Plan> {
    let mut tables: Vec<QualifiedName> = plan
        .steps()
        .iter()
        .flat_map(|s| s.effects.iter().map(|e| e.table.clone()))
        .collect();
    if tables.is_empty() {
        return Ok(plan);
    }
    tables.sort();
    tables.dedup();
    // A concurrent index build waits for every transaction older than itself, wherever.
    let concurrent = plan
        .phases()
        .iter()
        .any(|p| p.kind == PhaseKind::Build && p.statements.iter().any(|s| !s.transaction));
    let holders = session
        .holders(
            &tables,
            options.lock_timeout.unwrap_or_default(),
            concurrent,
        )
        .instrument(tracing::info_span!("lock_holders", tables = tables.len()))
        .await?;
    let wait = match options.lock_timeout {
        Some(timeout) => format!(
            "the apply will wait up to {} for it, then retry (for up to {})",
            human_duration(timeout),
            human_duration(options.lock_retry_for)
        ),
        None => "the apply will wait for it as long as it takes (no lock timeout)".to_string(),
    };
    let warnings: Vec<String> = holders
        .into_iter()
        .map(|holder| format!("{holder}: {wait}"))
        .collect();
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    Ok(plan.with_warnings(warnings))
}

/// The draft plan from the schemas alone (see [`plan_on`]), with the reflected schema and
/// the declaration it was planned from (expressions in the database's spelling where it
/// was asked).
async fn schema_plan_on<'d>(
    session: &mut dyn Session,
    scope: &Scope,
    desired: &'d [TableDef],
    options: &Options,
    when: Check,
) -> Result<(Plan, Schema, Cow<'d, [TableDef]>)> {
    let dialect = session.dialect();
    let reflect = session.reflect(scope).instrument(tracing::info_span!(
        "reflect",
        schemas = scope.schemas.len()
    ));
    // The declaration is checked on its own (see `Check`). While reflecting, `join`
    // polls the reflection first, which sends the query and waits, then runs the check
    // to completion on the calling thread. The tables are resolved (copied) after.
    let check_declaration = || {
        let _span = tracing::info_span!("check_declaration", declared = desired.len()).entered();
        Planner::new(dialect, options).check(desired)
    };
    let (actual, checked) = match when {
        Check::WhileReflecting => {
            let (actual, checked) =
                futures_util::future::join(reflect, async { check_declaration() }).await;
            (actual?, checked?)
        }
        Check::AfterReflecting => {
            let actual = reflect.await?;
            (actual, check_declaration()?)
        }
    };
    tracing::debug!(tables = actual.tables.len(), "reflected");
    let plan = {
        // Diff and plan are one pure call: resolve, normalize, diff, policy, order, render.
        let _span = tracing::info_span!("diff_and_plan", declared = desired.len()).entered();
        let planner = Planner::new(dialect, options);
        let declaration = planner.declare_checked(desired, checked)?;
        let plan = planner.draft(&declaration, &actual)?;
        tracing::debug!(
            steps = plan.steps().len(),
            blocked = plan.blocked().len(),
            drift = plan.drift().len(),
            "planned"
        );
        plan
    };
    let doubtful = plan.tables_with_expression_changes();
    if doubtful.is_empty() {
        return Ok((plan, actual, Cow::Borrowed(desired)));
    }
    let resolved_name = |t: &TableDef| {
        let schema = dialect.effective_schema(t.schema.as_deref(), &options.target_schema);
        (
            dialect.identifier_key(&schema),
            dialect.identifier_key(&t.name),
        )
    };
    let wanted: Vec<(String, String)> = doubtful
        .iter()
        .map(|q| {
            let schema = dialect.effective_schema(q.schema.as_deref(), &options.target_schema);
            (
                dialect.identifier_key(&schema),
                dialect.identifier_key(&q.name),
            )
        })
        .collect();
    let to_ask: Vec<TableDef> = desired
        .iter()
        .filter(|t| wanted.contains(&resolved_name(t)))
        .map(|t| TableDef {
            schema: Some(dialect.effective_schema(t.schema.as_deref(), &options.target_schema)),
            ..t.clone()
        })
        .collect();
    if to_ask.is_empty() {
        return Ok((plan, actual, Cow::Borrowed(desired)));
    }
    let canonical = session.canonicalize(&to_ask).await?;
    let desired: Vec<TableDef> = desired
        .iter()
        .map(|t| {
            canonical
                .iter()
                .find(|c| resolved_name(c) == resolved_name(t))
                .cloned()
                .unwrap_or_else(|| t.clone())
        })
        .collect();
    let planner = Planner::new(dialect, options);
    let plan = planner.draft(&planner.declare(&desired)?, &actual)?;
    Ok((plan, actual, Cow::Owned(desired)))
}

/// Executes `plan` (planned on this session, under the caller's lock and transaction),
/// then verifies that planning again finds nothing left to do.
pub(crate) async fn execute_on(
    session: &mut dyn Session,
    plan: Plan,
    scope: &Scope,
    desired: &[TableDef],
    options: &Options,
    started: Instant,
) -> Result<Report> {
    // Checked before the first statement, under the caller's lock and transaction, so
    // that refusing leaves the database exactly as it was.
    if options.fail_on_blocked && !plan.blocked().is_empty() {
        return Err(Error::Blocked {
            blocked: plan.blocked().to_vec(),
        });
    }
    let steps = plan.steps().len();
    let dependents = plan.dependents().to_vec();
    let mut report = session
        .run_steps(plan)
        .instrument(tracing::info_span!("execute", steps))
        .await?;
    if !report.executed.is_empty() {
        session
            .verify_dependents(&dependents)
            .instrument(tracing::info_span!("verify_dependents"))
            .await?;
        let (after, _) =
            plan_on_with(session, scope, desired, options, Check::AfterReflecting).await?;
        verify_converged(&after)?;
    }
    report.total = started.elapsed();
    Ok(report)
}

/// Tries every step of `plan` (planned on this session, in the caller's transaction).
pub(crate) async fn try_on(
    session: &mut dyn Session,
    plan: Plan,
    started: Instant,
) -> Result<PreflightReport> {
    let Tried {
        mut steps,
        workspace,
    } = session.try_steps(&plan).await?;
    // As an apply would, check that the views, rules and triggers still work after the
    // steps that succeeded; a broken one is the failure of the last of those steps.
    if steps.iter().any(|s| s.outcome.is_ok()) {
        match session.verify_dependents(plan.dependents()).await {
            Ok(()) => {}
            Err(Error::DependentBroken {
                object,
                statement,
                source,
            }) => {
                if let Some(last) = steps.iter_mut().rev().find(|s| s.outcome.is_ok()) {
                    last.outcome = StepOutcome::Failed {
                        statement,
                        message: format!("{object} no longer works: {source}"),
                    };
                }
            }
            Err(other) => return Err(other),
        }
    }
    Ok(PreflightReport {
        dialect: plan.dialect.clone(),
        workspace,
        steps,
        blocked: plan.blocked().to_vec(),
        drift: plan.drift().to_vec(),
        total: started.elapsed(),
    })
}

/// Executes each step of `plan` inside a savepoint on an open transaction: a failing
/// statement rolls its step back and the next step runs. Steps without SQL are not tried.
pub(crate) async fn try_steps<DB>(
    conn: &mut DB::Connection,
    plan: &Plan,
    counter: &StatementCounter,
) -> Result<Vec<PreflightStep>>
where
    DB: sqlx::Database,
    DB::Connection: sqlx::Connection<Database = DB>,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    use sqlx::Connection;
    let mut outcomes = Vec::with_capacity(plan.steps().len());
    for (index, step) in plan.steps().iter().enumerate() {
        let step_started = Instant::now();
        if step.sql.is_empty() {
            let why = match &step.rebuild {
                Some(why) => {
                    format!(
                        "needs a table rebuild ({why}), which dbconform cannot perform on {}",
                        plan.dialect
                    )
                }
                None => format!(
                    "this version of dbconform cannot execute it on {}",
                    plan.dialect
                ),
            };
            outcomes.push(PreflightStep {
                step: step.clone(),
                outcome: StepOutcome::NotExecutable { why },
                duration: step_started.elapsed(),
            });
            continue;
        }
        // Online, only the catalog-only statements are tried: a concurrent build or a
        // validation tried in a transaction would take the very lock online mode avoids.
        let (statements, untried) = online_preflight(plan, index);
        if statements.is_empty() {
            outcomes.push(PreflightStep {
                step: step.clone(),
                outcome: StepOutcome::NotTried { why: untried },
                duration: step_started.elapsed(),
            });
            continue;
        }
        counter.add(1);
        let mut savepoint = conn.begin().await.map_err(db_error("SAVEPOINT"))?;
        let mut outcome = StepOutcome::Ok;
        for statement in statements {
            counter.add(1);
            let started = Instant::now();
            let result = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut *savepoint)
                .await;
            tracing::debug!(
                step = index + 1,
                elapsed_us = started.elapsed().as_micros() as u64,
                ok = result.is_ok(),
                statement = %statement,
                "preflight"
            );
            if let Err(error) = result {
                outcome = StepOutcome::Failed {
                    statement: statement.to_string(),
                    message: one_line_message(&error),
                };
                break;
            }
        }
        if outcome == StepOutcome::Ok && !untried.is_empty() {
            outcome = StepOutcome::NotTried { why: untried };
        }
        counter.add(1);
        if matches!(outcome, StepOutcome::Ok | StepOutcome::NotTried { .. }) {
            savepoint
                .commit()
                .await
                .map_err(db_error("RELEASE SAVEPOINT"))?;
        } else {
            savepoint
                .rollback()
                .await
                .map_err(db_error("ROLLBACK TO SAVEPOINT"))?;
        }
        outcomes.push(PreflightStep {
            step: step.clone(),
            outcome,
            duration: step_started.elapsed(),
        });
    }
    Ok(outcomes)
}

/// The statements preflight tries for step `index` (0-based) of `plan`, and what it says
/// of the others (empty when it tries them all): every statement of a plan made in one
/// transaction; of an online plan, those of the catalog-only phase, the others (concurrent
/// builds, validations, what runs after them) named as not tried — the data checks have
/// counted what would make them fail.
fn online_preflight(plan: &Plan, index: usize) -> (Vec<&str>, String) {
    if plan.phases().is_empty() {
        return (
            plan.steps()[index].sql.iter().map(String::as_str).collect(),
            String::new(),
        );
    }
    let mut tried = Vec::new();
    let mut untried = Vec::new();
    for phase in plan.phases() {
        for statement in phase.statements.iter().filter(|s| s.step == index + 1) {
            if phase.kind == PhaseKind::Catalog && statement.transaction {
                tried.push(statement.sql.as_str());
            } else {
                untried.push(format!("phase {}: {}", phase.kind.number(), statement.sql));
            }
        }
    }
    let why = if untried.is_empty() {
        String::new()
    } else {
        format!(
            "online, only catalog-only statements are tried (a build or validation tried in a transaction would lock the table); not tried, the data checks having counted what would make them fail: {}",
            untried.join("; ")
        )
    };
    (tried, why)
}

/// When a backend's answers to statements sent together in one round trip arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// Each as its statement finishes (SQLite: sqlx's worker runs them one by one and
    /// hands each result over): a statement's time is the time since the previous answer.
    PerStatement,
    /// All at the end (PostgreSQL: the server buffers its replies to a simple-query
    /// string and sends them when the last statement is done): only the round trip can be
    /// timed.
    AtEnd,
}

/// Runs `plan`'s statements on an open transaction, one step after another, recording how
/// long each took, as far as `arrival` lets it be measured: a step whose round trips hold
/// only its own statements is always timed; one sharing a round trip with other steps on
/// a backend answering [`Arrival::AtEnd`] is not (its duration is `None`, the round trip's
/// time is in [`Report::round_trips`]). The first failure stops with
/// [`Error::StepFailed`]; the caller rolls back.
pub(crate) async fn run_steps<DB>(
    conn: &mut DB::Connection,
    plan: Plan,
    counter: &StatementCounter,
    arrival: Arrival,
) -> Result<Report>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    refuse_unexecutable(&plan)?;
    // Every statement of the plan, in order, with the step it belongs to.
    let statements: Vec<(usize, &str)> = plan
        .steps()
        .iter()
        .enumerate()
        .flat_map(|(index, step)| step.sql.iter().map(move |sql| (index, sql.as_str())))
        .collect();
    let mut durations: Vec<Option<Duration>> = Vec::with_capacity(plan.steps().len());
    let mut round_trips: Vec<RoundTrip> = Vec::new();
    // The last step that shared a round trip with another one on a backend answering at
    // its end: it and the steps before it have no time of their own.
    let mut untimed: Option<usize> = None;
    let mut step_started = Instant::now();
    let mut finished = 0;
    for chunk in statements.chunks(BATCH_STATEMENTS) {
        #[cfg(feature = "failpoints")]
        let (chunk, fault) = match chunk.iter().enumerate().find_map(|(i, &(index, sql))| {
            Some((i, injected_fault(index, &plan.steps()[index], sql)?))
        }) {
            Some((i, error)) => (&chunk[..i], Some(error)),
            None => (chunk, None),
        };
        if chunk.is_empty() {
            // Only with an injected fault on the chunk's first statement.
            #[cfg(feature = "failpoints")]
            if let Some(error) = fault {
                return Err(error);
            }
            continue;
        }
        // Several statements per round trip (one string, run in order by the database,
        // stopping at the first error); the results still arrive one per statement, so a
        // failure is reported with its own step and statement.
        let mut script = String::new();
        for &(_, sql) in chunk {
            script.push_str(sql);
            // A `--` comment on a statement's last line would swallow the separator. Only
            // then a newline first: SQLite stores a CREATE statement's text up to the `;`.
            if sql.lines().last().is_some_and(|line| line.contains("--")) {
                script.push('\n');
            }
            script.push_str(";\n");
        }
        counter.add(chunk.len() as u64);
        let sent = Instant::now();
        let mut results = sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute_many(&mut *conn);
        let mut answered = 0;
        // Results arrive as the database finishes each statement: the time since the
        // previous one is this statement's.
        let mut previous = Instant::now();
        while let Some(result) = results.next().await {
            let elapsed = previous.elapsed();
            previous = Instant::now();
            let Some(&(index, sql)) = chunk.get(answered) else {
                break;
            };
            let step = &plan.steps()[index];
            if let Err(source) = result {
                return Err(Error::StepFailed {
                    step: index + 1,
                    description: step.describe(),
                    statement: sql.to_string(),
                    source: DriverError::boxed(source),
                });
            }
            answered += 1;
            if arrival == Arrival::PerStatement {
                tracing::debug!(
                    step = index + 1,
                    elapsed_us = elapsed.as_micros() as u64,
                    statement = %sql,
                    "executed"
                );
            } else {
                // The time since the previous answer means nothing here: the answers came
                // together. The round trip's time is logged once it is complete.
                tracing::debug!(step = index + 1, statement = %sql, "executed");
            }
            // The step is done when the plan's next statement belongs to another one.
            if statements
                .get(finished + answered)
                .is_none_or(|&(next, _)| next != index)
            {
                let own = untimed.is_none_or(|u| index > u);
                durations.push(own.then(|| step_started.elapsed()));
                step_started = Instant::now();
            }
        }
        drop(results);
        let took = sent.elapsed();
        let (first, last) = (chunk[0].0, chunk[chunk.len() - 1].0);
        round_trips.push(RoundTrip {
            first_step: first + 1,
            last_step: last + 1,
            statements: chunk.len(),
            duration: took,
        });
        tracing::debug!(
            first_step = first + 1,
            last_step = last + 1,
            statements = chunk.len(),
            elapsed_us = took.as_micros() as u64,
            "round trip"
        );
        if arrival == Arrival::AtEnd && first != last {
            // Every step with a statement in this round trip shares its time: none of them
            // has one of its own, including the last when it goes on in the next one.
            for duration in durations.iter_mut().skip(first) {
                *duration = None;
            }
            untimed = Some(last);
        }
        if answered != chunk.len() {
            return Err(Error::Internal {
                message: format!(
                    "the database answered {answered} of {} statements sent together; nothing was committed",
                    chunk.len()
                ),
            });
        }
        finished += chunk.len();
        #[cfg(feature = "failpoints")]
        if let Some(error) = fault {
            return Err(error);
        }
    }
    // The steps move into the report: a plan creating thousands of tables is not copied.
    let (dialect, steps, blocked, drift) = plan.into_parts();
    Ok(Report {
        dialect,
        executed: steps
            .into_iter()
            .zip(durations)
            .map(|(step, duration)| ExecutedStep { step, duration })
            .collect(),
        blocked,
        drift,
        round_trips,
        total: Duration::ZERO,
        attempts: 1,
        phases: Vec::new(),
        committed_first: Vec::new(),
    })
}

/// Refuses `plan` before anything runs when a step has no SQL: one this version cannot
/// perform on this backend, and running the rest would leave the schema half-changed.
pub(crate) fn refuse_unexecutable(plan: &Plan) -> Result<()> {
    match plan
        .steps()
        .iter()
        .enumerate()
        .find(|(_, s)| s.sql.is_empty())
    {
        Some((index, step)) => Err(Error::StepNotExecutable {
            step: index + 1,
            description: step.describe(),
            dialect: plan.dialect.clone(),
            rebuild: step.rebuild.clone(),
        }),
        None => Ok(()),
    }
}

/// Runs the check of every object in `objects` ([`Session::verify_dependents`]), several
/// per round trip.
pub(crate) async fn verify_dependents<DB>(
    conn: &mut DB::Connection,
    objects: &[DependentObject],
    counter: &StatementCounter,
) -> Result<()>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
{
    let checks: Vec<(&DependentObject, &str)> = objects
        .iter()
        .filter_map(|o| o.verify.as_deref().map(|v| (o, v)))
        .collect();
    for chunk in checks.chunks(BATCH_STATEMENTS) {
        let mut script = String::new();
        for &(_, sql) in chunk {
            script.push_str(sql);
            script.push_str(";\n");
        }
        counter.add(chunk.len() as u64);
        let mut results = sqlx::raw_sql(sqlx::AssertSqlSafe(script)).fetch_many(&mut *conn);
        // One summary per statement; rows (an EXPLAIN's) are skipped.
        let mut done = 0;
        while let Some(result) = results.next().await {
            match result {
                Ok(sqlx::Either::Left(_)) => done += 1,
                Ok(sqlx::Either::Right(_)) => {}
                Err(source) => {
                    let (object, statement) = chunk.get(done).copied().unwrap_or(chunk[0]);
                    return Err(Error::DependentBroken {
                        object: object.label(),
                        statement: statement.to_string(),
                        source: DriverError::boxed(source),
                    });
                }
            }
        }
    }
    Ok(())
}

/// How many statements [`run_steps`] sends in one round trip. SQLite otherwise pays a
/// hand-over to sqlx's worker thread per statement (a third of creating 1,000 tables);
/// bounded so that a large plan is not one huge string.
const BATCH_STATEMENTS: usize = 256;

/// The fail point every executed statement passes (feature `failpoints`, for dbconform's
/// fault-injection tests): configured to `return`, the statement fails as if the
/// database had refused it.
#[cfg(feature = "failpoints")]
pub(crate) fn injected_fault(
    index: usize,
    step: &dbconform_core::Step,
    statement: &str,
) -> Option<Error> {
    fail::fail_point!("dbconform::statement", |_| Some(Error::StepFailed {
        step: index + 1,
        description: step.describe(),
        statement: statement.to_string(),
        source: "injected fault (fail point dbconform::statement)".into(),
    }));
    None
}

/// After executing, the plan computed from the new state must be empty; anything left is
/// a dbconform bug (the change would be proposed forever), reported instead of committed.
pub(crate) fn verify_converged(after: &Plan) -> Result<()> {
    if after.steps().is_empty() {
        return Ok(());
    }
    Err(Error::NotConverged {
        plan: Box::new(after.clone()),
    })
}

/// Wraps a driver error raised outside any step.
pub(crate) fn db_error(operation: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |source| Error::Database {
        operation: operation.to_string(),
        source: DriverError::boxed(source),
    }
}

/// Wraps a driver error raised while reading the catalog.
pub(crate) fn reflect_error(what: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |source| Error::Reflect {
        what: what.to_string(),
        source: DriverError::boxed(source),
    }
}

#[cfg(test)]
mod check_order_tests {
    //! When the declaration is checked relative to the catalog query: a session whose
    //! reflection waits once for "the database", and a tracing subscriber that records
    //! when the check starts.

    use super::*;
    use dbconform_core::dialect::SQLITE;
    use dbconform_core::{Column, ColumnType};
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll};

    static EVENTS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

    fn record(event: &'static str) {
        EVENTS.lock().expect("events").push(event);
    }

    /// Records when the declaration's check starts (its `check_declaration` span is
    /// entered), on the thread the test runs on.
    struct Recorder {
        next: std::sync::atomic::AtomicU64,
        checks: Mutex<Vec<tracing::span::Id>>,
    }

    impl tracing::Subscriber for Recorder {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            let id = tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1);
            if span.metadata().name() == "check_declaration" {
                self.checks.lock().expect("checks").push(id.clone());
            }
            id
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, _: &tracing::Event<'_>) {}
        fn enter(&self, span: &tracing::span::Id) {
            if self.checks.lock().expect("checks").contains(span) {
                record("table checked");
            }
        }
        fn exit(&self, _: &tracing::span::Id) {}
    }

    /// Pending once, as a query is while the database works on it.
    struct DatabaseWorking(bool);

    impl Future for DatabaseWorking {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    /// A database holding `table` exactly as declared (schema resolved).
    struct Fake {
        table: TableDef,
    }

    #[async_trait]
    impl Session for Fake {
        fn dialect(&self) -> &'static dyn Dialect {
            &SQLITE
        }
        async fn reflect(&mut self, _scope: &Scope) -> Result<Schema> {
            record("query sent");
            DatabaseWorking(false).await;
            record("answer read");
            Ok(Schema::new(vec![self.table.clone()]))
        }
        async fn canonicalize(&mut self, _tables: &[TableDef]) -> Result<Vec<TableDef>> {
            unreachable!("no expression to canonicalize")
        }
        async fn run_steps(&mut self, _plan: Plan) -> Result<Report> {
            unreachable!("planning only")
        }
        async fn answer(&mut self, _questions: &[Question]) -> Result<Answers> {
            unreachable!("a no-op plan asks nothing")
        }
        async fn try_steps(&mut self, _plan: &Plan) -> Result<Tried> {
            unreachable!("planning only")
        }
        async fn dependents(
            &mut self,
            _scope: &Scope,
            _actual: &Schema,
        ) -> Result<Vec<DependentObject>> {
            Ok(Vec::new())
        }
        async fn verify_dependents(&mut self, _objects: &[DependentObject]) -> Result<()> {
            unreachable!("planning only")
        }
        async fn holders(
            &mut self,
            _tables: &[QualifiedName],
            _older_than: Duration,
            _concurrent: bool,
        ) -> Result<Vec<String>> {
            unreachable!("a no-op plan locks no table")
        }
    }

    #[tokio::test]
    async fn the_declaration_is_checked_while_the_query_runs_and_after_it_when_asked() {
        // The test runs on one thread (a current-thread runtime): the subscriber sees it all.
        let _recorder = tracing::subscriber::set_default(Recorder {
            next: std::sync::atomic::AtomicU64::new(0),
            checks: Mutex::new(Vec::new()),
        });
        let declared = TableDef {
            name: "t".into(),
            columns: vec![Column::new("id", ColumnType::Integer)],
            ..TableDef::default()
        };
        let mut session = Fake {
            table: TableDef {
                schema: Some("main".into()),
                ..declared.clone()
            },
        };
        let scope = Scope {
            target_schema: "public".into(),
            schemas: vec!["main".into()],
        };
        let options = Options::default();
        for (when, expected) in [
            (
                Check::WhileReflecting,
                ["query sent", "table checked", "answer read"],
            ),
            (
                Check::AfterReflecting,
                ["query sent", "answer read", "table checked"],
            ),
        ] {
            EVENTS.lock().expect("events").clear();
            let (plan, _) = plan_on_with(
                &mut session,
                &scope,
                std::slice::from_ref(&declared),
                &options,
                when,
            )
            .await
            .unwrap();
            assert!(plan.is_empty(), "{plan}");
            assert_eq!(*EVENTS.lock().expect("events"), expected, "{when:?}");
        }
    }
}
