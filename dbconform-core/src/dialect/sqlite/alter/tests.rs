//! Exact SQL and exact rebuild reasons for every change kind on SQLite, with hostile names
//! (quotes, spaces, keywords, mixed case).

use super::{is_constant_default, mentions};
use crate::dialect::fixtures::{col, fk, null, pk, resolved, serial, table, with_default};
use crate::dialect::{ChangeContext, ChangeSql, Dialect, SQLITE};
use crate::model::{
    Check, Column, ColumnType, GeneratedColumn, Index, IndexColumn, PrimaryKey, QualifiedName,
    SortOrder, TableDef, TableOptions, UniqueConstraint,
};
use crate::plan::Change;

pub(super) const T: &str = "we\"ird Table";
pub(super) const QT: &str = "\"we\"\"ird Table\"";

/// `we"ird Table` in `main`: an auto-increment `id` key and `columns`.
pub(super) fn weird(columns: Vec<Column>) -> TableDef {
    resolved(table(T, columns), "main")
}

pub(super) fn name() -> QualifiedName {
    QualifiedName::with_schema("main", T)
}

/// The usual columns: `select` TEXT NOT NULL, `Mixed Case` TEXT, `with space` INTEGER.
pub(super) fn usual() -> Vec<Column> {
    vec![
        col("select", ColumnType::Text),
        null("Mixed Case", ColumnType::Text),
        null("with space", ColumnType::Integer),
    ]
}

pub(super) fn render(change: &Change, desired: &TableDef, actual: &TableDef) -> ChangeSql {
    let context = ChangeContext {
        desired: Some(desired),
        actual: Some(actual),
    };
    match SQLITE.change_sql(change, &context) {
        Ok(sql) => sql,
        Err(e) => panic!("{}: {e}", change.describe()),
    }
}

pub(super) fn statements(change: &Change, desired: &TableDef, actual: &TableDef) -> Vec<String> {
    match render(change, desired, actual) {
        ChangeSql::Statements(sql) => sql,
        ChangeSql::NeedsRebuild(why) => panic!("{}: needs a rebuild: {why}", change.describe()),
    }
}

pub(super) fn rebuild_reason(change: &Change, desired: &TableDef, actual: &TableDef) -> String {
    match render(change, desired, actual) {
        ChangeSql::NeedsRebuild(why) => why,
        ChangeSql::Statements(sql) => panic!("{}: native {sql:?}", change.describe()),
    }
}

/// Adds `column` to the usual table: its SQL or its rebuild reason.
fn add(column: Column) -> ChangeSql {
    let actual = weird(usual());
    let mut columns = usual();
    columns.push(column.clone());
    let desired = weird(columns);
    render(
        &Change::AddColumn {
            table: name(),
            column,
        },
        &desired,
        &actual,
    )
}

pub(super) fn native(sql: &str) -> ChangeSql {
    ChangeSql::Statements(vec![sql.to_string()])
}

pub(super) fn needs(why: &str) -> ChangeSql {
    ChangeSql::NeedsRebuild(why.to_string())
}

#[test]
fn add_nullable_column() {
    assert_eq!(
        add(null("Quo\"ted Col", ColumnType::Varchar(20))),
        native(&format!(
            "ALTER TABLE {QT} ADD COLUMN \"Quo\"\"ted Col\" VARCHAR(20)"
        ))
    );
    assert_eq!(
        add(null("order", ColumnType::BigInt)),
        native(&format!("ALTER TABLE {QT} ADD COLUMN \"order\" BIGINT"))
    );
}

#[test]
fn add_not_null_column_with_a_constant_default() {
    for (default, written) in [
        ("0", "0"),
        ("-1", "-1"),
        ("+2.5", "+2.5"),
        ("1e3", "1e3"),
        ("0x1F", "0x1F"),
        ("'it''s'", "'it''s'"),
        ("'a;b'", "'a;b'"),
        ("''", "''"),
        ("X'00ff'", "X'00ff'"),
        ("TRUE", "TRUE"),
        ("false", "false"),
        ("(1)", "(1)"),
        ("( 'x' )", "( 'x' )"),
        ("(-1)", "(-1)"),
    ] {
        assert_eq!(
            add(with_default("group", ColumnType::Text, default)),
            native(&format!(
                "ALTER TABLE {QT} ADD COLUMN \"group\" TEXT NOT NULL DEFAULT {written}"
            )),
            "default {default:?}"
        );
    }
}

#[test]
fn add_not_null_column_without_a_default_needs_a_rebuild() {
    let why = "SQLite cannot add a NOT NULL column without a default with ALTER TABLE";
    assert_eq!(add(col("group", ColumnType::Text)), needs(why));
    for null_default in ["NULL", "null", "(NULL)"] {
        assert_eq!(
            add(with_default("group", ColumnType::Text, null_default)),
            needs(why),
            "default {null_default:?}"
        );
    }
    // Nullable with a NULL default is fine.
    assert_eq!(
        add(Column {
            default: Some("NULL".into()),
            ..null("group", ColumnType::Text)
        }),
        native(&format!(
            "ALTER TABLE {QT} ADD COLUMN \"group\" TEXT DEFAULT NULL"
        ))
    );
}

#[test]
fn add_column_with_a_non_constant_default_needs_a_rebuild() {
    for (default, shown) in [
        ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("current_date", "current_date"),
        ("CURRENT_TIME", "CURRENT_TIME"),
        ("(1+1)", "(1+1)"),
        ("lower('X')", "lower('X')"),
        ("(datetime('now'))", "(datetime('now'))"),
        ("-(1)", "-(1)"),
        ("abc", "abc"),
        (" 'a' || 'b' ", "'a' || 'b'"),
    ] {
        let why = format!(
            "SQLite cannot add a column with a non-constant default ({shown}) with ALTER TABLE"
        );
        for nullable in [false, true] {
            let column = Column {
                nullable,
                ..with_default("At", ColumnType::Timestamp, default)
            };
            assert_eq!(add(column), needs(&why), "default {default:?}");
        }
    }
}

#[test]
fn add_key_columns_needs_a_rebuild() {
    let actual = weird(usual());
    let add_to = |desired: &TableDef, column: &str| {
        let column = desired
            .columns
            .iter()
            .find(|c| c.name == column)
            .cloned()
            .unwrap();
        rebuild_reason(
            &Change::AddColumn {
                table: name(),
                column,
            },
            desired,
            &actual,
        )
    };

    // Auto-increment is the primary key.
    let mut desired = weird(usual());
    desired.columns.push(Column {
        name: "Serial".into(),
        ..serial("x")
    });
    assert_eq!(
        add_to(&desired, "Serial"),
        "SQLite cannot add a PRIMARY KEY column with ALTER TABLE: `Serial` is the auto-increment primary key"
    );

    // A column of the declared (composite) primary key, matched case-insensitively.
    let mut desired = weird(usual());
    desired
        .columns
        .push(with_default("Tenant", ColumnType::BigInt, "0"));
    desired.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into(), "tenant".into()],
    });
    assert_eq!(
        add_to(&desired, "Tenant"),
        "SQLite cannot add a PRIMARY KEY column with ALTER TABLE: `Tenant` is in the declared primary key"
    );

    // A column of a declared UNIQUE constraint.
    let mut desired = weird(usual());
    desired.columns.push(null("e mail", ColumnType::Text));
    desired.uniques = vec![UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq \"mail\"".into(),
        columns: vec!["select".into(), "E MAIL".into()],
    }];
    assert_eq!(
        add_to(&desired, "e mail"),
        "SQLite cannot add a UNIQUE column with ALTER TABLE: `e mail` is in unique constraint `uq \"mail\"`"
    );
}

#[test]
fn add_column_of_a_foreign_key_never_writes_references() {
    // The foreign key is its own step (a rebuild); ADD COLUMN adds the plain column.
    let actual = weird(usual());
    let mut desired = weird(usual());
    desired
        .columns
        .push(with_default("owner", ColumnType::BigInt, "0"));
    desired.foreign_keys = vec![fk("fk_owner", &["owner"], "users", &["id"])];
    let column = desired.columns.last().cloned().unwrap();
    assert_eq!(
        statements(
            &Change::AddColumn {
                table: name(),
                column
            },
            &desired,
            &actual
        ),
        [format!(
            "ALTER TABLE {QT} ADD COLUMN \"owner\" BIGINT NOT NULL DEFAULT 0"
        )]
    );
}

#[test]
fn add_generated_and_collated_columns() {
    let generated = |stored| Column {
        generated: Some(GeneratedColumn {
            expr: "\"with space\" * 2".into(),
            stored,
        }),
        ..null("Double", ColumnType::Integer)
    };
    assert_eq!(
        add(generated(false)),
        native(&format!(
            "ALTER TABLE {QT} ADD COLUMN \"Double\" INTEGER GENERATED ALWAYS AS (\"with space\" * 2) VIRTUAL"
        ))
    );
    // NOT NULL without a default is fine for a generated column: it is computed.
    assert_eq!(
        add(Column {
            nullable: false,
            ..generated(false)
        }),
        native(&format!(
            "ALTER TABLE {QT} ADD COLUMN \"Double\" INTEGER NOT NULL GENERATED ALWAYS AS (\"with space\" * 2) VIRTUAL"
        ))
    );
    assert_eq!(
        add(generated(true)),
        needs("SQLite cannot add a STORED generated column with ALTER TABLE")
    );
    assert_eq!(
        add(Column {
            collation: Some("NOCASE".into()),
            ..null("nick", ColumnType::Text)
        }),
        native(&format!(
            "ALTER TABLE {QT} ADD COLUMN \"nick\" TEXT COLLATE \"NOCASE\""
        ))
    );
}

#[test]
fn a_generation_expression_that_breaks_the_statement_is_refused() {
    let actual = weird(usual());
    let column = Column {
        generated: Some(GeneratedColumn {
            expr: "1; DROP TABLE x".into(),
            stored: false,
        }),
        ..null("g", ColumnType::Integer)
    };
    let mut desired = weird(usual());
    desired.columns.push(column.clone());
    let context = ChangeContext {
        desired: Some(&desired),
        actual: Some(&actual),
    };
    let err = SQLITE
        .change_sql(
            &Change::AddColumn {
                table: name(),
                column,
            },
            &context,
        )
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "table `main.we\"ird Table`: the generation expression of column `g` contains `;` outside a string literal; write one SQL expression"
    );
}

#[test]
fn add_column_to_a_strict_table() {
    let mut actual = weird(usual());
    actual.options = TableOptions {
        strict: true,
        without_rowid: false,
    };
    let add_strict = |column: Column| {
        let mut desired = weird(usual());
        desired.columns.push(column.clone());
        render(
            &Change::AddColumn {
                table: name(),
                column,
            },
            &desired,
            &actual,
        )
    };
    assert_eq!(
        add_strict(null("n", ColumnType::Text)),
        native(&format!("ALTER TABLE {QT} ADD COLUMN \"n\" TEXT"))
    );
    assert_eq!(
        add_strict(null("n", ColumnType::Varchar(10))),
        needs(
            "SQLite cannot add a column of type VARCHAR(10) to a STRICT table with ALTER TABLE: STRICT tables accept only INT, INTEGER, REAL, TEXT, BLOB or ANY"
        )
    );
}

#[test]
fn add_column_renders_the_declared_column_not_its_normal_form() {
    // The change carries the normal form (JSON is TEXT on SQLite); the declaration is
    // rendered, so the text written is what CREATE TABLE would write.
    let actual = weird(usual());
    let mut desired = weird(usual());
    desired
        .columns
        .push(with_default("Doc", ColumnType::Json, "('{}')"));
    let normal = with_default("doc", ColumnType::Custom("whatever".into()), "'{}'");
    assert_eq!(
        statements(
            &Change::AddColumn {
                table: name(),
                column: normal
            },
            &desired,
            &actual
        ),
        [format!(
            "ALTER TABLE {QT} ADD COLUMN \"Doc\" TEXT NOT NULL DEFAULT ('{{}}')"
        )]
    );
}

/// Drops `column` from `actual` (declared: `actual` without it).
fn drop(actual: &TableDef, column: &str) -> ChangeSql {
    let mut desired = actual.clone();
    desired.columns.retain(|c| c.name != column);
    drop_with(actual, &desired, column)
}

fn drop_with(actual: &TableDef, desired: &TableDef, column: &str) -> ChangeSql {
    let column = actual
        .columns
        .iter()
        .find(|c| c.name == column)
        .cloned()
        .unwrap();
    render(
        &Change::DropColumn {
            table: name(),
            column,
        },
        desired,
        actual,
    )
}

pub(super) fn index(name: &str, columns: &[&str]) -> Index {
    Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: name.into(),
        columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
        unique: false,
        predicate: None,
    }
}

#[test]
fn drop_plain_column() {
    for column in ["select", "Mixed Case", "with space"] {
        assert_eq!(
            drop(&weird(usual()), column),
            native(&format!(
                "ALTER TABLE {QT} DROP COLUMN {}",
                SQLITE.quote_ident(column)
            ))
        );
    }
}

/// An edit of the reflected table, the column to drop, the rebuild reason.
type DropCase = (fn(&mut TableDef), &'static str, &'static str);

#[test]
fn drop_key_and_constraint_columns_needs_a_rebuild() {
    let cases: [DropCase; 8] = [
        (
            |t| t.primary_key = pk(&["id", "with space"]),
            "with space",
            "SQLite cannot drop a PRIMARY KEY column with ALTER TABLE: `with space` is in the primary key",
        ),
        (
            |t| {
                t.uniques = vec![UniqueConstraint {
                    nulls_not_distinct: false,
                    name: "uq".into(),
                    columns: vec!["SELECT".into()],
                }]
            },
            "select",
            "SQLite cannot drop a UNIQUE column with ALTER TABLE: `select` is in unique constraint `uq`",
        ),
        (
            |t| t.foreign_keys = vec![fk("fk out", &["With Space"], "other", &["id"])],
            "with space",
            "SQLite cannot drop a column used by a foreign key with ALTER TABLE: `with space` is in foreign key `fk out`",
        ),
        (
            // Referenced by the table's own foreign key.
            |t| t.foreign_keys = vec![fk("fk self", &["with space"], T, &["Mixed Case"])],
            "Mixed Case",
            "SQLite cannot drop a column used by a foreign key with ALTER TABLE: `Mixed Case` is in foreign key `fk self`",
        ),
        (
            |t| {
                t.checks = vec![Check {
                    name: "ck".into(),
                    expr: "length(\"MIXED CASE\") > 0".into(),
                    not_valid: false,
                }]
            },
            "Mixed Case",
            "SQLite cannot drop a column a CHECK constraint uses with ALTER TABLE: check `ck` (length(\"MIXED CASE\") > 0) mentions `Mixed Case`",
        ),
        (
            |t| {
                t.checks = vec![Check {
                    name: "ck".into(),
                    expr: "[select] <> ''".into(),
                    not_valid: false,
                }]
            },
            "select",
            "SQLite cannot drop a column a CHECK constraint uses with ALTER TABLE: check `ck` ([select] <> '') mentions `select`",
        ),
        (
            |t| {
                t.columns.push(Column {
                    generated: Some(GeneratedColumn {
                        expr: "`with space` + 1".into(),
                        stored: false,
                    }),
                    ..null("next", ColumnType::Integer)
                })
            },
            "with space",
            "SQLite cannot drop a column a generated column uses with ALTER TABLE: `next` is computed from `with space`",
        ),
        (
            |t| t.columns.retain(|c| c.name == "id" || c.name == "select"),
            "id",
            "SQLite cannot drop a PRIMARY KEY column with ALTER TABLE: `id` is in the primary key",
        ),
    ];
    for (edit, column, why) in cases {
        let mut actual = weird(usual());
        edit(&mut actual);
        assert_eq!(drop(&actual, column), needs(why), "{column}");
    }
}

#[test]
fn a_string_that_spells_the_column_is_not_a_mention() {
    let mut actual = weird(usual());
    actual.checks = vec![Check {
        name: "ck".into(),
        expr: "\"Mixed Case\" <> 'select'".into(),
        not_valid: false,
    }];
    assert_eq!(
        drop(&actual, "select"),
        native(&format!("ALTER TABLE {QT} DROP COLUMN \"select\""))
    );
}

#[test]
fn drop_indexed_column_relies_on_the_index_being_dropped_first() {
    // Plain key, expression key, partial-index predicate: the declaration drops these
    // indexes, and the plan drops indexes before columns.
    let indexed = |index: Index| {
        let mut actual = weird(usual());
        actual.indexes = vec![index];
        actual
    };
    let expression = Index {
        columns: vec![IndexColumn {
            opclass: None,
            nulls: None,
            name: "lower(\"Mixed Case\")".into(),
            order: SortOrder::Asc,
            expression: true,
        }],
        ..index("ix expr", &[])
    };
    let partial = Index {
        predicate: Some("\"mixed case\" IS NOT NULL".into()),
        ..index("ix part", &["select"])
    };
    for actual in [
        indexed(index("ix plain", &["MIXED CASE"])),
        indexed(expression.clone()),
        indexed(partial.clone()),
    ] {
        let mut desired = actual.clone();
        desired.columns.retain(|c| c.name != "Mixed Case");
        desired.indexes.clear();
        assert_eq!(
            drop_with(&actual, &desired, "Mixed Case"),
            native(&format!("ALTER TABLE {QT} DROP COLUMN \"Mixed Case\""))
        );
    }
    // An index the declaration keeps (same name, other columns) is changed only after the
    // column is dropped.
    for actual in [
        indexed(index("ix plain", &["MIXED CASE"])),
        indexed(expression),
        indexed(partial),
    ] {
        let mut desired = actual.clone();
        desired.columns.retain(|c| c.name != "Mixed Case");
        let kept = actual.indexes[0].name.to_uppercase();
        desired.indexes = vec![index(&kept, &["with space"])];
        assert_eq!(
            drop_with(&actual, &desired, "Mixed Case"),
            needs(&format!(
                "SQLite cannot drop an indexed column with ALTER TABLE: index `{}` uses `Mixed Case` and is declared, so it still exists when the column is dropped",
                actual.indexes[0].name
            ))
        );
    }
}

#[test]
fn drop_the_last_surviving_column_needs_a_rebuild() {
    // Declared: entirely new columns; drops run before adds, so the last drop would leave
    // a table without columns.
    let actual = TableDef {
        columns: vec![null("a", ColumnType::Text), null("b", ColumnType::Text)],
        primary_key: None,
        ..weird(vec![])
    };
    let desired = TableDef {
        columns: vec![null("c", ColumnType::Text)],
        ..actual.clone()
    };
    for column in ["a", "b"] {
        assert_eq!(
            drop_with(&actual, &desired, column),
            needs(&format!(
                "SQLite cannot drop the last column of a table with ALTER TABLE: no column of `{T}` other than `{column}` is declared, and columns are dropped before new ones are added"
            ))
        );
    }
    // One declared survivor (matched case-insensitively) is enough.
    let desired = TableDef {
        columns: vec![null("A", ColumnType::Text)],
        ..actual.clone()
    };
    assert_eq!(
        drop_with(&actual, &desired, "b"),
        native(&format!("ALTER TABLE {QT} DROP COLUMN \"b\""))
    );
}

#[test]
fn constant_defaults_are_literals() {
    for constant in [
        "0", "-1", "+1", "1.5", ".5", "1e3", "0x1F", "'x'", "''", "X'00'", "NULL", "true", "FALSE",
        "(1)", "((-2))", "('(')",
    ] {
        assert!(is_constant_default(constant), "{constant:?}");
    }
    for not_constant in [
        "CURRENT_TIMESTAMP",
        "current_time",
        "CURRENT_DATE",
        "(1+1)",
        "1+1",
        "-(1)",
        "- -1",
        "lower('X')",
        "abc",
        "\"abc\"",
        "?",
        "'open",
        "",
        "()",
    ] {
        assert!(!is_constant_default(not_constant), "{not_constant:?}");
    }
}

#[test]
fn mentions_finds_identifiers_in_any_spelling() {
    for (sql, column, found) in [
        ("price >= 0", "PRICE", true),
        ("\"Price\" >= 0", "price", true),
        ("[price] >= 0", "price", true),
        ("`price` >= 0", "price", true),
        ("t.price >= 0", "price", true),
        ("prices >= 0", "price", false),
        ("name = 'price'", "price", false),
        ("\"with space\" > 0", "with space", true),
        ("\"a\"\"b\" > 0", "a\"b", true),
        ("/* price */ 1", "price", false),
        // Unreadable text: assume the worst.
        ("'open", "price", true),
    ] {
        assert_eq!(mentions(sql, column), found, "{sql:?} mentions {column:?}");
    }
}
