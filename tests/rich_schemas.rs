//! What real PostgreSQL schemas use, declared with `#[derive(Table)]`: index methods
//! (`using = "gin"`), expression keys, INCLUDE and partial indexes, UNIQUE NULLS NOT
//! DISTINCT, composite and deferrable foreign keys, generated columns and collations.
//! Each is created from scratch, read back from the catalog (not through dbconform),
//! compared equal when written by hand in other spellings, and changed with the right
//! risk and the rows kept. SQLite and MySQL either do the same natively or refuse with
//! the reason.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::{TestDb, backend_tests, kinds};
use dbconform::{ChangeKind, Risk, Table, TableDef};

#[derive(Table)]
#[table(name = "teams")]
#[primary_key(columns("org_id", "team_no"))]
struct Team {
    org_id: i64,
    team_no: i32,
    title: String,
}

#[derive(Table)]
#[table(name = "people")]
#[index(name = "ix_people_doc", columns("doc"), using = "gin")]
#[index(name = "ix_people_lower_name", expr = "lower(name)", unique)]
#[index(
    name = "ix_people_org",
    columns("org_id"),
    include("name"),
    predicate = "active"
)]
#[unique(name = "uq_people_nick", columns("nick"), nulls_not_distinct)]
#[foreign_key(
    name = "fk_people_team",
    columns("org_id", "team_no"),
    references = "teams(org_id, team_no)",
    on_delete = "cascade",
    deferrable
)]
struct Person {
    #[column(primary_key)]
    id: i64,
    name: String,
    #[column(sql_type = "jsonb", default = "'{}'")]
    doc: String,
    #[column(generated = "length(name)")]
    name_len: i32,
    #[column(collation = "C")]
    code: String,
    org_id: i64,
    team_no: i32,
    nick: Option<String>,
    active: bool,
}

fn declared() -> Vec<TableDef> {
    vec![Team::table_def(), Person::table_def()]
}

/// What the catalog says of `people`: its indexes' and constraints' definitions, the
/// generation expression of `name_len` and the collation of `code`.
async fn people_catalog(db: &TestDb) -> Vec<String> {
    let schema = db.schema();
    let mut out = db
        .texts(&format!(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = '{schema}' \
             AND tablename = 'people' ORDER BY indexname"
        ))
        .await;
    out.extend(
        db.texts(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = '{S}people'::regclass AND contype IN ('u', 'f') ORDER BY conname",
        )
        .await,
    );
    out.extend(
        db.texts(
            "SELECT a.attname || ' ' || a.attgenerated::text || ' ' || pg_get_expr(d.adbin, d.adrelid) \
             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = '{S}people'::regclass AND a.attgenerated <> ''",
        )
        .await,
    );
    out.extend(
        db.texts(
            "SELECT a.attname || ' collate ' || c.collname FROM pg_attribute a \
             JOIN pg_collation c ON c.oid = a.attcollation \
             WHERE a.attrelid = '{S}people'::regclass AND a.attname = 'code'",
        )
        .await,
    );
    out.into_iter()
        .map(|line| line.replace(&format!("{schema}."), ""))
        .collect()
}

#[tokio::test]
async fn postgres_creates_each_declaration_and_converges() {
    let Some(db) = TestDb::postgres("rich_create").await else {
        return;
    };
    let conform = db.conform().await;
    conform.apply(&declared()).await.unwrap();
    assert_eq!(
        people_catalog(&db).await,
        [
            "CREATE INDEX ix_people_doc ON people USING gin (doc)",
            "CREATE UNIQUE INDEX ix_people_lower_name ON people USING btree (lower(name))",
            "CREATE INDEX ix_people_org ON people USING btree (org_id) INCLUDE (name) WHERE active",
            "CREATE UNIQUE INDEX people_pkey ON people USING btree (id)",
            "CREATE UNIQUE INDEX uq_people_nick ON people USING btree (nick) NULLS NOT DISTINCT",
            "fk_people_team FOREIGN KEY (org_id, team_no) REFERENCES teams(org_id, team_no) ON DELETE CASCADE DEFERRABLE",
            "uq_people_nick UNIQUE NULLS NOT DISTINCT (nick)",
            "name_len s length(name)",
            "code collate C",
        ]
    );
    let plan = conform.compare(&declared()).await.unwrap();
    assert!(plan.is_empty(), "{plan}\n{}", plan.to_sql());

    // The declarations do what they say: one NULL nick only; the key can wait for commit.
    db.exec(
        "INSERT INTO {S}teams VALUES (1, 1, 'a'); \
         INSERT INTO {S}people (name, code, org_id, team_no, active) VALUES ('Ann', 'x', 1, 1, true)",
    )
    .await;
    let second_null = db
        .try_exec(
            "INSERT INTO {S}people (name, code, org_id, team_no, active) VALUES ('Bo', 'y', 1, 1, true)",
        )
        .await
        .unwrap_err();
    assert!(
        second_null.to_string().contains("uq_people_nick"),
        "{second_null}"
    );
    db.exec(
        "BEGIN; SET CONSTRAINTS ALL DEFERRED; \
         INSERT INTO {S}people (name, code, org_id, team_no, active, nick) VALUES ('Cy', 'z', 2, 7, false, 'c'); \
         INSERT INTO {S}teams VALUES (2, 7, 'b'); COMMIT",
    )
    .await;
    assert_eq!(
        db.texts("SELECT name || ' ' || name_len FROM {S}people ORDER BY id")
            .await,
        ["Ann 3", "Cy 2"]
    );
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_hand_written_spellings_compare_equal() {
    let Some(db) = TestDb::postgres("rich_spellings").await else {
        return;
    };
    db.ddl(
        r#"CREATE TABLE teams (org_id int8 NOT NULL, team_no int4 NOT NULL, title text NOT NULL,
             PRIMARY KEY (org_id, team_no));
           CREATE TABLE people (
             id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
             name text NOT NULL,
             doc jsonb NOT NULL DEFAULT '{}'::jsonb,
             name_len integer NOT NULL GENERATED ALWAYS AS (length(name)) STORED,
             code text COLLATE "C" NOT NULL,
             org_id bigint NOT NULL, team_no integer NOT NULL, nick text, active bool NOT NULL,
             CONSTRAINT uq_people_nick UNIQUE NULLS NOT DISTINCT (nick),
             CONSTRAINT fk_people_team FOREIGN KEY (org_id, team_no) REFERENCES teams
               ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE);
           CREATE INDEX ix_people_doc ON people USING GIN (doc jsonb_ops);
           CREATE UNIQUE INDEX ix_people_lower_name ON people USING btree (lower(name) ASC);
           CREATE INDEX ix_people_org ON people USING btree (org_id) INCLUDE (name)
             WHERE active;"#,
    )
    .await;
    let plan = db.conform().await.compare(&declared()).await.unwrap();
    assert!(plan.is_empty(), "{plan}\n{}", plan.to_sql());
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_changes_apply_with_their_risk_and_keep_rows() {
    let Some(db) = TestDb::postgres("rich_changes").await else {
        return;
    };
    // The declaration without deferral, NULLS NOT DISTINCT, INCLUDE, the GIN method and
    // with another collation and generation expression.
    let mut before = declared();
    let people = &mut before[1];
    people.foreign_keys[0].deferrable = dbconform::Deferrability::NotDeferrable;
    people.uniques[0].nulls_not_distinct = false;
    let column = |t: &mut TableDef, name: &str| t.columns.iter_mut().position(|c| c.name == name);
    let code = column(people, "code").unwrap();
    people.columns[code].collation = None;
    let len = column(people, "name_len").unwrap();
    people.columns[len].generated.as_mut().unwrap().expr = "length(name) + 1".into();
    for index in &mut people.indexes {
        index.include.clear();
        index.method = None;
    }
    let conform = db.conform().await;
    conform.apply(&before).await.unwrap();
    db.exec(
        "INSERT INTO {S}teams VALUES (1, 1, 'a'); \
         INSERT INTO {S}people (name, code, org_id, team_no, active, nick) VALUES \
           ('Ann', 'b', 1, 1, true, NULL), ('Bo', 'a', 1, 1, true, NULL)",
    )
    .await;

    // Two NULL nicks: NULLS NOT DISTINCT would fail on them, so the plan is blocked.
    let plan = conform.compare(&declared()).await.unwrap();
    let risk = |kind: ChangeKind| {
        plan.steps()
            .iter()
            .find(|s| s.change.kind() == kind)
            .map(|s| s.risk)
    };
    // Only when the key is checked changes: `ALTER CONSTRAINT`, no row checked again.
    assert_eq!(
        risk(ChangeKind::AlterForeignKey),
        Some(Risk::Safe),
        "{plan}"
    );
    let fk_sql = plan.to_sql();
    assert!(
        fk_sql.contains(r#"ALTER CONSTRAINT "fk_people_team" DEFERRABLE INITIALLY IMMEDIATE"#),
        "{fk_sql}"
    );
    assert!(
        plan.blocked()
            .iter()
            .any(|b| b.step.change.kind() == ChangeKind::AlterUnique),
        "{plan}"
    );
    // The rest applies; the blocked step is reported and the constraint stays as it was.
    let report = conform.apply(&declared()).await.unwrap();
    let mut applied = kinds(&report);
    applied.sort();
    applied.dedup();
    assert_eq!(
        applied,
        [
            ChangeKind::AlterColumn,
            ChangeKind::AlterForeignKey,
            ChangeKind::AlterIndex
        ],
        "{report}"
    );
    assert_eq!(report.blocked.len(), 1, "{report}");
    let unique_def = "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conname = 'uq_people_nick' AND conrelid = '{S}people'::regclass";
    assert_eq!(db.texts(unique_def).await, ["UNIQUE (nick)"]);

    // Without the duplicate NULL, it applies too.
    db.exec("UPDATE {S}people SET nick = 'bo' WHERE name = 'Bo'")
        .await;
    let report = conform.apply(&declared()).await.unwrap();
    assert_eq!(kinds(&report), [ChangeKind::AlterUnique], "{report}");
    assert_eq!(
        db.texts(unique_def).await,
        ["UNIQUE NULLS NOT DISTINCT (nick)"]
    );
    assert_eq!(
        db.texts("SELECT name || ' ' || name_len || ' ' || coalesce(nick, '-') FROM {S}people ORDER BY code")
            .await,
        ["Bo 2 bo", "Ann 3 -"],
        "name_len is recomputed (it was length + 1)"
    );
    let plan = conform.compare(&declared()).await.unwrap();
    assert!(plan.is_empty(), "{plan}\n{}", plan.to_sql());
    db.cleanup().await;
}

// The same kinds of declaration where every backend has them: a composite deferrable
// foreign key, an expression key, generated columns (stored and virtual) and a collation.
#[derive(Table)]
#[table(name = "members")]
#[index(name = "ix_members_lower_name", expr = "lower(name)", unique)]
#[foreign_key(
    name = "fk_members_team",
    columns("org_id", "team_no"),
    references = "teams(org_id, team_no)",
    on_delete = "cascade",
    deferrable
)]
struct Member {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 40)]
    name: String,
    #[column(generated = "org_id * 10")]
    org_x: Option<i64>,
    #[column(generated = "org_id + 1", stored = false)]
    org_next: Option<i64>,
    #[column(max_length = 20)]
    code: String,
    org_id: i64,
    team_no: i32,
}

/// `Member` as each backend takes it: its own collation name; PostgreSQL's generated
/// columns are all stored; MySQL has no deferrable keys and MariaDB no expression keys.
fn members(db: &TestDb) -> Vec<TableDef> {
    let mut member = Member::table_def();
    let code = member
        .columns
        .iter_mut()
        .find(|c| c.name == "code")
        .unwrap();
    code.collation = Some(match db.backend {
        common::Backend::Sqlite => "NOCASE".into(),
        common::Backend::Postgres => "C".into(),
        #[cfg(feature = "mysql")]
        common::Backend::Mysql => "utf8mb4_bin".into(),
    });
    if db.backend == common::Backend::Postgres {
        for column in &mut member.columns {
            if let Some(generated) = &mut column.generated {
                generated.stored = true;
            }
        }
    }
    if db.is_mysql() {
        member.foreign_keys[0].deferrable = dbconform::Deferrability::NotDeferrable;
        member.indexes.clear();
    }
    vec![Team::table_def(), member]
}

backend_tests! {
    portable_declarations_converge => async |db| {
        let tables = members(db);
        let conform = db.conform().await;
        conform.apply(&tables).await.unwrap();
        let plan = conform.compare(&tables).await.unwrap();
        assert!(plan.is_empty(), "{plan}\n{}", plan.to_sql());
        db.exec(
            "INSERT INTO {S}teams (org_id, team_no, title) VALUES (4, 2, 'a'); \
             INSERT INTO {S}members (name, code, org_id, team_no) VALUES ('Ann', 'x', 4, 2)",
        )
        .await;
        assert_eq!(
            db.texts("SELECT CAST(org_x AS TEXT) || ' ' || CAST(org_next AS TEXT) FROM {S}members")
                .await,
            ["40 5"]
        );
        // The key is composite: a member of a team that does not exist is refused.
        let orphan = db
            .try_exec("INSERT INTO {S}members (name, code, org_id, team_no) VALUES ('Bo', 'y', 4, 3)")
            .await;
        let refused = orphan.expect_err("a row of a team that does not exist was taken");
        assert!(
            refused.to_string().to_lowercase().contains("foreign key"),
            "{}: {refused}",
            db.name()
        );
    };

    what_a_backend_lacks_is_refused_by_name => async |db| {
        let conform = db.conform().await;
        let message = |tables: Vec<TableDef>| {
            let conform = &conform;
            async move { conform.compare(&tables).await.unwrap_err().to_string() }
        };
        match db.backend {
            common::Backend::Postgres => {
                // PostgreSQL has them all but virtual generated columns.
                let mut member = Member::table_def();
                member.columns.iter_mut().find(|c| c.name == "code").unwrap().collation = None;
                let refused = message(vec![Team::table_def(), member]).await;
                assert!(
                    refused.contains("column `org_next` is a virtual generated column"),
                    "{refused}"
                );
            }
            common::Backend::Sqlite => {
                let refused = message(declared()).await;
                assert!(
                    refused.contains("index `ix_people_doc` uses access method `gin`"),
                    "{refused}"
                );
                let mut people = Person::table_def();
                people.indexes.clear();
                let refused = message(vec![Team::table_def(), people]).await;
                assert!(
                    refused.contains("unique constraint `uq_people_nick` is NULLS NOT DISTINCT"),
                    "{refused}"
                );
            }
            #[cfg(feature = "mysql")]
            common::Backend::Mysql => {
                let mut member = Member::table_def();
                member.indexes.clear();
                let refused = message(db.ready(vec![Team::table_def(), member])).await;
                assert!(
                    refused.contains("foreign key `fk_members_team` is DEFERRABLE, but InnoDB"),
                    "{refused}"
                );
            }
        }
    };
}
