//! MySQL answers to data questions: one scalar subquery per question, all asked in one
//! statement (see [`crate::data_checks`]). A refused SELECT does not abort a MySQL
//! transaction, so no savepoint is needed.

use crate::data_checks::sql;
use dbconform_core::data::{Misfit, Question};
use dbconform_core::dialect::{Dialect, MYSQL};

/// The scalar subquery counting what `question` asks.
pub(crate) fn count(question: &Question) -> String {
    sql::count(&MYSQL as &dyn Dialect, question, &misfit)
}

/// The predicate true for a value of `column` (quoted) that does not fit. In strict mode
/// MySQL refuses such a value when the column changes, so the count is what would fail.
fn misfit(column: &str, misfit: &Misfit) -> String {
    let c = column;
    match misfit {
        Misfit::Longer { max } => format!("CHAR_LENGTH({c}) > {max}"),
        Misfit::Outside { min, max } => format!("{c} < {min} OR {c} > {max}"),
        Misfit::Fractional => format!("{c} <> TRUNCATE({c}, 0)"),
        Misfit::Scale { scale } => format!("{c} <> ROUND({c}, {scale})"),
        Misfit::Digits { digits, scale } => {
            format!("ABS(ROUND({c}, {scale})) >= {}", sql::power_of_ten(*digits))
        }
        // FLOAT holds about 3.4e38 at most; a value of more precision is rounded, not
        // refused.
        Misfit::RealPrecision => format!("ABS({c}) > 3.4028234663852886e38"),
        Misfit::HasTime => format!("TIME({c}) <> '00:00:00'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dbconform_core::QualifiedName;

    #[test]
    fn questions_have_mysql_subqueries_with_quoted_names() {
        let t = QualifiedName::with_schema("database", "or`der");
        assert_eq!(
            count(&Question::Nulls {
                table: t.clone(),
                columns: vec!["a".into(), "b`c".into()],
            }),
            "SELECT count(*) FROM `or``der` WHERE `a` IS NULL OR `b``c` IS NULL"
        );
        assert_eq!(
            count(&Question::Misfits {
                table: t,
                column: "c".into(),
                misfit: Misfit::Longer { max: 5 },
            }),
            "SELECT count(*) FROM `or``der` WHERE `c` IS NOT NULL AND (CHAR_LENGTH(`c`) > 5)"
        );
    }
}
