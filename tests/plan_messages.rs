//! What a plan says, as a user reads it, on both backends (issue 16, "Messages"): a
//! blocked step's failure is said once, a foreign key over a NOT NULL column is not told
//! to set references to NULL, a flag is not offered when the data must change first,
//! SQLite's narrowing says what really happens, the summary says "to add" for what is
//! added to existing tables, and a column drop says how many rows hold a value in it.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;
#[path = "risk_and_policy/harness.rs"]
mod harness;

use common::TestDb;
use dbconform::Table;
use harness::{blocked, step};

mod before {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "owners")]
    pub struct Owner {
        #[column(primary_key)]
        pub id: i64,
    }

    #[derive(Table)]
    #[table(name = "pets")]
    pub struct Pet {
        #[column(primary_key)]
        pub id: i64,
        pub owner_id: i64,
        pub sitter_id: Option<i64>,
        #[column(max_length = 20)]
        pub code: Option<String>,
        pub legacy: Option<String>,
    }
}

#[derive(Table)]
#[table(name = "owners")]
struct Owner {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "pets")]
struct Pet {
    #[column(primary_key)]
    id: i64,
    #[column(references = "owners(id)")]
    owner_id: i64,
    #[column(references = "owners(id)")]
    sitter_id: Option<i64>,
    #[column(max_length = 3)]
    code: Option<String>,
    #[column(unique)]
    tag: String,
    nickname: Option<String>,
    born: Option<i32>,
}

async fn filled(db: &TestDb) {
    db.create(&[before::Owner::table_def(), before::Pet::table_def()])
        .await;
    db.exec(
        "INSERT INTO {S}owners (id) VALUES (1); \
         INSERT INTO {S}pets (id, owner_id, sitter_id, code, legacy) VALUES \
         (1, 7, 8, 'abcdef', 'old'), (2, 1, NULL, 'ab', NULL), (3, 1, NULL, NULL, 'older')",
    )
    .await;
}

#[tokio::test]
async fn blocked_steps_say_once_what_fails_and_what_can_fix_it() {
    for db in TestDb::all("msg_blocked").await {
        filled(&db).await;
        let tables = [Owner::table_def(), Pet::table_def()];
        let plan = db.conform().await.compare(&tables).await.unwrap();
        let pets = db.table("pets");
        let owners = db.table("owners");
        let why = |what: &str| {
            let b = blocked(&plan, what).unwrap_or_else(|| panic!("{}: {what}\n{plan}", db.name()));
            (b.why(), b.step.suggestion.clone().unwrap_or_default())
        };

        // NOT NULL: no NULL to set the references to.
        assert_eq!(
            why(&format!("add foreign key fk_pets_owner_id on {pets}")),
            (
                format!(
                    "will fail: 1 row of `{pets}` references owner_id values missing from `{owners}`"
                ),
                format!(
                    "add the missing rows to `{owners}`, or change or delete the rows that reference missing values, first, then apply again"
                ),
            ),
            "{plan}"
        );
        assert_eq!(
            why(&format!("add foreign key fk_pets_sitter_id on {pets}")).1,
            format!(
                "add the missing rows to `{owners}`, or set those references to NULL, first, then apply again"
            ),
            "{plan}"
        );
        // The unique over the blocked column needs it: said so, without repeating why.
        assert_eq!(
            why(&format!("add unique uq_pets_tag on {pets}")).0,
            format!("it needs `add column {pets}.tag`, which is blocked"),
            "{plan}"
        );
        let text = plan.to_string();
        assert_eq!(
            text.matches("the new NOT NULL column `tag` has no default")
                .count(),
            1,
            "{text}"
        );

        if db.is_sqlite() {
            // SQLite keeps a longer value as it is and reads it back as it is.
            let b = blocked(&plan, &format!("alter column {pets}.code (type)")).unwrap();
            assert_eq!(b.why(), "set allow_shrink_column to allow it", "{plan}");
            assert_eq!(
                b.step.reason,
                format!(
                    "column `{pets}.code` is varchar(20) in the database, declared varchar(3); narrowing: values longer than 3 characters are kept as they are but no longer fit (SQLite does not enforce declared types: they are stored and read back as they are); 1 value of `{pets}.code` is longer than 3 characters: SQLite keeps them as they are"
                ),
            );
        } else {
            // The flag cannot help while a value does not fit.
            assert_eq!(
                why(&format!("alter column {pets}.code (type)")).0,
                format!(
                    "will fail: 1 value of `{pets}.code` is longer than 3 characters; the data must change first, then set allow_shrink_column to allow it"
                ),
                "{plan}"
            );
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_summary_counts_adds_and_a_column_drop_counts_its_values() {
    for db in TestDb::all("msg_summary").await {
        filled(&db).await;
        // Only the added NULL-able columns and the dropped `legacy` differ.
        let mut pets = before::Pet::table_def();
        let declared = Pet::table_def();
        pets.columns.retain(|c| c.name != "legacy");
        pets.columns.extend(
            declared
                .columns
                .iter()
                .filter(|c| c.name == "nickname" || c.name == "born")
                .cloned(),
        );
        let tables = [before::Owner::table_def(), pets];
        let conform = db
            .conform_with(db.options_with(|o| o.allow_drop_extra_columns = true))
            .await;
        let plan = conform.compare(&tables).await.unwrap();
        let drop = step(&plan, &format!("drop column {}.legacy", db.table("pets")))
            .unwrap_or_else(|| panic!("{}: {plan}", db.name()));
        assert_eq!(
            drop.reason,
            format!(
                "column `{0}.legacy` (text) exists in the database but is not declared; 2 rows hold a value in `{0}`.legacy: it is lost with the column",
                db.table("pets")
            ),
            "{plan}"
        );
        assert_eq!(plan.summary(), "2 to add, 1 to drop", "{plan}");
        db.cleanup().await;
    }
}
