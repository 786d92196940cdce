//! PostgreSQL indexes that differ from their declaration only by access method (GiST,
//! GIN, hash, BRIN), operator class, INCLUDE columns, NULLS NOT DISTINCT or NULLS
//! FIRST/LAST: reflection sees the difference, the plan recreates the index as declared,
//! an undeclared index of another method is left alone, and indexes declared with a method
//! are created as declared and then compare equal.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "apply_postgres/catalog.rs"]
mod catalog;
mod common;
#[path = "common/pg_cases.rs"]
mod pg_cases;

use catalog::pg_test;
use dbconform::ChangeKind::{AddIndex, AlterIndex};
use dbconform::{ChangeKind, Options, Plan, Table};

/// One plain (btree) index, declared without anything PostgreSQL would add.
#[derive(Table)]
#[table(name = "places")]
#[index(name = "ix_places_code", columns("code"))]
#[index(name = "ix_places_rank", columns("rank DESC", "code"))]
struct Place {
    #[column(primary_key)]
    id: i64,
    code: String,
    rank: Option<i32>,
    label: Option<String>,
}

/// The kinds of the steps of `plan`, in order.
fn step_kinds(plan: &Plan) -> Vec<ChangeKind> {
    plan.steps().iter().map(|s| s.kind).collect()
}

/// What `plan` reports as drift it leaves alone.
fn drift(plan: &Plan) -> Vec<&str> {
    plan.drift()
        .iter()
        .map(|d| d.description.as_str())
        .collect()
}

/// The indexes of `places` as declared and created, as `Pg::indexes` writes them.
const PLACES_INDEXES: [&str; 2] = [
    "CREATE INDEX ix_places_code ON S.places USING btree (code)",
    "CREATE INDEX ix_places_rank ON S.places USING btree (rank DESC, code)",
];

// `ix_places_code` and `ix_places_rank` replaced by hand with an index of the same name
// that differs in one respect, then `compare` must plan exactly one AlterIndex that
// recreates it as declared; after the apply the catalog holds the declared index.
pg_test!(
    same_named_index_differing_in_method_opclass_include_or_nulls_is_recreated,
    |pg| async move {
        pg.create(&[Place::table_def()]).await;
        pg.assert_indexes("places", &PLACES_INDEXES).await;
        let drifts = [
            ("ix_places_code", "USING hash (code)"),
            ("ix_places_code", "USING brin (code)"),
            ("ix_places_code", "(code text_pattern_ops)"),
            ("ix_places_code", "(code) INCLUDE (label)"),
            ("ix_places_code", "(code NULLS FIRST)"),
            ("ix_places_code", "(code DESC)"),
            ("ix_places_rank", "(rank DESC NULLS LAST, code)"),
        ];
        for (name, definition) in drifts {
            pg.exec(&format!(
                "DROP INDEX {{S}}.{name}; CREATE INDEX {name} ON {{S}}.places {definition}"
            ))
            .await;
            let plan = pg.db().await.compare(&[Place::table_def()]).await.unwrap();
            assert_eq!(step_kinds(&plan), [AlterIndex], "{definition}: {plan}");
            let sql = &plan.steps()[0].sql;
            assert_eq!(sql.len(), 2, "{sql:?}");
            assert!(sql[0].starts_with("DROP INDEX "), "{sql:?}");
            assert!(sql[1].starts_with("CREATE INDEX "), "{sql:?}");
            pg.apply(&[Place::table_def()]).await;
            assert_eq!(pg.indexes("places").await, PLACES_INDEXES, "{definition}");
        }
    }
);

/// A unique index differing only by NULLS NOT DISTINCT is another index.
#[derive(Table)]
#[table(name = "codes")]
#[index(
    name = "ux_codes_code",
    columns("code"),
    unique,
    predicate = "code <> ''"
)]
struct Code {
    #[column(primary_key)]
    id: i64,
    code: Option<String>,
}

pg_test!(
    unique_index_with_nulls_not_distinct_is_recreated,
    |pg| async move {
        pg.create(&[Code::table_def()]).await;
        pg.exec(
            "DROP INDEX {S}.ux_codes_code; \
         CREATE UNIQUE INDEX ux_codes_code ON {S}.codes (code) NULLS NOT DISTINCT \
         WHERE code <> ''",
        )
        .await;
        let plan = pg.db().await.compare(&[Code::table_def()]).await.unwrap();
        assert_eq!(step_kinds(&plan), [AlterIndex], "{plan}");
        pg.apply(&[Code::table_def()]).await;
        pg.assert_indexes(
        "codes",
        &["CREATE UNIQUE INDEX ux_codes_code ON S.codes USING btree (code) WHERE (code <> ''::text)"],
    )
    .await;
    }
);

// An undeclared GiST index is not taken for the declared plain index on the same column:
// the declared index is added, and the GiST index, whose drop the options refuse, stays
// as it is, reported as drift.
pg_test!(undeclared_gist_index_stays_as_it_is, |pg| async move {
    pg.create(&[Place::table_def()]).await;
    pg.exec(
        "DROP INDEX {S}.ix_places_code; \
         CREATE INDEX places_code_hash ON {S}.places USING hash (code)",
    )
    .await;
    let options = Options {
        allow_drop_extra_constraints: false,
        ..pg.options()
    };
    let db = pg.db().await.with_options(options);
    let plan = db.compare(&[Place::table_def()]).await.unwrap();
    assert_eq!(step_kinds(&plan), [AddIndex], "{plan}");
    let create = format!(
        "CREATE INDEX \"ix_places_code\" ON \"{}\".\"places\" (\"code\")",
        pg.schema
    );
    assert_eq!(plan.steps()[0].sql, [create]);
    let drift = drift(&plan);
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert!(drift[0].contains("places_code_hash"), "{drift:?}");
    db.apply(&[Place::table_def()]).await.unwrap();
    let hash = "CREATE INDEX places_code_hash ON S.places USING hash (code)";
    pg.assert_indexes("places", &[PLACES_INDEXES[0], PLACES_INDEXES[1], hash])
        .await;
});

// A GIN full-text index a DBA added to a declared table survives the next start with
// the default options: it is drift, with the flag that would drop it (issue 16).
pg_test!(
    a_gin_index_a_dba_added_is_kept_by_default,
    |pg| async move {
        pg.create(&[Place::table_def()]).await;
        pg.exec(
            "CREATE INDEX places_label_fts ON {S}.places USING gin (to_tsvector('english', label))",
        )
        .await;
        let db = pg.db().await.with_options(pg.options());
        let plan = db.compare(&[Place::table_def()]).await.unwrap();
        assert!(plan.steps().is_empty(), "{plan}");
        assert_eq!(
            drift(&plan),
            [
                "extra index `places_label_fts` using gin (to_tsvector('english'::regconfig, label)) (kept; set allow_drop_extra_indexes to drop it)"
            ]
        );
        db.apply(&[Place::table_def()]).await.unwrap();
        let indexes = pg.indexes("places").await;
        let fts = "CREATE INDEX places_label_fts ON S.places USING gin (to_tsvector('english'::regconfig, label))";
        assert!(indexes.iter().any(|i| i == fts), "{indexes:?}");
    }
);

// Indexes declared with an access method, INCLUDE columns and NULLS NOT DISTINCT (no doc
// comment: it would be the table's comment).
#[derive(Table)]
#[table(name = "bookings")]
#[index(name = "ix_bookings_during", columns("during"), method = "gist")]
#[index(name = "ix_bookings_tags", columns("tags"), method = "gin")]
#[index(name = "ix_bookings_note", columns("note"), method = "HASH")]
#[index(name = "ix_bookings_id", columns("id"), method = "brin")]
#[index(
    name = "ix_bookings_room",
    columns("room DESC"),
    include("note", "code"),
    method = "btree"
)]
#[index(name = "ux_bookings_code", columns("code"), unique, nulls_not_distinct)]
struct Booking {
    #[column(primary_key)]
    id: i64,
    room: i32,
    #[column(sql_type = "tsrange")]
    during: Option<String>,
    #[column(sql_type = "jsonb")]
    tags: Option<String>,
    note: Option<String>,
    code: Option<String>,
}

// Created as declared; a second compare is empty (checked by `apply`); the same
// indexes created by hand are taken as declared; and the declaration differing from the
// database only in INCLUDE or NULLS NOT DISTINCT is a step.
pg_test!(
    declared_method_include_and_nulls_not_distinct_are_created_and_converge,
    |pg| async move {
        pg.create(&[Booking::table_def()]).await;
        let expected = [
            "CREATE INDEX ix_bookings_during ON S.bookings USING gist (during)",
            "CREATE INDEX ix_bookings_id ON S.bookings USING brin (id)",
            "CREATE INDEX ix_bookings_note ON S.bookings USING hash (note)",
            "CREATE INDEX ix_bookings_room ON S.bookings USING btree (room DESC) INCLUDE (note, code)",
            "CREATE INDEX ix_bookings_tags ON S.bookings USING gin (tags)",
            "CREATE UNIQUE INDEX ux_bookings_code ON S.bookings USING btree (code) NULLS NOT DISTINCT",
        ];
        pg.assert_indexes("bookings", &expected).await;

        // Written by hand the way PostgreSQL prints them: nothing to do.
        pg.exec(
            "DROP TABLE {S}.bookings; \
             CREATE TABLE {S}.bookings (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
               room integer NOT NULL, during tsrange, tags jsonb, note text, code text); \
             CREATE INDEX ix_bookings_during ON {S}.bookings USING GIST (during range_ops); \
             CREATE INDEX ix_bookings_id ON {S}.bookings USING brin (id); \
             CREATE INDEX ix_bookings_note ON {S}.bookings USING hash (note); \
             CREATE INDEX ix_bookings_room ON {S}.bookings (room DESC NULLS FIRST) INCLUDE (note, code); \
             CREATE INDEX ix_bookings_tags ON {S}.bookings USING gin (tags jsonb_ops); \
             CREATE UNIQUE INDEX ux_bookings_code ON {S}.bookings (code ASC NULLS LAST) NULLS NOT DISTINCT",
        )
        .await;
        let db = pg.db().await;
        let plan = db.compare(&[Booking::table_def()]).await.unwrap();
        assert!(plan.is_empty(), "{plan}");

        // INCLUDE and NULLS NOT DISTINCT differ: each index is recreated as declared.
        pg.exec(
            "DROP INDEX {S}.ix_bookings_room; DROP INDEX {S}.ux_bookings_code; \
             CREATE INDEX ix_bookings_room ON {S}.bookings (room DESC) INCLUDE (note); \
             CREATE UNIQUE INDEX ux_bookings_code ON {S}.bookings (code)",
        )
        .await;
        let plan = db.compare(&[Booking::table_def()]).await.unwrap();
        let sql: Vec<&[String]> = plan.steps().iter().map(|s| s.sql.as_slice()).collect();
        let s = &pg.schema;
        assert_eq!(
            sql,
            [
                [
                    format!("DROP INDEX \"{s}\".\"ix_bookings_room\""),
                    format!(
                        "CREATE INDEX \"ix_bookings_room\" ON \"{s}\".\"bookings\" (\"room\" DESC) INCLUDE (\"note\", \"code\")"
                    ),
                ],
                [
                    format!("DROP INDEX \"{s}\".\"ux_bookings_code\""),
                    format!(
                        "CREATE UNIQUE INDEX \"ux_bookings_code\" ON \"{s}\".\"bookings\" (\"code\") NULLS NOT DISTINCT"
                    ),
                ],
            ]
        );
        pg.apply(&[Booking::table_def()]).await;
        pg.assert_indexes("bookings", &expected).await;
    }
);

/// SQLite has B-tree indexes only: a declared GiST index is refused before anything runs,
/// naming the table and the index.
#[tokio::test]
async fn sqlite_refuses_an_index_method_other_than_btree() {
    let (_dir, url) = common::sqlite_file();
    let db = dbconform::DbConform::connect(&url).await.unwrap();
    let error = db.compare(&[Booking::table_def()]).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "table `main.bookings`: index `ix_bookings_during` uses access method `gist`, but SQLite indexes are B-trees only; remove `method` from the index declaration (or write `method = \"btree\"`)"
    );
}
