//! PostgreSQL answers to data questions: one scalar subquery per question, all asked in
//! one statement (see [`crate::data_checks`]), inside a savepoint when the apply transaction is
//! open so that a refused check cannot abort it.

use crate::data_checks::sql;
use dbconform_core::data::{Misfit, Question};
use dbconform_core::dialect::{Dialect, POSTGRES};

/// The scalar subquery counting what `question` asks.
pub(crate) fn count(question: &Question) -> String {
    sql::count(&POSTGRES as &dyn Dialect, question, &misfit)
}

/// The predicate true for a value of `column` (quoted) that does not fit.
fn misfit(column: &str, misfit: &Misfit) -> String {
    let c = column;
    match misfit {
        Misfit::Longer { max } => format!("char_length(CAST({c} AS text)) > {max}"),
        Misfit::Outside { min, max } => format!("{c} < {min} OR {c} > {max}"),
        Misfit::Fractional => format!("{c} <> trunc({c})"),
        Misfit::Scale { scale } => {
            format!("CAST({c} AS numeric) <> round(CAST({c} AS numeric), {scale})")
        }
        Misfit::Digits { digits, scale } => format!(
            "abs(round(CAST({c} AS numeric), {scale})) >= {}",
            sql::power_of_ten(*digits)
        ),
        Misfit::RealPrecision => format!(
            "CASE WHEN abs({c}) > 3.4028234663852886e38 THEN true ELSE CAST(CAST({c} AS real) AS double precision) <> {c} END"
        ),
        Misfit::HasTime => format!("CAST({c} AS time) <> TIME '00:00:00'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbconform_core::{IndexColumn, QualifiedName};

    fn t() -> QualifiedName {
        QualifiedName::with_schema("pub\"lic", "or der")
    }

    #[test]
    fn every_question_has_its_subquery_with_quoted_names() {
        let cases = [
            (
                Question::Rows { table: t() },
                r#"SELECT count(*) FROM "pub""lic"."or der""#,
            ),
            (
                Question::Nulls {
                    table: t(),
                    columns: vec!["a".into(), "b\"c".into()],
                },
                r#"SELECT count(*) FROM "pub""lic"."or der" WHERE "a" IS NULL OR "b""c" IS NULL"#,
            ),
            (
                Question::Filled {
                    table: t(),
                    columns: vec!["a".into(), "b".into()],
                },
                r#"SELECT count(*) FROM "pub""lic"."or der" WHERE "a" IS NOT NULL AND "b" IS NOT NULL"#,
            ),
            (
                Question::Duplicates {
                    nulls_not_distinct: false,
                    table: t(),
                    columns: vec![
                        IndexColumn::asc("a"),
                        IndexColumn {
                            expression: true,
                            ..IndexColumn::asc("lower(b)")
                        },
                    ],
                    predicate: Some("a > 0".into()),
                },
                r#"SELECT count(*) FROM (SELECT 1 AS one FROM "pub""lic"."or der" WHERE "a" IS NOT NULL AND (lower(b)) IS NOT NULL AND (a > 0) GROUP BY "a", (lower(b)) HAVING count(*) > 1) AS dbconform_groups"#,
            ),
            (
                Question::Duplicates {
                    table: t(),
                    columns: vec![IndexColumn::asc("a")],
                    predicate: None,
                    nulls_not_distinct: true,
                },
                r#"SELECT count(*) FROM (SELECT 1 AS one FROM "pub""lic"."or der" GROUP BY "a" HAVING count(*) > 1) AS dbconform_groups"#,
            ),
            (
                Question::Orphans {
                    table: t(),
                    columns: vec!["x".into(), "y".into()],
                    references: QualifiedName::with_schema("s", "p"),
                    referenced_columns: vec!["a".into(), "b".into()],
                },
                r#"SELECT count(*) FROM "pub""lic"."or der" AS dbconform_child WHERE dbconform_child."x" IS NOT NULL AND dbconform_child."y" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "s"."p" AS dbconform_parent WHERE dbconform_parent."a" = dbconform_child."x" AND dbconform_parent."b" = dbconform_child."y")"#,
            ),
            (
                Question::Violations {
                    table: t(),
                    expr: "price >= 0".into(),
                },
                r#"SELECT count(*) FROM "pub""lic"."or der" WHERE NOT (price >= 0)"#,
            ),
            (
                Question::Misfits {
                    table: t(),
                    column: "n".into(),
                    misfit: Misfit::Digits {
                        digits: 3,
                        scale: 2,
                    },
                },
                r#"SELECT count(*) FROM "pub""lic"."or der" WHERE "n" IS NOT NULL AND (abs(round(CAST("n" AS numeric), 2)) >= 1000)"#,
            ),
        ];
        for (question, sql) in cases {
            assert_eq!(count(&question), sql);
        }
    }

    #[test]
    fn every_misfit_has_a_predicate() {
        let cases = [
            (
                Misfit::Longer { max: 5 },
                r#"char_length(CAST("c" AS text)) > 5"#,
            ),
            (
                Misfit::Outside {
                    min: -32768,
                    max: 32767,
                },
                r#""c" < -32768 OR "c" > 32767"#,
            ),
            (Misfit::Fractional, r#""c" <> trunc("c")"#),
            (
                Misfit::Scale { scale: 2 },
                r#"CAST("c" AS numeric) <> round(CAST("c" AS numeric), 2)"#,
            ),
            (
                Misfit::RealPrecision,
                r#"CASE WHEN abs("c") > 3.4028234663852886e38 THEN true ELSE CAST(CAST("c" AS real) AS double precision) <> "c" END"#,
            ),
            (Misfit::HasTime, r#"CAST("c" AS time) <> TIME '00:00:00'"#),
        ];
        for (m, predicate) in cases {
            assert_eq!(misfit("\"c\"", &m), predicate);
        }
    }
}
