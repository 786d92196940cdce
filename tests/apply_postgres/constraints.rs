//! Keys, constraints, indexes, table drops, hostile names and a plan touching several
//! tables at once.

use crate::catalog::with_pg;
use crate::{LogLine, Odd, ROWS, Reading, bank, kinds};
use dbconform::{ChangeKind, Table};

#[tokio::test]
async fn primary_key_added() {
    with_pg("apply_pk_add", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec("ALTER TABLE {S}.payments DROP CONSTRAINT payments_pkey")
            .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AddPrimaryKey], "{report}");
        assert!(
            pg.constraints("payments")
                .await
                .contains(&"payments_pkey: PRIMARY KEY (id)".to_string())
        );
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.payments").await, [2]);
    })
    .await;
}

#[tokio::test]
async fn primary_key_dropped_by_its_reflected_name() {
    with_pg("apply_pk_drop", |pg| async move {
        pg.exec(
            "CREATE SCHEMA {S}; \
             CREATE TABLE {S}.log_lines (message text CONSTRAINT \"Odd pk\" PRIMARY KEY); \
             INSERT INTO {S}.log_lines VALUES ('a'), ('b')",
        )
        .await;
        let report = pg.apply(&[LogLine::table_def()]).await;
        assert_eq!(kinds(&report), [ChangeKind::DropPrimaryKey], "{report}");
        assert!(pg.constraints("log_lines").await.is_empty());
        // The column keeps NOT NULL, as declared.
        assert!(pg.existing_column("log_lines", "message").await.not_null);
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.log_lines").await, [2]);
    })
    .await;
}

#[tokio::test]
async fn primary_key_columns_changed() {
    with_pg("apply_pk_alter", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.payments DROP CONSTRAINT payments_pkey; \
             ALTER TABLE {S}.payments ADD CONSTRAINT \"pay key\" PRIMARY KEY (id, account_id)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterPrimaryKey], "{report}");
        let constraints = pg.constraints("payments").await;
        assert!(
            constraints.contains(&"payments_pkey: PRIMARY KEY (id)".to_string()),
            "{constraints:?}"
        );
        assert!(!constraints.iter().any(|c| c.starts_with("pay key")));
    })
    .await;
}

#[tokio::test]
async fn unique_constraint_added_dropped_and_changed() {
    with_pg("apply_unique", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts DROP CONSTRAINT uq_accounts_email; \
             ALTER TABLE {S}.accounts ADD CONSTRAINT \"uq extra\" UNIQUE (balance)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::DropUnique, ChangeKind::AddUnique],
            "{report}"
        );
        let constraints = pg.constraints("accounts").await;
        assert!(constraints.contains(&"uq_accounts_email: UNIQUE (email)".to_string()));
        assert!(!constraints.iter().any(|c| c.starts_with("uq extra")));

        pg.exec(
            "ALTER TABLE {S}.accounts DROP CONSTRAINT uq_accounts_email; \
             ALTER TABLE {S}.accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email, balance)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterUnique], "{report}");
        assert!(
            pg.constraints("accounts")
                .await
                .contains(&"uq_accounts_email: UNIQUE (email)".to_string())
        );
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.accounts").await, [3]);
    })
    .await;
}

#[tokio::test]
async fn extra_unique_index_is_dropped_as_an_index() {
    with_pg("apply_unique_index", |pg| async move {
        pg.create(&bank()).await;
        pg.exec("CREATE UNIQUE INDEX \"ux Balance\" ON {S}.accounts (balance)")
            .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::DropIndex], "{report}");
        assert!(report.executed[0].step.sql[0].starts_with("DROP INDEX "));
        assert_eq!(
            pg.indexes("accounts").await,
            ["CREATE INDEX ix_accounts_email_created ON S.accounts USING btree (email, created_at)"]
        );
    })
    .await;
}

#[tokio::test]
async fn unique_index_standing_for_the_constraint_is_kept() {
    with_pg("apply_unique_as_index", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(
            "ALTER TABLE {S}.accounts DROP CONSTRAINT uq_accounts_email; \
             CREATE UNIQUE INDEX accounts_email_idx ON {S}.accounts (email)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert!(report.executed.is_empty(), "{report}");
    })
    .await;
}

#[tokio::test]
async fn foreign_key_added_dropped_and_changed() {
    with_pg("apply_fk", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
             ALTER TABLE {S}.payments ADD CONSTRAINT \"fk extra\" FOREIGN KEY (account_id) REFERENCES {S}.accounts (id)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::DropForeignKey, ChangeKind::AddForeignKey],
            "{report}"
        );
        let fk = "fk_payments_account_id: FOREIGN KEY (account_id) REFERENCES S.accounts(id) ON DELETE CASCADE";
        let found = pg.constraints("payments").await;
        assert!(found.contains(&fk.to_string()), "{found:?}");
        assert!(!found.iter().any(|c| c.starts_with("fk extra")));

        // Actions and target.
        pg.exec(
            "ALTER TABLE {S}.payments DROP CONSTRAINT fk_payments_account_id; \
             ALTER TABLE {S}.payments ADD CONSTRAINT fk_payments_account_id \
               FOREIGN KEY (account_id) REFERENCES {S}.payments (id) ON UPDATE CASCADE",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterForeignKey], "{report}");
        let found = pg.constraints("payments").await;
        assert!(found.contains(&fk.to_string()), "{found:?}");
        // Validated at once: nothing NOT VALID.
        assert!(!found.iter().any(|c| c.contains("NOT VALID")));
        // The cascade works.
        pg.exec("DELETE FROM {S}.accounts WHERE id = 1").await;
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.payments").await, [1]);
    })
    .await;
}

#[tokio::test]
async fn check_added_dropped_and_changed() {
    with_pg("apply_check", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        pg.exec(
            "ALTER TABLE {S}.accounts DROP CONSTRAINT ck_accounts_balance; \
             ALTER TABLE {S}.accounts ADD CONSTRAINT \"ck extra\" CHECK (balance < 1000000)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(
            kinds(&report),
            [ChangeKind::DropCheck, ChangeKind::AddCheck],
            "{report}"
        );
        let constraints = pg.constraints("accounts").await;
        assert!(constraints.contains(&"ck_accounts_balance: CHECK ((balance >= 0))".to_string()));
        assert!(!constraints.iter().any(|c| c.starts_with("ck extra")));

        pg.exec(
            "ALTER TABLE {S}.accounts DROP CONSTRAINT ck_accounts_balance; \
             ALTER TABLE {S}.accounts ADD CONSTRAINT ck_accounts_balance CHECK (balance >= -10)",
        )
        .await;
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AlterCheck], "{report}");
        assert!(
            pg.constraints("accounts")
                .await
                .contains(&"ck_accounts_balance: CHECK ((balance >= 0))".to_string())
        );
    })
    .await;
}

#[tokio::test]
async fn indexes_added_dropped_and_changed_keep_rows() {
    with_pg("apply_index", |pg| async move {
        pg.create(&bank()).await;
        pg.exec(ROWS).await;
        let declared =
            "CREATE INDEX ix_accounts_email_created ON S.accounts USING btree (email, created_at)";
        pg.exec(
            "DROP INDEX {S}.ix_accounts_email_created; \
             CREATE INDEX \"Ix Extra\" ON {S}.accounts (nickname) WHERE nickname IS NOT NULL",
        )
        .await;
        // The undeclared index is kept by default (allow_drop_extra_indexes is off).
        let report = pg.apply(&bank()).await;
        assert_eq!(kinds(&report), [ChangeKind::AddIndex], "{report}");
        assert_eq!(pg.indexes("accounts").await.len(), 2);
        assert!(pg.indexes("accounts").await.contains(&declared.to_string()));
        pg.exec("DROP INDEX {S}.\"Ix Extra\"").await;
        assert_eq!(pg.indexes("accounts").await, [declared]);

        for drift in [
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (email DESC, created_at)",
            "CREATE UNIQUE INDEX ix_accounts_email_created ON {S}.accounts (email, created_at)",
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (email, created_at) WHERE balance > 0",
            "CREATE INDEX ix_accounts_email_created ON {S}.accounts (created_at, email)",
        ] {
            pg.exec(&format!("DROP INDEX {{S}}.ix_accounts_email_created; {drift}"))
                .await;
            let report = pg.apply(&bank()).await;
            assert_eq!(kinds(&report), [ChangeKind::AlterIndex], "{drift}\n{report}");
            assert_eq!(pg.indexes("accounts").await, [declared], "{drift}");
        }
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.accounts").await, [3]);
    })
    .await;
}

#[tokio::test]
async fn extra_tables_dropped_without_cascade() {
    with_pg("apply_drop_table", |pg| async move {
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
        assert!(
            report
                .executed
                .iter()
                .filter(|e| e.step.kind == ChangeKind::DropTable)
                .all(|e| e.step.sql.iter().all(|s| !s.contains("CASCADE"))),
            "{report}"
        );
        assert_eq!(
            kinds(&report)
                .iter()
                .filter(|k| **k == ChangeKind::DropTable)
                .count(),
            2,
            "{report}"
        );
        assert_eq!(pg.tables().await, ["accounts", "payments"]);
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.accounts").await, [3]);
    })
    .await;
}

// ---------------------------------------------------------------- names and plans

#[tokio::test]
async fn hostile_names() {
    with_pg("apply_hostile", |pg| async move {
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
        assert_eq!(
            pg.existing_column(table, "Group").await.ty,
            "character varying(30)"
        );
        assert_eq!(
            pg.existing_column(table, "na\"me").await.default.as_deref(),
            Some("'it''s; fine'::text")
        );
        assert!(pg.column(table, "with space").await.is_some());
        assert_eq!(pg.indexes(table).await.len(), 1);
        assert_eq!(
            pg.table_comment(table).await.as_deref(),
            Some("It's \"odd\".")
        );
        assert_eq!(
            pg.strings("SELECT \"na\"\"me\" FROM {S}.\"Odd \"\"Table\"\"\"")
                .await,
            ["it's; fine"]
        );
    })
    .await;
}

#[tokio::test]
async fn many_changes_on_several_tables_in_one_apply() {
    with_pg("apply_many", |pg| async move {
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
        let db = pg.db().await;
        let plan = db.compare(&tables).await.unwrap();
        let report = pg.apply(&tables).await;
        assert_eq!(report.executed.len(), plan.steps().len(), "{report}");
        let mut executed = kinds(&report);
        executed.sort();
        executed.dedup();
        assert_eq!(
            executed,
            [
                ChangeKind::DropTable,
                ChangeKind::AddColumn,
                ChangeKind::DropColumn,
                ChangeKind::AlterColumn,
                ChangeKind::AddUnique,
                ChangeKind::AddForeignKey,
                ChangeKind::AddCheck,
                ChangeKind::AlterIndex,
                ChangeKind::SetTableComment,
            ],
            "{report}"
        );
        assert_eq!(pg.tables().await, ["accounts", "payments", "readings"]);
        assert_eq!(
            pg.ints("SELECT amount FROM {S}.payments ORDER BY id").await,
            [5, 7]
        );
        assert_eq!(
            pg.ints("SELECT value::int8 FROM {S}.readings ORDER BY id")
                .await,
            [1, 2]
        );
        assert_eq!(
            pg.strings("SELECT unit FROM {S}.readings ORDER BY id")
                .await,
            ["n/a", "n/a"]
        );
        assert_eq!(
            pg.ints("SELECT balance FROM {S}.accounts ORDER BY id")
                .await,
            [10, 20, 30]
        );
    })
    .await;
}

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

#[tokio::test]
async fn rewritten_expressions_converge() {
    with_pg("apply_rewritten", |pg| async move {
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
        assert_eq!(
            executed,
            [
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn,
                ChangeKind::AddCheck,
                ChangeKind::AddCheck,
                ChangeKind::AlterCheck,
                ChangeKind::AlterIndex,
            ],
            "{report}"
        );
        let constraints = pg.constraints("orders").await;
        for wanted in [
            "ck_orders_code: CHECK ((code ~~ 'O-%'::text))",
            "ck_orders_status: CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text, 'sent'::text])))",
            "ck_orders_total: CHECK (((total >= (0)::numeric) AND (total <= (1000)::numeric)))",
        ] {
            assert!(
                constraints.contains(&wanted.to_string()),
                "{wanted}\n{constraints:#?}"
            );
        }
        assert_eq!(
            pg.indexes("orders").await,
            ["CREATE INDEX ix_orders_open ON S.orders USING btree (placed_on) WHERE (status = ANY (ARRAY['new'::text, 'paid'::text]))"]
        );
        assert_eq!(
            pg.existing_column("orders", "placed_on").await.default.as_deref(),
            Some("(CURRENT_DATE + 1)")
        );
        assert_eq!(pg.ints("SELECT count(*) FROM {S}.orders").await, [2]);
    })
    .await;
}
