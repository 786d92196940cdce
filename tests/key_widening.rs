//! Widening a key that a foreign key uses: `parents.id` and `children.parent_id` from
//! INTEGER to BIGINT in one apply, on every backend. MySQL cannot change the type of a
//! column a foreign key uses while the key exists, so there the plan drops the key before
//! and adds it again after; everywhere the rows stay, the key still holds, and a second
//! compare is empty.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::backend_tests;
use dbconform::{ChangeKind, Table};

#[derive(Table)]
#[table(name = "kw_parents")]
struct Parent {
    #[column(primary_key, auto_increment = false)]
    id: i64,
}

#[derive(Table)]
#[table(name = "kw_children")]
struct Child {
    #[column(primary_key, auto_increment = false)]
    id: i64,
    #[column(references = "kw_parents(id)")]
    parent_id: i64,
}

backend_tests! {
    widening_a_referenced_key_keeps_the_rows_and_the_foreign_key => async |db| {
        db.ddl(
            "CREATE TABLE kw_parents (id INTEGER NOT NULL PRIMARY KEY); \
             CREATE TABLE kw_children (id BIGINT NOT NULL PRIMARY KEY, parent_id INTEGER NOT NULL, \
               CONSTRAINT fk_kw_children_parent_id FOREIGN KEY (parent_id) REFERENCES kw_parents (id))",
        )
        .await;
        db.exec("INSERT INTO {S}kw_parents (id) VALUES (1), (2); \
                 INSERT INTO {S}kw_children (id, parent_id) VALUES (10, 1), (20, 2)")
            .await;
        let tables = [Parent::table_def(), Child::table_def()];
        let conform = db.conform().await;
        let plan = conform.compare(&tables).await.unwrap();
        if db.is_mysql() {
            let kinds: Vec<ChangeKind> = plan.steps().iter().map(|s| s.kind).collect();
            assert_eq!(
                kinds,
                [
                    ChangeKind::DropForeignKey,
                    ChangeKind::AlterColumn,
                    ChangeKind::AlterColumn,
                    ChangeKind::AddForeignKey
                ],
                "{plan}"
            );
            assert!(
                plan.steps()[0].reason.contains("uses a column whose type changes"),
                "{plan}"
            );
        }
        conform.apply(&tables).await.unwrap_or_else(|e| panic!("{}: {e}", db.name()));
        let again = conform.compare(&tables).await.unwrap();
        assert!(again.is_empty(), "{}: not converged:\n{again}", db.name());
        assert_eq!(
            db.texts("SELECT CAST(id AS TEXT) || ':' || CAST(parent_id AS TEXT) FROM {S}kw_children ORDER BY id")
                .await,
            ["10:1", "20:2"]
        );
        // The key still holds: a child of no parent is refused (SQLite checks keys only
        // with the pragma on, which the test connection does not set).
        if !db.is_sqlite() {
            let orphan = db
                .try_exec("INSERT INTO {S}kw_children (id, parent_id) VALUES (30, 3000000000)")
                .await;
            assert!(orphan.is_err(), "{}: the foreign key is gone", db.name());
        }
    };
}
