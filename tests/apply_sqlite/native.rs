//! Changes SQLite makes natively: each plans exactly the expected SQL, applies, leaves the
//! catalog and the rows as asserted, and `compare` is then empty.

use super::*;
use common::build::index;

#[tokio::test]
async fn add_nullable_column_keeps_rows() {
    let db = Db::drifted(&tables(), |s| without_line(&s, "\"nickname\" TEXT,")).await;
    let before = db.rows().await;
    db.apply_native(
        &tables(),
        Options::default(),
        r#"
        add column main.accounts.nickname
            ALTER TABLE "accounts" ADD COLUMN "nickname" TEXT
        "#,
    )
    .await;
    assert_eq!(
        db.columns("accounts").await.last().map(String::as_str),
        Some("nickname TEXT notnull=0 default=- hidden=0")
    );
    let after = db.rows().await;
    assert_eq!(after.len(), before.len());
    for (b, a) in before.iter().zip(&after) {
        if b.starts_with("accounts: ") {
            assert_eq!(a, &format!("{b}|NULL"));
        } else {
            assert_eq!(a, b);
        }
    }
}

#[tokio::test]
async fn add_not_null_columns_with_constant_defaults_fill_existing_rows() {
    let all = vec![Reading::table_def()];
    let db = Db::drifted(&all, |s| {
        let s = without_line(&s, "\"value\" BIGINT NOT NULL DEFAULT 0,");
        without_line(&s, "\"unit\" TEXT NOT NULL DEFAULT 'n/a',")
    })
    .await;
    let readings = async || {
        let columns = db.column_names("readings").await;
        db.rows_of("readings", &columns).await
    };
    assert_eq!(
        readings().await,
        strings(&["readings: 1|'a'", "readings: 2|'b'"])
    );
    db.apply_native(
        &all,
        Options::default(),
        r#"
        add column main.readings.unit
            ALTER TABLE "readings" ADD COLUMN "unit" TEXT NOT NULL DEFAULT 'n/a'
        add column main.readings.value
            ALTER TABLE "readings" ADD COLUMN "value" BIGINT NOT NULL DEFAULT 0
        "#,
    )
    .await;
    assert_eq!(
        db.columns("readings").await,
        strings(&[
            "id INTEGER notnull=1 default=- hidden=0",
            "note TEXT notnull=0 default=- hidden=0",
            "unit TEXT notnull=1 default='n/a' hidden=0",
            "value BIGINT notnull=1 default=0 hidden=0",
        ])
    );
    assert_eq!(
        readings().await,
        strings(&["readings: 1|'a'|'n/a'|0", "readings: 2|'b'|'n/a'|0"])
    );
}

/// A table `spellings` with an `id` key and `columns`.
fn spellings(columns: Vec<Column>) -> TableDef {
    let mut id = Column::new("id", ColumnType::BigInt);
    id.auto_increment = true;
    let mut all = vec![id];
    all.extend(columns);
    TableDef {
        name: "spellings".into(),
        columns: all,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        ..TableDef::default()
    }
}

#[tokio::test]
async fn every_constant_default_spelling_is_added_natively_to_a_table_with_rows() {
    let defaults = [
        (ColumnType::BigInt, "0"),
        (ColumnType::BigInt, "-1"),
        (ColumnType::Double, "+2.5"),
        (ColumnType::Double, "1e3"),
        (ColumnType::BigInt, "0x1F"),
        (ColumnType::Text, "'it''s'"),
        (ColumnType::Text, "'a;b'"),
        (ColumnType::Text, "''"),
        (ColumnType::Blob, "X'00ff'"),
        (ColumnType::Boolean, "TRUE"),
        (ColumnType::Boolean, "false"),
        (ColumnType::BigInt, "(1)"),
        (ColumnType::Text, "('x')"),
        (ColumnType::BigInt, "(-1)"),
    ];
    let columns: Vec<Column> = defaults
        .iter()
        .enumerate()
        .map(|(i, (ty, default))| Column {
            default: Some(default.to_string()),
            ..Column::new(format!("c{i:02}"), ty.clone())
        })
        .collect();
    let full = vec![spellings(columns)];
    let db = Db::created(&[spellings(Vec::new())]).await;
    let conform = db.conform(Options::default()).await;
    db.exec("INSERT INTO spellings (id) VALUES (1), (2), (3)")
        .await;
    let plan = conform.compare(&full).await.unwrap();
    assert_eq!(plan.steps().len(), defaults.len(), "{plan}");
    assert!(plan.steps().iter().all(|s| s.rebuild.is_none()), "{plan}");
    conform.apply(&full).await.unwrap();
    assert!(conform.compare(&full).await.unwrap().is_empty());
    assert_eq!(
        db.rows().await[0],
        "spellings: 1|0|-1|2.5|1000.0|31|'it''s'|'a;b'|''|X'00FF'|1|0|1|'x'|-1"
    );
}

#[tokio::test]
async fn sqlite_refuses_natively_what_the_plan_rebuilds() {
    // The rules are not ours: on a table with rows, SQLite itself refuses each of these.
    let (_dir, url) = sqlite_file();
    let pool = SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);
         CREATE TABLE t (
           id INTEGER PRIMARY KEY, u TEXT UNIQUE, k INTEGER, ix INTEGER, f INTEGER,
           src INTEGER, g INTEGER GENERATED ALWAYS AS (src + 1) VIRTUAL,
           CONSTRAINT ck CHECK (k > 0),
           CONSTRAINT fk FOREIGN KEY (f) REFERENCES p (id)
         );
         CREATE INDEX t_ix ON t (ix);
         INSERT INTO t (id, u, k, ix, src) VALUES (1, 'a', 1, 1, 1);",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (statement, message) in [
        (
            "ALTER TABLE t ADD COLUMN n TEXT NOT NULL",
            "NOT NULL column with default value NULL",
        ),
        (
            "ALTER TABLE t ADD COLUMN n TEXT NOT NULL DEFAULT NULL",
            "NOT NULL column with default value NULL",
        ),
        (
            "ALTER TABLE t ADD COLUMN n TIMESTAMP DEFAULT CURRENT_TIMESTAMP",
            "non-constant default",
        ),
        (
            "ALTER TABLE t ADD COLUMN n INTEGER DEFAULT (1+1)",
            "non-constant default",
        ),
        (
            "ALTER TABLE t ADD COLUMN n TEXT DEFAULT (lower('X'))",
            "non-constant default",
        ),
        (
            "ALTER TABLE t ADD COLUMN n INTEGER GENERATED ALWAYS AS (src * 2) STORED",
            "cannot add a STORED column",
        ),
        (
            "ALTER TABLE t ADD COLUMN n INTEGER PRIMARY KEY",
            "PRIMARY KEY",
        ),
        ("ALTER TABLE t ADD COLUMN n INTEGER UNIQUE", "UNIQUE"),
        ("ALTER TABLE t DROP COLUMN id", "PRIMARY KEY"),
        ("ALTER TABLE t DROP COLUMN u", "UNIQUE"),
        (
            "ALTER TABLE t DROP COLUMN k",
            "error in table t after drop column",
        ),
        (
            "ALTER TABLE t DROP COLUMN ix",
            "error in index t_ix after drop column",
        ),
        (
            "ALTER TABLE t DROP COLUMN f",
            "error in table t after drop column",
        ),
        (
            "ALTER TABLE t DROP COLUMN src",
            "error in table t after drop column",
        ),
    ] {
        let error = sqlx::raw_sql(AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .expect_err(statement)
            .to_string();
        assert!(error.contains(message), "{statement}: {error}");
    }
}

#[tokio::test]
async fn add_virtual_generated_and_collated_columns() {
    let notes = |with_new: bool| {
        let mut columns = vec![Column {
            nullable: true,
            ..Column::new("body", ColumnType::Text)
        }];
        if with_new {
            columns.push(Column {
                nullable: true,
                generated: Some(GeneratedColumn {
                    expr: "upper(body)".into(),
                    stored: false,
                }),
                ..Column::new("Shout", ColumnType::Text)
            });
            columns.push(Column {
                nullable: true,
                collation: Some("NOCASE".into()),
                ..Column::new("tag", ColumnType::Text)
            });
        }
        TableDef {
            name: "notes".into(),
            ..spellings(columns)
        }
    };
    let db = Db::created(&[notes(false)]).await;
    db.exec("INSERT INTO notes (id, body) VALUES (1, 'hi')")
        .await;
    db.apply_native(
        &[notes(true)],
        Options::default(),
        r#"
        add column main.notes.Shout
            ALTER TABLE "notes" ADD COLUMN "Shout" TEXT GENERATED ALWAYS AS (upper(body)) VIRTUAL
        add column main.notes.tag
            ALTER TABLE "notes" ADD COLUMN "tag" TEXT COLLATE "NOCASE"
        "#,
    )
    .await;
    assert_eq!(
        db.columns("notes").await[2..],
        strings(&[
            "Shout TEXT notnull=0 default=- hidden=2",
            "tag TEXT notnull=0 default=- hidden=0",
        ])
    );
    assert_eq!(
        db.rows().await,
        strings(&["notes: 1|'hi'|'HI'|NULL", "sqlite_sequence: 'notes'|1"])
    );
}

#[tokio::test]
async fn drop_plain_column_keeps_the_other_values() {
    let db = Db::drifted(&tables(), |s| with_legacy_column(&s)).await;
    let mut kept = db.column_names("accounts").await;
    kept.retain(|c| c != "legacy");
    let before = db.rows_of("accounts", &kept).await;
    db.apply_native(
        &tables(),
        drop_columns(),
        r#"
        drop column main.accounts.legacy
            ALTER TABLE "accounts" DROP COLUMN "legacy"
        "#,
    )
    .await;
    assert_eq!(db.column_names("accounts").await, kept);
    assert_eq!(db.rows_of("accounts", &kept).await, before);
    assert!(!db.sql_of("accounts").await.unwrap().contains("legacy"));
}

#[tokio::test]
async fn drop_indexed_column_after_dropping_its_indexes() {
    let db = Db::drifted(&tables(), |s| {
        let s = with_legacy_column(&s);
        format!(
            "{s}CREATE INDEX \"ix_legacy\" ON \"accounts\" (\"legacy\");\n\
             CREATE INDEX \"ix_legacy_partial\" ON \"accounts\" (\"email\") WHERE legacy > 0;\n\
             CREATE UNIQUE INDEX \"ux_legacy_expr\" ON \"accounts\" (legacy * 2);\n"
        )
    })
    .await;
    let rows_before = db
        .rows_of("payments", &["id", "account_id", "amount"])
        .await;
    db.apply_native(
        &tables(),
        drop_columns(),
        r#"
        drop index ix_legacy on main.accounts
            DROP INDEX "ix_legacy"
        drop index ix_legacy_partial on main.accounts
            DROP INDEX "ix_legacy_partial"
        drop index ux_legacy_expr on main.accounts
            DROP INDEX "ux_legacy_expr"
        drop column main.accounts.legacy
            ALTER TABLE "accounts" DROP COLUMN "legacy"
        "#,
    )
    .await;
    assert!(
        !db.column_names("accounts")
            .await
            .contains(&"legacy".to_string())
    );
    assert_eq!(
        db.indexes("accounts").await,
        strings(&[
            "ix_accounts_email_created unique=0 origin=c partial=0",
            "sqlite_autoindex_accounts_1 unique=1 origin=u partial=0",
        ])
    );
    assert_eq!(
        db.rows_of("payments", &["id", "account_id", "amount"])
            .await,
        rows_before
    );
}

#[tokio::test]
async fn add_index_keeps_rows() {
    let db = Db::drifted(&tables(), without_accounts_index).await;
    let before = db.rows().await;
    db.apply_native(
        &tables(),
        Options::default(),
        r#"
        add index ix_accounts_email_created on main.accounts
            CREATE INDEX "ix_accounts_email_created" ON "accounts" ("email", "created_at")
        "#,
    )
    .await;
    assert_eq!(
        db.sql_of("ix_accounts_email_created").await.as_deref(),
        Some(
            "CREATE INDEX \"ix_accounts_email_created\" ON \"accounts\" (\"email\", \"created_at\")"
        )
    );
    assert!(
        db.indexes("accounts")
            .await
            .contains(&"ix_accounts_email_created unique=0 origin=c partial=0".to_string())
    );
    assert_eq!(db.rows().await, before);
}

#[tokio::test]
async fn drop_index_and_unique_index() {
    let db = Db::drifted(&tables(), |s| {
        format!(
            "{s}CREATE INDEX \"ix extra\" ON \"accounts\" (\"balance\");\n\
             CREATE UNIQUE INDEX \"Ux_Extra\" ON \"payments\" (\"account_id\", \"amount\");\n"
        )
    })
    .await;
    let before = db.rows().await;
    db.apply_native(
        &tables(),
        with(|o| o.allow_drop_extra_indexes = true),
        r#"
        drop index ix extra on main.accounts
            DROP INDEX "ix extra"
        drop index Ux_Extra on main.payments
            DROP INDEX "Ux_Extra"
        "#,
    )
    .await;
    assert_eq!(db.sql_of("ix extra").await, None);
    assert_eq!(db.sql_of("Ux_Extra").await, None);
    assert!(db.indexes("payments").await.is_empty());
    assert_eq!(db.rows().await, before);
}

#[tokio::test]
async fn alter_index_order_uniqueness_and_predicate() {
    let create =
        "CREATE INDEX \"ix_accounts_email_created\" ON \"accounts\" (\"email\", \"created_at\")";
    for edit in [
        (
            "(\"email\", \"created_at\")",
            "(\"email\" DESC, \"created_at\")",
        ),
        (
            "CREATE INDEX \"ix_accounts_email_created\"",
            "CREATE UNIQUE INDEX \"ix_accounts_email_created\"",
        ),
        (
            "(\"email\", \"created_at\");",
            "(\"email\", \"created_at\") WHERE balance > 0;",
        ),
    ] {
        let db = Db::drifted(&tables(), |s| replace_once(&s, edit.0, edit.1)).await;
        let before = db.rows().await;
        db.apply_native(
            &tables(),
            Options::default(),
            &format!(
                r#"
                change index ix_accounts_email_created on main.accounts
                    DROP INDEX "ix_accounts_email_created"
                    {create}
                "#
            ),
        )
        .await;
        assert_eq!(
            db.sql_of("ix_accounts_email_created").await.as_deref(),
            Some(create)
        );
        assert_eq!(db.rows().await, before, "{edit:?}");
    }
}

#[tokio::test]
async fn drop_tables_children_first_without_touching_declared_rows() {
    // `legacy_child` references the undeclared `legacy` and the declared `accounts`, both
    // with ON DELETE CASCADE. Dropping it runs an implicit DELETE on it (foreign keys are
    // enforced), which deletes nothing elsewhere; `legacy` goes after it.
    let db = Db::drifted(&tables(), |s| {
        format!(
            "{s}CREATE TABLE legacy (id INTEGER PRIMARY KEY, x TEXT);\n\
             CREATE TABLE legacy_child (id INTEGER PRIMARY KEY, \
               legacy_id INTEGER REFERENCES legacy (id) ON DELETE CASCADE, \
               account_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE);\n"
        )
    })
    .await;
    let declared = |rows: Vec<String>| -> Vec<String> {
        rows.into_iter()
            .filter(|r| !r.starts_with("legacy"))
            .collect()
    };
    let before = declared(db.rows().await);
    assert_eq!(db.rows().await.len(), before.len() + 2);
    db.apply_native(
        &tables(),
        with(|o| o.allow_drop_extra_tables = true),
        r#"
        drop table main.legacy_child
            DROP TABLE "legacy_child"
        drop table main.legacy
            DROP TABLE "legacy"
        "#,
    )
    .await;
    assert_eq!(db.sql_of("legacy").await, None);
    assert_eq!(db.sql_of("legacy_child").await, None);
    assert_eq!(db.rows().await, before);
}

#[tokio::test]
async fn hostile_names_are_quoted_in_every_native_statement() {
    let table = |columns: Vec<Column>, indexes: Vec<Index>| TableDef {
        name: "Order \"Lines\"".into(),
        indexes,
        ..spellings(columns)
    };
    let old = table(
        vec![Column {
            nullable: true,
            ..Column::new("group by", ColumnType::BigInt)
        }],
        vec![index("old \"ix\"", vec![IndexColumn::asc("GROUP BY")])],
    );
    let new = table(
        vec![
            Column {
                default: Some("'it''s'".into()),
                ..Column::new("select", ColumnType::Text)
            },
            Column {
                nullable: true,
                ..Column::new("Mixed Case", ColumnType::Text)
            },
        ],
        vec![Index {
            unique: true,
            predicate: Some("\"select\" <> ''".into()),
            ..index(
                "ix \"q\" Space",
                vec![IndexColumn {
                    opclass: None,
                    nulls: None,
                    name: "mixed case".into(),
                    order: SortOrder::Desc,
                    expression: false,
                }],
            )
        }],
    );
    let db = Db::created(&[old]).await;
    db.exec("INSERT INTO \"Order \"\"Lines\"\"\" (id, \"group by\") VALUES (1, 9)")
        .await;
    db.apply_native(
        &[new],
        drop_columns(),
        r#"
        drop index old "ix" on main.Order "Lines"
            DROP INDEX "old ""ix"""
        drop column main.Order "Lines".group by
            ALTER TABLE "Order ""Lines""" DROP COLUMN "group by"
        add column main.Order "Lines".Mixed Case
            ALTER TABLE "Order ""Lines""" ADD COLUMN "Mixed Case" TEXT
        add column main.Order "Lines".select
            ALTER TABLE "Order ""Lines""" ADD COLUMN "select" TEXT NOT NULL DEFAULT 'it''s'
        add index ix "q" Space on main.Order "Lines"
            CREATE UNIQUE INDEX "ix ""q"" Space" ON "Order ""Lines""" ("mixed case" DESC) WHERE "select" <> ''
        "#,
    )
    .await;
    assert_eq!(
        db.indexes("Order \"Lines\"").await,
        strings(&["ix \"q\" Space unique=1 origin=c partial=1"])
    );
    assert_eq!(
        db.columns("Order \"Lines\"").await,
        strings(&[
            "id INTEGER notnull=1 default=- hidden=0",
            "Mixed Case TEXT notnull=0 default=- hidden=0",
            "select TEXT notnull=1 default='it''s' hidden=0",
        ])
    );
    assert_eq!(
        db.rows_of("Order \"Lines\"", &["id", "Mixed Case", "select"])
            .await,
        strings(&["Order \"Lines\": 1|NULL|'it''s'"])
    );
}
