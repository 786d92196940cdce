//! `check_all()` and `preflight_all()` change nothing (snapshot and rows equal before and
//! after) and report correctly, on every backend; on MySQL, which cannot roll DDL back,
//! `preflight_all()` tries the steps on empty copies of the tables in a scratch database.
//!
//! The drift: `customers` lacks the `nickname` column (step 1, succeeds), the unique index
//! on `email` (step 2, fails over duplicate emails), and `orders` is missing (step 3,
//! succeeds).

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::TestDb;
use dbconform::{Error, StepOutcome, Table, TableDef};

#[derive(Table)]
#[table(name = "customers")]
#[index(name = "ux_customers_email", columns("email"), unique)]
struct Customer {
    #[column(primary_key)]
    id: i64,
    // A length, so that MySQL can key it whole.
    #[column(max_length = 100)]
    email: String,
    nickname: Option<String>,
}

#[derive(Table)]
#[table(name = "orders")]
struct Order {
    #[column(primary_key)]
    id: i64,
    #[column(references = "customers(id)")]
    customer_id: i64,
}

/// `customers` as the database has it: no nickname, no unique index.
fn old_customers() -> TableDef {
    let mut table = Customer::table_def();
    table.columns.retain(|c| c.name != "nickname");
    table.indexes.clear();
    table
}

const ROWS: &str = "SELECT CAST(id AS TEXT) || ':' || email FROM {S}customers ORDER BY id";

/// A database with the drift and duplicate emails.
async fn drifted(db: &TestDb) {
    db.create(&[old_customers()]).await;
    db.exec("INSERT INTO {S}customers (email) VALUES ('a@x'), ('a@x'), ('b@x')")
        .await;
}

#[tokio::test]
async fn check_lists_the_drift_and_changes_nothing() {
    for db in TestDb::all("check_drift").await {
        drifted(&db).await;
        let conform = db.conform().await;
        let snapshot = conform.snapshot().await.unwrap();
        let rows = db.texts(ROWS).await;

        let error = conform.check_all().await.unwrap_err();
        let Error::NotConformant { plan } = &error else {
            panic!("{}: {error}", db.name());
        };
        let listing = plan.to_string();
        let customers = db.table("customers");
        // MySQL has one kind of unique index, which dbconform models as a constraint.
        let unique = if db.is_mysql() { "unique" } else { "index" };
        for expected in [
            format!("add column {customers}.nickname"),
            format!("add {unique} ux_customers_email on {customers}"),
            format!("create table {}", db.table("orders")),
            "will fail: 1 value of email is shared by several rows".to_string(),
        ] {
            assert!(
                listing.contains(&expected),
                "{}: {expected}\n{listing}",
                db.name()
            );
        }
        assert_eq!(conform.snapshot().await.unwrap(), snapshot, "{}", db.name());
        assert_eq!(db.texts(ROWS).await, rows);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn check_passes_on_a_conformant_database() {
    for db in TestDb::all("check_ok").await {
        let conform = db.conform().await;
        conform.apply_all().await.unwrap();
        let snapshot = conform.snapshot().await.unwrap();
        conform.check_all().await.unwrap();
        conform
            .check(&[Customer::table_def(), Order::table_def()])
            .await
            .unwrap();
        assert_eq!(conform.snapshot().await.unwrap(), snapshot);
        let dry = conform.preflight_all().await.unwrap();
        assert!(
            dry.steps.is_empty() && dry.blocked.is_empty() && dry.is_ok(),
            "{dry}"
        );
        db.cleanup().await;
    }
}

/// MySQL commits each DDL statement on its own: preflight tries the steps on empty copies
/// of the tables in a scratch database, so over duplicate emails (data checks off) every
/// step succeeds there; the report says where they ran, the scratch database is gone, and
/// nothing changed (same snapshot, same rows).
async fn tried_in_a_workspace(
    db: &TestDb,
    conform: &common::matrix::Conform,
    snapshot: &dbconform::Schema,
    rows: &[String],
) {
    let dry = conform.preflight_all().await.unwrap();
    let outcomes: Vec<(String, &StepOutcome)> = dry
        .steps
        .iter()
        .map(|s| (s.step.describe(), &s.outcome))
        .collect();
    let customers = db.table("customers");
    assert_eq!(
        outcomes,
        [
            (format!("add column {customers}.nickname"), &StepOutcome::Ok),
            (
                format!("add unique ux_customers_email on {customers}"),
                &StepOutcome::Ok
            ),
            (
                format!("create table {}", db.table("orders")),
                &StepOutcome::Ok
            ),
        ],
        "{dry}"
    );
    let workspace = dry.workspace.clone().expect("tried in a scratch database");
    assert!(
        dry.to_string().contains(&format!(
            "3 of 3 step(s) would succeed, 0 would not; tried on empty copies of the tables in the scratch database `{workspace}`, dropped since"
        )),
        "{dry}"
    );
    let left = db
        .texts(&format!(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{workspace}'"
        ))
        .await;
    assert!(
        left.is_empty(),
        "the scratch database {workspace} was left behind"
    );
    assert_eq!(&conform.snapshot().await.unwrap(), snapshot);
    assert_eq!(db.texts(ROWS).await, rows);
}

#[tokio::test]
async fn preflight_tries_every_step_and_rolls_back() {
    for db in TestDb::all("preflight_fail").await {
        drifted(&db).await;
        // Data checks off, so the failing step is tried.
        let conform = db
            .conform_with(db.options_with(|o| o.skip_data_checks = true))
            .await;
        let plan = conform.compare_all().await.unwrap();
        let snapshot = conform.snapshot().await.unwrap();
        let rows = db.texts(ROWS).await;

        if db.is_mysql() {
            tried_in_a_workspace(&db, &conform, &snapshot, &rows).await;
            db.cleanup().await;
            continue;
        }
        let dry = conform.preflight_all().await.unwrap();
        let outcomes: Vec<(String, &str)> = dry
            .steps
            .iter()
            .map(|s| {
                let status = match &s.outcome {
                    StepOutcome::Ok => "ok",
                    StepOutcome::Failed { .. } => "failed",
                    StepOutcome::NotExecutable { .. } => "not executable",
                    StepOutcome::NotTried { .. } => "not tried",
                };
                (s.step.describe(), status)
            })
            .collect();
        let customers = db.table("customers");
        assert_eq!(
            outcomes,
            [
                (format!("add column {customers}.nickname"), "ok"),
                (
                    format!("add index ux_customers_email on {customers}"),
                    "failed"
                ),
                (format!("create table {}", db.table("orders")), "ok"),
            ],
            "{}: {dry}",
            db.name()
        );
        let StepOutcome::Failed { statement, message } = &dry.steps[1].outcome else {
            panic!("{dry}");
        };
        assert_eq!(statement, &plan.steps()[1].sql[0]);
        let expected = if db.is_sqlite() {
            "UNIQUE constraint failed: customers.email"
        } else {
            // With the server's DETAIL, which names the duplicated key.
            "could not create unique index \"ux_customers_email\" (DETAIL: Key (email)=(a@x) is duplicated.)"
        };
        assert_eq!(message, expected, "{}", db.name());
        assert!(!dry.is_ok());
        assert_eq!(dry.failures().len(), 1);

        // Reads at a glance; serializes with each step's status.
        let text = dry.to_string();
        assert!(
            text.starts_with(&format!(
                "Preflight ({}): 2 of 3 step(s) would succeed, 1 would not; everything was rolled back",
                db.name()
            )),
            "{text}"
        );
        assert!(
            text.contains("    2. FAILED: [caution DC005] add index ux_customers_email"),
            "{text}"
        );
        assert!(
            text.contains(&format!("       database said: {expected}")),
            "{text}"
        );
        let json = serde_json::to_value(&dry).unwrap();
        assert_eq!(json["steps"][1]["outcome"]["status"], "failed");
        assert_eq!(json["steps"][0]["outcome"]["status"], "ok");
        assert_eq!(json["dialect"], db.name());

        // Nothing changed: same snapshot, same rows, same plan.
        assert_eq!(conform.snapshot().await.unwrap(), snapshot, "{}", db.name());
        assert_eq!(db.texts(ROWS).await, rows);
        assert_eq!(conform.compare_all().await.unwrap(), plan);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn preflight_with_data_checks_reports_the_blocked_step() {
    for db in TestDb::all("preflight_blocked").await {
        drifted(&db).await;
        let conform = db.conform().await;
        let snapshot = conform.snapshot().await.unwrap();
        let dry = conform.preflight_all().await.unwrap();
        assert!(dry.is_ok(), "{dry}");
        assert_eq!(dry.steps.len(), 2, "{dry}");
        let [blocked] = dry.blocked.as_slice() else {
            panic!("{dry}");
        };
        assert_eq!(
            blocked.problem.as_deref(),
            Some(
                format!(
                    "will fail: 1 value of email is shared by several rows of `{}`",
                    db.table("customers")
                )
                .as_str()
            )
        );
        // MySQL has one kind of unique index, which dbconform models as a constraint.
        let unique = if db.is_mysql() { "unique" } else { "index" };
        assert!(
            dry.to_string()
                .contains(&format!("  blocked: add {unique} ux_customers_email")),
            "{dry}"
        );
        assert_eq!(conform.snapshot().await.unwrap(), snapshot);
        db.cleanup().await;
    }
}

/// `pf_parents` (`id` BIGINT) and `pf_children` referencing it with a `parent_id` of
/// `child_key` type, built by hand: a derived table would join the registry the `_all`
/// tests above conform.
fn parent_and_child(child_key: dbconform::ColumnType) -> Vec<dbconform::TableDef> {
    use dbconform::{Column, ColumnType, ForeignKey, PrimaryKey, QualifiedName, TableDef};
    let table = |name: &str, columns: Vec<Column>| TableDef {
        name: name.into(),
        columns,
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        ..TableDef::default()
    };
    let parent = table("pf_parents", vec![Column::new("id", ColumnType::BigInt)]);
    let mut child = table(
        "pf_children",
        vec![
            Column::new("id", ColumnType::BigInt),
            Column::new("parent_id", child_key),
        ],
    );
    child.foreign_keys.push(ForeignKey {
        deferrable: Default::default(),
        name: "fk_pf_children_parent_id".into(),
        columns: vec!["parent_id".into()],
        references: QualifiedName::new("pf_parents"),
        referenced_columns: vec!["id".into()],
        on_delete: Default::default(),
        on_update: Default::default(),
        not_valid: false,
    });
    vec![parent, child]
}

/// On MySQL the steps run for real in the scratch database: a statement the server
/// refuses there (a foreign key added again between an INT and a BIGINT column, after
/// only the parent's key was widened) is reported with the server's message, the other
/// steps are still tried, and the database itself is unchanged.
#[cfg(feature = "mysql")]
#[tokio::test]
async fn mysql_preflight_reports_what_the_server_refuses_in_the_scratch_database() {
    let Some(db) = TestDb::mysql("preflight_refused").await else {
        return;
    };
    db.exec(
        "CREATE TABLE pf_parents (id INT NOT NULL PRIMARY KEY); \
         CREATE TABLE pf_children (id BIGINT NOT NULL PRIMARY KEY, parent_id INT NOT NULL, \
           CONSTRAINT fk_pf_children_parent_id FOREIGN KEY (parent_id) REFERENCES pf_parents (id)); \
         INSERT INTO pf_parents VALUES (1); INSERT INTO pf_children VALUES (1, 1)",
    )
    .await;
    let conform = db.conform().await;
    let snapshot = conform.snapshot().await.unwrap();
    let tables = parent_and_child(dbconform::ColumnType::Integer);
    let dry = conform.preflight(&tables).await.unwrap();
    let outcomes: Vec<(String, bool)> = dry
        .steps
        .iter()
        .map(|s| (s.step.describe(), s.outcome == StepOutcome::Ok))
        .collect();
    let children = db.table("pf_children");
    assert_eq!(
        outcomes,
        [
            (
                format!("drop foreign key fk_pf_children_parent_id on {children}"),
                true
            ),
            (
                format!("alter column {}.id (type)", db.table("pf_parents")),
                true
            ),
            (
                format!("add foreign key fk_pf_children_parent_id on {children}"),
                false
            ),
        ],
        "{dry}"
    );
    let StepOutcome::Failed { message, .. } = &dry.steps[2].outcome else {
        panic!("{dry}");
    };
    assert!(message.contains("errno: 150"), "{message}");
    assert!(dry.workspace.is_some(), "{dry}");
    assert_eq!(conform.snapshot().await.unwrap(), snapshot);
    assert_eq!(db.rows("pf_children").await, 1);
    db.cleanup().await;
}
