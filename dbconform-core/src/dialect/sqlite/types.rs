//! Logical column types spelled for SQLite.

use crate::model::ColumnType;
use std::borrow::Cow;

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
        // Refused by validation (`validate.rs`); spelled only for a plan's text.
        ColumnType::Array(element) => format!("{}[]", type_sql(element)),
        // The labels are a CHECK of the column (see `normalize`).
        ColumnType::Enum(_) => "TEXT".to_string(),
    }
}

/// A declared type in one canonical spelling: ASCII upper case, runs of whitespace as one
/// space, none around `(`, `,` and `)`: `numeric ( 10, 2 )` → `NUMERIC(10,2)`. SQLite
/// compares type names case-insensitively and ignores that whitespace.
pub(super) fn canonical_type_text(sql: &str) -> Cow<'_, str> {
    // The common case, a type as dbconform or SQLite spells it (`VARCHAR(100)`), is its
    // own canonical form: no copy (reflecting 1,000 tables asks this 11,000 times).
    if sql
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b.is_ascii_lowercase())
    {
        return Cow::Borrowed(sql);
    }
    let collapsed = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(collapsed.len());
    let mut chars = collapsed.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == ' ' {
            let next_is_punct = chars.peek().is_some_and(|c| matches!(c, '(' | ',' | ')'));
            let prev_is_punct = out.ends_with(['(', ',']);
            if next_is_punct || prev_is_punct {
                continue;
            }
        }
        out.push(ch.to_ascii_uppercase());
    }
    Cow::Owned(out)
}

/// `NAME(n)` → `Some(n)` for the given (canonical) name.
fn one_argument(canonical: &str, name: &str) -> Option<u32> {
    canonical
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .parse()
        .ok()
}

/// `NAME`, `NAME(p)` or `NAME(p,s)` → the decimal type, for the given (canonical) name.
fn decimal(canonical: &str, name: &str) -> Option<ColumnType> {
    let rest = canonical.strip_prefix(name)?;
    if rest.is_empty() {
        return Some(ColumnType::Decimal {
            precision: None,
            scale: None,
        });
    }
    let args = rest.strip_prefix('(')?.strip_suffix(')')?;
    let (precision, scale) = match args.split_once(',') {
        Some((p, s)) => (p.parse().ok()?, Some(s.parse().ok()?)),
        None => (args.parse().ok()?, None),
    };
    Some(ColumnType::Decimal {
        precision: Some(precision),
        scale,
    })
}

/// The logical type of a declared SQLite type: exactly the spellings [`type_sql`] writes
/// (`SMALLINT`, `INTEGER`, `BIGINT`, `REAL`, `DOUBLE`, `BOOLEAN`, `TEXT`, `VARCHAR(n)`,
/// `BLOB`, `NUMERIC[(p[,s])]`, `DATE`, `TIME`, `TIMESTAMP`, `TIMESTAMPTZ`), in any case
/// and with any whitespace; anything else is [`ColumnType::Custom`] with the text as
/// given. Aliases (`INT`, `BOOL`, ...) are left to normalization, because `INT PRIMARY
/// KEY` is not `INTEGER PRIMARY KEY` (the rowid alias).
pub(super) fn parse_type(sql: &str) -> ColumnType {
    let canonical = canonical_type_text(sql);
    let ty = match &*canonical {
        "SMALLINT" => Some(ColumnType::SmallInt),
        "INTEGER" => Some(ColumnType::Integer),
        "BIGINT" => Some(ColumnType::BigInt),
        "REAL" => Some(ColumnType::Real),
        "DOUBLE" => Some(ColumnType::Double),
        "BOOLEAN" => Some(ColumnType::Boolean),
        "TEXT" => Some(ColumnType::Text),
        "BLOB" => Some(ColumnType::Blob),
        "DATE" => Some(ColumnType::Date),
        "TIME" => Some(ColumnType::Time),
        "TIMESTAMP" => Some(ColumnType::Timestamp),
        "TIMESTAMPTZ" => Some(ColumnType::TimestampTz),
        other => one_argument(other, "VARCHAR")
            .map(ColumnType::Varchar)
            .or_else(|| decimal(other, "NUMERIC")),
    };
    ty.unwrap_or_else(|| ColumnType::Custom(sql.to_string()))
}

/// Other spellings of the logical types that SQLite treats exactly alike (same affinity,
/// and the same meaning to the model), for a canonical type text. Spellings that map to
/// `Integer` are only aliases off the rowid: the caller must not apply them to the single
/// primary-key column of a rowid table, where only `INTEGER` makes the rowid alias.
pub(super) fn alias(canonical: &str) -> Option<ColumnType> {
    let ty = match canonical {
        "INT" | "INT4" => ColumnType::Integer,
        "INT2" => ColumnType::SmallInt,
        "INT8" => ColumnType::BigInt,
        "BOOL" => ColumnType::Boolean,
        "DOUBLE PRECISION" | "FLOAT8" => ColumnType::Double,
        "FLOAT4" => ColumnType::Real,
        "TIMESTAMP WITHOUT TIME ZONE" => ColumnType::Timestamp,
        "TIMESTAMP WITH TIME ZONE" => ColumnType::TimestampTz,
        other => {
            return one_argument(other, "CHARACTER VARYING")
                .map(ColumnType::Varchar)
                .or_else(|| decimal(other, "DECIMAL"));
        }
    };
    Some(ty)
}

/// `true` when SQLite stores `from` and `to` alike: SMALLINT, INTEGER and BIGINT are one
/// 64-bit integer storage, REAL and DOUBLE one 8-byte float.
pub(super) fn same_storage(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType as T;
    let integer = |ty: &ColumnType| matches!(ty, T::SmallInt | T::Integer | T::BigInt);
    let float = |ty: &ColumnType| matches!(ty, T::Real | T::Double);
    (integer(from) && integer(to)) || (float(from) && float(to))
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

    #[test]
    fn every_written_spelling_parses_back() {
        let decimal = |precision, scale| ColumnType::Decimal { precision, scale };
        for ty in [
            ColumnType::SmallInt,
            ColumnType::Integer,
            ColumnType::BigInt,
            ColumnType::Real,
            ColumnType::Double,
            ColumnType::Boolean,
            ColumnType::Text,
            ColumnType::Varchar(64),
            ColumnType::Blob,
            decimal(None, None),
            decimal(Some(12), None),
            decimal(Some(10), Some(2)),
            ColumnType::Date,
            ColumnType::Time,
            ColumnType::Timestamp,
            ColumnType::TimestampTz,
        ] {
            assert_eq!(parse_type(&type_sql(&ty)), ty);
            assert_eq!(parse_type(&type_sql(&ty).to_lowercase()), ty);
        }
        for (sql, ty) in [
            ("varchar ( 20 )", ColumnType::Varchar(20)),
            ("  Integer ", ColumnType::Integer),
            ("numeric( 10 ,2 )", decimal(Some(10), Some(2))),
            (
                "NUMERIC(10,2,3)",
                ColumnType::Custom("NUMERIC(10,2,3)".into()),
            ),
            ("VARCHAR(-1)", ColumnType::Custom("VARCHAR(-1)".into())),
            ("VARCHAR", ColumnType::Custom("VARCHAR".into())),
            ("int", ColumnType::Custom("int".into())),
            (
                "double   precision",
                ColumnType::Custom("double   precision".into()),
            ),
            ("", ColumnType::Custom(String::new())),
            ("citext", ColumnType::Custom("citext".into())),
        ] {
            assert_eq!(parse_type(sql), ty, "{sql:?}");
        }
    }

    #[test]
    fn canonical_text_and_aliases() {
        assert_eq!(canonical_type_text(" numeric ( 10 , 2 ) "), "NUMERIC(10,2)");
        assert_eq!(
            canonical_type_text("double \t precision"),
            "DOUBLE PRECISION"
        );
        assert_eq!(
            canonical_type_text("Character  Varying(20)"),
            "CHARACTER VARYING(20)"
        );
        for (canonical, ty) in [
            ("INT", Some(ColumnType::Integer)),
            ("INT4", Some(ColumnType::Integer)),
            ("INT2", Some(ColumnType::SmallInt)),
            ("INT8", Some(ColumnType::BigInt)),
            ("BOOL", Some(ColumnType::Boolean)),
            ("DOUBLE PRECISION", Some(ColumnType::Double)),
            ("FLOAT8", Some(ColumnType::Double)),
            ("FLOAT4", Some(ColumnType::Real)),
            ("CHARACTER VARYING(20)", Some(ColumnType::Varchar(20))),
            (
                "DECIMAL(10,2)",
                Some(ColumnType::Decimal {
                    precision: Some(10),
                    scale: Some(2),
                }),
            ),
            ("TIMESTAMP WITH TIME ZONE", Some(ColumnType::TimestampTz)),
            ("TIMESTAMP WITHOUT TIME ZONE", Some(ColumnType::Timestamp)),
            ("FLOAT", None),
            ("DATETIME", None),
            ("JSON", None),
            ("UUID", None),
            ("CHARACTER VARYING", None),
        ] {
            assert_eq!(alias(canonical), ty, "{canonical}");
        }
    }
}
