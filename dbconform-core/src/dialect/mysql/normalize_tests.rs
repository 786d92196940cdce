//! Normal-form rules, one trap at a time (docs/DATABASE_TRAPS.md, section M): a table as
//! declared and the same table as MariaDB 10.11 and MySQL 8 report it (through the
//! reflection contract of `mod.rs`) compare equal, and real differences survive.

use super::super::tests_support::{products, resolved};
use super::super::{DATABASE_SCHEMA, Flavor, reflected_default};
use crate::dialect::{Dialect, MYSQL};
use crate::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey, QualifiedName,
    Schema, SortOrder, TableDef, UniqueConstraint,
};
use crate::{Change, Options, build_plan, diff_tables};

fn custom(text: &str) -> ColumnType {
    ColumnType::Custom(text.into())
}

/// A column as reflection reports it: `COLUMN_TYPE` through `parse_type`, the default
/// through `reflected_default`.
fn reported(
    flavor: Flavor,
    name: &str,
    column_type: &str,
    nullable: bool,
    default: Option<&str>,
    extra: &str,
) -> Column {
    Column {
        nullable,
        default: reflected_default(flavor, default, extra, column_type),
        auto_increment: extra.contains("auto_increment"),
        ..Column::new(name, MYSQL.parse_type(column_type))
    }
}

fn table(name: &str, columns: Vec<Column>) -> TableDef {
    TableDef {
        schema: Some(DATABASE_SCHEMA.into()),
        name: name.into(),
        columns,
        ..TableDef::default()
    }
}

fn changes(declared: &TableDef, reflected: &TableDef) -> Vec<Change> {
    diff_tables(
        std::slice::from_ref(declared),
        &Schema::new(vec![reflected.clone()]),
        &MYSQL,
    )
}

fn assert_same(declared: &TableDef, reflected: &TableDef) {
    let changes = changes(declared, reflected);
    assert!(
        changes.is_empty(),
        "{:#?}",
        changes.iter().map(Change::describe).collect::<Vec<_>>()
    );
}

fn index(name: &str, columns: &[&str], unique: bool) -> Index {
    Index {
        name: name.into(),
        columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
        unique,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
    }
}

fn fk(
    name: &str,
    columns: &[&str],
    target: &str,
    on_delete: FkAction,
    on_update: FkAction,
) -> ForeignKey {
    ForeignKey {
        deferrable: Default::default(),
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        references: QualifiedName::with_schema(DATABASE_SCHEMA, target),
        referenced_columns: vec!["id".into()],
        on_delete,
        on_update,
        not_valid: false,
    }
}

/// `products` as MariaDB 10.11 reports it.
fn products_on_mariadb() -> TableDef {
    let m = |name, ty, nullable, default, extra| {
        reported(Flavor::MariaDb, name, ty, nullable, default, extra)
    };
    let mut description = m("description", "text", true, Some("NULL"), "");
    description.comment = Some("Free text, shown as is".into());
    let mut doc = m("doc", "longtext", true, Some("NULL"), "");
    doc.collation = Some("utf8mb4_bin".into());
    TableDef {
        comment: Some("Things a vendor's shop sells".into()),
        primary_key: Some(PrimaryKey {
            name: Some("PRIMARY".into()),
            columns: vec!["id".into()],
        }),
        uniques: vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_products_sku".into(),
            columns: vec!["sku".into()],
        }],
        foreign_keys: vec![
            fk(
                "fk_products_parent",
                &["parent_id"],
                "products",
                FkAction::SetNull,
                FkAction::Cascade,
            ),
            // MariaDB reports the default action as RESTRICT.
            fk(
                "fk_products_vendor",
                &["vendor_id"],
                "vendors",
                FkAction::Cascade,
                FkAction::Restrict,
            ),
        ],
        checks: vec![
            Check {
                name: "ck_products_price".into(),
                expr: super::super::from_catalog(r"`price` >= 0 and `sku` <> 'a\\b'"),
                not_valid: false,
            },
            // MariaDB's JSON: LONGTEXT and a column CHECK named after it.
            Check {
                name: "doc".into(),
                expr: super::super::from_catalog("json_valid(`doc`)"),
                not_valid: false,
            },
        ],
        indexes: vec![
            Index {
                columns: vec![
                    IndexColumn::asc("vendor_id"),
                    IndexColumn {
                        order: SortOrder::Desc,
                        ..IndexColumn::asc("sku")
                    },
                ],
                ..index("ix_products_vendor_sku", &[], false)
            },
            index("ux_products_uid", &["uid"], true),
            // InnoDB's index for the foreign key that has none.
            index("fk_products_parent", &["parent_id"], false),
        ],
        ..table(
            "products",
            vec![
                m("id", "bigint(20)", false, None, "auto_increment"),
                m("sku", "varchar(64)", false, None, ""),
                description,
                m("price", "decimal(10,2)", false, Some("0.00"), ""),
                m("whole", "decimal(12,0)", true, Some("NULL"), ""),
                m("small", "smallint(6)", false, Some("-1"), ""),
                m("qty", "int(11)", false, Some("1 + 1"), ""),
                m("vendor_id", "bigint(20)", false, None, ""),
                m("parent_id", "bigint(20)", true, Some("NULL"), ""),
                m("ratio", "float", true, Some("NULL"), ""),
                m("score", "double", true, Some("NULL"), ""),
                m("active", "tinyint(1)", false, Some("1"), ""),
                m("data", "longblob", true, Some("NULL"), ""),
                m("day", "date", true, Some("NULL"), ""),
                m("at", "time(6)", true, Some("NULL"), ""),
                m("seen", "datetime(6)", true, Some("NULL"), ""),
                m(
                    "created_at",
                    "datetime(6)",
                    false,
                    Some("current_timestamp(6)"),
                    "",
                ),
                m("uid", "char(36)", true, Some("NULL"), ""),
                doc,
                m("code", "enum('a','b')", false, Some("'a'"), ""),
                m("note", "text", false, Some("'a;b'"), ""),
                m("quote", "varchar(20)", false, Some(r"'it\'s'"), ""),
                m("path", "varchar(20)", false, Some(r"'a\\b'"), ""),
                m("lowered", "varchar(20)", false, Some("lower('X')"), ""),
                m("day_added", "date", false, Some("curdate()"), ""),
            ],
        )
    }
}

/// `products` as MySQL 8.0.19+ reports it.
fn products_on_mysql() -> TableDef {
    let m = |name, ty, nullable, default, extra| {
        reported(Flavor::MySql, name, ty, nullable, default, extra)
    };
    let mut description = m("description", "text", true, None, "");
    description.comment = Some("Free text, shown as is".into());
    const GENERATED: &str = "DEFAULT_GENERATED";
    let mut reflected = products_on_mariadb();
    reflected.foreign_keys[1].on_update = FkAction::NoAction;
    // Named checks keep their name; MySQL adds parentheses and charset introducers and
    // prints literals with `\` escaped.
    reflected.checks = vec![Check {
        name: "ck_products_price".into(),
        expr: super::super::from_catalog(r"((`price` >= 0) and (`sku` <> _utf8mb4'a\\b'))"),
        not_valid: false,
    }];
    reflected.columns = vec![
        m("id", "bigint", false, None, "auto_increment"),
        m("sku", "varchar(64)", false, None, ""),
        description,
        m("price", "decimal(10,2)", false, Some("0.00"), ""),
        m("whole", "decimal(12,0)", true, None, ""),
        m("small", "smallint", false, Some("-1"), ""),
        m("qty", "int", false, Some("(1 + 1)"), GENERATED),
        m("vendor_id", "bigint", false, None, ""),
        m("parent_id", "bigint", true, None, ""),
        m("ratio", "float", true, None, ""),
        m("score", "double", true, None, ""),
        m("active", "tinyint(1)", false, Some("1"), ""),
        m("data", "longblob", true, None, ""),
        m("day", "date", true, None, ""),
        m("at", "time(6)", true, None, ""),
        m("seen", "datetime(6)", true, None, ""),
        m(
            "created_at",
            "datetime(6)",
            false,
            Some("CURRENT_TIMESTAMP(6)"),
            GENERATED,
        ),
        m("uid", "char(36)", true, None, ""),
        m("doc", "json", true, None, ""),
        m("code", "enum('a','b')", false, Some("a"), ""),
        m("note", "text", false, Some(r"_utf8mb4\'a;b\'"), GENERATED),
        m("quote", "varchar(20)", false, Some("it's"), ""),
        m("path", "varchar(20)", false, Some(r"a\b"), ""),
        m(
            "lowered",
            "varchar(20)",
            false,
            Some(r"lower(_utf8mb4\'X\')"),
            GENERATED,
        ),
        m("day_added", "date", false, Some("curdate()"), GENERATED),
    ];
    reflected
}

#[test]
fn a_table_reads_back_as_declared_on_mariadb_and_mysql() {
    let declared = resolved(products());
    assert_same(&declared, &products_on_mariadb());
    assert_same(&declared, &products_on_mysql());
}

#[test]
fn a_second_plan_is_empty() {
    let vendors = TableDef {
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        ..table(
            "vendors",
            vec![Column {
                auto_increment: true,
                ..Column::new("id", ColumnType::BigInt)
            }],
        )
    };
    let declared = [products(), vendors.clone()];
    let first = build_plan(&declared, &Schema::default(), &MYSQL, &Options::default()).unwrap();
    // The referenced table first; the self-reference stays inside CREATE TABLE.
    let created: Vec<String> = first.steps().iter().map(|s| s.describe()).collect();
    assert_eq!(
        created,
        [
            "create table database.vendors",
            "create table database.products"
        ]
    );
    let mut reflected_vendors = vendors;
    reflected_vendors.columns[0].ty = custom("bigint(20)");
    reflected_vendors.primary_key.as_mut().unwrap().name = Some("PRIMARY".into());
    for reflected in [products_on_mariadb(), products_on_mysql()] {
        let actual = Schema::new(vec![reflected, reflected_vendors.clone()]);
        let second = build_plan(&declared, &actual, &MYSQL, &Options::default()).unwrap();
        assert!(second.is_empty(), "{second}");
    }
}

#[test]
fn mariadb_quotes_defaults_and_says_null() {
    // M2: `'abc'` with its quotes, the string NULL for a NULL default.
    let declared = table(
        "t",
        vec![
            Column {
                default: Some("'abc'".into()),
                ..Column::new("a", ColumnType::Varchar(10))
            },
            Column {
                nullable: true,
                ..Column::new("b", ColumnType::Integer)
            },
        ],
    );
    let reflected = table(
        "t",
        vec![
            reported(
                Flavor::MariaDb,
                "a",
                "varchar(10)",
                false,
                Some("'abc'"),
                "",
            ),
            reported(Flavor::MariaDb, "b", "int(11)", true, Some("NULL"), ""),
        ],
    );
    assert_same(&declared, &reflected);
    // A real difference survives.
    let mut other = reflected.clone();
    other.columns[0].default = Some("'abd'".into());
    assert_eq!(changes(&declared, &other).len(), 1);
}

#[test]
fn current_timestamp_spellings() {
    // M4: `current_timestamp()` / `current_timestamp(6)` on MariaDB, `CURRENT_TIMESTAMP(6)`
    // marked DEFAULT_GENERATED on MySQL; `now()` declared.
    for declared_default in [
        "CURRENT_TIMESTAMP",
        "now()",
        "current_timestamp()",
        "CURRENT_TIMESTAMP(6)",
        "NOW(6)",
    ] {
        let declared = table(
            "t",
            vec![Column {
                default: Some(declared_default.into()),
                ..Column::new("at", ColumnType::TimestampTz)
            }],
        );
        for reflected in [
            reported(
                Flavor::MariaDb,
                "at",
                "datetime(6)",
                false,
                Some("current_timestamp(6)"),
                "",
            ),
            reported(
                Flavor::MySql,
                "at",
                "datetime(6)",
                false,
                Some("CURRENT_TIMESTAMP(6)"),
                "DEFAULT_GENERATED",
            ),
        ] {
            assert_same(&declared, &table("t", vec![reflected]));
        }
    }
    // On a DATETIME without fractions, `current_timestamp()` is precision 0.
    let declared = table(
        "t",
        vec![Column {
            default: Some("CURRENT_TIMESTAMP".into()),
            ..Column::new("at", custom("DATETIME"))
        }],
    );
    let reflected = reported(
        Flavor::MariaDb,
        "at",
        "datetime",
        false,
        Some("current_timestamp()"),
        "",
    );
    assert_same(&declared, &table("t", vec![reflected]));
}

#[test]
fn mysql_expression_defaults_carry_introducers() {
    // M3: `_utf8mb4\'x\'` with EXTRA = DEFAULT_GENERATED; without the mark the same text
    // is a literal value.
    let declared = table(
        "t",
        vec![Column {
            default: Some("'x'".into()),
            ..Column::new("body", ColumnType::Text)
        }],
    );
    let generated = reported(
        Flavor::MySql,
        "body",
        "text",
        false,
        Some(r"_utf8mb4\'x\'"),
        "DEFAULT_GENERATED",
    );
    assert_same(&declared, &table("t", vec![generated]));
    let literal = reported(
        Flavor::MySql,
        "body",
        "text",
        false,
        Some(r"_utf8mb4\'x\'"),
        "",
    );
    assert_eq!(changes(&declared, &table("t", vec![literal])).len(), 1);
}

#[test]
fn integer_display_widths_and_unsigned() {
    // M1: MariaDB `int(11)`, MySQL 8.0.19+ `int`; `unsigned` is another type.
    let declared = table(
        "t",
        vec![
            Column::new("a", ColumnType::Integer),
            Column::new("b", ColumnType::BigInt),
            Column::new("c", custom("INT UNSIGNED")),
            Column::new("d", custom("tinyint")),
        ],
    );
    for (a, b, c, d) in [
        ("int(11)", "bigint(20)", "int(10) unsigned", "tinyint(4)"),
        ("int", "bigint", "int unsigned", "tinyint"),
    ] {
        let reflected = table(
            "t",
            vec![
                reported(Flavor::MariaDb, "a", a, false, None, ""),
                reported(Flavor::MariaDb, "b", b, false, None, ""),
                reported(Flavor::MariaDb, "c", c, false, None, ""),
                reported(Flavor::MariaDb, "d", d, false, None, ""),
            ],
        );
        assert_same(&declared, &reflected);
    }
    let signed = table("t", vec![Column::new("c", ColumnType::Integer)]);
    let unsigned = table("t", vec![Column::new("c", custom("int(10) unsigned"))]);
    assert_eq!(changes(&signed, &unsigned).len(), 1);
}

#[test]
fn utf8_is_utf8mb3() {
    // M8: servers before MySQL 8.0.30 / MariaDB 10.6 report `utf8`, newer ones `utf8mb3`.
    let mut old = table("t", vec![Column::new("a", ColumnType::Varchar(5))]);
    old.columns[0].collation = Some("utf8_general_ci".into());
    let mut new = old.clone();
    new.columns[0].collation = Some("utf8mb3_general_ci".into());
    assert_same(&old, &new);
    new.columns[0].collation = Some("utf8mb4_general_ci".into());
    assert_eq!(changes(&old, &new).len(), 1);
}

#[test]
fn mariadb_json_is_longtext_with_a_check() {
    // M5: `JSON` on MariaDB is `longtext` + CHECK (json_valid(`doc`)) named `doc`,
    // collated `utf8mb4_bin`.
    let declared = table("t", vec![Column::new("Doc", ColumnType::Json)]);
    let mut column = reported(Flavor::MariaDb, "Doc", "longtext", false, None, "");
    column.collation = Some("utf8mb4_bin".into());
    let mut reflected = table("t", vec![column]);
    reflected.checks.push(Check {
        name: "Doc".into(),
        expr: "json_valid(`Doc`)".into(),
        not_valid: false,
    });
    assert_same(&declared, &reflected);
    // A LONGTEXT without that CHECK is not JSON.
    let mut plain = reflected.clone();
    plain.checks.clear();
    assert_eq!(changes(&declared, &plain).len(), 1);
    // MySQL 8 has a real JSON type.
    let mysql = table(
        "t",
        vec![reported(Flavor::MySql, "Doc", "json", false, None, "")],
    );
    assert_same(&declared, &mysql);
}

#[test]
fn booleans_are_tinyint_1() {
    // M7: BOOLEAN is stored as tinyint(1); its defaults as 0 and 1.
    for (declared_type, declared_default) in [
        (ColumnType::Boolean, "FALSE"),
        (ColumnType::Boolean, "false"),
        (ColumnType::Boolean, "0"),
        (ColumnType::Boolean, "'0'"),
        (ColumnType::Boolean, "b'0'"),
        (custom("BOOLEAN"), "FALSE"),
        (custom("bool"), "0"),
        (custom("TINYINT(1)"), "0"),
    ] {
        let declared = table(
            "t",
            vec![Column {
                default: Some(declared_default.into()),
                ..Column::new("flag", declared_type.clone())
            }],
        );
        for reflected in [
            reported(Flavor::MariaDb, "flag", "tinyint(1)", false, Some("0"), ""),
            reported(Flavor::MySql, "flag", "tinyint(1)", false, Some("0"), ""),
        ] {
            assert_same(&declared, &table("t", vec![reflected]));
        }
    }
    let yes = table(
        "t",
        vec![Column {
            default: Some("TRUE".into()),
            ..Column::new("flag", ColumnType::Boolean)
        }],
    );
    let no = table(
        "t",
        vec![reported(
            Flavor::MariaDb,
            "flag",
            "tinyint(1)",
            false,
            Some("0"),
            "",
        )],
    );
    assert_eq!(changes(&yes, &no).len(), 1);
}

#[test]
fn checks_are_compared_by_definition_whatever_the_server_named_them() {
    // M6: unnamed CHECKs are `CONSTRAINT_1` on MariaDB, `<table>_chk_1` on MySQL, and
    // their text is rewritten.
    let mut declared = table(
        "t",
        vec![
            Column::new("price", ColumnType::Integer),
            Column::new("qty", ColumnType::Integer),
        ],
    );
    declared.checks.push(Check {
        name: "ck_t_1".into(),
        expr: "Price >= 0 AND qty != 0".into(),
        not_valid: false,
    });
    for (name, clause) in [
        ("CONSTRAINT_1", "`price` >= 0 and `qty` <> 0"),
        ("t_chk_1", "((`price` >= 0) and (`qty` <> 0))"),
    ] {
        let mut reflected = declared.clone();
        reflected.checks = vec![Check {
            name: name.into(),
            expr: super::super::from_catalog(clause),
            not_valid: false,
        }];
        assert_same(&declared, &reflected);
        // Another definition is a change.
        reflected.checks[0].expr = "`price` > 0 and `qty` <> 0".into();
        assert!(!changes(&declared, &reflected).is_empty());
    }
}

#[test]
fn innodb_foreign_key_indexes_are_not_drift() {
    // M9: InnoDB adds an index named like a foreign key that has none.
    let mut declared = table(
        "t",
        vec![
            Column::new("id", ColumnType::BigInt),
            Column::new("parent_id", ColumnType::BigInt),
        ],
    );
    declared.foreign_keys.push(fk(
        "fk_t_parent",
        &["parent_id"],
        "t",
        FkAction::NoAction,
        FkAction::NoAction,
    ));
    let mut reflected = declared.clone();
    reflected.foreign_keys[0].on_delete = FkAction::Restrict;
    reflected
        .indexes
        .push(index("fk_t_parent", &["parent_id"], false));
    assert_same(&declared, &reflected);
    // Declaring that index changes nothing either.
    let mut spelled_out = declared.clone();
    spelled_out
        .indexes
        .push(index("fk_t_parent", &["parent_id"], false));
    assert_same(&spelled_out, &reflected);
    // A key declared without a constraint name gets an index named like its column.
    let mut unnamed = declared.clone();
    unnamed.foreign_keys[0].name = "t_ibfk_1".into();
    unnamed
        .indexes
        .push(index("parent_id", &["parent_id"], false));
    let mut unnamed_declared = declared.clone();
    unnamed_declared.foreign_keys[0].name = "t_ibfk_1".into();
    assert_same(&unnamed_declared, &unnamed);
    // Another index on the column is the user's: it shows.
    reflected
        .indexes
        .push(index("ix_other", &["parent_id"], false));
    assert_eq!(changes(&declared, &reflected).len(), 1);
    // So is one named like a column the key does not start with.
    let mut other = declared.clone();
    other.indexes.push(index("id", &["parent_id"], false));
    assert_eq!(changes(&declared, &other).len(), 1);
}

#[test]
fn primary_keys_are_named_primary_and_imply_not_null() {
    let mut declared = table("t", vec![Column::new("id", ColumnType::Integer)]);
    declared.primary_key = Some(PrimaryKey {
        name: Some("pk_t".into()),
        columns: vec!["id".into()],
    });
    let mut reflected = declared.clone();
    reflected.primary_key.as_mut().unwrap().name = Some("PRIMARY".into());
    reflected.columns[0].ty = custom("int(11)");
    assert_same(&declared, &reflected);
}

#[test]
fn unique_indexes_are_unique_constraints() {
    let mut declared = table("t", vec![Column::new("a", ColumnType::Varchar(5))]);
    declared.uniques.push(UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq_t_a".into(),
        columns: vec!["a".into()],
    });
    let mut reflected = declared.clone();
    reflected.uniques.clear();
    reflected.indexes.push(index("uq_t_a", &["a"], true));
    assert_same(&declared, &reflected);
}

#[test]
fn numbers_and_strings_in_defaults() {
    // M10: `0.00` is `0` on a DECIMAL(10,2); `DEFAULT 0` on a VARCHAR is the string '0'.
    let declared = table(
        "t",
        vec![
            Column {
                default: Some("1.5".into()),
                ..Column::new(
                    "d",
                    ColumnType::Decimal {
                        precision: Some(10),
                        scale: Some(2),
                    },
                )
            },
            Column {
                default: Some("0".into()),
                ..Column::new("s", ColumnType::Varchar(5))
            },
            Column {
                default: Some("'7'".into()),
                ..Column::new("n", ColumnType::Integer)
            },
        ],
    );
    let reflected = table(
        "t",
        vec![
            reported(
                Flavor::MariaDb,
                "d",
                "decimal(10,2)",
                false,
                Some("1.50"),
                "",
            ),
            reported(Flavor::MariaDb, "s", "varchar(5)", false, Some("'0'"), ""),
            reported(Flavor::MySql, "n", "int", false, Some("7"), ""),
        ],
    );
    assert_same(&declared, &reflected);
}

#[test]
fn comments_and_restrict() {
    let mut declared = table("t", vec![Column::new("a", ColumnType::Integer)]);
    declared.comment = Some(String::new());
    let reflected = table("t", vec![Column::new("a", custom("int(11)"))]);
    assert_same(&declared, &reflected);
}

#[test]
fn normalizing_twice_changes_nothing() {
    for reflected in [
        products_on_mariadb(),
        products_on_mysql(),
        resolved(products()),
    ] {
        let once = MYSQL.normalize_table(&reflected);
        assert_eq!(MYSQL.normalize_table(&once), once);
    }
}

proptest::proptest! {
    /// A default's normal form is its own normal form, on every kind of column: otherwise
    /// a database written from it would differ from it forever.
    #[test]
    fn defaults_normalize_once_and_for_all(
        text in proptest::sample::select(vec![
            "0", "-0", "+1.50", "'7'", "'0'", "b'1'", "TRUE", "false", "NULL", "'it''s'",
            "_utf8mb4'x'", "now()", "CURRENT_TIMESTAMP(3)", "current_timestamp()", "curdate()",
            "lower('X')", "(1 + 1)", "'a\\b'", "0x1F", "1e3", "-(1)", "''",
        ]),
        ty in proptest::sample::select(vec![
            ColumnType::Boolean,
            ColumnType::Integer,
            ColumnType::Decimal { precision: Some(10), scale: Some(2) },
            ColumnType::Varchar(5),
            ColumnType::Text,
            ColumnType::Timestamp,
            ColumnType::Date,
            ColumnType::Custom("datetime".into()),
            ColumnType::Custom("enum('a','b')".into()),
        ]),
    ) {
        let once = super::default(text, &ty);
        let twice = once.as_deref().and_then(|d| super::default(d, &ty));
        proptest::prop_assert_eq!(twice, once);
    }
}

#[test]
fn mysql_escapes_quotes_in_check_clauses_too() {
    // MySQL 8 may print `information_schema` expressions with every quote escaped once
    // more (`_utf8mb4\'\'`); `from_catalog` removes that level.
    let mut declared = table("t", vec![Column::new("name", ColumnType::Varchar(9))]);
    declared.checks.push(Check {
        name: "ck_t_name".into(),
        expr: "name <> '' AND name <> 'it''s'".into(),
        not_valid: false,
    });
    for clause in [
        r"((`name` <> _utf8mb4\'\') and (`name` <> _utf8mb4\'it\\\'s\'))",
        r"((`name` <> _utf8mb4'') and (`name` <> _utf8mb4'it\'s'))",
        "`name` <> '' and `name` <> 'it''s'",
    ] {
        let mut reflected = declared.clone();
        reflected.checks[0].expr = super::super::from_catalog(clause);
        assert_same(&declared, &reflected);
    }
}

#[test]
fn an_enum_column_is_the_inline_enum_the_catalog_reports_and_its_labels_count() {
    let mood = |labels: &[&str]| {
        ColumnType::Enum(Box::new(crate::model::EnumType::new(
            "mood",
            labels.iter().copied(),
        )))
    };
    let declared = table(
        "people",
        vec![Column::new("mood", mood(&["happy", "so-so"]))],
    );
    assert_eq!(
        MYSQL.column_type_sql(&mood(&["happy", "it's"])),
        "ENUM('happy','it''s')"
    );
    for flavor in [Flavor::MySql, Flavor::MariaDb] {
        let reflected = table(
            "people",
            vec![reported(
                flavor,
                "mood",
                "enum('happy','so-so')",
                false,
                None,
                "",
            )],
        );
        assert_same(&declared, &reflected);
        let other = table(
            "people",
            vec![reported(
                flavor,
                "mood",
                "enum('happy','sad')",
                false,
                None,
                "",
            )],
        );
        assert!(matches!(
            &changes(&declared, &other)[..],
            [Change::AlterColumn { changes, .. }] if changes.ty
        ));
    }
}
