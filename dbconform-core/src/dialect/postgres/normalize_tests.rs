//! Normal-form rules, one trap at a time (docs/DATABASE_TRAPS.md, section P): what PostgreSQL stores and what users
//! declare must meet, and real differences must survive.

use super::*;
use crate::dialect::{Dialect, POSTGRES};
use crate::model::{
    Check, Column, ColumnType, GeneratedColumn, Index, IndexColumn, PrimaryKey, SortOrder,
    TableDef, UniqueConstraint,
};

fn custom(text: &str) -> ColumnType {
    ColumnType::Custom(text.into())
}

fn one_column(column: Column) -> TableDef {
    TableDef {
        schema: Some("public".into()),
        name: "t".into(),
        columns: vec![column],
        ..TableDef::default()
    }
}

fn normal_column(column: Column) -> Column {
    POSTGRES.normalize_table(&one_column(column)).columns[0].clone()
}

fn with_default(ty: ColumnType, default: &str) -> Column {
    Column {
        default: Some(default.into()),
        ..Column::new("c", ty)
    }
}

fn normal_default(ty: ColumnType, default: &str) -> Option<String> {
    normal_column(with_default(ty, default)).default
}

#[test]
fn custom_type_aliases_become_logical_types() {
    for (written, ty) in [
        ("int4", ColumnType::Integer),
        ("int", ColumnType::Integer),
        ("int8", ColumnType::BigInt),
        ("int2", ColumnType::SmallInt),
        ("float8", ColumnType::Double),
        ("float4", ColumnType::Real),
        ("bool", ColumnType::Boolean),
        ("varchar(20)", ColumnType::Varchar(20)),
        ("character varying(20)", ColumnType::Varchar(20)),
        (
            "decimal",
            ColumnType::Decimal {
                precision: None,
                scale: None,
            },
        ),
        (
            "numeric(12)",
            ColumnType::Decimal {
                precision: Some(12),
                scale: Some(0),
            },
        ),
        ("timestamptz", ColumnType::TimestampTz),
        ("timestamp(6)", ColumnType::Timestamp),
        ("TEXT", ColumnType::Text),
        ("jsonb", ColumnType::Json),
        ("_int4", ColumnType::Array(Box::new(ColumnType::Integer))),
        (
            "varchar(20)[]",
            ColumnType::Array(Box::new(ColumnType::Varchar(20))),
        ),
        ("text ARRAY", ColumnType::Array(Box::new(ColumnType::Text))),
        ("char", custom("character(1)")),
        ("varchar", custom("character varying")),
        ("Citext", custom("citext")),
    ] {
        let column = normal_column(Column::new("c", custom(written)));
        assert_eq!(column.ty, ty, "{written}");
        assert!(!column.auto_increment, "{written}");
    }
}

#[test]
fn serial_is_an_auto_increment_integer() {
    for (written, ty) in [
        ("serial", ColumnType::Integer),
        ("BIGSERIAL", ColumnType::BigInt),
        ("smallserial", ColumnType::SmallInt),
    ] {
        let column = normal_column(Column {
            nullable: true,
            ..Column::new("id", custom(written))
        });
        assert_eq!(column.ty, ty);
        assert!(column.auto_increment);
        assert!(!column.nullable);
        assert_eq!(column.default, None);
    }
}

#[test]
fn numeric_precision_alone_means_scale_zero() {
    let column = normal_column(Column::new(
        "c",
        ColumnType::Decimal {
            precision: Some(12),
            scale: None,
        },
    ));
    assert_eq!(
        column.ty,
        ColumnType::Decimal {
            precision: Some(12),
            scale: Some(0)
        }
    );
    // Real differences survive.
    for ty in [
        ColumnType::Decimal {
            precision: Some(12),
            scale: Some(2),
        },
        ColumnType::Decimal {
            precision: None,
            scale: None,
        },
        ColumnType::Varchar(20),
        custom("timestamp(3) without time zone"),
    ] {
        assert_eq!(normal_column(Column::new("c", ty.clone())).ty, ty);
    }
}

#[test]
fn primary_key_and_identity_columns_are_not_null() {
    let mut table = one_column(Column {
        nullable: true,
        ..Column::new("id", ColumnType::BigInt)
    });
    table.columns.push(Column {
        nullable: true,
        auto_increment: true,
        ..Column::new("n", ColumnType::Integer)
    });
    table.columns.push(Column {
        nullable: true,
        ..Column::new("free", ColumnType::Integer)
    });
    table.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    let normal = POSTGRES.normalize_table(&table);
    let nullable: Vec<bool> = normal.columns.iter().map(|c| c.nullable).collect();
    assert_eq!(nullable, [false, false, true]);
}

#[test]
fn defaults_lose_the_cast_postgres_adds() {
    let array = |ty: ColumnType| ColumnType::Array(Box::new(ty));
    for (ty, stored, declared) in [
        (ColumnType::Text, "'x'::text", "'x'"),
        (ColumnType::Varchar(20), "'x'::character varying", "'x'"),
        (ColumnType::Varchar(20), "'x'::text", "'x'"),
        (custom("character varying"), "''::character varying", "''"),
        (ColumnType::Integer, "'-1'::integer", "-1"),
        (ColumnType::BigInt, "'0'::bigint", "0"),
        (
            ColumnType::Decimal {
                precision: None,
                scale: None,
            },
            "'-1.5'::numeric",
            "-1.5",
        ),
        (ColumnType::Real, "'1.5'::real", "1.5"),
        (ColumnType::Json, "'{}'::jsonb", "'{}'"),
        (custom("status_enum"), "'active'::status_enum", "'active'"),
        (array(ColumnType::Text), "'{}'::text[]", "'{}'"),
        (array(ColumnType::Text), "ARRAY[]::text[]", "'{}'"),
        (array(ColumnType::Text), "'{}'::text[]", "ARRAY[]::text[]"),
        (array(ColumnType::Text), "'{a,b}'::text[]", "'{a,b}'"),
        (
            array(ColumnType::Varchar(20)),
            "'{}'::character varying[]",
            "'{}'",
        ),
        (
            array(ColumnType::Varchar(20)),
            "ARRAY[]::character varying(20)[]",
            "'{}'",
        ),
        (array(ColumnType::BigInt), "'{1,2}'::bigint[]", "'{1,2}'"),
        (
            ColumnType::Timestamp,
            "'2020-01-01 00:00:00'::timestamp without time zone",
            "'2020-01-01 00:00:00'",
        ),
        (ColumnType::TimestampTz, "now()", "(now())"),
        (ColumnType::TimestampTz, "now()", "NOW()"),
        // One function, three spellings the server keeps as given.
        (ColumnType::TimestampTz, "now()", "CURRENT_TIMESTAMP"),
        (
            ColumnType::TimestampTz,
            "CURRENT_TIMESTAMP",
            "transaction_timestamp()",
        ),
        (ColumnType::Timestamp, "now()", "pg_catalog.now()"),
        (
            ColumnType::TimestampTz,
            "(now() + '1 day'::interval)",
            "(CURRENT_TIMESTAMP + '1 day'::interval)",
        ),
        (
            ColumnType::Timestamp,
            "CURRENT_TIMESTAMP",
            "current_timestamp",
        ),
        (ColumnType::Boolean, "true", "TRUE"),
        (ColumnType::Text, "'it''s'::text", "'it''s'"),
        (ColumnType::Text, "'a;b'::text", "('a;b')"),
        (ColumnType::Integer, "(1 + 1)", "1+1"),
        (
            ColumnType::Date,
            "(CURRENT_DATE + '3 days'::interval)",
            "(current_date + '3 days'::interval)",
        ),
    ] {
        let (a, b) = (
            normal_default(ty.clone(), stored),
            normal_default(ty.clone(), declared),
        );
        // `1+1` and `1 + 1` are left to the database: whitespace inside is kept as one space.
        if declared == "1+1" {
            assert_eq!(a.as_deref(), Some("1 + 1"));
            assert_eq!(b.as_deref(), Some("1+1"));
            continue;
        }
        assert_eq!(a, b, "{ty:?}: {stored} vs {declared}");
    }
}

#[test]
fn defaults_keep_real_differences() {
    for (ty, a, b) in [
        (ColumnType::Text, "'x'::text", "'X'"),
        (ColumnType::Text, "'x'", "'x '"),
        // Other clocks than the transaction's start, and other functions named like it.
        (ColumnType::TimestampTz, "now()", "clock_timestamp()"),
        (ColumnType::TimestampTz, "now()", "statement_timestamp()"),
        (
            ColumnType::TimestampTz,
            "CURRENT_TIMESTAMP",
            "CURRENT_TIMESTAMP(3)",
        ),
        (ColumnType::TimestampTz, "now()", "localtimestamp"),
        (ColumnType::TimestampTz, "now()", "xnow()"),
        (ColumnType::TimestampTz, "now()", "app.now()"),
        (ColumnType::Text, "'now()'", "'current_timestamp'"),
        (ColumnType::Integer, "-1", "1"),
        // A cast to another type may change the value: kept.
        (
            ColumnType::Timestamp,
            "'2020-01-01 10:00'::date",
            "'2020-01-01 10:00'",
        ),
        (ColumnType::Integer, "'1'::text::integer", "1"),
    ] {
        assert_ne!(
            normal_default(ty.clone(), a),
            normal_default(ty.clone(), b),
            "{ty:?}: {a} vs {b}"
        );
    }
    assert_eq!(normal_default(ColumnType::Text, "NULL"), None);
    assert_eq!(normal_default(ColumnType::Text, "NULL::text"), None);
    assert_eq!(normal_default(ColumnType::Text, "(null)"), None);
    assert_eq!(
        normal_default(ColumnType::Text, "'Mixed Case'::text").as_deref(),
        Some("'Mixed Case'")
    );
    assert_eq!(
        normal_default(ColumnType::Text, "\"Upper\"()").as_deref(),
        Some("\"Upper\"()")
    );
}

#[test]
fn expressions_lose_outer_parentheses_whitespace_and_case() {
    for (a, b) in [
        ("(price > 0)", "price > 0"),
        ("((price >   0))", "PRICE > 0"),
        ("x IN (1,2)", "x in ( 1 , 2 )"),
        ("x IN (1,2)", "x IN (1, 2)"),
        ("lower(email)", "LOWER( email )"),
        ("a = 'X'", "A = 'X'"),
        ("(\"Mixed\" > 0)", "\"Mixed\" > 0"),
        ("x\n  AND\ty", "x and y"),
        ("x IN ('a','b')", "x IN ('a', 'b')"),
        ("arr[ 1 ]", "arr[1]"),
    ] {
        assert_eq!(expression(a), expression(b), "{a} vs {b}");
    }
    for (a, b) in [
        ("a = 'X'", "a = 'x'"),
        ("\"Mixed\" > 0", "mixed > 0"),
        ("price > 0", "price >= 0"),
        ("(a) + (b)", "a + b"),
    ] {
        assert_ne!(expression(a), expression(b), "{a} vs {b}");
    }
    assert_eq!(expression("x IN (1,2)"), "x in (1, 2)");
    assert_eq!(expression("(a) + (b)"), "(a) + (b)");
    // Dollar quoting is not understood: no case folding.
    assert_eq!(expression("f($$ABC$$)"), "f($$ABC$$)");
    // Unclosed quotes are only trimmed.
    assert_eq!(expression(" 'OPEN "), "'OPEN");
}

#[test]
fn check_constraints_compare_by_normalized_text() {
    let mut table = one_column(Column::new("price", ColumnType::Integer));
    table.checks.push(Check {
        name: "ck".into(),
        expr: "((PRICE >= 0))".into(),
        not_valid: false,
    });
    let normal = POSTGRES.normalize_table(&table);
    assert_eq!(normal.checks[0].expr, "price >= 0");
    assert_eq!(normal.checks[0].name, "ck");
}

fn index(name: &str, columns: Vec<IndexColumn>, unique: bool, predicate: Option<&str>) -> Index {
    Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: name.into(),
        columns,
        unique,
        predicate: predicate.map(str::to_string),
    }
}

fn expr_key(text: &str) -> IndexColumn {
    IndexColumn {
        opclass: None,
        nulls: None,
        name: text.into(),
        order: SortOrder::Asc,
        expression: true,
    }
}

#[test]
fn unique_plain_indexes_are_unique_constraints() {
    let mut table = one_column(Column::new("a", ColumnType::Integer));
    table.columns.push(Column::new("b", ColumnType::Integer));
    table.indexes = vec![
        index(
            "ux_ab",
            vec![IndexColumn::asc("a"), IndexColumn::asc("b")],
            true,
            None,
        ),
        index("ix_a", vec![IndexColumn::asc("a")], false, None),
        index(
            "ux_partial",
            vec![IndexColumn::asc("a")],
            true,
            Some("(b > 0)"),
        ),
        index(
            "ux_desc",
            vec![IndexColumn {
                order: SortOrder::Desc,
                ..IndexColumn::asc("a")
            }],
            true,
            None,
        ),
        index("ux_expr", vec![expr_key("lower(a::text)")], true, None),
        // A key that is only a (quoted) column name is that column.
        index("ux_b", vec![expr_key("(\"b\")")], true, None),
    ];
    let normal = POSTGRES.normalize_table(&table);
    // Unique indexes stay indexes (the differ pairs them with UNIQUE constraints), so a
    // plan knows to DROP INDEX rather than DROP CONSTRAINT.
    assert!(normal.uniques.is_empty(), "{:?}", normal.uniques);
    let plain: Vec<Option<UniqueConstraint>> = normal
        .indexes
        .iter()
        .map(Index::as_unique_constraint)
        .collect();
    assert_eq!(
        plain.into_iter().flatten().collect::<Vec<_>>(),
        [
            UniqueConstraint {
                nulls_not_distinct: false,
                name: "ux_ab".into(),
                columns: vec!["a".into(), "b".into()]
            },
            UniqueConstraint {
                nulls_not_distinct: false,
                name: "ux_b".into(),
                columns: vec!["b".into()]
            },
        ]
    );
    let names: Vec<&str> = normal.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["ix_a", "ux_ab", "ux_b", "ux_desc", "ux_expr", "ux_partial"]
    );
    let partial = normal.indexes.iter().find(|i| i.name == "ux_partial");
    assert_eq!(partial.and_then(|i| i.predicate.as_deref()), Some("b > 0"));
    let expr = normal.indexes.iter().find(|i| i.name == "ux_expr");
    assert_eq!(
        expr.map(|i| i.columns[0].clone()),
        Some(expr_key("lower(a::text)"))
    );
}

#[test]
fn index_expression_keys_and_predicates_are_normalized() {
    let mut table = one_column(Column::new("email", ColumnType::Text));
    table.indexes = vec![index(
        "ix",
        vec![
            expr_key("(LOWER(email))"),
            expr_key("email"),
            expr_key("TRUE"),
        ],
        false,
        Some("  "),
    )];
    let normal = POSTGRES.normalize_table(&table);
    assert_eq!(
        normal.indexes[0].columns,
        [
            expr_key("lower(email)"),
            IndexColumn::asc("email"),
            expr_key("true")
        ]
    );
    assert_eq!(normal.indexes[0].predicate, None);
}

#[test]
fn comments_collations_and_generated_columns() {
    let mut table = one_column(Column {
        comment: Some(String::new()),
        collation: Some("pg_catalog.\"C\"".into()),
        ..Column::new("a", ColumnType::Text)
    });
    table.comment = Some(String::new());
    table.columns.push(Column {
        collation: Some("default".into()),
        comment: Some("kept".into()),
        default: Some("0".into()),
        generated: Some(GeneratedColumn {
            expr: "(A * 2)".into(),
            stored: true,
        }),
        ..Column::new("g", ColumnType::Integer)
    });
    let normal = POSTGRES.normalize_table(&table);
    assert_eq!(normal.comment, None);
    assert_eq!(normal.columns[0].comment, None);
    assert_eq!(normal.columns[0].collation.as_deref(), Some("C"));
    assert_eq!(normal.columns[1].collation, None);
    assert_eq!(normal.columns[1].comment.as_deref(), Some("kept"));
    assert_eq!(normal.columns[1].default, None);
    assert_eq!(
        normal.columns[1].generated,
        Some(GeneratedColumn {
            expr: "a * 2".into(),
            stored: true
        })
    );
}

#[test]
fn identifiers_are_exact() {
    let mut table = one_column(Column::new("Name", ColumnType::Text));
    table.name = "MixedCase".into();
    table.checks.push(Check {
        name: "CK_Upper".into(),
        expr: "\"Name\" <> ''".into(),
        not_valid: false,
    });
    let normal = POSTGRES.normalize_table(&table);
    assert_eq!(normal.name, "MixedCase");
    assert_eq!(normal.columns[0].name, "Name");
    assert_eq!(normal.checks[0].name, "CK_Upper");
    assert_eq!(normal.checks[0].expr, "\"Name\" <> ''");
}

#[test]
fn normalizing_twice_changes_nothing() {
    let mut table = one_column(with_default(custom("int4"), "('-1'::integer)"));
    table.columns.push(Column::new("s", custom("serial")));
    table
        .indexes
        .push(index("ux", vec![IndexColumn::asc("s")], true, None));
    table.checks.push(Check {
        name: "ck".into(),
        expr: "(C IN (1,2))".into(),
        not_valid: false,
    });
    let once = POSTGRES.normalize_table(&table);
    assert_eq!(POSTGRES.normalize_table(&once), once);
    assert_eq!(once.columns[0].default.as_deref(), Some("-1"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn types() -> impl Strategy<Value = ColumnType> {
        proptest::sample::select(vec![
            ColumnType::Integer,
            ColumnType::BigInt,
            ColumnType::Text,
            ColumnType::Varchar(5),
            ColumnType::Decimal {
                precision: Some(10),
                scale: Some(2),
            },
            ColumnType::Timestamp,
            custom("status"),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any text: no panic, and the normal form of a normal form is itself.
        #[test]
        fn expressions_normalize_once_and_for_all(text in "\\PC{0,120}", ty in types()) {
            let once = expression(&text);
            prop_assert_eq!(expression(&once), once.clone());
            if let Some(d) = default(&text, &ty) {
                prop_assert_eq!(default(&d, &ty), Some(d.clone()));
            }
            let canonical = canonical_type(&text);
            if let ColumnType::Custom(spelled) = &canonical.ty {
                prop_assert_eq!(canonical_type(spelled).ty, canonical.ty.clone());
            }
            let _ = crate::dialect::postgres::check_expression(&text);
        }

        /// SQL-like text built from the tokens that matter: casts, literals, parentheses.
        #[test]
        fn sql_like_expressions_normalize_once_and_for_all(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", ",", "::", "::text", "::integer", "::status", "-", "+", "'-1'",
                    "'x'", "'it''s'", "1", "2.5", "NULL", "null", "AND", "x", "\"Y z\"",
                    "now()", "ANY", "ARRAY[", "]", "$$", "E'a'", "IN",
                ]),
                0..20,
            ),
            ty in types(),
        ) {
            let text = parts.join(" ");
            let once = expression(&text);
            prop_assert_eq!(expression(&once), once.clone());
            if let Some(d) = default(&text, &ty) {
                prop_assert_eq!(default(&d, &ty), Some(d.clone()));
            }
            let glued = parts.concat();
            let once = expression(&glued);
            prop_assert_eq!(expression(&once), once.clone());
        }

        /// Type spellings: no panic, and the canonical spelling is a fixed point.
        #[test]
        fn type_spellings_are_fixed_points(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "int", "INT4", "_int4", "varchar", "(", ")", "20", ",", "2", "[]", "[3]",
                    "array", "timestamp", "with", "without", "time", "zone", "\"Q\"", ".",
                    "numeric", "serial", "char", "pg_catalog.", " ",
                ]),
                0..8,
            ),
        ) {
            let text = parts.concat();
            let canonical = canonical_type(&text);
            if let ColumnType::Custom(spelled) = &canonical.ty {
                prop_assert_eq!(canonical_type(spelled).ty, canonical.ty.clone());
            }
            if let ColumnType::Array(element) = &canonical.ty {
                prop_assert!(!matches!(**element, ColumnType::Array(_)));
                let spelled = crate::dialect::postgres::types::type_sql(&canonical.ty);
                prop_assert_eq!(canonical_type(&spelled).ty, canonical.ty.clone());
            }
            let _ = parse_type_strict(&text);
        }
    }

    fn parse_type_strict(text: &str) -> ColumnType {
        crate::dialect::postgres::parse_type(text)
    }
}

/// `btree`, default NULLS orders and `pg_catalog.`/quoted/upper-case spellings are the
/// normal form's `None` and lower case; real differences stay.
#[test]
fn index_method_opclass_and_nulls_normal_form() {
    use crate::model::{Index, IndexColumn, NullsOrder, SortOrder};
    let key = |order, nulls, opclass: Option<&str>| IndexColumn {
        order,
        nulls,
        opclass: opclass.map(str::to_string),
        ..IndexColumn::asc("a")
    };
    let table = |method: Option<&str>, columns: Vec<IndexColumn>| {
        let mut t = one_column(Column::new("a", ColumnType::Text));
        t.indexes = vec![Index {
            name: "ix".into(),
            columns,
            unique: false,
            predicate: None,
            method: method.map(str::to_string),
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
        }];
        POSTGRES.normalize_table(&t).indexes.remove(0)
    };
    assert_eq!(table(Some("BTREE"), vec![]).method, None);
    assert_eq!(table(Some("btree"), vec![]).method, None);
    assert_eq!(table(Some("GiST"), vec![]).method.as_deref(), Some("gist"));
    assert_eq!(
        table(Some("\"Gist\""), vec![]).method.as_deref(),
        Some("Gist")
    );
    let keys = table(
        None,
        vec![
            key(SortOrder::Asc, Some(NullsOrder::Last), None),
            key(SortOrder::Desc, Some(NullsOrder::First), None),
            key(SortOrder::Asc, Some(NullsOrder::First), None),
            key(SortOrder::Desc, Some(NullsOrder::Last), None),
            key(SortOrder::Asc, None, Some("pg_catalog.Text_Pattern_Ops")),
        ],
    )
    .columns;
    let nulls: Vec<_> = keys.iter().map(|k| k.nulls).collect();
    assert_eq!(
        nulls,
        [
            None,
            None,
            Some(NullsOrder::First),
            Some(NullsOrder::Last),
            None
        ]
    );
    assert_eq!(keys[4].opclass.as_deref(), Some("text_pattern_ops"));
}
