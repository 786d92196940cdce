//! PostgreSQL enum types declared with `#[derive(DbEnum)]`: created before the tables
//! using them, reflected, compared by name, their labels added, renamed and removed, and
//! undeclared ones dropped only with the drop flags. Each test reads the result from
//! `pg_catalog` and the rows themselves, not through dbconform.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use common::PgScratch;
use dbconform::sqlx::{self, AssertSqlSafe, Connection, PgConnection, PgPool};
use dbconform::{ChangeKind, DbEnum, Risk, Table, TableDef};
use pg_cases::{run_then_drop, scratch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, DbEnum)]
#[sqlx(type_name = "mood", rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
}

#[derive(Table)]
#[table(name = "people")]
struct Person {
    #[column(primary_key)]
    id: i64,
    name: String,
    mood: Mood,
    #[column(default = "'happy'")]
    usual: Option<Mood>,
}

/// `mood` with `so-so` between its labels.
#[derive(DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
enum MoodMiddle {
    Happy,
    #[db_enum(rename = "so-so")]
    SoSo,
    Sad,
}

#[derive(Table)]
#[table(name = "people")]
struct PersonMiddle {
    #[column(primary_key)]
    id: i64,
    name: String,
    #[column(default = "'so-so'")]
    mood: MoodMiddle,
    #[column(default = "'happy'")]
    usual: Option<MoodMiddle>,
}

/// `mood` with `sad` renamed `blue`.
#[derive(DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
enum MoodRenamed {
    Happy,
    #[db_enum(renamed_from = "sad")]
    Blue,
}

#[derive(Table)]
#[table(name = "people")]
struct PersonRenamed {
    #[column(primary_key)]
    id: i64,
    name: String,
    mood: MoodRenamed,
    #[column(default = "'happy'")]
    usual: Option<MoodRenamed>,
}

/// `mood` without `sad`.
#[derive(DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
enum MoodHappyOnly {
    Happy,
}

#[derive(Table)]
#[table(name = "people")]
struct PersonHappyOnly {
    #[column(primary_key)]
    id: i64,
    name: String,
    mood: MoodHappyOnly,
    #[column(default = "'happy'")]
    usual: Option<MoodHappyOnly>,
}

#[derive(Table)]
#[table(name = "people")]
struct PersonWithoutMood {
    #[column(primary_key)]
    id: i64,
    name: String,
}

fn people() -> Vec<TableDef> {
    vec![Person::table_def()]
}

/// What a test body reads the database through: the scratch schema's pool and name.
#[derive(Clone)]
struct Catalog {
    pool: PgPool,
    schema: String,
}

impl Catalog {
    fn of(scratch: &PgScratch) -> Catalog {
        Catalog {
            pool: scratch.pool.clone(),
            schema: scratch.schema.clone(),
        }
    }
}

/// Runs `body` with a conformer on a fresh scratch schema (and the server's URL, and the
/// catalog to read the schema through), then drops the schema, even when `body` panics.
async fn on_scratch<F, Fut>(tag: &str, body: F)
where
    F: FnOnce(String, dbconform::DbConform, Catalog) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some((url, scratch)) = scratch(tag).await else {
        return;
    };
    let db = scratch.conform().await;
    let catalog = Catalog::of(&scratch);
    run_then_drop(vec![scratch], body(url, db, catalog)).await;
}

/// The labels of `type_name` in the scratch schema, in order, as `pg_enum` has them.
async fn labels(scratch: &Catalog, type_name: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
         JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = $1 AND t.typname = $2 ORDER BY e.enumsortorder",
    )
    .bind(&scratch.schema)
    .bind(type_name)
    .fetch_all(&scratch.pool)
    .await
    .unwrap()
}

/// Whether the type `type_name` exists in the scratch schema.
async fn type_exists(scratch: &Catalog, type_name: &str) -> bool {
    sqlx::query_scalar(
        "SELECT count(*) > 0 FROM pg_catalog.pg_type t
         JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = $1 AND t.typname = $2",
    )
    .bind(&scratch.schema)
    .bind(type_name)
    .fetch_one(&scratch.pool)
    .await
    .unwrap()
}

/// `format_type` of `people.<column>` and its default.
async fn column_type(scratch: &Catalog, column: &str) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT pg_catalog.format_type(a.atttypid, a.atttypmod),
                pg_catalog.pg_get_expr(d.adbin, d.adrelid)
         FROM pg_catalog.pg_attribute a
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE n.nspname = $1 AND c.relname = 'people' AND a.attname = $2",
    )
    .bind(&scratch.schema)
    .bind(column)
    .fetch_one(&scratch.pool)
    .await
    .unwrap()
}

/// The rows of `people` as `id:mood:usual` text.
async fn rows(scratch: &Catalog) -> Vec<String> {
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id || ':' || mood::text || ':' || coalesce(usual::text, '-') FROM \"{}\".people ORDER BY id",
        scratch.schema
    )))
    .fetch_all(&scratch.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn created_before_its_table_then_nothing_to_do_and_sqlx_binds_it() {
    let Some((url, scratch)) = scratch("enum_create").await else {
        return;
    };
    let schema = scratch.schema.clone();
    let db = scratch.conform().await;
    let catalog = Catalog::of(&scratch);
    let body = async move {
        let scratch = &catalog;
        let plan = db.compare(&people()).await.unwrap();
        let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::CreateSchema,
                ChangeKind::CreateEnum,
                ChangeKind::CreateTable
            ]
        );
        assert_eq!(plan.steps()[1].risk, Risk::Safe);
        assert_eq!(
            plan.steps()[1].sql,
            [format!(
                "CREATE TYPE \"{schema}\".\"mood\" AS ENUM ('happy', 'sad')"
            )]
        );
        db.apply(&people()).await.unwrap();
        assert_eq!(labels(scratch, "mood").await, ["happy", "sad"]);
        // `format_type` qualifies a type whose schema is not on the search path.
        let mood = format!("{schema}.mood");
        assert_eq!(column_type(scratch, "mood").await, (mood.clone(), None));
        assert_eq!(
            column_type(scratch, "usual").await,
            (mood.clone(), Some(format!("'happy'::{mood}")))
        );
        let again = db.compare(&people()).await.unwrap();
        assert!(again.is_empty(), "{again}");

        // sqlx binds and reads the enum through the same labels.
        let mut conn = PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("SET search_path TO \"{schema}\"")))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO people (id, name, mood) VALUES (1, 'ann', $1), (2, 'bob', $2)")
            .bind(Mood::Sad)
            .bind(Mood::Happy)
            .execute(&mut conn)
            .await
            .unwrap();
        let read: Vec<(i64, Mood, Option<Mood>)> =
            sqlx::query_as("SELECT id, mood, usual FROM people ORDER BY id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            read,
            [
                (1, Mood::Sad, Some(Mood::Happy)),
                (2, Mood::Happy, Some(Mood::Happy))
            ]
        );
        conn.close().await.unwrap();
    };
    run_then_drop(vec![scratch], body).await;
}

#[tokio::test]
async fn hand_written_type_with_the_same_labels_compares_equal() {
    let Some((url, scratch)) = scratch("enum_hand").await else {
        return;
    };
    scratch
        .ddl(
            "CREATE TYPE mood AS ENUM ('happy', 'sad');
             CREATE TABLE people (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
               name text NOT NULL, mood mood NOT NULL, usual mood DEFAULT 'happy')",
        )
        .await;
    let db = scratch.conform().await;
    let _ = url;
    let body = async move {
        let plan = db.compare(&people()).await.unwrap();
        assert!(plan.is_empty(), "{plan}");
    };
    run_then_drop(vec![scratch], body).await;
}

/// Creates `people` as [`Person`] declares it with two rows (`1`: sad, `2`: happy).
async fn people_with_rows(db: &dbconform::DbConform, catalog: &Catalog) {
    db.apply(&people()).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "INSERT INTO \"{0}\".people (id, name, mood, usual) VALUES (1, 'ann', 'sad', NULL), (2, 'bob', 'happy', 'sad')",
        catalog.schema
    )))
    .execute(&catalog.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_label_added_in_the_middle_commits_first_and_a_default_uses_it_in_the_same_apply() {
    on_scratch("enum_add", |_, db, catalog| async move {
        let scratch = &catalog;
        people_with_rows(&db, scratch).await;
        let declared = [PersonMiddle::table_def()];
        let plan = db.compare(&declared).await.unwrap();
        let first = &plan.steps()[0];
        assert_eq!(first.kind, ChangeKind::AddEnumValue);
        assert_eq!(first.risk, Risk::Safe);
        assert_eq!(
            first.sql,
            [format!(
                "ALTER TYPE \"{}\".\"mood\" ADD VALUE IF NOT EXISTS 'so-so' AFTER 'happy'",
                scratch.schema
            )]
        );
        assert!(
            first.reason.contains("committed before the other steps"),
            "{}",
            first.reason
        );
        // The script commits the new label before the rest, as apply does.
        let script = plan.to_sql();
        let split = script.find("COMMIT;\nBEGIN;\n").expect(&script);
        assert!(script[..split].contains("ADD VALUE"), "{script}");
        assert!(script[split..].contains("SET DEFAULT 'so-so'"), "{script}");
        let report = db.apply(&declared).await.unwrap();
        assert_eq!(
            report.committed_first,
            [format!(
                "add value \"so-so\" to enum type {}.mood",
                scratch.schema
            )]
        );
        assert_eq!(report.executed[0].step.kind, ChangeKind::AddEnumValue);
        let text = report.to_string();
        assert!(
            text.contains("the first 1 committed in a transaction of their own"),
            "{text}"
        );
        assert_eq!(labels(scratch, "mood").await, ["happy", "so-so", "sad"]);
        let mood = format!("{}.mood", scratch.schema);
        assert_eq!(
            column_type(scratch, "mood").await,
            (mood.clone(), Some(format!("'so-so'::{mood}")))
        );
        assert_eq!(rows(scratch).await, ["1:sad:-", "2:happy:sad"]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    })
    .await;
}

#[tokio::test]
async fn a_label_renamed_from_an_old_one_keeps_the_rows_holding_it() {
    on_scratch("enum_rename", |_, db, catalog| async move {
        let scratch = &catalog;
        people_with_rows(&db, scratch).await;
        let declared = [PersonRenamed::table_def()];
        let plan = db.compare(&declared).await.unwrap();
        let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [ChangeKind::RenameEnumValue]);
        assert_eq!(plan.steps()[0].risk, Risk::Safe);
        db.apply(&declared).await.unwrap();
        assert_eq!(labels(scratch, "mood").await, ["happy", "blue"]);
        assert_eq!(rows(scratch).await, ["1:blue:-", "2:happy:blue"]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    })
    .await;
}

#[tokio::test]
async fn a_removed_label_blocks_while_rows_hold_it_then_the_type_is_made_again() {
    on_scratch("enum_remove", |_, db, catalog| async move {
        let scratch = &catalog;
        people_with_rows(&db, scratch).await;
        let declared = [PersonHappyOnly::table_def()];

        // Two rows hold `sad` (one in each column): blocked, nothing changed.
        let report = db.apply(&declared).await.unwrap();
        assert!(report.executed.is_empty(), "{report}");
        assert_eq!(report.blocked.len(), 1, "{report}");
        let blocked = &report.blocked[0];
        assert_eq!(blocked.step.kind, ChangeKind::RecreateEnum);
        assert_eq!(blocked.step.risk, Risk::Danger);
        assert!(blocked.why().contains("1 row"), "{}", blocked.why());
        assert_eq!(labels(scratch, "mood").await, ["happy", "sad"]);
        assert_eq!(rows(scratch).await, ["1:sad:-", "2:happy:sad"]);

        // Without them: made again, the rows and the default kept.
        sqlx::raw_sql(AssertSqlSafe(format!(
            "UPDATE \"{0}\".people SET mood = 'happy' WHERE mood = 'sad'; UPDATE \"{0}\".people SET usual = NULL",
            scratch.schema
        )))
        .execute(&scratch.pool)
        .await
        .unwrap();
        let report = db.apply(&declared).await.unwrap();
        let kinds: Vec<ChangeKind> = report.executed.iter().map(|e| e.step.kind).collect();
        assert_eq!(kinds, [ChangeKind::RecreateEnum], "{report}");
        assert_eq!(labels(scratch, "mood").await, ["happy"]);
        assert!(!type_exists(scratch, "mood_dbconform_old").await);
        let mood = format!("{}.mood", scratch.schema);
        assert_eq!(
            column_type(scratch, "usual").await,
            (mood.clone(), Some(format!("'happy'::{mood}")))
        );
        assert_eq!(rows(scratch).await, ["1:happy:-", "2:happy:-"]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    })
    .await;
}

#[tokio::test]
async fn an_undeclared_type_is_dropped_only_with_the_drop_flags() {
    let Some((_, scratch)) = scratch("enum_drop").await else {
        return;
    };
    scratch.ddl("CREATE TYPE leftover AS ENUM ('x', 'y')").await;
    let db = scratch.conform().await;
    let options = scratch.options();
    let catalog = Catalog::of(&scratch);
    let body = async move {
        let scratch = &catalog;
        let report = db.apply(&people()).await.unwrap();
        assert!(type_exists(scratch, "leftover").await);
        assert!(
            report.drift.iter().any(|d| d.table.name == "leftover"),
            "{report}"
        );
        let dropping = db.with_options(dbconform::Options {
            allow_drop_extra_tables: true,
            ..options
        });
        let report = dropping.apply(&people()).await.unwrap();
        let kinds: Vec<ChangeKind> = report.executed.iter().map(|e| e.step.kind).collect();
        assert_eq!(kinds, [ChangeKind::DropEnum], "{report}");
        assert!(!type_exists(scratch, "leftover").await);
        assert!(type_exists(scratch, "mood").await);
        let again = dropping.compare(&people()).await.unwrap();
        assert!(again.is_empty(), "{again}");
    };
    run_then_drop(vec![scratch], body).await;
}

#[tokio::test]
async fn online_a_new_label_commits_on_its_own_before_a_default_uses_it() {
    let Some((_, scratch)) = scratch("enum_online").await else {
        return;
    };
    let db = scratch.conform().await;
    let options = scratch.options();
    let catalog = Catalog::of(&scratch);
    let body = async move {
        let scratch = &catalog;
        people_with_rows(&db, scratch).await;
        let online = db.with_options(dbconform::Options {
            online: true,
            ..options
        });
        let declared = [PersonMiddle::table_def()];
        online.apply(&declared).await.unwrap();
        assert_eq!(labels(scratch, "mood").await, ["happy", "so-so", "sad"]);
        let mood = format!("{}.mood", scratch.schema);
        assert_eq!(
            column_type(scratch, "mood").await,
            (mood.clone(), Some(format!("'so-so'::{mood}")))
        );
        let again = online.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    };
    run_then_drop(vec![scratch], body).await;
}

#[tokio::test]
async fn an_enum_in_a_schema_of_its_own_is_created_there_schema_and_all() {
    let Some((url, scratch)) = scratch("enum_schema").await else {
        return;
    };
    // Only its name: the schema is the plan's to create.
    let types = PgScratch::new(&url, "enum_types").await;
    let db = scratch.conform().await;
    let mut table = Person::table_def();
    for column in &mut table.columns {
        if let dbconform::ColumnType::Enum(ty) = &mut column.ty {
            ty.schema = Some(types.schema.clone());
        }
    }
    let in_types = Catalog::of(&types);
    let body = async move {
        let declared = [table];
        let report = db.apply(&declared).await.unwrap();
        let kinds: Vec<ChangeKind> = report.executed.iter().map(|e| e.step.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::CreateSchema,
                ChangeKind::CreateSchema,
                ChangeKind::CreateEnum,
                ChangeKind::CreateTable
            ],
            "{report}"
        );
        assert_eq!(labels(&in_types, "mood").await, ["happy", "sad"]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    };
    run_then_drop(vec![scratch, types], body).await;
}

#[tokio::test]
async fn a_view_over_an_enum_column_is_put_back_around_its_types_recreation() {
    on_scratch("enum_view", |_, db, catalog| async move {
        let scratch = &catalog;
        db.apply(&people()).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE VIEW \"{0}\".glad AS SELECT id, mood FROM \"{0}\".people WHERE mood = 'happy'; INSERT INTO \"{0}\".people (id, name, mood) VALUES (1, 'ann', 'happy')",
            scratch.schema
        )))
        .execute(&scratch.pool)
        .await
        .unwrap();
        let declared = [PersonHappyOnly::table_def()];
        let report = db.apply(&declared).await.unwrap();
        let step = &report.executed[0].step;
        assert_eq!(step.kind, ChangeKind::RecreateEnum, "{report}");
        assert!(step.reason.contains("glad"), "{}", step.reason);
        assert_eq!(labels(scratch, "mood").await, ["happy"]);
        let glad: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM \"{}\".glad",
            scratch.schema
        )))
        .fetch_all(&scratch.pool)
        .await
        .unwrap();
        assert_eq!(glad, [1]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    })
    .await;
}

#[tokio::test]
async fn a_text_column_becomes_an_enum_column_keeping_its_values() {
    let Some((_, scratch)) = scratch("enum_from_text").await else {
        return;
    };
    scratch
        .ddl(
            "CREATE TABLE people (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
               name text NOT NULL, mood text NOT NULL, usual text DEFAULT 'happy');
             INSERT INTO people (id, name, mood) VALUES (1, 'ann', 'sad')",
        )
        .await;
    let db = scratch.conform().await;
    let catalog = Catalog::of(&scratch);
    let body = async move {
        let scratch = &catalog;
        let report = db.apply(&people()).await.unwrap();
        let kinds: Vec<ChangeKind> = report.executed.iter().map(|e| e.step.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::CreateEnum,
                ChangeKind::AlterColumn,
                ChangeKind::AlterColumn
            ],
            "{report}"
        );
        assert_eq!(rows(scratch).await, ["1:sad:happy"]);
        let mood = format!("{}.mood", scratch.schema);
        assert_eq!(
            column_type(scratch, "usual").await,
            (mood.clone(), Some(format!("'happy'::{mood}")))
        );
        let again = db.compare(&people()).await.unwrap();
        assert!(again.is_empty(), "{again}");
    };
    run_then_drop(vec![scratch], body).await;
}

#[tokio::test]
async fn the_script_run_by_psql_adds_a_label_and_uses_it_as_apply_does() {
    on_scratch("enum_script", |url, db, catalog| async move {
        let scratch = &catalog;
        people_with_rows(&db, scratch).await;
        let declared = [PersonMiddle::table_def()];
        let script = db.compare(&declared).await.unwrap().to_sql();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.sql");
        std::fs::write(&file, &script).unwrap();
        let out = std::process::Command::new("psql")
            .args([
                url.as_str(),
                "-X",
                "-q",
                "-1",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
            ])
            .arg(&file)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(labels(scratch, "mood").await, ["happy", "so-so", "sad"]);
        let again = db.compare(&declared).await.unwrap();
        assert!(again.is_empty(), "{again}");
    })
    .await;
}

#[derive(Table)]
#[table(name = "people")]
struct PersonMoods {
    #[column(primary_key)]
    id: i64,
    mood: Mood,
    #[column(default = "'{}'")]
    moods: Vec<Mood>,
}

#[derive(Table)]
#[table(name = "people")]
struct PersonMoodsHappyOnly {
    #[column(primary_key)]
    id: i64,
    mood: MoodHappyOnly,
    #[column(default = "'{}'")]
    moods: Vec<MoodHappyOnly>,
}

#[tokio::test]
async fn an_array_of_an_enum_is_the_types_array_and_sqlx_binds_it() {
    let Some((url, scratch)) = scratch("enum_array").await else {
        return;
    };
    let schema = scratch.schema.clone();
    let db = scratch.conform().await;
    let catalog = Catalog::of(&scratch);
    let body = async move {
        let tables = vec![PersonMoods::table_def()];
        db.apply(&tables).await.unwrap();
        let mood = format!("{schema}.mood");
        assert_eq!(
            column_type(&catalog, "moods").await,
            (format!("{mood}[]"), Some(format!("'{{}}'::{mood}[]")))
        );
        let again = db.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{again}\n{}", again.to_sql());

        let mut conn = PgConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("SET search_path TO \"{schema}\"")))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("INSERT INTO people (id, mood, moods) VALUES (1, 'happy', $1)")
            .bind(vec![Mood::Sad, Mood::Happy])
            .execute(&mut conn)
            .await
            .unwrap();
        let read: Vec<Mood> = sqlx::query_scalar("SELECT moods FROM people")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(read, [Mood::Sad, Mood::Happy]);
        conn.close().await.unwrap();

        // Without `sad`: blocked while an array holds it, then the type is made again
        // with the array column converted and its rows kept.
        let happy_only = vec![PersonMoodsHappyOnly::table_def()];
        let report = db.apply(&happy_only).await.unwrap();
        assert_eq!(report.blocked.len(), 1, "{report}");
        assert_eq!(labels(&catalog, "mood").await, ["happy", "sad"]);
        sqlx::raw_sql(AssertSqlSafe(format!(
            "UPDATE \"{schema}\".people SET moods = '{{happy}}'"
        )))
        .execute(&catalog.pool)
        .await
        .unwrap();
        let report = db.apply(&happy_only).await.unwrap();
        assert!(report.blocked.is_empty(), "{report}");
        assert_eq!(labels(&catalog, "mood").await, ["happy"]);
        let kept: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT moods::text FROM \"{schema}\".people"
        )))
        .fetch_all(&catalog.pool)
        .await
        .unwrap();
        assert_eq!(kept, ["{happy}"]);
        let again = db.compare(&happy_only).await.unwrap();
        assert!(again.is_empty(), "{again}\n{}", again.to_sql());
    };
    run_then_drop(vec![scratch], body).await;
}
