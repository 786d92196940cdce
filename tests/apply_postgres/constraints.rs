//! Keys, constraints, indexes, table drops, hostile names and a plan touching several
//! tables at once.

use crate::catalog::{Pg, pg_test};
use crate::{LogLine, Odd, ROWS, Reading, bank, kinds};
use dbconform::ChangeKind::{
    self, AddCheck, AddColumn, AddForeignKey, AddIndex, AddPrimaryKey, AddUnique, AlterCheck,
    AlterColumn, AlterForeignKey, AlterIndex, AlterPrimaryKey, AlterUnique, DropCheck, DropColumn,
    DropForeignKey, DropIndex, DropPrimaryKey, DropTable, DropUnique, SetTableComment,
};
use dbconform::Table;

pg_test!(primary_key_added, |pg| async move {
    let drift = "ALTER TABLE {S}.payments DROP CONSTRAINT payments_pkey";
    pg.drifted(&bank(), &[ROWS, drift], &[AddPrimaryKey]).await;
    pg.assert_constraint("payments", "payments_pkey: PRIMARY KEY (id)")
        .await;
    pg.assert_ints("SELECT count(*) FROM {S}.payments", &[2])
        .await;
});

pg_test!(primary_key_dropped_by_its_reflected_name, |pg| async move {
    pg.exec(
        "CREATE SCHEMA {S}; \
         CREATE TABLE {S}.log_lines (message text CONSTRAINT \"Odd pk\" PRIMARY KEY); \
         INSERT INTO {S}.log_lines VALUES ('a'), ('b')",
    )
    .await;
    pg.applied(&[LogLine::table_def()], &[DropPrimaryKey]).await;
    assert!(pg.constraints("log_lines").await.is_empty());
    // The column keeps NOT NULL, as declared.
    assert!(pg.existing_column("log_lines", "message").await.not_null);
    pg.assert_ints("SELECT count(*) FROM {S}.log_lines", &[2])
        .await;
});

pg_test!(primary_key_columns_changed, |pg| async move {
    let drift = "ALTER TABLE {S}.payments DROP CONSTRAINT payments_pkey; \
                 ALTER TABLE {S}.payments ADD CONSTRAINT \"pay key\" PRIMARY KEY (id, account_id)";
    pg.drifted(&bank(), &[ROWS, drift], &[AlterPrimaryKey])
        .await;
    pg.assert_constraint("payments", "payments_pkey: PRIMARY KEY (id)")
        .await;
    pg.assert_no_constraint("payments", "pay key").await;
});

/// A declared constraint of `accounts` replaced by an undeclared one, then changed in
/// place: the unique and the check tests alike.
struct Replaced {
    /// The declared constraint's name and definition, as `pg_get_constraintdef` writes it.
    name: &'static str,
    definition: &'static str,
    /// The undeclared constraint's name and definition, put in the declared one's place.
    extra_name: &'static str,
    extra_definition: &'static str,
    /// Another definition for the declared constraint, under its name.
    changed: &'static str,
    /// The steps that undo the replacement (drop the extra constraint, add the declared
    /// one back), and the one that undoes the change.
    dropped: ChangeKind,
    added: ChangeKind,
    altered: ChangeKind,
}

/// Runs `case` on `bank()` with rows: after each apply the declared constraint is back,
/// and the rows are all there.
async fn replaced_then_changed(pg: &Pg, case: Replaced) {
    let Replaced {
        name,
        definition,
        extra_name: extra,
        extra_definition,
        changed,
        dropped,
        added,
        altered,
    } = case;
    let declared = format!("{name}: {definition}");
    let drop = format!("ALTER TABLE {{S}}.accounts DROP CONSTRAINT {name}");
    let replace =
        format!("{drop}; ALTER TABLE {{S}}.accounts ADD CONSTRAINT \"{extra}\" {extra_definition}");
    pg.drifted(&bank(), &[ROWS, &replace], &[dropped, added])
        .await;
    pg.assert_constraint("accounts", &declared).await;
    pg.assert_no_constraint("accounts", extra).await;
    pg.exec(&format!(
        "{drop}; ALTER TABLE {{S}}.accounts ADD CONSTRAINT {name} {changed}"
    ))
    .await;
    pg.applied(&bank(), &[altered]).await;
    pg.assert_constraint("accounts", &declared).await;
    pg.assert_ints("SELECT count(*) FROM {S}.accounts", &[3])
        .await;
}

pg_test!(
    unique_constraint_added_dropped_and_changed,
    |pg| async move {
        replaced_then_changed(
            &pg,
            Replaced {
                name: "uq_accounts_email",
                definition: "UNIQUE (email)",
                extra_name: "uq extra",
                extra_definition: "UNIQUE (balance)",
                changed: "UNIQUE (email, balance)",
                dropped: DropUnique,
                added: AddUnique,
                altered: AlterUnique,
            },
        )
        .await;
    }
);

pg_test!(check_added_dropped_and_changed, |pg| async move {
    replaced_then_changed(
        &pg,
        Replaced {
            name: "ck_accounts_balance",
            definition: "CHECK ((balance >= 0))",
            extra_name: "ck extra",
            extra_definition: "CHECK (balance < 1000000)",
            changed: "CHECK (balance >= -10)",
            dropped: DropCheck,
            added: AddCheck,
            altered: AlterCheck,
        },
    )
    .await;
});

/// The declared index of `accounts`, as [`Pg::indexes`] writes it.
const DECLARED_INDEX: &str =
    "CREATE INDEX ix_accounts_email_created ON S.accounts USING btree (email, created_at)";

pg_test!(extra_unique_index_is_dropped_as_an_index, |pg| async move {
    let drift = "CREATE UNIQUE INDEX \"ux Balance\" ON {S}.accounts (balance)";
    let report = pg.drifted(&bank(), &[drift], &[DropIndex]).await;
    assert!(report.executed[0].step.sql[0].starts_with("DROP INDEX "));
    pg.assert_indexes("accounts", &[DECLARED_INDEX]).await;
});

pg_test!(
    unique_index_standing_for_the_constraint_is_kept,
    |pg| async move {
        let drift = "ALTER TABLE {S}.accounts DROP CONSTRAINT uq_accounts_email; \
                 CREATE UNIQUE INDEX accounts_email_idx ON {S}.accounts (email)";
        pg.drifted(&bank(), &[drift], &[]).await;
    }
);

pg_test!(foreign_key_added_dropped_and_changed, |pg| async move {
    let drift = "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
                 ALTER TABLE {S}.payments ADD CONSTRAINT \"fk extra\" FOREIGN KEY (account_id) REFERENCES {S}.accounts (id)";
    pg.drifted(&bank(), &[ROWS, drift], &[DropForeignKey, AddForeignKey])
        .await;
    let fk = "fk_payments_account_id: FOREIGN KEY (account_id) REFERENCES S.accounts(id) ON DELETE CASCADE";
    pg.assert_constraint("payments", fk).await;
    pg.assert_no_constraint("payments", "fk extra").await;

    // Actions and target.
    pg.exec(
        "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
         ALTER TABLE {S}.payments ADD CONSTRAINT fk_payments_account_id \
           FOREIGN KEY (account_id) REFERENCES {S}.payments (id) ON UPDATE CASCADE",
    )
    .await;
    pg.applied(&bank(), &[AlterForeignKey]).await;
    pg.assert_constraint("payments", fk).await;
    // Validated at once: nothing NOT VALID.
    let found = pg.constraints("payments").await;
    assert!(!found.iter().any(|c| c.contains("NOT VALID")), "{found:#?}");
    // The cascade works.
    pg.exec("DELETE FROM {S}.accounts WHERE id = 1").await;
    pg.assert_ints("SELECT count(*) FROM {S}.payments", &[1])
        .await;
});

pg_test!(
    indexes_added_dropped_and_changed_keep_rows,
    |pg| async move {
        let drift = "DROP INDEX {S}.ix_accounts_email_created; \
                 CREATE INDEX \"Ix Extra\" ON {S}.accounts (nickname) WHERE nickname IS NOT NULL";
        // The undeclared index is kept by default (allow_drop_extra_indexes is off).
        pg.drifted(&bank(), &[ROWS, drift], &[AddIndex]).await;
        assert_eq!(pg.indexes("accounts").await.len(), 2);
        let indexes = pg.indexes("accounts").await;
        assert!(indexes.iter().any(|i| i == DECLARED_INDEX), "{indexes:#?}");
        pg.exec("DROP INDEX {S}.\"Ix Extra\"").await;
        pg.assert_indexes("accounts", &[DECLARED_INDEX]).await;

        for drift in [
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (email DESC, created_at)",
            "CREATE UNIQUE INDEX ix_accounts_email_created ON {S}.accounts (email, created_at)",
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (email, created_at) WHERE balance > 0",
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (created_at, email)",
        ] {
            pg.exec(&format!(
                "DROP INDEX {{S}}.ix_accounts_email_created; {drift}"
            ))
            .await;
            let report = pg.apply(&bank()).await;
            assert_eq!(kinds(&report), [AlterIndex], "{drift}\n{report}");
            assert_eq!(pg.indexes("accounts").await, [DECLARED_INDEX], "{drift}");
        }
        pg.assert_ints("SELECT count(*) FROM {S}.accounts", &[3])
            .await;
    }
);

pg_test!(extra_tables_dropped_without_cascade, |pg| async move {
    pg.create(&bank()).await;
    pg.exec(ROWS).await;
    pg.exec(
        "CREATE TABLE {S}.legacy_parent (id int PRIMARY KEY); \
         CREATE TABLE {S}.legacy_child (id int PRIMARY KEY, \
           parent_id int REFERENCES {S}.legacy_parent (id), \
           account_id bigint REFERENCES {S}.accounts (id)); \
         INSERT INTO {S}.legacy_parent VALUES (1); \
         INSERT INTO {S}.legacy_child VALUES (1, 1, 1)",
    )
    .await;
    let report = pg.apply(&bank()).await;
    let mut drops = report.executed.iter().filter(|e| e.step.kind == DropTable);
    let cascades = drops.any(|e| e.step.sql.iter().any(|s| s.contains("CASCADE")));
    assert!(!cascades, "{report}");
    let dropped = kinds(&report).iter().filter(|k| **k == DropTable).count();
    assert_eq!(dropped, 2, "{report}");
    assert_eq!(pg.tables().await, ["accounts", "payments"]);
    pg.assert_ints("SELECT count(*) FROM {S}.accounts", &[3])
        .await;
});

// ---------------------------------------------------------------- names and plans

pg_test!(hostile_names, |pg| async move {
    pg.create(&[Odd::table_def()]).await;
    pg.exec(
        "INSERT INTO {S}.\"Odd \"\"Table\"\"\" (\"order\", \"Group\") VALUES (1, 'g'); \
         ALTER TABLE {S}.\"Odd \"\"Table\"\"\" ALTER COLUMN \"Group\" TYPE varchar(10); \
         ALTER TABLE {S}.\"Odd \"\"Table\"\"\" ALTER COLUMN \"na\"\"me\" DROP DEFAULT; \
         ALTER TABLE {S}.\"Odd \"\"Table\"\"\" DROP COLUMN \"with space\"; \
         DROP INDEX {S}.\"ix \"\"Group\"\"\"; \
         COMMENT ON TABLE {S}.\"Odd \"\"Table\"\"\" IS NULL",
    )
    .await;
    let report = pg.apply(&[Odd::table_def()]).await;
    assert_eq!(report.executed.len(), 6, "{report}");
    let table = "Odd \"Table\"";
    let group = pg.existing_column(table, "Group").await;
    assert_eq!(group.ty, "character varying(30)");
    let name = pg.existing_column(table, "na\"me").await;
    assert_eq!(name.default.as_deref(), Some("'it''s; fine'::text"));
    assert!(pg.column(table, "with space").await.is_some());
    assert_eq!(pg.indexes(table).await.len(), 1);
    let comment = pg.table_comment(table).await;
    assert_eq!(comment.as_deref(), Some("It's \"odd\"."));
    let names = "SELECT \"na\"\"me\" FROM {S}.\"Odd \"\"Table\"\"\"";
    pg.assert_strings(names, &["it's; fine"]).await;
});

pg_test!(
    many_changes_on_several_tables_in_one_apply,
    |pg| async move {
        let mut tables = bank();
        tables.push(Reading::table_def());
        pg.create(&tables).await;
        pg.exec(ROWS).await;
        pg.exec(
            "INSERT INTO {S}.readings (value) VALUES (1), (2); \
         ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
         ALTER TABLE {S}.payments ALTER COLUMN amount TYPE integer; \
         ALTER TABLE {S}.payments ADD COLUMN legacy text; \
         ALTER TABLE {S}.accounts DROP CONSTRAINT uq_accounts_email; \
         ALTER TABLE {S}.accounts DROP CONSTRAINT ck_accounts_balance; \
         ALTER TABLE {S}.accounts ALTER COLUMN balance SET DEFAULT 9; \
         ALTER TABLE {S}.accounts ALTER COLUMN email TYPE varchar(50); \
         DROP INDEX {S}.ix_accounts_email_created; \
         CREATE INDEX ix_accounts_email_created ON {S}.accounts (created_at); \
         COMMENT ON TABLE {S}.accounts IS 'old'; \
         ALTER TABLE {S}.readings ALTER COLUMN value TYPE text; \
         ALTER TABLE {S}.readings DROP COLUMN unit; \
         CREATE TABLE {S}.legacy (x int)",
        )
        .await;
        let plan = pg.db().await.compare(&tables).await.unwrap();
        let report = pg.apply(&tables).await;
        assert_eq!(report.executed.len(), plan.steps().len(), "{report}");
        let mut executed = kinds(&report);
        executed.sort();
        executed.dedup();
        let expected = [
            DropTable,
            AddColumn,
            DropColumn,
            AlterColumn,
            AddUnique,
            AddForeignKey,
            AddCheck,
            AlterIndex,
            SetTableComment,
        ];
        assert_eq!(executed, expected, "{report}");
        assert_eq!(pg.tables().await, ["accounts", "payments", "readings"]);
        let amounts = "SELECT amount FROM {S}.payments ORDER BY id";
        pg.assert_ints(amounts, &[5, 7]).await;
        let values = "SELECT value::int8 FROM {S}.readings ORDER BY id";
        pg.assert_ints(values, &[1, 2]).await;
        let units = "SELECT unit FROM {S}.readings ORDER BY id";
        pg.assert_strings(units, &["n/a", "n/a"]).await;
        let balances = "SELECT balance FROM {S}.accounts ORDER BY id";
        pg.assert_ints(balances, &[10, 20, 30]).await;
    }
);

// Expressions PostgreSQL stores in its own spelling: casts, `= ANY (ARRAY[..])`,
// `BETWEEN` expanded, `~~`, typed literals.
#[derive(Table)]
#[table(name = "orders")]
#[index(
    name = "ix_orders_open",
    columns("placed_on"),
    predicate = "status IN ('new', 'paid')"
)]
#[check(name = "ck_orders_status", expr = "status IN ('new', 'paid', 'sent')")]
#[check(name = "ck_orders_total", expr = "total BETWEEN 0 AND 1000")]
#[check(name = "ck_orders_code", expr = "code LIKE 'O-%'")]
pub(crate) struct Order {
    #[column(primary_key)]
    id: i64,
    #[column(default = "'new'")]
    status: String,
    #[column(sql_type = "NUMERIC(10,2)", default = "0")]
    total: String,
    #[column(default = "'O-1'")]
    code: String,
    #[column(sql_type = "DATE", default = "CURRENT_DATE + 1")]
    placed_on: String,
    #[column(sql_type = "TIMESTAMPTZ", default = "now()")]
    seen_at: String,
}

pg_test!(rewritten_expressions_converge, |pg| async move {
    pg.create(&[Order::table_def()]).await;
    pg.exec(
        "INSERT INTO {S}.orders (total) VALUES (5), (7); \
         ALTER TABLE {S}.orders DROP CONSTRAINT ck_orders_status; \
         ALTER TABLE {S}.orders DROP CONSTRAINT ck_orders_code; \
         ALTER TABLE {S}.orders DROP CONSTRAINT ck_orders_total; \
         ALTER TABLE {S}.orders ADD CONSTRAINT ck_orders_total CHECK (total >= 0); \
         DROP INDEX {S}.ix_orders_open; \
         CREATE INDEX ix_orders_open ON {S}.orders (placed_on) WHERE status = 'new'; \
         ALTER TABLE {S}.orders ALTER COLUMN status DROP DEFAULT; \
         ALTER TABLE {S}.orders ALTER COLUMN placed_on SET DEFAULT CURRENT_DATE; \
         ALTER TABLE {S}.orders ALTER COLUMN seen_at DROP DEFAULT",
    )
    .await;
    let report = pg.apply(&[Order::table_def()]).await;
    let mut executed = kinds(&report);
    executed.sort();
    let expected = [
        AlterColumn,
        AlterColumn,
        AlterColumn,
        AddCheck,
        AddCheck,
        AlterCheck,
        AlterIndex,
    ];
    assert_eq!(executed, expected, "{report}");
    for wanted in [
        "ck_orders_code: CHECK ((code ~~ 'O-%'::text))",
        "ck_orders_status: CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text, 'sent'::text])))",
        "ck_orders_total: CHECK (((total >= (0)::numeric) AND (total <= (1000)::numeric)))",
    ] {
        pg.assert_constraint("orders", wanted).await;
    }
    pg.assert_indexes(
        "orders",
        &["CREATE INDEX ix_orders_open ON S.orders USING btree (placed_on) WHERE (status = ANY (ARRAY['new'::text, 'paid'::text]))"],
    )
    .await;
    let placed_on = pg.existing_column("orders", "placed_on").await;
    assert_eq!(placed_on.default.as_deref(), Some("(CURRENT_DATE + 1)"));
    pg.assert_ints("SELECT count(*) FROM {S}.orders", &[2])
        .await;
});
