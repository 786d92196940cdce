//! Array columns (`Vec<T>`, issue 20) on real databases: PostgreSQL creates them, reads
//! every hand-written spelling as the declaration, changes them with the element's risk
//! and keeps the data, and an application binds and reads them through sqlx; SQLite and
//! MySQL refuse them at plan time, naming the column and the fix. What the database holds
//! is read through its catalog (`apply_postgres/catalog.rs`), never through dbconform.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "apply_postgres/catalog.rs"]
mod catalog;
mod common;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use catalog::pg_test;
use dbconform::sqlx::{self, Row};
use dbconform::{ChangeKind, DbConform, Options, Risk, Table, TableDef};

// Arrays of every kind a declaration gives them: from `Vec<T>`, nullable through
// `Option`, an element with a length through `sql_type`, a default, a GIN index.
#[derive(Table)]
#[table(name = "posts")]
#[index(name = "ix_posts_tags", columns("tags"), method = "gin")]
struct Post {
    #[column(primary_key)]
    id: i64,
    tags: Vec<String>,
    scores: Vec<i64>,
    ranks: Option<Vec<i32>>,
    #[column(sql_type = "varchar(20)[]")]
    codes: Vec<String>,
    #[column(default = "'{}'")]
    labels: Vec<String>,
    #[column(sql_type = "text[]", default = "ARRAY[]::text[]")]
    notes: Vec<String>,
}

pg_test!(
    arrays_are_created_as_declared_and_converge,
    |pg| async move {
        pg.create(&[Post::table_def()]).await;
        let column = |name: &'static str| {
            let pg = &pg;
            async move { pg.existing_column("posts", name).await }
        };
        for (name, ty, not_null) in [
            ("tags", "text[]", true),
            ("scores", "bigint[]", true),
            ("ranks", "integer[]", false),
            ("codes", "character varying(20)[]", true),
            ("labels", "text[]", true),
            ("notes", "text[]", true),
        ] {
            let col = column(name).await;
            assert_eq!(col.ty, ty, "{name}");
            assert_eq!(col.not_null, not_null, "{name}");
        }
        assert_eq!(
            column("labels").await.default.as_deref(),
            Some("'{}'::text[]")
        );
        assert_eq!(
            column("notes").await.default.as_deref(),
            Some("ARRAY[]::text[]")
        );
        pg.assert_indexes(
            "posts",
            &["CREATE INDEX ix_posts_tags ON S.posts USING gin (tags)"],
        )
        .await;

        // The application binds and reads `Vec<T>` through sqlx against the conformed table.
        let tags = vec!["rust".to_string(), "sql".to_string()];
        sqlx::query(dbconform::sqlx::AssertSqlSafe(pg.sql(
            "INSERT INTO {S}.posts (id, tags, scores, ranks, codes) VALUES ($1, $2, $3, $4, $5)",
        )))
        .bind(1_i64)
        .bind(&tags)
        .bind(vec![7_i64, -1])
        .bind(None::<Vec<i32>>)
        .bind(vec!["a1".to_string()])
        .execute(&pg.pool)
        .await
        .unwrap();
        let row = sqlx::query(dbconform::sqlx::AssertSqlSafe(pg.sql(
            "SELECT tags, scores, ranks, codes, labels, notes FROM {S}.posts WHERE tags @> $1",
        )))
        .bind(vec!["sql".to_string()])
        .fetch_one(&pg.pool)
        .await
        .unwrap();
        assert_eq!(row.get::<Vec<String>, _>("tags"), tags);
        assert_eq!(row.get::<Vec<i64>, _>("scores"), [7, -1]);
        assert_eq!(row.get::<Option<Vec<i32>>, _>("ranks"), None);
        assert_eq!(row.get::<Vec<String>, _>("codes"), ["a1"]);
        assert!(row.get::<Vec<String>, _>("labels").is_empty());
        assert!(row.get::<Vec<String>, _>("notes").is_empty());

        // With rows, still nothing to do.
        let plan = pg.db().await.compare(&[Post::table_def()]).await.unwrap();
        assert!(plan.is_empty(), "{plan}");

        // The GIN index written by hand with its default operator class is the declared one.
        pg.exec(
            "DROP INDEX {S}.ix_posts_tags;
             CREATE INDEX ix_posts_tags ON {S}.posts USING GIN (tags pg_catalog.array_ops)",
        )
        .await;
        let plan = pg.db().await.compare(&[Post::table_def()]).await.unwrap();
        assert!(plan.is_empty(), "{plan}");
        // A B-tree in its place is not: the index is built again as declared.
        pg.exec(
            "DROP INDEX {S}.ix_posts_tags;
             CREATE INDEX ix_posts_tags ON {S}.posts (tags)",
        )
        .await;
        let plan = pg.db().await.compare(&[Post::table_def()]).await.unwrap();
        let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [ChangeKind::AlterIndex], "{plan}");
        pg.apply(&[Post::table_def()]).await;
        pg.assert_indexes(
            "posts",
            &["CREATE INDEX ix_posts_tags ON S.posts USING gin (tags)"],
        )
        .await;
    }
);

// One column per spelling PostgreSQL accepts for an array type.
#[derive(Table)]
#[table(name = "spelled")]
struct Spelled {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    a: Vec<String>,
    b: Vec<String>,
    c: Vec<String>,
    #[column(sql_type = "character varying(20)[]")]
    d: Vec<String>,
    #[column(sql_type = "varchar(20) ARRAY")]
    e: Option<Vec<String>>,
    f: Vec<i64>,
    g: Vec<i64>,
    h: Vec<i32>,
    i: Vec<i32>,
    j: Vec<serde_json::Value>,
    k: Vec<uuid::Uuid>,
    l: Vec<chrono::DateTime<chrono::Utc>>,
    #[column(sql_type = "_int8")]
    m: Vec<i64>,
    #[column(default = "'{}'")]
    n: Vec<String>,
    #[column(default = "ARRAY[]::text[]")]
    o: Vec<String>,
}

pg_test!(
    hand_written_array_spellings_compare_equal,
    |pg| async move {
        pg.exec(
            "CREATE SCHEMA {S};
         CREATE TABLE {S}.spelled (
            id bigint PRIMARY KEY,
            a text[] NOT NULL,
            b _text NOT NULL,
            c text ARRAY NOT NULL,
            d varchar(20)[] NOT NULL,
            e character varying(20)[],
            f int8[] NOT NULL,
            g bigint[] NOT NULL,
            h integer[3] NOT NULL,
            i int[][] NOT NULL,
            j jsonb[] NOT NULL,
            k uuid[] NOT NULL,
            l timestamptz[] NOT NULL,
            m bigint ARRAY[2] NOT NULL,
            n text[] NOT NULL DEFAULT ARRAY[]::text[],
            o text[] NOT NULL DEFAULT '{}'
        )",
        )
        .await;
        let plan = pg
            .db()
            .await
            .compare(&[Spelled::table_def()])
            .await
            .unwrap();
        assert!(plan.is_empty(), "{plan}\n{}", plan.to_sql());
    }
);

// `nums` as it is declared after the change, for each test below.
#[derive(Table)]
#[table(name = "nums")]
struct WiderNums {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    n: Vec<i64>,
    #[column(sql_type = "text[]")]
    words: Vec<String>,
}

pg_test!(
    element_widening_is_applied_with_the_data_kept,
    |pg| async move {
        pg.exec(
        "CREATE SCHEMA {S};
         CREATE TABLE {S}.nums (id bigint PRIMARY KEY, n integer[] NOT NULL, words varchar(10)[] NOT NULL);
         INSERT INTO {S}.nums VALUES (1, '{1,2,3}', '{a,bc}'), (2, '{}', '{}')",
    )
    .await;
        let plan = pg
            .db()
            .await
            .compare(&[WiderNums::table_def()])
            .await
            .unwrap();
        let steps = plan.steps();
        assert_eq!(steps.len(), 2, "{plan}");
        for step in steps {
            assert_eq!(step.kind, ChangeKind::AlterColumn, "{plan}");
            // A widening, but PostgreSQL rewrites the table for every array type change.
            assert_eq!(step.risk, Risk::Caution, "{plan}");
            assert!(
                step.sql.iter().all(|s| !s.contains("USING")),
                "{:?}",
                step.sql
            );
        }
        pg.apply(&[WiderNums::table_def()]).await;
        assert_eq!(pg.existing_column("nums", "n").await.ty, "bigint[]");
        assert_eq!(pg.existing_column("nums", "words").await.ty, "text[]");
        pg.assert_strings(
            "SELECT n::text || ' ' || words::text FROM {S}.nums ORDER BY id",
            &["{1,2,3} {a,bc}", "{} {}"],
        )
        .await;
    }
);

// Narrowing the elements: Danger, applied where the values fit.
#[derive(Table)]
#[table(name = "nums")]
struct NarrowerNums {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    n: Vec<i32>,
    #[column(sql_type = "varchar(2)[]")]
    words: Vec<String>,
}

pg_test!(element_narrowing_is_danger, |pg| async move {
    pg.exec(
        "CREATE SCHEMA {S};
         CREATE TABLE {S}.nums (id bigint PRIMARY KEY, n bigint[] NOT NULL, words text[] NOT NULL);
         INSERT INTO {S}.nums VALUES (1, '{1,2,3}', '{a,bc}')",
    )
    .await;
    let plan = pg
        .db()
        .await
        .compare(&[NarrowerNums::table_def()])
        .await
        .unwrap();
    assert_eq!(plan.steps().len(), 2, "{plan}");
    for step in plan.steps() {
        assert_eq!(step.risk, Risk::Danger, "{plan}");
        assert!(step.reason.contains("array elements"), "{}", step.reason);
    }
    // Blocked by default (it may lose values).
    let cautious = DbConform::connect(&pg.url)
        .await
        .unwrap()
        .with_options(Options {
            allow_shrink_column: false,
            ..pg.options()
        });
    let plan = cautious
        .compare(&[NarrowerNums::table_def()])
        .await
        .unwrap();
    assert_eq!(plan.blocked().len(), 2, "{plan}");
    pg.apply(&[NarrowerNums::table_def()]).await;
    assert_eq!(pg.existing_column("nums", "n").await.ty, "integer[]");
    assert_eq!(
        pg.existing_column("nums", "words").await.ty,
        "character varying(2)[]"
    );
    pg.assert_strings(
        "SELECT n::text || ' ' || words::text FROM {S}.nums",
        &["{1,2,3} {a,bc}"],
    )
    .await;
});

// A scalar column declared as an array: each value becomes a one-element array.
#[derive(Table)]
#[table(name = "wrapped")]
struct Wrapped {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    tag: Option<Vec<String>>,
}

// The same column declared back as a scalar integer: refused.
#[derive(Table)]
#[table(name = "wrapped")]
struct Unwrapped {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    tag: Option<i32>,
}

pg_test!(
    scalar_to_array_wraps_and_array_to_scalar_is_refused,
    |pg| async move {
        pg.exec(
            "CREATE SCHEMA {S};
         CREATE TABLE {S}.wrapped (id bigint PRIMARY KEY, tag text);
         INSERT INTO {S}.wrapped VALUES (1, 'a'), (2, NULL)",
        )
        .await;
        let plan = pg
            .db()
            .await
            .compare(&[Wrapped::table_def()])
            .await
            .unwrap();
        assert_eq!(plan.steps().len(), 1, "{plan}");
        assert_eq!(plan.steps()[0].risk, Risk::Danger, "{plan}");
        assert!(
            plan.steps()[0].reason.contains("one-element array"),
            "{plan}"
        );
        pg.apply(&[Wrapped::table_def()]).await;
        assert_eq!(pg.existing_column("wrapped", "tag").await.ty, "text[]");
        pg.assert_strings(
            "SELECT coalesce(tag::text, 'null') FROM {S}.wrapped ORDER BY id",
            &["{a}", "null"],
        )
        .await;

        let error = pg
            .db()
            .await
            .compare(&[Unwrapped::table_def()])
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("wrapped"), "{error}");
        assert!(error.contains("`tag`"), "{error}");
        assert!(error.contains("no cast from an array"), "{error}");
    }
);

/// The refusal a backend without arrays gives for [`Post`].
fn assert_refused(error: &str, backend: &str, json_type: &str) {
    assert!(error.contains("posts"), "{error}");
    assert!(error.contains("column `tags`"), "{error}");
    assert!(
        error.contains(&format!("{backend} has no array type")),
        "{error}"
    );
    assert!(
        error.contains(&format!("sql_type = \"{json_type}\"")),
        "{error}"
    );
    assert!(error.contains("sqlx::types::Json<Vec<T>>"), "{error}");
}

#[tokio::test]
async fn sqlite_refuses_arrays_naming_the_column_and_the_fix() {
    let db = DbConform::connect("sqlite::memory:").await.unwrap();
    let error = db.compare(&[Post::table_def()]).await.unwrap_err();
    assert_refused(&error.to_string(), "SQLite", "TEXT");
    // Nothing was created.
    let tables: Vec<TableDef> = Vec::new();
    assert!(db.compare(&tables).await.unwrap().is_empty());
}

#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_refuses_arrays_naming_the_column_and_the_fix() {
    let Some(server) = common::mysql::mysql_url() else {
        return;
    };
    let scratch = common::mysql::Scratch::new(&server, "arrays_refused").await;
    let result = DbConform::connect(&scratch.url)
        .await
        .unwrap()
        .compare(&[Post::table_def()])
        .await;
    scratch.cleanup().await;
    let error = result.unwrap_err().to_string();
    assert_refused(&error, "MySQL", "JSON");
}
