use super::*;
use crate::dialect::fixtures::{col, null, pk, serial, with_default};
use crate::dialect::{Dialect, SQLITE};
use crate::model::SortOrder;
use crate::model::{
    Check, ForeignKey, GeneratedColumn, Index, IndexColumn, PrimaryKey, QualifiedName, TableOptions,
};
use proptest::prelude::*;

#[test]
fn keywords_are_sorted_for_binary_search() {
    let mut sorted = KEYWORDS;
    sorted.sort_unstable();
    assert_eq!(sorted, KEYWORDS);
    assert!(is_keyword("SELECT") && is_keyword("TRUE") && !is_keyword("PRICE"));
}

#[test]
fn expressions_in_normal_form() {
    for (written, normal) in [
        ("price >= 0", "price >= 0"),
        ("(Price>=0)", "price >= 0"),
        ("((  Price  >=  0 ))", "price >= 0"),
        ("\"PRICE\" >= 0", "price >= 0"),
        ("[price] >= 0 /* c */", "price >= 0"),
        ("`Price` >= 0 -- c", "price >= 0"),
        ("\"order\" > 0", "\"order\" > 0"),
        ("\"With Space\" <> 'It''s'", "\"with space\" <> 'It''s'"),
        ("(a) + (b)", "(a) + (b)"),
        ("a == 1 or b != 2", "a = 1 OR b <> 2"),
        ("LOWER(\"Email\") IS not null", "lower(email) IS NOT NULL"),
        ("lower ( email )", "lower(email)"),
        ("x IN (1,2 , 3)", "x IN (1, 2, 3)"),
        ("x in(1, 2, 3)", "x IN (1, 2, 3)"),
        ("-1", "-1"),
        ("- 1", "-1"),
        ("a - 1", "a - 1"),
        ("a-1", "a - 1"),
        ("a * -1", "a * -1"),
        ("NOT -a", "NOT -a"),
        ("- -1", "- -1"),
        ("-(-1)", "-(-1)"),
        ("(a)", "a"),
        ("((a) + (b))", "(a) + (b)"),
        ("(a))", "(a))"),
        ("((a)", "((a)"),
        ("()", ""),
        ("T.A", "t.a"),
        ("x'0aFF'", "X'0AFF'"),
        ("1_000 + 0x1f", "1000 + 0X1F"),
        ("'a;b'", "'a;b'"),
        ("'MiXeD'", "'MiXeD'"),
        ("current_timestamp", "CURRENT_TIMESTAMP"),
        ("CAST(x AS int)", "CAST (x AS int)"),
        ("a || 'x'", "a || 'x'"),
        ("", ""),
        ("'open", "'open"),
    ] {
        assert_eq!(expression(written), normal, "{written:?}");
    }
}

#[test]
fn defaults_in_normal_form() {
    for (written, normal) in [
        ("'x'", Some("'x'")),
        ("('x')", Some("'x'")),
        ("'a;b'", Some("'a;b'")),
        ("0", Some("0")),
        ("(0)", Some("0")),
        ("((0))", Some("0")),
        ("-1", Some("-1")),
        ("(-1)", Some("-1")),
        ("+5", Some("5")),
        ("true", Some("TRUE")),
        ("TRUE", Some("TRUE")),
        ("current_timestamp", Some("CURRENT_TIMESTAMP")),
        ("(1+1)", Some("1 + 1")),
        ("1 + 1", Some("1 + 1")),
        ("LOWER('X')", Some("lower('X')")),
        ("NULL", None),
        ("(null)", None),
        ("abc", Some("'abc'")),
        ("\"dq\"", Some("'dq'")),
        ("[it's]", Some("'it''s'")),
        ("X'00'", Some("X'00'")),
    ] {
        assert_eq!(default_value(written).as_deref(), normal, "{written:?}");
    }
}

fn normal(table: &TableDef) -> TableDef {
    SQLITE.normalize_table(table)
}

fn base(columns: Vec<Column>) -> TableDef {
    TableDef {
        name: "t".into(),
        columns,
        ..TableDef::default()
    }
}

#[test]
fn declared_types_become_what_sqlite_reports() {
    let declared = base(vec![
        col("j", ColumnType::Json),
        col("u", ColumnType::Uuid),
        col("c", ColumnType::Custom("citext".into())),
        col("i", ColumnType::Custom("int".into())),
        col(
            "n",
            ColumnType::Decimal {
                precision: Some(12),
                scale: None,
            },
        ),
        col("v", ColumnType::Custom("character  varying ( 20 )".into())),
        col("b", ColumnType::Custom("Bool".into())),
        col("d", ColumnType::Custom("double precision".into())),
        col("t", ColumnType::Custom("text".into())),
    ]);
    let types: Vec<ColumnType> = normal(&declared)
        .columns
        .into_iter()
        .map(|c| c.ty)
        .collect();
    assert_eq!(
        types,
        [
            ColumnType::Text,
            ColumnType::Blob,
            ColumnType::Custom("CITEXT".into()),
            ColumnType::Integer,
            ColumnType::Decimal {
                precision: Some(12),
                scale: Some(0)
            },
            ColumnType::Varchar(20),
            ColumnType::Boolean,
            ColumnType::Double,
            ColumnType::Text,
        ]
    );
}

#[test]
fn int_primary_key_is_never_the_rowid_alias() {
    // INT PRIMARY KEY keeps its spelling and its nullability.
    let mut int_key = base(vec![null("id", ColumnType::Custom("INT".into()))]);
    int_key.primary_key = pk(&["id"]);
    let n = normal(&int_key);
    assert_eq!(n.columns[0].ty, ColumnType::Custom("INT".into()));
    assert!(n.columns[0].nullable);
    // INTEGER PRIMARY KEY is the rowid alias: NOT NULL is implied.
    let mut integer_key = base(vec![null("id", ColumnType::Custom("integer".into()))]);
    integer_key.primary_key = pk(&["ID"]);
    let n = normal(&integer_key);
    assert_eq!(n.columns[0].ty, ColumnType::Integer);
    assert!(!n.columns[0].nullable);
    // In a composite key, or off the rowid, INT is INTEGER.
    let mut composite = base(vec![
        col("a", ColumnType::Custom("INT".into())),
        col("b", ColumnType::Custom("INT".into())),
    ]);
    composite.primary_key = pk(&["a", "b"]);
    assert!(
        normal(&composite)
            .columns
            .iter()
            .all(|c| c.ty == ColumnType::Integer)
    );
    let mut without_rowid = base(vec![null("k", ColumnType::Custom("INT".into()))]);
    without_rowid.primary_key = pk(&["k"]);
    without_rowid.options = TableOptions {
        without_rowid: true,
        strict: false,
    };
    let n = normal(&without_rowid);
    assert_eq!(n.columns[0].ty, ColumnType::Integer);
    assert!(!n.columns[0].nullable, "WITHOUT ROWID keys are NOT NULL");
    // An auto-increment key of any integer type is INTEGER, as the renderer writes it.
    let mut serial_key = base(vec![serial("id")]);
    serial_key.primary_key = pk(&["id"]);
    let n = normal(&serial_key);
    assert_eq!(n.columns[0].ty, ColumnType::Integer);
    assert!(n.columns[0].auto_increment);
    // A non-key BIGINT stays BIGINT and keeps its nullability.
    let n = normal(&base(vec![null("x", ColumnType::BigInt)]));
    assert_eq!(n.columns[0].ty, ColumnType::BigInt);
    assert!(n.columns[0].nullable);
}

#[test]
fn columns_lose_what_sqlite_does_not_keep() {
    let mut c = with_default("a", ColumnType::Text, "(NULL)");
    c.comment = Some("doc".into());
    c.collation = Some("binary".into());
    let mut g = with_default("g", ColumnType::Integer, "1");
    g.generated = Some(GeneratedColumn {
        expr: "(A * 2)".into(),
        stored: true,
    });
    let mut n = with_default("n", ColumnType::Text, "'x'");
    n.collation = Some("nocase".into());
    let mut table = base(vec![c, g, n]);
    table.comment = Some("doc".into());
    table.schema = Some("MAIN".into());
    let t = normal(&table);
    assert_eq!(t.schema.as_deref(), Some("main"));
    assert_eq!(t.comment, None);
    assert_eq!(t.columns[0].comment, None);
    assert_eq!(t.columns[0].default, None);
    assert_eq!(t.columns[0].collation, None);
    assert_eq!(t.columns[1].default, None);
    assert_eq!(
        t.columns[1].generated,
        Some(GeneratedColumn {
            expr: "a * 2".into(),
            stored: true
        })
    );
    assert_eq!(t.columns[2].collation.as_deref(), Some("NOCASE"));
    assert_eq!(t.columns[2].default.as_deref(), Some("'x'"));
}

fn uq(name: &str, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        nulls_not_distinct: false,
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn ix(name: &str, unique: bool, columns: Vec<IndexColumn>, predicate: Option<&str>) -> Index {
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

#[test]
fn unique_indexes_and_constraints_have_one_form() {
    let desc = IndexColumn {
        order: SortOrder::Desc,
        ..IndexColumn::asc("b")
    };
    let expr = IndexColumn {
        opclass: None,
        nulls: None,
        name: "lower( b )".into(),
        order: SortOrder::Asc,
        expression: true,
    };
    let mut table = base(vec![
        col("k", ColumnType::Text),
        col("a", ColumnType::Text),
        col("b", ColumnType::Text),
    ]);
    table.primary_key = pk(&["k"]);
    table.uniques = vec![uq("uq_k", &["K"]), uq("", &["a"]), uq("uq_a", &["a"])];
    table.indexes = vec![
        ix("ux_b", true, vec![IndexColumn::asc("b")], None),
        ix("ux_b_desc", true, vec![desc.clone()], None),
        ix(
            "ux_b_partial",
            true,
            vec![IndexColumn::asc("b")],
            Some("(b <> '')"),
        ),
        ix("ux_lower", true, vec![expr], None),
        ix("ix_b", false, vec![IndexColumn::asc("b")], None),
    ];
    let t = normal(&table);
    // The key's own UNIQUE and the duplicate UNIQUE (a) fold away; the plain unique index
    // stays an index (the differ pairs it with UNIQUE constraints, and only an index can
    // be dropped without a rebuild).
    assert_eq!(t.uniques, [uq("", &["a"])]);
    assert_eq!(
        t.indexes,
        [
            ix("ix_b", false, vec![IndexColumn::asc("b")], None),
            ix("ux_b", true, vec![IndexColumn::asc("b")], None),
            ix("ux_b_desc", true, vec![desc], None),
            ix(
                "ux_b_partial",
                true,
                vec![IndexColumn::asc("b")],
                Some("b <> ''")
            ),
            ix(
                "ux_lower",
                true,
                vec![IndexColumn {
                    opclass: None,
                    nulls: None,
                    name: "lower(b)".into(),
                    order: SortOrder::Asc,
                    expression: true
                }],
                None
            ),
        ]
    );
    // On the rowid alias, UNIQUE (id) is a real index of its own and stays.
    let mut rowid = base(vec![col("id", ColumnType::Integer)]);
    rowid.primary_key = pk(&["id"]);
    rowid.uniques = vec![uq("", &["id"])];
    assert_eq!(normal(&rowid).uniques, [uq("", &["id"])]);
}

#[test]
fn constraints_and_references() {
    let mut table = base(vec![col("a", ColumnType::BigInt)]);
    table.checks = vec![Check {
        name: "ck".into(),
        expr: "(A>0)".into(),
        not_valid: false,
    }];
    table.foreign_keys = vec![ForeignKey {
        deferrable: Default::default(),
        name: "fk".into(),
        columns: vec!["a".into()],
        references: QualifiedName::new("p"),
        referenced_columns: vec!["id".into()],
        on_delete: crate::model::FkAction::Cascade,
        on_update: crate::model::FkAction::NoAction,
        not_valid: false,
    }];
    table.primary_key = Some(PrimaryKey {
        name: Some("pk".into()),
        columns: vec!["a".into()],
    });
    let t = normal(&table);
    assert_eq!(t.checks[0].expr, "a > 0");
    assert_eq!(
        t.foreign_keys[0].references,
        QualifiedName::with_schema("main", "p")
    );
    assert_eq!(t.primary_key, table.primary_key);
}

#[test]
fn normalizing_twice_changes_nothing() {
    let mut table = crate::dialect::fixtures::products();
    table.options.strict = true;
    let once = normal(&table);
    assert_eq!(normal(&once), once);
    let hostile = normal(&crate::dialect::fixtures::hostile());
    assert_eq!(normal(&hostile), hostile);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any text: no panic, and the normal form of a normal form is itself.
    #[test]
    fn expressions_normalize_once_and_for_all(text in "\\PC{0,120}") {
        let once = expression(&text);
        prop_assert_eq!(expression(&once), once.clone());
        let _ = default_value(&text);
    }

    /// SQL-like text built from the tokens that matter for spacing and parentheses.
    #[test]
    fn sql_like_expressions_normalize_once_and_for_all(
        parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "(", ")", ",", ".", "-", "+", "~", "*", "==", "!=", "<>", "||", "NOT", "and",
                "a", "\"B c\"", "[d]", "`e`", "'s''t'", "1", "2.5e3", "X'0a'", "lower", "in",
                "--", "/*", "*/", "?1",
            ]),
            0..30,
        )
    ) {
        let text = parts.join(" ");
        let once = expression(&text);
        prop_assert_eq!(expression(&once), once.clone());
        if let Some(d) = default_value(&text) {
            prop_assert_eq!(default_value(&d), Some(d.clone()));
        }
    }
}
