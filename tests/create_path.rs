//! The create path end to end on SQLite, PostgreSQL and MySQL/MariaDB: `conform`/`apply` on an empty
//! database creates every declared table with its columns, types, nullability, defaults,
//! keys, constraints and indexes — checked in the database's own catalog — the database
//! enforces them, and a second call executes nothing.
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{Backend, PgScratch, TestDb, backend_tests, pg_url, sqlite_file};
use dbconform::sqlx;
use dbconform::{DbConform, Table, TableDef};

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
#[unique(columns("vendor_id", "sku"))]
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
    #[column(references = "vendors(id)", on_delete = "cascade", index)]
    vendor_id: i64,
    #[column(default = "'new; unchecked'")]
    status: String,
    #[column(default = "TRUE")]
    active: bool,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "TIMESTAMP")]
    created_at: String,
    #[column(check = "quantity >= 0", default = "1")]
    quantity: i32,
    #[column(skip)]
    #[allow(dead_code)]
    cached: Vec<u8>,
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

#[derive(Table)]
#[table(name = "MixedCase")]
struct MixedCase {
    #[column(primary_key)]
    id: i32,
    #[column(name = "DisplayName")]
    display_name: String,
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
        MixedCase::table_def(),
        User::table_def(),
        Vendor::table_def(),
    ]
}

// ---------------------------------------------------------------- SQLite

backend_tests! {
    creates_every_table_and_second_run_is_noop => async |db| {
        let conform = db.conform().await;
        let plan = conform.compare(&tables()).await.unwrap();
        let created = common::described(&plan);
        // On PostgreSQL the scratch schema is created first.
        let schema_steps = db.schema_steps();
        assert_eq!(created.len(), 5 + schema_steps, "{created:?}");
        if let Some(scratch) = db.pg() {
            assert_eq!(created[0], format!("create schema {}", scratch.schema), "{created:?}");
        }
        let position = |name: &str| {
            let table = db.table(name);
            created.iter().position(|d| d.ends_with(&table)).unwrap()
        };
        assert!(position("vendors") < position("products"), "{created:?}");
        assert!(position("user") < position("order_lines"), "{created:?}");

        let report = conform.apply(&tables()).await.unwrap();
        assert_eq!(report.executed.len(), 5 + schema_steps, "{report}");
        match db.backend {
            Backend::Sqlite => sqlite_catalog(db.sqlite_pool().unwrap()).await,
            Backend::Postgres => postgres_catalog(db.pg().unwrap()).await,
            #[cfg(feature = "mysql")]
            Backend::Mysql => mysql_catalog(db).await,
        }
        rows_obey_the_declaration(db).await;

        // A second run executes nothing.
        assert!(conform.compare(&tables()).await.unwrap().is_empty());
        let again = conform.apply(&tables()).await.unwrap();
        assert!(again.is_noop(), "{again}");
        conform.check(&tables()).await.unwrap();
    };
}

/// Rows without ids; the database enforces the declared constraints and actions, and
/// takes keyword and mixed-case names.
async fn rows_obey_the_declaration(db: &TestDb) {
    db.exec("INSERT INTO {S}vendors (name) VALUES ('acme')")
        .await;
    assert_eq!(
        db.texts("SELECT CAST(id AS TEXT) FROM {S}vendors").await,
        ["1"]
    );
    db.exec("INSERT INTO {S}products (sku, vendor_id, price) VALUES ('a-1', 1, 9.5)")
        .await;
    assert_eq!(
        db.texts(
            "SELECT CAST(id AS TEXT) || ' ' || status || ' ' || \
             CASE WHEN active THEN 'active' ELSE 'inactive' END || ' ' || CAST(quantity AS TEXT) \
             FROM {S}products"
        )
        .await,
        ["1 new; unchecked active 1"]
    );
    let (fk, check, unique) = match db.backend {
        Backend::Sqlite => ("FOREIGN KEY", "CHECK", "UNIQUE"),
        Backend::Postgres => (
            "fk_products_vendor_id",
            "ck_products_price",
            "duplicate key",
        ),
        #[cfg(feature = "mysql")]
        Backend::Mysql => (
            "fk_products_vendor_id",
            "ck_products_price",
            "Duplicate entry",
        ),
    };
    for (insert, violated) in [
        (
            "INSERT INTO {S}products (sku, vendor_id) VALUES ('b', 999)",
            fk,
        ),
        (
            "INSERT INTO {S}products (sku, vendor_id, price) VALUES ('c', 1, -1)",
            check,
        ),
        (
            "INSERT INTO {S}products (sku, vendor_id) VALUES ('a-1', 1)",
            unique,
        ),
    ] {
        let error = db.try_exec(insert).await.unwrap_err().to_string();
        assert!(error.contains(violated), "{insert}: {error}");
    }
    db.exec("DELETE FROM {S}vendors").await;
    assert_eq!(
        db.rows("products").await,
        0,
        "ON DELETE CASCADE removed the vendor's products"
    );

    // Keyword and mixed-case names.
    db.exec("INSERT INTO {S}\"user\" (\"order\", \"group\") VALUES (7, 'g')")
        .await;
    db.exec("INSERT INTO {S}\"MixedCase\" (\"DisplayName\") VALUES ('Ada')")
        .await;
    assert_eq!(
        db.texts("SELECT \"DisplayName\" FROM {S}\"MixedCase\" WHERE id = 1")
            .await,
        ["Ada"]
    );
}

/// The SQLite catalog after the create: columns, the stored CREATE TABLE text, foreign
/// keys, indexes and the composite primary key.
async fn sqlite_catalog(pool: &sqlx::SqlitePool) {
    // Columns: declared type, NOT NULL, default, primary key position.
    let columns: Vec<(String, String, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('products') ORDER BY cid",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let expected: Vec<(String, String, i64, Option<String>, i64)> = vec![
        ("id".into(), "INTEGER".into(), 1, None, 1),
        ("sku".into(), "VARCHAR(64)".into(), 1, None, 0),
        ("description".into(), "TEXT".into(), 0, None, 0),
        ("price".into(), "DOUBLE".into(), 1, Some("0".into()), 0),
        ("vendor_id".into(), "BIGINT".into(), 1, None, 0),
        (
            "status".into(),
            "TEXT".into(),
            1,
            Some("'new; unchecked'".into()),
            0,
        ),
        ("active".into(), "BOOLEAN".into(), 1, Some("TRUE".into()), 0),
        (
            "created_at".into(),
            "TIMESTAMP".into(),
            1,
            Some("CURRENT_TIMESTAMP".into()),
            0,
        ),
        ("quantity".into(), "INTEGER".into(), 1, Some("1".into()), 0),
    ];
    assert_eq!(columns, expected);

    // AUTOINCREMENT and the CHECKs live only in the stored CREATE TABLE text.
    let sql = common::sqlite_sql(pool, "products").await;
    assert!(sql.contains("AUTOINCREMENT"), "{sql}");
    assert!(
        sql.contains("CONSTRAINT \"ck_products_price\" CHECK (price >= 0)"),
        "{sql}"
    );
    assert!(sql.contains("CHECK (quantity >= 0)"), "{sql}");

    // Foreign keys with their actions: `table from to on_delete on_update`.
    let fks = async |table: &str| -> Vec<String> {
        sqlx::query_scalar(
            "SELECT \"table\" || ' ' || \"from\" || ' ' || \"to\" || ' ' || on_delete || ' ' || on_update \
             FROM pragma_foreign_key_list(?)",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert_eq!(
        fks("products").await,
        ["vendors vendor_id id CASCADE NO ACTION"]
    );
    assert_eq!(
        fks("order_lines").await,
        ["user user_id id SET NULL CASCADE"]
    );

    // Indexes: the named composite index, the per-column index, and the UNIQUE constraint.
    let indexes: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT il.name, il.\"unique\", group_concat(ii.name, ',') \
         FROM pragma_index_list('products') il, pragma_index_info(il.name) ii \
         GROUP BY il.name ORDER BY il.name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        indexes.contains(&("ix_products_vendor_sku".into(), 0, "vendor_id,sku".into())),
        "{indexes:?}"
    );
    assert!(
        indexes.contains(&("ix_products_vendor_id".into(), 0, "vendor_id".into())),
        "{indexes:?}"
    );
    assert!(
        indexes
            .iter()
            .any(|(_, unique, cols)| *unique == 1 && cols == "vendor_id,sku"),
        "{indexes:?}"
    );

    // Composite primary key.
    let pk: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM pragma_table_info('order_lines') WHERE pk > 0 ORDER BY pk",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(pk, ["order_no", "line"]);
}

#[tokio::test]
async fn sqlite_in_memory_url_works() {
    let db = DbConform::connect("sqlite::memory:").await.unwrap();
    let report = db.apply(&[Vendor::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1);
    assert!(db.apply(&[Vendor::table_def()]).await.unwrap().is_noop());
}

#[tokio::test]
async fn sqlite_from_pool_leaves_other_tables_alone_and_reports_them_as_drift() {
    let (_dir, url) = sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE legacy (x TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO legacy VALUES ('keep me')")
        .execute(&pool)
        .await
        .unwrap();

    let db = DbConform::from_pool(pool.clone());
    let report = db.apply(&[Vendor::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1);
    assert_eq!(report.drift.len(), 1);
    assert_eq!(report.drift[0].table.name, "legacy");
    let kept: String = sqlx::query_scalar("SELECT x FROM legacy")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(kept, "keep me");
}

// ---------------------------------------------------------------- PostgreSQL

/// The PostgreSQL catalog after the create: columns, constraints by definition, indexes
/// and comments.
/// The MySQL/MariaDB catalog after the create, read from `information_schema`: engine and
/// collation, columns, keys and indexes, foreign keys with their actions, checks.
#[cfg(feature = "mysql")]
async fn mysql_catalog(db: &TestDb) {
    let tables = db
        .texts(
            "SELECT TABLE_NAME || '|' || ENGINE || '|' || TABLE_COLLATION FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
        )
        .await;
    assert_eq!(
        tables,
        [
            "MixedCase|InnoDB|utf8mb4_unicode_ci",
            "order_lines|InnoDB|utf8mb4_unicode_ci",
            "products|InnoDB|utf8mb4_unicode_ci",
            "user|InnoDB|utf8mb4_unicode_ci",
            "vendors|InnoDB|utf8mb4_unicode_ci",
        ]
    );
    // Columns: `name|type|nullable|default|extra` (MariaDB keeps a default's quotes).
    let columns = db
        .texts(
            "SELECT CONCAT_WS('|', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, 'NULL'), EXTRA) \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'products' \
             ORDER BY ORDINAL_POSITION",
        )
        .await;
    assert_eq!(
        columns,
        [
            "id|bigint(20)|NO|NULL|auto_increment",
            "sku|varchar(64)|NO|NULL|",
            "description|text|YES|NULL|",
            "price|double|NO|0|",
            "vendor_id|bigint(20)|NO|NULL|",
            "status|text|NO|'new; unchecked'|",
            "active|tinyint(1)|NO|1|",
            "created_at|timestamp|NO|current_timestamp()|",
            "quantity|int(11)|NO|1|",
        ]
    );
    // Keys and indexes: `table|index|non_unique|columns`.
    let indexes = db
        .texts(
            "SELECT TABLE_NAME || '|' || INDEX_NAME || '|' || NON_UNIQUE || '|' || \
               GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE ORDER BY TABLE_NAME, INDEX_NAME",
        )
        .await;
    for expected in [
        "order_lines|PRIMARY|0|order_no,line",
        "products|PRIMARY|0|id",
        "products|ix_products_vendor_sku|1|vendor_id,sku",
        "products|ix_products_vendor_id|1|vendor_id",
        "products|uq_products_vendor_id_sku|0|vendor_id,sku",
    ] {
        assert!(
            indexes.iter().any(|i| i == expected),
            "{expected} in {indexes:?}"
        );
    }
    assert!(
        indexes
            .iter()
            .any(|i| i.starts_with("vendors|") && i.ends_with("|0|name")),
        "a unique key on vendors.name in {indexes:?}"
    );
    // Foreign keys: `table|column|referenced table|column|on delete|on update`.
    let foreign_keys = db
        .texts(
            "SELECT CONCAT_WS('|', k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
               k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE) \
             FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
               AND r.TABLE_NAME = k.TABLE_NAME \
             WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME",
        )
        .await;
    assert_eq!(
        foreign_keys,
        [
            "order_lines|fk_order_lines_user_id|user_id|user|id|SET NULL|CASCADE",
            "products|fk_products_vendor_id|vendor_id|vendors|id|CASCADE|RESTRICT",
        ]
    );
    // Checks, as the server keeps them (identifiers quoted as the session's ANSI mode
    // quotes them).
    let checks = db
        .texts(
            "SELECT CONSTRAINT_NAME || '|' || CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'products' ORDER BY CONSTRAINT_NAME",
        )
        .await;
    assert_eq!(checks.len(), 2, "{checks:?}");
    assert!(
        checks
            .iter()
            .any(|c| c == "ck_products_price|\"price\" >= 0"),
        "{checks:?}"
    );
    assert!(
        checks.iter().any(|c| c.ends_with("|\"quantity\" >= 0")),
        "{checks:?}"
    );
}

async fn postgres_catalog(scratch: &PgScratch) {
    let (schema, pool) = (&scratch.schema, &scratch.pool);
    // Columns from the catalog: `name|type|is_nullable|default|is_identity`.
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws('|', column_name::text, format_type(a.atttypid, a.atttypmod), is_nullable::text, \
           coalesce(column_default::text, 'NULL'), is_identity::text) \
         FROM information_schema.columns c \
         JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name \
         WHERE table_schema = $1 AND table_name = 'products' ORDER BY ordinal_position",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        columns,
        [
            "id|bigint|NO|NULL|YES",
            "sku|character varying(64)|NO|NULL|NO",
            "description|text|YES|NULL|NO",
            "price|double precision|NO|0|NO",
            "vendor_id|bigint|NO|NULL|NO",
            "status|text|NO|'new; unchecked'::text|NO",
            "active|boolean|NO|true|NO",
            "created_at|timestamp without time zone|NO|CURRENT_TIMESTAMP|NO",
            "quantity|integer|NO|1|NO",
        ]
    );

    // Constraints by definition.
    let mut constraints: Vec<(String, String)> = sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c \
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = $1 AND t.relname = 'products'",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    constraints.sort();
    let defs: Vec<&str> = constraints.iter().map(|(_, d)| d.as_str()).collect();
    assert!(defs.contains(&"PRIMARY KEY (id)"), "{constraints:?}");
    assert!(defs.contains(&"UNIQUE (vendor_id, sku)"), "{constraints:?}");
    assert!(
        defs.contains(&"CHECK ((price >= (0)::double precision))"),
        "{constraints:?}"
    );
    assert!(defs.contains(&"CHECK ((quantity >= 0))"), "{constraints:?}");
    assert!(
        constraints.contains(&(
            "fk_products_vendor_id".into(),
            format!("FOREIGN KEY (vendor_id) REFERENCES {schema}.vendors(id) ON DELETE CASCADE")
        )),
        "{constraints:?}"
    );
    // The one constraint of `order_lines` of a kind (`contype`).
    let order_line = async |kind: &str| -> String {
        sqlx::query_scalar(
            "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1 AND t.relname = 'order_lines' AND c.contype = $2",
        )
        .bind(schema)
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
    };
    let order_line_fk = order_line("f").await;
    assert_eq!(
        order_line_fk,
        format!(
            "FOREIGN KEY (user_id) REFERENCES {schema}.\"user\"(id) ON UPDATE CASCADE ON DELETE SET NULL"
        )
    );
    let order_line_pk = order_line("p").await;
    assert_eq!(order_line_pk, "PRIMARY KEY (order_no, line)");

    // Indexes.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'products' ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .unwrap();
    let index_defs: Vec<String> = indexes
        .iter()
        .map(|(_, d)| d.replace(&format!("{schema}."), "S."))
        .collect();
    assert!(
        index_defs.contains(
            &"CREATE INDEX ix_products_vendor_sku ON S.products USING btree (vendor_id, sku)"
                .to_string()
        ),
        "{index_defs:?}"
    );
    assert!(
        index_defs.contains(
            &"CREATE INDEX ix_products_vendor_id ON S.products USING btree (vendor_id)".to_string()
        ),
        "{index_defs:?}"
    );

    // Comments from doc comments.
    let comment: Option<String> =
        sqlx::query_scalar("SELECT col_description(format('%I.products', $1::text)::regclass, 3)")
            .bind(schema)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(comment.as_deref(), Some("Free text shown to customers."));
}

#[tokio::test]
async fn postgres_honours_per_table_schema() {
    #[derive(Table)]
    #[table(name = "audit_events", schema = "dbct_audit_schema")]
    struct AuditEvent {
        #[column(primary_key)]
        id: i64,
        #[column(references = "vendors(id)")]
        vendor_id: Option<i64>,
    }

    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "perschema").await;
    sqlx::query("DROP SCHEMA IF EXISTS dbct_audit_schema CASCADE")
        .execute(&scratch.pool)
        .await
        .unwrap();
    let db = scratch.conform().await;
    let tables = [AuditEvent::table_def(), Vendor::table_def()];
    db.apply(&tables).await.unwrap();

    let found: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables \
         WHERE table_schema IN ($1, 'dbct_audit_schema') ORDER BY 1, 2",
    )
    .bind(&scratch.schema)
    .fetch_all(&scratch.pool)
    .await
    .unwrap();
    let mut expected = vec![
        ("dbct_audit_schema".to_string(), "audit_events".to_string()),
        (scratch.schema.clone(), "vendors".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert!(db.apply(&tables).await.unwrap().is_noop());
    sqlx::query("DROP SCHEMA dbct_audit_schema CASCADE")
        .execute(&scratch.pool)
        .await
        .unwrap();
    scratch.cleanup().await;
}

backend_tests! {
    concurrent_conformers_all_succeed_and_work_is_done_once => async |db| {
        let mut tasks = Vec::new();
        for _ in 0..6 {
            let (url, options) = (db.url().to_string(), db.options());
            tasks.push(tokio::spawn(async move {
                DbConform::connect(&url)
                    .await?
                    .with_options(options)
                    .apply(&tables())
                    .await
            }));
        }
        let mut executed = Vec::new();
        for task in tasks {
            executed.push(task.await.unwrap().unwrap().executed.len());
        }
        executed.sort();
        // Five tables, and on PostgreSQL the scratch schema.
        let work = 5 + db.schema_steps();
        assert_eq!(
            executed,
            [0, 0, 0, 0, 0, work],
            "exactly one conformer does the work"
        );
    };
}

#[tokio::test]
async fn postgres_apply_through_a_caller_pool_never_commits_the_callers_open_work() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "callerpool").await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(3)
        .connect(&url)
        .await
        .unwrap();
    let setup = format!(
        "CREATE SCHEMA \"{0}\"; CREATE TABLE \"{0}\".notes (body text)",
        scratch.schema
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(setup))
        .execute(&pool)
        .await
        .unwrap();

    // The caller's own transaction, open while dbconform works through the same pool.
    let mut caller = pool.begin().await.unwrap();
    let insert = format!(
        "INSERT INTO \"{}\".notes VALUES ('uncommitted')",
        scratch.schema
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(insert))
        .execute(&mut *caller)
        .await
        .unwrap();

    let db = DbConform::from_pool(pool.clone()).with_options(scratch.options());
    let report = db.apply(&[Vendor::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1);
    caller.rollback().await.unwrap();

    let count = format!("SELECT count(*) FROM \"{}\".notes", scratch.schema);
    let notes: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    scratch.cleanup().await;
    assert_eq!(
        notes, 0,
        "the caller's rolled-back insert must not have been committed by dbconform"
    );
}
