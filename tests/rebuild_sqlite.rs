//! The SQLite table rebuild loses nothing (the table-rebuild issue's acceptance): a
//! cascading parent with 100,000 rows keeps every parent and child row, database-only
//! columns survive unless dropping them is allowed, triggers and views work afterwards,
//! AUTOINCREMENT counters never go back, a failing rebuild changes nothing (schema, rows,
//! counters, `foreign_keys` on the pooled connection), STRICT / WITHOUT ROWID / COLLATE /
//! generated columns round-trip or the change is refused with the reason, several tables
//! are rebuilt in foreign-key order, and `compare` is empty after every rebuild.
//!
//! Each test works on one SQLite file through a one-connection pool that it shares with
//! dbconform (`DbConform::from_pool`), so what the test reads afterwards — `PRAGMA
//! foreign_keys` included — is what the pooled connection dbconform used now holds.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;

use dbconform::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use dbconform::sqlx::{self, AssertSqlSafe, SqlitePool};
use dbconform::{Change, ChangeKind, DbConform, Options, Plan, Table, TableDef};
use std::str::FromStr;

/// Parents: the declaration adds a CHECK and makes `qty` NOT NULL, which only a rebuild
/// can do.
#[derive(Table)]
#[table(name = "parent")]
#[check(name = "ck_parent_qty", expr = "qty >= 0")]
struct Parent {
    #[column(primary_key, auto_increment)]
    id: i64,
    qty: i64,
    note: Option<String>,
}

/// The same table with `qty` unique (there are duplicates: the rebuild must fail).
#[derive(Table)]
#[table(name = "parent")]
#[check(name = "ck_parent_qty", expr = "qty >= 0")]
struct ParentUniqueQty {
    #[column(primary_key, auto_increment)]
    id: i64,
    #[column(unique)]
    qty: i64,
    note: Option<String>,
}

/// Children, deleted with their parent.
#[derive(Table)]
#[table(name = "child")]
struct Child {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    #[column(references = "parent(id)", on_delete = "cascade")]
    parent_id: i64,
    v: String,
}

/// Children with a CHECK the database lacks (a second rebuild).
#[derive(Table)]
#[table(name = "child")]
#[check(name = "ck_child_v", expr = "length(v) > 0")]
struct CheckedChild {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    #[column(references = "parent(id)", on_delete = "cascade")]
    parent_id: i64,
    v: String,
}

/// A child row whose parent does not exist, written with the foreign keys off.
const ORPHAN: &str = "PRAGMA foreign_keys=OFF; INSERT INTO child (id, parent_id, v) VALUES (0, 424242, 'orphan'); PRAGMA foreign_keys=ON";

fn family() -> Vec<TableDef> {
    vec![Parent::table_def(), Child::table_def()]
}

/// The database side of `parent`: `qty` nullable, no CHECK, and a database-only `legacy`
/// column; then 100,000 parents each with one child, the counter pushed to 100,001 by a
/// deleted row, a view and a trigger on `parent`.
const FAMILY: &str = r#"
CREATE TABLE "parent" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "qty" BIGINT,
  "note" TEXT,
  "legacy" TEXT
);
CREATE TABLE "child" (
  "id" BIGINT NOT NULL,
  "parent_id" BIGINT NOT NULL,
  "v" TEXT NOT NULL,
  PRIMARY KEY ("id"),
  CONSTRAINT "fk_child_parent_id" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id") ON DELETE CASCADE
);
CREATE TABLE log (what TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
  INSERT INTO parent (id, qty, note, legacy) SELECT i, i % 97, 'n' || i, 'old' || i FROM n;
INSERT INTO child (id, parent_id, v) SELECT id, id, 'c' || id FROM parent;
INSERT INTO parent (qty) VALUES (1);
DELETE FROM parent WHERE id = 100001;
CREATE VIEW big_parents AS SELECT id, qty FROM parent WHERE qty > 90;
CREATE TRIGGER parent_log AFTER INSERT ON parent BEGIN INSERT INTO log VALUES ('p' || new.id); END;
"#;

/// Every value of both tables (the database-only `legacy` included), as one text.
const CHECKSUM: &str = "SELECT (SELECT count(*) || ':' || total(id) || ':' || total(qty) || ':' || group_concat(coalesce(note, '-') || legacy, ',') FROM (SELECT * FROM parent ORDER BY id)) || '/' || (SELECT count(*) || ':' || total(parent_id) || ':' || group_concat(v, ',') FROM (SELECT * FROM child ORDER BY id))";

/// Every value of both tables but `legacy`.
const DECLARED_CHECKSUM: &str = "SELECT (SELECT count(*) || ':' || total(id) || ':' || total(qty) || ':' || group_concat(coalesce(note, '-'), ',') FROM (SELECT * FROM parent ORDER BY id)) || '/' || (SELECT count(*) || ':' || total(parent_id) || ':' || group_concat(v, ',') FROM (SELECT * FROM child ORDER BY id))";

/// Every schema object, in creation order.
const SCHEMA: &str = "SELECT group_concat(type || ' ' || name || ' ' || tbl_name || ' ' || coalesce(sql, ''), ';\n') FROM (SELECT * FROM sqlite_schema ORDER BY rowid)";

/// A SQLite file behind a one-connection pool with foreign keys enforced.
struct Db {
    _dir: tempfile::TempDir,
    pool: SqlitePool,
}

impl Db {
    async fn new(setup: &str) -> Db {
        let (dir, url) = common::sqlite_file();
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let db = Db { _dir: dir, pool };
        db.exec(setup).await;
        db
    }

    fn conform(&self, options: Options) -> DbConform {
        DbConform::from_pool(self.pool.clone()).with_options(options)
    }

    async fn exec(&self, sql: &str) {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    }

    async fn text(&self, sql: &str) -> String {
        sqlx::query_scalar::<_, String>(AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"))
    }

    async fn int(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{sql}"))
    }

    async fn sql_of(&self, name: &str) -> String {
        self.text(&format!(
            "SELECT sql FROM sqlite_schema WHERE name = '{name}'"
        ))
        .await
    }

    /// Foreign-key violations anywhere, and the pooled connection's `foreign_keys`.
    async fn fk_state(&self) -> (i64, i64) {
        (
            self.int("SELECT count(*) FROM pragma_foreign_key_check")
                .await,
            self.int("PRAGMA foreign_keys").await,
        )
    }

    /// Schema text, every value, the AUTOINCREMENT counters, `foreign_keys`.
    async fn snapshot(&self, checksum: &str) -> (String, String, String, i64) {
        (
            self.text(SCHEMA).await,
            self.text(checksum).await,
            self.text(
                "SELECT coalesce(group_concat(name || '=' || seq, ','), '') FROM sqlite_sequence",
            )
            .await,
            self.int("PRAGMA foreign_keys").await,
        )
    }
}

/// The family with `parent.qty` declared unique: over the duplicate quantities of
/// [`FAMILY`], a rebuild that must fail.
fn unique_qty() -> Vec<TableDef> {
    vec![ParentUniqueQty::table_def(), Child::table_def()]
}

/// Options that skip the data checks, so that a step that must fail is tried.
fn skip_data_checks() -> Options {
    Options {
        skip_data_checks: true,
        ..Options::default()
    }
}

/// The one rebuild step of `plan` for `table`, with the descriptions of its changes.
fn rebuild_of(plan: &Plan, table: &str) -> Vec<String> {
    let steps: Vec<&dbconform::Step> = plan
        .steps()
        .iter()
        .filter(|s| s.kind == ChangeKind::RebuildTable)
        .filter(|s| s.table.as_ref().is_some_and(|t| t.name == table))
        .collect();
    assert_eq!(steps.len(), 1, "{plan}");
    assert!(
        matches!(&steps[0].change, Change::RebuildTable { table: t } if t.name == table),
        "{plan}"
    );
    steps[0].parts.iter().map(|p| p.describe()).collect()
}

async fn assert_conforms(db: &Db, tables: &[TableDef], options: Options) {
    let plan = db.conform(options).compare(tables).await.unwrap();
    assert!(plan.is_empty(), "{plan}");
}

#[tokio::test]
async fn a_cascading_parent_of_100_000_rows_is_rebuilt_without_losing_a_row() {
    let db = Db::new(FAMILY).await;
    let before = db.text(CHECKSUM).await;
    let conform = db.conform(Options::default());
    let plan = conform.compare(&family()).await.unwrap();
    assert_eq!(
        rebuild_of(&plan, "parent"),
        [
            "alter column main.parent.qty (nullability)",
            "add check ck_parent_qty on main.parent"
        ]
    );
    assert_eq!(plan.steps().len(), 1, "{plan}");
    // What the rebuild keeps is in its reason; the database-only column is drift.
    let reason = &plan.steps()[0].reason;
    for kept in [
        "column `legacy`",
        "the AUTOINCREMENT counter",
        "the triggers and views",
    ] {
        assert!(reason.contains(kept), "{kept} not in {reason}");
    }
    assert!(
        plan.drift()
            .iter()
            .any(|d| d.description.contains("extra column `legacy`")),
        "{plan}"
    );

    let report = conform.apply(&family()).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");

    // Every parent and child row, every value, the database-only column included.
    assert_eq!(db.text(CHECKSUM).await, before);
    assert_eq!(db.fk_state().await, (0, 1));
    let sql = db.sql_of("parent").await;
    assert!(
        sql.contains("\"qty\" BIGINT NOT NULL") && sql.contains("CHECK (qty >= 0)"),
        "{sql}"
    );
    assert!(sql.contains("\"legacy\" TEXT"), "{sql}");
    // The view and the trigger exist and work.
    assert_eq!(db.int("SELECT count(*) FROM big_parents").await, 6180);
    // The counter was kept: 100,001 was issued (and deleted), so the next id is 100,002.
    db.exec("INSERT INTO parent (qty) VALUES (5)").await;
    assert_eq!(db.int("SELECT max(id) FROM parent").await, 100_002);
    assert_eq!(
        db.text("SELECT group_concat(what) FROM log").await,
        "p100002"
    );
    // Foreign keys are enforced again on the pooled connection: a delete cascades.
    db.exec("DELETE FROM parent WHERE id = 1").await;
    assert_eq!(db.int("SELECT count(*) FROM child").await, 99_999);
    assert_conforms(&db, &family(), Options::default()).await;
}

#[tokio::test]
async fn database_only_columns_are_dropped_only_when_allowed() {
    let db = Db::new(FAMILY).await;
    let declared = db.text(DECLARED_CHECKSUM).await;
    let options = Options {
        allow_drop_extra_columns: true,
        ..Options::default()
    };
    let plan = db
        .conform(options.clone())
        .compare(&family())
        .await
        .unwrap();
    assert_eq!(
        rebuild_of(&plan, "parent"),
        [
            "drop column main.parent.legacy",
            "alter column main.parent.qty (nullability)",
            "add check ck_parent_qty on main.parent"
        ]
    );
    db.conform(options.clone()).apply(&family()).await.unwrap();
    let sql = db.sql_of("parent").await;
    assert!(!sql.contains("legacy"), "{sql}");
    assert_eq!(db.text(DECLARED_CHECKSUM).await, declared);
    assert_eq!(db.fk_state().await, (0, 1));
    assert_conforms(&db, &family(), options).await;
}

#[tokio::test]
async fn a_rebuild_that_must_fail_changes_nothing_and_leaves_foreign_keys_on() {
    let db = Db::new(FAMILY).await;
    let tables = unique_qty();
    let before = db.snapshot(CHECKSUM).await;

    // With the data checks the step is blocked before anything runs.
    let plan = db
        .conform(Options::default())
        .compare(&tables)
        .await
        .unwrap();
    let blocked: Vec<String> = plan
        .blocked()
        .iter()
        .filter_map(|b| b.problem.clone())
        .collect();
    assert!(blocked.iter().any(|p| p.contains("will fail")), "{plan}");

    // Without them, the rebuild runs and fails on the duplicates: all rolled back.
    let error = db
        .conform(skip_data_checks())
        .apply(&tables)
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("UNIQUE constraint failed"), "{error}");
    assert_eq!(db.snapshot(CHECKSUM).await, before);
    assert_eq!(db.fk_state().await, (0, 1));
    assert_eq!(db.pool.size(), 1);
}

#[tokio::test]
async fn a_foreign_key_violation_after_a_rebuild_rolls_back_naming_the_table() {
    let db = Db::new(FAMILY).await;
    db.exec(ORPHAN).await;
    let before = db.snapshot(CHECKSUM).await;
    let error = db
        .conform(Options::default())
        .apply(&family())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("1 row(s) of table `child` reference rows of `parent` that do not exist"),
        "{error}"
    );
    assert_eq!(db.snapshot(CHECKSUM).await, before);
    assert_eq!(db.int("PRAGMA foreign_keys").await, 1);
}

#[tokio::test]
async fn several_tables_are_rebuilt_in_foreign_key_order_in_one_transaction() {
    let db = Db::new(FAMILY).await;
    let before = db.text(CHECKSUM).await;
    let tables = vec![CheckedChild::table_def(), Parent::table_def()];
    let conform = db.conform(Options::default());
    let plan = conform.compare(&tables).await.unwrap();
    let order = common::described(&plan);
    assert_eq!(order.len(), 2, "{plan}");
    assert!(order[0].starts_with("rebuild table main.parent"), "{plan}");
    assert!(order[1].starts_with("rebuild table main.child"), "{plan}");
    conform.apply(&tables).await.unwrap();
    assert_eq!(db.text(CHECKSUM).await, before);
    assert!(db.sql_of("child").await.contains("ck_child_v"));
    assert_eq!(db.fk_state().await, (0, 1));
    assert_conforms(&db, &tables, Options::default()).await;
}

/// Gauges: the declaration makes `name` NOT NULL (a rebuild).
#[derive(Table)]
#[table(name = "gauges")]
struct Gauge {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    name: String,
    v: i32,
}

/// Pairs: the declaration makes `b` NOT NULL (a rebuild).
#[derive(Table)]
#[table(name = "pairs")]
struct Pair {
    #[column(primary_key)]
    a: String,
    b: String,
}

/// A STRICT table whose declaration wants a VARCHAR, which STRICT refuses.
#[derive(Table)]
#[table(name = "strict_names")]
struct StrictName {
    #[column(primary_key, auto_increment = false)]
    id: i32,
    #[column(max_length = 20)]
    name: String,
}

const OPTIONS_SETUP: &str = r#"
CREATE TABLE "gauges" (
  "id" INTEGER NOT NULL PRIMARY KEY,
  "name" TEXT,
  "v" INTEGER NOT NULL,
  "tag" TEXT COLLATE NOCASE,
  "twice" INTEGER GENERATED ALWAYS AS (v * 2) VIRTUAL
) STRICT;
INSERT INTO gauges (id, name, v, tag) VALUES (1, 'one', 1, 'abc'), (2, 'two', 2, 'Xyz');
CREATE TABLE "pairs" ("a" TEXT NOT NULL, "b" TEXT, PRIMARY KEY ("a")) WITHOUT ROWID;
INSERT INTO pairs VALUES ('k1', 'v1'), ('k2', 'v2');
CREATE TABLE "strict_names" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT) STRICT;
INSERT INTO strict_names VALUES (1, 'x');
"#;

#[tokio::test]
async fn strict_without_rowid_collations_and_generated_columns_round_trip_or_are_refused() {
    let db = Db::new(OPTIONS_SETUP).await;
    let tables = vec![
        Gauge::table_def(),
        Pair::table_def(),
        StrictName::table_def(),
    ];
    let strict_before = db.sql_of("strict_names").await;
    // TEXT → VARCHAR(20) is a narrowing: allowed here, so that only STRICT stops it.
    let conform = db.conform(Options {
        allow_shrink_column: true,
        ..Options::default()
    });
    let plan = conform.compare(&tables).await.unwrap();
    assert_eq!(
        rebuild_of(&plan, "gauges"),
        ["alter column main.gauges.name (nullability)"]
    );
    assert_eq!(
        rebuild_of(&plan, "pairs"),
        ["alter column main.pairs.b (nullability)"]
    );
    // The STRICT table cannot take the declared VARCHAR(20): refused with the reason,
    // nothing else about it runs.
    let refused: Vec<(String, String, String)> = plan
        .blocked()
        .iter()
        .map(|b| {
            (
                b.step.describe(),
                b.problem.clone().unwrap_or_default(),
                b.unlocked_by.clone(),
            )
        })
        .collect();
    assert_eq!(
        refused,
        [(
            "alter column main.strict_names.name (type, nullability)".to_string(),
            "table `strict_names` cannot be rebuilt without losing its STRICT option (column `name` would be VARCHAR(20), which a STRICT table refuses; STRICT accepts INT, INTEGER, REAL, TEXT, BLOB and ANY); change it by hand".to_string(),
            String::new()
        )],
        "{plan}"
    );
    conform.apply(&tables).await.unwrap();

    // gauges: still STRICT, `tag` still NOCASE, `twice` still generated, values kept.
    let gauges = db.sql_of("gauges").await;
    assert!(gauges.ends_with(") STRICT"), "{gauges}");
    assert!(
        gauges.contains("\"tag\" TEXT COLLATE \"NOCASE\""),
        "{gauges}"
    );
    assert_eq!(
        db.text("SELECT group_concat(id || name || v || tag || twice, ',') FROM gauges")
            .await,
        "1one1abc2,2two2Xyz4"
    );
    assert_eq!(
        db.int("SELECT count(*) FROM gauges WHERE tag = 'ABC'")
            .await,
        1
    );
    assert_eq!(
        db.int("SELECT hidden FROM pragma_table_xinfo('gauges') WHERE name = 'twice'")
            .await,
        2
    );
    let strict =
        sqlx::raw_sql("INSERT INTO gauges (id, name, v) VALUES (3, 'three', 'not a number')")
            .execute(&db.pool)
            .await;
    assert!(strict.is_err(), "STRICT is enforced");
    // pairs: still WITHOUT ROWID.
    let pairs = db.sql_of("pairs").await;
    assert!(pairs.ends_with(") WITHOUT ROWID"), "{pairs}");
    assert_eq!(
        db.text("SELECT group_concat(a || b, ',') FROM pairs").await,
        "k1v1,k2v2"
    );
    // strict_names: untouched.
    assert_eq!(db.sql_of("strict_names").await, strict_before);
    let again = conform.compare(&tables).await.unwrap();
    assert!(again.steps().is_empty(), "{again}");
    assert_eq!(again.blocked().len(), 1, "{again}");
}

#[tokio::test]
async fn preflight_tries_a_rebuild_and_changes_nothing() {
    let db = Db::new(FAMILY).await;
    let conform = db.conform(Options::default());
    let before = db.snapshot(CHECKSUM).await;
    let report = conform.preflight(&family()).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.steps.len(), 1, "{report}");
    assert_eq!(db.snapshot(CHECKSUM).await, before);

    // A rebuild over duplicates fails in the preflight, named with the database's message.
    let report = db
        .conform(skip_data_checks())
        .preflight(&unique_qty())
        .await
        .unwrap();
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{report}");
    assert!(
        matches!(&failures[0].1.outcome, dbconform::StepOutcome::Failed { message, .. } if message.contains("UNIQUE constraint failed")),
        "{report}"
    );

    // A foreign-key violation the rebuild would leave fails the rebuild step.
    db.exec(ORPHAN).await;
    let before = db.snapshot(CHECKSUM).await;
    let report = conform.preflight(&family()).await.unwrap();
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{report}");
    assert!(
        matches!(&failures[0].1.outcome, dbconform::StepOutcome::Failed { statement, message } if statement == "PRAGMA foreign_key_check" && message.contains("table `child`")),
        "{report}"
    );
    assert_eq!(db.snapshot(CHECKSUM).await, before);
}

#[tokio::test]
async fn an_apply_cancelled_half_way_leaves_no_connection_with_foreign_keys_off() {
    // The apply is dropped after a few milliseconds, wherever it is (the rebuild of
    // 100,000 rows takes longer). Whatever it had done is rolled back or committed as a
    // whole, and the pool's connection enforces foreign keys.
    for wait_ms in [5, 20, 60] {
        let db = Db::new(FAMILY).await;
        let before = db.text(CHECKSUM).await;
        let conform = db.conform(Options::default());
        let tables = family();
        let outcome = tokio::time::timeout(
            std::time::Duration::from_millis(wait_ms),
            conform.apply(&tables),
        )
        .await;
        assert_eq!(db.int("PRAGMA foreign_keys").await, 1, "after {wait_ms} ms");
        assert_eq!(db.text(CHECKSUM).await, before, "after {wait_ms} ms");
        let sql = db.sql_of("parent").await;
        // Cut after the COMMIT, the apply counts as not finished but the change is there.
        if outcome.is_ok() {
            assert!(
                sql.contains("CHECK (qty >= 0)"),
                "after {wait_ms} ms: {sql}"
            );
        }
        assert_eq!(db.fk_state().await, (0, 1));
    }
}
