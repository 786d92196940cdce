//! PostgreSQL reflection against a real database: hand-written DDL in a scratch schema,
//! then `DbConform::snapshot` must return exactly the expected `TableDef`s — every column
//! type, identity and serial, defaults as stored, generated columns, collations, comments,
//! every constraint kind with its actions, unnamed constraints, partial, descending,
//! expression and unique indexes — with a number of queries that does not depend on the
//! number of tables, ignoring every object dbconform does not manage.
//!
//! This binary declares no `#[derive(Table)]`, so `snapshot` reflects the target schema
//! (the scratch schema) only.

mod common;

use common::build::{
    check, custom, index, index_key as key, nullable as col, primary_key, strings, unique,
};
use common::{PgScratch, pg_url};
use dbconform::sqlx::{self, AssertSqlSafe};
use dbconform::{
    Check, Column, ColumnType, DbConform, FkAction, ForeignKey, GeneratedColumn, Index,
    IndexColumn, PrimaryKey, QualifiedName, Schema, SortOrder, TableDef,
};

async fn db(url: &str, scratch: &PgScratch) -> DbConform {
    DbConform::connect(url)
        .await
        .unwrap()
        .with_options(scratch.options())
}

/// Builders for the expected columns.
trait Expect {
    fn not_null(self) -> Self;
    fn default(self, sql: &str) -> Self;
    fn auto(self) -> Self;
    fn comment(self, text: &str) -> Self;
    fn collate(self, name: &str) -> Self;
    fn generated(self, expr: &str) -> Self;
}

impl Expect for Column {
    fn not_null(self) -> Self {
        self.with(|c| c.nullable = false)
    }
    fn default(self, sql: &str) -> Self {
        self.with(|c| c.default = Some(sql.into()))
    }
    fn auto(self) -> Self {
        self.with(|c| (c.auto_increment, c.nullable) = (true, false))
    }
    fn comment(self, text: &str) -> Self {
        self.with(|c| c.comment = Some(text.into()))
    }
    fn collate(self, name: &str) -> Self {
        self.with(|c| c.collation = Some(name.into()))
    }
    fn generated(self, expr: &str) -> Self {
        let expr = expr.into();
        self.with(|c| c.generated = Some(GeneratedColumn { expr, stored: true }))
    }
}

/// The one change each builder of [`Expect`] makes, applied to a column.
trait With: Sized {
    fn with(self, change: impl FnOnce(&mut Self)) -> Self;
}

impl With for Column {
    fn with(mut self, change: impl FnOnce(&mut Self)) -> Self {
        change(&mut self);
        self
    }
}

/// An expected table `name` of the scratch schema `schema`, with nothing else declared
/// yet.
fn table(schema: &str, name: &str) -> TableDef {
    TableDef {
        schema: Some(schema.into()),
        name: name.into(),
        ..TableDef::default()
    }
}

/// The snapshot of a fresh scratch schema (tagged `tag`) after the DDL `ddl(schema)` ran
/// in it, with the schema's name. `teardown(schema)` then drops what the DDL made outside
/// the schema, and the scratch schema is dropped before the snapshot is returned, so a
/// failed assertion never leaves anything behind. `None` when no server is configured
/// (see `pg_url`).
async fn snapshot_after(
    tag: &str,
    ddl: impl FnOnce(&str) -> String,
    teardown: impl FnOnce(&str) -> Option<String>,
) -> Option<(String, Schema)> {
    let url = pg_url()?;
    let scratch = PgScratch::new(&url, tag).await;
    let s = scratch.schema.clone();
    scratch.ddl(&ddl(&s)).await;
    let snapshot = db(&url, &scratch).await.snapshot().await;
    if let Some(sql) = teardown(&s) {
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&scratch.pool)
            .await
            .unwrap();
    }
    scratch.cleanup().await;
    Some((s, snapshot.unwrap()))
}

/// Asserts that the scratch schema (tagged `tag`) after `ddl` reflects as exactly one
/// table, `expected(schema)`, column by column first so that a failure names the column.
async fn assert_reflected_as(tag: &str, ddl: &str, expected: impl FnOnce(&str) -> TableDef) {
    let ddl = |_: &str| ddl.to_string();
    let Some((s, snapshot)) = snapshot_after(tag, ddl, nothing_outside).await else {
        return;
    };
    let expected = expected(&s);
    assert_eq!(snapshot.schemas, std::slice::from_ref(&s));
    assert_eq!(snapshot.tables.len(), 1, "{snapshot:#?}");
    let actual = &snapshot.tables[0];
    for (a, e) in actual.columns.iter().zip(&expected.columns) {
        assert_eq!(a, e);
    }
    assert_eq!(actual, &expected);
}

/// No teardown for [`snapshot_after`]: the DDL made nothing outside the schema.
fn nothing_outside(_: &str) -> Option<String> {
    None
}

fn pk(name: &str, columns: &[&str]) -> Option<PrimaryKey> {
    primary_key(Some(name), columns)
}

/// A foreign key `name` from `columns` to `referenced_columns` of `references`, with the
/// default actions (NO ACTION).
fn fk(
    name: &str,
    columns: &[&str],
    references: QualifiedName,
    referenced_columns: &[&str],
) -> ForeignKey {
    ForeignKey {
        deferrable: Default::default(),
        name: name.into(),
        columns: strings(columns),
        references,
        referenced_columns: strings(referenced_columns),
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
        not_valid: false,
    }
}

fn decimal(precision: Option<u32>, scale: Option<u32>) -> ColumnType {
    ColumnType::Decimal { precision, scale }
}

/// Takes the snapshot, cleans up, then returns it (so a failed assertion never leaves
/// the scratch schema behind).
async fn snapshot_and_cleanup(url: &str, scratch: PgScratch) -> Schema {
    let snapshot = db(url, &scratch).await.snapshot().await;
    scratch.cleanup().await;
    snapshot.unwrap()
}

#[tokio::test]
async fn every_column_kind_is_reflected_exactly() {
    assert_reflected_as(
        "refl_cols",
        r#"
        CREATE TYPE mood AS ENUM ('ok', 'meh');
        CREATE TABLE kinds (
          id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          by_default bigint GENERATED BY DEFAULT AS IDENTITY,
          ser serial,
          big bigserial,
          small_i smallint NOT NULL DEFAULT 0,
          i integer DEFAULT -1,
          b int8,
          r real DEFAULT 1.5,
          d float8,
          flag bool NOT NULL DEFAULT TRUE,
          t text DEFAULT 'x',
          vc varchar(20) DEFAULT 'y',
          vc_free varchar,
          ch char,
          bin bytea,
          num numeric(10,2) DEFAULT 0,
          num12 numeric(12),
          num_free decimal,
          day date DEFAULT CURRENT_DATE,
          later date DEFAULT CURRENT_DATE + interval '3 days',
          at_time time,
          ts timestamp DEFAULT (now()),
          ts3 timestamp(3),
          tstz timestamptz DEFAULT CURRENT_TIMESTAMP,
          u uuid,
          j json,
          jb jsonb DEFAULT '{}',
          arr int4[],
          twice integer GENERATED ALWAYS AS (i * 2) STORED,
          c_name text COLLATE "C",
          feeling mood DEFAULT 'ok'
        );
        COMMENT ON TABLE kinds IS 'Every kind of column';
        COMMENT ON COLUMN kinds.t IS 'Free text, ünïcødé';
        "#,
        |s| TableDef {
            comment: Some("Every kind of column".into()),
            columns: vec![
                col("id", ColumnType::Integer).auto(),
                col("by_default", ColumnType::BigInt).auto(),
                col("ser", ColumnType::Integer).auto(),
                col("big", ColumnType::BigInt).auto(),
                col("small_i", ColumnType::SmallInt).not_null().default("0"),
                col("i", ColumnType::Integer).default("'-1'::integer"),
                col("b", ColumnType::BigInt),
                col("r", ColumnType::Real).default("1.5"),
                col("d", ColumnType::Double),
                col("flag", ColumnType::Boolean).not_null().default("true"),
                col("t", ColumnType::Text)
                    .default("'x'::text")
                    .comment("Free text, ünïcødé"),
                col("vc", ColumnType::Varchar(20)).default("'y'::character varying"),
                col("vc_free", custom("character varying")),
                col("ch", custom("character(1)")),
                col("bin", ColumnType::Blob),
                col("num", decimal(Some(10), Some(2))).default("0"),
                col("num12", decimal(Some(12), Some(0))),
                col("num_free", decimal(None, None)),
                col("day", ColumnType::Date).default("CURRENT_DATE"),
                col("later", ColumnType::Date).default("(CURRENT_DATE + '3 days'::interval)"),
                col("at_time", ColumnType::Time),
                col("ts", ColumnType::Timestamp).default("now()"),
                col("ts3", custom("timestamp(3) without time zone")),
                col("tstz", ColumnType::TimestampTz).default("CURRENT_TIMESTAMP"),
                col("u", ColumnType::Uuid),
                col("j", custom("json")),
                col("jb", ColumnType::Json).default("'{}'::jsonb"),
                col("arr", ColumnType::Array(Box::new(ColumnType::Integer))),
                col("twice", ColumnType::Integer).generated("(i * 2)"),
                col("c_name", ColumnType::Text).collate("C"),
                // An enum type's column is that type, labels and all; the default's cast
                // is qualified (the type's schema is not on the search path).
                col(
                    "feeling",
                    ColumnType::Enum(Box::new(dbconform::EnumType {
                        schema: Some(s.to_string()),
                        ..dbconform::EnumType::new("mood", ["ok", "meh"])
                    })),
                )
                .default(&format!("'ok'::{s}.mood")),
            ],
            primary_key: pk("kinds_pkey", &["id"]),
            ..table(s, "kinds")
        },
    )
    .await;
}

#[tokio::test]
async fn every_constraint_and_index_kind_is_reflected_exactly() {
    let other = |s: &str| format!("{s}_other");
    let constraints = |s: &str| {
        let other = other(s);
        format!(
            r#"
        CREATE SCHEMA "{other}";
        CREATE TABLE "{other}".targets (id bigint PRIMARY KEY, n int DEFAULT 0 UNIQUE);
        CREATE TABLE parents (
          id bigint PRIMARY KEY,
          code text NOT NULL,
          region int NOT NULL,
          UNIQUE (code, region)
        );
        CREATE TABLE children (
          id bigint,
          part int,
          parent_id bigint REFERENCES parents ON DELETE CASCADE,
          code text,
          region int,
          target_n int DEFAULT 0,
          qty int CHECK (qty > 0),
          price numeric(10,2),
          CONSTRAINT children_pk PRIMARY KEY (part, id),
          CONSTRAINT fk_code FOREIGN KEY (code, region) REFERENCES parents (code, region)
            ON DELETE SET NULL ON UPDATE RESTRICT,
          FOREIGN KEY (target_n) REFERENCES "{other}".targets (n) ON DELETE SET DEFAULT,
          CONSTRAINT "ck_code" CHECK (code IN ('a', 'b')),
          UNIQUE (code)
        );
        ALTER TABLE children ADD CONSTRAINT ck_price CHECK (price BETWEEN 0 AND 100) NOT VALID;
        CREATE INDEX ix_partial ON children (qty) WHERE qty > 10;
        CREATE INDEX ix_desc ON children (part DESC, id);
        CREATE INDEX ix_expr ON children (lower(code), region DESC);
        CREATE UNIQUE INDEX ux_children_code_region ON children (code, region);
        CREATE INDEX ON children USING btree (price);
        "#
        )
    };
    let teardown = |s: &str| Some(format!("DROP SCHEMA \"{}\" CASCADE", other(s)));
    let Some((s, snapshot)) = snapshot_after("refl_cons", constraints, teardown).await else {
        return;
    };
    let other = other(&s);
    let parents = QualifiedName::with_schema(&s, "parents");
    let targets = QualifiedName::with_schema(&other, "targets");

    let children = TableDef {
        columns: vec![
            col("id", ColumnType::BigInt).not_null(),
            col("part", ColumnType::Integer).not_null(),
            col("parent_id", ColumnType::BigInt),
            col("code", ColumnType::Text),
            col("region", ColumnType::Integer),
            col("target_n", ColumnType::Integer).default("0"),
            col("qty", ColumnType::Integer),
            col("price", decimal(Some(10), Some(2))),
        ],
        primary_key: pk("children_pk", &["part", "id"]),
        uniques: vec![unique("children_code_key", &["code"])],
        foreign_keys: vec![
            ForeignKey {
                on_delete: FkAction::Cascade,
                ..fk(
                    "children_parent_id_fkey",
                    &["parent_id"],
                    parents.clone(),
                    &["id"],
                )
            },
            ForeignKey {
                on_delete: FkAction::SetDefault,
                ..fk("children_target_n_fkey", &["target_n"], targets, &["n"])
            },
            ForeignKey {
                on_delete: FkAction::SetNull,
                on_update: FkAction::Restrict,
                not_valid: false,
                ..fk("fk_code", &["code", "region"], parents, &["code", "region"])
            },
        ],
        checks: vec![
            check("children_qty_check", "(qty > 0)"),
            check("ck_code", "(code = ANY (ARRAY['a'::text, 'b'::text]))"),
            // Added NOT VALID: reflected as such.
            Check {
                not_valid: true,
                ..check(
                    "ck_price",
                    "((price >= (0)::numeric) AND (price <= (100)::numeric))",
                )
            },
        ],
        indexes: vec![
            index("children_price_idx", vec![IndexColumn::asc("price")]),
            index(
                "ix_desc",
                vec![key("part", SortOrder::Desc, false), IndexColumn::asc("id")],
            ),
            index(
                "ix_expr",
                vec![
                    key("lower(code)", SortOrder::Asc, true),
                    key("region", SortOrder::Desc, false),
                ],
            ),
            Index {
                predicate: Some("(qty > 10)".into()),
                ..index("ix_partial", vec![IndexColumn::asc("qty")])
            },
            Index {
                unique: true,
                ..index(
                    "ux_children_code_region",
                    vec![IndexColumn::asc("code"), IndexColumn::asc("region")],
                )
            },
        ],
        ..table(&s, "children")
    };
    let parents = TableDef {
        columns: vec![
            col("id", ColumnType::BigInt).not_null(),
            col("code", ColumnType::Text).not_null(),
            col("region", ColumnType::Integer).not_null(),
        ],
        primary_key: pk("parents_pkey", &["id"]),
        uniques: vec![unique("parents_code_region_key", &["code", "region"])],
        ..table(&s, "parents")
    };
    // The other schema is out of scope: its table is not reflected.
    assert_eq!(snapshot.schemas, std::slice::from_ref(&s));
    let names: Vec<String> = snapshot.tables.iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, ["children", "parents"]);
    assert_eq!(snapshot.tables[0], children);
    assert_eq!(snapshot.tables[1], parents);
}

/// Ten tables and three hundred cost the same statements: one catalog query.
#[tokio::test]
async fn query_count_does_not_depend_on_table_count() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "refl_count").await;
    let tables = |range: std::ops::Range<usize>| {
        range
            .map(|i| {
                format!(
                    "CREATE TABLE t{i} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
                     code text UNIQUE, parent bigint REFERENCES t{i} (id), \
                     n int DEFAULT 0 CHECK (n >= 0)); \
                     CREATE INDEX ix_t{i}_n ON t{i} (n) WHERE n > 0; \
                     COMMENT ON TABLE t{i} IS 'table {i}'"
                )
            })
            .collect::<Vec<_>>()
            .join(";\n")
    };
    scratch.ddl(&tables(0..10)).await;
    let db = db(&url, &scratch).await;
    let before = db.statements_sent();
    let ten = db.snapshot().await;
    let cost_of_ten = db.statements_sent() - before;
    scratch.ddl(&tables(10..300)).await;
    let before = db.statements_sent();
    let three_hundred = db.snapshot().await;
    let cost_of_three_hundred = db.statements_sent() - before;
    scratch.cleanup().await;

    let (ten, three_hundred) = (ten.unwrap(), three_hundred.unwrap());
    assert_eq!(ten.tables.len(), 10);
    assert_eq!(three_hundred.tables.len(), 300);
    assert!(three_hundred.tables.iter().all(|t| t.columns.len() == 4
        && t.uniques.len() == 1
        && t.foreign_keys.len() == 1
        && t.checks.len() == 1
        && t.indexes.len() == 1
        && t.primary_key.is_some()));
    assert_eq!(cost_of_ten, 1);
    assert_eq!(cost_of_three_hundred, cost_of_ten);
}

/// Views, materialized views, sequences, triggers, partitions, foreign tables,
/// extension-owned tables, temporary tables and other schemas' tables are not ours:
/// never reflected, never an error.
#[tokio::test]
async fn unmanaged_objects_are_ignored() {
    let other = |s: &str| format!("{s}_elsewhere");
    let fdw = |s: &str| format!("{s}_fdw");
    let unmanaged = |s: &str| {
        let (other, fdw) = (other(s), fdw(s));
        format!(
            r#"
        CREATE TABLE base (id bigint PRIMARY KEY, v text);
        CREATE VIEW v_base AS SELECT id, v FROM base;
        CREATE MATERIALIZED VIEW mv_base AS SELECT id FROM base;
        CREATE SEQUENCE free_seq;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER tr_base BEFORE INSERT ON base FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))
          PARTITION BY RANGE (at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE refers_events (id bigint PRIMARY KEY, event_id bigint, event_at date,
          FOREIGN KEY (event_id, event_at) REFERENCES events (id, at));
        CREATE INDEX ix_events_at ON events (at);
        CREATE SCHEMA "{other}";
        CREATE TABLE "{other}".elsewhere (id int);
        CREATE FOREIGN DATA WRAPPER "{fdw}";
        CREATE SERVER "{fdw}_srv" FOREIGN DATA WRAPPER "{fdw}";
        CREATE FOREIGN TABLE remote (id int) SERVER "{fdw}_srv";
        CREATE TABLE ext_owned (id int);
        ALTER EXTENSION plpgsql ADD TABLE ext_owned;
        CREATE TEMPORARY TABLE temp_one (id int)
        "#
        )
    };
    let teardown = |s: &str| {
        let (other, fdw) = (other(s), fdw(s));
        Some(format!(
            "ALTER EXTENSION plpgsql DROP TABLE \"{s}\".ext_owned; \
             DROP SCHEMA \"{other}\" CASCADE; \
             DROP FOREIGN DATA WRAPPER \"{fdw}\" CASCADE"
        ))
    };
    let Some((s, snapshot)) = snapshot_after("refl_unmanaged", unmanaged, teardown).await else {
        return;
    };

    let names: Vec<&str> = snapshot.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["base", "events", "refers_events"]);
    let events = &snapshot.tables[1];
    assert_eq!(events.primary_key, pk("events_pkey", &["id", "at"]));
    assert_eq!(
        events.indexes,
        [index("ix_events_at", vec![IndexColumn::asc("at")])]
    );
    // One foreign key, not one per partition of the referenced table.
    let refers = &snapshot.tables[2];
    assert_eq!(refers.foreign_keys.len(), 1, "{refers:#?}");
    assert_eq!(
        refers.foreign_keys[0].references,
        QualifiedName::with_schema(&s, "events")
    );
    assert_eq!(
        refers.foreign_keys[0].referenced_columns,
        strings(&["id", "at"])
    );
}

/// Keyword, mixed-case, spaced, quoted and non-ASCII names come back exactly.
#[tokio::test]
async fn hostile_names_come_back_exactly() {
    assert_reflected_as(
        "refl_names",
        r#"
        CREATE TABLE "user" (
          "order" int PRIMARY KEY,
          "group" text,
          "Mixed Case" int CONSTRAINT "CK Mixed" CHECK ("Mixed Case" > 0),
          "ünïcødé" text DEFAULT 'é',
          "quo""te" int,
          CONSTRAINT "UQ ""q""" UNIQUE ("quo""te", "group")
        );
        CREATE INDEX "Ix Mixed" ON "user" ("Mixed Case" DESC, "ünïcødé") WHERE "group" IS NOT NULL;
        CREATE INDEX "ix_expr" ON "user" (lower("group"), ("order" + 1));
        COMMENT ON TABLE "user" IS 'Ünïcødé table';
        COMMENT ON COLUMN "user"."quo""te" IS 'it''s'
        "#,
        |s| TableDef {
            comment: Some("Ünïcødé table".into()),
            columns: vec![
                col("order", ColumnType::Integer).not_null(),
                col("group", ColumnType::Text),
                col("Mixed Case", ColumnType::Integer),
                col("ünïcødé", ColumnType::Text).default("'é'::text"),
                col("quo\"te", ColumnType::Integer).comment("it's"),
            ],
            primary_key: pk("user_pkey", &["order"]),
            uniques: vec![unique("UQ \"q\"", &["quo\"te", "group"])],
            checks: vec![check("CK Mixed", "(\"Mixed Case\" > 0)")],
            indexes: vec![
                Index {
                    predicate: Some("(\"group\" IS NOT NULL)".into()),
                    ..index(
                        "Ix Mixed",
                        vec![
                            key("Mixed Case", SortOrder::Desc, false),
                            IndexColumn::asc("ünïcødé"),
                        ],
                    )
                },
                index(
                    "ix_expr",
                    vec![
                        key("lower(\"group\")", SortOrder::Asc, true),
                        key("(\"order\" + 1)", SortOrder::Asc, true),
                    ],
                ),
            ],
            ..table(s, "user")
        },
    )
    .await;
}

/// A scope schema that does not exist is simply absent; nothing fails.
#[tokio::test]
async fn missing_schema_reflects_as_empty() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "refl_missing").await;
    let snapshot = snapshot_and_cleanup(&url, scratch).await;
    assert_eq!(snapshot, Schema::default());
}

/// The backends connected under `application_name`, once the count settles at `expected`
/// (a closed connection's backend exits a moment after the client leaves), or the last
/// count after two seconds.
async fn backends(scratch: &PgScratch, application_name: &str, expected: i64) -> i64 {
    let mut count = -1;
    for _ in 0..40 {
        count = sqlx::query_scalar(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE application_name = $1",
        )
        .bind(application_name)
        .fetch_one(&scratch.pool)
        .await
        .unwrap();
        if count == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    count
}

/// `connect` checks the URL with a connection of its own; the first compare runs on it
/// rather than opening another (a one-shot compare costs one connection), and closes it;
/// later operations use the pool. A spare that died meanwhile is replaced, not an error.
#[tokio::test]
async fn first_compare_runs_on_the_connection_that_checked_the_url() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "refl_spare").await;
    scratch.ddl("CREATE TABLE t (id bigint PRIMARY KEY)").await;
    let name = format!("dbct_spare_{}", std::process::id());
    let separator = if url.contains('?') { '&' } else { '?' };
    let tagged = format!("{url}{separator}application_name={name}");

    let db = db(&tagged, &scratch).await;
    let after_connect = backends(&scratch, &name, 1).await;
    let first = db.compare(&[]).await;
    let after_first = backends(&scratch, &name, 0).await;
    let second = db.compare(&[]).await;
    let after_second = backends(&scratch, &name, 1).await;
    drop(db);
    // The pool closes its connection in the background: wait for it, or the count of
    // backends killed below would include it.
    let after_drop = backends(&scratch, &name, 0).await;

    // A spare whose backend is gone: the compare takes a pooled connection instead.
    let db = self::db(&tagged, &scratch).await;
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity \
         WHERE application_name = $1",
    )
    .bind(&name)
    .fetch_one(&scratch.pool)
    .await
    .unwrap();
    let after_kill = db.snapshot().await;
    drop(db);
    scratch.cleanup().await;

    assert_eq!(
        after_connect, 1,
        "connect keeps the connection it checked the URL with"
    );
    assert!(first.unwrap().drift().len() == 1);
    assert_eq!(
        after_first, 0,
        "the first compare opened no other connection"
    );
    assert!(second.unwrap().drift().len() == 1);
    assert_eq!(after_second, 1, "later operations use the pool");
    assert_eq!(
        after_drop, 0,
        "dropping the conformer closes its connections"
    );
    assert_eq!(killed, 1);
    assert_eq!(after_kill.unwrap().tables.len(), 1);
}
