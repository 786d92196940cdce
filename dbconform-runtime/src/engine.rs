//! The one engine: reflect, compare, apply and preflight written once over a
//! [`Backend`].
//!
//! A backend folder supplies what differs by database — its pool, the transaction that
//! holds its schema-change lock, a [`Session`] on one connection, and, where a step needs
//! it, a connection set up outside any transaction (SQLite turns foreign keys off for a
//! table rebuild) — and [`Engine`] strings them together into the [`Driver`] the rest of
//! the runtime uses. The flow on one session (plan, execute, verify, plan again) lives in
//! [`crate::driver`].
//!
//! Execution runs in one of two ways, chosen per plan:
//! - **one transaction**: lock, plan from the state found under the lock, execute, verify
//!   that planning again finds nothing left, commit — or roll everything back;
//! - **set up, then one transaction**: when a step needs the connection prepared outside
//!   any transaction ([`Backend::needs_setup`]), the first transaction only plans and
//!   rolls back; the connection is set up, and the whole flow runs again under a new lock
//!   (the state may have changed meanwhile), with the backend's check of what the set-up
//!   steps left ([`Backend::check_set_up_steps`]) before the commit; the setting is
//!   restored on every path, and a connection that cannot be restored is closed instead
//!   of going back to the pool.
//!
//! On a backend without transactional DDL ([`Dialect::transactional_ddl`] `false`:
//! MySQL), the same flow runs under the lock, but each statement commits as it runs: a
//! failing step stops the apply with
//! [`Error::PartiallyApplied`](dbconform_core::Error::PartiallyApplied), listing the steps
//! that committed, and preflight tries the steps where the backend says
//! ([`Backend::try_elsewhere`]: a scratch database) — or is refused before anything runs
//! on the database when the backend has nowhere to try them. A lock belonging to the
//! session rather than the transaction ([`Backend::SESSION_LOCK`]) is released after the
//! transaction, and the connection that held it is closed.

use crate::driver::{self, Arrival, Driver, Scope, Session, StatementCounter, Tried, db_error};
use crate::preflight::{PreflightReport, PreflightStep, StepOutcome};
use crate::report::Report;
use async_trait::async_trait;
use dbconform_core::data::{Answers, Question};
use dbconform_core::dialect::Dialect;
use dbconform_core::privileges::{Need, Privileges};
use dbconform_core::{DependentObject, Options, Plan, Result, Schema, Step, TableDef};
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Database, Executor};
use std::sync::Mutex;
use std::time::Instant;

mod online;

/// A connection of backend `B`.
pub(crate) type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// What a backend folder implements once. See the [module](self) for how [`Engine`] uses
/// it.
#[async_trait]
pub(crate) trait Backend: Send + Sync + std::fmt::Debug + 'static {
    /// The sqlx database.
    type Db: Database;

    /// What [`set_up`](Self::set_up) changed, for [`restore`](Self::restore) (`()` for a
    /// backend whose steps all run in a plain transaction).
    type SetUp: Send + Default;

    /// The SQL dialect.
    fn dialect(&self) -> &'static dyn Dialect;

    /// The pool connections are taken from.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// When the answers to statements sent together in one round trip arrive.
    const ARRIVAL: Arrival;

    /// Whether the lock [`begin_locked`](Self::begin_locked) takes belongs to the session
    /// rather than the transaction (MySQL's `GET_LOCK`): the engine then releases it after
    /// the commit or rollback ([`release_lock`](Self::release_lock)) and closes the
    /// connection instead of returning it to the pool, so that no path (an error, a panic,
    /// a dropped future) leaves it held by an idle connection.
    const SESSION_LOCK: bool = false;

    /// Reads the database's schema within `scope`, with a constant number of queries.
    async fn reflect(&self, db: &mut Counted<'_, Self::Db>, scope: &Scope) -> Result<Schema>;

    /// See [`Session::canonicalize`].
    async fn canonicalize(
        &self,
        db: &mut Counted<'_, Self::Db>,
        tables: &[TableDef],
    ) -> Result<Vec<TableDef>>;

    /// See [`Session::answer`].
    async fn answer(
        &self,
        db: &mut Counted<'_, Self::Db>,
        questions: &[Question],
    ) -> Result<Answers>;

    /// See [`Session::dependents`].
    async fn dependents(
        &self,
        db: &mut Counted<'_, Self::Db>,
        scope: &Scope,
        actual: &Schema,
    ) -> Result<Vec<DependentObject>>;

    /// Refuses `plan` before its first statement runs or is tried when this connection
    /// cannot carry it out (PostgreSQL: more locks than the server's lock table holds;
    /// SQLite: a rebuild with foreign keys on). Nothing to check by default.
    async fn check_before_steps(&self, db: &mut Counted<'_, Self::Db>, plan: &Plan) -> Result<()> {
        let _ = (db, plan);
        Ok(())
    }

    /// Which of `needs` (what a plan's steps need the connected role to be allowed, see
    /// [`dbconform_core::privileges`]) the role may not do, each with why and the way out,
    /// read with a constant number of statements (PostgreSQL: ownership, CREATE and
    /// REFERENCES). Nothing checked by default: every need allowed, no statement sent.
    async fn privileges(
        &self,
        db: &mut Counted<'_, Self::Db>,
        needs: &[Need],
    ) -> Result<Privileges> {
        let _ = (db, needs);
        Ok(Privileges::default())
    }

    /// Tries `plan`'s steps somewhere the database itself does not change, for a backend
    /// whose transaction cannot undo DDL (MySQL: a scratch database); returns the outcomes
    /// and where they ran. `None`, the default: the engine tries them in savepoints of
    /// the locked transaction, which it then rolls back.
    async fn try_elsewhere(
        &self,
        db: &mut Counted<'_, Self::Db>,
        plan: &Plan,
    ) -> Result<Option<(Vec<PreflightStep>, String)>> {
        let _ = (db, plan);
        Ok(None)
    }

    /// Sets the timeouts of [`Options::lock_timeout`] and [`Options::statement_timeout`]
    /// for the transaction [`begin_locked`](Self::begin_locked) began (PostgreSQL: `SET
    /// LOCAL`). Nothing by default.
    async fn set_timeouts(&self, db: &mut Counted<'_, Self::Db>, options: &Options) -> Result<()> {
        let _ = (db, options);
        Ok(())
    }

    /// Whether `error` is a statement that gave up waiting for a lock (the lock timeout):
    /// the engine then rolls back and tries the apply again. `false` by default.
    fn lock_timed_out(&self, error: &dbconform_core::Error) -> bool {
        let _ = error;
        false
    }

    /// The sessions holding locks on the tables of `scope` whose transactions are older
    /// than `older_than`, one line each, for the progress while an apply waits and for
    /// [`Error::LockTimeout`](dbconform_core::Error::LockTimeout). None by default.
    async fn lock_holders(
        &self,
        db: &mut Counted<'_, Self::Db>,
        scope: &Scope,
        older_than: std::time::Duration,
    ) -> Result<Vec<String>> {
        let _ = (db, scope, older_than);
        Ok(Vec::new())
    }

    /// Takes the schema-change lock of `scope` for the session on `conn`, outside any
    /// transaction, for an online apply ([`Options::online`]): it conflicts with
    /// [`begin_locked`](Self::begin_locked)'s, and lasts until the connection is closed.
    /// Refused by default (a backend without online mode never gets here: its dialect
    /// refuses to plan one).
    async fn lock_session(
        &self,
        conn: &mut Conn<Self>,
        scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<()> {
        let _ = (conn, scope, counter);
        let dialect = self.dialect();
        Err(dbconform_core::online::unsupported(
            dialect.name(),
            dialect.display_name(),
        ))
    }

    /// Sets the timeouts of [`Options::lock_timeout`] and [`Options::statement_timeout`]
    /// for the whole session on `db` (online mode, whose statements run in many short
    /// transactions and outside any; the engine closes the connection afterwards).
    /// Nothing by default.
    async fn set_session_timeouts(
        &self,
        db: &mut Counted<'_, Self::Db>,
        options: &Options,
    ) -> Result<()> {
        let _ = (db, options);
        Ok(())
    }

    /// The sessions holding locks on any of `tables` whose transactions are older than
    /// `older_than`, one line each naming the tables it holds (`pid 4242 (app `report`,
    /// idle in transaction for 62 s) holds public.orders`), oldest first: the warnings of
    /// a plan about to run ([`Plan::warnings`]); with `concurrent` (see
    /// [`Session::holders`]) every session with so old a transaction in the database too.
    /// None by default.
    async fn table_holders(
        &self,
        db: &mut Counted<'_, Self::Db>,
        tables: &[dbconform_core::QualifiedName],
        older_than: std::time::Duration,
        concurrent: bool,
    ) -> Result<Vec<String>> {
        let _ = (db, tables, older_than, concurrent);
        Ok(Vec::new())
    }

    /// Begins a transaction holding the schema-change lock of `scope`: conformers of the
    /// same target queue here, and each plans from the state the previous one committed.
    async fn begin_locked<'c>(
        &self,
        conn: &'c mut Conn<Self>,
        scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<sqlx::Transaction<'c, Self::Db>>;

    /// Releases a session lock ([`SESSION_LOCK`](Self::SESSION_LOCK)) once the
    /// transaction of [`begin_locked`](Self::begin_locked) has ended. Nothing by default.
    async fn release_lock(
        &self,
        conn: &mut Conn<Self>,
        scope: &Scope,
        counter: &StatementCounter,
    ) -> Result<()> {
        let _ = (conn, scope, counter);
        Ok(())
    }

    /// Whether `step` needs the connection set up outside any transaction before it runs.
    /// None does by default.
    fn needs_setup(&self, step: &Step) -> bool {
        let _ = step;
        false
    }

    /// Sets the connection up for the steps that need it; `conn` is in no transaction.
    async fn set_up(
        &self,
        conn: &mut Conn<Self>,
        counter: &StatementCounter,
    ) -> Result<Self::SetUp> {
        let _ = (conn, counter);
        Ok(Self::SetUp::default())
    }

    /// Undoes [`set_up`](Self::set_up); `false` when the connection could not be restored
    /// (the engine then closes it rather than return it to the pool).
    async fn restore(
        &self,
        conn: &mut Conn<Self>,
        set_up: Self::SetUp,
        counter: &StatementCounter,
    ) -> bool {
        let _ = (conn, set_up, counter);
        true
    }

    /// Checks, after executing `plan` on a set-up connection and before the commit, what
    /// its set-up steps left (SQLite: `PRAGMA foreign_key_check` after rebuilds). An
    /// error rolls the apply back.
    async fn check_set_up_steps(
        &self,
        conn: &mut Conn<Self>,
        plan: &Plan,
        counter: &StatementCounter,
    ) -> Result<()> {
        let _ = (conn, plan, counter);
        Ok(())
    }

    /// The statement [`check_set_up_steps`](Self::check_set_up_steps) runs, named in a
    /// preflight step's outcome when it fails.
    fn set_up_check_statement(&self) -> &'static str {
        "the check after the set-up steps"
    }
}

/// What [`Engine::run`] does with the plan made under the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Execute it and commit.
    Apply,
    /// Try every step in a savepoint of its own and roll back.
    Preflight,
}

/// What [`Engine::run`] did.
enum Outcome {
    Applied(Report),
    Tried(PreflightReport),
    /// Only the steps that must commit before the others ran, and committed
    /// ([`Dialect::commits_before_others`]); the rest of the plan is still to run.
    CommittedFirst(Report),
}

/// The arguments of one [`Engine::run`].
#[derive(Clone, Copy)]
struct Run<'a> {
    mode: Mode,
    scope: &'a Scope,
    desired: &'a [TableDef],
    options: &'a Options,
    started: Instant,
    /// Whether steps that must commit before the others may still be run on their own
    /// (false once they have).
    first: bool,
}

/// An invariant of [`Engine::run`] broken: a bug.
fn mode_mismatch() -> dbconform_core::Error {
    dbconform_core::Error::Internal {
        message: "dbconform's engine returned another outcome than the one asked for; this is a bug in dbconform, please report it. Nothing was committed.".into(),
    }
}

/// [`Error::NotConverged`](dbconform_core::Error::NotConverged) where every step has
/// committed as it ran (a backend without transactional DDL, online mode): its own text
/// would say nothing was.
fn not_converged_after_commits(steps: &[String], left: &Plan) -> dbconform_core::Error {
    dbconform_core::Error::Internal {
        message: format!(
            "after applying, dbconform still finds changes to make ({}); this is a bug in dbconform, please report it. The steps committed as they ran: all {} step(s) of the plan committed and stay applied ({})",
            left.steps()
                .iter()
                .map(|s| s.describe())
                .collect::<Vec<_>>()
                .join("; "),
            steps.len(),
            steps.join("; ")
        ),
    }
}

/// The pause before try `attempt + 1` after a lock timeout: 100 ms doubling to at most
/// 5 s, but never shorter than `waited`, the lock timeout the try spent queued (the
/// application's queries queue behind a waiting DDL statement: pausing at least as long
/// lets them run at least half the time), plus a random part of up to a half (so that
/// conformers do not wake together).
fn backoff(attempt: u32, waited: std::time::Duration) -> std::time::Duration {
    let full = 100u64
        .saturating_mul(1 << attempt.saturating_sub(1).min(6))
        .min(5_000)
        .max(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX));
    // The jitter comes from the clock: no generator needed for spreading wake-ups.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    std::time::Duration::from_millis(full.saturating_add(nanos % (full / 2 + 1)))
}

/// A connection and the counter of the statements sent on it.
pub(crate) struct Counted<'c, DB: Database> {
    /// The connection (in or out of a transaction).
    pub(crate) conn: &'c mut DB::Connection,
    /// Where its statements are counted.
    pub(crate) counter: &'c StatementCounter,
}

/// One connection of backend `B`, in or out of a transaction: the [`Session`] of every
/// backend, its hooks calling the backend's, its execution written once.
struct BackendSession<'c, B: Backend> {
    backend: &'c B,
    db: Counted<'c, B::Db>,
}

#[async_trait]
impl<B: Backend> Session for BackendSession<'_, B>
where
    for<'e> &'e mut Conn<B>: Executor<'e, Database = B::Db>,
{
    fn dialect(&self) -> &'static dyn Dialect {
        self.backend.dialect()
    }

    async fn reflect(&mut self, scope: &Scope) -> Result<Schema> {
        self.backend.reflect(&mut self.db, scope).await
    }

    async fn canonicalize(&mut self, tables: &[TableDef]) -> Result<Vec<TableDef>> {
        self.backend.canonicalize(&mut self.db, tables).await
    }

    async fn run_steps(&mut self, plan: Plan) -> Result<Report> {
        self.backend.check_before_steps(&mut self.db, &plan).await?;
        driver::run_steps::<B::Db>(self.db.conn, plan, self.db.counter, B::ARRIVAL).await
    }

    async fn answer(&mut self, questions: &[Question]) -> Result<Answers> {
        self.backend.answer(&mut self.db, questions).await
    }

    async fn dependents(&mut self, scope: &Scope, actual: &Schema) -> Result<Vec<DependentObject>> {
        self.backend.dependents(&mut self.db, scope, actual).await
    }

    async fn holders(
        &mut self,
        tables: &[dbconform_core::QualifiedName],
        older_than: std::time::Duration,
        concurrent: bool,
    ) -> Result<Vec<String>> {
        self.backend
            .table_holders(&mut self.db, tables, older_than, concurrent)
            .await
    }

    async fn privileges(&mut self, needs: &[Need]) -> Result<Privileges> {
        self.backend.privileges(&mut self.db, needs).await
    }

    async fn verify_dependents(&mut self, objects: &[DependentObject]) -> Result<()> {
        driver::verify_dependents::<B::Db>(self.db.conn, objects, self.db.counter).await
    }

    async fn try_steps(&mut self, plan: &Plan) -> Result<Tried> {
        self.backend.check_before_steps(&mut self.db, plan).await?;
        if let Some((steps, workspace)) = self.backend.try_elsewhere(&mut self.db, plan).await? {
            return Ok(Tried {
                steps,
                workspace: Some(workspace),
            });
        }
        let dialect = self.backend.dialect();
        if !dialect.transactional_ddl() {
            // Savepoints would not undo the steps: refuse rather than change the database.
            return Err(dbconform_core::Error::Unsupported {
                dialect: dialect.name(),
                table: None,
                what: format!(
                    "preflight tries the plan's steps in a transaction it then rolls back, but {} commits each DDL statement on its own, so nothing would be rolled back; nothing was run. Read the plan with compare instead",
                    dialect.display_name()
                ),
            });
        }
        Ok(Tried {
            steps: driver::try_steps::<B::Db>(self.db.conn, plan, self.db.counter).await?,
            workspace: None,
        })
    }
}

/// A [`Driver`] over any [`Backend`].
pub(crate) struct Engine<B: Backend> {
    backend: B,
    counter: StatementCounter,
    /// A connection the backend opened while connecting (to report a wrong URL at once),
    /// kept for the first read-only operation instead of opening another: a one-shot
    /// compare costs one connection, not two. Closed after that operation.
    spare: Mutex<Option<Conn<B>>>,
}

/// The connection one read-only operation runs on.
enum Lease<DB: Database> {
    /// The connection the backend opened while connecting.
    Spare(DB::Connection),
    /// One of the pool's.
    Pooled(PoolConnection<DB>),
}

impl<DB: Database> Lease<DB> {
    fn conn(&mut self) -> &mut DB::Connection {
        match self {
            Lease::Spare(conn) => conn,
            Lease::Pooled(conn) => conn,
        }
    }

    /// Ends the operation: the spare is closed (the pool serves from now on), a pooled
    /// connection goes back to the pool.
    async fn release(self) {
        if let Lease::Spare(conn) = self {
            let _ = conn.close().await;
        }
    }
}

/// A pooled connection set up by [`Backend::set_up`]. Give it back with
/// [`restore`](SetUpConnection::restore); dropped otherwise (a failure or panic half-way,
/// a dropped future), it closes the connection so that nobody inherits the setting.
struct SetUpConnection<'e, B: Backend> {
    backend: &'e B,
    counter: &'e StatementCounter,
    conn: Option<PoolConnection<B::Db>>,
    set_up: Option<B::SetUp>,
}

impl<'e, B: Backend> SetUpConnection<'e, B> {
    async fn new(
        backend: &'e B,
        counter: &'e StatementCounter,
        conn: PoolConnection<B::Db>,
    ) -> Result<Self> {
        let mut guard = SetUpConnection {
            backend,
            counter,
            conn: Some(conn),
            set_up: None,
        };
        guard.set_up = Some(backend.set_up(guard.conn(), counter).await?);
        Ok(guard)
    }

    fn conn(&mut self) -> &mut Conn<B> {
        match self.conn.as_mut() {
            Some(conn) => conn,
            None => unreachable!("the guard holds its connection until restored"),
        }
    }

    /// Restores the connection and returns it to the pool; closes it when it cannot be
    /// restored.
    async fn restore(mut self) {
        let Some(set_up) = self.set_up.take() else {
            return;
        };
        let (backend, counter) = (self.backend, self.counter);
        if backend.restore(self.conn(), set_up, counter).await {
            drop(self.conn.take());
        } else {
            tracing::warn!("could not restore a connection's settings; closing it");
        }
        // Otherwise `Drop` detaches and closes the connection.
    }
}

impl<B: Backend> Drop for SetUpConnection<'_, B> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closing the connection rolls back any open transaction; the pool never sees
            // it again.
            drop(conn.detach());
        }
    }
}

impl<B: Backend> std::fmt::Debug for Engine<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("backend", &self.backend)
            .field("statements", &self.counter.get())
            .finish_non_exhaustive()
    }
}

impl<B: Backend> Engine<B>
where
    for<'e> &'e mut Conn<B>: Executor<'e, Database = B::Db>,
{
    /// `conn` with this engine's statement counter, as the backend's hooks take it.
    fn counted<'c>(&'c self, conn: &'c mut Conn<B>) -> Counted<'c, B::Db> {
        Counted {
            conn,
            counter: &self.counter,
        }
    }

    /// A session on `conn`.
    fn session<'c>(&'c self, conn: &'c mut Conn<B>) -> Box<dyn Session + 'c> {
        Box::new(BackendSession {
            backend: &self.backend,
            db: self.counted(conn),
        })
    }

    /// The engine over `backend`; `spare` is a connection it opened while connecting.
    pub(crate) fn new(backend: B, spare: Option<Conn<B>>) -> Self {
        Engine {
            backend,
            counter: StatementCounter::default(),
            spare: Mutex::new(spare),
        }
    }

    fn needs_setup(&self, plan: &Plan) -> bool {
        plan.steps().iter().any(|s| self.backend.needs_setup(s))
    }

    async fn acquire(&self) -> Result<PoolConnection<B::Db>> {
        self.backend
            .pool()
            .acquire()
            .await
            .map_err(db_error("acquiring a connection"))
    }

    /// A connection for one read-only operation: the spare while there is one and it
    /// still answers, the pool's otherwise.
    async fn lease(&self) -> Result<Lease<B::Db>> {
        // A poisoned lock only means another operation panicked while taking the spare.
        let spare = self.spare.lock().map(|mut s| s.take()).unwrap_or(None);
        if let Some(mut conn) = spare
            && conn.ping().await.is_ok()
        {
            return Ok(Lease::Spare(conn));
        }
        Ok(Lease::Pooled(self.acquire().await?))
    }

    /// Applies or tries the plan for `desired` ([`run_once`](Self::run_once)); when a
    /// statement gives up on the lock timeout, rolled back, tries again after a pause
    /// (exponential backoff with jitter), planning again each time, until
    /// [`Options::lock_retry_for`] runs out: then [`Error::LockTimeout`] names the
    /// sessions holding the tables.
    ///
    /// [`Error::LockTimeout`]: dbconform_core::Error::LockTimeout
    async fn run(
        &self,
        mode: Mode,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Outcome> {
        let started = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let error = match self.run_once(mode, scope, desired, options).await {
                Ok(Outcome::Applied(mut report)) => {
                    report.attempts = attempts;
                    if attempts > 1 {
                        // The waits between the tries count too.
                        report.total = started.elapsed();
                    }
                    return Ok(Outcome::Applied(report));
                }
                Ok(outcome) => return Ok(outcome),
                Err(error) if self.backend.lock_timed_out(&error) => error,
                Err(error) => return Err(error),
            };
            let holders = self.lock_holders(scope, options).await;
            let pause = backoff(attempts, options.lock_timeout.unwrap_or_default());
            if started.elapsed() + pause > options.lock_retry_for {
                let (step, description) = match error {
                    dbconform_core::Error::StepFailed {
                        step, description, ..
                    } => (step, description),
                    _ => (0, "reading the schema".to_string()),
                };
                return Err(dbconform_core::Error::LockTimeout {
                    attempts,
                    waited: started.elapsed(),
                    step,
                    description,
                    blockers: holders,
                    online: options.online,
                });
            }
            for holder in &holders {
                tracing::warn!(attempt = attempts, "lock timeout: waiting for {holder}");
            }
            if holders.is_empty() {
                tracing::warn!(attempt = attempts, "lock timeout: trying again: {error}");
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// The sessions holding the scope's tables (see [`Backend::lock_holders`]); none when
    /// they cannot be read (the error that follows says what it can without them).
    async fn lock_holders(&self, scope: &Scope, options: &Options) -> Vec<String> {
        let older_than = options.lock_timeout.unwrap_or_default();
        let Ok(mut conn) = self.acquire().await else {
            return Vec::new();
        };
        if B::SESSION_LOCK {
            conn.close_on_drop();
        }
        self.backend
            .lock_holders(&mut self.counted(&mut conn), scope, older_than)
            .await
            .unwrap_or_default()
    }

    /// One try of [`run`](Self::run): in one locked transaction when no step needs the
    /// connection set up; otherwise that transaction only plans, and the flow runs again
    /// on a set-up connection (restored on every path).
    async fn run_once(
        &self,
        mode: Mode,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Outcome> {
        if options.online && mode == Mode::Apply {
            return self
                .apply_online(scope, desired, options)
                .await
                .map(Outcome::Applied);
        }
        let started = Instant::now();
        let mut outcome = self
            .run_rest(mode, scope, desired, options, started, true)
            .await;
        // The steps that had to commit first did: the rest runs in a transaction of its
        // own, planned again.
        let first = match outcome {
            Ok(Outcome::CommittedFirst(report)) => {
                outcome = self
                    .run_rest(mode, scope, desired, options, started, false)
                    .await;
                report
            }
            other => return other,
        };
        let committed: Vec<String> = first.executed.iter().map(|e| e.step.describe()).collect();
        match outcome {
            Ok(Outcome::Applied(mut report)) => {
                let mut executed = first.executed;
                executed.append(&mut report.executed);
                report.executed = executed;
                let mut round_trips = first.round_trips;
                round_trips.append(&mut report.round_trips);
                report.round_trips = round_trips;
                report.committed_first = committed;
                report.total = started.elapsed();
                Ok(Outcome::Applied(report))
            }
            Ok(Outcome::CommittedFirst(_)) => Err(mode_mismatch()),
            Ok(outcome) => Ok(outcome),
            Err(error) => Err(dbconform_core::Error::FailedAfterCommitted {
                committed,
                error: Box::new(error),
            }),
        }
    }

    /// One locked transaction of [`run_once`](Self::run_once), or two when the plan
    /// needs a set-up connection. With `first`, a plan holding steps that must commit
    /// before the others ([`Dialect::commits_before_others`]) runs and commits only those
    /// ([`Outcome::CommittedFirst`]): the caller then runs again for the rest.
    async fn run_rest(
        &self,
        mode: Mode,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
        started: Instant,
        first: bool,
    ) -> Result<Outcome> {
        let mut conn = self.acquire().await?;
        if B::SESSION_LOCK {
            // Whatever happens from here, the connection holding the lock is closed, not
            // returned to the pool still holding it.
            conn.close_on_drop();
        }
        let run = Run {
            mode,
            scope,
            desired,
            options,
            started,
            first,
        };
        if let Some(outcome) = self.locked(&mut conn, &run, false).await? {
            return Ok(outcome);
        }
        let mut set_up = SetUpConnection::new(&self.backend, &self.counter, conn).await?;
        let outcome = self.locked(set_up.conn(), &run, true).await;
        set_up.restore().await;
        outcome?.ok_or_else(mode_mismatch)
    }

    /// One locked transaction of [`run`](Self::run): plans under the lock and, unless
    /// the plan needs a set-up connection this one is not (`None`), executes (apply,
    /// then commits) or tries (preflight, then rolls back) it.
    async fn locked(
        &self,
        conn: &mut Conn<B>,
        run: &Run<'_>,
        set_up: bool,
    ) -> Result<Option<Outcome>> {
        let Run {
            mode,
            scope,
            desired,
            options,
            started,
            first,
        } = *run;
        let mut tx = self
            .backend
            .begin_locked(conn, scope, &self.counter)
            .await?;
        self.backend
            .set_timeouts(&mut self.counted(&mut tx), options)
            .await?;
        let mut session = self.session(&mut tx);
        let ran = async {
            let (plan, _) = driver::plan_on(&mut *session, scope, desired, options).await?;
            if !set_up && self.needs_setup(&plan) {
                return Ok(None);
            }
            let dialect = self.backend.dialect();
            // A plan refused as a whole (`fail_on_blocked`) runs nothing, first or not.
            let refused = options.fail_on_blocked && !plan.blocked().is_empty();
            if first
                && mode == Mode::Apply
                && !refused
                && plan
                    .steps()
                    .iter()
                    .any(|s| dialect.commits_before_others(&s.change))
            {
                let steps: Vec<Step> = plan
                    .steps()
                    .iter()
                    .filter(|s| dialect.commits_before_others(&s.change))
                    .cloned()
                    .collect();
                let only = Plan::new(dialect.name(), steps, Vec::new(), Vec::new());
                let report = session.run_steps(only).await?;
                return Ok(Some((Outcome::CommittedFirst(report), None)));
            }
            let checked = set_up.then(|| plan.clone());
            let outcome = match mode {
                Mode::Apply => {
                    // Without transactional DDL every step that ran before a failure
                    // stays: the error says which.
                    let steps: Option<Vec<String>> = (!self.backend.dialect().transactional_ddl())
                        .then(|| plan.steps().iter().map(|s| s.describe()).collect());
                    let executed =
                        driver::execute_on(&mut *session, plan, scope, desired, options, started)
                            .await;
                    Outcome::Applied(match (executed, steps) {
                        (
                            Err(dbconform_core::Error::StepFailed {
                                step,
                                description,
                                statement,
                                source,
                            }),
                            Some(steps),
                        ) => {
                            return Err(dbconform_core::Error::PartiallyApplied {
                                committed: steps.into_iter().take(step.saturating_sub(1)).collect(),
                                step,
                                description,
                                statement,
                                source,
                            });
                        }
                        (Err(dbconform_core::Error::NotConverged { plan }), Some(steps)) => {
                            return Err(not_converged_after_commits(&steps, &plan));
                        }
                        (executed, _) => executed?,
                    })
                }
                Mode::Preflight => {
                    Outcome::Tried(driver::try_on(&mut *session, plan, started).await?)
                }
            };
            Ok(Some((outcome, checked)))
        }
        .await;
        drop(session);
        let ran = match ran {
            Ok(Some((outcome, Some(checked)))) => {
                let check = self
                    .backend
                    .check_set_up_steps(&mut tx, &checked, &self.counter)
                    .await;
                match (outcome, check) {
                    (outcome, Ok(())) => Ok(Some(outcome)),
                    (Outcome::Applied(_) | Outcome::CommittedFirst(_), Err(error)) => Err(error),
                    (Outcome::Tried(mut report), Err(error)) => {
                        // The last set-up step that succeeded is the one that failed.
                        if let Some(last) = report
                            .steps
                            .iter_mut()
                            .rev()
                            .find(|s| self.backend.needs_setup(&s.step))
                            && last.outcome == StepOutcome::Ok
                        {
                            last.outcome = StepOutcome::Failed {
                                statement: self.backend.set_up_check_statement().to_string(),
                                message: error.to_string(),
                            };
                        }
                        Ok(Some(Outcome::Tried(report)))
                    }
                }
            }
            Ok(Some((outcome, None))) => Ok(Some(outcome)),
            Ok(None) => Ok(None),
            Err(error) => Err(error),
        };
        let ended = match (&ran, mode) {
            (Ok(Some(_)), Mode::Apply) => self.commit(tx).await,
            // The error is the one to report, not a failure to roll back after it.
            (Err(_), _) => {
                let _ = self.rollback(tx).await;
                Ok(())
            }
            _ => self.rollback(tx).await,
        };
        if B::SESSION_LOCK
            && let Err(error) = self.backend.release_lock(conn, scope, &self.counter).await
        {
            // The connection is closed after the run, which releases the lock too.
            tracing::warn!(%error, "could not release the schema-change lock; closing the connection releases it");
        }
        ended?;
        ran
    }

    async fn commit(&self, tx: sqlx::Transaction<'_, B::Db>) -> Result<()> {
        self.counter.add(1);
        tx.commit().await.map_err(db_error("COMMIT"))
    }

    async fn rollback(&self, tx: sqlx::Transaction<'_, B::Db>) -> Result<()> {
        self.counter.add(1);
        tx.rollback().await.map_err(db_error("ROLLBACK"))
    }
}

#[async_trait]
impl<B: Backend> Driver for Engine<B>
where
    for<'e> &'e mut Conn<B>: Executor<'e, Database = B::Db>,
{
    fn dialect(&self) -> &'static dyn Dialect {
        self.backend.dialect()
    }

    fn counter(&self) -> &StatementCounter {
        &self.counter
    }

    async fn reflect(&self, scope: &Scope) -> Result<Schema> {
        let mut lease = self.lease().await?;
        let schema = self.session(lease.conn()).reflect(scope).await;
        lease.release().await;
        schema
    }

    async fn compare(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Plan> {
        let mut lease = self.lease().await?;
        let mut session = self.session(lease.conn());
        let plan = driver::plan_on(&mut *session, scope, desired, options).await;
        drop(session);
        lease.release().await;
        Ok(plan?.0)
    }

    async fn apply(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<Report> {
        match self.run(Mode::Apply, scope, desired, options).await? {
            Outcome::Applied(report) => Ok(report),
            Outcome::Tried(_) | Outcome::CommittedFirst(_) => Err(mode_mismatch()),
        }
    }

    /// Like [`apply`](Self::apply), rolling back instead of committing; a failure of the
    /// check of set-up steps is reported as the failure of the last of them that ran.
    async fn preflight(
        &self,
        scope: &Scope,
        desired: &[TableDef],
        options: &Options,
    ) -> Result<PreflightReport> {
        match self.run(Mode::Preflight, scope, desired, options).await? {
            Outcome::Tried(report) => Ok(report),
            Outcome::Applied(_) | Outcome::CommittedFirst(_) => Err(mode_mismatch()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_after_a_lock_timeout_grows_and_is_never_shorter_than_the_wait() {
        use std::time::Duration;
        let ms = |d: Duration| d.as_millis();
        let first = backoff(1, Duration::ZERO);
        assert!((100..=150).contains(&ms(first)), "{first:?}");
        let sixth = backoff(6, Duration::ZERO);
        assert!((3_200..=4_800).contains(&ms(sixth)), "{sixth:?}");
        let capped = backoff(30, Duration::ZERO);
        assert!((5_000..=7_500).contains(&ms(capped)), "{capped:?}");
        let after_two_seconds = backoff(1, Duration::from_secs(2));
        assert!(
            (2_000..=3_000).contains(&ms(after_two_seconds)),
            "{after_two_seconds:?}"
        );
    }

    #[test]
    fn not_converged_after_commits_says_the_steps_stay_applied() {
        let left = Plan::new("x", Vec::new(), Vec::new(), Vec::new());
        let steps = vec!["create table a".to_string(), "create table b".to_string()];
        let text = not_converged_after_commits(&steps, &left).to_string();
        assert!(text.contains("bug in dbconform"), "{text}");
        assert!(
            text.contains("all 2 step(s) of the plan committed and stay applied (create table a; create table b)"),
            "{text}"
        );
        assert!(!text.contains("Nothing was committed"), "{text}");
    }
}
