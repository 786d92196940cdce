//! Logical column types spelled for MySQL and MariaDB, and the types the catalog reports
//! (`information_schema.COLUMNS.COLUMN_TYPE`) read back into logical types.
//!
//! | logical type | written | why |
//! | --- | --- | --- |
//! | `SmallInt`, `Integer`, `BigInt` | `SMALLINT`, `INT`, `BIGINT` | |
//! | `Real`, `Double` | `FLOAT`, `DOUBLE` | |
//! | `Boolean` | `TINYINT(1)` | MySQL's `BOOLEAN` is an alias the server stores as `tinyint(1)` |
//! | `Text` | `TEXT` | up to 65,535 bytes; declare `max_length` for a key (M12) |
//! | `Varchar(n)` | `VARCHAR(n)` | |
//! | `Blob` | `LONGBLOB` | the unbounded bytes type (`BLOB` holds 64 KiB) |
//! | `Decimal { p, s }` | `DECIMAL(p,s)` | a bare `DECIMAL` is `DECIMAL(10,0)`: validation asks for a precision |
//! | `Date` | `DATE` | |
//! | `Time` | `TIME(6)` | a bare `TIME` drops fractional seconds |
//! | `Timestamp`, `TimestampTz` | `DATETIME(6)` | see [`TIMESTAMP_SQL`] |
//! | `Uuid` | `CHAR(36)` | the text form drivers bind |
//! | `Json` | `JSON` | MariaDB stores `LONGTEXT` plus a `json_valid` CHECK (M5) |
//! | `Custom(sql)` | `sql` verbatim | |
//! | `Enum(ty)` | `ENUM('a','b')` | MySQL's enums are inline; the labels in declared order |

use crate::model::ColumnType;

/// Both timestamp types are `DATETIME(6)`. MySQL's `TIMESTAMP` would be the natural
/// spelling of `TimestampTz`, but it ends in January 2038 and converts every value from
/// and to the session's `time_zone` on the way in and out, so the same instant reads back
/// differently on connections with other settings. `DATETIME(6)` stores what it is given,
/// with microseconds like PostgreSQL; a `TimestampTz` column holds UTC as the driver
/// writes it (the runtime's connections use `time_zone = '+00:00'`). Both logical types
/// are therefore one storage, and one normal form (`Timestamp`).
pub const TIMESTAMP_SQL: &str = "DATETIME(6)";

/// The MySQL spelling of a logical type.
pub(super) fn type_sql(ty: &ColumnType) -> String {
    match ty {
        ColumnType::SmallInt => "SMALLINT".to_string(),
        ColumnType::Integer => "INT".to_string(),
        ColumnType::BigInt => "BIGINT".to_string(),
        ColumnType::Real => "FLOAT".to_string(),
        ColumnType::Double => "DOUBLE".to_string(),
        ColumnType::Boolean => "TINYINT(1)".to_string(),
        ColumnType::Text => "TEXT".to_string(),
        ColumnType::Varchar(n) => format!("VARCHAR({n})"),
        ColumnType::Blob => "LONGBLOB".to_string(),
        ColumnType::Decimal { precision, scale } => match (precision, scale) {
            (Some(p), Some(s)) => format!("DECIMAL({p},{s})"),
            (Some(p), None) => format!("DECIMAL({p})"),
            (None, _) => "DECIMAL".to_string(),
        },
        ColumnType::Date => "DATE".to_string(),
        ColumnType::Time => "TIME(6)".to_string(),
        ColumnType::Timestamp | ColumnType::TimestampTz => TIMESTAMP_SQL.to_string(),
        ColumnType::Uuid => "CHAR(36)".to_string(),
        ColumnType::Json => "JSON".to_string(),
        ColumnType::Custom(sql) => sql.clone(),
        // Refused by validation (`validate.rs`); spelled only for a plan's text.
        ColumnType::Array(element) => format!("{}[]", type_sql(element)),
        ColumnType::Enum(ty) => enum_sql(ty),
    }
}

/// `ENUM('a','b')`: the labels as string literals, in order.
pub(super) fn enum_sql(ty: &crate::model::EnumType) -> String {
    let labels: Vec<String> = ty
        .labels
        .iter()
        .map(|l| super::lex::quote_literal(&l.name))
        .collect();
    format!("ENUM({})", labels.join(","))
}

/// A type as MySQL or MariaDB reports it (`int(11)`, `tinyint(1)`, `varchar(64)`,
/// `decimal(10,2) unsigned`, `datetime(6)`, `enum('a','B')`), or as a declaration spells
/// it in `sql_type`, read into its logical type; anything without an exact logical
/// equivalent is [`ColumnType::Custom`] in one canonical spelling: lower case outside
/// quotes, integer display widths dropped (MariaDB and MySQL before 8.0.19 report
/// `int(11)`, MySQL 8.0.19+ `int`; the width never changed what is stored), implicit
/// lengths written (`char` is `char(1)`, `datetime` is `datetime`, `time(0)` is `time`).
pub fn parse_type(sql: &str) -> ColumnType {
    let canonical = canonical_text(sql);
    let (name, args, rest) = split(&canonical);
    let nums: Vec<u32> = args
        .as_deref()
        .map(|a| a.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_default();
    let plain = rest.is_empty();
    let custom = |text: String| ColumnType::Custom(text);
    let with_rest = |base: &str| {
        if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base} {rest}")
        }
    };
    match name.as_str() {
        "bool" | "boolean" => ColumnType::Boolean,
        "tinyint" if nums == [1] && plain => ColumnType::Boolean,
        "tinyint" | "mediumint" => custom(with_rest(&name)),
        "smallint" if plain => ColumnType::SmallInt,
        "int" | "integer" if plain => ColumnType::Integer,
        "bigint" if plain => ColumnType::BigInt,
        "smallint" | "bigint" => custom(with_rest(&name)),
        "int" | "integer" => custom(with_rest("int")),
        "float" if plain && (nums.is_empty() || (nums.len() == 1 && nums[0] <= 24)) => {
            ColumnType::Real
        }
        "float" if plain && nums.len() == 1 => ColumnType::Double,
        "double" | "double precision" | "real" if plain && nums.is_empty() => ColumnType::Double,
        "decimal" | "numeric" | "dec" | "fixed" if plain => match nums.as_slice() {
            [] => decimal(10, 0),
            [p] => decimal(*p, 0),
            [p, s] => decimal(*p, *s),
            _ => custom(canonical.clone()),
        },
        "decimal" | "numeric" | "dec" | "fixed" => {
            let (p, s) = match nums.as_slice() {
                [] => (10, 0),
                [p] => (*p, 0),
                [p, s, ..] => (*p, *s),
            };
            custom(with_rest(&format!("decimal({p},{s})")))
        }
        "varchar" | "character varying" if nums.len() == 1 && plain => ColumnType::Varchar(nums[0]),
        "char" | "character" if nums == [36] && plain => ColumnType::Uuid,
        "char" | "character" if nums.is_empty() => custom(with_rest("char(1)")),
        "char" | "character" => custom(with_rest(&format!("char({})", args.unwrap_or_default()))),
        "text" if args.is_none() && plain => ColumnType::Text,
        "longblob" if plain => ColumnType::Blob,
        "json" if plain => ColumnType::Json,
        "date" if plain => ColumnType::Date,
        "time" if nums == [6] && plain => ColumnType::Time,
        "datetime" if nums == [6] && plain => ColumnType::Timestamp,
        "time" | "datetime" | "timestamp" if nums.is_empty() || nums == [0] => {
            custom(with_rest(&name))
        }
        "bit" | "binary" if nums.is_empty() => custom(with_rest(&format!("{name}(1)"))),
        _ => custom(canonical.clone()),
    }
}

fn decimal(precision: u32, scale: u32) -> ColumnType {
    ColumnType::Decimal {
        precision: Some(precision),
        scale: Some(scale),
    }
}

/// `text` in lower case outside quotes, whitespace runs as one space, none around `(`,
/// `)` and `,` (and `utf8` as the `utf8mb3` it is, M8).
fn canonical_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for ch in text.trim().chars() {
        if let Some(q) = quote {
            out.push(ch);
            if ch == q {
                quote = None;
            }
            continue;
        }
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.ends_with(['(', ',']) && !matches!(ch, '(' | ')' | ',') {
            out.push(' ');
        }
        pending_space = false;
        if ch == '\'' || ch == '"' || ch == '`' {
            quote = Some(ch);
        }
        out.push(ch.to_ascii_lowercase());
    }
    utf8_is_utf8mb3(&out)
}

/// `utf8` names (charsets, collations) as `utf8mb3`, the name MySQL 8.0.30+ and MariaDB
/// 10.6+ report for what older servers called `utf8`.
pub(super) fn utf8_is_utf8mb3(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 3);
    let mut rest = text;
    while let Some(at) = rest.find("utf8") {
        let before = &rest[..at];
        let after = &rest[at + 4..];
        out.push_str(before);
        out.push_str("utf8");
        let starts_word = !before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let ends_word = after.is_empty() || after.starts_with(|c: char| !c.is_alphanumeric());
        if starts_word && ends_word {
            out.push_str("mb3");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Splits `name(args) rest` (canonical text) into its parts; integer display widths are
/// part of `args` here and dropped by [`parse_type`].
fn split(text: &str) -> (String, Option<String>, String) {
    let (head, args, tail) = match text.find('(') {
        Some(open) => match text.rfind(')') {
            Some(close) if close > open => (
                &text[..open],
                Some(text[open + 1..close].to_string()),
                text[close + 1..].trim(),
            ),
            _ => (text, None, ""),
        },
        None => (text, None, ""),
    };
    // `int unsigned`: the name is the known type words, the rest are attributes.
    let words: Vec<&str> = head.split(' ').filter(|w| !w.is_empty()).collect();
    let two = words.len() >= 2
        && matches!(
            (words[0], words[1]),
            ("double", "precision") | ("character", "varying")
        );
    let (name, mut rest) = if two {
        (format!("{} {}", words[0], words[1]), words[2..].join(" "))
    } else if let Some((first, others)) = words.split_first() {
        (first.to_string(), others.join(" "))
    } else {
        (String::new(), String::new())
    };
    if !tail.is_empty() {
        if !rest.is_empty() {
            rest.push(' ');
        }
        rest.push_str(tail);
    }
    // A display width belongs to the integer types only and is dropped with them.
    let args = match name.as_str() {
        "tinyint" if args.as_deref() == Some("1") => args,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" => None,
        _ => args,
    };
    (name, args, rest)
}

/// The fractional-seconds precision of a `DATETIME`/`TIMESTAMP` column, `None` for other
/// types: what `CURRENT_TIMESTAMP` must be written with in its default (M4).
pub(super) fn datetime_precision(ty: &ColumnType) -> Option<u32> {
    match ty {
        ColumnType::Timestamp | ColumnType::TimestampTz => Some(6),
        ColumnType::Custom(text) => {
            let (name, args, _) = split(&canonical_text(text));
            matches!(name.as_str(), "datetime" | "timestamp")
                .then(|| args.and_then(|a| a.trim().parse().ok()).unwrap_or(0))
        }
        _ => None,
    }
}

/// `true` for numeric types, where `'5'` and `5` are one default.
pub(super) fn is_numeric(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::SmallInt
        | ColumnType::Integer
        | ColumnType::BigInt
        | ColumnType::Real
        | ColumnType::Double
        | ColumnType::Decimal { .. } => true,
        ColumnType::Custom(text) => {
            let (name, _, _) = split(&canonical_text(text));
            matches!(
                name.as_str(),
                "tinyint"
                    | "smallint"
                    | "mediumint"
                    | "int"
                    | "integer"
                    | "bigint"
                    | "decimal"
                    | "numeric"
                    | "float"
                    | "double"
                    | "real"
                    | "double precision"
            )
        }
        _ => false,
    }
}

/// `true` for character types, where the default `0` is the string `'0'`.
pub(super) fn is_string(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Uuid | ColumnType::Json => true,
        ColumnType::Custom(text) => {
            let (name, _, _) = split(&canonical_text(text));
            matches!(
                name.as_str(),
                "char"
                    | "character"
                    | "varchar"
                    | "character varying"
                    | "tinytext"
                    | "text"
                    | "mediumtext"
                    | "longtext"
                    | "enum"
                    | "set"
            )
        }
        _ => false,
    }
}

/// `true` for the types MySQL gives a default only as an expression in parentheses
/// (`DEFAULT ('x')`): TEXT, BLOB, JSON and GEOMETRY types.
pub(super) fn default_needs_parentheses(ty: &ColumnType) -> bool {
    match ty {
        ColumnType::Text | ColumnType::Blob | ColumnType::Json => true,
        ColumnType::Custom(text) => {
            let (name, _, _) = split(&canonical_text(text));
            name.ends_with("text")
                || name.ends_with("blob")
                || name == "json"
                || matches!(
                    name.as_str(),
                    "geometry" | "point" | "linestring" | "polygon"
                )
        }
        _ => false,
    }
}

/// `true` when MySQL changes a column from `from` to `to` without copying the table: a
/// longer `VARCHAR` whose length prefix keeps its size (up to 255 bytes, or beyond in
/// both; utf8mb4 counts 4 bytes a character), and the two timestamp types, which are one
/// `DATETIME(6)`.
pub(super) fn in_place(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType as T;
    match (from, to) {
        (T::Varchar(n), T::Varchar(m)) => {
            m >= n && (u64::from(*n) * 4 <= 255) == (u64::from(*m) * 4 <= 255)
        }
        (T::Timestamp | T::TimestampTz, T::Timestamp | T::TimestampTz) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(text: &str) -> ColumnType {
        ColumnType::Custom(text.into())
    }

    #[test]
    fn every_type_is_spelled() {
        for (ty, sql) in [
            (ColumnType::SmallInt, "SMALLINT"),
            (ColumnType::Integer, "INT"),
            (ColumnType::BigInt, "BIGINT"),
            (ColumnType::Real, "FLOAT"),
            (ColumnType::Double, "DOUBLE"),
            (ColumnType::Boolean, "TINYINT(1)"),
            (ColumnType::Text, "TEXT"),
            (ColumnType::Varchar(64), "VARCHAR(64)"),
            (ColumnType::Blob, "LONGBLOB"),
            (decimal(10, 2), "DECIMAL(10,2)"),
            (
                ColumnType::Decimal {
                    precision: Some(12),
                    scale: None,
                },
                "DECIMAL(12)",
            ),
            (ColumnType::Date, "DATE"),
            (ColumnType::Time, "TIME(6)"),
            (ColumnType::Timestamp, "DATETIME(6)"),
            (ColumnType::TimestampTz, "DATETIME(6)"),
            (ColumnType::Uuid, "CHAR(36)"),
            (ColumnType::Json, "JSON"),
            (custom("MEDIUMTEXT"), "MEDIUMTEXT"),
        ] {
            assert_eq!(type_sql(&ty), sql, "{ty:?}");
        }
    }

    #[test]
    fn what_the_renderer_writes_reads_back() {
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
            decimal(10, 2),
            ColumnType::Date,
            ColumnType::Time,
            ColumnType::Timestamp,
            ColumnType::Uuid,
            ColumnType::Json,
        ] {
            assert_eq!(parse_type(&type_sql(&ty)), ty, "{ty:?}");
        }
    }

    #[test]
    fn catalog_spellings_of_both_servers() {
        for (reported, ty) in [
            // MariaDB and MySQL < 8.0.19 keep display widths; MySQL 8.0.19+ drops them
            // except on tinyint(1).
            ("int(11)", ColumnType::Integer),
            ("int", ColumnType::Integer),
            ("bigint(20)", ColumnType::BigInt),
            ("smallint(6)", ColumnType::SmallInt),
            ("tinyint(1)", ColumnType::Boolean),
            ("boolean", ColumnType::Boolean),
            ("BOOL", ColumnType::Boolean),
            ("tinyint(4)", custom("tinyint")),
            ("tinyint", custom("tinyint")),
            ("int(10) unsigned", custom("int unsigned")),
            ("int unsigned", custom("int unsigned")),
            (
                "bigint(20) unsigned zerofill",
                custom("bigint unsigned zerofill"),
            ),
            ("tinyint(1) unsigned", custom("tinyint unsigned")),
            ("decimal(10,2)", decimal(10, 2)),
            ("numeric(12)", decimal(12, 0)),
            ("decimal", decimal(10, 0)),
            ("decimal(10,2) unsigned", custom("decimal(10,2) unsigned")),
            ("float", ColumnType::Real),
            ("double", ColumnType::Double),
            ("double precision", ColumnType::Double),
            ("varchar(64)", ColumnType::Varchar(64)),
            ("VARCHAR ( 64 )", ColumnType::Varchar(64)),
            ("char(36)", ColumnType::Uuid),
            ("char", custom("char(1)")),
            ("char(2)", custom("char(2)")),
            ("text", ColumnType::Text),
            ("longtext", custom("longtext")),
            ("longblob", ColumnType::Blob),
            ("json", ColumnType::Json),
            ("date", ColumnType::Date),
            ("time(6)", ColumnType::Time),
            ("time", custom("time")),
            ("time(0)", custom("time")),
            ("datetime(6)", ColumnType::Timestamp),
            ("datetime", custom("datetime")),
            ("timestamp(6)", custom("timestamp(6)")),
            ("enum('a','B c')", custom("enum('a','B c')")),
            ("ENUM('a', 'B')", custom("enum('a','B')")),
            ("bit", custom("bit(1)")),
            (
                "varchar(10) character set utf8",
                custom("varchar(10) character set utf8mb3"),
            ),
        ] {
            assert_eq!(parse_type(reported), ty, "{reported}");
            // A canonical spelling reads as itself.
            if let ColumnType::Custom(text) = &ty {
                assert_eq!(parse_type(text), ty, "{text}");
            }
        }
    }

    #[test]
    fn utf8_names_are_utf8mb3() {
        assert_eq!(utf8_is_utf8mb3("utf8_general_ci"), "utf8mb3_general_ci");
        assert_eq!(utf8_is_utf8mb3("utf8mb4_bin"), "utf8mb4_bin");
        assert_eq!(utf8_is_utf8mb3("utf8mb3_bin"), "utf8mb3_bin");
        assert_eq!(utf8_is_utf8mb3("utf8"), "utf8mb3");
    }

    #[test]
    fn in_place_changes() {
        assert!(in_place(&ColumnType::Varchar(10), &ColumnType::Varchar(60)));
        // 63 * 4 = 252 bytes: one length byte; 64 * 4 = 256: two.
        assert!(!in_place(
            &ColumnType::Varchar(63),
            &ColumnType::Varchar(64)
        ));
        assert!(in_place(
            &ColumnType::Varchar(100),
            &ColumnType::Varchar(300)
        ));
        assert!(!in_place(
            &ColumnType::Varchar(60),
            &ColumnType::Varchar(10)
        ));
        assert!(in_place(&ColumnType::Timestamp, &ColumnType::TimestampTz));
        assert!(!in_place(&ColumnType::Integer, &ColumnType::BigInt));
    }
}
