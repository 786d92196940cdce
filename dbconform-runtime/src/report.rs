//! What an apply did.

use dbconform_core::{BlockedStep, Drift, Step};
use serde::{Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// One executed step and how long it took.
#[derive(Debug, Clone, Serialize)]
pub struct ExecutedStep {
    /// The step.
    pub step: Step,
    /// Wall-clock time of its statements, when it could be measured on its own. `None`
    /// when its statements went to the database in one round trip with other steps' and
    /// the database answers them all only when the last is done (PostgreSQL): the time is
    /// the round trip's, in [`Report::round_trips`], and giving it to any one step would be
    /// false.
    #[serde(rename = "seconds", serialize_with = "optional_seconds")]
    pub duration: Option<Duration>,
}

/// One round trip of an apply: statements sent together, and the time from sending them
/// to the last answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundTrip {
    /// The number (from 1, as in the report) of the first step with a statement in it.
    pub first_step: usize,
    /// The number of the last step with a statement in it.
    pub last_step: usize,
    /// How many statements it sent.
    pub statements: usize,
    /// From sending to the last answer.
    #[serde(rename = "seconds", serialize_with = "seconds")]
    pub duration: Duration,
}

/// The outcome of an apply: what was executed, what the policy blocked, what drift was kept.
///
/// Printed, it lists each executed step with its time; serialized (serde), it is the
/// `--format json` output of the CLI's `apply`.
///
/// ```no_run
/// # mod dbconform { pub use dbconform_runtime::core::*; pub use dbconform_runtime::*; }
/// # async fn run(db: dbconform::DbConform) -> dbconform::Result<()> {
/// let report = db.apply_all().await?;
/// println!("{report}");
/// for executed in &report.executed {
///     println!("[{}] {:?}: {} statement(s)", executed.step.code, executed.duration, executed.step.sql.len());
/// }
/// if !report.is_conformant() {
///     for blocked in &report.blocked {
///         eprintln!("not applied: {} ({})", blocked.step.describe(), blocked.why());
///     }
/// }
/// // Or refuse to go on, changing nothing, while anything needed stays blocked:
/// let strict = db.with_options(dbconform::Options { fail_on_blocked: true, ..Default::default() });
/// assert!(strict.apply_all().await?.is_conformant());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Backend (`sqlite`, `postgres`, `mysql`).
    pub dialect: String,
    /// Executed steps, in order.
    pub executed: Vec<ExecutedStep>,
    /// Steps the policy refused.
    pub blocked: Vec<BlockedStep>,
    /// Database objects the declared schema does not mention, kept.
    pub drift: Vec<Drift>,
    /// The round trips that executed the steps, in order; their durations add up to the
    /// time spent executing statements.
    pub round_trips: Vec<RoundTrip>,
    /// Total time, including locking, reflection and verification.
    #[serde(rename = "total_seconds", serialize_with = "seconds")]
    pub total: Duration,
    /// How many times the apply was tried: more than 1 when a statement hit the lock
    /// timeout and the apply was rolled back and tried again
    /// ([`Options::lock_retry_for`](dbconform_core::Options::lock_retry_for)).
    pub attempts: u32,
    /// For an online apply ([`Options::online`](dbconform_core::Options::online)): each
    /// phase that ran, in order; all of them committed. Empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseRun>,
    /// What committed in a transaction of its own before the others (each step's
    /// description): what the backend's later statements could not use in the
    /// transaction making it ([`Dialect::commits_before_others`]: PostgreSQL's new enum
    /// labels). These steps are the first of [`executed`](Report::executed); everything
    /// else ran in one transaction after them. Empty when nothing had to.
    ///
    /// [`Dialect::commits_before_others`]: dbconform_core::dialect::Dialect::commits_before_others
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub committed_first: Vec<String>,
}

/// One phase of an online apply that ran and committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseRun {
    /// The phase's number, 1 to 5 (see [`dbconform_core::online`]).
    pub phase: u8,
    /// What it does (`indexes built concurrently`).
    pub name: String,
    /// How many statements it ran.
    pub statements: usize,
    /// How many of them ran outside a transaction (`CREATE INDEX CONCURRENTLY`).
    pub outside_transaction: usize,
    /// How long it took.
    #[serde(rename = "seconds", serialize_with = "seconds")]
    pub duration: Duration,
}

impl Report {
    /// `true` when nothing was executed.
    pub fn is_noop(&self) -> bool {
        self.executed.is_empty()
    }

    /// `true` when the database now conforms to the declared tables: no step needed for
    /// it was blocked. Drift (undeclared objects kept) does not count against it.
    pub fn is_conformant(&self) -> bool {
        self.blocked.is_empty()
    }

    /// Number of SQL statements executed.
    pub fn statements(&self) -> usize {
        if !self.phases.is_empty() {
            // Online, the phases' statements ran instead of the steps' own SQL.
            return self.phases.iter().map(|p| p.statements).sum();
        }
        self.executed.iter().map(|e| e.step.sql.len()).sum()
    }
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

fn optional_seconds<S: Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => serializer.serialize_f64(duration.as_secs_f64()),
        None => serializer.serialize_none(),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.total.as_secs_f64() * 1000.0;
        let blocked = format!(
            "{} step{} blocked",
            self.blocked.len(),
            if self.blocked.len() == 1 { "" } else { "s" }
        );
        if self.executed.is_empty() && self.is_conformant() {
            writeln!(f, "Nothing to do: the database conforms ({ms:.1} ms).")?;
        } else if self.executed.is_empty() {
            writeln!(
                f,
                "Nothing applied: the database does not conform, {blocked} ({ms:.1} ms):"
            )?;
        } else {
            // Where DDL is not transactional each step committed as it ran.
            let how = match dbconform_core::dialect::by_name(&self.dialect) {
                _ if !self.phases.is_empty() => "online, phase by phase",
                Some(d) if !d.transactional_ddl() => "each step committed as it ran",
                _ if !self.committed_first.is_empty() => {
                    "the first committed in a transaction of their own (new enum labels a transaction cannot use before they commit), the rest in one transaction"
                }
                _ => "in one transaction",
            };
            let how = if self.committed_first.is_empty() {
                how.to_string()
            } else {
                how.replacen(
                    "the first",
                    &format!("the first {}", self.committed_first.len()),
                    1,
                )
            };
            writeln!(
                f,
                "Applied {} step(s), {} statement(s), {how} ({ms:.1} ms):",
                self.executed.len(),
                self.statements()
            )?;
            for (i, e) in self.executed.iter().enumerate() {
                let time = match e.duration {
                    Some(d) => format!(" ({:.1} ms)", d.as_secs_f64() * 1000.0),
                    None => String::new(),
                };
                writeln!(
                    f,
                    "  {:>3}. [{} {}] {}{time}",
                    i + 1,
                    e.step.risk,
                    e.step.code,
                    e.step.describe(),
                )?;
                // Steps timed only together: their round trip's time, once, after the
                // last of them.
                for r in self.round_trips.iter().filter(|r| {
                    r.last_step == i + 1
                        && r.first_step < r.last_step
                        && self.executed[r.first_step - 1..r.last_step]
                            .iter()
                            .any(|e| e.duration.is_none())
                }) {
                    writeln!(
                        f,
                        "       steps {}–{} took {:.1} ms together (one round trip of {} statements, answered when the last was done)",
                        r.first_step,
                        r.last_step,
                        r.duration.as_secs_f64() * 1000.0,
                        r.statements
                    )?;
                }
            }
            for p in &self.phases {
                writeln!(
                    f,
                    "  phase {} ({}): {} statement(s){} committed ({:.1} ms)",
                    p.phase,
                    p.name,
                    p.statements,
                    if p.outside_transaction == 0 {
                        String::new()
                    } else {
                        format!(", {} outside a transaction,", p.outside_transaction)
                    },
                    p.duration.as_secs_f64() * 1000.0
                )?;
            }
            if !self.is_conformant() {
                writeln!(f, "The database does not conform: {blocked}:")?;
            }
        }
        for b in &self.blocked {
            writeln!(f, "  blocked: {} ({})", b.step.describe(), b.why())?;
        }
        for d in &self.drift {
            writeln!(f, "  drift kept: {}: {}", d.table, d.description)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbconform_core::dialect::SQLITE;
    use dbconform_core::planner::Planner;
    use dbconform_core::{Column, ColumnType, Options, Schema, TableDef};

    /// The text of a report of one step applied on `dialect`.
    fn applied(dialect: &str) -> String {
        let table = TableDef {
            name: "t".into(),
            columns: vec![Column::new("id", ColumnType::Integer)],
            ..TableDef::default()
        };
        let options = Options::default();
        let plan = Planner::new(&SQLITE, &options)
            .plan(&[table], &Schema::default())
            .expect("a plan");
        let (_, steps, blocked, drift) = plan.into_parts();
        Report {
            dialect: dialect.into(),
            executed: steps
                .into_iter()
                .map(|step| ExecutedStep {
                    step,
                    duration: None,
                })
                .collect(),
            blocked,
            drift,
            round_trips: Vec::new(),
            total: Duration::ZERO,
            attempts: 1,
            phases: Vec::new(),
            committed_first: Vec::new(),
        }
        .to_string()
    }

    #[test]
    fn the_report_says_how_the_steps_committed() {
        let postgres = applied("postgres");
        assert!(
            postgres.contains("Applied 1 step(s), 1 statement(s), in one transaction"),
            "{postgres}"
        );
        let mysql = applied("mysql");
        assert!(
            mysql.contains("Applied 1 step(s), 1 statement(s), each step committed as it ran"),
            "{mysql}"
        );
        assert!(!mysql.contains("in one transaction"), "{mysql}");
    }
}
