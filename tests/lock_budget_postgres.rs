//! A plan that needs more locks than PostgreSQL's lock table holds
//! (`max_locks_per_transaction × (max_connections + max_prepared_transactions)`) is
//! refused before its first statement, with an error naming the setting and the value
//! needed, instead of failing half-way with `out of shared memory`.

mod common;

use common::{PgScratch, pg_url};
use dbconform::sqlx::{self, Row};
use dbconform::{
    Column, ColumnType, ForeignKey, Index, IndexColumn, PrimaryKey, QualifiedName, TableDef,
    UniqueConstraint,
};

/// `t<n>` in `schema`: an identity key, a unique text code and an indexed reference to
/// `t0` — eleven locks (table, three indexes, TOAST table and index, sequence; the row
/// type; the primary key, UNIQUE and foreign-key constraints).
fn keyed(schema: &str, n: usize) -> TableDef {
    let name = format!("t{n}");
    TableDef {
        schema: Some(schema.to_string()),
        name: name.clone(),
        columns: vec![
            Column {
                auto_increment: true,
                ..Column::new("id", ColumnType::BigInt)
            },
            Column::new("code", ColumnType::Text),
            Column::new("parent", ColumnType::BigInt),
        ],
        primary_key: Some(PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        }),
        uniques: vec![UniqueConstraint {
            nulls_not_distinct: false,
            name: format!("uq_{name}_code"),
            columns: vec!["code".into()],
        }],
        indexes: vec![Index {
            name: format!("ix_{name}_parent"),
            columns: vec![IndexColumn::asc("parent")],
            unique: false,
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
        }],
        foreign_keys: vec![ForeignKey {
            deferrable: Default::default(),
            name: format!("fk_{name}_parent"),
            columns: vec!["parent".into()],
            references: QualifiedName::with_schema(schema, "t0"),
            referenced_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            not_valid: false,
        }],
        ..TableDef::default()
    }
}

#[tokio::test]
async fn plan_over_the_lock_table_is_refused_before_its_first_statement() {
    let Some(url) = pg_url() else { return };
    let scratch = PgScratch::new(&url, "lock_budget").await;
    let row = sqlx::query(
        "SELECT current_setting('max_locks_per_transaction')::int8 AS per, \
           current_setting('max_connections')::int8 AS conns, \
           current_setting('max_prepared_transactions')::int8 AS prepared",
    )
    .fetch_one(&scratch.pool)
    .await
    .unwrap();
    let (per, conns, prepared): (i64, i64, i64) =
        (row.get("per"), row.get("conns"), row.get("prepared"));
    let capacity = per * (conns + prepared);
    // The most one transaction can lock: twice the lock table's entries (see
    // `LockSettings::ceiling`).
    let ceiling = 2 * capacity;
    // Just over it: 64 locks of overhead, the schema, 11 per table.
    let count = usize::try_from(ceiling / 11 + 1).unwrap();
    let tables: Vec<TableDef> = (0..count).map(|n| keyed(&scratch.schema, n)).collect();
    let needed = 64 + 1 + 11 * i64::try_from(count).unwrap();
    assert!(needed > ceiling);

    let db = scratch.conform().await;
    let outcome = db.apply(&tables).await;
    let schema_exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)",
    )
    .bind(&scratch.schema)
    .fetch_one(&scratch.pool)
    .await
    .unwrap();
    scratch.cleanup().await;

    let error = outcome.expect_err("the apply must be refused").to_string();
    let at_least = (needed + 2 * (conns + prepared) - 1) / (2 * (conns + prepared));
    assert_eq!(
        error,
        format!(
            "the plan's {steps} steps need about {needed} locks in one transaction, more than \
             the server's lock table holds: max_locks_per_transaction ({per}) × \
             (max_connections ({conns}) + max_prepared_transactions ({prepared})) = {capacity} \
             entries, at most {ceiling} locks for one transaction; \
             set max_locks_per_transaction to at least {at_least} (it takes effect after a \
             server restart) or apply fewer tables at a time. Nothing was executed.",
            steps = count + 1
        )
    );
    // Nothing ran: not even the CREATE SCHEMA of the first step.
    assert!(!schema_exists);
}
