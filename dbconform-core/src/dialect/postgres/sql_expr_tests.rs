//! What PostgreSQL 15 stores (read with `pg_get_constraintdef` and `pg_get_expr`) and what
//! users declare must settle to one text; real differences must survive.

use super::*;

/// The columns of the table every case is on, typed as a declaration or a reflection has
/// them.
fn columns() -> Vec<Column> {
    vec![
        Column::new(
            "price",
            ColumnType::Decimal {
                precision: Some(12),
                scale: Some(2),
            },
        ),
        Column::new("p2", ColumnType::Custom("numeric".into())),
        Column::new("qty", ColumnType::Integer),
        Column::new("n", ColumnType::Integer),
        Column::new("status", ColumnType::Text),
        Column::new("code", ColumnType::Varchar(10)),
        Column::new("c2", ColumnType::Custom("character varying(10)".into())),
        Column::new("r", ColumnType::Real),
        Column::new("d", ColumnType::Double),
        Column::new("b", ColumnType::Boolean),
        Column::new("day", ColumnType::Date),
        Column::new("mood", ColumnType::Custom("mood".into())),
        Column::new("Mixed", ColumnType::Integer),
    ]
}

fn settled(text: &str) -> String {
    settle(text, &columns()).unwrap_or_else(|| panic!("`{text}` is not read"))
}

/// Pairs of (declared, stored by PostgreSQL 15) that must settle to the same text.
const SAME: &[(&str, &str)] = &[
    ("price >= 0", "(price >= (0)::numeric)"),
    (
        "p2 > 0.5 AND p2 < 100",
        "((p2 > 0.5) AND (p2 < (100)::numeric))",
    ),
    ("qty BETWEEN 1 AND 5", "((qty >= 1) AND (qty <= 5))"),
    ("n NOT BETWEEN 1 AND 3", "((n < 1) OR (n > 3))"),
    (
        "status IN ('new', 'paid', 'shipped')",
        "(status = ANY (ARRAY['new'::text, 'paid'::text, 'shipped'::text]))",
    ),
    (
        "code IN ('a','b')",
        "((code)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
    ),
    (
        "c2 NOT IN ('a','b')",
        "((c2)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
    ),
    ("c2 = 'a'", "((c2)::text = 'a'::text)"),
    ("code LIKE 'a%'", "((code)::text ~~ 'a%'::text)"),
    ("code NOT ILIKE 'a%'", "((code)::text !~~* 'a%'::text)"),
    (
        "length(code) > 2 OR code IS NULL",
        "((length((code)::text) > 2) OR (code IS NULL))",
    ),
    ("NOT (status = 'x')", "(NOT (status = 'x'::text))"),
    ("r >= 0", "(r >= (0)::double precision)"),
    ("d >= -1.5", "(d >= ('-1.5'::numeric)::double precision)"),
    ("qty > -1", "(qty > '-1'::integer)"),
    (
        "b = true OR b IS NOT NULL",
        "((b = true) OR (b IS NOT NULL))",
    ),
    ("n IN (1,2,3)", "(n = ANY (ARRAY[1, 2, 3]))"),
    ("n IN (7)", "(n = 7)"),
    ("status IN ('x')", "(status = 'x'::text)"),
    (
        "qty > 1 AND (qty < 10 OR qty = 20)",
        "((qty > 1) AND ((qty < 10) OR (qty = 20)))",
    ),
    (
        "price > 0 AND qty BETWEEN 1 AND 3",
        "((price > (0)::numeric) AND ((qty >= 1) AND (qty <= 3)))",
    ),
    ("lower(code)", "lower((code)::text)"),
    ("price * 2 > 10", "((price * (2)::numeric) > (10)::numeric)"),
    ("day > '2020-01-01'", "(day > '2020-01-01'::date)"),
    ("day > DATE '2020-01-01'", "(day > '2020-01-01'::date)"),
    ("mood <> 'sad'", "(mood <> 'sad'::mood)"),
    ("\"Mixed\" > 0", "(\"Mixed\" > 0)"),
    ("n != 1", "(n <> 1)"),
    ("CAST(qty AS bigint) > 0", "((qty)::bigint > 0)"),
    ("qty::int8 > 0", "((qty)::bigint > 0)"),
    ("created >= now()", "(created >= CURRENT_TIMESTAMP)"),
    ("Price>=0", "price >= 0"),
    ("status = E'x'", "(status = 'x'::text)"),
    ("a || b = 'ab'", "((a || b) = 'ab'::text)"),
];

#[test]
fn what_postgres_stores_settles_to_what_was_declared() {
    for (declared, stored) in SAME {
        assert_eq!(settled(declared), settled(stored), "{declared} vs {stored}");
    }
}

#[test]
fn the_normal_form_is_readable_sql() {
    for (text, normal) in [
        ("(price >= (0)::numeric)", "price >= 0"),
        ("((qty >= 1) AND (qty <= 5))", "qty >= 1 and qty <= 5"),
        (
            "(status = ANY (ARRAY['new'::text, 'paid'::text]))",
            "status in ('new', 'paid')",
        ),
        ("(NOT (status = 'x'::text))", "not status = 'x'"),
        ("((a + b) * c)", "(a + b) * c"),
        ("(a - (b - c))", "a - (b - c)"),
        ("((a - b) - c)", "a - b - c"),
        ("(-(1))::integer", "-1"),
        (
            "abs(('-1'::numeric)::integer)",
            "abs((-1)::numeric::integer)",
        ),
        ("abs(('-1'::integer)::numeric)", "abs((-1)::numeric)"),
        ("x = 'it''s'", "x = 'it''s'"),
        (
            "\"select\" > 0 AND \"Mixed\" > 0",
            "\"select\" > 0 and \"Mixed\" > 0",
        ),
        ("ts::timestamp(3)", "ts::timestamp(3) without time zone"),
        ("x::varchar(5)[]", "x::character varying(5)[]"),
        ("a IS NOT DISTINCT FROM b", "a is not distinct from b"),
        // IS binds less tightly than `=` (PostgreSQL 9.5 on).
        ("(a = b) IS TRUE", "a = b is true"),
        ("a = (b IS TRUE)", "a = (b is true)"),
        ("arr[1] = 2", "arr[1] = 2"),
        ("x = ANY (arr)", "x = any (arr)"),
        ("- - 1 > x", "-(-1) > x"),
    ] {
        assert_eq!(settled(text), normal, "{text}");
        assert_eq!(settled(normal), normal, "{normal} is its own normal form");
    }
}

#[test]
fn real_differences_survive() {
    for (a, b) in [
        ("price > 0", "price >= 0"),
        ("status IN ('a', 'b')", "status IN ('a', 'c')"),
        ("status = 'A'", "status = 'a'"),
        ("\"Mixed\" > 0", "mixed > 0"),
        ("qty BETWEEN 1 AND 5", "qty BETWEEN 1 AND 6"),
        ("qty NOT BETWEEN 1 AND 5", "qty BETWEEN 1 AND 5"),
        // Integer division is not numeric division.
        ("1 / 3 > 0", "(1)::numeric / 3 > 0"),
        // A cast that changes the value stays.
        ("qty > 1.5::integer", "qty > 1.5"),
        ("code = 'abcdef'::varchar(3)", "code = 'abcdef'"),
        // A text column cast to another type is another value.
        ("code::integer > 0", "code > 0"),
        ("a OR b AND c", "(a OR b) AND c"),
        ("NOT a = b", "NOT a <> b"),
    ] {
        assert_ne!(settled(a), settled(b), "{a} vs {b}");
    }
}

#[test]
fn what_is_not_read_is_left_to_the_textual_normal_form() {
    for text in [
        "",
        "(",
        "a = ",
        "x = $1",
        "f($$a$$)",
        "e'\\n' = x",
        "CASE WHEN a THEN 1 ELSE 2 END > 0",
        "x IN (SELECT 1)",
        "EXISTS (SELECT 1)",
        "x COLLATE \"C\" > 'a'",
        "count(*) > 0",
        "x BETWEEN SYMMETRIC 1 AND 2",
        "x LIKE 'a' ESCAPE '!'",
        "a -- comment",
        "current_timestamp(3)",
        "'open",
    ] {
        assert_eq!(settle(text, &columns()), None, "{text:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// SQL-like text from the tokens that matter: no panic, and the normal form is its
        /// own normal form.
        #[test]
        fn settling_twice_changes_nothing(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", ",", "::", "::text", "::integer", "::numeric", "::text[]",
                    "-", "+", "*", "||", "=", "<>", ">=", "~~", "'-1'", "'x'", "'it''s'", "1",
                    "2.5", "NULL", "AND", "OR", "NOT", "IS", "IN", "BETWEEN", "LIKE", "ANY",
                    "ALL", "ARRAY[", "]", "code", "qty", "\"Mixed\"", "now()", "lower(",
                    "DISTINCT", "FROM", "TRUE",
                ]),
                0..24,
            ),
        ) {
            let text = parts.join(" ");
            if let Some(once) = settle(&text, &columns()) {
                prop_assert_eq!(settle(&once, &columns()), Some(once.clone()), "{}", text);
            }
        }

        /// Any text: no panic.
        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,80}") {
            if let Some(once) = settle(&text, &columns()) {
                prop_assert_eq!(settle(&once, &columns()), Some(once.clone()), "{}", text);
            }
        }
    }
}
