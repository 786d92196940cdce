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
    /// Wall-clock time of its statements.
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
    /// Backend (`sqlite`, `postgres`).
    pub dialect: String,
    /// Executed steps, in order.
    pub executed: Vec<ExecutedStep>,
    /// Steps the policy refused.
    pub blocked: Vec<BlockedStep>,
    /// Database objects the declared schema does not mention, kept.
    pub drift: Vec<Drift>,
    /// Total time, including locking, reflection and verification.
    #[serde(rename = "total_seconds", serialize_with = "seconds")]
    pub total: Duration,
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
        self.executed.iter().map(|e| e.step.sql.len()).sum()
    }
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
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
            writeln!(
                f,
                "Applied {} step(s), {} statement(s), in one transaction ({ms:.1} ms):",
                self.executed.len(),
                self.statements()
            )?;
            for (i, e) in self.executed.iter().enumerate() {
                writeln!(
                    f,
                    "  {:>3}. [{} {}] {} ({:.1} ms)",
                    i + 1,
                    e.step.risk,
                    e.step.code,
                    e.step.describe(),
                    e.duration.as_secs_f64() * 1000.0
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
