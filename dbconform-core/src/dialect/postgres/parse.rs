//! Reading PostgreSQL type spellings.
//!
//! Two functions, one strict and one forgiving:
//!
//! - [`parse_type`] reads what `format_type(atttypid, atttypmod)` reports. It maps each of
//!   PostgreSQL's canonical spellings to the one logical type it means exactly, and keeps
//!   everything else as [`ColumnType::Custom`] with the text as reported. An array type
//!   (`text[]`, `character varying(20)[]`, `"Mood"[]`) is [`ColumnType::Array`] of its
//!   element read the same way.
//! - [`canonical_type`] reads any spelling a user may write in `sql_type = "..."` (aliases
//!   such as `int4`, `varchar(20)`, `timestamptz`, `decimal`, `_int4`, `serial`, any case)
//!   and returns what PostgreSQL would store for it: the logical type, or `Custom` with the
//!   `format_type` spelling, plus whether the spelling was a `serial` pseudo-type.

use crate::dialect::expr::segments;
use crate::model::ColumnType;

/// A type as reported by `format_type`, as a logical type.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::ColumnType;
/// use dbconform::dialect::postgres::parse_type;
/// assert_eq!(parse_type("character varying(20)"), ColumnType::Varchar(20));
/// assert_eq!(parse_type("json"), ColumnType::Custom("json".into()));
/// assert_eq!(
///     parse_type("text[]"),
///     ColumnType::Array(Box::new(ColumnType::Text))
/// );
/// ```
pub fn parse_type(sql: &str) -> ColumnType {
    // `format_type` writes every array type, whatever its declared dimensions, as the
    // element's spelling followed by one `[]`.
    if let Some(element) = sql.strip_suffix("[]")
        && !in_quotes(sql, element.len())
        && !element.is_empty()
    {
        return match parse_type(element) {
            // `x[][]` is not what `format_type` writes, but is the same array type.
            ColumnType::Array(inner) => ColumnType::Array(inner),
            element => ColumnType::Array(Box::new(element)),
        };
    }
    let exact = match sql {
        "smallint" => Some(ColumnType::SmallInt),
        "integer" => Some(ColumnType::Integer),
        "bigint" => Some(ColumnType::BigInt),
        "real" => Some(ColumnType::Real),
        "double precision" => Some(ColumnType::Double),
        "boolean" => Some(ColumnType::Boolean),
        "text" => Some(ColumnType::Text),
        "bytea" => Some(ColumnType::Blob),
        "numeric" => Some(ColumnType::Decimal {
            precision: None,
            scale: None,
        }),
        "date" => Some(ColumnType::Date),
        "time without time zone" => Some(ColumnType::Time),
        "timestamp without time zone" => Some(ColumnType::Timestamp),
        "timestamp with time zone" => Some(ColumnType::TimestampTz),
        "uuid" => Some(ColumnType::Uuid),
        "jsonb" => Some(ColumnType::Json),
        _ => None,
    };
    if let Some(ty) = exact {
        return ty;
    }
    if let Some(n) = modifiers(sql, "character varying").and_then(|args| one_number(&args)) {
        return ColumnType::Varchar(n);
    }
    if let Some(args) = modifiers(sql, "numeric")
        && let [p, s] = args.as_slice()
        && let (Ok(p), Ok(s)) = (p.parse::<u32>(), s.parse::<u32>())
    {
        return ColumnType::Decimal {
            precision: Some(p),
            scale: Some(s),
        };
    }
    ColumnType::Custom(sql.to_string())
}

/// The expression of a CHECK constraint as `pg_get_constraintdef` reports it: the text
/// between `CHECK (` and its matching `)`, without what may follow (` NOT VALID`,
/// ` NO INHERIT`). `None` when `definition` is not a CHECK.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::dialect::postgres::check_expression;
/// assert_eq!(
///     check_expression("CHECK ((price > (0)::numeric)) NOT VALID").as_deref(),
///     Some("(price > (0)::numeric)")
/// );
/// ```
pub fn check_expression(definition: &str) -> Option<String> {
    let rest = definition.trim().strip_prefix("CHECK")?.trim_start();
    if !rest.starts_with('(') {
        return None;
    }
    let mut depth = 0i64;
    let mut offset = 0usize;
    for (segment, quoted) in segments(rest)? {
        if !quoted {
            for (i, ch) in segment.char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(rest[1..offset + i].to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        offset += segment.len();
    }
    None
}

/// The arguments of `name(a,b)` when `sql` is exactly that (no spaces inside the name
/// part, as `format_type` writes it), split on commas and trimmed.
fn modifiers(sql: &str, name: &str) -> Option<Vec<String>> {
    let inner = sql
        .strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')?;
    Some(inner.split(',').map(|a| a.trim().to_string()).collect())
}

/// The single unsigned number in `args`.
fn one_number(args: &[String]) -> Option<u32> {
    match args {
        [n] => n.parse().ok(),
        _ => None,
    }
}

/// What PostgreSQL stores for a user-written type spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CanonicalType {
    /// The logical type, or `Custom` with the `format_type` spelling.
    pub ty: ColumnType,
    /// `true` for `serial`, `bigserial`, `smallserial` (and `serial2/4/8`): an integer
    /// column with an owned sequence, i.e. auto-increment.
    pub serial: bool,
}

/// The `format_type` spelling PostgreSQL stores for `sql`, as a logical type when one
/// matches exactly (see the module documentation). Spellings it does not know (other
/// schemas' types, domains, enums) keep their text, with unquoted parts in lower case as
/// PostgreSQL folds them.
pub(crate) fn canonical_type(sql: &str) -> CanonicalType {
    let spelled = spelling(sql);
    let serial = spelled.serial;
    let ty = settle(parse_type(&spelled.text));
    CanonicalType { ty, serial }
}

/// A parsed `format_type` spelling with the precisions that change nothing dropped, in an
/// array's element too.
fn settle(ty: ColumnType) -> ColumnType {
    match ty {
        // `timestamp(6)` is `timestamp`: six digits is the most PostgreSQL keeps, so the
        // explicit precision changes nothing stored or accepted.
        ColumnType::Custom(text) => match text.as_str() {
            "timestamp(6) without time zone" => ColumnType::Timestamp,
            "timestamp(6) with time zone" => ColumnType::TimestampTz,
            "time(6) without time zone" => ColumnType::Time,
            "time(6) with time zone" => ColumnType::Custom("time with time zone".into()),
            _ => ColumnType::Custom(text),
        },
        ColumnType::Array(element) => ColumnType::Array(Box::new(settle(*element))),
        ty => ty,
    }
}

/// A canonical spelling and whether it came from a serial pseudo-type.
struct Spelled {
    text: String,
    serial: bool,
}

/// Rewrites a type spelling into `format_type`'s.
fn spelling(sql: &str) -> Spelled {
    let folded = fold(sql);
    // Built-in types live in `pg_catalog`, which `format_type` never names.
    let mut unqualified = folded.as_str();
    while let Some(rest) = unqualified.strip_prefix("pg_catalog.") {
        unqualified = rest;
    }
    let (base, array) = strip_array(unqualified);
    let (words, args, after) = split_modifiers(base);
    let (text, serial) = if array {
        // Array types have no typmod-dependent aliases of their own: spell the element.
        // An array of a serial pseudo-type does not exist; it is never auto-increment.
        // An array of arrays is the same array type (`_int4[]` is `integer[]`).
        let element = spelling(&join(&words, &args, &after)).text;
        let text = match element.strip_suffix("[]") {
            Some(_) => element,
            None => format!("{element}[]"),
        };
        (text, false)
    } else if let Some(element) = words
        .strip_prefix('_')
        .filter(|w| args.is_none() && after.is_empty() && !w.is_empty() && !w.contains(' '))
    {
        // `_int4` is the internal name of `integer[]`; `__x` is `_x`'s, the same array
        // type (an array of arrays is the array).
        let element = spelling(element).text;
        let text = match element.strip_suffix("[]") {
            Some(_) => element,
            None => format!("{element}[]"),
        };
        (text, false)
    } else {
        alias(&words, args.as_deref(), &after)
    };
    Spelled { text, serial }
}

/// Rebuilds `words(args) after`.
fn join(words: &str, args: &Option<Vec<String>>, after: &str) -> String {
    let mut text = words.to_string();
    if let Some(args) = args {
        text.push('(');
        text.push_str(&args.join(","));
        text.push(')');
    }
    if !after.is_empty() {
        text.push(' ');
        text.push_str(after);
    }
    text
}

/// The canonical spelling of a non-array type, and whether it is a serial pseudo-type.
fn alias(words: &str, args: Option<&[String]>, after: &str) -> (String, bool) {
    let time_zone = match after {
        "" | "without time zone" => Some(false),
        "with time zone" => Some(true),
        _ => None,
    };
    let plain = args.is_none() && after.is_empty();
    let fixed = |name: &str| (name.to_string(), false);
    match (words, args) {
        ("int" | "integer" | "int4", None) if plain => fixed("integer"),
        ("int8" | "bigint", None) if plain => fixed("bigint"),
        ("int2" | "smallint", None) if plain => fixed("smallint"),
        ("serial" | "serial4", None) if plain => ("integer".into(), true),
        ("bigserial" | "serial8", None) if plain => ("bigint".into(), true),
        ("smallserial" | "serial2", None) if plain => ("smallint".into(), true),
        ("float4" | "real", None) if plain => fixed("real"),
        ("float8" | "double precision" | "float", None) if plain => fixed("double precision"),
        ("float", Some([p])) if after.is_empty() => match p.parse::<u32>() {
            Ok(1..=24) => fixed("real"),
            Ok(25..=53) => fixed("double precision"),
            _ => (join(words, &args.map(<[String]>::to_vec), after), false),
        },
        ("bool" | "boolean", None) if plain => fixed("boolean"),
        ("varchar" | "character varying" | "char varying", _) if after.is_empty() => match args {
            None => fixed("character varying"),
            Some(args) => (format!("character varying({})", args.join(",")), false),
        },
        ("char" | "character", _) if after.is_empty() => match args {
            None => fixed("character(1)"),
            Some(args) => (format!("character({})", args.join(",")), false),
        },
        ("bpchar", Some(args)) if after.is_empty() => {
            (format!("character({})", args.join(",")), false)
        }
        ("decimal" | "numeric", _) if after.is_empty() => match args {
            None => fixed("numeric"),
            Some([p]) => (format!("numeric({p},0)"), false),
            Some(args) => (format!("numeric({})", args.join(",")), false),
        },
        ("timestamptz", _) if after.is_empty() => (with_precision("timestamp", args, true), false),
        ("timetz", _) if after.is_empty() => (with_precision("time", args, true), false),
        ("timestamp" | "time", _) if time_zone.is_some() => (
            with_precision(words, args, time_zone.unwrap_or(false)),
            false,
        ),
        ("varbit" | "bit varying", _) if after.is_empty() => (
            join("bit varying", &args.map(<[String]>::to_vec), ""),
            false,
        ),
        ("bit", None) if plain => fixed("bit(1)"),
        _ => (join(words, &args.map(<[String]>::to_vec), after), false),
    }
}

/// `timestamp(3) with time zone`, `time without time zone`.
fn with_precision(base: &str, args: Option<&[String]>, time_zone: bool) -> String {
    let zone = if time_zone { "with" } else { "without" };
    match args {
        Some(args) => format!("{base}({}) {zone} time zone", args.join(",")),
        None => format!("{base} {zone} time zone"),
    }
}

/// ASCII lower case outside double quotes (PostgreSQL folds unquoted names), whitespace
/// runs collapsed to one space, and no space around `(`, `)`, `,`, `[`, `]` or `.`.
fn fold(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut pending_space = false;
    for ch in sql.trim().chars() {
        if quoted {
            out.push(ch);
            if ch == '"' {
                quoted = false;
            }
            continue;
        }
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        let tight = |c: char| matches!(c, '(' | ')' | ',' | '[' | ']' | '.');
        if pending_space && !out.is_empty() && !tight(ch) && !out.ends_with(tight) {
            out.push(' ');
        }
        pending_space = false;
        if ch == '"' {
            quoted = true;
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

/// Removes array decorations — `[]`, `[3]`, repeated, or ` array` / ` array[3]` — and says
/// whether there were any. PostgreSQL ignores the dimensions: every array of `T` is `T[]`.
fn strip_array(sql: &str) -> (&str, bool) {
    let mut base = sql;
    let mut array = false;
    loop {
        if let Some(open) = base.rfind('[')
            && base.ends_with(']')
            && base[open + 1..base.len() - 1]
                .chars()
                .all(|c| c.is_ascii_digit())
            && !in_quotes(base, open)
        {
            base = &base[..open];
            array = true;
            continue;
        }
        if let Some(rest) = base.strip_suffix(" array") {
            base = rest;
            array = true;
            continue;
        }
        break;
    }
    (base.trim_end(), array)
}

/// `true` when byte `pos` of `sql` lies inside a double-quoted name.
fn in_quotes(sql: &str, pos: usize) -> bool {
    sql[..pos].matches('"').count() % 2 == 1
}

/// Splits `words(args) after` (the arguments may also sit at the end); `args` is `None`
/// without parentheses. Text in double quotes is never split.
fn split_modifiers(sql: &str) -> (String, Option<Vec<String>>, String) {
    let open = sql
        .char_indices()
        .find(|&(i, c)| c == '(' && !in_quotes(sql, i))
        .map(|(i, _)| i);
    let Some(open) = open else {
        return (sql.to_string(), None, String::new());
    };
    let Some(close) = sql[open..].find(')').map(|i| open + i) else {
        return (sql.to_string(), None, String::new());
    };
    let args = sql[open + 1..close]
        .split(',')
        .map(|a| a.trim().to_string())
        .collect();
    (
        sql[..open].trim().to_string(),
        Some(args),
        sql[close + 1..].trim().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(p: Option<u32>, s: Option<u32>) -> ColumnType {
        ColumnType::Decimal {
            precision: p,
            scale: s,
        }
    }

    fn custom(text: &str) -> ColumnType {
        ColumnType::Custom(text.into())
    }

    fn array(element: ColumnType) -> ColumnType {
        ColumnType::Array(Box::new(element))
    }

    #[test]
    fn internal_array_names_of_arrays_are_the_same_array_once_and_for_all() {
        // Found by the normalization property test: `__x` became `x[][]` on the second
        // pass, a change proposed forever.
        for spelled in ["__\u{11800}", "__int4", "_int4[]", "_int4"] {
            let once = canonical_type(spelled).ty;
            let ColumnType::Array(element) = &once else {
                panic!("{spelled}: {once:?}");
            };
            assert!(
                !matches!(**element, ColumnType::Array(_)),
                "{spelled}: {once:?}"
            );
            let text = crate::dialect::Dialect::column_type_sql(&crate::dialect::POSTGRES, &once);
            assert_eq!(canonical_type(&text).ty, once, "{spelled}");
        }
        assert_eq!(canonical_type("__int4").ty, array(ColumnType::Integer));
    }

    #[test]
    fn format_type_spellings_parse_to_their_exact_type() {
        for (reported, ty) in [
            ("smallint", ColumnType::SmallInt),
            ("integer", ColumnType::Integer),
            ("bigint", ColumnType::BigInt),
            ("real", ColumnType::Real),
            ("double precision", ColumnType::Double),
            ("boolean", ColumnType::Boolean),
            ("text", ColumnType::Text),
            ("character varying(20)", ColumnType::Varchar(20)),
            ("bytea", ColumnType::Blob),
            ("numeric(10,2)", dec(Some(10), Some(2))),
            ("numeric(12,0)", dec(Some(12), Some(0))),
            ("numeric", dec(None, None)),
            ("date", ColumnType::Date),
            ("time without time zone", ColumnType::Time),
            ("timestamp without time zone", ColumnType::Timestamp),
            ("timestamp with time zone", ColumnType::TimestampTz),
            ("uuid", ColumnType::Uuid),
            ("jsonb", ColumnType::Json),
            ("integer[]", array(ColumnType::Integer)),
            ("text[]", array(ColumnType::Text)),
            ("character varying(20)[]", array(ColumnType::Varchar(20))),
            ("character varying[]", array(custom("character varying"))),
            ("numeric(10,2)[]", array(dec(Some(10), Some(2)))),
            ("timestamp with time zone[]", array(ColumnType::TimestampTz)),
            ("jsonb[]", array(ColumnType::Json)),
            ("uuid[]", array(ColumnType::Uuid)),
            ("\"Mood\"[]", array(custom("\"Mood\""))),
            ("app.mood[]", array(custom("app.mood"))),
        ] {
            assert_eq!(parse_type(reported), ty, "{reported}");
        }
    }

    #[test]
    fn other_spellings_stay_custom_as_reported() {
        for reported in [
            "json",
            "character varying",
            "character(1)",
            "\"char\"",
            "bpchar",
            "timestamp(3) without time zone",
            "timestamp(6) without time zone",
            "time(3) without time zone",
            "time with time zone",
            "interval",
            "citext",
            "status_enum",
            "app.\"Status\"",
            "character varying(x)",
            "numeric(10)",
            "INTEGER",
            "",
        ] {
            assert_eq!(parse_type(reported), custom(reported), "{reported}");
        }
    }

    #[test]
    fn aliases_become_what_postgres_stores() {
        for (written, ty) in [
            ("int", ColumnType::Integer),
            ("INT4", ColumnType::Integer),
            ("Integer", ColumnType::Integer),
            ("int8", ColumnType::BigInt),
            ("BIGINT", ColumnType::BigInt),
            ("int2", ColumnType::SmallInt),
            ("float8", ColumnType::Double),
            ("float", ColumnType::Double),
            ("float(53)", ColumnType::Double),
            ("float(24)", ColumnType::Real),
            ("double   precision", ColumnType::Double),
            ("float4", ColumnType::Real),
            ("bool", ColumnType::Boolean),
            ("varchar(20)", ColumnType::Varchar(20)),
            ("VARCHAR (20)", ColumnType::Varchar(20)),
            ("character varying(20)", ColumnType::Varchar(20)),
            ("char varying(20)", ColumnType::Varchar(20)),
            ("varchar", custom("character varying")),
            ("char", custom("character(1)")),
            ("character", custom("character(1)")),
            ("char(3)", custom("character(3)")),
            ("bpchar(3)", custom("character(3)")),
            ("bpchar", custom("bpchar")),
            ("decimal", dec(None, None)),
            ("NUMERIC", dec(None, None)),
            ("numeric(12)", dec(Some(12), Some(0))),
            ("decimal(10, 2)", dec(Some(10), Some(2))),
            ("NUMERIC(10,2)", dec(Some(10), Some(2))),
            ("timestamptz", ColumnType::TimestampTz),
            ("TIMESTAMP WITH TIME ZONE", ColumnType::TimestampTz),
            ("timestamptz(6)", ColumnType::TimestampTz),
            ("timestamptz(3)", custom("timestamp(3) with time zone")),
            ("timestamp", ColumnType::Timestamp),
            ("timestamp(6)", ColumnType::Timestamp),
            ("timestamp (3)", custom("timestamp(3) without time zone")),
            (
                "timestamp(3) without time zone",
                custom("timestamp(3) without time zone"),
            ),
            ("time", ColumnType::Time),
            ("time(6)", ColumnType::Time),
            ("timetz", custom("time with time zone")),
            ("time with time zone", custom("time with time zone")),
            ("bytea", ColumnType::Blob),
            ("UUID", ColumnType::Uuid),
            ("jsonb", ColumnType::Json),
            ("json", custom("json")),
            ("_int4", array(ColumnType::Integer)),
            ("int4[]", array(ColumnType::Integer)),
            ("int[][]", array(ColumnType::Integer)),
            ("integer[3]", array(ColumnType::Integer)),
            ("integer ARRAY", array(ColumnType::Integer)),
            ("integer ARRAY[4]", array(ColumnType::Integer)),
            ("varchar(5)[]", array(ColumnType::Varchar(5))),
            ("varchar(20) []", array(ColumnType::Varchar(20))),
            ("character varying[]", array(custom("character varying"))),
            ("_text", array(ColumnType::Text)),
            ("text[]", array(ColumnType::Text)),
            ("TEXT ARRAY", array(ColumnType::Text)),
            ("_int4[]", array(ColumnType::Integer)),
            ("int8[]", array(ColumnType::BigInt)),
            ("bigint[]", array(ColumnType::BigInt)),
            ("_int8", array(ColumnType::BigInt)),
            ("jsonb[]", array(ColumnType::Json)),
            ("uuid[]", array(ColumnType::Uuid)),
            ("timestamptz[]", array(ColumnType::TimestampTz)),
            ("timestamp(6)[]", array(ColumnType::Timestamp)),
            ("numeric(12)[]", array(dec(Some(12), Some(0)))),
            ("\"Mood\"[]", array(custom("\"Mood\""))),
            ("CITEXT", custom("citext")),
            ("pg_catalog.int4", ColumnType::Integer),
            ("\"MyEnum\"", custom("\"MyEnum\"")),
            ("app.\"My Enum\"", custom("app.\"My Enum\"")),
            ("bit", custom("bit(1)")),
            ("varbit(4)", custom("bit varying(4)")),
            ("interval", custom("interval")),
        ] {
            let canonical = canonical_type(written);
            assert_eq!(canonical.ty, ty, "{written}");
            assert!(!canonical.serial, "{written}");
        }
    }

    #[test]
    fn check_bodies_are_cut_out_of_constraint_definitions() {
        for (definition, expr) in [
            (
                "CHECK ((price > (0)::numeric))",
                Some("(price > (0)::numeric)"),
            ),
            (
                "CHECK ((k = ANY (ARRAY[1, 2])))",
                Some("(k = ANY (ARRAY[1, 2]))"),
            ),
            ("CHECK ((a > 0)) NOT VALID", Some("(a > 0)")),
            ("CHECK ((a > 0)) NO INHERIT", Some("(a > 0)")),
            ("CHECK ((m ~~ ')%'::text))", Some("(m ~~ ')%'::text)")),
            ("CHECK ((\"we)ird\" > 0))", Some("(\"we)ird\" > 0)")),
            ("PRIMARY KEY (id)", None),
            ("CHECK a > 0", None),
            ("CHECK ((a > 0)", None),
            ("CHECK ('open)", None),
        ] {
            assert_eq!(
                check_expression(definition).as_deref(),
                expr,
                "{definition}"
            );
        }
    }

    #[test]
    fn serial_types_are_integers_with_a_sequence() {
        for (written, ty) in [
            ("serial", ColumnType::Integer),
            ("SERIAL4", ColumnType::Integer),
            ("bigserial", ColumnType::BigInt),
            ("serial8", ColumnType::BigInt),
            ("smallserial", ColumnType::SmallInt),
            ("serial2", ColumnType::SmallInt),
        ] {
            assert_eq!(
                canonical_type(written),
                CanonicalType { ty, serial: true },
                "{written}"
            );
        }
        // `serial[]` is not a thing PostgreSQL accepts; it is never auto-increment.
        assert!(!canonical_type("serial[]").serial);
    }
}
