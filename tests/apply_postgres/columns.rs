//! Column changes: add, drop, type (widening, narrowing, `USING` casts), nullability,
//! defaults, identity and serial, comments, collation, generated expressions.

use crate::catalog::with_pg;
use crate::{ROWS, Reading, Shape, bank, generated_shapes, kinds};
use dbconform::{ChangeKind, Table};

#[tokio::test]
async fn add_column_nullable_and_not_null_with_default_keep_rows() {
    with_pg("apply_add_column", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec("ALTER TABLE {S}.accounts DROP COLUMN nickname; ALTER TABLE {S}.accounts DROP COLUMN balance")
            .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AddColumn, ChangeKind::AddColumn, ChangeKind::AddCheck],
            "{report}"
        );
        let balance = pg.existing_column("accounts", "balance").await;
        assert_eq!(
            (balance.ty.as_str(), balance.not_null, balance.default.as_deref()),
            ("bigint", true, Some("0"))
        );
        let nickname = pg.existing_column("accounts", "nickname").await;
        assert_eq!((nickname.ty.as_str(), nickname.not_null), ("text", false));
        // Existing rows got the default; nothing was lost.
        assert_eq!(
            pg.ints("SELECT balance FROM {S}.accounts ORDER BY id").await,
            [0, 0, 0]
        );
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.payments").await, [2]);
    })
    .await;
}

#[tokio::test]
async fn add_identity_column_numbers_existing_rows() {
    with_pg("apply_add_identity", |pg| async move {
        pg.create(&[Reading::table_def()]).await;
        pg.exec(
            "INSERT INTO {S}.readings (value) VALUES (1), (2), (3); \
             ALTER TABLE {S}.readings DROP COLUMN id",
        )
        .await;
        let report = pg.apply(&[Reading::table_def()]).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AddColumn, ChangeKind::AddPrimaryKey],
            "{report}"
        );
        let id = pg.existing_column("readings", "id").await;
        assert_eq!(
            (id.ty.as_str(), id.not_null, id.identity.as_str()),
            ("bigint", true, "d")
        );
        assert_eq!(
            pg.ints("SELECT id FROM {S}.readings ORDER BY id").await,
            [1, 2, 3]
        );
        assert_eq!(
            pg.ints("INSERT INTO {S}.readings (value) VALUES (4) RETURNING id")
                .await,
            [4]
        );
        assert_eq!(
            pg.constraints("readings").await,
            ["readings_pkey: PRIMARY KEY (id)"]
        );
    })
    .await;
}

#[tokio::test]
async fn drop_column() {
    with_pg("apply_drop_column", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec("ALTER TABLE {S}.accounts ADD COLUMN \"Legacy col\" text DEFAULT 'x'")
            .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::DropColumn], "{report}");
        assert!(pg.column("accounts", "Legacy col").await.is_none());
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.accounts").await, [3]);
    })
    .await;
}

#[tokio::test]
async fn type_widening_keeps_rows() {
    with_pg("apply_widen", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts ALTER COLUMN email TYPE varchar(20); \
             ALTER TABLE {S}.payments ALTER COLUMN amount TYPE integer",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AlterColumn, ChangeKind::AlterColumn],
            "{report}"
        );
        assert_eq!(
            pg.existing_column("accounts", "email").await.ty,
            "character varying(100)"
        );
        assert_eq!(pg.existing_column("payments", "amount").await.ty, "bigint");
        assert_eq!(
            pg.strings("SELECT email::text FROM {S}.accounts ORDER BY id")
                .await,
            ["a@x", "b@x", "c@x"]
        );
        assert_eq!(
            pg.ints("SELECT amount FROM {S}.payments ORDER BY id").await,
            [5, 7]
        );
        // The unique constraint and the index on the column are still there.
        assert!(
            pg.constraints("accounts")
                .await
                .contains(&"uq_accounts_email: UNIQUE (email)".to_string())
        );
        assert_eq!(pg.indexes("accounts").await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn text_to_integer_uses_a_cast_and_keeps_the_values() {
    with_pg("apply_using", |pg| async move {
        pg.create(&[Reading::table_def()]).await;
        pg.exec(
            "ALTER TABLE {S}.readings ALTER COLUMN value TYPE text; \
             ALTER TABLE {S}.readings ALTER COLUMN value SET DEFAULT '7'; \
             INSERT INTO {S}.readings (value) VALUES ('12'), (' 40 '), ('-3')",
        )
        .await;
        let report = pg.apply(&[Reading::table_def()]).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        let sql = &report.executed[0].step.sql;
        assert!(
            sql.iter().any(|s| s.ends_with("USING \"value\"::INTEGER")),
            "{sql:#?}"
        );
        let value = pg.existing_column("readings", "value").await;
        assert_eq!(
            (value.ty.as_str(), value.not_null, value.default),
            ("integer", true, None)
        );
        assert_eq!(
            pg.ints("SELECT value::int8 FROM {S}.readings ORDER BY id")
                .await,
            [12, 40, -3]
        );
    })
    .await;
}

#[tokio::test]
async fn narrowing_that_fits_keeps_every_value() {
    with_pg("apply_narrow", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts ALTER COLUMN email TYPE text; \
             ALTER TABLE {S}.payments ALTER COLUMN amount TYPE numeric(20,0)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AlterColumn, ChangeKind::AlterColumn],
            "{report}"
        );
        // No `USING`: an explicit cast to VARCHAR(n) would silently truncate.
        assert!(
            report
                .executed
                .iter()
                .flat_map(|e| &e.step.sql)
                .all(|s| !s.contains("USING")),
            "{report:#?}"
        );
        assert_eq!(
            pg.existing_column("accounts", "email").await.ty,
            "character varying(100)"
        );
        assert_eq!(pg.existing_column("payments", "amount").await.ty, "bigint");
        assert_eq!(
            pg.ints("SELECT amount FROM {S}.payments ORDER BY id").await,
            [5, 7]
        );
    })
    .await;
}

#[tokio::test]
async fn narrowing_that_does_not_fit_fails_and_changes_nothing() {
    with_pg("apply_narrow_fail", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        let long = "x".repeat(150);
        pg.exec(&format!(
            "ALTER TABLE {{S}}.accounts ALTER COLUMN email TYPE text; \
             INSERT INTO {{S}}.accounts (email) VALUES ('{long}')"
        ))
        .await;
        let db = pg.db().await;
        let plan = db.compare(&bank()).await.unwrap();
        // Whether the data check refuses it up front or PostgreSQL refuses it, the long
        // value is never truncated.
        let outcome = db.apply(&bank()).await;
        assert!(
            outcome.is_err() || !outcome.as_ref().is_ok_and(|r| r.blocked.is_empty()),
            "{plan}"
        );
        assert_eq!(pg.existing_column("accounts", "email").await.ty, "text");
        assert_eq!(
            pg.ints("SELECT max(length(email))::int8 FROM {S}.accounts")
                .await,
            [150]
        );
    })
    .await;
}

#[tokio::test]
async fn nullability_set_and_dropped() {
    with_pg("apply_nullability", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts ALTER COLUMN balance DROP NOT NULL; \
             UPDATE {S}.accounts SET nickname = coalesce(nickname, '-'); \
             ALTER TABLE {S}.accounts ALTER COLUMN nickname SET NOT NULL",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AlterColumn, ChangeKind::AlterColumn],
            "{report}"
        );
        assert!(pg.existing_column("accounts", "balance").await.not_null);
        assert!(!pg.existing_column("accounts", "nickname").await.not_null);
        assert_eq!(
            pg.strings("SELECT nickname FROM {S}.accounts ORDER BY id")
                .await,
            ["al", "-", "cy"]
        );
    })
    .await;
}

#[tokio::test]
async fn defaults_changed_added_and_removed_keep_rows() {
    with_pg("apply_defaults", |pg| async move {
        let mut tables = bank();
        tables.push(Reading::table_def());
        pg.create(&tables).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts ALTER COLUMN balance SET DEFAULT 5; \
             ALTER TABLE {S}.accounts ALTER COLUMN nickname SET DEFAULT 'anon'; \
             ALTER TABLE {S}.readings ALTER COLUMN unit DROP DEFAULT",
        )
        .await;
        let report = pg.apply(&tables).await;
        assert_eq!(
            kinds(&report),
            [
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn
            ],
            "{report}"
        );
        assert_eq!(
            pg.existing_column("accounts", "balance")
                .await
                .default
                .as_deref(),
            Some("0")
        );
        assert_eq!(
            pg.existing_column("accounts", "nickname").await.default,
            None
        );
        assert_eq!(
            pg.existing_column("readings", "unit")
                .await
                .default
                .as_deref(),
            Some("'n/a'::text")
        );
        assert_eq!(
            pg.ints("SELECT balance FROM {S}.accounts ORDER BY id")
                .await,
            [10, 20, 30]
        );
        assert_eq!(
            pg.ints("INSERT INTO {S}.accounts (email) VALUES ('d@x') RETURNING balance")
                .await,
            [0]
        );
    })
    .await;
}

#[tokio::test]
async fn identity_added_to_a_column_with_rows_gives_fresh_ids() {
    with_pg("apply_identity_add", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(
            "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
             ALTER TABLE {S}.accounts ALTER COLUMN id DROP IDENTITY; \
             INSERT INTO {S}.accounts (id, email) VALUES (10, 'a@x'), (42, 'b@x'); \
             ALTER TABLE {S}.payments ADD CONSTRAINT fk_payments_account_id \
               FOREIGN KEY (account_id) REFERENCES {S}.accounts (id) ON DELETE CASCADE",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        assert_eq!(pg.existing_column("accounts", "id").await.identity, "d");
        assert_eq!(
            pg.ints("INSERT INTO {S}.accounts (email) VALUES ('c@x') RETURNING id")
                .await,
            [43]
        );
        assert_eq!(
            pg.ints("SELECT id FROM {S}.accounts ORDER BY id").await,
            [10, 42, 43]
        );
    })
    .await;
}

#[tokio::test]
async fn identity_added_to_a_nullable_column_with_a_default() {
    with_pg("apply_identity_nullable", |pg| async move {
        pg.create(&[Reading::table_def()]).await;
        pg.exec(
            "ALTER TABLE {S}.readings DROP CONSTRAINT readings_pkey; \
             ALTER TABLE {S}.readings ALTER COLUMN id DROP IDENTITY; \
             ALTER TABLE {S}.readings ALTER COLUMN id DROP NOT NULL; \
             ALTER TABLE {S}.readings ALTER COLUMN id SET DEFAULT 0; \
             INSERT INTO {S}.readings (id, value) VALUES (3, 1), (1, 2)",
        )
        .await;
        let report = pg.apply(&[Reading::table_def()]).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AlterColumn, ChangeKind::AddPrimaryKey],
            "{report}"
        );
        let id = pg.existing_column("readings", "id").await;
        assert_eq!(
            (id.not_null, id.identity.as_str(), id.default),
            (true, "d", None)
        );
        assert_eq!(
            pg.ints("INSERT INTO {S}.readings (value) VALUES (3) RETURNING id")
                .await,
            [4]
        );
    })
    .await;
}

// A key that is not auto-increment (no doc comment: no table comment).
#[derive(Table)]
#[table(name = "codes")]
struct Code {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    label: String,
}

#[tokio::test]
async fn identity_dropped() {
    with_pg("apply_identity_drop", |pg| async move {
        pg.exec(
            "CREATE SCHEMA {S}; \
             CREATE TABLE {S}.codes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL)",
        )
        .await;
        pg.exec("INSERT INTO {S}.codes (label) VALUES ('a'), ('b')").await;
        let report = pg.apply(&[Code::table_def()]).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        let id = pg.existing_column("codes", "id").await;
        assert_eq!((id.identity.as_str(), id.default, id.not_null), ("", None, true));
        assert_eq!(
            pg.ints("INSERT INTO {S}.codes (id, label) VALUES (7, 'c') RETURNING id")
                .await,
            [7]
        );
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.codes").await, [3]);
    })
    .await;
}

// `n` was a serial; the declaration wants a plain integer.
#[derive(Table)]
#[table(name = "counters")]
struct Counter {
    name: String,
    n: i32,
}

#[tokio::test]
async fn serial_default_dropped() {
    with_pg("apply_serial_drop", |pg| async move {
        pg.exec(
            "CREATE SCHEMA {S}; \
             CREATE TABLE {S}.counters (name text NOT NULL, n serial); \
             INSERT INTO {S}.counters (name) VALUES ('a'), ('b')",
        )
        .await;
        let report = pg.apply(&[Counter::table_def()]).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        let n = pg.existing_column("counters", "n").await;
        assert_eq!(
            (n.default, n.identity.as_str(), n.not_null),
            (None, "", true)
        );
        assert_eq!(
            pg.ints("SELECT n::int8 FROM {S}.counters ORDER BY n").await,
            [1, 2]
        );
    })
    .await;
}

#[tokio::test]
async fn column_and_table_comments() {
    with_pg("apply_comments", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(
            "COMMENT ON COLUMN {S}.accounts.label IS 'old words'; \
             COMMENT ON COLUMN {S}.accounts.balance IS 'undeclared'; \
             COMMENT ON TABLE {S}.accounts IS 'old table words'; \
             COMMENT ON TABLE {S}.payments IS 'undeclared'",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(report.executed.len(), 4, "{report}");
        assert_eq!(
            pg.existing_column("accounts", "label")
                .await
                .comment
                .as_deref(),
            Some("Shown on statements.")
        );
        assert_eq!(
            pg.existing_column("accounts", "balance").await.comment,
            None
        );
        assert_eq!(
            pg.table_comment("accounts").await.as_deref(),
            Some("Holders of money.")
        );
        assert_eq!(pg.table_comment("payments").await, None);
        // Missing comments are added too.
        pg.exec(
            "COMMENT ON COLUMN {S}.accounts.label IS NULL; COMMENT ON TABLE {S}.accounts IS NULL",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::AlterColumn, ChangeKind::SetTableComment],
            "{report}"
        );
        assert_eq!(
            pg.table_comment("accounts").await.as_deref(),
            Some("Holders of money.")
        );
    })
    .await;
}

#[tokio::test]
async fn collation_reset_to_the_default() {
    with_pg("apply_collation", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec("ALTER TABLE {S}.accounts ALTER COLUMN nickname TYPE text COLLATE \"C\"")
            .await;
        assert_eq!(
            pg.existing_column("accounts", "nickname")
                .await
                .collation
                .as_deref(),
            Some("C")
        );
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        let nickname = pg.existing_column("accounts", "nickname").await;
        assert_eq!((nickname.ty.as_str(), nickname.collation), ("text", None));
        assert_eq!(
            pg.strings("SELECT coalesce(nickname, '') FROM {S}.accounts ORDER BY id")
                .await,
            ["al", "", "cy"]
        );
    })
    .await;
}

#[tokio::test]
async fn collation_set_where_declared() {
    with_pg("apply_collation_set", |pg| async move {
        pg.create(&bank()).await;
        let mut tables = bank();
        if let Some(c) = tables[0].columns.iter_mut().find(|c| c.name == "nickname") {
            c.collation = Some("C".into());
        }
        let report = pg.apply(&tables).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        assert_eq!(
            pg.existing_column("accounts", "nickname")
                .await
                .collation
                .as_deref(),
            Some("C")
        );
    })
    .await;
}

#[tokio::test]
async fn generated_expression_dropped_keeps_values() {
    with_pg("apply_generated_drop", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.payments DROP COLUMN amount; \
             ALTER TABLE {S}.payments ADD COLUMN amount bigint NOT NULL \
               GENERATED ALWAYS AS (account_id * 100) STORED",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        assert_eq!(pg.existing_column("payments", "amount").await.generated, "");
        assert_eq!(
            pg.ints("SELECT amount FROM {S}.payments ORDER BY id").await,
            [100, 200]
        );
    })
    .await;
}

#[tokio::test]
async fn generated_expression_added_by_recreating_the_column_and_its_index() {
    with_pg("apply_generated_add", |pg| async move {
        pg.create(&[Shape::table_def()]).await;
        pg.exec("INSERT INTO {S}.shapes (side, area) VALUES (2, 99), (3, NULL)")
            .await;
        let report = pg.apply(&[generated_shapes()]).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        let area = pg.existing_column("shapes", "area").await;
        assert_eq!(
            (area.generated.as_str(), area.default.as_deref()),
            ("s", Some("(side * side)"))
        );
        assert_eq!(
            pg.ints("SELECT area FROM {S}.shapes ORDER BY id").await,
            [4, 9]
        );
        assert_eq!(
            pg.indexes("shapes").await,
            ["CREATE INDEX ix_shapes_area ON S.shapes USING btree (area)"]
        );
        // And back: the expression is dropped, the values stay.
        let report = pg.apply(&[Shape::table_def()]).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterColumn], "{report}");
        assert_eq!(pg.existing_column("shapes", "area").await.generated, "");
        assert_eq!(
            pg.ints("SELECT area FROM {S}.shapes ORDER BY id").await,
            [4, 9]
        );
    })
    .await;
}
