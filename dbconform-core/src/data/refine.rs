//! Answers → a better plan: empty tables make steps safe, steps known to fail are
//! blocked with what to do, counts go into the reasons.

use super::{Answer, Answers, Asked, Context, Effect, Meaning, Question, asked};
use crate::dialect::{self, Dialect};
use crate::model::{QualifiedName, TableDef};
use crate::plan::{BlockedStep, Change, Plan, Risk, Step};
use crate::planner::{describe, policy};
use crate::risk;

/// The plan refined by the answers to its [`questions`](super::questions):
///
/// - a step whose table is empty becomes `Safe`, its reason ending with
///   `safe: table `public.orders` is empty`;
/// - a step the data makes fail moves to [`Plan::blocked`] with
///   [`problem`](BlockedStep::problem) `will fail: 12 rows have NULL in
///   `public.orders.customer_id`` (said there only, not again in the step's reason) and a
///   suggestion saying what to do (no option unlocks it: `unlocked_by` is empty unless the
///   policy blocked it too); the steps needing it are blocked with it;
/// - counts that do not make a step fail go into its reason (`checked: no rows have NULL
///   in ...`, `3 values of `t.price` have more than 2 decimal places: they would change`);
///   a narrowing whose values all fit becomes `Caution`;
/// - a step the data checks found cannot fail on the rows as they are (the table is empty,
///   or every count that would make it fail is 0) loses the planner's "fails if ..."
///   suggestion, which would only contradict the check;
/// - an unanswered question ([`Answer::Unknown`]) is named in the reason and the step
///   keeps its risk.
///
/// Blocked steps get the same notes (and a problem when they would fail). Unanswered
/// questions (absent from `answers`) change nothing.
///
/// Without the declaration a foreign key's remedy cannot tell whether its columns may
/// hold NULL, so it never offers to set the references to NULL; see [`refine_declared`].
pub fn refine(plan: Plan, answers: &Answers) -> Plan {
    refine_declared(plan, answers, &[])
}

/// [`refine`], with the declared tables the plan was made for (as given to the planner):
/// a foreign key whose orphans block it is told "set those references to NULL" only when
/// every one of its columns is declared NULL-able.
pub fn refine_declared(plan: Plan, answers: &Answers, declared: &[TableDef]) -> Plan {
    let Some(dialect) = dialect::by_name(&plan.dialect) else {
        return plan;
    };
    let context = Context::of(&plan, dialect);
    let (name, steps, blocked, drift) = plan.into_parts();
    let mut kept = Vec::with_capacity(steps.len());
    let mut newly_blocked = Vec::new();
    for mut step in steps {
        match judge(&mut step, &context, dialect, answers, declared) {
            None => kept.push(step),
            Some(problem) => newly_blocked.push(BlockedStep {
                step,
                unlocked_by: String::new(),
                problem: Some(problem),
                depends_on: None,
            }),
        }
    }
    let mut all_blocked: Vec<BlockedStep> = blocked
        .into_iter()
        .map(|mut b| {
            if let Some(problem) = judge(&mut b.step, &context, dialect, answers, declared) {
                b.problem = Some(problem);
            }
            b
        })
        .collect();
    all_blocked.extend(newly_blocked);
    let (steps, blocked) = policy::block_dependents(kept, all_blocked, dialect);
    Plan::new(name, steps, blocked, drift)
}

/// Applies the answers to one step (risk, reason, suggestion); returns the problem when
/// the step would fail.
fn judge(
    step: &mut Step,
    context: &Context,
    dialect: &dyn Dialect,
    answers: &Answers,
    declared: &[TableDef],
) -> Option<String> {
    let asked = asked(&step.change, context, dialect);
    if asked.is_empty() {
        return None;
    }
    let table = step
        .table
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let empty = asked.iter().any(|a| {
        matches!(a.meaning, Meaning::Rows { .. })
            && matches!(answers.get(&a.question), Some(Answer::Count(0)))
    });
    if empty {
        step.risk = Risk::Safe;
        step.reason = format!("{}; safe: table `{table}` is empty", step.reason);
        drop_data_warning(step);
        return None;
    }
    let mut failures = Vec::new();
    let mut remedies: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let (mut misfits, mut misfits_fit) = (0, true);
    for Asked { question, meaning } in &asked {
        let is_misfit = matches!(question, Question::Misfits { .. });
        misfits += usize::from(is_misfit);
        let Some(answer) = answers.get(question) else {
            misfits_fit &= !is_misfit;
            continue;
        };
        let count = match answer {
            Answer::Unknown(message) => {
                misfits_fit &= !is_misfit;
                notes.push(format!(
                    "could not check {}: {message}",
                    subject(question, &step.change)
                ));
                continue;
            }
            Answer::Count(count) => *count,
        };
        let effect = match meaning {
            Meaning::Rows { fails: false } => continue,
            Meaning::Deleted => {
                notes.push(deleted(question, count));
                continue;
            }
            Meaning::Rows { fails: true } => Effect::Fails,
            Meaning::Counted(effect) => *effect,
        };
        let fact = fact(question, count, &step.change);
        if count == 0 {
            notes.push(format!("checked: {fact}"));
            continue;
        }
        misfits_fit &= !is_misfit;
        match effect {
            Effect::Fails => {
                failures.push(fact);
                let remedy = remedy(
                    question,
                    &step.change,
                    nullable(&step.change, declared, dialect),
                );
                if !remedies.contains(&remedy) {
                    remedies.push(remedy);
                }
            }
            Effect::Lost => notes.push(format!("{fact}: they would change")),
            // Only a backend that does not enforce declared types keeps them (see
            // `Dialect::misfit_effect`).
            Effect::Kept => notes.push(format!(
                "{fact}: {} keeps them as they are",
                dialect.display_name()
            )),
        }
    }
    if misfits > 0 && misfits_fit && failures.is_empty() && step.code == risk::NARROW_COLUMN {
        step.risk = step.risk.min(Risk::Caution);
        notes.push("every value fits".to_string());
    }
    if !notes.is_empty() {
        step.reason = format!("{}; {}", step.reason, notes.join("; "));
    }
    if failures.is_empty() {
        // Every question that could make the step fail answered "none": the planner's
        // "fails if ..." no longer applies. An unanswered one keeps it.
        let mut failing = asked.iter().filter(|a| {
            matches!(
                a.meaning,
                Meaning::Rows { fails: true } | Meaning::Counted(Effect::Fails)
            )
        });
        let checked = failing.clone().next().is_some()
            && failing.all(|a| matches!(answers.get(&a.question), Some(Answer::Count(0))));
        if checked {
            drop_data_warning(step);
        }
        return None;
    }
    // The problem goes into `BlockedStep::problem`, which the plan shows next to the
    // reason: appended to the reason too, it was printed twice.
    let problem = format!("will fail: {}", failures.join("; "));
    // The remedy replaces the planner's "fails if ..." warning, which the problem now
    // states with its count. Any other suggestion (a `renamed_from` the plan suggests for
    // an added column) comes first: it is the likelier fix, and it must not depend on
    // whether the table has rows.
    let remedy = format!("{}, then apply again", remedies.join("; "));
    step.suggestion = Some(match other_suggestion(step) {
        Some(other) => format!("{other}; otherwise {remedy}"),
        None => remedy,
    });
    Some(problem)
}

/// Removes the planner's warning that the step fails on some data (`fails if `t.c` holds
/// NULLs: ...`), once the data checks found none; any other suggestion stays.
fn drop_data_warning(step: &mut Step) {
    step.suggestion = other_suggestion(step);
}

/// The step's suggestion without the planner's warning that the step fails on some data
/// ([`describe::suggestion`], which the planner puts first and joins to the rest with
/// `; `), or `None` when nothing else is suggested.
fn other_suggestion(step: &Step) -> Option<String> {
    let suggestion = step.suggestion.as_deref()?;
    let rest = match describe::suggestion(&step.change) {
        Some(warning) => match suggestion.strip_prefix(warning.as_str()) {
            Some(rest) => rest.strip_prefix("; ").unwrap_or(rest),
            None => suggestion,
        },
        None => suggestion,
    };
    (!rest.is_empty()).then(|| rest.to_string())
}

/// What a column drop deletes: `2 rows hold a value in `t`.c: it is lost with the column`.
fn deleted(question: &Question, count: u64) -> String {
    let (table, columns) = match question {
        Question::Filled { table, columns } => (table.to_string(), columns_text(columns)),
        other => (other.table().to_string(), String::new()),
    };
    match count {
        0 => format!("checked: no row holds a value in `{table}`.{columns}"),
        1 => format!("1 row holds a value in `{table}`.{columns}: it is lost with the column"),
        n => format!("{n} rows hold a value in `{table}`.{columns}: it is lost with the column"),
    }
}

/// Whether the columns of the foreign key `change` adds are all declared NULL-able:
/// `None` when the declaration is not at hand or does not have them.
fn nullable(change: &Change, declared: &[TableDef], dialect: &dyn Dialect) -> Option<bool> {
    let (Change::AddForeignKey { table, foreign_key }
    | Change::AlterForeignKey {
        table,
        to: foreign_key,
        ..
    }) = change
    else {
        return None;
    };
    let same_table = |t: &TableDef| {
        let name: QualifiedName = t.qualified_name();
        dialect.same_identifier(&name.name, &table.name)
            && match (&name.schema, &table.schema) {
                (Some(a), Some(b)) => dialect.same_identifier(a, b),
                // A declaration without a schema lives in the target schema.
                _ => true,
            }
    };
    let def = declared.iter().find(|t| same_table(t))?;
    foreign_key
        .columns
        .iter()
        .map(|c| {
            def.columns
                .iter()
                .find(|d| dialect.same_identifier(&d.name, c))
                .map(|d| d.nullable)
        })
        .collect::<Option<Vec<bool>>>()
        .map(|all| all.iter().all(|&n| n))
}

/// `1 row has` / `12 rows have` / `no rows have`.
fn rows_have(count: u64) -> String {
    match count {
        0 => "no rows have".to_string(),
        1 => "1 row has".to_string(),
        n => format!("{n} rows have"),
    }
}

/// `1 row` / `12 rows` / `no rows`.
fn rows(count: u64) -> String {
    match count {
        0 => "no rows".to_string(),
        1 => "1 row".to_string(),
        n => format!("{n} rows"),
    }
}

/// `(a, b)` or `a`.
fn columns_text(columns: &[String]) -> String {
    if columns.len() == 1 {
        columns[0].clone()
    } else {
        format!("({})", columns.join(", "))
    }
}

/// What a question found, in plain words, for `count`.
fn fact(question: &Question, count: u64, change: &Change) -> String {
    match question {
        Question::Rows { table } => match change {
            Change::AddColumn { column, .. } => format!(
                "`{table}` has {} and the new NOT NULL column `{}` has no default",
                rows(count),
                column.name
            ),
            _ => format!("`{table}` has {}", rows(count)),
        },
        Question::Nulls { table, columns } => format!(
            "{} NULL in `{table}`.{}",
            rows_have(count),
            columns_text(columns)
        ),
        Question::Filled { table, columns } => format!(
            "{} of `{table}` {} {} values, and the referenced table is created empty by this plan",
            rows(count),
            if count == 1 {
                "references"
            } else {
                "reference"
            },
            columns_text(columns)
        ),
        Question::Duplicates { table, columns, .. } => {
            let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
            let groups = match count {
                0 => "no values".to_string(),
                1 => "1 value".to_string(),
                n => format!("{n} values"),
            };
            let verb = if count == 1 { "is" } else { "are" };
            format!(
                "{groups} of {} {verb} shared by several rows of `{table}`",
                columns_text(&names)
            )
        }
        Question::Orphans {
            table,
            columns,
            references,
            ..
        } => format!(
            "{} of `{table}` {} {} values missing from `{references}`",
            rows(count),
            if count == 1 {
                "references"
            } else {
                "reference"
            },
            columns_text(columns)
        ),
        Question::Violations { table, expr } => {
            let verb = if count == 1 { "violates" } else { "violate" };
            format!("{} of `{table}` {verb} the check ({expr})", rows(count))
        }
        Question::Misfits {
            table,
            column,
            misfit,
        } => misfit.describe(Some(count), &format!("{table}.{column}")),
    }
}

/// What a question asks, for an unknown answer: `the check (price > 0) on `public.t``.
fn subject(question: &Question, change: &Change) -> String {
    match question {
        Question::Violations { table, expr } => format!("the check ({expr}) on `{table}`"),
        other => {
            let fact = fact(other, 0, change);
            fact.strip_prefix("no rows have ")
                .map(|rest| format!("whether rows have {rest}"))
                .unwrap_or(fact)
        }
    }
}

/// What to do about a failing question; `nullable` says whether a foreign key's columns
/// may hold NULL (`None`: not known), which decides whether NULL is offered.
fn remedy(question: &Question, change: &Change, nullable: Option<bool>) -> String {
    match (question, change) {
        (Question::Rows { .. }, Change::AddColumn { column, .. }) => format!(
            "give `{}` a default (`#[column(default = \"...\")]`) or make it nullable (`Option<_>`)",
            column.name
        ),
        (Question::Nulls { table, columns }, Change::AlterColumn { .. }) => format!(
            "fill the NULLs first (UPDATE {table} SET {col} = ... WHERE {col} IS NULL) or keep the column nullable (`Option<_>`)",
            col = columns.join(", ")
        ),
        (Question::Nulls { columns, .. }, _) => {
            format!("fill the NULLs of {} first", columns_text(columns))
        }
        (Question::Duplicates { columns, .. }, _) => {
            let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
            format!(
                "remove or change the rows sharing values of {} first",
                columns_text(&names)
            )
        }
        (Question::Orphans { references, .. }, _) => match nullable {
            Some(true) => format!(
                "add the missing rows to `{references}`, or set those references to NULL, first"
            ),
            _ => format!(
                "add the missing rows to `{references}`, or change or delete the rows that reference missing values, first"
            ),
        },
        (Question::Filled { .. }, _) => match nullable {
            Some(true) => {
                "fill the new referenced table first, or set those references to NULL"
                    .to_string()
            }
            _ => "fill the new referenced table first, or change or delete the rows that reference it"
                .to_string(),
        },
        (Question::Violations { .. }, Change::RecreateEnum { .. }) => {
            "change the rows holding the removed labels to a declared label first, or keep those labels".to_string()
        }
        (Question::Violations { .. }, _) => {
            "fix the rows that violate the check first, or change the check".to_string()
        }
        (Question::Misfits { .. }, _) => {
            "change the values that do not fit first, or declare a wider type".to_string()
        }
        (Question::Rows { table }, _) => format!("empty `{table}` first"),
    }
}
