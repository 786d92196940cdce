//! Adopting an existing database's keys (issue 15, defect 3): an integer key that already
//! assigns its own ids — a PostgreSQL `serial`/`bigserial` column or one drawing from a
//! sequence it merely uses (pg_dump's `DEFAULT nextval('t_id_seq'::regclass)`, a sequence
//! shared by two tables), a SQLite `INTEGER PRIMARY KEY` rowid alias without
//! `AUTOINCREMENT` — satisfies a plain `#[column(primary_key)]` declaration: no step, the
//! sequence keeps its value, tables inheriting the column and rules inserting through it
//! keep working, and a later apply of another change leaves the key as it was.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{PgScratch, pg_url, sqlite_file};
use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{ChangeKind, Check, Column, ColumnType, DbConform, Plan, Table, TableDef};

#[derive(Table)]
#[table(name = "film")]
struct Film {
    #[column(primary_key)]
    id: i32,
    title: String,
}

// The inheritance child of `film`; its `id` default (the parent's sequence) is set at
// run time, where the scratch schema's name is known. (A doc comment would be the table's
// comment.)
#[derive(Table)]
#[table(name = "film_archive")]
struct FilmArchive {
    id: i32,
    title: String,
}

#[derive(Table)]
#[table(name = "actor")]
struct Actor {
    #[column(primary_key)]
    id: i32,
    name: String,
}

#[derive(Table)]
#[table(name = "staff")]
struct Staff {
    #[column(primary_key)]
    id: i64,
    name: String,
}

#[derive(Table)]
#[table(name = "customer")]
struct Customer {
    #[column(primary_key)]
    id: i32,
    name: String,
}

/// `film` as pg_dump writes it (a sequence the column uses but does not own), an
/// inheritance child and a rule inserting through a view; `actor` a real `serial`;
/// `staff` and `customer` sharing one sequence. The sequences are well past the rows.
const PG_SCHEMA: &str = "
CREATE SEQUENCE film_id_seq;
CREATE TABLE film (
  id integer DEFAULT nextval('film_id_seq'::regclass) NOT NULL PRIMARY KEY,
  title text NOT NULL
);
CREATE TABLE film_archive () INHERITS (film);
CREATE VIEW new_film AS SELECT id, title FROM film;
CREATE RULE new_film_insert AS ON INSERT TO new_film
  DO INSTEAD INSERT INTO film (title) VALUES (NEW.title);
INSERT INTO film (title) VALUES ('a'), ('b');
INSERT INTO film_archive (title) VALUES ('old');
SELECT setval('film_id_seq', 500);
CREATE TABLE actor (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO actor (name) VALUES ('x');
CREATE SEQUENCE person_seq;
CREATE TABLE staff (id bigint DEFAULT nextval('person_seq') NOT NULL PRIMARY KEY, name text NOT NULL);
CREATE TABLE customer (id integer DEFAULT nextval('person_seq') NOT NULL PRIMARY KEY, name text NOT NULL);
INSERT INTO staff (name) VALUES ('s');
INSERT INTO customer (name) VALUES ('c');
SELECT setval('person_seq', 70);
";

/// The column `rating` of `film`: the "other change" of a later apply. (Added by hand: a
/// second registered `film` would make `snapshot()` refuse the registry.)
fn rating() -> Column {
    Column {
        nullable: true,
        ..Column::new("rating", ColumnType::Integer)
    }
}

/// The declaration of [`PG_SCHEMA`]; when `rated`, `film` has the column [`rating`], and
/// when `child_rated` its child too (it inherits the column once the parent has it).
fn pg_tables(schema: &str, rated: bool, child_rated: bool) -> Vec<TableDef> {
    let (mut film, mut archive) = (Film::table_def(), FilmArchive::table_def());
    archive.columns[0].default = Some(format!("nextval('{schema}.film_id_seq'::regclass)"));
    if rated {
        film.columns.push(rating());
    }
    if child_rated {
        archive.columns.push(rating());
    }
    vec![
        film,
        archive,
        Actor::table_def(),
        Staff::table_def(),
        Customer::table_def(),
    ]
}

fn assert_empty(plan: &Plan) {
    assert!(
        plan.is_empty() && plan.drift().is_empty(),
        "expected nothing to do, found:\n{plan}\ndrift: {:#?}",
        plan.drift()
    );
}

/// One text value of the first row.
async fn pg_text(scratch: &PgScratch, sql: &str) -> String {
    let sql = sql.replace("{S}", &scratch.schema);
    sqlx::query_scalar::<_, String>(AssertSqlSafe(sql.clone()))
        .fetch_one(&scratch.pool)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
}

/// The keys' state as the database reports it: each sequence's last value, the stored
/// default and identity kind of every `id`, and which tables' ids are filled.
async fn pg_key_state(scratch: &PgScratch) -> String {
    pg_text(
        scratch,
        "SELECT (SELECT last_value FROM {S}.film_id_seq) || ' ' \
           || (SELECT last_value FROM {S}.person_seq) || ' ' \
           || (SELECT last_value FROM {S}.actor_id_seq) || E'\\n' \
           || string_agg(c.relname || '.id ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') \
                || ' identity=' || a.attidentity::text, E'\\n' ORDER BY c.relname) \
         FROM pg_class c \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id' \
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
         WHERE c.relnamespace = '{S}'::regnamespace AND c.relkind = 'r'",
    )
    .await
}

#[tokio::test]
async fn postgres_sequence_keys_satisfy_auto_increment() {
    let Some(url) = pg_url() else { return };
    let (scratch, db) = PgScratch::with_ddl(&url, "adopt_serial", PG_SCHEMA).await;
    let s = scratch.schema.clone();
    let before = pg_key_state(&scratch).await;

    let plan = db.compare(&pg_tables(&s, false, false)).await.unwrap();
    assert_empty(&plan);

    // The snapshot says what the database has: a `nextval` default, not an identity.
    let snapshot = db.snapshot().await.unwrap();
    let film = snapshot
        .tables
        .iter()
        .find(|t| t.name == "film")
        .expect("film reflected");
    let id = film.column("id").expect("film.id reflected");
    assert_eq!(
        (id.default.as_deref(), id.auto_increment),
        (
            Some(format!("nextval('{s}.film_id_seq'::regclass)").as_str()),
            false
        )
    );

    // Another change is applied; the keys stay as they are.
    let report = db.apply(&pg_tables(&s, true, false)).await.unwrap();
    let kinds = common::kinds(&report);
    assert_eq!(kinds, [ChangeKind::AddColumn], "{report}");
    assert_eq!(pg_key_state(&scratch).await, before);

    // Inserts through the child and the rule draw from the old sequence, past its value.
    let inserted = pg_text(
        &scratch,
        "WITH a AS (INSERT INTO {S}.film_archive (title) VALUES ('older') RETURNING id) \
         SELECT id::text FROM a",
    )
    .await;
    assert_eq!(inserted, "501");
    sqlx::raw_sql(AssertSqlSafe(format!(
        "INSERT INTO {s}.new_film (title) VALUES ('via rule'); \
         INSERT INTO {s}.customer (name) VALUES ('d')"
    )))
    .execute(&scratch.pool)
    .await
    .unwrap();
    assert_eq!(
        pg_text(
            &scratch,
            "SELECT string_agg(id || ':' || title, ',' ORDER BY id) FROM {S}.film"
        )
        .await,
        "1:a,2:b,3:old,501:older,502:via rule"
    );
    assert_eq!(
        pg_text(&scratch, "SELECT max(id)::text FROM {S}.customer").await,
        "71"
    );

    let again = db.compare(&pg_tables(&s, true, true)).await;
    scratch.cleanup().await;
    assert_empty(&again.unwrap());
}

#[derive(Table)]
#[table(name = "notes")]
struct Note {
    #[column(primary_key)]
    id: i64,
    body: String,
}

/// `notes` with a CHECK the database lacks: only a rebuild can add it. (Built by hand,
/// as [`rating`] is added.)
fn checked_note() -> TableDef {
    let mut notes = Note::table_def();
    notes.checks.push(Check {
        name: "ck_notes_body".into(),
        expr: "length(body) > 0".into(),
        not_valid: false,
    });
    notes
}

#[tokio::test]
async fn sqlite_rowid_key_satisfies_auto_increment() {
    let (_dir, url) = sqlite_file();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL); \
         INSERT INTO notes (id, body) VALUES (1, 'a'), (7, 'b')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let db = DbConform::from_pool(pool.clone());

    assert_empty(&db.compare(&[Note::table_def()]).await.unwrap());

    // A rebuild for another reason keeps the key as the database has it: the rowid
    // alias, without AUTOINCREMENT (and so without a `sqlite_sequence` row).
    let report = db.apply(&[checked_note()]).await.unwrap();
    let kinds = common::kinds(&report);
    assert_eq!(kinds, [ChangeKind::RebuildTable], "{report}");
    let sql = common::sqlite_sql(&pool, "notes").await;
    assert!(!sql.to_ascii_uppercase().contains("AUTOINCREMENT"), "{sql}");
    let rows: String = sqlx::query_scalar("SELECT group_concat(id || ':' || body, ',') FROM notes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, "1:a,7:b");
    assert_empty(&db.compare(&[checked_note()]).await.unwrap());

    // A table dbconform creates still gets AUTOINCREMENT.
    db.apply(&[checked_note(), Film::table_def()])
        .await
        .unwrap();
    let sql = common::sqlite_sql(&pool, "film").await;
    assert!(sql.contains("AUTOINCREMENT"), "{sql}");
}
