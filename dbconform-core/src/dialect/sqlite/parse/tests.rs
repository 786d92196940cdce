use super::*;
use proptest::prelude::*;

fn table(sql: &str) -> ParsedTable {
    match parse_create_table(sql) {
        Ok(t) => t,
        Err(e) => panic!("{e}: {sql}"),
    }
}

fn index(sql: &str) -> ParsedIndex {
    match parse_create_index(sql) {
        Ok(i) => i,
        Err(e) => panic!("{e}: {sql}"),
    }
}

/// The columns with only what they declare (the `reported_*` facts are tested apart).
fn declared(columns: &[ParsedColumn]) -> Vec<ParsedColumn> {
    columns
        .iter()
        .map(|c| ParsedColumn {
            reported_type: None,
            integer_type: false,
            reported_default: None,
            ..c.clone()
        })
        .collect()
}

fn column(name: &str, ty: Option<&str>) -> ParsedColumn {
    ParsedColumn {
        name: name.into(),
        type_text: ty.map(str::to_string),
        ..ParsedColumn::default()
    }
}

fn unique(name: &str, columns: &[&str]) -> UniqueConstraint {
    UniqueConstraint {
        nulls_not_distinct: false,
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

fn check(name: &str, expr: &str) -> Check {
    Check {
        name: name.into(),
        expr: expr.into(),
        not_valid: false,
    }
}

fn key(name: &str, order: SortOrder, expression: bool) -> IndexColumn {
    IndexColumn {
        opclass: None,
        nulls: None,
        name: name.into(),
        order,
        expression,
    }
}

#[test]
fn every_column_clause() {
    let t = table(
        "CREATE TABLE IF NOT EXISTS main.\"T\" (
            id INTEGER CONSTRAINT pk_t PRIMARY KEY ASC ON CONFLICT ROLLBACK AUTOINCREMENT,
            a varchar ( 20 ) NOT NULL ON CONFLICT FAIL DEFAULT 'a;b' COLLATE NOCASE,
            b NUMERIC(10, 2) NULL DEFAULT -1.5 CHECK (b >= 0) CONSTRAINT uq_b UNIQUE ON CONFLICT IGNORE,
            c DEFAULT (1 + (2 * 3)) CONSTRAINT ck_c CHECK((c) > 0),
            d TEXT DEFAULT CURRENT_TIMESTAMP REFERENCES p(x) ON DELETE CASCADE ON UPDATE SET NULL MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED NOT NULL,
            e INTEGER GENERATED ALWAYS AS (a || 'x') STORED,
            f AS (c * 2),
            g AS (c * 3) VIRTUAL,
            h UNSIGNED BIG INT DEFAULT +7,
            i BLOB DEFAULT X'00ff' CONSTRAINT fk_i REFERENCES \"p q\" NOT DEFERRABLE,
            j DEFAULT true,
            k DEFAULT \"dq\"
        )",
    );
    assert_eq!(t.name, "T");
    assert!(t.autoincrement);
    assert_eq!(
        t.primary_key,
        Some(ParsedPrimaryKey {
            name: Some("pk_t".into()),
            columns: vec!["id".into()],
            inline: true,
            desc: false,
        })
    );
    assert_eq!(
        declared(&t.columns),
        [
            column("id", Some("INTEGER")),
            ParsedColumn {
                not_null: true,
                default: Some("'a;b'".into()),
                collation: Some("NOCASE".into()),
                ..column("a", Some("varchar ( 20 )"))
            },
            ParsedColumn {
                default: Some("-1.5".into()),
                ..column("b", Some("NUMERIC(10, 2)"))
            },
            ParsedColumn {
                default: Some("(1 + (2 * 3))".into()),
                ..column("c", None)
            },
            ParsedColumn {
                default: Some("CURRENT_TIMESTAMP".into()),
                not_null: true,
                ..column("d", Some("TEXT"))
            },
            ParsedColumn {
                generated: Some(GeneratedColumn {
                    expr: "a || 'x'".into(),
                    stored: true,
                }),
                ..column("e", Some("INTEGER"))
            },
            ParsedColumn {
                generated: Some(GeneratedColumn {
                    expr: "c * 2".into(),
                    stored: false,
                }),
                ..column("f", None)
            },
            ParsedColumn {
                generated: Some(GeneratedColumn {
                    expr: "c * 3".into(),
                    stored: false,
                }),
                ..column("g", None)
            },
            ParsedColumn {
                default: Some("+7".into()),
                ..column("h", Some("UNSIGNED BIG INT"))
            },
            ParsedColumn {
                default: Some("X'00ff'".into()),
                ..column("i", Some("BLOB"))
            },
            ParsedColumn {
                default: Some("true".into()),
                ..column("j", None)
            },
            ParsedColumn {
                default: Some("\"dq\"".into()),
                ..column("k", None)
            },
        ]
    );
    assert_eq!(t.uniques, [unique("uq_b", &["b"])]);
    assert_eq!(t.checks, [check("", "b >= 0"), check("ck_c", "(c) > 0")]);
    assert_eq!(
        t.foreign_keys,
        [
            ParsedForeignKey {
                deferrable: Deferrability::InitiallyDeferred,
                name: String::new(),
                columns: vec!["d".into()],
                table: "p".into(),
                referenced_columns: vec!["x".into()],
                on_delete: FkAction::Cascade,
                on_update: FkAction::SetNull,
            },
            ParsedForeignKey {
                name: "fk_i".into(),
                columns: vec!["i".into()],
                table: "p q".into(),
                ..ParsedForeignKey::default()
            },
        ]
    );
    assert!(!t.strict && !t.without_rowid);
}

#[test]
fn every_table_constraint() {
    let t = table(
        "CREATE TEMP TABLE t(
            a INT, b TEXT, c TEXT, d INT,
            CONSTRAINT pk PRIMARY KEY (a COLLATE BINARY DESC, b) ON CONFLICT REPLACE,
            UNIQUE (b, c),
            CONSTRAINT \"uq c\" UNIQUE (c ASC)
            CHECK (a > 0 AND b <> ',')
            CONSTRAINT ck_d CHECK (d IN (1, 2, 3)),
            FOREIGN KEY (a, b) REFERENCES parent ON DELETE RESTRICT ON UPDATE NO ACTION,
            CONSTRAINT fk_d FOREIGN KEY (d) REFERENCES other (id) ON DELETE SET DEFAULT ON UPDATE CASCADE,
            CONSTRAINT lonely
        ) STRICT, WITHOUT ROWID;",
    );
    assert_eq!(
        t.primary_key,
        Some(ParsedPrimaryKey {
            name: Some("pk".into()),
            columns: vec!["a".into(), "b".into()],
            inline: false,
            desc: false,
        })
    );
    assert!(!t.autoincrement);
    assert_eq!(t.uniques, [unique("", &["b", "c"]), unique("uq c", &["c"])]);
    assert_eq!(
        t.checks,
        [
            check("", "a > 0 AND b <> ','"),
            check("ck_d", "d IN (1, 2, 3)")
        ]
    );
    assert_eq!(
        t.foreign_keys,
        [
            ParsedForeignKey {
                deferrable: Default::default(),
                name: String::new(),
                columns: vec!["a".into(), "b".into()],
                table: "parent".into(),
                referenced_columns: vec![],
                on_delete: FkAction::Restrict,
                on_update: FkAction::NoAction,
            },
            ParsedForeignKey {
                deferrable: Default::default(),
                name: "fk_d".into(),
                columns: vec!["d".into()],
                table: "other".into(),
                referenced_columns: vec!["id".into()],
                on_delete: FkAction::SetDefault,
                on_update: FkAction::Cascade,
            },
        ]
    );
    assert!(t.strict && t.without_rowid);
    assert_eq!(t.columns.len(), 4);
}

#[test]
fn autoincrement_inside_a_table_primary_key() {
    let t = table("CREATE TABLE t (id INTEGER, PRIMARY KEY (id AUTOINCREMENT))");
    assert!(t.autoincrement);
    assert_eq!(t.primary_key.map(|pk| pk.columns), Some(vec!["id".into()]));
    let plain = table("CREATE TABLE t (id INTEGER PRIMARY KEY DESC)");
    assert!(!plain.autoincrement);
    assert!(plain.primary_key.is_some_and(|pk| pk.inline && pk.desc));
}

#[test]
fn hostile_names_in_every_quoting_style() {
    let t = table(
        "CREATE TABLE [order] (
            \"na\"\"me\" TEXT,
            `group` TEXT,
            [with space] TEXT,
            'single' TEXT,
            ünïcødé TEXT,
            \"select\" INTEGER,
            key TEXT, action TEXT, \"\" TEXT,
            CONSTRAINT \"pk \"\"x\"\"\" PRIMARY KEY (\"na\"\"me\", `group`),
            CONSTRAINT [uq ü] UNIQUE ([with space], ünïcødé),
            CONSTRAINT `ck``x` CHECK (\"select\" > 0)
        )",
    );
    assert_eq!(t.name, "order");
    assert_eq!(
        t.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        [
            "na\"me",
            "group",
            "with space",
            "single",
            "ünïcødé",
            "select",
            "key",
            "action",
            ""
        ]
    );
    assert_eq!(
        t.primary_key.as_ref().and_then(|pk| pk.name.as_deref()),
        Some("pk \"x\"")
    );
    assert_eq!(
        t.primary_key.map(|pk| pk.columns),
        Some(vec!["na\"me".into(), "group".into()])
    );
    assert_eq!(t.uniques, [unique("uq ü", &["with space", "ünïcødé"])]);
    assert_eq!(t.checks, [check("ck`x", "\"select\" > 0")]);
}

#[test]
fn comments_and_tricky_literals() {
    let t = table(
        "CREATE TABLE t ( -- a comment (with a parenthesis
            a TEXT /* block, with a comma */ DEFAULT 'it''s ) , -- not a comment',
            b TEXT DEFAULT ('(' || ')'), /* between */
            c INT CHECK (c > 0 /* inline ) */ AND c < 10) -- trailing
        ) /* after */",
    );
    assert_eq!(t.columns.len(), 3);
    assert_eq!(
        t.columns[0].default.as_deref(),
        Some("'it''s ) , -- not a comment'")
    );
    assert_eq!(t.columns[1].default.as_deref(), Some("('(' || ')')"));
    assert_eq!(t.checks, [check("", "c > 0 /* inline ) */ AND c < 10")]);
}

#[test]
fn types_of_every_shape() {
    let t = table(
        "CREATE TABLE t (a, b DOUBLE PRECISION, c CHARACTER VARYING(20) NOT NULL, d DECIMAL(10,-2), e \"my type\", f INT PRIMARY KEY)",
    );
    let types: Vec<Option<&str>> = t.columns.iter().map(|c| c.type_text.as_deref()).collect();
    assert_eq!(
        types,
        [
            None,
            Some("DOUBLE PRECISION"),
            Some("CHARACTER VARYING(20)"),
            Some("DECIMAL(10,-2)"),
            Some("\"my type\""),
            Some("INT")
        ]
    );
}

#[test]
fn text_that_is_not_a_table_is_refused() {
    for (sql, message) in [
        ("", "expected `CREATE`"),
        ("CREATE VIEW v AS SELECT 1", "expected `TABLE`"),
        (
            "CREATE TABLE t AS SELECT 1",
            "CREATE TABLE ... AS SELECT has no column definitions",
        ),
        (
            "CREATE TABLE t (a",
            "expected `,` or `)` after a table element",
        ),
        (
            "CREATE TABLE t (a CHECK (a > 0)",
            "expected `,` or `)` after a table element",
        ),
        (
            "CREATE TABLE t (a CHECK (a > 0",
            "`(` without a matching `)`",
        ),
        (
            "CREATE TABLE t (a TEXT DEFAULT 'x)",
            "unclosed string literal",
        ),
        (
            "CREATE TABLE t (a) garbage",
            "unexpected text after the table definition",
        ),
        (
            "CREATE TABLE t (a REFERENCES p ON CASCADE)",
            "expected `DELETE`, `UPDATE` or `INSERT` after `ON`",
        ),
        ("CREATE TABLE t (a, PRIMARY KEY)", "expected `(`"),
        ("CREATE TABLE t (a DEFAULT)", "expected a default value"),
        (
            "CREATE TABLE t (a DEFAULT -)",
            "expected a number after the sign",
        ),
    ] {
        assert_eq!(
            parse_create_table(sql).map_err(|e| e.message),
            Err(message.to_string()),
            "{sql}"
        );
    }
}

#[test]
fn indexes_with_predicates_orders_and_expressions() {
    assert_eq!(
        index(
            "CREATE UNIQUE INDEX IF NOT EXISTS main.\"ux e\" ON \"T\" (email COLLATE NOCASE DESC, [b c]) WHERE email IS NOT NULL AND b <> 'x;y'"
        ),
        ParsedIndex {
            name: "ux e".into(),
            table: "T".into(),
            unique: true,
            columns: vec![
                key("email", SortOrder::Desc, false),
                key("b c", SortOrder::Asc, false),
            ],
            predicate: Some("email IS NOT NULL AND b <> 'x;y'".into()),
            // SQLite never stores a qualified index name.
            exact: false,
        }
    );
    assert_eq!(
        index(
            "CREATE INDEX ix ON t (lower(name), a + b DESC, coalesce(x, 'a,b') COLLATE NOCASE ASC, (c))"
        ),
        ParsedIndex {
            name: "ix".into(),
            table: "t".into(),
            unique: false,
            columns: vec![
                key("lower(name)", SortOrder::Asc, true),
                key("a + b", SortOrder::Desc, true),
                key("coalesce(x, 'a,b')", SortOrder::Asc, true),
                key("(c)", SortOrder::Asc, true),
            ],
            predicate: None,
            // SQLite reads `(c)` as the column c.
            exact: false,
        }
    );
    assert_eq!(
        index("create index ix on t(a) where (a > 0) -- why\n;").predicate,
        Some("(a > 0)".into())
    );
}

#[test]
fn text_that_is_not_an_index_is_refused() {
    for (sql, message) in [
        ("CREATE TABLE t (a)", "expected `INDEX`"),
        ("CREATE INDEX ix ON t", "expected `(`"),
        (
            "CREATE INDEX ix ON t (a) WHERE",
            "expected a predicate after `WHERE`",
        ),
        (
            "CREATE INDEX ix ON t (a) junk",
            "unexpected text after the index definition",
        ),
        ("CREATE INDEX ix t (a)", "expected `ON`"),
    ] {
        assert_eq!(
            parse_create_index(sql).map_err(|e| e.message),
            Err(message.to_string()),
            "{sql}"
        );
    }
}

/// Fragments of CREATE TABLE text, so that random sequences often get deep into the
/// grammar before they go wrong.
const FRAGMENTS: [&str; 40] = [
    "CREATE",
    "TABLE",
    "INDEX",
    "UNIQUE",
    "t",
    "\"q\"\"x\"",
    "[b]",
    "`c`",
    "'s''t'",
    "(",
    ")",
    ",",
    ";",
    "PRIMARY",
    "KEY",
    "AUTOINCREMENT",
    "NOT",
    "NULL",
    "CHECK",
    "DEFAULT",
    "-",
    "1.5e3",
    "COLLATE",
    "REFERENCES",
    "ON",
    "DELETE",
    "SET",
    "CONSTRAINT",
    "GENERATED",
    "ALWAYS",
    "AS",
    "STORED",
    "WITHOUT",
    "ROWID",
    "STRICT",
    "FOREIGN",
    "WHERE",
    "--",
    "/*",
    "X'0",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_create_table(&text);
        let _ = parse_create_index(&text);
    }

    #[test]
    fn grammar_soup_never_panics(parts in proptest::collection::vec(0..FRAGMENTS.len(), 0..60)) {
        let text: Vec<&str> = parts.iter().map(|&i| FRAGMENTS[i]).collect();
        let joined = text.join(" ");
        let _ = parse_create_table(&joined);
        let _ = parse_create_index(&joined);
        let _ = parse_create_table(&format!("CREATE TABLE t ({joined})"));
        let _ = parse_create_index(&format!("CREATE INDEX i ON t ({joined}"));
    }

    #[test]
    fn truncated_valid_text_never_panics(cut in 0usize..400) {
        let sql = "CREATE TABLE \"ü\" (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT DEFAULT 'x''y' COLLATE nocase CHECK (a <> ''), b REFERENCES p(id) ON DELETE CASCADE, CONSTRAINT u UNIQUE (a, b)) STRICT";
        let end = cut.min(sql.len());
        if let Some(prefix) = sql.get(..end) {
            let _ = parse_create_table(prefix);
        }
    }
}

#[test]
fn types_as_sqlite_reports_them() {
    let t = table(
        "CREATE TABLE t (a int, b \"integer\", c [Text], d 'real', e `ANY`, f INTEGER2, g \"my type\", \
         h \"INT\" \"X\", i [a] b, j 'a' b, k \"a\"\"b\", l varchar ( 20 ), m INT /* c */ GENERATED ALWAYS AS (1), \
         n GENERATED ALWAYS AS (2), o INTEGER ALWAYS, p BIGINTEGER ALWAYS, q TEXT KEY ASC, r, s \"\")",
    );
    let reported: Vec<(&str, bool)> = t
        .columns
        .iter()
        .map(|c| (c.reported_type.as_deref().unwrap(), c.integer_type))
        .collect();
    assert_eq!(
        reported,
        [
            ("INT", false),
            ("INTEGER", true),
            ("TEXT", false),
            ("REAL", false),
            ("ANY", false),
            ("INTEGER2", false),
            ("my type", false),
            // Two tokens: unquoted up to the first closing quote (`sqlite3Dequote`).
            ("INT", false),
            // `sqlite3DequoteToken` drops the first and last bytes when no quote is inside.
            ("a] ", false),
            ("a", false),
            ("a\"b", false),
            ("varchar ( 20 )", false),
            ("INT /* c */", false),
            ("", false),
            // `ALWAYS` alone is cut only from 16 bytes on.
            ("INTEGER ALWAYS", false),
            ("BIGINTEGER", false),
            ("TEXT KEY ASC", false),
            ("", false),
            ("", false),
        ]
    );
    assert_eq!(t.columns[12].type_text.as_deref(), Some("INT /* c */"));
    assert!(t.columns[12].generated.is_some() && t.columns[13].generated.is_some());
    assert!(t.exact);
}

#[test]
fn defaults_as_sqlite_reports_them() {
    let t = table(
        "CREATE TABLE t (a DEFAULT ( 1 + 2 ), b DEFAULT - /* m */ 1, c DEFAULT 'x', d DEFAULT (\n'y'\t), \
         e DEFAULT \"q\", f DEFAULT -'s', g DEFAULT X'0A', h DEFAULT CURRENT_TIME, i DEFAULT (/* c */ 3))",
    );
    let reported: Vec<(&str, &str)> = t
        .columns
        .iter()
        .map(|c| {
            (
                c.default.as_deref().unwrap(),
                c.reported_default.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reported,
        [
            ("( 1 + 2 )", "1 + 2"),
            ("- /* m */ 1", "- /* m */ 1"),
            ("'x'", "'x'"),
            ("(\n'y'\t)", "'y'"),
            ("\"q\"", "\"q\""),
            ("-'s'", "-'s'"),
            ("X'0A'", "X'0A'"),
            ("CURRENT_TIME", "CURRENT_TIME"),
            ("(/* c */ 3)", "/* c */ 3"),
        ]
    );
    assert!(t.exact);
}

#[test]
fn keys_in_the_order_sqlite_meets_them() {
    let t = table(
        "CREATE TABLE t (a TEXT UNIQUE, b INTEGER PRIMARY KEY DESC, c TEXT CONSTRAINT u UNIQUE, \
         UNIQUE (c COLLATE nocase, 'a'))",
    );
    let key =
        |primary: bool, inline: bool, desc: bool, columns: &[(&str, Option<&str>)]| ParsedKey {
            primary,
            inline,
            desc,
            columns: columns
                .iter()
                .map(|(name, collation)| ParsedKeyColumn {
                    name: name.to_string(),
                    collation: collation.map(str::to_string),
                })
                .collect(),
        };
    assert_eq!(
        t.keys,
        [
            key(false, true, false, &[("a", None)]),
            key(true, true, true, &[("b", None)]),
            key(false, true, false, &[("c", None)]),
            key(false, false, false, &[("c", Some("nocase")), ("a", None)]),
        ]
    );
}

#[test]
fn clauses_sqlite_accepts_beyond_the_usual() {
    // `ON INSERT` is accepted and ignored; a deferral clause stands on its own.
    let t = table(
        "CREATE TABLE t (a REFERENCES p ON INSERT CASCADE ON DELETE SET NULL, b INT DEFERRABLE INITIALLY DEFERRED, \
         c INT NOT DEFERRABLE NOT NULL)",
    );
    assert_eq!(t.foreign_keys[0].on_delete, FkAction::SetNull);
    assert_eq!(t.columns[1].type_text.as_deref(), Some("INT"));
    assert!(t.columns[2].not_null);
    assert!(t.exact);
    // A deferral clause belongs to its column's REFERENCES, or to the table constraint's.
    assert_eq!(t.foreign_keys[0].deferrable, Deferrability::NotDeferrable);
    let t = table(
        "CREATE TABLE t (a REFERENCES p DEFERRABLE INITIALLY DEFERRED, \
         b REFERENCES p ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE, c INT DEFERRABLE, \
         FOREIGN KEY (c) REFERENCES p (x) DEFERRABLE INITIALLY DEFERRED, \
         FOREIGN KEY (b) REFERENCES q NOT DEFERRABLE INITIALLY DEFERRED)",
    );
    let deferral: Vec<Deferrability> = t.foreign_keys.iter().map(|fk| fk.deferrable).collect();
    assert_eq!(
        deferral,
        [
            Deferrability::InitiallyDeferred,
            Deferrability::Deferrable,
            Deferrability::InitiallyDeferred,
            Deferrability::NotDeferrable,
        ]
    );
}

#[test]
fn text_not_followed_exactly_says_so() {
    for sql in [
        "CREATE TABLE t (a TEXT WINDOW)",
        "CREATE TABLE t (a VARCHAR(n))",
        "CREATE TABLE t (a REFERENCES main.p)",
        "CREATE TABLE main.t (a)",
        "CREATE TABLE t (\"a\u{a0}b\" TEXT)",
        "CREATE TABLE t (a DEFAULT -x)",
    ] {
        assert!(!table(sql).exact, "{sql}");
    }
    assert!(table("CREATE TABLE t (a VARCHAR(-1, +2) DEFAULT -NULL)").exact);
    for sql in [
        "CREATE INDEX i ON t ((a))",
        "CREATE INDEX i ON t (t.a)",
        "CREATE INDEX i ON t (a COLLATE x COLLATE y)",
        "CREATE INDEX i ON t ((a COLLATE x))",
        "CREATE INDEX i ON t (desc)",
        "CREATE INDEX i ON t (current_date)",
        "CREATE INDEX i ON t (a NULLS FIRST)",
        "CREATE INDEX i ON t (a,)",
    ] {
        assert!(!index(sql).exact, "{sql}");
    }
    for sql in [
        "CREATE INDEX i ON t (a, \"b\" DESC, 'c' COLLATE nocase, [d])",
        "CREATE INDEX i ON t (lower(desc), a + b COLLATE nocase DESC, (a) + 1)",
    ] {
        assert!(index(sql).exact, "{sql}");
    }
    assert_eq!(
        index("CREATE INDEX i ON t ('c' DESC)").columns,
        [key("c", SortOrder::Desc, false)]
    );
}

#[test]
fn reserved_words_are_sorted_for_the_binary_search() {
    assert!(RESERVED.windows(2).all(|w| w[0] < w[1]));
    let word = |text: &'static str| Token {
        kind: Kind::Word,
        text,
        start: 0,
        end: text.len(),
    };
    assert!(is_reserved(&word("constraint")) && is_reserved(&word("WINDOW")));
    assert!(!is_reserved(&word("key")) && !is_reserved(&word("a_very_long_column_name")));
}
