//! Hostile input on every backend: names with quotes, backticks, spaces, unicode and SQL
//! keywords; PostgreSQL's 63-byte and MySQL's 64-character identifier limits (refused
//! before anything runs, never truncated silently); defaults holding quotes and `;`; URLs that are
//! malformed, name a missing database or a closed port, or carry a password (which never
//! shows); databases holding objects dbconform does not model. Clear errors, no panic,
//! and whatever is applied converges.

#[path = "common/mod.rs"]
mod common;

use common::{Backend, backend_tests};

use dbconform::sqlx;
use dbconform::{Column, ColumnType, DbConform, TableDef};

async fn applies_and_converges(db: &DbConform, tables: &[TableDef], what: &str) {
    db.apply(tables)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let plan = db.compare(tables).await.unwrap();
    assert!(plan.is_empty(), "{what}: not converged:\n{plan}");
}

backend_tests! {
    hostile_names_and_defaults_apply_and_converge => async |db| {
        let conform = db.conform().await;
        applies_and_converges(&conform, &db.ready(common::hostile_tables()), db.name()).await;
        // The default with quotes and `;` is stored and used as written.
        db.exec("INSERT INTO {S}\"order\" (id) VALUES (1)").await;
        assert_eq!(
            db.texts("SELECT \"order col\" FROM {S}\"order\"").await,
            ["it's; DROP TABLE x; --"]
        );
    };
}

fn named(name: &str, column: &str) -> TableDef {
    TableDef {
        name: name.into(),
        columns: vec![Column::new(column, ColumnType::BigInt)],
        ..TableDef::default()
    }
}

#[tokio::test]
async fn postgres_identifier_lengths_63_works_64_and_200_are_refused() {
    let Some(url) = common::pg_url() else { return };
    let scratch = common::PgScratch::new(&url, "lengths").await;
    let db = DbConform::from_pool(scratch.pool.clone()).with_options(scratch.options());
    let n63 = "t".repeat(63);
    let c63 = "c".repeat(63);
    applies_and_converges(&db, &[named(&n63, &c63)], "63 bytes").await;
    // Multi-byte: 21 three-byte characters are 63 bytes, 22 are 66.
    let wide_ok = "表".repeat(21);
    applies_and_converges(
        &db,
        &[named(&n63, &c63), named(&wide_ok, "id")],
        "63 bytes, CJK",
    )
    .await;
    for (table, column) in [
        ("t".repeat(64), "id".to_string()),
        ("t".repeat(200), "id".to_string()),
        ("ok".to_string(), "c".repeat(64)),
        ("表".repeat(22), "id".to_string()),
    ] {
        let error = db
            .apply(&[named(&table, &column)])
            .await
            .expect_err("a name over 63 bytes must be refused")
            .to_string();
        assert!(
            error.contains("PostgreSQL keeps at most 63 bytes") && error.contains("shorten it"),
            "{error}"
        );
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = $1")
                .bind(&scratch.schema)
                .fetch_all(&scratch.pool)
                .await
                .unwrap();
        assert_eq!(tables.len(), 2, "nothing was created: {tables:?}");
    }
    scratch.cleanup().await;
}

/// MySQL counts characters, not bytes: 64 work, 30 three-byte characters (90 bytes) work,
/// 65 characters are refused before anything runs; so is a table name whose InnoDB file
/// name (`@xxxx` a non-ASCII character) would pass the server's name check and then fail
/// on the file system after earlier steps committed.
#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_identifier_lengths_64_characters_work_65_are_refused() {
    let Some(db) = common::TestDb::mysql("lengths").await else {
        return;
    };
    let conform = db.conform().await;
    let (n64, c64, wide) = ("t".repeat(64), "c".repeat(64), "表".repeat(30));
    let fits = [named(&n64, &c64), named(&wide, "id")];
    applies_and_converges(&conform, &fits, "64 characters").await;
    for (table, column, refusal) in [
        ("t".repeat(65), "id".to_string(), "64 characters"),
        ("ok".to_string(), "c".repeat(65), "64 characters"),
        ("表".repeat(65), "id".to_string(), "64 characters"),
        (
            "表".repeat(64),
            "id".to_string(),
            "makes an InnoDB file name of 324 bytes",
        ),
    ] {
        let error = conform
            .apply(&[named(&table, &column)])
            .await
            .expect_err("the name must be refused")
            .to_string();
        assert!(error.contains(refusal), "{error}");
        assert_eq!(db.table_names().await.len(), 2, "nothing was created");
    }
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_has_no_identifier_length_limit() {
    let (_dir, url) = common::sqlite_file();
    let db = DbConform::connect(&url).await.unwrap();
    applies_and_converges(
        &db,
        &[named(&"t".repeat(200), &"c".repeat(200))],
        "200 bytes",
    )
    .await;
}

#[tokio::test]
async fn bad_urls_give_clear_errors_without_the_password() {
    let secret = "s3cr3t-Pa55";
    let mut cases = vec![
        ("not a url".to_string(), vec!["not a url"]),
        ("mysql2://x".to_string(), vec!["mysql2"]),
        (
            format!("postgres://postgres:{secret}@127.0.0.1:1/test"),
            vec!["127.0.0.1:1"],
        ),
        (
            "sqlite:///nonexistent-dir/xyz/db.sqlite".to_string(),
            vec!["nonexistent-dir"],
        ),
    ];
    if let Some(url) = common::pg_url() {
        let (base, _) = url.rsplit_once('/').unwrap();
        let with_password = base.replacen(
            "postgres://postgres@",
            &format!("postgres://postgres:{secret}@"),
            1,
        );
        cases.push((
            format!("{with_password}/dbconform_no_such_database"),
            vec!["dbconform_no_such_database"],
        ));
    }
    for (url, mentions) in cases {
        let error = match DbConform::connect(&url).await {
            Ok(db) => db.compare_all().await.map(|_| ()).unwrap_err(),
            Err(error) => error,
        };
        let text = format!("{error} {error:?}");
        assert!(!text.contains(secret), "password shown: {text}");
        for mention in mentions {
            assert!(text.contains(mention), "{url}: {text}");
        }
    }
}

backend_tests! {
    objects_dbconform_does_not_model_are_left_alone => async |db| {
        let (unmodelled, kept) = match db.backend {
            Backend::Sqlite => (
                "CREATE VIRTUAL TABLE docs USING fts5(title, body); \
                 CREATE TABLE base (id INTEGER PRIMARY KEY, v TEXT); \
                 CREATE VIEW v_base AS SELECT id FROM base; \
                 CREATE TRIGGER tr_base AFTER INSERT ON base BEGIN SELECT 1; END; \
                 INSERT INTO docs VALUES ('a', 'b');",
                "docs",
            ),
            Backend::Postgres => (
                "CREATE TYPE mood AS ENUM ('ok', 'sad'); \
                 CREATE DOMAIN positive AS integer CHECK (VALUE > 0); \
                 CREATE TABLE feelings (id int PRIMARY KEY, m mood, p positive); \
                 CREATE TABLE measures (at date NOT NULL, v int) PARTITION BY RANGE (at); \
                 CREATE TABLE measures_2026 PARTITION OF measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'); \
                 CREATE TABLE bookings (id int, room int, during tsrange, EXCLUDE USING gist (during WITH &&)); \
                 CREATE VIEW v_feelings AS SELECT id FROM feelings; \
                 CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x; \
                 CREATE SEQUENCE loose_seq; \
                 INSERT INTO feelings VALUES (1, 'ok', 5);",
                "feelings",
            ),
            #[cfg(feature = "mysql")]
            Backend::Mysql => (
                "CREATE TABLE feelings (id int PRIMARY KEY, m ENUM('ok', 'sad'), s SET('a', 'b'), \
                   body TEXT, FULLTEXT INDEX ft_body (body)) ENGINE=InnoDB; \
                 CREATE TABLE measures (at date NOT NULL, v int) PARTITION BY RANGE (YEAR(at)) \
                   (PARTITION p2026 VALUES LESS THAN (2027), PARTITION pmax VALUES LESS THAN MAXVALUE); \
                 CREATE VIEW v_feelings AS SELECT id FROM feelings; \
                 CREATE TRIGGER tr_feelings BEFORE INSERT ON feelings FOR EACH ROW SET NEW.m = NEW.m; \
                 CREATE SEQUENCE loose_seq; \
                 INSERT INTO feelings VALUES (1, 'ok', 'a', 'text');",
                "feelings",
            ),
        };
        db.ddl(unmodelled).await;
        let conform = db.conform().await;
        let plan = conform.compare(&db.ready(common::hostile_tables())).await.unwrap();
        // The undeclared tables are drift, never dropped by default.
        assert!(
            plan.steps()
                .iter()
                .all(|s| s.kind != dbconform::ChangeKind::DropTable),
            "{plan}"
        );
        applies_and_converges(
            &conform,
            &db.ready(common::hostile_tables()),
            &format!("{} with unmodelled objects", db.name()),
        )
        .await;
        assert_eq!(db.rows(kept).await, 1);
    };
}
