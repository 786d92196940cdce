//! The MySQL/MariaDB backend end to end, on the server `DBCONFORM_TEST_MYSQL_URL` names
//! (`mysql://root@127.0.0.1:3306/test`): each test works in its own scratch database,
//! dropped afterwards even when the test panics. Without the variable the tests are
//! skipped on a developer machine and fail in CI (`CI` set).
//!
//! What is checked: the create path read back through `information_schema` (not through
//! dbconform), convergence (a second compare is empty), hand-written DDL in the server's
//! own spellings comparing equal to the declaration, the constant cost of reflection,
//! and apply without transactional DDL (ALTERs keep the data; a failing step reports
//! exactly the steps that committed, and the next apply converges).
#![cfg(feature = "mysql")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::sqlx::{self, Connection, MySqlConnection, Row};
use dbconform::{DbConform, Error, Options, Table, TableDef};

mod common;

use common::mysql::{Scratch, mysql_url};

// ---------------------------------------------------------------- models

/// Suppliers.
#[derive(Table)]
#[table(name = "vendors")]
struct Vendor {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 100, unique)]
    name: String,
}

#[derive(Table)]
#[table(name = "products")]
#[index(name = "ix_products_vendor_sku", columns("vendor_id", "sku"))]
#[check(name = "ck_products_price", expr = "price >= 0")]
struct Product {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 64)]
    sku: String,
    /// Free text shown to customers.
    description: Option<String>,
    #[column(default = "0")]
    price: f64,
    #[column(references = "vendors(id)", on_delete = "cascade")]
    vendor_id: i64,
    #[column(default = "'new; unchecked'", max_length = 40)]
    status: String,
    #[column(default = "TRUE")]
    active: bool,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "TIMESTAMP")]
    created_at: String,
    #[column(check = "quantity >= 0", default = "1")]
    quantity: i32,
}

/// Keyword names: table `user`, column `order`.
#[derive(Table)]
#[table(name = "user")]
struct User {
    #[column(primary_key)]
    id: i64,
    #[column(name = "order")]
    order: i32,
    #[column(name = "group")]
    group: Option<String>,
}

/// A composite key and a SET NULL foreign key to a keyword-named table.
#[derive(Table)]
#[table(name = "order_lines")]
#[primary_key(columns("order_no", "line"))]
struct OrderLine {
    order_no: i64,
    line: i32,
    #[column(references = "user(id)", on_delete = "set_null", on_update = "cascade")]
    user_id: Option<i64>,
}

fn tables() -> Vec<TableDef> {
    // Deliberately out of dependency order: the planner must order them.
    vec![
        OrderLine::table_def(),
        Product::table_def(),
        User::table_def(),
        Vendor::table_def(),
    ]
}

/// Rows of a catalog query as text tuples.
async fn strings(conn: &mut MySqlConnection, sql: &str, width: usize) -> Vec<Vec<String>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|row| {
            (0..width)
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .unwrap()
                        .unwrap_or_else(|| "NULL".into())
                })
                .collect()
        })
        .collect()
}

// ---------------------------------------------------------------- create path

#[tokio::test]
async fn creates_every_table_read_back_through_information_schema_and_converges() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "create").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();

    let plan = db.compare(&tables()).await.unwrap();
    assert_eq!(plan.steps().len(), 4, "{plan}");
    let report = db.apply(&tables()).await.unwrap();
    assert_eq!(report.executed.len(), 4, "{report}");

    let mut conn = scratch.conn().await;
    let tables_found = strings(
        &mut conn,
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(ENGINE AS CHAR), CAST(TABLE_COLLATION AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
        3,
    )
    .await;
    let names: Vec<&str> = tables_found.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["order_lines", "products", "user", "vendors"]);
    assert!(
        tables_found
            .iter()
            .all(|r| r[1] == "InnoDB" && r[2] == "utf8mb4_unicode_ci"),
        "{tables_found:?}"
    );

    let columns = strings(
        &mut conn,
        "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'products' ORDER BY ORDINAL_POSITION",
        5,
    )
    .await;
    let column = |name: &str| {
        columns
            .iter()
            .find(|c| c[0] == name)
            .unwrap_or_else(|| panic!("column {name} in {columns:?}"))
            .clone()
    };
    assert!(column("id")[1].starts_with("bigint"), "{columns:?}");
    assert_eq!(column("id")[4], "auto_increment");
    assert_eq!(column("sku")[1], "varchar(64)");
    assert_eq!(column("sku")[2], "NO");
    assert_eq!(column("description")[2], "YES");
    assert_eq!(column("status")[3], "'new; unchecked'");
    assert_eq!(column("active")[1], "tinyint(1)");
    assert_eq!(column("active")[3], "1");
    // `sql_type` is written as declared.
    assert_eq!(column("created_at")[1], "timestamp");
    assert!(
        column("created_at")[3].starts_with("current_timestamp"),
        "{columns:?}"
    );

    let keys = strings(
        &mut conn,
        "SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS CHAR), CAST(GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS CHAR) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE ORDER BY TABLE_NAME, INDEX_NAME",
        4,
    )
    .await;
    let has = |table: &str, index: &str, non_unique: &str, columns: &str| {
        keys.iter()
            .any(|k| k[0] == table && k[1] == index && k[2] == non_unique && k[3] == columns)
    };
    assert!(
        has("order_lines", "PRIMARY", "0", "order_no,line"),
        "{keys:?}"
    );
    assert!(
        has("products", "ix_products_vendor_sku", "1", "vendor_id,sku"),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k[0] == "vendors" && k[2] == "0" && k[3] == "name"),
        "{keys:?}"
    );

    let fks = strings(
        &mut conn,
        "SELECT CAST(k.TABLE_NAME AS CHAR), CAST(k.COLUMN_NAME AS CHAR), CAST(k.REFERENCED_TABLE_NAME AS CHAR), CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(r.DELETE_RULE AS CHAR), CAST(r.UPDATE_RULE AS CHAR) FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME",
        6,
    )
    .await;
    assert_eq!(
        fks,
        vec![
            vec![
                "order_lines",
                "user_id",
                "user",
                "id",
                "SET NULL",
                "CASCADE"
            ],
            vec![
                "products",
                "vendor_id",
                "vendors",
                "id",
                "CASCADE",
                "RESTRICT"
            ],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(String::from).collect::<Vec<_>>())
        .collect::<Vec<_>>()
    );

    let checks = strings(
        &mut conn,
        "SELECT CAST(CONSTRAINT_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR) FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'products' ORDER BY CONSTRAINT_NAME",
        2,
    )
    .await;
    assert!(
        checks.iter().any(|c| c[0] == "ck_products_price"),
        "{checks:?}"
    );
    assert_eq!(checks.len(), 2, "{checks:?}");
    let _ = conn.close().await;

    // The second run finds nothing to do.
    let again = db.compare(&tables()).await.unwrap();
    assert!(again.steps().is_empty(), "not converged:\n{again}");
    let report = db.apply(&tables()).await.unwrap();
    assert!(report.executed.is_empty(), "{report}");
    scratch.cleanup().await;
}

// ---------------------------------------------------------------- convergence

/// Every column type the derive maps, nullable and not, with defaults.
#[derive(Table)]
#[table(name = "kinds")]
#[index(name = "ix_kinds_small_big", columns("small", "big"), unique)]
struct Kinds {
    #[column(primary_key)]
    id: i32,
    small: i16,
    big: i64,
    #[column(default = "1.5")]
    real: f32,
    double: Option<f64>,
    #[column(default = "FALSE")]
    flag: bool,
    #[column(max_length = 20, default = "'it''s'")]
    quoted: String,
    #[column(default = "'a\\b'")]
    long_text: String,
    blob: Option<Vec<u8>>,
    #[column(sql_type = "DATE", default = "CURRENT_DATE")]
    day: String,
    #[column(sql_type = "DECIMAL(10,2)", default = "0")]
    amount: String,
    #[column(sql_type = "JSON")]
    doc: Option<String>,
}

/// A self-reference and a keyword-named, space-holding column.
#[derive(Table)]
#[table(name = "tree nodes")]
struct Node {
    #[column(primary_key)]
    id: i64,
    #[column(references = "tree nodes(id)", on_delete = "set_null")]
    parent_id: Option<i64>,
    #[column(name = "select", max_length = 10)]
    select: Option<String>,
}

#[tokio::test]
async fn a_representative_set_of_models_converges() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "converge").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    let models = vec![Kinds::table_def(), Node::table_def(), Vendor::table_def()];
    db.apply(&models).await.unwrap();
    let again = db.compare(&models).await.unwrap();
    assert!(again.steps().is_empty(), "not converged:\n{again}");
    scratch.cleanup().await;
}

// ---------------------------------------------------------------- adoption

#[tokio::test]
async fn hand_written_ddl_in_mariadb_spellings_compares_equal() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "adopt").await;
    // What a DBA would write: display widths, quoted numeric defaults, `current_timestamp()`,
    // tinyint(1), JSON, an unnamed CHECK, a foreign key without its own index.
    scratch
        .exec(
            "CREATE TABLE vendors (id bigint(20) NOT NULL AUTO_INCREMENT, name varchar(100) NOT NULL, \
             PRIMARY KEY (id), UNIQUE KEY uq_vendors_name (name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Suppliers.'",
        )
        .await;
    scratch
        .exec(
            "CREATE TABLE docs (id int(11) NOT NULL AUTO_INCREMENT, vendor_id bigint(20) NOT NULL, \
             hits int(11) NOT NULL DEFAULT '0', live tinyint(1) NOT NULL DEFAULT 1, \
             body json DEFAULT NULL, at datetime(6) NOT NULL DEFAULT current_timestamp(6), \
             PRIMARY KEY (id), CHECK (hits >= 0), \
             CONSTRAINT fk_docs_vendor FOREIGN KEY (vendor_id) REFERENCES vendors (id)) \
             ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        )
        .await;
    #[derive(Table)]
    #[table(name = "docs")]
    #[check(expr = "hits >= 0")]
    struct Doc {
        #[column(primary_key)]
        id: i32,
        #[column(references = "vendors(id)")]
        vendor_id: i64,
        #[column(default = "0")]
        hits: i32,
        #[column(default = "TRUE")]
        live: bool,
        #[column(sql_type = "JSON")]
        body: Option<String>,
        #[column(default = "CURRENT_TIMESTAMP", sql_type = "DATETIME(6)")]
        at: String,
    }
    let db = DbConform::connect(&scratch.url).await.unwrap();
    let plan = db
        .compare(&[Vendor::table_def(), Doc::table_def()])
        .await
        .unwrap();
    assert!(
        plan.steps().is_empty(),
        "hand-written DDL is drift:\n{plan}"
    );
    scratch.cleanup().await;
}

// ---------------------------------------------------------------- cost

#[tokio::test]
async fn reflection_costs_the_same_statements_for_one_table_and_for_many() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "cost").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[Vendor::table_def()]).await.unwrap();
    let before = db.snapshot_statements().await;
    let one = before;
    let mut ddl = String::new();
    for i in 0..30 {
        ddl.push_str(&format!(
            "CREATE TABLE t{i} (id int PRIMARY KEY, v varchar(10) DEFAULT 'x', w int CHECK (w > 0), KEY ix_{i} (v));\n"
        ));
    }
    scratch.exec(&ddl).await;
    let many = db.snapshot_statements().await;
    assert_eq!(one, many, "reflecting 1 table and 31 tables");
    assert_eq!(one, 6, "six catalog statements, nothing else");
    scratch.cleanup().await;
}

trait Cost {
    /// Statements one compare of `vendors` (reflection, nothing to plan) sends.
    async fn snapshot_statements(&self) -> u64;
}

impl Cost for DbConform {
    async fn snapshot_statements(&self) -> u64 {
        let before = self.statements_sent();
        self.compare(&[Vendor::table_def()]).await.unwrap();
        self.statements_sent() - before
    }
}

// ---------------------------------------------------------------- apply without transactional DDL

#[derive(Table)]
#[table(name = "accounts")]
struct AccountV1 {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 50)]
    email: String,
    #[column(default = "0")]
    credit: i32,
}

#[derive(Table)]
#[table(name = "accounts")]
#[index(name = "ix_accounts_email", columns("email"))]
struct AccountV2 {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 50)]
    email: String,
    #[column(default = "5")]
    credit: i32,
    nickname: Option<String>,
}

async fn count_accounts(scratch: &Scratch) -> i64 {
    let mut conn = scratch.conn().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    n
}

#[tokio::test]
async fn alters_keep_the_data_and_converge() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "alter").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[AccountV1::table_def()]).await.unwrap();
    scratch
        .exec("INSERT INTO accounts (email, credit) VALUES ('a@x', 1), ('b@x', 2)")
        .await;
    let report = db.apply(&[AccountV2::table_def()]).await.unwrap();
    assert!(report.executed.len() >= 3, "{report}");
    assert_eq!(count_accounts(&scratch).await, 2);
    let mut conn = scratch.conn().await;
    let credits: Vec<i32> = sqlx::query_scalar("SELECT credit FROM accounts ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(credits, [1, 2]);
    let default = strings(
        &mut conn,
        "SELECT CAST(COLUMN_DEFAULT AS CHAR) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'credit'",
        1,
    )
    .await;
    assert_eq!(default, vec![vec!["5".to_string()]]);
    let _ = conn.close().await;
    assert!(
        db.compare(&[AccountV2::table_def()])
            .await
            .unwrap()
            .steps()
            .is_empty()
    );
    scratch.cleanup().await;
}

#[derive(Table)]
#[table(name = "first_table")]
struct First {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "second_table")]
struct Second {
    #[column(primary_key)]
    id: i64,
}

// `note` becomes NOT NULL over a NULL value: the ALTER fails on the server.
#[derive(Table)]
#[table(name = "aaa_prefs")]
struct PrefV1 {
    #[column(primary_key)]
    id: i64,
    #[column(default = "0")]
    level: i32,
}

// A default that changes: an ALTER before the failing one.
#[derive(Table)]
#[table(name = "aaa_prefs")]
struct PrefV2 {
    #[column(primary_key)]
    id: i64,
    #[column(default = "7")]
    level: i32,
}

#[derive(Table)]
#[table(name = "notes")]
struct NoteStrict {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 20)]
    note: String,
}

#[derive(Table)]
#[table(name = "notes")]
struct NoteLoose {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 20)]
    note: Option<String>,
}

#[tokio::test]
async fn a_failing_step_reports_exactly_the_steps_that_committed_and_the_next_apply_converges() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "partial").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[PrefV1::table_def(), NoteLoose::table_def()])
        .await
        .unwrap();
    scratch
        .exec("INSERT INTO notes (id, note) VALUES (1, NULL)")
        .await;
    // Data checks skipped: the NOT NULL change is not blocked and fails on the server.
    let options = Options {
        skip_data_checks: true,
        ..Options::default()
    };
    let db = db.with_options(options);
    let desired = vec![
        PrefV2::table_def(),
        First::table_def(),
        NoteStrict::table_def(),
        Second::table_def(),
    ];
    let plan = db.compare(&desired).await.unwrap();
    let steps: Vec<String> = plan.steps().iter().map(|s| s.describe()).collect();
    let failing = steps
        .iter()
        .position(|d| d.contains("notes"))
        .expect("a step on notes");
    assert!(failing > 0 && failing + 1 < steps.len(), "{steps:?}");
    let error = db.apply(&desired).await.unwrap_err();
    let text = error.to_string();
    match &error {
        Error::PartiallyApplied {
            committed, step, ..
        } => {
            assert_eq!(*step, failing + 1, "{text}");
            assert_eq!(committed, &steps[..failing].to_vec(), "{text}");
        }
        other => panic!("expected PartiallyApplied, got {other:?}"),
    }
    assert!(!text.contains("rolled back and nothing"), "{text}");
    assert!(text.contains("nothing was rolled back"), "{text}");
    assert!(text.contains("run again"), "{text}");
    // The database holds exactly the committed steps: the new default, and the tables
    // created before the failing step only.
    let mut conn = scratch.conn().await;
    let level = strings(
        &mut conn,
        "SELECT CAST(COLUMN_DEFAULT AS CHAR) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'aaa_prefs' AND COLUMN_NAME = 'level'",
        1,
    )
    .await;
    let default_step = steps.iter().position(|d| d.contains("aaa_prefs")).unwrap();
    assert!(default_step < failing, "{steps:?}");
    assert_eq!(level, vec![vec!["7".to_string()]]);
    let present: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    for (i, description) in steps.iter().enumerate() {
        for table in ["first_table", "second_table"] {
            if description.contains(table) {
                assert_eq!(
                    present.contains(&table.to_string()),
                    i < failing,
                    "{table} after {text}: {present:?}"
                );
            }
        }
    }
    // Fix the data; the next apply continues from there and converges.
    scratch
        .exec("UPDATE notes SET note = 'x' WHERE note IS NULL")
        .await;
    db.apply(&desired).await.unwrap();
    assert!(db.compare(&desired).await.unwrap().steps().is_empty());
    scratch.cleanup().await;
}

#[tokio::test]
async fn preflight_tries_the_steps_elsewhere_and_creates_nothing_here() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "preflight").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    let dry = db.preflight(&[First::table_def()]).await.unwrap();
    assert!(dry.is_ok() && dry.steps.len() == 1, "{dry}");
    assert!(dry.workspace.is_some(), "{dry}");
    let mut conn = scratch.conn().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 0);
    let _ = conn.close().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn the_lock_is_released_after_an_apply() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "lock").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[First::table_def()]).await.unwrap();
    let mut conn = scratch.conn().await;
    let free: Option<i64> =
        sqlx::query_scalar("SELECT IS_FREE_LOCK(CONCAT('dbconform:', MD5(DATABASE())))")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(free, Some(1));
    let _ = conn.close().await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn concurrent_applies_queue_on_the_lock_and_one_of_them_creates() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "queue").await;
    let a = DbConform::connect(&scratch.url).await.unwrap();
    let b = DbConform::connect(&scratch.url).await.unwrap();
    let desired = tables();
    let (ra, rb) = tokio::join!(a.apply(&desired), b.apply(&desired));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    // The second planned under the lock from what the first committed.
    assert_eq!(ra.executed.len() + rb.executed.len(), 4, "{ra}\n{rb}");
    assert!(a.compare(&desired).await.unwrap().steps().is_empty());
    scratch.cleanup().await;
}

#[tokio::test]
async fn an_apply_waits_while_another_session_holds_the_lock() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "wait").await;
    let mut holder = scratch.conn().await;
    let got: Option<i64> =
        sqlx::query_scalar("SELECT GET_LOCK(CONCAT('dbconform:', MD5(DATABASE())), 5)")
            .fetch_one(&mut holder)
            .await
            .unwrap();
    assert_eq!(got, Some(1));
    let db = DbConform::connect(&scratch.url).await.unwrap();
    let desired = [First::table_def()];
    let waited =
        tokio::time::timeout(std::time::Duration::from_millis(800), db.apply(&desired)).await;
    assert!(waited.is_err(), "the apply did not wait for the lock");
    // Cancelled while waiting: nothing was created.
    let mut conn = scratch.conn().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 0);
    let _ = conn.close().await;
    let _: Option<i64> =
        sqlx::query_scalar("SELECT RELEASE_LOCK(CONCAT('dbconform:', MD5(DATABASE())))")
            .fetch_one(&mut holder)
            .await
            .unwrap();
    let _ = holder.close().await;
    // Released: the apply goes through (the cancelled one's connection was closed, so it
    // holds nothing).
    let report = db.apply(&desired).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    scratch.cleanup().await;
}

#[tokio::test]
async fn data_checks_block_a_not_null_change_over_null_values() {
    let Some(server) = mysql_url() else { return };
    let scratch = Scratch::new(&server, "checks").await;
    let db = DbConform::connect(&scratch.url).await.unwrap();
    db.apply(&[NoteLoose::table_def()]).await.unwrap();
    let before = db.statements_sent();
    let empty = db.compare(&[NoteStrict::table_def()]).await.unwrap();
    let cost = db.statements_sent() - before;
    assert!(empty.blocked().is_empty(), "{empty}");
    scratch
        .exec("INSERT INTO notes (id, note) VALUES (1, NULL), (2, 'b')")
        .await;
    let plan = db.compare(&[NoteStrict::table_def()]).await.unwrap();
    assert_eq!(plan.blocked().len(), 1, "{plan}");
    assert!(
        plan.blocked()[0].why().contains("NULL"),
        "{}",
        plan.blocked()[0].why()
    );
    // Reflection (6), the views and triggers a changed column may break (1) and one
    // statement of counts.
    assert_eq!(cost, 8, "statements of a compare with data checks");
    scratch.cleanup().await;
}
