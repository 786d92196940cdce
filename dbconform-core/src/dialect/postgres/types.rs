//! Logical column types spelled for PostgreSQL.

use crate::model::ColumnType;

/// The PostgreSQL spelling of a logical type.
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".to_string(),
        ColumnType::Integer => "INTEGER".to_string(),
        ColumnType::BigInt => "BIGINT".to_string(),
        ColumnType::Real => "REAL".to_string(),
        ColumnType::Double => "DOUBLE PRECISION".to_string(),
        ColumnType::Boolean => "BOOLEAN".to_string(),
        ColumnType::Text => "TEXT".to_string(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Blob => "BYTEA".to_string(),
        ColumnType::Decimal { precision, scale } => {
            super::super::numeric_type_sql(*precision, *scale)
        }
        ColumnType::Date => "DATE".to_string(),
        ColumnType::Time => "TIME".to_string(),
        ColumnType::Timestamp => "TIMESTAMP".to_string(),
        ColumnType::TimestampTz => "TIMESTAMPTZ".to_string(),
        ColumnType::Uuid => "UUID".to_string(),
        ColumnType::Json => "JSONB".to_string(),
        ColumnType::Custom(sql) => sql.clone(),
        // `T[]`: PostgreSQL ignores dimensions, so one pair of brackets whatever the nesting.
        ColumnType::Array(element) => format!("{}[]", type_sql(innermost(element))),
        ColumnType::Enum(ty) => enum_type_name(ty),
    }
}

/// The element of the innermost array (`Array(Array(Integer))` → `Integer`): an array of
/// arrays is, on PostgreSQL, the array of that element.
pub(super) fn innermost(ty: &ColumnType) -> &ColumnType {
    match ty {
        ColumnType::Array(element) => innermost(element),
        other => other,
    }
}

/// The quoted, possibly schema-qualified name of an enum type (`"app"."mood"`).
pub(super) fn enum_type_name(ty: &crate::model::EnumType) -> String {
    match &ty.schema {
        Some(schema) => format!(
            "{}.{}",
            super::super::quote_ident_double(schema),
            super::super::quote_ident_double(&ty.name)
        ),
        None => super::super::quote_ident_double(&ty.name),
    }
}

/// `true` when PostgreSQL changes only the catalog (no table rewrite, no scan) to change a
/// column from `from` to `to`.
pub(super) fn catalog_only(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType as T;
    match (from, to) {
        (T::Varchar(n), T::Varchar(m)) => m >= n,
        (T::Varchar(_), T::Text) => true,
        // Array changes always rewrite (PostgreSQL 15 rewrites even `varchar(10)[]` →
        // `text[]`: the cast is an array coercion, never a relabel).
        (
            T::Decimal {
                precision: Some(p1),
                scale: s1,
            },
            T::Decimal {
                precision: p2,
                scale: s2,
            },
        ) => match p2 {
            None => true,
            Some(p2) => p2 >= p1 && s1.unwrap_or(0) == s2.unwrap_or(0),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_spelled() {
        for (ty, sql) in [
            (ColumnType::SmallInt, "SMALLINT"),
            (ColumnType::Integer, "INTEGER"),
            (ColumnType::BigInt, "BIGINT"),
            (ColumnType::Real, "REAL"),
            (ColumnType::Double, "DOUBLE PRECISION"),
            (ColumnType::Boolean, "BOOLEAN"),
            (ColumnType::Text, "TEXT"),
            (ColumnType::Varchar(64), "VARCHAR(64)"),
            (ColumnType::Blob, "BYTEA"),
            (
                ColumnType::Decimal {
                    precision: None,
                    scale: None,
                },
                "NUMERIC",
            ),
            (
                ColumnType::Decimal {
                    precision: Some(12),
                    scale: None,
                },
                "NUMERIC(12)",
            ),
            (
                ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                },
                "NUMERIC(10,2)",
            ),
            (ColumnType::Date, "DATE"),
            (ColumnType::Time, "TIME"),
            (ColumnType::Timestamp, "TIMESTAMP"),
            (ColumnType::TimestampTz, "TIMESTAMPTZ"),
            (ColumnType::Uuid, "UUID"),
            (ColumnType::Json, "JSONB"),
            (ColumnType::Custom("citext".into()), "citext"),
            (ColumnType::Array(Box::new(ColumnType::Text)), "TEXT[]"),
            (
                ColumnType::Array(Box::new(ColumnType::Varchar(20))),
                "VARCHAR(20)[]",
            ),
            (
                ColumnType::Array(Box::new(ColumnType::Array(Box::new(ColumnType::BigInt)))),
                "BIGINT[]",
            ),
            (
                ColumnType::Array(Box::new(ColumnType::Custom("\"Mood\"".into()))),
                "\"Mood\"[]",
            ),
        ] {
            assert_eq!(type_sql(&ty), sql, "{ty:?}");
        }
    }
}
