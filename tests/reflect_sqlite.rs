//! SQLite reflection: hand-written DDL → the exact reflected `TableDef`s, one query
//! whatever the number of tables, and objects dbconform does not manage (views,
//! triggers, `sqlite_*` tables, virtual tables and their shadow tables) ignored without
//! error.

mod common;

use common::build::{
    check, custom, index, index_key, nullable as column, primary_key, strings, unique,
};
use common::{sqlite_file, sqlite_with};
use dbconform::sqlx;
use dbconform::{
    Column, ColumnType, DbConform, FkAction, ForeignKey, GeneratedColumn, Index, IndexColumn,
    QualifiedName, Schema, SortOrder, TableDef, TableOptions,
};

async fn snapshot(ddl: &str) -> Schema {
    let (_dir, db) = sqlite_with(ddl).await;
    db.snapshot().await.unwrap()
}

fn table(schema: &Schema, name: &str) -> TableDef {
    match schema.tables.iter().find(|t| t.name == name) {
        Some(t) => t.clone(),
        None => panic!("no table {name} in {schema:#?}"),
    }
}

fn names(schema: &Schema) -> Vec<&str> {
    schema.tables.iter().map(|t| t.name.as_str()).collect()
}

/// The names of `table`'s columns, in order.
fn column_names(table: &TableDef) -> Vec<&str> {
    table.columns.iter().map(|c| c.name.as_str()).collect()
}

fn table_options(strict: bool, without_rowid: bool) -> TableOptions {
    TableOptions {
        strict,
        without_rowid,
    }
}

fn not_null(name: &str, ty: ColumnType) -> Column {
    Column::new(name, ty)
}

fn base(name: &str, columns: Vec<Column>) -> TableDef {
    TableDef {
        schema: Some("main".into()),
        name: name.into(),
        columns,
        ..TableDef::default()
    }
}

#[tokio::test]
async fn columns_types_defaults_collations_and_generated_columns() {
    let schema = snapshot(common::SQLITE_THINGS_DDL).await;
    assert_eq!(schema.schemas, ["main"]);
    let with_default = |c: Column, d: &str| Column {
        default: Some(d.into()),
        ..c
    };
    let with_collation = |c: Column, x: &str| Column {
        collation: Some(x.into()),
        ..c
    };
    let generated = |c: Column, expr: &str, stored: bool| Column {
        generated: Some(GeneratedColumn {
            expr: expr.into(),
            stored,
        }),
        ..c
    };
    let expected = TableDef {
        primary_key: primary_key(None, &["id"]),
        ..base(
            "things",
            vec![
                // Reflected as the database reports it: NOT NULL of the rowid alias is
                // implied, which normalization (not reflection) adds.
                column("id", ColumnType::Integer),
                not_null("small", ColumnType::SmallInt),
                // SQLite (3.37+) reports the six STRICT type names in upper case
                // whatever their spelling: `int` comes back as `INT`.
                column("n", custom("INT")),
                with_default(column("big", ColumnType::BigInt), "-1"),
                with_default(column("r", ColumnType::Real), "0.5"),
                column("d", ColumnType::Double),
                with_default(not_null("flag", ColumnType::Boolean), "true"),
                with_default(column("t", ColumnType::Text), "'a;b'"),
                with_default(column("quote", ColumnType::Text), "'it''s'"),
                with_collation(column("v", ColumnType::Varchar(20)), "NOCASE"),
                with_default(column("b", ColumnType::Blob), "X'00ff'"),
                with_default(
                    column(
                        "price",
                        ColumnType::Decimal {
                            precision: Some(10),
                            scale: Some(2),
                        },
                    ),
                    "0",
                ),
                column(
                    "whole",
                    ColumnType::Decimal {
                        precision: Some(12),
                        scale: None,
                    },
                ),
                column(
                    "any_number",
                    ColumnType::Decimal {
                        precision: None,
                        scale: None,
                    },
                ),
                with_default(column("day", ColumnType::Date), "CURRENT_DATE"),
                column("at", ColumnType::Time),
                with_default(column("seen", ColumnType::Timestamp), "current_timestamp"),
                column("zoned", ColumnType::TimestampTz),
                // A quoted type name comes back unquoted.
                with_collation(column("odd", custom("my type")), "rtrim"),
                column("untyped", custom("")),
                with_default(column("calc", custom("")), "1 + 1"),
                with_default(column("lowered", ColumnType::Text), "lower('X')"),
                generated(column("twice", ColumnType::Integer), "n * 2", true),
                generated(column("thrice", custom("")), "n * 3", false),
            ],
        )
    };
    assert_eq!(table(&schema, "things"), expected);
}

#[tokio::test]
async fn primary_keys_autoincrement_and_table_options() {
    let schema = snapshot(common::SQLITE_KEYS_DDL).await;
    assert_eq!(names(&schema), ["a", "b", "c", "d", "e", "f", "g", "h"]);
    let id = |ty: ColumnType, nullable: bool, auto_increment: bool| Column {
        nullable,
        auto_increment,
        ..Column::new("id", ty)
    };
    // a, b and c: the key `id`, spelled three ways, and a column `v`.
    for (name, key) in [
        ("a", id(ColumnType::Integer, true, true)),
        ("b", id(ColumnType::Integer, true, false)),
        ("c", id(custom("INT"), true, false)),
    ] {
        let expected = TableDef {
            primary_key: primary_key(None, &["id"]),
            ..base(name, vec![key, column("v", ColumnType::Text)])
        };
        assert_eq!(table(&schema, name), expected, "table {name}");
    }
    assert_eq!(
        table(&schema, "d"),
        TableDef {
            primary_key: primary_key(Some("pk_d"), &["id"]),
            ..base("d", vec![id(ColumnType::Integer, false, true)])
        }
    );
    assert_eq!(
        table(&schema, "e"),
        TableDef {
            primary_key: primary_key(Some("pk e"), &["y", "x"]),
            options: table_options(false, true),
            // WITHOUT ROWID makes every key column NOT NULL, and SQLite reports it.
            ..base(
                "e",
                vec![
                    not_null("x", ColumnType::Text),
                    not_null("y", ColumnType::Text)
                ]
            )
        }
    );
    assert_eq!(
        table(&schema, "f"),
        TableDef {
            primary_key: primary_key(None, &["id"]),
            options: table_options(true, false),
            ..base(
                "f",
                vec![
                    id(ColumnType::Integer, true, false),
                    not_null("n", custom("INT")),
                    column("s", ColumnType::Text),
                ]
            )
        }
    );
    assert_eq!(
        table(&schema, "g"),
        TableDef {
            options: table_options(true, true),
            primary_key: primary_key(None, &["k"]),
            ..base(
                "g",
                vec![not_null("k", ColumnType::Text), column("v", custom("ANY"))]
            )
        }
    );
    assert_eq!(
        table(&schema, "h"),
        base("h", vec![column("v", ColumnType::Text)])
    );
}

#[tokio::test]
async fn constraints_named_and_unnamed_with_autoindexes_mapped() {
    let schema = snapshot(
        r#"CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, a INT, b INT, UNIQUE (a, b));
           CREATE TABLE "Child" (
               id INTEGER PRIMARY KEY,
               parent_id INTEGER REFERENCES parent ON DELETE CASCADE,
               p_code TEXT CONSTRAINT fk_code REFERENCES PARENT (CODE) ON UPDATE SET NULL MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,
               a INT, b INT,
               email TEXT CONSTRAINT uq_email UNIQUE CHECK (email LIKE '%@%'),
               slug TEXT UNIQUE,
               n INT CONSTRAINT ck_n CHECK ( n > 0 ),
               CONSTRAINT uq_ab UNIQUE (b, a),
               CHECK (a <> b),
               FOREIGN KEY (a, b) REFERENCES parent (a, b) ON DELETE RESTRICT ON UPDATE SET DEFAULT,
               CONSTRAINT fk_missing FOREIGN KEY (n) REFERENCES nowhere (id)
           );"#,
    )
    .await;
    assert_eq!(
        table(&schema, "parent").uniques,
        [unique("", &["a", "b"]), unique("", &["code"])]
    );
    let child = table(&schema, "Child");
    assert_eq!(
        child.uniques,
        [
            unique("", &["slug"]),
            unique("uq_ab", &["b", "a"]),
            unique("uq_email", &["email"]),
        ]
    );
    assert_eq!(
        child.checks,
        [
            check("", "a <> b"),
            check("", "email LIKE '%@%'"),
            check("ck_n", "n > 0"),
        ]
    );
    let fk = |name: &str,
              columns: &[&str],
              parent: &str,
              referenced: &[&str],
              on_delete: FkAction,
              on_update: FkAction| ForeignKey {
        deferrable: Default::default(),
        name: name.into(),
        columns: strings(columns),
        references: QualifiedName::with_schema("main", parent),
        referenced_columns: strings(referenced),
        on_delete,
        on_update,
        not_valid: false,
    };
    assert_eq!(
        child.foreign_keys,
        [
            fk(
                "",
                &["a", "b"],
                "parent",
                &["a", "b"],
                FkAction::Restrict,
                FkAction::SetDefault
            ),
            // Omitted referenced columns are the parent's primary key.
            fk(
                "",
                &["parent_id"],
                "parent",
                &["id"],
                FkAction::Cascade,
                FkAction::NoAction
            ),
            // The parent's own spelling of its name and columns; the deferral clause
            // read from the table's text.
            ForeignKey {
                deferrable: dbconform::Deferrability::InitiallyDeferred,
                ..fk(
                    "fk_code",
                    &["p_code"],
                    "parent",
                    &["code"],
                    FkAction::NoAction,
                    FkAction::SetNull,
                )
            },
            // A parent that does not exist is reported as written.
            fk(
                "fk_missing",
                &["n"],
                "nowhere",
                &["id"],
                FkAction::NoAction,
                FkAction::NoAction
            ),
        ]
    );
    // Autoindexes are the UNIQUE constraints above, never indexes.
    assert!(child.indexes.is_empty() && table(&schema, "parent").indexes.is_empty());
}

#[tokio::test]
async fn indexes_partial_descending_expression_and_unique() {
    let schema = snapshot(
        r#"CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, a INT, b INT, k TEXT UNIQUE);
           CREATE INDEX ix_ab ON t (a, b DESC);
           CREATE UNIQUE INDEX "ux email" ON t (email COLLATE NOCASE) WHERE email IS NOT NULL AND email <> 'x;y';
           CREATE INDEX ix_expr ON t (lower(email), a + b DESC, [b]);
           CREATE UNIQUE INDEX ux_a ON t (a);
           CREATE TABLE w (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID;
           CREATE INDEX ix_w ON w (v);"#,
    )
    .await;
    let t = table(&schema, "t");
    let col = index_key;
    assert_eq!(
        t.indexes,
        [
            index(
                "ix_ab",
                vec![
                    col("a", SortOrder::Asc, false),
                    col("b", SortOrder::Desc, false)
                ]
            ),
            index(
                "ix_expr",
                vec![
                    col("lower(email)", SortOrder::Asc, true),
                    col("a + b", SortOrder::Desc, true),
                    col("b", SortOrder::Asc, false),
                ]
            ),
            Index {
                unique: true,
                predicate: Some("email IS NOT NULL AND email <> 'x;y'".into()),
                ..index("ux email", vec![col("email", SortOrder::Asc, false)])
            },
            // Reflected as the index it is; normalization treats it as a UNIQUE.
            Index {
                unique: true,
                ..index("ux_a", vec![col("a", SortOrder::Asc, false)])
            },
        ]
    );
    assert_eq!(t.uniques, [unique("", &["k"])]);
    // The WITHOUT ROWID key's own index is the key, not an index; key columns appended
    // to ix_w's entries (xinfo key = 0) are not index columns.
    let w = table(&schema, "w");
    assert_eq!(w.primary_key, primary_key(None, &["k"]));
    assert_eq!(w.indexes, [index("ix_w", vec![IndexColumn::asc("v")])]);
    assert!(w.uniques.is_empty());
}

#[tokio::test]
async fn hostile_names() {
    let schema = snapshot(&format!(
        r#"CREATE TABLE "user" (
               {}
           );
           CREATE INDEX "ix ""x""" ON "user" ("with space" DESC, ünïcødé);"#,
        common::SQLITE_HOSTILE_COLUMNS
    ))
    .await;
    let t = table(&schema, "user");
    assert_eq!(
        column_names(&t),
        [
            "order",
            "group",
            "na\"me",
            "with space",
            "ünïcødé",
            "select"
        ]
    );
    assert_eq!(t.primary_key, primary_key(None, &["order"]));
    assert_eq!(t.uniques, [unique("uq \"g\"", &["group"])]);
    assert_eq!(t.checks, [check("ck ü", "\"with space\" <> ''")]);
    assert_eq!(t.columns[4].collation.as_deref(), Some("NOCASE"));
    assert_eq!(t.columns[5].default.as_deref(), Some("'a '' b'"));
    assert_eq!(t.indexes.len(), 1);
    assert_eq!(t.indexes[0].name, "ix \"x\"");
    assert_eq!(
        t.indexes[0].columns,
        [
            IndexColumn {
                opclass: None,
                nulls: None,
                name: "with space".into(),
                order: SortOrder::Desc,
                expression: false
            },
            IndexColumn::asc("ünïcødé"),
        ]
    );
}

#[tokio::test]
async fn objects_dbconform_does_not_manage_are_ignored() {
    let schema = snapshot(
        r#"CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);
           INSERT INTO t (body) VALUES ('x');
           CREATE INDEX ix_t_body ON t (body);
           ANALYZE;
           CREATE VIEW v AS SELECT * FROM t;
           CREATE TABLE gone (x);
           CREATE VIEW broken AS SELECT x FROM gone;
           DROP TABLE gone;
           CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END;
           CREATE VIRTUAL TABLE docs USING fts5(body);
           CREATE TEMP TABLE scratch (x);"#,
    )
    .await;
    assert_eq!(names(&schema), ["t"]);
}

#[tokio::test]
async fn a_virtual_table_whose_module_is_missing_is_ignored() {
    let (dir, url) = sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE t (id INTEGER PRIMARY KEY);
         PRAGMA writable_schema = ON;
         INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql)
             VALUES ('table', 'vx', 'vx', 0, 'CREATE VIRTUAL TABLE vx USING no_such_module(a, b)');
         PRAGMA writable_schema = OFF;",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let db = DbConform::connect(&url).await.unwrap();
    let schema = db.snapshot().await.unwrap();
    assert_eq!(names(&schema), ["t"]);
    drop(dir);
}

#[tokio::test]
async fn one_query_whatever_the_number_of_tables() {
    async fn cost(tables: usize) -> (u64, usize) {
        let mut ddl = String::new();
        for i in 0..tables {
            ddl.push_str(&format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES t0, \
                 name TEXT UNIQUE, n INT CHECK (n > 0));
                 CREATE INDEX ix_t{i}_n ON t{i} (n) WHERE n > 1;"
            ));
        }
        let (_dir, db) = sqlite_with(&ddl).await;
        let before = db.statements_sent();
        let schema = db.snapshot().await.unwrap();
        (db.statements_sent() - before, schema.tables.len())
    }
    let (small, small_tables) = cost(10).await;
    let (large, large_tables) = cost(300).await;
    assert_eq!((small_tables, large_tables), (10, 300));
    assert_eq!(small, 1);
    assert_eq!(large, small);
}

#[tokio::test]
async fn an_empty_database_has_no_tables() {
    let schema = snapshot("").await;
    assert!(schema.tables.is_empty());
    assert_eq!(schema.schemas, ["main"]);
}

#[tokio::test]
async fn text_that_sqlite_rewrote_after_alter_and_create_as_select() {
    let schema = snapshot(
        r#"CREATE TABLE p (id INTEGER PRIMARY KEY);
           CREATE TABLE a (id INTEGER PRIMARY KEY, n INT CHECK (n > 0));
           ALTER TABLE a ADD COLUMN note TEXT COLLATE NOCASE DEFAULT 'x' CONSTRAINT ck_note CHECK (note <> '');
           ALTER TABLE a ADD COLUMN p_id INTEGER REFERENCES p (id) ON DELETE SET NULL;
           ALTER TABLE a RENAME COLUMN n TO "Count";
           ALTER TABLE a RENAME TO "renamed a";
           CREATE TABLE c AS SELECT id, "Count" * 1.5 AS r, note FROM "renamed a";"#,
    )
    .await;
    assert_eq!(names(&schema), ["c", "p", "renamed a"]);
    let a = table(&schema, "renamed a");
    assert_eq!(column_names(&a), ["id", "Count", "note", "p_id"]);
    assert_eq!(
        a.checks,
        [check("", "\"Count\" > 0"), check("ck_note", "note <> ''")]
    );
    assert_eq!(a.columns[2].collation.as_deref(), Some("NOCASE"));
    assert_eq!(a.columns[2].default.as_deref(), Some("'x'"));
    assert_eq!(
        a.foreign_keys,
        [ForeignKey {
            deferrable: Default::default(),
            name: String::new(),
            columns: strings(&["p_id"]),
            references: QualifiedName::with_schema("main", "p"),
            referenced_columns: strings(&["id"]),
            on_delete: FkAction::SetNull,
            on_update: FkAction::NoAction,
            not_valid: false,
        }]
    );
    // CREATE TABLE ... AS SELECT is stored with the columns' affinities as types.
    assert_eq!(
        table(&schema, "c"),
        base(
            "c",
            vec![
                column("id", custom("INT")),
                column("r", custom("")),
                column("note", ColumnType::Text),
            ]
        )
    );
}

#[tokio::test]
async fn foreign_keys_alike_but_for_actions_or_referenced_columns_keep_their_names() {
    // SQLite numbers foreign keys from the last declared: matching names on columns and
    // target alone swapped these.
    let schema = snapshot(&format!(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
           CREATE TABLE child ({});",
        common::SQLITE_ALIKE_FOREIGN_KEYS
    ))
    .await;
    let fk = |name: &str,
              columns: &[&str],
              referenced: &[&str],
              on_delete: FkAction,
              on_update: FkAction| ForeignKey {
        deferrable: Default::default(),
        name: name.into(),
        columns: strings(columns),
        references: QualifiedName::with_schema("main", "parent"),
        referenced_columns: strings(referenced),
        on_delete,
        on_update,
        not_valid: false,
    };
    let mut found = table(&schema, "child").foreign_keys;
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        found,
        [
            fk(
                "fk_by_code",
                &["q"],
                &["code"],
                FkAction::NoAction,
                FkAction::NoAction
            ),
            fk(
                "fk_by_id",
                &["q"],
                &["id"],
                FkAction::NoAction,
                FkAction::NoAction
            ),
            fk(
                "fk_cascade",
                &["p"],
                &["id"],
                FkAction::Cascade,
                FkAction::NoAction
            ),
            fk(
                "fk_set_null",
                &["p"],
                &["id"],
                FkAction::SetNull,
                FkAction::Restrict
            ),
        ]
    );
}
