//! Changes only a table rebuild can make, one case per kind of change: `compare` shows one
//! `rebuild table` step holding the change (with why it needs a rebuild) and every other
//! change of that table; `apply` rebuilds the table, after which the table's catalog
//! entries are exactly those of a fresh database created from the declaration, every
//! value of every column that survives is unchanged, the foreign keys check clean and
//! `compare` is empty. With `allow_sqlite_table_rebuild = false` the changes are blocked
//! with that flag while the independent step (a missing index) still applies.

use super::*;

/// A drift needing a rebuild, made next to a missing `ix_accounts_email_created` (the
/// independent step).
struct Case {
    tables: fn() -> Vec<TableDef>,
    mutate: fn(String) -> String,
    options: fn() -> Options,
    /// `(description, rebuild reason)` of every change needing a rebuild, in plan order.
    rebuilds: &'static [(&'static str, &'static str)],
    /// The database's message when the rebuild must fail (and change nothing).
    fails: Option<&'static str>,
}

const INDEX_STEP: &str = "add index ix_accounts_email_created on main.accounts";
const INDEX_SQL: &str = "index ix_accounts_email_created: CREATE INDEX \"ix_accounts_email_created\" ON \"accounts\" (\"email\", \"created_at\")";

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

/// A fresh database created by dbconform from `tables`.
async fn fresh(tables: &[TableDef]) -> Db {
    let db = Db::drifted(tables, |s| s).await;
    db.conform(Options::default())
        .await
        .apply(tables)
        .await
        .unwrap();
    db
}

async fn check(case: Case) {
    check_rebuild(&case).await;
    check_refused(&case).await;
}

impl Case {
    /// The case's declared tables and options, and its drifted database (which also
    /// lacks `ix_accounts_email_created`).
    async fn drifted(&self) -> (Vec<TableDef>, Options, Db) {
        let tables = (self.tables)();
        let db = Db::drifted(&tables, |s| without_accounts_index((self.mutate)(s))).await;
        (tables, (self.options)(), db)
    }
}

async fn check_rebuild(case: &Case) {
    let (tables, options, db) = case.drifted().await;

    // compare: one rebuild step holding the changes, and the native index step unless the
    // rebuilt table is `accounts` (the rebuild then creates the index too).
    let conform = db.conform(options.clone()).await;
    let plan = conform.compare(&tables).await.unwrap();
    assert!(plan.blocked().is_empty(), "{plan}");
    assert!(plan.steps().iter().all(|s| !s.sql.is_empty()), "{plan}");
    let rebuilds: Vec<&dbconform::Step> = plan
        .steps()
        .iter()
        .filter(|s| s.kind == dbconform::ChangeKind::RebuildTable)
        .collect();
    assert_eq!(rebuilds.len(), 1, "{plan}");
    let rebuild = rebuilds[0];
    let table = rebuild.table.clone().unwrap();
    let parts: Vec<String> = rebuild.parts.iter().map(|p| p.describe()).collect();
    assert!(rebuild.parts.iter().all(|p| p.sql.is_empty()), "{plan}");
    let why = rebuild.rebuild.clone().unwrap_or_default();
    for &(description, reason) in case.rebuilds {
        assert!(
            parts.iter().any(|p| p == description),
            "{description} not in {parts:?}"
        );
        assert!(why.contains(reason), "{reason} not in {why}");
    }
    assert_eq!(rebuild.code, "DC059");
    assert!(rebuild.risk >= dbconform::Risk::Caution);
    let native: Vec<String> = plan
        .steps()
        .iter()
        .filter(|s| s.kind != dbconform::ChangeKind::RebuildTable)
        .map(|s| s.describe())
        .collect();
    if table.name == "accounts" {
        assert!(native.is_empty(), "{plan}");
        assert!(parts.contains(&INDEX_STEP.to_string()), "{plan}");
    } else {
        assert_eq!(native, [INDEX_STEP], "{plan}");
    }
    let script = plan.to_sql();
    assert!(
        script.contains("PRAGMA foreign_keys=OFF;") && script.contains("PRAGMA foreign_key_check;"),
        "{script}"
    );

    // apply: the table is rebuilt, or (when it must fail) nothing changes.
    let (dir, snapshot) = common::sqlite_file();
    let copy = snapshot
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    db.exec(&format!("VACUUM INTO '{copy}'")).await;
    let before = db.state().await;
    let outcome = conform.apply(&tables).await;
    if let Some(message) = case.fails {
        let error = outcome.unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
        assert_eq!(db.state().await, before);
        return;
    }
    let report = outcome.unwrap_or_else(|e| panic!("{e}\n{plan}"));
    assert_eq!(report.executed.len(), plan.steps().len(), "{report}");

    // The catalog: the rebuilt table is what a fresh database has.
    let fresh = fresh(&tables).await;
    for name in [table.name.as_str(), "accounts", "payments"] {
        assert_eq!(db.sql_of(name).await, fresh.sql_of(name).await, "{name}");
        assert_eq!(db.columns(name).await, fresh.columns(name).await, "{name}");
        assert_eq!(db.indexes(name).await, fresh.indexes(name).await, "{name}");
    }
    // The rows: every surviving column keeps every value (the old database is read from
    // the copy taken before the apply).
    let old = Db::open(dir, snapshot).await;
    for table in tables.iter().map(|t| t.name.as_str()) {
        let after = db.column_names(table).await;
        let common: Vec<String> = old
            .column_names(table)
            .await
            .into_iter()
            .filter(|c| after.contains(c))
            .collect();
        assert_eq!(
            db.rows_of(table, &common).await,
            old.rows_of(table, &common).await,
            "{table}"
        );
    }
    let violations: i64 = sqlx::query_scalar("SELECT count(*) FROM pragma_foreign_key_check")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(violations, 0);
    let again = conform.compare(&tables).await.unwrap();
    assert!(again.is_empty(), "{again}");
}

/// Rebuilds not allowed: blocked with the flag's name; the index is created.
async fn check_refused(case: &Case) {
    let (tables, options, db) = case.drifted().await;
    let before = db.state().await;
    let refused = Options {
        allow_sqlite_table_rebuild: false,
        ..options
    };
    let conform = db.conform(refused).await;
    let plan = conform.compare(&tables).await.unwrap();
    let blocked: Vec<(String, String, String)> = plan
        .blocked()
        .iter()
        .map(|b| {
            let why = b.step.rebuild.clone().unwrap_or_default();
            (b.step.describe(), why, b.unlocked_by.clone())
        })
        .collect();
    let flagged: Vec<(String, String, String)> = case
        .rebuilds
        .iter()
        .map(|(d, r)| {
            (
                d.to_string(),
                r.to_string(),
                "allow_sqlite_table_rebuild".to_string(),
            )
        })
        .collect();
    assert_eq!(blocked, flagged, "\n{plan}");
    assert_eq!(steps(&plan).len(), 1, "{plan}");
    let report = conform.apply(&tables).await.unwrap();
    let executed: Vec<String> = report.executed.iter().map(|e| e.step.describe()).collect();
    assert_eq!(executed, [INDEX_STEP]);
    assert_eq!(report.blocked.len(), case.rebuilds.len());
    let (schema, rows) = db.state().await;
    let mut wanted = before.0.clone();
    wanted.push(INDEX_SQL.to_string());
    assert_eq!(sorted(schema), sorted(wanted));
    assert_eq!(rows, before.1);
    let again = conform.compare(&tables).await.unwrap();
    assert!(again.steps().is_empty(), "{again}");
    assert_eq!(again.blocked().len(), case.rebuilds.len(), "{again}");
}

fn defaults() -> Options {
    Options::default()
}

/// `accounts` with an extra `legacy INTEGER` column and `constraint` on it.
fn with_legacy(sql: String, constraint: &str) -> String {
    let sql = with_legacy_column(&sql);
    replace_once(
        &sql,
        "CHECK (balance >= 0)",
        &format!("CHECK (balance >= 0),\n  {constraint}"),
    )
}

macro_rules! case {
    ($name:ident, $case:expr) => {
        #[tokio::test]
        async fn $name() {
            check($case).await;
        }
    };
}

case!(
    alter_column_type,
    Case {
        tables,
        mutate: |s| replace_once(&s, "\"amount\" BIGINT", "\"amount\" INTEGER"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "alter column main.payments.amount (type)",
            "SQLite cannot change a column's type with ALTER TABLE"
        )],
    }
);

case!(
    alter_column_nullability,
    Case {
        tables,
        mutate: |s| replace_once(&s, "\"nickname\" TEXT,", "\"nickname\" TEXT NOT NULL,"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "alter column main.accounts.nickname (nullability)",
            "SQLite cannot change a column's nullability with ALTER TABLE"
        )],
    }
);

case!(
    alter_column_default,
    Case {
        tables,
        mutate: |s| replace_once(&s, "DEFAULT 0", "DEFAULT 5"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "alter column main.accounts.balance (default)",
            "SQLite cannot change a column's default with ALTER TABLE"
        )],
    }
);

case!(
    add_not_null_column_without_default,
    Case {
        tables,
        mutate: |s| without_line(&s, "\"amount\" BIGINT NOT NULL"),
        // `payments` has rows, so the data check would block the step as one that must
        // fail; without it, the step shows why it needs a rebuild.
        options: || with(|o| o.skip_data_checks = true),
        fails: Some("NOT NULL constraint failed: dbconform_new_payments.amount"),
        rebuilds: &[(
            "add column main.payments.amount",
            "SQLite cannot add a NOT NULL column without a default with ALTER TABLE"
        )],
    }
);

case!(
    add_column_with_non_constant_default,
    Case {
        tables,
        mutate: |s| without_line(&s, "\"opened_at\" TIMESTAMP DEFAULT CURRENT_TIMESTAMP"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "add column main.accounts.opened_at",
            "SQLite cannot add a column with a non-constant default (CURRENT_TIMESTAMP) with ALTER TABLE"
        )],
    }
);

case!(
    drop_column_a_check_uses,
    Case {
        tables,
        mutate: |s| with_legacy(s, "CONSTRAINT \"ck_legacy\" CHECK (legacy > 0)"),
        options: drop_columns,
        fails: None,
        rebuilds: &[
            (
                "drop check ck_legacy on main.accounts",
                "SQLite cannot drop a CHECK constraint with ALTER TABLE"
            ),
            (
                "drop column main.accounts.legacy",
                "SQLite cannot drop a column a CHECK constraint uses with ALTER TABLE: check `ck_legacy` (legacy > 0) mentions `legacy`"
            ),
        ],
    }
);

case!(
    drop_unique_column,
    Case {
        tables,
        mutate: |s| with_legacy(s, "CONSTRAINT \"uq_legacy\" UNIQUE (\"legacy\")"),
        options: drop_columns,
        fails: None,
        rebuilds: &[
            (
                "drop unique uq_legacy on main.accounts",
                "SQLite cannot drop a UNIQUE constraint (only an index created with CREATE UNIQUE INDEX can be dropped on its own) with ALTER TABLE"
            ),
            (
                "drop column main.accounts.legacy",
                "SQLite cannot drop a UNIQUE column with ALTER TABLE: `legacy` is in unique constraint `uq_legacy`"
            ),
        ],
    }
);

case!(
    add_primary_key,
    Case {
        tables,
        mutate: |s| in_table(&s, "payments", |t| replace_once(
            t,
            " PRIMARY KEY AUTOINCREMENT",
            ""
        )),
        options: defaults,
        fails: None,
        rebuilds: &[
            (
                "alter column main.payments.id (auto-increment)",
                "SQLite cannot change a column's auto-increment with ALTER TABLE"
            ),
            (
                "add primary key (id) on main.payments",
                "SQLite cannot add a primary key to an existing table with ALTER TABLE"
            ),
        ],
    }
);

case!(
    alter_primary_key,
    Case {
        tables,
        mutate: |s| in_table(&s, "payments", |t| {
            let t = replace_once(t, " PRIMARY KEY AUTOINCREMENT", "");
            replace_once(
                &t,
                "\"amount\" BIGINT NOT NULL,",
                "\"amount\" BIGINT NOT NULL,\n  PRIMARY KEY (\"id\", \"account_id\"),",
            )
        }),
        options: defaults,
        fails: None,
        rebuilds: &[
            (
                "alter column main.payments.id (auto-increment)",
                "SQLite cannot change a column's auto-increment with ALTER TABLE"
            ),
            (
                "change primary key on main.payments from (id, account_id) to (id)",
                "SQLite cannot change the columns of a primary key with ALTER TABLE"
            ),
        ],
    }
);

case!(
    drop_primary_key,
    Case {
        tables: || vec![accounts(), Payment::table_def(), LogLine::table_def()],
        mutate: |s| replace_once(
            &s,
            "\"message\" TEXT NOT NULL\n",
            "\"message\" TEXT NOT NULL PRIMARY KEY\n"
        ),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "drop primary key on main.log_lines",
            "SQLite cannot drop a primary key with ALTER TABLE"
        )],
    }
);

case!(
    add_unique,
    Case {
        tables,
        mutate: |s| without_line(&s, "CONSTRAINT \"uq_accounts_email\""),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "add unique uq_accounts_email on main.accounts",
            "SQLite cannot add a UNIQUE constraint to an existing table with ALTER TABLE"
        )],
    }
);

case!(
    drop_unique,
    Case {
        tables,
        mutate: |s| replace_once(
            &s,
            "UNIQUE (\"email\")",
            "UNIQUE (\"email\"),\n  CONSTRAINT \"uq_extra\" UNIQUE (\"balance\")"
        ),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "drop unique uq_extra on main.accounts",
            "SQLite cannot drop a UNIQUE constraint (only an index created with CREATE UNIQUE INDEX can be dropped on its own) with ALTER TABLE"
        )],
    }
);

case!(
    alter_unique,
    Case {
        tables,
        mutate: |s| replace_once(&s, "UNIQUE (\"email\")", "UNIQUE (\"email\", \"balance\")"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "change unique uq_accounts_email on main.accounts",
            "SQLite cannot change the columns of a UNIQUE constraint with ALTER TABLE"
        )],
    }
);

case!(
    add_foreign_key,
    Case {
        tables,
        mutate: |s| without_line(&s, "CONSTRAINT \"fk_payments_account_id\""),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "add foreign key fk_payments_account_id on main.payments",
            "SQLite cannot add a foreign key to an existing table with ALTER TABLE"
        )],
    }
);

case!(
    drop_foreign_key,
    Case {
        tables,
        mutate: |s| replace_once(
            &s,
            "ON DELETE CASCADE",
            "ON DELETE CASCADE,\n  CONSTRAINT \"fk_extra\" FOREIGN KEY (\"id\") REFERENCES \"payments\" (\"id\")"
        ),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "drop foreign key fk_extra on main.payments",
            "SQLite cannot drop a foreign key with ALTER TABLE"
        )],
    }
);

case!(
    alter_foreign_key,
    Case {
        tables,
        mutate: |s| replace_once(&s, "ON DELETE CASCADE", "ON DELETE RESTRICT"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "change foreign key fk_payments_account_id on main.payments",
            "SQLite cannot change the columns, target or actions of a foreign key with ALTER TABLE"
        )],
    }
);

case!(
    add_check,
    Case {
        tables,
        mutate: |s| without_line(&s, "CONSTRAINT \"ck_accounts_balance\""),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "add check ck_accounts_balance on main.accounts",
            "SQLite cannot add a CHECK constraint to an existing table with ALTER TABLE"
        )],
    }
);

case!(
    drop_check,
    Case {
        tables,
        mutate: |s| replace_once(
            &s,
            "CHECK (balance >= 0)",
            "CHECK (balance >= 0),\n  CONSTRAINT \"ck_extra\" CHECK (balance < 1000000)"
        ),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "drop check ck_extra on main.accounts",
            "SQLite cannot drop a CHECK constraint with ALTER TABLE"
        )],
    }
);

case!(
    alter_check,
    Case {
        tables,
        mutate: |s| replace_once(&s, "CHECK (balance >= 0)", "CHECK (balance >= -10)"),
        options: defaults,
        fails: None,
        rebuilds: &[(
            "change check ck_accounts_balance on main.accounts",
            "SQLite cannot change the expression of a CHECK constraint with ALTER TABLE"
        )],
    }
);

#[tokio::test]
async fn dropping_a_table_never_fires_a_cascade_a_blocked_foreign_key_drop_left_behind() {
    // `payments` (declared) has an undeclared foreign key to the undeclared `legacy`, with
    // ON DELETE CASCADE. Dropping that key needs a rebuild; refused, it stays, so dropping
    // `legacy` runs an implicit DELETE (foreign keys are enforced) that cascades into
    // `payments` and deletes every row. The DROP TABLE must wait with the key's drop.
    let db = Db::drifted(&tables(), |s| {
        let s = replace_once(
            &s,
            "\"amount\" BIGINT NOT NULL,",
            "\"amount\" BIGINT NOT NULL,\n  \"legacy_id\" INTEGER,\n  CONSTRAINT \"fk_legacy\" FOREIGN KEY (\"legacy_id\") REFERENCES \"legacy\" (\"id\") ON DELETE CASCADE,",
        );
        format!("CREATE TABLE legacy (id INTEGER PRIMARY KEY, x TEXT);\n{s}")
    })
    .await;
    db.exec("UPDATE payments SET legacy_id = 1").await;
    let options = with(|o| {
        o.allow_drop_extra_tables = true;
        o.allow_sqlite_table_rebuild = false;
    });
    let conform = db.conform(options).await;
    let plan = conform.compare(&tables()).await.unwrap();
    let outcome = conform.apply(&tables()).await;
    let payments = db
        .rows_of("payments", &["id", "account_id", "amount"])
        .await;
    assert_eq!(
        payments,
        strings(&[
            "payments: 10|1|500",
            "payments: 11|2|700",
            "payments: 12|1|3",
        ]),
        "\n{plan}\n{outcome:?}"
    );
}

#[tokio::test]
async fn an_indexed_column_whose_index_the_policy_keeps_is_kept_as_drift() {
    // With allow_drop_extra_indexes off (the default) the index is kept as drift, so the column
    // it uses is kept too (SQLite refuses DROP COLUMN on an indexed column): both are
    // drift, the plan is empty, and the apply succeeds without changing anything.
    let db = Db::drifted(&tables(), |s| {
        let s = with_legacy_column(&s);
        format!("{s}CREATE INDEX \"ix_legacy\" ON \"accounts\" (\"legacy\");\n")
    })
    .await;
    let before = db.state().await;
    let options = with(|o| {
        o.allow_drop_extra_columns = true;
    });
    let conform = db.conform(options).await;
    let plan = conform.compare(&tables()).await.unwrap();
    assert!(plan.is_empty(), "{plan}");
    let mut drift: Vec<(String, String)> = plan
        .drift()
        .iter()
        .map(|d| (d.table.to_string(), d.description.clone()))
        .collect();
    drift.sort();
    assert_eq!(
        drift,
        [
            (
                "main.accounts".to_string(),
                "extra column `legacy` (kept: index `ix_legacy` uses it and set allow_drop_extra_indexes to drop it)".to_string()
            ),
            (
                "main.accounts".to_string(),
                "extra index `ix_legacy` (legacy) (kept; set allow_drop_extra_indexes to drop it)".to_string()
            ),
        ],
        "{plan}"
    );
    let report = conform.apply(&tables()).await.unwrap();
    assert!(report.executed.is_empty(), "{report}");
    assert_eq!(report.drift.len(), 2, "{report}");
    assert_eq!(db.state().await, before);
}

#[tokio::test]
async fn a_rebuild_leaves_what_the_policy_blocks_as_the_database_has_it() {
    // `nickname` must become nullable (a rebuild) and `email` narrowed from TEXT to
    // VARCHAR(100) (blocked: allow_shrink_column is off). The rebuild makes the first
    // change and keeps `email` as it is; the narrowing stays blocked.
    let db = Db::drifted(&tables(), |s| {
        let s = replace_once(&s, "\"nickname\" TEXT,", "\"nickname\" TEXT NOT NULL,");
        replace_once(
            &s,
            "\"email\" VARCHAR(100) NOT NULL",
            "\"email\" TEXT NOT NULL",
        )
    })
    .await;
    let before = db.rows().await;
    let conform = db.conform(defaults()).await;
    let plan = conform.compare(&tables()).await.unwrap();
    assert_eq!(
        steps(&plan)
            .iter()
            .map(|(d, _)| d.clone())
            .collect::<Vec<_>>(),
        ["rebuild table main.accounts (alter column main.accounts.nickname (nullability))"],
        "{plan}"
    );
    let blocked: Vec<(String, String)> = plan
        .blocked()
        .iter()
        .map(|b| (b.step.describe(), b.unlocked_by.clone()))
        .collect();
    assert_eq!(
        blocked,
        [(
            "alter column main.accounts.email (type)".to_string(),
            "allow_shrink_column".to_string()
        )]
    );
    conform.apply(&tables()).await.unwrap();
    let sql = db.sql_of("accounts").await.unwrap();
    assert!(sql.contains("\"email\" TEXT NOT NULL"), "{sql}");
    assert!(sql.contains("\"nickname\" TEXT,"), "{sql}");
    assert_eq!(db.rows().await, before);
    let again = conform.compare(&tables()).await.unwrap();
    assert!(again.steps().is_empty(), "{again}");
    assert_eq!(again.blocked().len(), 1, "{again}");
}
