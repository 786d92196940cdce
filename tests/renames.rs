//! Renames (`renamed_from`) on both backends: column and table renames keep every row,
//! foreign keys pointing at a renamed table still enforce, a second run is a no-op, a
//! rename whose old name is absent is ignored; and without the hint, the plan suggests it
//! (with its evidence) while still keeping the old column as drift.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

#[path = "common/mod.rs"]
mod common;

use common::{TestDb, described};
use dbconform::{ChangeKind, Options, Risk, Table};

mod old {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "rn_persons")]
    pub struct Person {
        #[column(primary_key)]
        pub id: i64,
        pub full_name: String,
    }

    #[derive(Table)]
    #[table(name = "rn_pets")]
    pub struct Pet {
        #[column(primary_key)]
        pub id: i64,
        #[column(references = "rn_persons(id)", on_delete = "cascade")]
        pub owner_id: i64,
        pub name: String,
    }

    #[derive(Table)]
    #[table(name = "rn_categories")]
    pub struct Category {
        #[column(primary_key)]
        pub id: i64,
        #[column(unique)]
        pub name: String,
    }

    #[derive(Table)]
    #[table(name = "rn_clients")]
    pub struct Client {
        #[column(primary_key)]
        pub id: i64,
        pub name: String,
        pub email: Option<String>,
    }
}

// `rn_persons` renamed, and its `full_name` column too (a `//` comment: doc comments
// become table comments on PostgreSQL).
#[derive(Table)]
#[table(
    name = "rn_people",
    renamed_from = "rn_gone",
    renamed_from = "rn_persons"
)]
struct Person {
    #[column(primary_key)]
    id: i64,
    #[column(renamed_from = "full_name")]
    display_name: String,
}

#[derive(Table)]
#[table(name = "rn_pets")]
struct Pet {
    #[column(primary_key)]
    id: i64,
    #[column(references = "rn_people(id)", on_delete = "cascade")]
    owner_id: i64,
    name: String,
}

// `rn_clients` renamed without saying so, and `full_name` replaced without saying so.
#[derive(Table)]
#[table(name = "rn_customers")]
struct Customer {
    #[column(primary_key)]
    id: i64,
    name: String,
    email: Option<String>,
}

// `rn_categories.name` (NOT NULL, UNIQUE) renamed to `title` without saying so.
#[derive(Table)]
#[table(name = "rn_categories")]
struct UnhintedCategory {
    #[column(primary_key)]
    id: i64,
    #[column(unique)]
    title: String,
}

#[derive(Table)]
#[table(name = "rn_persons")]
struct UnhintedPerson {
    #[column(primary_key)]
    id: i64,
    display_name: Option<String>,
}

#[tokio::test]
async fn table_and_column_renames_keep_rows_and_foreign_keys() {
    for db in TestDb::all("renames").await {
        db.create(&[old::Person::table_def(), old::Pet::table_def()])
            .await;
        db.try_exec(
            "INSERT INTO {S}rn_persons (id, full_name) VALUES (1, 'Ada'), (2, 'Grace'); \
             INSERT INTO {S}rn_pets (id, owner_id, name) VALUES (10, 1, 'Rex'), (11, 2, 'Tom')",
        )
        .await
        .unwrap();
        let tables = [Person::table_def(), Pet::table_def()];
        let conform = db.conform().await;
        let plan = conform.compare(&tables).await.unwrap();
        // The first old name is absent and skipped; the second is renamed.
        assert_eq!(
            described(&plan),
            [
                format!("rename table {} to rn_people", db.table("rn_persons")),
                format!(
                    "rename column {}.full_name to display_name",
                    db.table("rn_people")
                ),
            ],
            "{}: {plan}",
            db.name()
        );
        let kinds: Vec<(ChangeKind, Risk, &str)> = plan
            .steps()
            .iter()
            .map(|s| (s.kind, s.risk, s.code.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::RenameTable, Risk::Caution, "DC060"),
                (ChangeKind::RenameColumn, Risk::Caution, "DC061")
            ]
        );
        assert!(plan.drift().is_empty(), "{plan}");
        conform.apply(&tables).await.unwrap();

        assert_eq!(
            db.texts("SELECT display_name FROM {S}rn_people ORDER BY id")
                .await,
            ["Ada", "Grace"]
        );
        // The foreign key follows the table: an orphan is refused, a delete cascades.
        let orphan = db
            .try_exec("INSERT INTO {S}rn_pets (id, owner_id, name) VALUES (12, 99, 'Lost')")
            .await;
        assert!(orphan.is_err(), "{}: orphan accepted", db.name());
        db.try_exec("DELETE FROM {S}rn_people WHERE id = 1")
            .await
            .unwrap();
        assert_eq!(
            db.texts("SELECT name FROM {S}rn_pets ORDER BY id").await,
            ["Tom"]
        );
        // A second run is a no-op: the hints are inert once renamed.
        let again = db.conform().await.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{}: {again}", db.name());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_rename_whose_old_name_is_absent_is_ignored() {
    for db in TestDb::all("renames_absent").await {
        let tables = [Person::table_def(), Pet::table_def()];
        let plan = db.conform().await.compare(&tables).await.unwrap();
        let tables_created: Vec<String> = described(&plan)
            .into_iter()
            .filter(|d| !d.starts_with("create schema"))
            .collect();
        assert_eq!(
            tables_created,
            [
                format!("create table {}", db.table("rn_people")),
                format!("create table {}", db.table("rn_pets")),
            ],
            "{}: {plan}",
            db.name()
        );
        db.create(&tables).await;
        let again = db.conform().await.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{}: {again}", db.name());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_rename_and_other_changes_of_the_table_in_one_plan() {
    // On SQLite the NOT NULL → nullable change needs a table rebuild, which runs after
    // the native rename and copies the renamed column.
    #[derive(Table)]
    #[table(name = "rn_persons")]
    struct Renamed {
        #[column(primary_key)]
        id: i64,
        #[column(renamed_from = "full_name")]
        display_name: Option<String>,
    }
    for db in TestDb::all("renames_alter").await {
        db.create(&[old::Person::table_def()]).await;
        db.try_exec("INSERT INTO {S}rn_persons (id, full_name) VALUES (1, 'Ada')")
            .await
            .unwrap();
        let tables = [Renamed::table_def()];
        let conform = db.conform().await;
        let plan = conform.compare(&tables).await.unwrap();
        // On SQLite the rename runs inside the rebuild, after it (so that SQLite's own
        // RENAME rewrites the views and triggers the rebuild recreates); on PostgreSQL it
        // is a step of its own, first.
        let rename = format!(
            "rename column {}.full_name to display_name",
            db.table("rn_persons")
        );
        if db.name() == "sqlite" {
            assert_eq!(plan.steps().len(), 1, "{plan}");
            let parts: Vec<String> = plan.steps()[0].parts.iter().map(|p| p.describe()).collect();
            assert!(parts.contains(&rename), "{plan}");
            let sql = &plan.steps()[0].sql;
            assert!(
                sql.last()
                    .unwrap()
                    .contains("RENAME COLUMN \"full_name\" TO \"display_name\""),
                "{plan}"
            );
        } else {
            assert_eq!(plan.steps()[0].describe(), rename, "{plan}");
            assert_eq!(plan.steps().len(), 2, "{plan}");
        }
        conform.apply(&tables).await.unwrap();
        assert_eq!(
            db.texts("SELECT display_name FROM {S}rn_persons").await,
            ["Ada"]
        );
        db.try_exec("INSERT INTO {S}rn_persons (id) VALUES (2)")
            .await
            .unwrap();
        let again = db.conform().await.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{}: {again}", db.name());
        db.cleanup().await;
    }
}

#[tokio::test]
async fn without_the_hint_the_plan_suggests_the_rename_and_keeps_the_old_column() {
    for db in TestDb::all("renames_hint").await {
        db.create(&[old::Person::table_def(), old::Client::table_def()])
            .await;
        db.try_exec(
            "INSERT INTO {S}rn_persons (id, full_name) VALUES (1, 'Ada'); \
             INSERT INTO {S}rn_clients (id, name) VALUES (1, 'ACME')",
        )
        .await
        .unwrap();
        let tables = [UnhintedPerson::table_def(), Customer::table_def()];
        let plan = db.conform().await.compare(&tables).await.unwrap();
        let add = format!("add column {}.display_name", db.table("rn_persons"));
        let step = plan
            .steps()
            .iter()
            .find(|s| s.describe() == add)
            .unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(
            step.suggestion.as_deref(),
            Some(
                "if `display_name` is `full_name` renamed, declare `#[column(renamed_from = \"full_name\")]` on it: a rename keeps the values, while this plan adds an empty column and keeps or drops `full_name` (evidence: `full_name` is not declared and its type TEXT is compatible with TEXT)"
            ),
            "{plan}"
        );
        let create = format!("create table {}", db.table("rn_customers"));
        let step = plan
            .steps()
            .iter()
            .find(|s| s.describe() == create)
            .unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(
            step.suggestion.as_deref(),
            Some(
                "if `rn_customers` is `rn_clients` renamed, declare `#[table(renamed_from = \"rn_clients\")]`: a rename keeps the rows, while this plan creates an empty table and keeps or drops `rn_clients` (evidence: `rn_clients` is not declared and has 3 of the 3 declared columns: id, name, email)"
            ),
            "{plan}"
        );
        // No rename on a guess: the old column and table stay, as drift.
        assert!(
            plan.steps().iter().all(|s| !matches!(
                s.kind,
                ChangeKind::RenameColumn | ChangeKind::RenameTable | ChangeKind::DropColumn
            )),
            "{plan}"
        );
        let drift: Vec<String> = plan.drift().iter().map(|d| d.description.clone()).collect();
        assert!(
            drift.iter().any(|d| d.contains("extra column `full_name`")),
            "{drift:?}"
        );
        // Dropping it is still an explicit choice.
        let options = Options::default();
        assert!(!options.allow_drop_extra_columns);
        db.cleanup().await;
    }
}

/// The rename suggestion does not depend on the rows: on a table with rows the added NOT
/// NULL column is blocked, and its suggestion names the `renamed_from` first. The old
/// column stays as drift, and so does the UNIQUE constraint over it: duplicates are still
/// refused after the apply (issue 16).
#[tokio::test]
async fn without_the_hint_a_table_with_rows_still_gets_the_suggestion_and_keeps_the_unique() {
    for db in TestDb::all("renames_rows").await {
        // The keyed `name` is VARCHAR(255) on MySQL (see `TestDb::ready`).
        let ty = if db.is_mysql() {
            "VARCHAR(255)"
        } else {
            "TEXT"
        };
        let hint = format!(
            "if `title` is `name` renamed, declare `#[column(renamed_from = \"name\")]` on it: a rename keeps the values, while this plan adds an empty column and keeps or drops `name` (evidence: `name` is not declared and its type {ty} is compatible with {ty})"
        );
        let hint = hint.as_str();
        db.create(&[old::Category::table_def()]).await;
        let tables = [UnhintedCategory::table_def()];
        let add = format!("add column {}.title", db.table("rn_categories"));

        // Empty: the add is safe, and the suggestion is the rename.
        let plan = db.conform().await.compare(&tables).await.unwrap();
        let step = plan
            .steps()
            .iter()
            .flat_map(|s| std::iter::once(s).chain(&s.parts))
            .find(|s| s.describe() == add)
            .unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(step.suggestion.as_deref(), Some(hint), "{plan}");

        db.try_exec("INSERT INTO {S}rn_categories (id, name) VALUES (1, 'books'), (2, 'films')")
            .await
            .unwrap();
        let conform = db.conform().await;
        let plan = conform.compare(&tables).await.unwrap();
        let blocked = plan
            .blocked()
            .iter()
            .find(|b| b.step.describe() == add)
            .unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(
            blocked.step.suggestion.as_deref(),
            Some(
                format!(
                    "{hint}; otherwise give `title` a default (`#[column(default = \"...\")]`) or make it nullable (`Option<_>`), then apply again"
                )
                .as_str()
            ),
            "{plan}"
        );
        // Nothing of `name` is dropped: not the column, not its UNIQUE constraint.
        assert!(
            plan.steps()
                .iter()
                .flat_map(|s| std::iter::once(s).chain(&s.parts))
                .all(|s| !matches!(s.kind, ChangeKind::DropUnique | ChangeKind::DropColumn)),
            "{}: {plan}",
            db.name()
        );
        let drift: Vec<String> = plan.drift().iter().map(|d| d.description.clone()).collect();
        assert_eq!(
            drift,
            [
                "extra column `name` (kept; set allow_drop_extra_columns to drop it)",
                "extra unique constraint `uq_rn_categories_name` (name) (kept: it uses column `name`, which is kept)",
            ],
            "{}",
            db.name()
        );
        conform.apply(&tables).await.unwrap();
        let duplicate = db
            .try_exec("INSERT INTO {S}rn_categories (id, name) VALUES (3, 'books')")
            .await;
        assert!(
            duplicate.is_err(),
            "{}: the unique constraint was dropped",
            db.name()
        );
        db.cleanup().await;
    }
}
