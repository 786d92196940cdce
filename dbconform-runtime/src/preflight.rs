//! What a preflight found: each step of the plan executed inside a transaction that is
//! rolled back — or, on a database whose DDL cannot be rolled back (MySQL), on empty
//! copies of the tables in a scratch database that is dropped — with whether it
//! succeeded and, if not, the database's message.

use dbconform_core::{BlockedStep, Drift, Step};
use serde::{Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// How one step fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StepOutcome {
    /// Every statement of the step succeeded.
    Ok,
    /// A statement failed; the step was undone (savepoint) and the next steps ran.
    Failed {
        /// The statement that failed.
        statement: String,
        /// The database's message.
        message: String,
    },
    /// The step has no SQL this version can run (a SQLite table rebuild): not tried.
    NotExecutable {
        /// Why.
        why: String,
    },
    /// Online mode ([`Options::online`](dbconform_core::Options::online)): the step's
    /// catalog-only statements (if any) succeeded; its concurrent builds and validations
    /// were not tried, since trying them in a transaction would take the lock online mode
    /// avoids. The data checks counted what would make them fail. Not a failure.
    NotTried {
        /// What was not tried.
        why: String,
    },
}

impl StepOutcome {
    /// `true` unless the step failed or could not be executed.
    pub fn is_ok(&self) -> bool {
        matches!(self, StepOutcome::Ok | StepOutcome::NotTried { .. })
    }
}

/// One step of a preflight.
#[derive(Debug, Clone, Serialize)]
pub struct PreflightStep {
    /// The step.
    pub step: Step,
    /// What happened.
    pub outcome: StepOutcome,
    /// Wall-clock time of its statements.
    #[serde(rename = "seconds", serialize_with = "seconds")]
    pub duration: Duration,
}

/// The outcome of a preflight: the plan executed step by step in one transaction (a
/// savepoint per step, continuing after a failure), then rolled back; on MySQL, on empty
/// copies of the affected tables in a scratch database ([`workspace`](Self::workspace)),
/// then dropped. Nothing in the database is changed.
#[derive(Debug, Clone, Serialize)]
pub struct PreflightReport {
    /// Backend (`sqlite`, `postgres`, `mysql`).
    pub dialect: String,
    /// The scratch database the steps were tried in, dropped since (MySQL, whose DDL
    /// cannot be rolled back: the copies are empty, so what the rows would make fail is
    /// the data checks' to say); `None`: the database's own transaction, rolled back.
    pub workspace: Option<String>,
    /// Every step of the plan, in order, with its outcome.
    pub steps: Vec<PreflightStep>,
    /// Steps the plan does not execute (policy, data problems), as in the plan.
    pub blocked: Vec<BlockedStep>,
    /// Database objects the declared schema does not mention, kept.
    pub drift: Vec<Drift>,
    /// Total time, including locking, reflection and the data checks.
    #[serde(rename = "total_seconds", serialize_with = "seconds")]
    pub total: Duration,
}

impl PreflightReport {
    /// `true` when every step succeeded (an apply would run the same statements).
    pub fn is_ok(&self) -> bool {
        self.steps.iter().all(|s| s.outcome.is_ok())
    }

    /// The steps that failed or could not be tried, with their 1-based numbers.
    pub fn failures(&self) -> Vec<(usize, &PreflightStep)> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.outcome.is_ok())
            .map(|(i, s)| (i + 1, s))
            .collect()
    }
}

fn seconds<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

impl fmt::Display for PreflightReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().len();
        let ms = self.total.as_secs_f64() * 1000.0;
        if self.steps.is_empty() {
            writeln!(
                f,
                "Preflight ({}): nothing to execute ({ms:.1} ms).",
                self.dialect
            )?;
        } else {
            let undone = match &self.workspace {
                None => "everything was rolled back".to_string(),
                Some(workspace) => format!(
                    "tried on empty copies of the tables in the scratch database `{workspace}`, dropped since (the rows are the data checks' to judge), nothing in the database changed"
                ),
            };
            writeln!(
                f,
                "Preflight ({}): {} of {} step(s) would succeed, {failed} would not; {undone} ({ms:.1} ms).",
                self.dialect,
                self.steps.len() - failed,
                self.steps.len()
            )?;
        }
        for (i, s) in self.steps.iter().enumerate() {
            let status = match &s.outcome {
                StepOutcome::Ok => "ok",
                StepOutcome::Failed { .. } => "FAILED",
                StepOutcome::NotExecutable { .. } => "not executable",
                StepOutcome::NotTried { .. } => "ok so far",
            };
            writeln!(
                f,
                "  {:>3}. {status}: [{} {}] {}",
                i + 1,
                s.step.risk,
                s.step.code,
                one_line(&s.step.describe())
            )?;
            match &s.outcome {
                StepOutcome::Ok => {}
                StepOutcome::Failed { statement, message } => {
                    writeln!(f, "       statement: {}", one_line(statement))?;
                    writeln!(f, "       database said: {}", one_line(message))?;
                }
                StepOutcome::NotExecutable { why } | StepOutcome::NotTried { why } => {
                    writeln!(f, "       {}", one_line(why))?
                }
            }
        }
        for b in &self.blocked {
            let why = b.why();
            writeln!(
                f,
                "  blocked: {} ({})",
                one_line(&b.step.describe()),
                one_line(&why)
            )?;
        }
        for d in &self.drift {
            writeln!(f, "  drift kept: {}: {}", d.table, one_line(&d.description))?;
        }
        Ok(())
    }
}

/// Keeps a text on one line.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbconform_core::{Change, ChangeKind, Risk};

    fn step() -> Step {
        Step {
            kind: ChangeKind::CreateSchema,
            table: None,
            risk: Risk::Safe,
            code: "DC001".into(),
            reason: "needed".into(),
            suggestion: None,
            sql: vec!["CREATE SCHEMA \"app\"".into()],
            rebuild: None,
            change: Change::CreateSchema {
                schema: "app".into(),
            },
            parts: Vec::new(),
            effects: Vec::new(),
        }
    }

    #[test]
    fn a_report_reads_at_a_glance_and_serializes() {
        let mut report = PreflightReport {
            dialect: "postgres".into(),
            workspace: None,
            steps: vec![
                PreflightStep {
                    step: step(),
                    outcome: StepOutcome::Ok,
                    duration: Duration::ZERO,
                },
                PreflightStep {
                    step: step(),
                    outcome: StepOutcome::Failed {
                        statement: "CREATE SCHEMA \"app\"".into(),
                        message: "schema \"app\" already exists".into(),
                    },
                    duration: Duration::ZERO,
                },
            ],
            blocked: Vec::new(),
            drift: Vec::new(),
            total: Duration::ZERO,
        };
        assert!(!report.is_ok());
        assert_eq!(report.failures().len(), 1);
        assert_eq!(
            report.to_string(),
            "Preflight (postgres): 1 of 2 step(s) would succeed, 1 would not; everything was rolled back (0.0 ms).\n    1. ok: [safe DC001] create schema app\n    2. FAILED: [safe DC001] create schema app\n       statement: CREATE SCHEMA \"app\"\n       database said: schema \"app\" already exists\n"
        );
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["steps"][1]["outcome"]["status"], "failed");
        assert_eq!(
            json["steps"][1]["outcome"]["message"],
            "schema \"app\" already exists"
        );
        assert_eq!(json["steps"][0]["outcome"]["status"], "ok");
        assert_eq!(json["workspace"], serde_json::Value::Null);

        // Tried in a scratch database (MySQL): the report says so.
        report.dialect = "mysql".into();
        report.workspace = Some("dbconform_preflight_1_a".into());
        assert!(report.to_string().starts_with(
            "Preflight (mysql): 1 of 2 step(s) would succeed, 1 would not; tried on empty copies of the tables in the scratch database `dbconform_preflight_1_a`, dropped since (the rows are the data checks' to judge), nothing in the database changed (0.0 ms).\n"
        ));
        let json = serde_json::to_value(&report).unwrap_or_default();
        assert_eq!(json["workspace"], "dbconform_preflight_1_a");
    }
}
