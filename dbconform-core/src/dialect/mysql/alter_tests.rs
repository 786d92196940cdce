//! Exact SQL for every change kind on MySQL, with hostile names (keywords, backticks,
//! quotes, spaces, non-ASCII).

use super::super::DATABASE_SCHEMA;
use super::super::tests_support::{products, resolved};
use crate::dialect::{ChangeContext, ChangeSql, Dialect, MYSQL};
use crate::model::{
    Check, Column, ColumnType, FkAction, ForeignKey, GeneratedColumn, Index, IndexColumn,
    PrimaryKey, QualifiedName, SortOrder, TableDef, UniqueConstraint,
};
use crate::plan::{Change, ColumnChanges};

/// `` `My ``Table``` ``: the hostile table every test alters.
fn name() -> QualifiedName {
    QualifiedName::with_schema(DATABASE_SCHEMA, "My `Table`")
}

const T: &str = "`My ``Table```";

fn sql_in(change: &Change, context: &ChangeContext<'_>) -> Vec<String> {
    match MYSQL.change_sql(change, context) {
        Ok(ChangeSql::Statements(statements)) => statements,
        Ok(ChangeSql::NeedsRebuild(why)) => panic!("MySQL never rebuilds: {why}"),
        Err(e) => panic!("{e}"),
    }
}

const NO_CONTEXT: ChangeContext<'static> = ChangeContext {
    desired: None,
    actual: None,
};

fn sql(change: &Change) -> Vec<String> {
    sql_in(change, &NO_CONTEXT)
}

fn column(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

fn index(name: &str, keys: Vec<IndexColumn>, unique: bool) -> Index {
    Index {
        name: name.into(),
        columns: keys,
        unique,
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
        invalid: false,
    }
}

fn fk(name: &str) -> ForeignKey {
    ForeignKey {
        deferrable: Default::default(),
        name: name.into(),
        columns: vec!["pärent id".into()],
        references: QualifiedName::with_schema(DATABASE_SCHEMA, "us`ers"),
        referenced_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
        not_valid: false,
    }
}

#[test]
fn create_and_drop_table() {
    let table = resolved(products());
    let created = sql(&Change::CreateTable {
        table: table.clone(),
    });
    assert_eq!(created.len(), 1);
    assert!(
        created[0].starts_with("CREATE TABLE `products` (\n  `id` BIGINT NOT NULL AUTO_INCREMENT,")
    );
    let mut hostile = table;
    hostile.name = "us`er".into();
    assert_eq!(
        sql(&Change::DropTable { table: hostile }),
        ["DROP TABLE `us``er`"]
    );
    assert_eq!(
        sql(&Change::CreateSchema { schema: "x".into() }),
        Vec::<String>::new()
    );
}

#[test]
fn add_column_writes_the_whole_definition() {
    let mut c = column("Sélect `it`", ColumnType::Varchar(20));
    c.default = Some(r"'a;b\c'".into());
    c.comment = Some("it's".into());
    assert_eq!(
        sql(&Change::AddColumn {
            table: name(),
            column: c
        }),
        [format!(
            r"ALTER TABLE {T} ADD COLUMN `Sélect ``it``` VARCHAR(20) NOT NULL DEFAULT 'a;b\\c' COMMENT 'it''s'"
        )]
    );
    let added = |c: Column| {
        sql(&Change::AddColumn {
            table: name(),
            column: c,
        })
    };
    assert_eq!(
        added(Column {
            auto_increment: true,
            ..column("order", ColumnType::BigInt)
        }),
        [format!(
            "ALTER TABLE {T} ADD COLUMN `order` BIGINT NOT NULL AUTO_INCREMENT"
        )]
    );
    assert_eq!(
        added(Column {
            default: Some("now()".into()),
            ..column("at", ColumnType::TimestampTz)
        }),
        [format!(
            "ALTER TABLE {T} ADD COLUMN `at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
        )]
    );
    assert_eq!(
        added(Column {
            default: Some("'{}'".into()),
            ..column("doc", ColumnType::Json)
        }),
        [format!(
            "ALTER TABLE {T} ADD COLUMN `doc` JSON NOT NULL DEFAULT ('{{}}')"
        )]
    );
    assert_eq!(
        added(Column {
            nullable: true,
            collation: Some("utf8mb4_bin".into()),
            ..column("Name", ColumnType::Varchar(5))
        }),
        [format!(
            "ALTER TABLE {T} ADD COLUMN `Name` VARCHAR(5) COLLATE `utf8mb4_bin`"
        )]
    );
    assert_eq!(
        added(Column {
            default: Some("0".into()),
            generated: Some(GeneratedColumn {
                expr: r#" "order" * 2 "#.into(),
                stored: true,
            }),
            ..column("twice", ColumnType::BigInt)
        }),
        [format!(
            "ALTER TABLE {T} ADD COLUMN `twice` BIGINT GENERATED ALWAYS AS (`order` * 2) STORED NOT NULL"
        )]
    );
}

#[test]
fn modify_column_restates_the_declared_column() {
    // Only the type changes, but MODIFY COLUMN replaces the whole definition: the
    // declared default, comment and NOT NULL are written again.
    let mut declared = column("qty", ColumnType::BigInt);
    declared.default = Some("1".into());
    declared.comment = Some("how many".into());
    let desired = TableDef {
        schema: Some(DATABASE_SCHEMA.into()),
        name: name().name,
        columns: vec![declared],
        ..TableDef::default()
    };
    let from = Column {
        default: Some("1".into()),
        comment: Some("how many".into()),
        ..column("qty", ColumnType::Integer)
    };
    // The change carries normal forms; the context the declaration.
    let to = Column {
        ty: ColumnType::BigInt,
        comment: None,
        ..from.clone()
    };
    let change = Change::AlterColumn {
        table: name(),
        from,
        to,
        changes: ColumnChanges {
            ty: true,
            ..ColumnChanges::default()
        },
    };
    assert_eq!(
        sql_in(
            &change,
            &ChangeContext {
                desired: Some(&desired),
                actual: None
            }
        ),
        [format!(
            "ALTER TABLE {T} MODIFY COLUMN `qty` BIGINT NOT NULL DEFAULT 1 COMMENT 'how many'"
        )]
    );
    // Without the declaration, the change's own column (normal form) is written whole.
    let Change::AlterColumn { to, .. } = &change else {
        unreachable!()
    };
    let mut normal = to.clone();
    normal.default = Some("current_timestamp(6)".into());
    normal.ty = ColumnType::Timestamp;
    normal.nullable = true;
    assert_eq!(
        sql(&Change::AlterColumn {
            table: name(),
            from: to.clone(),
            to: normal,
            changes: ColumnChanges::default(),
        }),
        [format!(
            "ALTER TABLE {T} MODIFY COLUMN `qty` DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)"
        )]
    );
}

#[test]
fn drop_and_rename_columns_and_tables() {
    assert_eq!(
        sql(&Change::DropColumn {
            table: name(),
            column: column("we`ird", ColumnType::Text),
        }),
        [format!("ALTER TABLE {T} DROP COLUMN `we``ird`")]
    );
    assert_eq!(
        sql(&Change::RenameColumn {
            table: name(),
            from: "old `a`".into(),
            to: "nëw 'b'".into(),
        }),
        [format!(
            "ALTER TABLE {T} RENAME COLUMN `old ``a``` TO `nëw 'b'`"
        )]
    );
    assert_eq!(
        sql(&Change::RenameTable {
            from: QualifiedName::with_schema(DATABASE_SCHEMA, "old`t"),
            to: name(),
        }),
        [format!("RENAME TABLE `old``t` TO {T}")]
    );
}

#[test]
fn primary_keys() {
    let key = |columns: &[&str]| PrimaryKey {
        name: Some("ignored".into()),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    };
    assert_eq!(
        sql(&Change::AddPrimaryKey {
            table: name(),
            key: key(&["id", "gr`oup"]),
        }),
        [format!("ALTER TABLE {T} ADD PRIMARY KEY (`id`, `gr``oup`)")]
    );
    assert_eq!(
        sql(&Change::DropPrimaryKey {
            table: name(),
            key: key(&["id"]),
        }),
        [format!("ALTER TABLE {T} DROP PRIMARY KEY")]
    );
    assert_eq!(
        sql(&Change::AlterPrimaryKey {
            table: name(),
            from: key(&["id"]),
            to: key(&["id", "v"]),
        }),
        [format!(
            "ALTER TABLE {T} DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `v`)"
        )]
    );
}

#[test]
fn unique_constraints() {
    let unique = |n: &str, columns: &[&str]| UniqueConstraint {
        nulls_not_distinct: false,
        name: n.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    };
    assert_eq!(
        sql(&Change::AddUnique {
            table: name(),
            unique: unique("uq `ünï`", &["a", "b c"]),
        }),
        [format!(
            "ALTER TABLE {T} ADD CONSTRAINT `uq ``ünï``` UNIQUE (`a`, `b c`), ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
    assert_eq!(
        sql(&Change::DropUnique {
            table: name(),
            unique: unique("uq `ünï`", &["a"]),
        }),
        [format!(
            "ALTER TABLE {T} DROP INDEX `uq ``ünï```, ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
    assert_eq!(
        sql(&Change::AlterUnique {
            table: name(),
            from: unique("uq_old", &["a"]),
            to: unique("uq_new", &["a", "b"]),
        }),
        [format!(
            "ALTER TABLE {T} DROP INDEX `uq_old`, ADD CONSTRAINT `uq_new` UNIQUE (`a`, `b`), ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
}

#[test]
fn foreign_keys_take_innodb_index_with_them() {
    assert_eq!(
        sql(&Change::AddForeignKey {
            table: name(),
            foreign_key: fk("fk `p`"),
        }),
        [format!(
            "ALTER TABLE {T} ADD CONSTRAINT `fk ``p``` FOREIGN KEY (`pärent id`) REFERENCES `us``ers` (`id`) ON DELETE CASCADE"
        )]
    );
    // Without a reflected index named like the key, only the key is dropped.
    assert_eq!(
        sql(&Change::DropForeignKey {
            table: name(),
            foreign_key: fk("fk `p`"),
        }),
        [format!("ALTER TABLE {T} DROP FOREIGN KEY `fk ``p```")]
    );
    // With InnoDB's index for it, the index goes too.
    let actual = TableDef {
        schema: Some(DATABASE_SCHEMA.into()),
        name: name().name,
        columns: vec![column("pärent id", ColumnType::BigInt)],
        foreign_keys: vec![fk("fk `p`")],
        indexes: vec![index("FK `p`", vec![IndexColumn::asc("pärent id")], false)],
        ..TableDef::default()
    };
    let context = ChangeContext {
        desired: None,
        actual: Some(&actual),
    };
    assert_eq!(
        sql_in(
            &Change::DropForeignKey {
                table: name(),
                foreign_key: fk("fk `p`"),
            },
            &context
        ),
        [
            format!("ALTER TABLE {T} DROP FOREIGN KEY `fk ``p```"),
            format!("ALTER TABLE {T} DROP INDEX `fk ``p```"),
        ]
    );
    let mut to = fk("fk `p`");
    to.on_delete = FkAction::SetNull;
    assert_eq!(
        sql_in(
            &Change::AlterForeignKey {
                table: name(),
                from: fk("fk `p`"),
                to,
            },
            &context
        ),
        [
            format!("ALTER TABLE {T} DROP FOREIGN KEY `fk ``p```"),
            format!("ALTER TABLE {T} DROP INDEX `fk ``p```"),
            format!(
                "ALTER TABLE {T} ADD CONSTRAINT `fk ``p``` FOREIGN KEY (`pärent id`) REFERENCES `us``ers` (`id`) ON DELETE SET NULL"
            ),
        ]
    );
}

#[test]
fn checks_are_dropped_with_drop_constraint() {
    let check = |expr: &str| Check {
        name: "ck \"o\" `x`".into(),
        expr: expr.into(),
        not_valid: false,
    };
    assert_eq!(
        sql(&Change::AddCheck {
            table: name(),
            check: check(r#""order" > 0 AND name <> 'a\b' AND name <> 'it''s'"#),
        }),
        [format!(
            r#"ALTER TABLE {T} ADD CONSTRAINT `ck "o" ``x``` CHECK (`order` > 0 AND name <> 'a\\b' AND name <> 'it''s')"#
        )]
    );
    assert_eq!(
        sql(&Change::DropCheck {
            table: name(),
            check: check("a > 0"),
        }),
        [format!("ALTER TABLE {T} DROP CONSTRAINT `ck \"o\" ``x```")]
    );
    // The declared text is written, not the normal form the change carries.
    let desired = TableDef {
        schema: Some(DATABASE_SCHEMA.into()),
        name: name().name,
        columns: vec![column("a", ColumnType::Integer)],
        checks: vec![check("A >= 1")],
        ..TableDef::default()
    };
    assert_eq!(
        sql_in(
            &Change::AlterCheck {
                table: name(),
                from: check("`a` > 0"),
                to: check("`a` >= 1"),
            },
            &ChangeContext {
                desired: Some(&desired),
                actual: None
            }
        ),
        [
            format!("ALTER TABLE {T} DROP CONSTRAINT `ck \"o\" ``x```"),
            format!("ALTER TABLE {T} ADD CONSTRAINT `ck \"o\" ``x``` CHECK (A >= 1)"),
        ]
    );
}

#[test]
fn indexes() {
    let keys = vec![
        IndexColumn::asc("grøup"),
        IndexColumn {
            order: SortOrder::Desc,
            ..IndexColumn::asc("b`c")
        },
    ];
    assert_eq!(
        sql(&Change::AddIndex {
            table: name(),
            index: index("ix `g`", keys.clone(), false),
        }),
        [format!(
            "ALTER TABLE {T} ADD INDEX `ix ``g``` (`grøup`, `b``c` DESC), ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
    assert_eq!(
        sql(&Change::DropIndex {
            table: name(),
            index: index("ix `g`", keys.clone(), false),
        }),
        [format!(
            "ALTER TABLE {T} DROP INDEX `ix ``g```, ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
    assert_eq!(
        sql(&Change::AlterIndex {
            table: name(),
            from: index("ix", keys.clone(), false),
            to: index("ix", keys, true),
        }),
        [format!(
            "ALTER TABLE {T} DROP INDEX `ix`, ADD UNIQUE INDEX `ix` (`grøup`, `b``c` DESC), ALGORITHM=INPLACE, LOCK=NONE"
        )]
    );
}

#[test]
fn table_comments() {
    assert_eq!(
        sql(&Change::SetTableComment {
            table: name(),
            from: None,
            to: Some(r"it's a\b".into()),
        }),
        [format!(r"ALTER TABLE {T} COMMENT = 'it''s a\\b'")]
    );
    assert_eq!(
        sql(&Change::SetTableComment {
            table: name(),
            from: Some("x".into()),
            to: None,
        }),
        [format!("ALTER TABLE {T} COMMENT = ''")]
    );
}

#[test]
fn rebuilds_are_refused_with_a_reason() {
    let table = resolved(products());
    let change = Change::RebuildTable {
        table: table.qualified_name(),
    };
    assert_eq!(
        MYSQL
            .change_sql(&change, &NO_CONTEXT)
            .unwrap_err()
            .to_string(),
        "table `database.products`: table rebuilds are a SQLite procedure; MySQL alters tables in place (dbconform never plans one here)"
    );
}
