//! Exact SQL and exact rebuild reasons on SQLite for indexes, tables, constraints and
//! column alterations (the column adds and drops are in `tests.rs`).

use super::tests::{QT, T, index, name, native, rebuild_reason, statements, usual, weird};
use crate::dialect::fixtures::{col, fk, null};
use crate::dialect::{ChangeContext, ChangeSql, Dialect, SQLITE};
use crate::model::{
    Check, ColumnType, Index, IndexColumn, PrimaryKey, SortOrder, UniqueConstraint,
};
use crate::plan::{Change, ColumnChanges};

#[test]
fn index_changes_are_native() {
    let actual = weird(usual());
    let ix = Index {
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
        name: "ix \"Sel\" Space".into(),
        columns: vec![
            IndexColumn::asc("select"),
            IndexColumn {
                opclass: None,
                nulls: None,
                name: "with space".into(),
                order: SortOrder::Desc,
                expression: false,
            },
        ],
        unique: true,
        predicate: Some("\"with space\" > 0".into()),
    };
    let mut desired = weird(usual());
    desired.indexes = vec![ix.clone()];
    let create = format!(
        "CREATE UNIQUE INDEX \"ix \"\"Sel\"\" Space\" ON {QT} (\"select\", \"with space\" DESC) WHERE \"with space\" > 0"
    );
    assert_eq!(
        statements(
            &Change::AddIndex {
                table: name(),
                index: ix.clone()
            },
            &desired,
            &actual
        ),
        std::slice::from_ref(&create)
    );
    assert_eq!(
        statements(
            &Change::DropIndex {
                table: name(),
                index: ix.clone()
            },
            &actual,
            &desired
        ),
        ["DROP INDEX \"ix \"\"Sel\"\" Space\""]
    );
    let from = index("IX \"sel\" space", &["Mixed Case"]);
    assert_eq!(
        statements(
            &Change::AlterIndex {
                table: name(),
                from,
                to: ix
            },
            &desired,
            &actual
        ),
        ["DROP INDEX \"IX \"\"sel\"\" space\"".to_string(), create]
    );
}

#[test]
fn index_changes_render_the_declared_index() {
    // The change carries the normal form (predicate respelled); the declaration is written.
    let actual = weird(usual());
    let declared = Index {
        predicate: Some("\"with space\"  >  0".into()),
        ..index("ix", &["select"])
    };
    let mut desired = weird(usual());
    desired.indexes = vec![declared];
    let normal = Index {
        predicate: Some("with space > 0".into()),
        ..index("IX", &["select"])
    };
    assert_eq!(
        statements(
            &Change::AddIndex {
                table: name(),
                index: normal
            },
            &desired,
            &actual
        ),
        [format!(
            "CREATE INDEX \"ix\" ON {QT} (\"select\") WHERE \"with space\"  >  0"
        )]
    );
}

#[test]
fn an_index_on_a_column_only_a_rebuild_can_add_waits_for_the_rebuild() {
    let actual = weird(usual());
    let mut desired = weird(usual());
    desired.columns.push(col("code", ColumnType::Text));
    desired.columns.push(null("note", ColumnType::Text));
    let on_code = index("ix code", &["note", "Code"]);
    let on_note = Index {
        predicate: Some("code IS NULL".into()),
        ..index("ix note", &["note"])
    };
    let plain = index("ix plain", &["note"]);
    desired.indexes = vec![on_code.clone(), on_note.clone(), plain.clone()];
    let why = |ix: &str| {
        format!(
            "index `{ix}` uses column `code`, which only a table rebuild can add (SQLite cannot add a NOT NULL column without a default with ALTER TABLE)"
        )
    };
    for index in [on_code, on_note] {
        let expected = why(&index.name);
        assert_eq!(
            rebuild_reason(
                &Change::AddIndex {
                    table: name(),
                    index: index.clone()
                },
                &desired,
                &actual
            ),
            expected
        );
        assert_eq!(
            rebuild_reason(
                &Change::AlterIndex {
                    table: name(),
                    from: index.clone(),
                    to: index
                },
                &desired,
                &actual
            ),
            expected
        );
    }
    // A new nullable column is added natively before the index is created.
    assert_eq!(
        statements(
            &Change::AddIndex {
                table: name(),
                index: plain
            },
            &desired,
            &actual
        ),
        [format!("CREATE INDEX \"ix plain\" ON {QT} (\"note\")")]
    );
}

#[test]
fn sqlite_autoindexes_are_never_dropped_with_drop_index() {
    let actual = weird(usual());
    let auto = index("sqlite_autoindex_t_1", &["select"]);
    let why = "index `sqlite_autoindex_t_1` is SQLite's own index of a UNIQUE or PRIMARY KEY constraint; SQLite cannot drop it with DROP INDEX";
    assert_eq!(
        rebuild_reason(
            &Change::DropIndex {
                table: name(),
                index: auto.clone()
            },
            &actual,
            &actual
        ),
        why
    );
    assert_eq!(
        rebuild_reason(
            &Change::AlterIndex {
                table: name(),
                from: Index {
                    name: "SQLITE_AUTOINDEX_T_1".into(),
                    ..auto.clone()
                },
                to: auto
            },
            &actual,
            &actual
        ),
        why.replace("sqlite_autoindex_t_1", "SQLITE_AUTOINDEX_T_1")
    );
}

#[test]
fn drop_table_is_native() {
    let actual = weird(usual());
    let context = ChangeContext {
        desired: None,
        actual: Some(&actual),
    };
    assert_eq!(
        SQLITE
            .change_sql(
                &Change::DropTable {
                    table: actual.clone()
                },
                &context
            )
            .unwrap(),
        native(&format!("DROP TABLE {QT}"))
    );
}

#[test]
fn every_constraint_change_needs_a_rebuild_with_its_reason() {
    let t = weird(usual());
    let key = PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    };
    let unique = UniqueConstraint {
        nulls_not_distinct: false,
        name: "uq".into(),
        columns: vec!["select".into()],
    };
    let foreign = fk("fk", &["with space"], "other", &["id"]);
    let check = Check {
        name: "ck".into(),
        expr: "\"with space\" > 0".into(),
        not_valid: false,
    };
    let cases = [
        (
            Change::AddPrimaryKey {
                table: name(),
                key: key.clone(),
            },
            "SQLite cannot add a primary key to an existing table with ALTER TABLE",
        ),
        (
            Change::DropPrimaryKey {
                table: name(),
                key: key.clone(),
            },
            "SQLite cannot drop a primary key with ALTER TABLE",
        ),
        (
            Change::AlterPrimaryKey {
                table: name(),
                from: key.clone(),
                to: key,
            },
            "SQLite cannot change the columns of a primary key with ALTER TABLE",
        ),
        (
            Change::AddUnique {
                table: name(),
                unique: unique.clone(),
            },
            "SQLite cannot add a UNIQUE constraint to an existing table with ALTER TABLE",
        ),
        (
            Change::DropUnique {
                table: name(),
                unique: unique.clone(),
            },
            "SQLite cannot drop a UNIQUE constraint (only an index created with CREATE UNIQUE INDEX can be dropped on its own) with ALTER TABLE",
        ),
        (
            Change::AlterUnique {
                table: name(),
                from: unique.clone(),
                to: unique,
            },
            "SQLite cannot change the columns of a UNIQUE constraint with ALTER TABLE",
        ),
        (
            Change::AddForeignKey {
                table: name(),
                foreign_key: foreign.clone(),
            },
            "SQLite cannot add a foreign key to an existing table with ALTER TABLE",
        ),
        (
            Change::DropForeignKey {
                table: name(),
                foreign_key: foreign.clone(),
            },
            "SQLite cannot drop a foreign key with ALTER TABLE",
        ),
        (
            Change::AlterForeignKey {
                table: name(),
                from: foreign.clone(),
                to: foreign,
            },
            "SQLite cannot change the columns, target or actions of a foreign key with ALTER TABLE",
        ),
        (
            Change::AddCheck {
                table: name(),
                check: check.clone(),
            },
            "SQLite cannot add a CHECK constraint to an existing table with ALTER TABLE",
        ),
        (
            Change::DropCheck {
                table: name(),
                check: check.clone(),
            },
            "SQLite cannot drop a CHECK constraint with ALTER TABLE",
        ),
        (
            Change::AlterCheck {
                table: name(),
                from: check.clone(),
                to: check,
            },
            "SQLite cannot change the expression of a CHECK constraint with ALTER TABLE",
        ),
    ];
    for (change, why) in cases {
        assert_eq!(
            rebuild_reason(&change, &t, &t),
            why,
            "{}",
            change.describe()
        );
    }
}

#[test]
fn every_column_change_needs_a_rebuild_naming_what_changes() {
    let t = weird(usual());
    let from = null("with space", ColumnType::Integer);
    let to = col("with space", ColumnType::BigInt);
    let alter = |changes: ColumnChanges| Change::AlterColumn {
        table: name(),
        from: from.clone(),
        to: to.clone(),
        changes,
    };
    let cases = [
        (
            ColumnChanges {
                ty: true,
                ..ColumnChanges::default()
            },
            "SQLite cannot change a column's type with ALTER TABLE",
        ),
        (
            ColumnChanges {
                nullable: true,
                default: true,
                ..ColumnChanges::default()
            },
            "SQLite cannot change a column's nullability or default with ALTER TABLE",
        ),
        (
            ColumnChanges {
                ty: true,
                nullable: true,
                default: true,
                auto_increment: true,
                comment: true,
                collation: true,
                generated: true,
            },
            "SQLite cannot change a column's type, nullability, default, auto-increment, collation or generated expression with ALTER TABLE",
        ),
    ];
    for (changes, why) in cases {
        assert_eq!(rebuild_reason(&alter(changes), &t, &t), why);
    }
    // SQLite stores no comments, so the differ never asks; if asked, it is an error, not
    // a rebuild (a rebuild could not store one either).
    let context = ChangeContext {
        desired: Some(&t),
        actual: Some(&t),
    };
    let comment_only = alter(ColumnChanges {
        comment: true,
        ..ColumnChanges::default()
    });
    let comment_error = format!(
        "table `main.{T}`: SQLite cannot store comments, so a comment change cannot be made (dbconform never plans one on SQLite)"
    );
    let message = SQLITE
        .change_sql(&comment_only, &context)
        .unwrap_err()
        .to_string();
    assert_eq!(message, comment_error);
    let message = SQLITE
        .change_sql(
            &Change::SetTableComment {
                table: name(),
                from: None,
                to: Some("x".into()),
            },
            &context,
        )
        .unwrap_err()
        .to_string();
    assert_eq!(message, comment_error);
}

#[test]
fn creates_go_through_their_own_methods() {
    let t = weird(usual());
    let context = ChangeContext {
        desired: Some(&t),
        actual: None,
    };
    assert_eq!(
        SQLITE
            .change_sql(&Change::CreateTable { table: t.clone() }, &context)
            .unwrap(),
        ChangeSql::Statements(SQLITE.create_table_sql(&t, &[]).unwrap())
    );
    assert!(
        SQLITE
            .change_sql(
                &Change::CreateSchema {
                    schema: "billing".into()
                },
                &context
            )
            .is_err()
    );
}
