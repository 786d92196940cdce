//! Column changes: add, drop, type (widening, narrowing, `USING` casts), nullability,
//! defaults, identity and serial, comments, collation, generated expressions.

use crate::catalog::{Pg, pg_test};
use crate::{ROWS, Reading, Shape, bank, generated_shapes};
use dbconform::ChangeKind::{
    AddCheck, AddColumn, AddPrimaryKey, AlterColumn, DropColumn, SetTableComment,
};
use dbconform::{Table, TableDef};

/// `bank()` and `readings` together.
fn bank_and_readings() -> Vec<TableDef> {
    let mut tables = bank();
    tables.push(Reading::table_def());
    tables
}

/// Asserts the declared types of `accounts.email` and `payments.amount`, which the
/// widening and the narrowing tests both bring back, and that the amounts survived.
async fn assert_email_and_amount_as_declared(pg: &Pg) {
    let email = pg.existing_column("accounts", "email").await;
    assert_eq!(email.ty, "character varying(100)");
    assert_eq!(pg.existing_column("payments", "amount").await.ty, "bigint");
    pg.assert_ints("SELECT amount FROM {S}.payments ORDER BY id", &[5, 7])
        .await;
}

pg_test!(
    add_column_nullable_and_not_null_with_default_keep_rows,
    |pg| async move {
        let drift = "ALTER TABLE {S}.accounts DROP COLUMN nickname; \
                 ALTER TABLE {S}.accounts DROP COLUMN balance";
        pg.drifted(&bank(), &[ROWS, drift], &[AddColumn, AddColumn, AddCheck])
            .await;
        let balance = pg.existing_column("accounts", "balance").await;
        assert_eq!(
            (
                balance.ty.as_str(),
                balance.not_null,
                balance.default.as_deref()
            ),
            ("bigint", true, Some("0"))
        );
        let nickname = pg.existing_column("accounts", "nickname").await;
        assert_eq!((nickname.ty.as_str(), nickname.not_null), ("text", false));
        // Existing rows got the default; nothing was lost.
        pg.assert_ints("SELECT balance FROM {S}.accounts ORDER BY id", &[0, 0, 0])
            .await;
        pg.assert_ints("SELECT count(*) FROM {S}.payments", &[2])
            .await;
    }
);

pg_test!(add_identity_column_numbers_existing_rows, |pg| async move {
    let drift = "INSERT INTO {S}.readings (value) VALUES (1), (2), (3); \
                 ALTER TABLE {S}.readings DROP COLUMN id";
    let tables = [Reading::table_def()];
    pg.drifted(&tables, &[drift], &[AddColumn, AddPrimaryKey])
        .await;
    let id = pg.existing_column("readings", "id").await;
    assert_eq!(
        (id.ty.as_str(), id.not_null, id.identity.as_str()),
        ("bigint", true, "d")
    );
    pg.assert_ints("SELECT id FROM {S}.readings ORDER BY id", &[1, 2, 3])
        .await;
    let insert = "INSERT INTO {S}.readings (value) VALUES (4) RETURNING id";
    pg.assert_ints(insert, &[4]).await;
    let constraints = pg.constraints("readings").await;
    assert_eq!(constraints, ["readings_pkey: PRIMARY KEY (id)"]);
});

pg_test!(drop_column, |pg| async move {
    let drift = "ALTER TABLE {S}.accounts ADD COLUMN \"Legacy col\" text DEFAULT 'x'";
    pg.drifted(&bank(), &[ROWS, drift], &[DropColumn]).await;
    assert!(pg.column("accounts", "Legacy col").await.is_none());
    pg.assert_ints("SELECT count(*) FROM {S}.accounts", &[3])
        .await;
});

pg_test!(type_widening_keeps_rows, |pg| async move {
    let drift = "ALTER TABLE {S}.accounts ALTER COLUMN email TYPE varchar(20); \
                 ALTER TABLE {S}.payments ALTER COLUMN amount TYPE integer";
    pg.drifted(&bank(), &[ROWS, drift], &[AlterColumn, AlterColumn])
        .await;
    assert_email_and_amount_as_declared(&pg).await;
    let emails = "SELECT email::text FROM {S}.accounts ORDER BY id";
    pg.assert_strings(emails, &["a@x", "b@x", "c@x"]).await;
    // The unique constraint and the index on the column are still there.
    pg.assert_constraint("accounts", "uq_accounts_email: UNIQUE (email)")
        .await;
    assert_eq!(pg.indexes("accounts").await.len(), 1);
});

pg_test!(
    text_to_integer_uses_a_cast_and_keeps_the_values,
    |pg| async move {
        let drift = "ALTER TABLE {S}.readings ALTER COLUMN value TYPE text; \
                 ALTER TABLE {S}.readings ALTER COLUMN value SET DEFAULT '7'; \
                 INSERT INTO {S}.readings (value) VALUES ('12'), (' 40 '), ('-3')";
        let report = pg
            .drifted(&[Reading::table_def()], &[drift], &[AlterColumn])
            .await;
        let sql = &report.executed[0].step.sql;
        let cast = sql.iter().any(|s| s.ends_with("USING \"value\"::INTEGER"));
        assert!(cast, "{sql:#?}");
        let value = pg.existing_column("readings", "value").await;
        assert_eq!(
            (value.ty.as_str(), value.not_null, value.default),
            ("integer", true, None)
        );
        let values = "SELECT value::int8 FROM {S}.readings ORDER BY id";
        pg.assert_ints(values, &[12, 40, -3]).await;
    }
);

pg_test!(narrowing_that_fits_keeps_every_value, |pg| async move {
    let drift = "ALTER TABLE {S}.accounts ALTER COLUMN email TYPE text; \
                 ALTER TABLE {S}.payments ALTER COLUMN amount TYPE numeric(20,0)";
    let report = pg
        .drifted(&bank(), &[ROWS, drift], &[AlterColumn, AlterColumn])
        .await;
    // No `USING`: an explicit cast to VARCHAR(n) would silently truncate.
    let mut sql = report.executed.iter().flat_map(|e| &e.step.sql);
    assert!(sql.all(|s| !s.contains("USING")), "{report:#?}");
    assert_email_and_amount_as_declared(&pg).await;
});

pg_test!(
    narrowing_that_does_not_fit_fails_and_changes_nothing,
    |pg| async move {
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
        let refused = outcome.is_err() || !outcome.as_ref().is_ok_and(|r| r.blocked.is_empty());
        assert!(refused, "{plan}");
        assert_eq!(pg.existing_column("accounts", "email").await.ty, "text");
        let longest = "SELECT max(length(email))::int8 FROM {S}.accounts";
        pg.assert_ints(longest, &[150]).await;
    }
);

pg_test!(nullability_set_and_dropped, |pg| async move {
    let drift = "ALTER TABLE {S}.accounts ALTER COLUMN balance DROP NOT NULL; \
                 UPDATE {S}.accounts SET nickname = coalesce(nickname, '-'); \
                 ALTER TABLE {S}.accounts ALTER COLUMN nickname SET NOT NULL";
    pg.drifted(&bank(), &[ROWS, drift], &[AlterColumn, AlterColumn])
        .await;
    assert!(pg.existing_column("accounts", "balance").await.not_null);
    assert!(!pg.existing_column("accounts", "nickname").await.not_null);
    let nicknames = "SELECT nickname FROM {S}.accounts ORDER BY id";
    pg.assert_strings(nicknames, &["al", "-", "cy"]).await;
});

pg_test!(
    defaults_changed_added_and_removed_keep_rows,
    |pg| async move {
        let drift = "ALTER TABLE {S}.accounts ALTER COLUMN balance SET DEFAULT 5; \
                 ALTER TABLE {S}.accounts ALTER COLUMN nickname SET DEFAULT 'anon'; \
                 ALTER TABLE {S}.readings ALTER COLUMN unit DROP DEFAULT";
        let expected = [AlterColumn, AlterColumn, AlterColumn];
        pg.drifted(&bank_and_readings(), &[ROWS, drift], &expected)
            .await;
        let balance = pg.existing_column("accounts", "balance").await;
        assert_eq!(balance.default.as_deref(), Some("0"));
        let nickname = pg.existing_column("accounts", "nickname").await;
        assert_eq!(nickname.default, None);
        let unit = pg.existing_column("readings", "unit").await;
        assert_eq!(unit.default.as_deref(), Some("'n/a'::text"));
        let balances = "SELECT balance FROM {S}.accounts ORDER BY id";
        pg.assert_ints(balances, &[10, 20, 30]).await;
        let insert = "INSERT INTO {S}.accounts (email) VALUES ('d@x') RETURNING balance";
        pg.assert_ints(insert, &[0]).await;
    }
);

pg_test!(
    identity_added_to_a_column_with_rows_gives_fresh_ids,
    |pg| async move {
        let drift = "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
                 ALTER TABLE {S}.accounts ALTER COLUMN id DROP IDENTITY; \
                 INSERT INTO {S}.accounts (id, email) VALUES (10, 'a@x'), (42, 'b@x'); \
                 ALTER TABLE {S}.payments ADD CONSTRAINT fk_payments_account_id \
                   FOREIGN KEY (account_id) REFERENCES {S}.accounts (id) ON DELETE CASCADE";
        pg.drifted(&bank(), &[drift], &[AlterColumn]).await;
        assert_eq!(pg.existing_column("accounts", "id").await.identity, "d");
        let insert = "INSERT INTO {S}.accounts (email) VALUES ('c@x') RETURNING id";
        pg.assert_ints(insert, &[43]).await;
        let ids = "SELECT id FROM {S}.accounts ORDER BY id";
        pg.assert_ints(ids, &[10, 42, 43]).await;
    }
);

pg_test!(
    identity_added_to_a_nullable_column_with_a_default,
    |pg| async move {
        let drift = "ALTER TABLE {S}.readings DROP CONSTRAINT readings_pkey; \
                 ALTER TABLE {S}.readings ALTER COLUMN id DROP IDENTITY; \
                 ALTER TABLE {S}.readings ALTER COLUMN id DROP NOT NULL; \
                 ALTER TABLE {S}.readings ALTER COLUMN id SET DEFAULT 0; \
                 INSERT INTO {S}.readings (id, value) VALUES (3, 1), (1, 2)";
        let tables = [Reading::table_def()];
        pg.drifted(&tables, &[drift], &[AlterColumn, AddPrimaryKey])
            .await;
        let id = pg.existing_column("readings", "id").await;
        assert_eq!(
            (id.not_null, id.identity.as_str(), id.default),
            (true, "d", None)
        );
        let insert = "INSERT INTO {S}.readings (value) VALUES (3) RETURNING id";
        pg.assert_ints(insert, &[4]).await;
    }
);

// A key that is not auto-increment (no doc comment: no table comment).
#[derive(Table)]
#[table(name = "codes")]
struct Code {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    label: String,
}

pg_test!(identity_dropped, |pg| async move {
    pg.exec(
        "CREATE SCHEMA {S}; \
         CREATE TABLE {S}.codes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL)",
    )
    .await;
    pg.exec("INSERT INTO {S}.codes (label) VALUES ('a'), ('b')")
        .await;
    pg.applied(&[Code::table_def()], &[AlterColumn]).await;
    let id = pg.existing_column("codes", "id").await;
    assert_eq!(
        (id.identity.as_str(), id.default, id.not_null),
        ("", None, true)
    );
    let insert = "INSERT INTO {S}.codes (id, label) VALUES (7, 'c') RETURNING id";
    pg.assert_ints(insert, &[7]).await;
    pg.assert_ints("SELECT count(*) FROM {S}.codes", &[3]).await;
});

// `n` was a serial; the declaration wants a plain integer.
#[derive(Table)]
#[table(name = "counters")]
struct Counter {
    name: String,
    n: i32,
}

pg_test!(serial_default_dropped, |pg| async move {
    pg.exec(
        "CREATE SCHEMA {S}; \
         CREATE TABLE {S}.counters (name text NOT NULL, n serial); \
         INSERT INTO {S}.counters (name) VALUES ('a'), ('b')",
    )
    .await;
    pg.applied(&[Counter::table_def()], &[AlterColumn]).await;
    let n = pg.existing_column("counters", "n").await;
    assert_eq!(
        (n.default, n.identity.as_str(), n.not_null),
        (None, "", true)
    );
    pg.assert_ints("SELECT n::int8 FROM {S}.counters ORDER BY n", &[1, 2])
        .await;
});

pg_test!(column_and_table_comments, |pg| async move {
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
    let label = pg.existing_column("accounts", "label").await;
    assert_eq!(label.comment.as_deref(), Some("Shown on statements."));
    let balance = pg.existing_column("accounts", "balance").await;
    assert_eq!(balance.comment, None);
    let accounts = pg.table_comment("accounts").await;
    assert_eq!(accounts.as_deref(), Some("Holders of money."));
    assert_eq!(pg.table_comment("payments").await, None);
    // Missing comments are added too.
    pg.exec("COMMENT ON COLUMN {S}.accounts.label IS NULL; COMMENT ON TABLE {S}.accounts IS NULL")
        .await;
    pg.applied(&bank(), &[AlterColumn, SetTableComment]).await;
    let accounts = pg.table_comment("accounts").await;
    assert_eq!(accounts.as_deref(), Some("Holders of money."));
});

pg_test!(collation_reset_to_the_default, |pg| async move {
    pg.create(&bank()).await;
    pg.exec(ROWS).await;
    pg.exec("ALTER TABLE {S}.accounts ALTER COLUMN nickname TYPE text COLLATE \"C\"")
        .await;
    let drifted = pg.existing_column("accounts", "nickname").await;
    assert_eq!(drifted.collation.as_deref(), Some("C"));
    pg.applied(&bank(), &[AlterColumn]).await;
    let nickname = pg.existing_column("accounts", "nickname").await;
    assert_eq!((nickname.ty.as_str(), nickname.collation), ("text", None));
    let nicknames = "SELECT coalesce(nickname, '') FROM {S}.accounts ORDER BY id";
    pg.assert_strings(nicknames, &["al", "", "cy"]).await;
});

pg_test!(collation_set_where_declared, |pg| async move {
    pg.create(&bank()).await;
    let mut tables = bank();
    if let Some(c) = tables[0].columns.iter_mut().find(|c| c.name == "nickname") {
        c.collation = Some("C".into());
    }
    pg.applied(&tables, &[AlterColumn]).await;
    let nickname = pg.existing_column("accounts", "nickname").await;
    assert_eq!(nickname.collation.as_deref(), Some("C"));
});

pg_test!(generated_expression_dropped_keeps_values, |pg| async move {
    let drift = "ALTER TABLE {S}.payments DROP COLUMN amount; \
                 ALTER TABLE {S}.payments ADD COLUMN amount bigint NOT NULL \
                   GENERATED ALWAYS AS (account_id * 100) STORED";
    pg.drifted(&bank(), &[ROWS, drift], &[AlterColumn]).await;
    assert_eq!(pg.existing_column("payments", "amount").await.generated, "");
    let amounts = "SELECT amount FROM {S}.payments ORDER BY id";
    pg.assert_ints(amounts, &[100, 200]).await;
});

pg_test!(
    generated_expression_added_by_recreating_the_column_and_its_index,
    |pg| async move {
        let rows = "INSERT INTO {S}.shapes (side, area) VALUES (2, 99), (3, NULL)";
        pg.create(&[Shape::table_def()]).await;
        pg.exec(rows).await;
        pg.applied(&[generated_shapes()], &[AlterColumn]).await;
        let area = pg.existing_column("shapes", "area").await;
        assert_eq!(
            (area.generated.as_str(), area.default.as_deref()),
            ("s", Some("(side * side)"))
        );
        let areas = "SELECT area FROM {S}.shapes ORDER BY id";
        pg.assert_ints(areas, &[4, 9]).await;
        let index = "CREATE INDEX ix_shapes_area ON S.shapes USING btree (area)";
        pg.assert_indexes("shapes", &[index]).await;
        // And back: the expression is dropped, the values stay.
        pg.applied(&[Shape::table_def()], &[AlterColumn]).await;
        assert_eq!(pg.existing_column("shapes", "area").await.generated, "");
        pg.assert_ints(areas, &[4, 9]).await;
    }
);
