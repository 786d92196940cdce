//! Data questions and answers, as plain data.
//!
//! Whether some steps succeed depends on the rows a table holds: SET NOT NULL fails over
//! NULLs, a UNIQUE constraint over duplicates, a foreign key over orphans, a narrowing over
//! values that do not fit. [`questions`] lists what a [`Plan`] needs to know about the data
//! (counts: rows of a table, NULLs of a column, duplicate groups, orphans, rows violating a
//! CHECK, values that do not fit a narrower type); the runtime answers them all in a
//! bounded number of queries (see each backend's `data_checks.rs`); [`refine`] turns the answers
//! into a better plan:
//!
//! - a step on an empty table becomes `Safe` ("safe: table `t` is empty");
//! - a step known to fail is not executed: it moves to [`Plan::blocked`] with a
//!   [`problem`](crate::plan::BlockedStep::problem) ("will fail: 12 rows have NULL in
//!   `orders.customer_id`") and a suggestion saying what to do; steps that need it are
//!   blocked with it;
//! - a narrowing whose values all fit drops from `Danger` to `Caution`; values that would
//!   be rounded or cut are counted in the reason;
//! - a question the database could not answer (a CHECK it cannot evaluate) is reported as
//!   unknown and the step keeps its risk.
//!
//! Questions are only asked about tables and columns that exist before the plan runs: a
//! step on a table the plan creates asks nothing (the table is empty), and a step on a
//! column the plan adds only asks for the table's row count.

mod refine;
#[cfg(test)]
mod tests;

pub use refine::{refine, refine_declared};

use crate::dialect::Dialect;
use crate::model::{IndexColumn, QualifiedName};
use crate::plan::{Change, Plan, Step};
use crate::risk;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One count the plan needs from the database. Every table is schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case")]
pub enum Question {
    /// How many rows the table holds.
    Rows {
        /// The table.
        table: QualifiedName,
    },
    /// How many rows hold NULL in at least one of `columns`.
    Nulls {
        /// The table.
        table: QualifiedName,
        /// The columns.
        columns: Vec<String>,
    },
    /// How many rows hold a value in every one of `columns` (a foreign key to a table the
    /// plan creates, empty, fails on exactly these rows; a dropped column loses exactly
    /// these values).
    Filled {
        /// The table.
        table: QualifiedName,
        /// The columns.
        columns: Vec<String>,
    },
    /// How many groups of two or more rows share the same values of `columns` (rows with a
    /// NULL in any of them excluded, as UNIQUE does, unless the key is NULLS NOT DISTINCT),
    /// among the rows matching `predicate`.
    Duplicates {
        /// The table.
        table: QualifiedName,
        /// The key: columns or expressions.
        columns: Vec<IndexColumn>,
        /// A partial index's predicate.
        predicate: Option<String>,
        /// `true` for a NULLS NOT DISTINCT key: rows with NULLs count too, NULL equal to
        /// NULL.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        nulls_not_distinct: bool,
    },
    /// How many rows whose `columns` are all non-NULL match no row of `references` on
    /// `referenced_columns` (MATCH SIMPLE, what a foreign key checks).
    Orphans {
        /// The referencing table.
        table: QualifiedName,
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table.
        references: QualifiedName,
        /// The referenced columns, in the order of `columns`.
        referenced_columns: Vec<String>,
    },
    /// How many rows make `expr` false (what a CHECK refuses; NULL passes).
    Violations {
        /// The table.
        table: QualifiedName,
        /// The boolean expression, in the table's own column names.
        expr: String,
    },
    /// How many non-NULL values of `column` do not fit, in the way `misfit` says.
    Misfits {
        /// The table.
        table: QualifiedName,
        /// The column.
        column: String,
        /// What does not fit.
        misfit: Misfit,
    },
}

impl Question {
    /// The table the question is about.
    pub fn table(&self) -> &QualifiedName {
        match self {
            Question::Rows { table }
            | Question::Nulls { table, .. }
            | Question::Filled { table, .. }
            | Question::Duplicates { table, .. }
            | Question::Orphans { table, .. }
            | Question::Violations { table, .. }
            | Question::Misfits { table, .. } => table,
        }
    }
}

/// A way a value may not fit a narrower type. Each is one predicate over the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Misfit {
    /// The value, as text, is longer than `max` characters.
    Longer {
        /// The new maximum length.
        max: u32,
    },
    /// The value is below `min` or above `max`.
    Outside {
        /// The smallest value that fits.
        min: i64,
        /// The largest value that fits.
        max: i64,
    },
    /// The value has a fractional part.
    Fractional,
    /// The value has more than `scale` digits after the decimal point.
    Scale {
        /// The new scale.
        scale: u32,
    },
    /// Rounded to `scale` decimal places, the value has more than `digits` digits before
    /// the decimal point.
    Digits {
        /// The new number of integer digits (precision − scale).
        digits: u32,
        /// The new scale.
        scale: u32,
    },
    /// The value changes when stored as a 4-byte float.
    RealPrecision,
    /// The value has a time of day other than midnight.
    HasTime,
}

impl Misfit {
    /// What does not fit, in plain words, for `count` values of `column`:
    /// `12 values of `t.c` are longer than 5 characters`; `no values ...` for 0.
    pub fn describe(&self, count: Option<u64>, column: &str) -> String {
        let many = match count {
            Some(0) => "no values".to_string(),
            Some(1) => "1 value".to_string(),
            Some(n) => format!("{n} values"),
            None => "values".to_string(),
        };
        let singular = count == Some(1);
        let are = if singular { "is" } else { "are" };
        let have = if singular { "has" } else { "have" };
        let change = if singular { "changes" } else { "change" };
        match self {
            Misfit::Longer { max } => {
                format!("{many} of `{column}` {are} longer than {max} characters")
            }
            Misfit::Outside { min, max } => {
                format!("{many} of `{column}` {are} outside {min}..{max}")
            }
            Misfit::Fractional => format!("{many} of `{column}` {have} a fractional part"),
            Misfit::Scale { scale } => {
                format!("{many} of `{column}` {have} more than {scale} decimal places")
            }
            Misfit::Digits { digits, .. } => format!(
                "{many} of `{column}` {have} more than {digits} digits before the decimal point"
            ),
            Misfit::RealPrecision => {
                format!("{many} of `{column}` {change} when stored as REAL")
            }
            Misfit::HasTime => format!("{many} of `{column}` {have} a time of day"),
        }
    }
}

/// What happens to the values a [`Misfit`] counts when the step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The statement fails (`value too long`, `integer out of range`).
    Fails,
    /// The statement succeeds and the values change (rounded, cut).
    Lost,
    /// The values are kept as they are although they no longer fit the declared type
    /// (SQLite, which does not enforce declared types on ordinary tables).
    Kept,
}

/// The database's answer to one [`Question`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The count.
    Count(u64),
    /// The database could not answer (for example a CHECK expression it cannot evaluate
    /// outside the constraint); its message.
    Unknown(String),
}

/// Answers by question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    answers: BTreeMap<Question, Answer>,
}

impl Answers {
    /// No answers.
    pub fn new() -> Self {
        Answers::default()
    }

    /// Records the answer to `question`.
    pub fn insert(&mut self, question: Question, answer: Answer) {
        self.answers.insert(question, answer);
    }

    /// The answer to `question`, if it was answered.
    pub fn get(&self, question: &Question) -> Option<&Answer> {
        self.answers.get(question)
    }

    /// How many questions were answered.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// `true` when nothing was answered.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// Every question with its answer, in question order.
    pub fn iter(&self) -> impl Iterator<Item = (&Question, &Answer)> {
        self.answers.iter()
    }
}

impl FromIterator<(Question, Answer)> for Answers {
    fn from_iter<I: IntoIterator<Item = (Question, Answer)>>(iter: I) -> Self {
        Answers {
            answers: iter.into_iter().collect(),
        }
    }
}

/// Every question the steps of `plan` (executable and blocked) raise, sorted and without
/// duplicates. Empty when no step depends on data. A plan for a backend dbconform does not
/// know asks nothing.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::data::questions;
/// use dbconform::Plan;
/// assert!(questions(&Plan::default()).is_empty());
/// ```
pub fn questions(plan: &Plan) -> Vec<Question> {
    let Some(dialect) = crate::dialect::by_name(&plan.dialect) else {
        return Vec::new();
    };
    let context = Context::of(plan, dialect);
    let set: BTreeSet<Question> = all_steps(plan)
        .flat_map(|step| asked(&step.change, &context, dialect))
        .map(|asked| asked.question)
        .collect();
    set.into_iter().collect()
}

/// The executable steps, then the blocked ones; a table rebuild stands for its parts.
fn all_steps(plan: &Plan) -> impl Iterator<Item = &Step> {
    plan.steps()
        .iter()
        .chain(plan.blocked().iter().map(|b| &b.step))
        .flat_map(|s| std::iter::once(s).chain(&s.parts))
}

/// How a count reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// The table's row count: 0 makes the step safe; when `fails`, any row makes it fail.
    Rows {
        /// Any row makes the step fail.
        fails: bool,
    },
    /// Each counted row or value has this effect.
    Counted(Effect),
    /// The rows holding a value the step deletes (a dropped column's): said in the reason,
    /// never a failure.
    Deleted,
}

/// One question of a step and how its answer reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asked {
    pub(crate) question: Question,
    pub(crate) meaning: Meaning,
}

/// What the plan creates, so that questions never name a table or column that does not
/// exist yet.
pub(crate) struct Context {
    dialect: &'static dyn Dialect,
    new_tables: BTreeSet<(String, String)>,
    renamed_tables: BTreeSet<(String, String)>,
    new_columns: BTreeSet<((String, String), String)>,
}

impl Context {
    pub(crate) fn of(plan: &Plan, dialect: &'static dyn Dialect) -> Context {
        let mut context = Context {
            dialect,
            new_tables: BTreeSet::new(),
            renamed_tables: BTreeSet::new(),
            new_columns: BTreeSet::new(),
        };
        for step in all_steps(plan) {
            match &step.change {
                Change::CreateTable { table } => {
                    let key = context.table_key(&table.qualified_name());
                    context.new_tables.insert(key);
                }
                Change::AddColumn { table, column } => {
                    let key = (
                        context.table_key(table),
                        dialect.identifier_key(&column.name),
                    );
                    context.new_columns.insert(key);
                }
                // The database knows a renamed table or column by its old name until the
                // plan runs: ask nothing about the table, only row counts about the column.
                Change::RenameTable { to, .. } => {
                    let key = context.table_key(to);
                    context.renamed_tables.insert(key);
                }
                Change::RenameColumn { table, to, .. } => {
                    let key = (context.table_key(table), dialect.identifier_key(to));
                    context.new_columns.insert(key);
                }
                _ => {}
            }
        }
        context
    }

    fn table_key(&self, table: &QualifiedName) -> (String, String) {
        (
            self.dialect
                .identifier_key(table.schema.as_deref().unwrap_or_default()),
            self.dialect.identifier_key(&table.name),
        )
    }

    fn is_new_table(&self, table: &QualifiedName) -> bool {
        self.new_tables.contains(&self.table_key(table))
    }

    /// `true` for a table the plan renames: the database knows it by another name.
    fn is_renamed_table(&self, table: &QualifiedName) -> bool {
        self.renamed_tables.contains(&self.table_key(table))
    }

    /// `true` when the plan adds one of `columns` to `table`.
    fn mentions_new_column<'a>(
        &self,
        table: &QualifiedName,
        mut columns: impl Iterator<Item = &'a str>,
    ) -> bool {
        let key = self.table_key(table);
        columns.any(|c| {
            self.new_columns
                .contains(&(key.clone(), self.dialect.identifier_key(c)))
        })
    }

    /// `true` when `expr` mentions, as a word, a column the plan adds to `table` (an
    /// over-approximation: a function of the same name counts too).
    fn expression_mentions_new_column(&self, table: &QualifiedName, expr: &str) -> bool {
        self.mentions_new_column(table, words(expr))
    }
}

/// The questions one change raises, with how each answer reads.
pub(crate) fn asked(change: &Change, context: &Context, dialect: &dyn Dialect) -> Vec<Asked> {
    // An enum type made again: each of its columns fails on the rows holding a label the
    // new type does not have.
    if let Change::RecreateEnum { from, to, columns } = change {
        let removed = crate::diff::enums::removed_labels(from, to);
        if removed.is_empty() {
            return Vec::new();
        }
        let labels: Vec<String> = removed
            .iter()
            .map(|l| crate::dialect::quote_literal(l))
            .collect();
        return columns
            .iter()
            .filter(|(table, _)| !context.is_new_table(table) && !context.is_renamed_table(table))
            .map(|(table, column)| Asked {
                question: Question::Violations {
                    table: table.clone(),
                    // An array of the type: the rows holding a removed label anywhere.
                    expr: if matches!(column.ty, crate::model::ColumnType::Array(_)) {
                        format!(
                            "NOT ({}::text[] && ARRAY[{}])",
                            dialect.quote_ident(&column.name),
                            labels.join(", ")
                        )
                    } else {
                        format!(
                            "{}::text NOT IN ({})",
                            dialect.quote_ident(&column.name),
                            labels.join(", ")
                        )
                    },
                },
                meaning: Meaning::Counted(Effect::Fails),
            })
            .collect();
    }
    let Some(table) = change.table() else {
        return Vec::new();
    };
    if context.is_new_table(&table) || context.is_renamed_table(&table) {
        return Vec::new();
    }
    let rows = |fails: bool| Asked {
        question: Question::Rows {
            table: table.clone(),
        },
        meaning: Meaning::Rows { fails },
    };
    let fails = |question: Question| Asked {
        question,
        meaning: Meaning::Counted(Effect::Fails),
    };
    let new_column = |columns: &[String]| {
        context.mentions_new_column(&table, columns.iter().map(String::as_str))
    };
    let mut out = Vec::new();
    match change {
        Change::DropColumn { column, .. } => out.push(Asked {
            question: Question::Filled {
                table: table.clone(),
                columns: vec![column.name.clone()],
            },
            meaning: Meaning::Deleted,
        }),
        Change::AddColumn { column, .. } => {
            let needs_value = !column.nullable
                && column.default.is_none()
                && column.generated.is_none()
                && !column.auto_increment;
            if needs_value {
                out.push(rows(true));
            } else if column.generated.is_some() || column.auto_increment {
                out.push(rows(false));
            }
        }
        Change::AlterColumn {
            from, to, changes, ..
        } => {
            if risk::assess_column(from, to, changes, dialect).risk > crate::plan::Risk::Safe {
                out.push(rows(false));
            }
            if changes.nullable && !to.nullable {
                out.push(fails(Question::Nulls {
                    table: table.clone(),
                    columns: vec![to.name.clone()],
                }));
            }
            if changes.ty {
                for (misfit, effect) in risk::type_change(&from.ty, &to.ty, dialect).misfits {
                    out.push(Asked {
                        question: Question::Misfits {
                            table: table.clone(),
                            column: to.name.clone(),
                            misfit,
                        },
                        meaning: Meaning::Counted(effect),
                    });
                }
            }
        }
        Change::AddPrimaryKey { key, .. } | Change::AlterPrimaryKey { to: key, .. } => {
            out.push(rows(false));
            if !new_column(&key.columns) {
                out.push(fails(Question::Nulls {
                    table: table.clone(),
                    columns: key.columns.clone(),
                }));
                out.push(fails(duplicates(&table, &key.columns, false)));
            }
        }
        Change::AddUnique { unique, .. } | Change::AlterUnique { to: unique, .. } => {
            out.push(rows(false));
            if !new_column(&unique.columns) {
                out.push(fails(duplicates(
                    &table,
                    &unique.columns,
                    unique.nulls_not_distinct,
                )));
            }
        }
        Change::AddIndex { index, .. } | Change::AlterIndex { to: index, .. } if index.unique => {
            out.push(rows(false));
            let mentions_new = index.columns.iter().any(|c| {
                if c.expression {
                    context.expression_mentions_new_column(&table, &c.name)
                } else {
                    new_column(std::slice::from_ref(&c.name))
                }
            }) || index
                .predicate
                .as_deref()
                .is_some_and(|p| context.expression_mentions_new_column(&table, p));
            if !mentions_new {
                out.push(fails(Question::Duplicates {
                    table: table.clone(),
                    columns: index.columns.clone(),
                    predicate: index.predicate.clone(),
                    nulls_not_distinct: index.nulls_not_distinct,
                }));
            }
        }
        // Only when the key is checked changes: no row is checked again.
        Change::AlterForeignKey { from, to, .. } if from.only_deferrability_differs(to) => {}
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => {
            out.push(rows(false));
            let target_new_column = context.mentions_new_column(
                &foreign_key.references,
                foreign_key.referenced_columns.iter().map(String::as_str),
            );
            if new_column(&foreign_key.columns) || context.is_renamed_table(&foreign_key.references)
            {
                // The new column holds NULL or its default, or the referenced table is
                // known by another name until the plan runs: only the row count is asked.
            } else if context.is_new_table(&foreign_key.references) {
                out.push(fails(Question::Filled {
                    table: table.clone(),
                    columns: foreign_key.columns.clone(),
                }));
            } else if !target_new_column {
                out.push(fails(Question::Orphans {
                    table: table.clone(),
                    columns: foreign_key.columns.clone(),
                    references: foreign_key.references.clone(),
                    referenced_columns: foreign_key.referenced_columns.clone(),
                }));
            }
        }
        Change::AddCheck { check, .. } | Change::AlterCheck { to: check, .. } => {
            out.push(rows(false));
            if !context.expression_mentions_new_column(&table, &check.expr) {
                out.push(fails(Question::Violations {
                    table: table.clone(),
                    expr: check.expr.clone(),
                }));
            }
        }
        _ => {}
    }
    out
}

/// The duplicates question of a key over plain columns.
fn duplicates(table: &QualifiedName, columns: &[String], nulls_not_distinct: bool) -> Question {
    Question::Duplicates {
        table: table.clone(),
        columns: columns.iter().map(IndexColumn::asc).collect(),
        predicate: None,
        nulls_not_distinct,
    }
}

/// The words of an SQL expression (identifiers, keywords, numbers), to tell which columns
/// it may mention. Quoted identifiers come out without their quotes.
pub(crate) fn words(expr: &str) -> impl Iterator<Item = &str> {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}
