//! An enum column on every backend (`#[derive(DbEnum)]`): PostgreSQL's named type, MySQL's
//! inline `ENUM(...)`, SQLite's `TEXT` with a CHECK of the labels named
//! `ck_<table>_<column>_enum`. Each is created, compared equal afterwards, refuses a value
//! outside its labels, and takes a new label, as the database itself shows.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{Backend, TestDb, backend_tests, sqlite_sql};
use dbconform::{DbEnum, Table, TableDef};

#[derive(DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
}

#[derive(Table)]
#[table(name = "feelings")]
struct Feeling {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    mood: Mood,
}

/// `mood` with one more label, `so-so`, at the end.
#[derive(DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
enum MoodMore {
    Happy,
    Sad,
    #[db_enum(rename = "so-so")]
    SoSo,
}

#[derive(Table)]
#[table(name = "feelings")]
struct FeelingMore {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    mood: MoodMore,
}

/// What the database's own catalog says the column is.
async fn stored(db: &TestDb) -> String {
    match db.backend {
        Backend::Sqlite => sqlite_sql(db.sqlite_pool().unwrap(), "feelings").await,
        Backend::Postgres => db
            .texts(&db.sql(
                "SELECT string_agg(e.enumlabel::text, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_attribute a ON a.atttypid = e.enumtypid WHERE a.attrelid = '{S}feelings'::regclass AND a.attname = 'mood'",
            ))
            .await
            .join(""),
        #[cfg(feature = "mysql")]
        Backend::Mysql => db
            .texts(
                "SELECT column_type FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'feelings' AND column_name = 'mood'",
            )
            .await
            .join(""),
    }
}

async fn conforms(db: &TestDb, tables: &[TableDef]) {
    let plan = db.conform().await.compare(tables).await.unwrap();
    assert!(plan.is_empty(), "{}: {plan}", db.backend.title());
}

backend_tests! {
    enum_column_holds_only_its_labels_and_takes_a_new_one => async |db| {
        let conform = db.conform().await;
        let tables = [Feeling::table_def()];
        conform.apply(&tables).await.unwrap();
        conforms(db, &tables).await;
        let expected = match db.backend {
            Backend::Sqlite => "CREATE TABLE \"feelings\" ( \"id\" BIGINT NOT NULL, \"mood\" TEXT NOT NULL, CONSTRAINT \"pk_feelings\" PRIMARY KEY (\"id\"), CONSTRAINT \"ck_feelings_mood_enum\" CHECK (\"mood\" IN ('happy', 'sad')) )",
            Backend::Postgres => "happy,sad",
            #[cfg(feature = "mysql")]
            Backend::Mysql => "enum('happy','sad')",
        };
        let found = stored(db).await;
        if db.is_sqlite() {
            assert!(found.contains("\"mood\" TEXT NOT NULL"), "{found}");
            assert!(
                found.contains("CONSTRAINT \"ck_feelings_mood_enum\" CHECK (\"mood\" IN ('happy', 'sad'))"),
                "{found}"
            );
        } else {
            assert_eq!(found, expected);
        }
        db.exec("INSERT INTO {S}feelings (id, mood) VALUES (1, 'happy')").await;
        assert!(
            db.try_exec("INSERT INTO {S}feelings (id, mood) VALUES (2, 'nope')").await.is_err(),
            "{}: a value outside the labels was stored",
            db.backend.title()
        );

        let more = [FeelingMore::table_def()];
        conform.apply(&more).await.unwrap();
        conforms(db, &more).await;
        let found = stored(db).await;
        match db.backend {
            Backend::Sqlite => assert!(found.contains("IN ('happy', 'sad', 'so-so')"), "{found}"),
            Backend::Postgres => assert_eq!(found, "happy,sad,so-so"),
            #[cfg(feature = "mysql")]
            Backend::Mysql => assert_eq!(found, "enum('happy','sad','so-so')"),
        }
        db.exec("INSERT INTO {S}feelings (id, mood) VALUES (3, 'so-so')").await;
        assert_eq!(
            db.texts(&db.sql("SELECT mood FROM {S}feelings ORDER BY id")).await,
            ["happy", "so-so"]
        );
    };
}
