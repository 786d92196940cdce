//! Data-aware classification: the same change on an empty table (safe, applied where
//! this version has SQL for it) and on a table whose rows make it fail (blocked with the
//! problem and what to do, nothing changed, independent steps applied).

use super::{Account, Child, IndexedAccount, Label, Member, Parent, Person, before};
use crate::common::TestDb;
use crate::harness::{blocked, step};
use dbconform::{Risk, Table, TableDef};

/// The change `what` on `tables`, with `rows` inserted first (none: the table stays
/// empty): on an empty table the step is safe; with rows it is blocked with `problem`.
struct Case {
    before: Vec<TableDef>,
    after: Vec<TableDef>,
    /// Rows that make the step fail (`{S}` is the schema prefix).
    rows: &'static str,
    /// The step's description, without the schema: `alter column people.name`.
    what: &'static str,
    /// The empty table's name.
    table: &'static str,
    /// The expected problem, `{T}` standing for the schema.
    problem: &'static str,
    /// Whether this version has SQL for the step on the backend (else: a SQLite rebuild).
    executable: fn(&TestDb) -> bool,
    /// Whether the case holds on SQLite too.
    sqlite: bool,
}

fn postgres_only(db: &TestDb) -> bool {
    !db.is_sqlite()
}

fn everywhere(_: &TestDb) -> bool {
    true
}

/// `what` with the table qualified: `alter column main.people.name`; `{index|unique}`
/// is `unique` on MySQL, `index` elsewhere.
fn qualified(db: &TestDb, what: &str) -> String {
    let kind = if db.is_mysql() { "unique" } else { "index" };
    let what = &what.replace("{index|unique}", kind);
    let (verb, rest) = what
        .split_once(' ')
        .and_then(|(a, rest)| {
            rest.split_once(' ')
                .map(|(b, rest)| (format!("{a} {b}"), rest))
        })
        .unwrap_or_default();
    match rest.split_once(" on ") {
        // `add unique uq on accounts`
        Some((object, table)) => format!("{verb} {object} on {}", db.table(table)),
        // `alter column people.name`
        None => format!("{verb} {}.{rest}", db.schema()),
    }
}

/// The backends the case holds on.
async fn backends(case: &Case, tag: &str) -> Vec<TestDb> {
    let mut dbs = Vec::new();
    for db in TestDb::all(tag).await {
        if case.sqlite || !db.is_sqlite() {
            dbs.push(db);
        } else {
            db.cleanup().await;
        }
    }
    dbs
}

async fn check(case: Case, tag: &str) {
    for db in backends(&case, tag).await {
        let what = qualified(&db, case.what);
        let table = db.table(case.table);

        // Empty: safe, and applied where there is SQL for it.
        db.create(&case.before).await;
        let conform = db
            .conform_with(db.options_with(|o| o.allow_shrink_column = true))
            .await;
        let plan = conform.compare(&case.after).await.unwrap();
        let s = step(&plan, &what).unwrap_or_else(|| panic!("{}: {what}\n{plan}", db.name()));
        assert_eq!(s.risk, Risk::Safe, "{}: {plan}", db.name());
        assert!(
            s.reason
                .ends_with(&format!("; safe: table `{table}` is empty")),
            "{}: {}",
            db.name(),
            s.reason
        );
        if (case.executable)(&db) {
            conform.apply(&case.after).await.unwrap();
            assert!(conform.compare(&case.after).await.unwrap().is_empty());
        }
        db.cleanup().await;
    }
    for db in backends(&case, tag).await {
        let what = qualified(&db, case.what);
        // With rows that make it fail: blocked with the problem, nothing changed.
        db.create(&case.before).await;
        db.exec(case.rows).await;
        let conform = db
            .conform_with(db.options_with(|o| o.allow_shrink_column = true))
            .await;
        let plan = conform.compare(&case.after).await.unwrap();
        assert!(step(&plan, &what).is_none(), "{}: {plan}", db.name());
        let b = blocked(&plan, &what).unwrap_or_else(|| panic!("{}: {what}\n{plan}", db.name()));
        let problem = case.problem.replace("{T}", &db.schema());
        assert_eq!(
            b.problem.as_deref(),
            Some(problem.as_str()),
            "{}",
            db.name()
        );
        assert_eq!(b.unlocked_by, "", "{}", db.name());
        assert!(
            b.step
                .suggestion
                .as_deref()
                .is_some_and(|s| s.ends_with(", then apply again")),
            "{:?}",
            b.step.suggestion
        );
        let rows_before = db.rows(case.table).await;
        // Applying runs whatever else there is and leaves the failing step out.
        if (case.executable)(&db) {
            let report = conform.apply(&case.after).await.unwrap();
            assert!(
                report
                    .executed
                    .iter()
                    .all(|e| !e.step.describe().starts_with(&what)),
                "{report}"
            );
            assert_eq!(report.blocked.len(), plan.blocked().len());
        }
        assert_eq!(db.rows(case.table).await, rows_before);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn set_not_null() {
    check(
        Case {
            before: vec![before::Person::table_def()],
            after: vec![Person::table_def()],
            rows: "INSERT INTO {S}people (name) VALUES ('ada'), (NULL), (NULL)",
            what: "alter column people.name",
            table: "people",
            problem: "will fail: 2 rows have NULL in `{T}.people`.name",
            executable: postgres_only,
            sqlite: true,
        },
        "data_not_null",
    )
    .await;
}

#[tokio::test]
async fn not_null_column_without_default() {
    check(
        Case {
            before: vec![before::Member::table_def()],
            after: vec![Member::table_def()],
            rows: "INSERT INTO {S}members (name) VALUES ('ada')",
            what: "add column members.age",
            table: "members",
            problem: "will fail: `{T}.members` has 1 row and the new NOT NULL column `age` has no default",
            executable: postgres_only,
            sqlite: true,
        },
        "data_add_column",
    )
    .await;
}

#[tokio::test]
async fn unique_constraint() {
    check(
        Case {
            before: vec![before::Account::table_def()],
            after: vec![Account::table_def()],
            rows: "INSERT INTO {S}accounts (email) VALUES ('a@x'), ('a@x'), ('b@x')",
            what: "add unique uq_accounts_email on accounts",
            table: "accounts",
            problem: "will fail: 1 value of email is shared by several rows of `{T}.accounts`",
            executable: postgres_only,
            sqlite: true,
        },
        "data_unique",
    )
    .await;
}

#[tokio::test]
async fn unique_index() {
    check(
        Case {
            before: vec![before::Account::table_def()],
            after: vec![IndexedAccount::table_def()],
            rows: "INSERT INTO {S}accounts (email) VALUES ('a@x'), ('a@x'), ('b@x'), ('b@x')",
            // On MySQL a unique index is a unique constraint (one kind of unique index).
            what: if cfg!(feature = "mysql") {
                "add {index|unique} ux_accounts_email on accounts"
            } else {
                "add index ux_accounts_email on accounts"
            },
            table: "accounts",
            problem: "will fail: 2 values of email are shared by several rows of `{T}.accounts`",
            executable: everywhere,
            sqlite: true,
        },
        "data_unique_index",
    )
    .await;
}

#[tokio::test]
async fn foreign_key() {
    check(
        Case {
            before: vec![Parent::table_def(), before::Child::table_def()],
            after: vec![Parent::table_def(), Child::table_def()],
            rows: "INSERT INTO {S}parents (id) VALUES (1); \
                   INSERT INTO {S}children (parent_id) VALUES (1), (2), (3)",
            what: "add foreign key fk_children_parent_id on children",
            table: "children",
            problem: "will fail: 2 rows of `{T}.children` reference parent_id values missing from `{T}.parents`",
            executable: postgres_only,
            sqlite: true,
        },
        "data_fk",
    )
    .await;
}

#[tokio::test]
async fn narrowing_on_postgres() {
    // On SQLite a value that does not fit is kept (see the next test): nothing fails.
    check(
        Case {
            before: vec![before::Label::table_def()],
            after: vec![Label::table_def()],
            rows: "INSERT INTO {S}labels (code) VALUES ('abc'), ('abcdefgh')",
            what: "alter column labels.code",
            table: "labels",
            problem: "will fail: 1 value of `{T}.labels.code` is longer than 5 characters",
            executable: postgres_only,
            sqlite: false,
        },
        "data_narrow",
    )
    .await;
}

#[tokio::test]
async fn narrowing_on_sqlite_keeps_and_counts_what_does_not_fit() {
    let db = TestDb::sqlite().await;
    db.create(&[before::Label::table_def()]).await;
    db.exec("INSERT INTO labels (code) VALUES ('abc'), ('abcdefgh')")
        .await;
    let conform = db
        .conform_with(db.options_with(|o| o.allow_shrink_column = true))
        .await;
    let plan = conform.compare(&[Label::table_def()]).await.unwrap();
    let s = step(&plan, "alter column main.labels.code").unwrap_or_else(|| panic!("{plan}"));
    assert_eq!(s.risk, Risk::Danger);
    assert!(
        s.reason.ends_with(
            "; 1 value of `main.labels.code` is longer than 5 characters: SQLite keeps them as they are"
        ),
        "{}",
        s.reason
    );
    db.cleanup().await;
}

#[tokio::test]
async fn rows_that_satisfy_the_change_are_checked_not_blocked() {
    for db in TestDb::all("data_clean").await {
        db.create(&[before::Person::table_def()]).await;
        db.exec("INSERT INTO {S}people (name) VALUES ('ada'), ('bob')")
            .await;
        let conform = db.conform_with(db.options()).await;
        let plan = conform.compare(&[Person::table_def()]).await.unwrap();
        let what = format!("alter column {}.name", db.table("people"));
        let s = step(&plan, &what).unwrap_or_else(|| panic!("{plan}"));
        assert_eq!(s.risk, Risk::Caution);
        assert!(
            s.reason.ends_with(&format!(
                "; checked: no rows have NULL in `{}`.name",
                db.table("people")
            )),
            "{}",
            s.reason
        );
        if !db.is_sqlite() {
            conform.apply(&[Person::table_def()]).await.unwrap();
            assert_eq!(db.rows("people").await, 2);
        }
        db.cleanup().await;
    }
}

/// A CHECK the database cannot evaluate over the rows is reported as unknown; the compare
/// succeeds and the step stays cautious.
#[tokio::test]
async fn a_check_that_cannot_be_evaluated_is_unknown() {
    for db in TestDb::all("data_check").await {
        db.create(&[before::Member::table_def()]).await;
        db.exec("INSERT INTO {S}members (name) VALUES ('ada')")
            .await;
        let mut members = before::Member::table_def();
        // SQLite and MySQL have no such function; PostgreSQL divides by zero on every
        // row (MySQL's division by zero is NULL, which a CHECK lets through).
        let expr = if db.is_sqlite() || db.is_mysql() {
            "no_such_function(name) > 0"
        } else {
            "100 / (id - id) > 0"
        };
        members.checks.push(dbconform::Check {
            name: "ck_members_odd".into(),
            expr: expr.into(),
            not_valid: false,
        });
        let conform = db.conform_with(db.options()).await;
        let plan = conform.compare(&[members.clone()]).await.unwrap();
        let what = format!("add check ck_members_odd on {}", db.table("members"));
        let s = step(&plan, &what).unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(s.risk, Risk::Caution, "{plan}");
        assert!(
            s.reason.contains("; could not check the check ("),
            "{}",
            s.reason
        );
        let message = if db.is_sqlite() {
            "no such function: no_such_function".to_string()
        } else if db.is_mysql() {
            let database = db.texts("SELECT DATABASE()").await.remove(0);
            format!("FUNCTION {database}.no_such_function does not exist")
        } else {
            "division by zero".to_string()
        };
        assert!(s.reason.ends_with(&message), "{}", s.reason);
        if db.is_mysql() {
            // No transactional DDL: the step fails on its own, nothing committed.
            let error = conform.apply(&[members]).await.unwrap_err().to_string();
            assert!(
                error.starts_with("step 1 (add check ck_members_odd"),
                "{error}"
            );
            assert!(error.contains("no step had committed"), "{error}");
            assert!(
                error.contains("cannot be used in the CHECK clause"),
                "{error}"
            );
            assert_eq!(db.rows("members").await, 1);
        } else if !db.is_sqlite() {
            // Inside the apply transaction the refused probe is rolled back to its
            // savepoint: the transaction goes on, and the step itself then fails with
            // the database's own message.
            let error = conform.apply(&[members]).await.unwrap_err().to_string();
            assert!(
                error.starts_with("step 1 (add check ck_members_odd"),
                "{error}"
            );
            assert!(error.contains("division by zero"), "{error}");
            assert!(!error.contains("aborted"), "{error}");
            assert_eq!(db.rows("members").await, 1);
        }
        db.cleanup().await;
    }
}
