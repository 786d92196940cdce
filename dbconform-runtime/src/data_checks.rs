//! Answering data questions ([`dbconform_core::data`]) with a bounded number of
//! statements, whatever the number of steps and tables.
//!
//! Each backend's `data_checks.rs` writes one scalar subquery per question
//! (`SELECT count(*) FROM ...`); this module puts up to [`BATCH`] of them in one
//! `SELECT (q0) AS q0, (q1) AS q1, ...` and reads the single row back. A plan with 200
//! questions or fewer costs one query (plus, on PostgreSQL inside the apply transaction,
//! a savepoint and its rollback, so that a failing probe cannot abort the transaction).
//!
//! When a batch fails (a CHECK expression the database cannot evaluate outside the
//! constraint, a column the database refuses to compare), the batch is asked again
//! without its CHECK questions, which are answered [`Answer::Unknown`] with the
//! database's message; if it still fails, every question of the batch is unknown. So a
//! failing probe costs at most one more query per batch, and never fails the compare.

use crate::driver::{StatementCounter, db_error};
use dbconform_core::Result;
use dbconform_core::data::{Answer, Answers, Question};
use sqlx::{ColumnIndex, Connection, Database, Decode, Executor, Row, Type};

/// The most questions asked in one statement (PostgreSQL allows 1,664 result columns,
/// SQLite 2,000).
pub(crate) const BATCH: usize = 200;

/// Answers `questions`, `render` writing each one's scalar subquery. With `guard`, each
/// query runs inside a savepoint when the connection is in a transaction (PostgreSQL: a
/// failed statement aborts the transaction).
pub(crate) async fn answer<DB>(
    conn: &mut DB::Connection,
    questions: &[Question],
    counter: &StatementCounter,
    render: &(dyn Fn(&Question) -> String + Sync),
    guard: bool,
) -> Result<Answers>
where
    DB: Database,
    DB::Connection: Connection<Database = DB>,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    // Runs one probe statement. The outer error is a failure to open or roll back the
    // savepoint; the inner one the database refusing the query (its message).
    let mut ask =
        async |sql: &str, width: usize| -> Result<std::result::Result<Vec<u64>, String>> {
            let started = std::time::Instant::now();
            let outcome = if guard && conn.is_in_transaction() {
                counter.add(1);
                let mut savepoint = conn
                    .begin()
                    .await
                    .map_err(db_error("opening a savepoint for the data checks"))?;
                let outcome = fetch::<DB>(&mut savepoint, sql, width, counter).await;
                counter.add(1);
                savepoint
                    .rollback()
                    .await
                    .map_err(db_error("rolling back the data checks' savepoint"))?;
                outcome
            } else {
                fetch::<DB>(conn, sql, width, counter).await
            };
            tracing::debug!(
                elapsed_us = started.elapsed().as_micros() as u64,
                questions = width,
                ok = outcome.is_ok(),
                statement = %sql,
                "data probe"
            );
            Ok(outcome)
        };
    let mut answers = Answers::new();
    for batch in questions.chunks(BATCH) {
        let sql = select(batch, render);
        let message = match ask(&sql, batch.len()).await? {
            Ok(counts) => {
                record(&mut answers, batch, counts);
                continue;
            }
            Err(message) => message,
        };
        let (checks, others): (Vec<Question>, Vec<Question>) = batch
            .iter()
            .cloned()
            .partition(|q| matches!(q, Question::Violations { .. }));
        unknown(&mut answers, &checks, &message);
        if checks.is_empty() || others.is_empty() {
            unknown(&mut answers, &others, &message);
            continue;
        }
        let sql = select(&others, render);
        match ask(&sql, others.len()).await? {
            Ok(counts) => record(&mut answers, &others, counts),
            Err(message) => unknown(&mut answers, &others, &message),
        }
    }
    tracing::debug!(
        questions = questions.len(),
        answered = answers.len(),
        "data checks"
    );
    Ok(answers)
}

/// Records counts in question order.
fn record(answers: &mut Answers, questions: &[Question], counts: Vec<u64>) {
    for (question, count) in questions.iter().zip(counts) {
        answers.insert(question.clone(), Answer::Count(count));
    }
}

/// Records `questions` as unanswerable, with the database's message.
fn unknown(answers: &mut Answers, questions: &[Question], message: &str) {
    for question in questions {
        answers.insert(question.clone(), Answer::Unknown(message.to_string()));
    }
}

/// `SELECT (sub0) AS q0, (sub1) AS q1, ...`.
fn select(questions: &[Question], render: &(dyn Fn(&Question) -> String + Sync)) -> String {
    let columns: Vec<String> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| format!("({}) AS q{i}", render(q)))
        .collect();
    format!("SELECT {}", columns.join(", "))
}

/// One query, one row, `width` counts.
async fn fetch<DB>(
    conn: &mut DB::Connection,
    sql: &str,
    width: usize,
    counter: &StatementCounter,
) -> std::result::Result<Vec<u64>, String>
where
    DB: Database,
    for<'e> &'e mut DB::Connection: Executor<'e, Database = DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    usize: ColumnIndex<DB::Row>,
{
    counter.add(1);
    let row = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| message(&e))?;
    (0..width)
        .map(|i| {
            row.try_get::<i64, usize>(i)
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(|e| message(&e))
        })
        .collect()
}

/// The database's own message, without the driver's decoration.
fn message(error: &sqlx::Error) -> String {
    match error.as_database_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

/// Helpers the backends' `data_checks.rs` share to write predicates.
pub(crate) mod sql {
    use dbconform_core::data::Question;
    use dbconform_core::dialect::Dialect;
    use dbconform_core::{IndexColumn, QualifiedName};

    /// `"a" IS NULL OR "b" IS NULL` with `op` = `IS NULL`, `joiner` = ` OR `.
    pub(crate) fn each(
        dialect: &dyn Dialect,
        prefix: &str,
        columns: &[String],
        op: &str,
        joiner: &str,
    ) -> String {
        columns
            .iter()
            .map(|c| format!("{prefix}{} {op}", dialect.quote_ident(c)))
            .collect::<Vec<_>>()
            .join(joiner)
    }

    /// A key part as SQL: a quoted column, or a parenthesized expression.
    pub(crate) fn key(dialect: &dyn Dialect, column: &IndexColumn) -> String {
        if column.expression {
            format!("({})", column.name)
        } else {
            dialect.quote_ident(&column.name)
        }
    }

    /// The scalar subquery of every question but [`Question::Misfits`], whose predicate
    /// `misfit` writes for the backend (given the quoted column).
    pub(crate) fn count(
        dialect: &dyn Dialect,
        question: &Question,
        misfit: &dyn Fn(&str, &dbconform_core::data::Misfit) -> String,
    ) -> String {
        let table = |t: &QualifiedName| dialect.quote_table(t);
        match question {
            Question::Rows { table: t } => format!("SELECT count(*) FROM {}", table(t)),
            Question::Nulls { table: t, columns } => format!(
                "SELECT count(*) FROM {} WHERE {}",
                table(t),
                each(dialect, "", columns, "IS NULL", " OR ")
            ),
            Question::Filled { table: t, columns } => format!(
                "SELECT count(*) FROM {} WHERE {}",
                table(t),
                each(dialect, "", columns, "IS NOT NULL", " AND ")
            ),
            Question::Duplicates {
                table: t,
                columns,
                predicate,
                nulls_not_distinct,
            } => {
                let keys: Vec<String> = columns.iter().map(|c| key(dialect, c)).collect();
                // GROUP BY puts NULLs together: a NULLS NOT DISTINCT key keeps them.
                let mut filter: Vec<String> = if *nulls_not_distinct {
                    Vec::new()
                } else {
                    keys.iter().map(|k| format!("{k} IS NOT NULL")).collect()
                };
                if let Some(predicate) = predicate {
                    filter.push(format!("({predicate})"));
                }
                let filter = if filter.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {}", filter.join(" AND "))
                };
                format!(
                    "SELECT count(*) FROM (SELECT 1 AS one FROM {}{filter} GROUP BY {} HAVING count(*) > 1) AS dbconform_groups",
                    table(t),
                    keys.join(", ")
                )
            }
            Question::Orphans {
                table: t,
                columns,
                references,
                referenced_columns,
            } => {
                let child = "dbconform_child.";
                let matches: Vec<String> = columns
                    .iter()
                    .zip(referenced_columns)
                    .map(|(c, r)| {
                        format!(
                            "dbconform_parent.{} = {child}{}",
                            dialect.quote_ident(r),
                            dialect.quote_ident(c)
                        )
                    })
                    .collect();
                format!(
                    "SELECT count(*) FROM {} AS dbconform_child WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS dbconform_parent WHERE {})",
                    table(t),
                    each(dialect, child, columns, "IS NOT NULL", " AND "),
                    table(references),
                    matches.join(" AND ")
                )
            }
            Question::Violations { table: t, expr } => {
                format!("SELECT count(*) FROM {} WHERE NOT ({expr})", table(t))
            }
            Question::Misfits {
                table: t,
                column,
                misfit: m,
            } => {
                let c = dialect.quote_ident(column);
                format!(
                    "SELECT count(*) FROM {} WHERE {c} IS NOT NULL AND ({})",
                    table(t),
                    misfit(&c, m)
                )
            }
        }
    }

    /// `1` followed by `digits` zeros: 10^digits as an exact literal.
    pub(crate) fn power_of_ten(digits: u32) -> String {
        format!("1{}", "0".repeat(digits as usize))
    }
}
