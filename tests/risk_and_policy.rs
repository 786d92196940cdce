//! Policy and data-aware classification, on SQLite and PostgreSQL.
//!
//! Each policy flag off: the step is blocked (or the drop kept as drift), reported with the
//! flag's name, and the data is intact; on: the step is applied (or, where it needs a
//! SQLite table rebuild this version cannot run yet, planned). Each data-dependent step —
//! SET NOT NULL, a NOT NULL column without default, UNIQUE, a foreign key, a narrowing —
//! on an empty table is safe and applies; on a table whose rows make it fail it is blocked
//! with the problem, and the independent steps still apply.
//!
//! Every model has a "before" twin declaring the same table: dbconform creates the before
//! table, the test fills it, then compares or applies the "after" declaration.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;
#[path = "risk_and_policy/data_aware.rs"]
mod data_aware;
#[path = "risk_and_policy/harness.rs"]
mod harness;

use common::TestDb;
use dbconform::{Risk, Table};
use harness::{blocked, step};

/// Declarations as the database has them before the change.
mod before {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "people")]
    pub struct Person {
        #[column(primary_key)]
        id: i64,
        name: Option<String>,
    }

    #[derive(Table)]
    #[table(name = "members")]
    pub struct Member {
        #[column(primary_key)]
        id: i64,
        name: String,
    }

    #[derive(Table)]
    #[table(name = "accounts")]
    pub struct Account {
        #[column(primary_key)]
        id: i64,
        #[column(max_length = 100)]
        email: String,
    }

    #[derive(Table)]
    #[table(name = "children")]
    pub struct Child {
        #[column(primary_key)]
        id: i64,
        parent_id: i64,
    }

    #[derive(Table)]
    #[table(name = "labels")]
    pub struct Label {
        #[column(primary_key)]
        id: i64,
        code: String,
    }

    #[derive(Table)]
    #[table(name = "gadgets")]
    #[index(name = "ix_gadgets_name", columns("name"))]
    pub struct Gadget {
        #[column(primary_key)]
        id: i64,
        #[column(max_length = 100)]
        name: String,
        legacy: Option<String>,
    }

    #[derive(Table)]
    #[table(name = "legacy")]
    pub struct Legacy {
        #[column(primary_key)]
        id: i64,
        note: Option<String>,
    }
}

// SET NOT NULL.
#[derive(Table)]
#[table(name = "people")]
struct Person {
    #[column(primary_key)]
    id: i64,
    name: String,
}

// `people` with an index besides SET NOT NULL: the index is native on SQLite, the
// nullability a rebuild.
#[derive(Table)]
#[table(name = "people")]
#[index(name = "ix_people_name", columns("name"))]
struct IndexedPerson {
    #[column(primary_key)]
    id: i64,
    name: String,
}

// A NOT NULL column without default.
#[derive(Table)]
#[table(name = "members")]
struct Member {
    #[column(primary_key)]
    id: i64,
    name: String,
    age: i32,
}

// A UNIQUE constraint.
#[derive(Table)]
#[table(name = "accounts")]
struct Account {
    #[column(primary_key)]
    id: i64,
    #[column(unique, max_length = 100)]
    email: String,
}

// A unique index (native on SQLite).
#[derive(Table)]
#[table(name = "accounts")]
#[index(name = "ux_accounts_email", columns("email"), unique)]
struct IndexedAccount {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 100)]
    email: String,
}

#[derive(Table)]
#[table(name = "parents")]
struct Parent {
    #[column(primary_key)]
    id: i64,
}

// A foreign key.
#[derive(Table)]
#[table(name = "children")]
struct Child {
    #[column(primary_key)]
    id: i64,
    #[column(references = "parents(id)")]
    parent_id: i64,
}

// A narrowing: TEXT → VARCHAR(5).
#[derive(Table)]
#[table(name = "labels")]
struct Label {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 5)]
    code: String,
}

// `gadgets` without the legacy column and its index.
#[derive(Table)]
#[table(name = "gadgets")]
struct Gadget {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 100)]
    name: String,
}

#[tokio::test]
async fn allow_drop_extra_tables() {
    for db in TestDb::all("pol_tables").await {
        db.create(&[Gadget::table_def(), before::Legacy::table_def()])
            .await;
        db.exec("INSERT INTO {S}legacy (note) VALUES ('keep me')")
            .await;
        let tables = [Gadget::table_def()];

        let off = db.conform_with(db.options()).await;
        let plan = off.compare(&tables).await.unwrap();
        assert!(plan.is_empty(), "{}: {plan}", db.name());
        let drift: Vec<String> = plan.drift().iter().map(|d| d.description.clone()).collect();
        assert_eq!(
            drift,
            [
                "table exists in the database but is not declared (kept; set allow_drop_extra_tables to drop it)"
            ],
            "{}",
            db.name()
        );
        off.apply(&tables).await.unwrap();
        assert_eq!(db.rows("legacy").await, 1, "{}", db.name());

        let on = db
            .conform_with(db.options_with(|o| o.allow_drop_extra_tables = true))
            .await;
        let report = on.apply(&tables).await.unwrap();
        assert_eq!(report.executed.len(), 1, "{}: {report}", db.name());
        assert_eq!(db.table_names().await, ["gadgets"], "{}", db.name());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn allow_drop_extra_columns() {
    for db in TestDb::all("pol_columns").await {
        db.create(&[before::Gadget::table_def()]).await;
        db.exec("INSERT INTO {S}gadgets (name, legacy) VALUES ('a', 'old')")
            .await;
        // Only the column differs: the index stays declared.
        let mut tables = [Gadget::table_def()];
        tables[0].indexes = before::Gadget::table_def().indexes;

        let off = db.conform_with(db.options()).await;
        let plan = off.compare(&tables).await.unwrap();
        assert!(plan.is_empty(), "{}: {plan}", db.name());
        assert_eq!(
            plan.drift()[0].description,
            "extra column `legacy` (kept; set allow_drop_extra_columns to drop it)"
        );
        off.apply(&tables).await.unwrap();
        assert_eq!(
            db.texts("SELECT legacy FROM {S}gadgets").await,
            ["old"],
            "{}",
            db.name()
        );

        let on = db
            .conform_with(db.options_with(|o| o.allow_drop_extra_columns = true))
            .await;
        on.apply(&tables).await.unwrap();
        assert_eq!(db.columns("gadgets").await, ["id", "name"], "{}", db.name());
        assert_eq!(db.texts("SELECT name FROM {S}gadgets").await, ["a"]);
        assert!(on.compare(&tables).await.unwrap().is_empty());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn allow_drop_extra_constraints() {
    for db in TestDb::all("pol_constraints").await {
        db.create(&[before::Gadget::table_def()]).await;
        db.exec("INSERT INTO {S}gadgets (name) VALUES ('a')").await;
        db.exec("CREATE UNIQUE INDEX ux_gadgets_name ON {S}gadgets (name)")
            .await;
        // Only the undeclared unique index differs: a unique index enforces what a
        // UNIQUE constraint does, so it follows allow_drop_extra_constraints.
        let tables = [before::Gadget::table_def()];

        let off = db
            .conform_with(db.options_with(|o| o.allow_drop_extra_constraints = false))
            .await;
        let plan = off.compare(&tables).await.unwrap();
        assert!(plan.is_empty(), "{}: {plan}", db.name());
        // MySQL has one kind of unique index, which dbconform models as a constraint.
        let extra = if db.is_mysql() {
            "extra unique constraint `ux_gadgets_name` (name)"
        } else {
            "extra index `ux_gadgets_name` unique (name)"
        };
        assert_eq!(
            plan.drift()[0].description,
            format!("{extra} (kept; set allow_drop_extra_constraints to drop it)")
        );
        off.apply(&tables).await.unwrap();
        assert!(
            db.indexes("gadgets")
                .await
                .contains(&"ux_gadgets_name".to_string())
        );

        // On by default.
        let on = db.conform_with(db.options()).await;
        let report = on.apply(&tables).await.unwrap();
        // DC103 drops an index, DC104 a unique constraint (MySQL's unique index).
        let code = if db.is_mysql() { "DC104" } else { "DC103" };
        assert_eq!(report.executed[0].step.code, code, "{report}");
        assert!(
            !db.indexes("gadgets")
                .await
                .contains(&"ux_gadgets_name".to_string())
        );
        assert_eq!(db.rows("gadgets").await, 1);
        db.cleanup().await;
    }
}

/// An index nobody declared (one a DBA added for a slow query) is kept by default: dropping
/// it loses no data but can make a production database unusable. Only
/// `allow_drop_extra_indexes` drops it, whatever `allow_drop_extra_constraints` says.
#[tokio::test]
async fn allow_drop_extra_indexes() {
    for db in TestDb::all("pol_indexes").await {
        db.create(&[before::Gadget::table_def()]).await;
        db.exec("INSERT INTO {S}gadgets (name) VALUES ('a')").await;
        // Only the index differs: the column stays declared.
        let mut tables = [before::Gadget::table_def()];
        tables[0].indexes.clear();

        let off = db.conform_with(db.options()).await;
        let plan = off.compare(&tables).await.unwrap();
        assert!(plan.is_empty(), "{}: {plan}", db.name());
        assert_eq!(
            plan.drift()[0].description,
            "extra index `ix_gadgets_name` (name) (kept; set allow_drop_extra_indexes to drop it)"
        );
        let report = off.apply(&tables).await.unwrap();
        assert!(report.executed.is_empty(), "{report}");
        assert!(
            db.indexes("gadgets")
                .await
                .contains(&"ix_gadgets_name".to_string())
        );

        // Its own flag, not allow_drop_extra_constraints.
        let on = db
            .conform_with(db.options_with(|o| {
                o.allow_drop_extra_indexes = true;
                o.allow_drop_extra_constraints = false;
            }))
            .await;
        let report = on.apply(&tables).await.unwrap();
        assert_eq!(
            (
                report.executed[0].step.code.as_str(),
                report.executed[0].step.risk
            ),
            ("DC103", Risk::Safe),
            "{report}"
        );
        assert!(
            !db.indexes("gadgets")
                .await
                .contains(&"ix_gadgets_name".to_string())
        );
        assert_eq!(db.rows("gadgets").await, 1);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn allow_shrink_column() {
    for db in TestDb::all("pol_shrink").await {
        db.create(&[before::Label::table_def()]).await;
        db.exec("INSERT INTO {S}labels (code) VALUES ('ab'), ('abcde')")
            .await;
        let tables = [Label::table_def()];
        let narrowing = format!("alter column {}.code (type)", db.table("labels"));

        let off = db.conform_with(db.options()).await;
        let plan = off.compare(&tables).await.unwrap();
        let b = blocked(&plan, &narrowing).unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(b.unlocked_by, "allow_shrink_column");
        assert_eq!(
            (b.step.code.as_str(), b.problem.as_deref()),
            ("DC056", None)
        );
        assert!(plan.steps().is_empty(), "{plan}");
        let report = off.apply(&tables).await.unwrap();
        assert!(report.executed.is_empty(), "{report}");
        assert_eq!(report.blocked.len(), 1);
        assert_eq!(
            db.texts("SELECT code FROM {S}labels ORDER BY id").await,
            ["ab", "abcde"]
        );

        let on = db
            .conform_with(db.options_with(|o| o.allow_shrink_column = true))
            .await;
        let plan = on.compare(&tables).await.unwrap();
        let s = step(&plan, &narrowing).unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        // Every value fits: no longer dangerous.
        assert_eq!(s.risk, Risk::Caution, "{plan}");
        assert!(s.reason.ends_with("every value fits"), "{}", s.reason);
        // Only a table rebuild can change a SQLite column's type.
        assert_eq!(s.rebuild.is_some(), db.is_sqlite(), "{plan}");
        on.apply(&tables).await.unwrap();
        assert!(on.compare(&tables).await.unwrap().is_empty());
        assert_eq!(
            db.texts("SELECT code FROM {S}labels ORDER BY id").await,
            ["ab", "abcde"]
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn allow_sqlite_table_rebuild() {
    let db = TestDb::sqlite().await;
    db.create(&[before::Person::table_def()]).await;
    db.exec("INSERT INTO people (name) VALUES ('ada')").await;
    let tables = [IndexedPerson::table_def()];
    let nullability = "alter column main.people.name (nullability)";

    let off = db
        .conform_with(db.options_with(|o| o.allow_sqlite_table_rebuild = false))
        .await;
    let plan = off.compare(&tables).await.unwrap();
    let b = blocked(&plan, nullability).unwrap_or_else(|| panic!("{plan}"));
    assert_eq!(b.unlocked_by, "allow_sqlite_table_rebuild");
    // The independent index still applies.
    let report = off.apply(&tables).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    assert_eq!(
        report.executed[0].step.kind,
        dbconform::ChangeKind::AddIndex
    );
    assert!(
        db.indexes("people")
            .await
            .contains(&"ix_people_name".to_string())
    );
    assert_eq!(db.texts("SELECT name FROM people").await, ["ada"]);

    // On: the table is rebuilt, with why a rebuild is needed; the row is kept.
    let on = db.conform_with(db.options()).await;
    let plan = on.compare(&tables).await.unwrap();
    let s = step(&plan, nullability).unwrap_or_else(|| panic!("{plan}"));
    assert!(s.rebuild.is_some());
    assert!(plan.blocked().is_empty(), "{plan}");
    assert_eq!(
        plan.steps()[0].describe(),
        format!("rebuild table main.people ({nullability})"),
        "{plan}"
    );
    on.apply(&tables).await.unwrap();
    assert_eq!(db.texts("SELECT name FROM people").await, ["ada"]);
    assert_eq!(
        db.texts("SELECT \"notnull\" || '' FROM pragma_table_info('people') WHERE name = 'name'")
            .await,
        ["1"]
    );
    assert!(on.compare(&tables).await.unwrap().is_empty());
    db.cleanup().await;
}

/// Data checks cost one statement per compare, whatever the number of steps and tables
/// (SQLite: one query; PostgreSQL outside a transaction: one query too).
#[tokio::test]
async fn data_checks_cost_one_statement() {
    for db in TestDb::all("pol_cost").await {
        let before = [
            before::Person::table_def(),
            before::Member::table_def(),
            before::Account::table_def(),
            before::Label::table_def(),
        ];
        db.create(&before).await;
        db.exec(
            "INSERT INTO {S}people (name) VALUES ('a'); INSERT INTO {S}members (name) VALUES ('b'); \
             INSERT INTO {S}accounts (email) VALUES ('c'); INSERT INTO {S}labels (code) VALUES ('d')",
        )
        .await;
        let after = [
            Person::table_def(),
            Member::table_def(),
            Account::table_def(),
            Label::table_def(),
        ];
        let sent = |options| async {
            let conform = db.conform_with(options).await;
            let before = conform.statements_sent();
            let plan = conform.compare(&after).await.unwrap();
            (conform.statements_sent() - before, plan)
        };
        let (blind, _) = sent(db.options_with(|o| o.skip_data_checks = true)).await;
        let (checked, plan) = sent(db.options()).await;
        let questions = dbconform::data::questions(&plan).len();
        assert!(
            questions >= 7,
            "{}: {questions} questions\n{plan}",
            db.name()
        );
        assert_eq!(checked - blind, 1, "{}: {plan}", db.name());
        db.cleanup().await;
    }
}
