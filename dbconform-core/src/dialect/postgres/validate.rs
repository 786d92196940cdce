//! PostgreSQL's own rules, on top of the shared ones.

use super::Postgres;
use crate::dialect::validate::{common, identifiers, invalid};
use crate::error::Result;
use crate::model::{ColumnType, TableDef};
use crate::naming::MAX_IDENTIFIER_BYTES;

/// The largest precision PostgreSQL accepts for NUMERIC.
const MAX_NUMERIC_PRECISION: u32 = 1000;

/// The largest length PostgreSQL accepts for VARCHAR.
const MAX_VARCHAR_LENGTH: u32 = 10_485_760;

/// The shared rules, then: no identifier longer than 63 bytes (PostgreSQL would silently
/// truncate it, and the truncated name would never match the declaration), and type
/// parameters PostgreSQL accepts.
pub(super) fn table(dialect: &Postgres, table: &TableDef) -> Result<()> {
    common(dialect, table)?;
    for (what, name) in identifiers(table) {
        if name.len() > MAX_IDENTIFIER_BYTES {
            return Err(invalid(
                table,
                format!(
                    "{what} `{name}` is {} bytes long; PostgreSQL keeps at most {MAX_IDENTIFIER_BYTES} bytes of an identifier and silently truncates longer ones, so the database would never match the declaration: shorten it to {MAX_IDENTIFIER_BYTES} bytes or fewer",
                    name.len()
                ),
            ));
        }
    }
    let comments = std::iter::once(("the table comment".to_string(), table.comment.as_deref()))
        .chain(table.columns.iter().map(|c| {
            (
                format!("the comment of column `{}`", c.name),
                c.comment.as_deref(),
            )
        }));
    for (what, comment) in comments {
        if comment.is_some_and(|c| c.contains('\0')) {
            return Err(invalid(
                table,
                format!(
                    "{what} contains a NUL character, which PostgreSQL text cannot hold; remove it"
                ),
            ));
        }
    }
    if let Some(column) = table
        .columns
        .iter()
        .find(|c| c.generated.as_ref().is_some_and(|g| !g.stored))
    {
        return Err(invalid(
            table,
            format!(
                "column `{}` is a virtual generated column, but PostgreSQL up to 17 has only STORED generated columns; remove `stored = false` (the column is then computed on write and stored)",
                column.name
            ),
        ));
    }
    for column in &table.columns {
        match column.ty {
            ColumnType::Decimal {
                precision: Some(p), ..
            } if p > MAX_NUMERIC_PRECISION => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{}` has a decimal precision of {p}; PostgreSQL allows at most {MAX_NUMERIC_PRECISION}: lower `precision` or leave it out for an unconstrained NUMERIC",
                        column.name
                    ),
                ));
            }
            ColumnType::Varchar(n) if n > MAX_VARCHAR_LENGTH => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{}` is VARCHAR({n}); PostgreSQL allows at most VARCHAR({MAX_VARCHAR_LENGTH}): lower `max_length` or remove it for TEXT",
                        column.name
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dialect::fixtures::{col, fk, table};
    use crate::dialect::{Dialect, POSTGRES};
    use crate::model::{
        Check, ColumnType, Index, IndexColumn, PrimaryKey, TableDef, UniqueConstraint,
    };

    fn message(table: &TableDef) -> String {
        match POSTGRES.validate_table(table) {
            Ok(()) => panic!("accepted {table:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn identifiers_longer_than_63_bytes_are_refused() {
        let long = "x".repeat(64);
        let limit = "PostgreSQL keeps at most 63 bytes of an identifier and silently truncates longer ones, so the database would never match the declaration: shorten it to 63 bytes or fewer";
        type Case = (fn(&mut TableDef, &str), &'static str);
        let cases: [Case; 8] = [
            (|t, n| t.schema = Some(n.into()), "schema name"),
            (|t, n| t.name = n.into(), "table name"),
            (
                |t, n| t.columns.push(col(n, ColumnType::Text)),
                "column name",
            ),
            (
                |t, n| {
                    t.primary_key = Some(PrimaryKey {
                        name: Some(n.into()),
                        columns: vec!["id".into()],
                    })
                },
                "primary key name",
            ),
            (
                |t, n| {
                    t.uniques.push(UniqueConstraint {
                        nulls_not_distinct: false,
                        name: n.into(),
                        columns: vec!["id".into()],
                    })
                },
                "unique constraint name",
            ),
            (
                |t, n| t.foreign_keys.push(fk(n, &["id"], "u", &["id"])),
                "foreign key name",
            ),
            (
                |t, n| {
                    t.checks.push(Check {
                        name: n.into(),
                        expr: "id > 0".into(),
                        not_valid: false,
                    })
                },
                "check constraint name",
            ),
            (
                |t, n| {
                    t.indexes.push(Index {
                        method: None,
                        include: Vec::new(),
                        nulls_not_distinct: false,
                        invalid: false,
                        name: n.into(),
                        columns: vec![IndexColumn::asc("id")],
                        unique: false,
                        predicate: None,
                    })
                },
                "index name",
            ),
        ];
        for (change, what) in cases {
            let mut t = table("t", vec![]);
            change(&mut t, &long);
            let message = message(&t);
            assert!(
                message.ends_with(&format!("{what} `{long}` is 64 bytes long; {limit}")),
                "{message}"
            );
            // 63 bytes is fine.
            let mut t = table("t", vec![]);
            change(&mut t, &long[..63]);
            assert!(POSTGRES.validate_table(&t).is_ok(), "{what}");
        }
        // The limit is in bytes, not characters: 32 two-byte characters are 64 bytes.
        let wide = "é".repeat(32);
        let t = table("t", vec![col(&wide, ColumnType::Text)]);
        assert_eq!(
            message(&t),
            format!("table `t`: column name `{wide}` is 64 bytes long; {limit}")
        );
    }

    #[test]
    fn type_parameters_postgres_refuses() {
        let t = table(
            "t",
            vec![col(
                "amount",
                ColumnType::Decimal {
                    precision: Some(1001),
                    scale: None,
                },
            )],
        );
        assert_eq!(
            message(&t),
            "table `t`: column `amount` has a decimal precision of 1001; PostgreSQL allows at most 1000: lower `precision` or leave it out for an unconstrained NUMERIC"
        );
        let t = table("t", vec![col("body", ColumnType::Varchar(10_485_761))]);
        assert_eq!(
            message(&t),
            "table `t`: column `body` is VARCHAR(10485761); PostgreSQL allows at most VARCHAR(10485760): lower `max_length` or remove it for TEXT"
        );
        let ok = table(
            "t",
            vec![col(
                "a",
                ColumnType::Decimal {
                    precision: Some(1000),
                    scale: Some(2),
                },
            )],
        );
        assert!(POSTGRES.validate_table(&ok).is_ok());
    }

    #[test]
    fn comments_cannot_hold_nul() {
        let mut t = table("t", vec![col("a", ColumnType::Text)]);
        t.columns[1].comment = Some("a\0".into());
        assert_eq!(
            message(&t),
            "table `t`: the comment of column `a` contains a NUL character, which PostgreSQL text cannot hold; remove it"
        );
        t.columns[1].comment = None;
        t.comment = Some("\0".into());
        assert_eq!(
            message(&t),
            "table `t`: the table comment contains a NUL character, which PostgreSQL text cannot hold; remove it"
        );
    }

    #[test]
    fn effective_schema_is_the_target_unless_explicit() {
        assert_eq!(POSTGRES.effective_schema(None, "public"), "public");
        assert_eq!(POSTGRES.effective_schema(None, "app"), "app");
        assert_eq!(POSTGRES.effective_schema(Some("billing"), "app"), "billing");
    }
}
