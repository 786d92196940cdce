//! Logical column types spelled for SQLite.

use crate::model::ColumnType;

/// The type of an auto-increment column: `INTEGER PRIMARY KEY` is the rowid alias, the
/// only column AUTOINCREMENT is allowed on.
pub(super) const AUTOINCREMENT_TYPE: &str = "INTEGER";

/// The SQLite spelling of a logical type.
///
/// UUIDs are BLOB because sqlx stores `uuid::Uuid` as 16 bytes on SQLite; JSON is TEXT as
/// the SQLite documentation recommends (a NUMERIC-affinity column would turn the JSON text
/// `5` into an integer).
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".to_string(),
        ColumnType::Integer => "INTEGER".to_string(),
        ColumnType::BigInt => "BIGINT".to_string(),
        ColumnType::Real => "REAL".to_string(),
        ColumnType::Double => "DOUBLE".to_string(),
        ColumnType::Boolean => "BOOLEAN".to_string(),
        ColumnType::Text => "TEXT".to_string(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Blob => "BLOB".to_string(),
        ColumnType::Decimal { precision, scale } => {
            super::super::numeric_type_sql(*precision, *scale)
        }
        ColumnType::Date => "DATE".to_string(),
        ColumnType::Time => "TIME".to_string(),
        ColumnType::Timestamp => "TIMESTAMP".to_string(),
        ColumnType::TimestampTz => "TIMESTAMPTZ".to_string(),
        ColumnType::Uuid => "BLOB".to_string(),
        ColumnType::Json => "TEXT".to_string(),
        ColumnType::Custom(sql) => sql.clone(),
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
            (ColumnType::Double, "DOUBLE"),
            (ColumnType::Boolean, "BOOLEAN"),
            (ColumnType::Text, "TEXT"),
            (ColumnType::Varchar(64), "VARCHAR(64)"),
            (ColumnType::Blob, "BLOB"),
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
            (ColumnType::Uuid, "BLOB"),
            (ColumnType::Json, "TEXT"),
            (ColumnType::Custom("citext".into()), "citext"),
        ] {
            assert_eq!(type_sql(&ty), sql, "{ty:?}");
        }
    }
}
