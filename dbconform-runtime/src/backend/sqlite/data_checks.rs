//! SQLite answers to data questions: one scalar subquery per question, all asked in one
//! statement (see [`crate::data_checks`]). A refused SELECT does not abort a SQLite
//! transaction, so no savepoint is needed.

use crate::data_checks::sql;
use dbconform_core::data::{Misfit, Question};
use dbconform_core::dialect::{Dialect, SQLITE};

/// The scalar subquery counting what `question` asks.
pub(crate) fn count(question: &Question) -> String {
    sql::count(&SQLITE as &dyn Dialect, question, &misfit)
}

/// The predicate true for a value of `column` (quoted) that does not fit. SQLite keeps
/// such values as they are; the count says how many no longer match the declared type.
fn misfit(column: &str, misfit: &Misfit) -> String {
    let c = column;
    match misfit {
        Misfit::Longer { max } => format!("length(CAST({c} AS TEXT)) > {max}"),
        Misfit::Outside { min, max } => format!("{c} < {min} OR {c} > {max}"),
        Misfit::Fractional => format!("{c} <> CAST({c} AS INTEGER)"),
        Misfit::Scale { scale } => format!("{c} <> round({c}, {scale})"),
        Misfit::Digits { digits, scale } => {
            format!("abs(round({c}, {scale})) >= {}", sql::power_of_ten(*digits))
        }
        // SQLite stores every float in 8 bytes, whatever the declared type.
        Misfit::RealPrecision => "0".to_string(),
        Misfit::HasTime => format!("time({c}) <> '00:00:00'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbconform_core::QualifiedName;

    #[test]
    fn misfits_have_sqlite_predicates() {
        let question = |misfit| Question::Misfits {
            table: QualifiedName::with_schema("main", "t"),
            column: "c".into(),
            misfit,
        };
        let cases = [
            (
                Misfit::Longer { max: 5 },
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND (length(CAST("c" AS TEXT)) > 5)"#,
            ),
            (
                Misfit::Fractional,
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND ("c" <> CAST("c" AS INTEGER))"#,
            ),
            (
                Misfit::Scale { scale: 1 },
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND ("c" <> round("c", 1))"#,
            ),
            (
                Misfit::Digits {
                    digits: 2,
                    scale: 0,
                },
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND (abs(round("c", 0)) >= 100)"#,
            ),
            (
                Misfit::RealPrecision,
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND (0)"#,
            ),
            (
                Misfit::HasTime,
                r#"SELECT count(*) FROM "t" WHERE "c" IS NOT NULL AND (time("c") <> '00:00:00')"#,
            ),
        ];
        for (m, sql) in cases {
            assert_eq!(count(&question(m)), sql);
        }
    }
}
