//! What a PostgreSQL plan says each step does to the tables it touches: the lock, whether
//! it rewrites or scans the table, and the table's size from the catalog (unknown until
//! the table is analyzed), in the text plan, in JSON and in a snapshot. The sizes are
//! read back from `pg_class` itself.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::TestDb;
use dbconform::{LockLevel, QualifiedName, Risk, Table, TableSize, Work};

#[derive(Table)]
#[table(name = "te_orders")]
#[index(columns("total"))]
struct After {
    #[column(primary_key)]
    id: i64,
    total: i64,
}

#[tokio::test]
async fn a_plan_shows_the_lock_the_work_and_the_size_of_each_table() {
    let Some(db) = TestDb::postgres("te_sizes").await else {
        return;
    };
    // The declaration's older version, without autovacuum: the table stays unanalyzed
    // until the test analyzes it.
    db.ddl(
        "CREATE TABLE te_orders (id bigint PRIMARY KEY, total integer NOT NULL)
           WITH (autovacuum_enabled = false);
         INSERT INTO te_orders (id, total) SELECT n, n FROM generate_series(1, 5000) n",
    )
    .await;
    let conform = db.conform().await;
    let after = [After::table_def()];
    let table = db.table("te_orders");

    let plan = conform.compare(&after).await.unwrap();
    let text = plan.to_string();
    assert!(
        text.contains(&format!(
            "\n       rewrites {table} (size unknown: never analyzed) under ACCESS EXCLUSIVE\n"
        )),
        "{text}"
    );

    db.exec("ANALYZE {S}te_orders").await;
    let bytes: u64 = db
        .texts(
            "SELECT (relpages::int8 * current_setting('block_size')::int8)::text \
             FROM pg_catalog.pg_class WHERE oid = '{S}te_orders'::regclass",
        )
        .await[0]
        .parse()
        .unwrap();
    assert!(bytes >= 8192, "{bytes} bytes");
    let size = TableSize {
        bytes: Some(bytes),
        rows: Some(5000),
    };
    let plan = conform.compare(&after).await.unwrap();
    let text = plan.to_string();
    assert!(size.to_string().ends_with(" kB, ~5.0K rows"), "{size}");
    assert!(
        text.contains(&format!(
            "\n       rewrites {table} ({size}) under ACCESS EXCLUSIVE\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("\n       scans {table} ({size}) under SHARE\n")),
        "{text}"
    );
    // Widening INTEGER to BIGINT rewrites the table: at least Caution.
    let at = |what: &str| {
        plan.steps()
            .iter()
            .position(|s| s.describe().contains(what))
            .unwrap_or_else(|| panic!("no step {what}:\n{plan}"))
    };
    let (widen, index) = (at("te_orders.total (type)"), at("add index"));
    let widening = &plan.steps()[widen];
    assert_eq!(widening.risk, Risk::Caution, "{plan}");
    let effect = &widening.effects[0];
    assert_eq!(
        (effect.lock, effect.work, effect.size),
        (LockLevel::AccessExclusive, Work::Rewrites, Some(size))
    );

    let json = serde_json::to_value(&plan).unwrap();
    let effects = &json["steps"][widen]["effects"][0];
    assert_eq!(effects["lock"], "access_exclusive", "{json}");
    assert_eq!(effects["work"], "rewrites", "{json}");
    assert_eq!(effects["size"]["bytes"], bytes, "{json}");
    assert_eq!(effects["size"]["rows"], 5000, "{json}");
    assert_eq!(
        json["steps"][index]["effects"][0]["lock"], "share",
        "{json}"
    );

    // A snapshot records the size; it does not make schemas differ.
    let snapshot = conform.snapshot().await.unwrap();
    let name = QualifiedName::with_schema(db.schema(), "te_orders");
    assert_eq!(snapshot.sizes.get(&name), Some(&size));
    let mut unsized_snapshot = snapshot.clone();
    unsized_snapshot.sizes.clear();
    assert_eq!(unsized_snapshot, snapshot);
    db.cleanup().await;
}
