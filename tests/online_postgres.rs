//! Online mode on PostgreSQL (`Options::online`): the plan runs in phases that keep the
//! application's writes going — indexes built `CONCURRENTLY`, constraints added `NOT
//! VALID` and validated, `SET NOT NULL` through a validated check — each committing on its
//! own. What the tests read back comes from the catalog (`pg_constraint`, `pg_index`,
//! `pg_attribute`), not from dbconform.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::TestDb;
use dbconform::{Error, Options, Table, TableDef};

mod before {
    use dbconform::Table;

    #[derive(Table)]
    #[table(name = "on_customers")]
    pub struct Customer {
        #[column(primary_key)]
        pub id: i64,
    }

    #[derive(Table)]
    #[table(name = "on_orders")]
    pub struct Order {
        #[column(primary_key)]
        pub id: i64,
        pub customer_id: Option<i64>,
        pub total: i64,
        pub ref_code: String,
    }
}

#[derive(Table)]
#[table(name = "on_customers")]
struct Customer {
    #[column(primary_key)]
    id: i64,
}

#[derive(Table)]
#[table(name = "on_orders")]
#[index(name = "ix_on_orders_total", columns("total"))]
#[unique(name = "uq_on_orders_ref", columns("ref_code"))]
#[check(name = "ck_on_orders_total", expr = "total >= 0")]
struct Order {
    #[column(primary_key)]
    id: i64,
    #[column(references = "on_customers(id)")]
    customer_id: i64,
    total: i64,
    ref_code: String,
    note: Option<String>,
}

// Only the unique key of `Order` added.
#[derive(Table)]
#[table(name = "on_orders")]
#[unique(name = "uq_on_orders_ref", columns("ref_code"))]
struct OrderUnique {
    #[column(primary_key)]
    id: i64,
    customer_id: Option<i64>,
    total: i64,
    ref_code: String,
}

// Only the index of `Order` added.
#[derive(Table)]
#[table(name = "on_orders")]
#[index(name = "ix_on_orders_total", columns("total"))]
struct OrderIndexed {
    #[column(primary_key)]
    id: i64,
    customer_id: Option<i64>,
    total: i64,
    ref_code: String,
}

const ROWS: &str = "INSERT INTO {S}on_customers (id) SELECT generate_series(1, 20);
     INSERT INTO {S}on_orders (id, customer_id, total, ref_code)
     SELECT n, 1 + n % 20, n, 'r' || n FROM generate_series(1, 200) n";

fn before() -> Vec<TableDef> {
    vec![before::Customer::table_def(), before::Order::table_def()]
}

fn after() -> Vec<TableDef> {
    vec![Customer::table_def(), Order::table_def()]
}

fn online(db: &TestDb) -> Options {
    db.options_with(|o| o.online = true)
}

/// One test of this file at a time: the fault-injection test's fail point fires on every
/// statement dbconform runs in this process.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A scratch schema with the tables of [`before`] and their rows.
async fn fresh(tag: &str) -> Option<TestDb> {
    let db = TestDb::postgres(tag).await?;
    db.create(&before()).await;
    db.exec(ROWS).await;
    Some(db)
}

/// `on_orders`' constraints, indexes and columns, from the catalog
/// ([`common::pg_table_state`]).
async fn catalog(db: &TestDb) -> Vec<String> {
    common::pg_table_state(db, "on_orders").await
}

/// The catalog once [`after`] is applied, whichever way.
const CONFORMED: &[&str] = &[
    "constraint ck_on_orders_total c true",
    "constraint fk_on_orders_customer_id f true",
    "constraint on_orders_pkey p true",
    "constraint uq_on_orders_ref u true",
    "index ix_on_orders_total true",
    "index on_orders_pkey true",
    "index uq_on_orders_ref true",
    "column id true",
    "column customer_id true",
    "column total true",
    "column ref_code true",
    "column note false",
];

#[tokio::test]
async fn an_online_apply_runs_in_phases_and_leaves_everything_validated() {
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_phases").await else {
        return;
    };
    let conform = db.conform_with(online(&db)).await;
    let plan = conform.compare(&after()).await.unwrap();
    let phases: Vec<u8> = plan.phases().iter().map(|p| p.kind.number()).collect();
    assert_eq!(phases, [1, 2, 3, 4], "{plan}");
    let text = plan.to_string();
    assert!(text.contains("Online, in phases"), "{text}");
    // Online, the index build and the validations scan under SHARE UPDATE EXCLUSIVE:
    // writes go on.
    let orders = format!("{}.on_orders", db.schema());
    assert!(
        text.contains(&format!("scans {orders} ("))
            && text.contains("under SHARE UPDATE EXCLUSIVE"),
        "{text}"
    );
    assert!(!text.contains("under SHARE\n"), "{text}");

    let report = conform.apply(&after()).await.unwrap();
    let ran: Vec<(u8, usize)> = report
        .phases
        .iter()
        .map(|p| (p.phase, p.statements))
        .collect();
    let planned: Vec<(u8, usize)> = plan
        .phases()
        .iter()
        .map(|p| (p.kind.number(), p.statements.len()))
        .collect();
    assert_eq!(ran, planned, "{report}");
    assert!(
        report.to_string().contains("online, phase by phase"),
        "{report}"
    );
    assert_eq!(catalog(&db).await, CONFORMED);
    assert_eq!(db.rows("on_orders").await, 200);
    // Converged: nothing left, online or not.
    assert!(conform.compare(&after()).await.unwrap().is_empty());
    let plain = db.conform().await;
    assert!(plain.compare(&after()).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn the_sql_of_an_online_plan_runs_as_a_script_with_concurrent_builds_outside_transactions() {
    let Some(db) = fresh("online_script").await else {
        return;
    };
    let plan = db
        .conform_with(online(&db))
        .await
        .compare(&after())
        .await
        .unwrap();
    let script = plan.to_sql();
    let mut in_transaction = false;
    for line in script.lines() {
        match line {
            "BEGIN;" => in_transaction = true,
            "COMMIT;" => in_transaction = false,
            _ if line.contains("CONCURRENTLY") || line.contains("VALIDATE CONSTRAINT") => {
                assert!(!in_transaction, "{line} in a transaction:\n{script}")
            }
            _ => {}
        }
    }
    assert!(script.contains("CREATE INDEX CONCURRENTLY"), "{script}");
    let file = std::env::temp_dir().join(format!("{}.sql", db.schema()));
    std::fs::write(&file, &script).unwrap();
    let psql = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url(), "-f"])
        .arg(&file)
        .output()
        .expect("psql runs");
    let _ = std::fs::remove_file(&file);
    assert!(
        psql.status.success(),
        "{}\n{script}",
        String::from_utf8_lossy(&psql.stderr)
    );
    assert_eq!(catalog(&db).await, CONFORMED);
    assert!(
        db.conform()
            .await
            .compare(&after())
            .await
            .unwrap()
            .is_empty()
    );
    db.cleanup().await;
}

#[tokio::test]
async fn an_index_a_failed_concurrent_build_left_invalid_is_dropped_and_built_again() {
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_invalid").await else {
        return;
    };
    db.exec("UPDATE {S}on_orders SET ref_code = 'dup' WHERE id <= 2")
        .await;
    // Without the data checks the duplicate is found by the build itself.
    let conform = db
        .conform_with(db.options_with(|o| {
            o.online = true;
            o.skip_data_checks = true;
        }))
        .await;
    let declared = [Customer::table_def(), OrderUnique::table_def()];
    let error = conform.apply(&declared).await.unwrap_err();
    let Error::OnlinePartiallyApplied(failure) = &error else {
        panic!("{error}");
    };
    assert_eq!(failure.phase.number(), 2, "{error}");
    assert!(
        failure
            .statement
            .contains("CREATE UNIQUE INDEX CONCURRENTLY"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("still to do: drop index uq_on_orders_ref"),
        "{error}"
    );
    assert!(
        catalog(&db)
            .await
            .contains(&"index uq_on_orders_ref false".to_string())
    );

    // Read again, the invalid index is not taken for the key: it is dropped and built
    // again.
    db.exec("UPDATE {S}on_orders SET ref_code = 'r' || id")
        .await;
    let plan = conform.compare(&declared).await.unwrap();
    assert!(plan.to_string().contains("it is invalid"), "{plan}");
    conform.apply(&declared).await.unwrap();
    let state = catalog(&db).await;
    assert!(
        state.contains(&"index uq_on_orders_ref true".to_string()),
        "{state:?}"
    );
    assert!(
        state.contains(&"constraint uq_on_orders_ref u true".to_string()),
        "{state:?}"
    );
    assert!(conform.compare(&declared).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn the_default_mode_also_replaces_an_invalid_index() {
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_invalid_default").await else {
        return;
    };
    // What an interrupted `CREATE UNIQUE INDEX CONCURRENTLY` leaves.
    db.exec("UPDATE {S}on_orders SET ref_code = 'dup' WHERE id <= 2")
        .await;
    let index =
        db.sql("CREATE UNIQUE INDEX CONCURRENTLY uq_on_orders_ref ON {S}on_orders (ref_code)");
    assert!(db.try_exec(&index).await.is_err());
    db.exec("UPDATE {S}on_orders SET ref_code = 'r' || id")
        .await;
    let declared = [Customer::table_def(), OrderUnique::table_def()];
    db.conform().await.apply(&declared).await.unwrap();
    let state = catalog(&db).await;
    assert!(
        state.contains(&"constraint uq_on_orders_ref u true".to_string()),
        "{state:?}"
    );
    assert!(
        !state
            .iter()
            .any(|s| s.ends_with(" false") && s.starts_with("index")),
        "{state:?}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn a_plain_index_left_invalid_is_built_again_in_either_mode() {
    let _serial = SERIAL.lock().await;
    for online_mode in [false, true] {
        let Some(db) = fresh(&format!("online_invalid_plain_{online_mode}")).await else {
            return;
        };
        let conform = db
            .conform_with(db.options_with(|o| o.online = online_mode))
            .await;
        conform.apply(&after()).await.unwrap();
        // What a CREATE INDEX CONCURRENTLY cancelled half-way leaves: the index, as
        // declared, that the server does not use.
        db.exec(
            "UPDATE pg_index SET indisvalid = false
             WHERE indexrelid = '{S}ix_on_orders_total'::regclass",
        )
        .await;
        let plan = conform.compare(&after()).await.unwrap();
        assert!(plan.to_string().contains("it is invalid"), "{plan}");
        conform.apply(&after()).await.unwrap();
        assert_eq!(catalog(&db).await, CONFORMED, "online: {online_mode}");
        db.cleanup().await;
    }
}

mod narrow {
    #[derive(dbconform::Table)]
    #[table(name = "on_counts")]
    pub struct Count {
        #[column(primary_key)]
        pub id: i64,
        pub n: i32,
    }
}

#[derive(Table)]
#[table(name = "on_counts")]
struct Count {
    #[column(primary_key)]
    id: i64,
    n: i64,
}

#[tokio::test]
async fn online_a_rewrite_of_a_table_over_the_limit_is_blocked_with_the_way_out() {
    let _serial = SERIAL.lock().await;
    let Some(db) = TestDb::postgres("online_rewrite").await else {
        return;
    };
    db.create(&[narrow::Count::table_def()]).await;
    db.exec("INSERT INTO {S}on_counts SELECT g, g FROM generate_series(1, 5000) g; ANALYZE {S}on_counts")
        .await;
    let limited = db
        .conform_with(db.options_with(|o| {
            o.online = true;
            o.online_rewrite_limit = Some(10 << 10);
        }))
        .await;
    let plan = limited.compare(&[Count::table_def()]).await.unwrap();
    assert!(plan.steps().is_empty(), "{plan}");
    let [blocked] = plan.blocked() else {
        panic!("{plan}");
    };
    assert_eq!(blocked.unlocked_by, "online_rewrite_limit");
    let problem = blocked.problem.as_deref().unwrap_or_default();
    assert!(
        problem.starts_with(&format!(
            "online mode: it rewrites {}.on_counts (",
            db.schema()
        )) && problem.contains("under ACCESS EXCLUSIVE, over the online rewrite limit of 10"),
        "{problem}"
    );
    let suggestion = blocked.step.suggestion.as_deref().unwrap_or_default();
    assert!(suggestion.contains("expand and contract"), "{suggestion}");
    // Nothing ran; allowed, the rewrite runs in the last phase.
    let n_type = "SELECT data_type::text FROM information_schema.columns
                  WHERE table_schema = '{SCHEMA}' AND table_name = 'on_counts' AND column_name = 'n'";
    let n_type = n_type.replace("{SCHEMA}", &db.schema());
    limited.apply(&[Count::table_def()]).await.unwrap();
    assert_eq!(db.texts(&n_type).await, ["integer"]);
    let unlimited = db
        .conform_with(db.options_with(|o| {
            o.online = true;
            o.online_rewrite_limit = None;
        }))
        .await;
    let report = unlimited.apply(&[Count::table_def()]).await.unwrap();
    assert_eq!(
        report.phases.iter().map(|p| p.phase).collect::<Vec<_>>(),
        [5]
    );
    assert_eq!(db.texts(&n_type).await, ["bigint"]);
    assert_eq!(db.rows("on_counts").await, 5000);
    db.cleanup().await;
}

#[tokio::test]
async fn an_online_preflight_tries_the_catalog_changes_and_leaves_builds_to_the_counts() {
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_preflight").await else {
        return;
    };
    let before_state = catalog(&db).await;
    let report = db
        .conform_with(online(&db))
        .await
        .preflight(&after())
        .await
        .unwrap();
    assert!(report.is_ok(), "{report}");
    let outcome = |what: &str| {
        report
            .steps
            .iter()
            .find(|s| s.step.describe().starts_with(what))
            .map(|s| s.outcome.clone())
            .unwrap_or_else(|| panic!("no step {what}: {report}"))
    };
    // Adding a nullable column is catalog-only: tried, and fine.
    assert_eq!(outcome("add column"), dbconform::StepOutcome::Ok);
    // The index is built concurrently: not tried (it would lock the table).
    let dbconform::StepOutcome::NotTried { why } = outcome("add index") else {
        panic!("{report}");
    };
    assert!(why.contains("CREATE INDEX CONCURRENTLY"), "{why}");
    // The check's NOT VALID part was tried; its validation was not.
    let dbconform::StepOutcome::NotTried { why } = outcome("add check") else {
        panic!("{report}");
    };
    assert!(why.contains("VALIDATE CONSTRAINT"), "{why}");
    assert!(report.to_string().contains("ok so far"), "{report}");
    assert_eq!(catalog(&db).await, before_state, "nothing changed");
    db.cleanup().await;
}

#[tokio::test]
async fn online_lock_timeouts_are_retried_and_the_give_up_says_what_stays() {
    use dbconform::sqlx::{self, Connection, PgConnection};
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_lock").await else {
        return;
    };
    // "The application" writes a row in a transaction it keeps open: a concurrent index
    // build waits for it.
    let mut writer = PgConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql(dbconform::sqlx::AssertSqlSafe(db.sql(
        "SET application_name = 'on-writer'; BEGIN; UPDATE {S}on_orders SET total = total WHERE id = 1",
    )))
    .execute(&mut writer)
    .await
    .unwrap();
    let declared = [Customer::table_def(), OrderIndexed::table_def()];
    let impatient = db
        .conform_with(db.options_with(|o| {
            o.online = true;
            o.lock_timeout = Some(std::time::Duration::from_millis(100));
            o.lock_retry_for = std::time::Duration::from_millis(600);
        }))
        .await;
    let error = impatient.apply(&declared).await.unwrap_err();
    let Error::LockTimeout { online, .. } = &error else {
        panic!("{error}");
    };
    assert!(*online, "{error}");
    let text = error.to_string();
    assert!(
        text.contains("online mode commits phase by phase"),
        "{text}"
    );
    assert!(!text.contains("nothing was changed"), "{text}");

    // Patient enough, it waits the writer out (who commits after 1.5 s), and leaves no
    // invalid index behind.
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        sqlx::raw_sql("COMMIT").execute(&mut writer).await.unwrap();
        writer.close().await.unwrap();
    });
    let patient = db
        .conform_with(db.options_with(|o| {
            o.online = true;
            o.lock_timeout = Some(std::time::Duration::from_millis(200));
            o.lock_retry_for = std::time::Duration::from_secs(30);
        }))
        .await;
    let report = patient.apply(&declared).await.unwrap();
    release.await.unwrap();
    assert!(report.attempts >= 2, "tried {} time(s)", report.attempts);
    assert!(
        catalog(&db)
            .await
            .contains(&"index ix_on_orders_total true".to_string())
    );
    assert!(patient.compare(&declared).await.unwrap().is_empty());
    db.cleanup().await;
}

#[tokio::test]
async fn an_online_plan_warns_of_old_transactions_a_concurrent_build_would_wait_for() {
    use dbconform::sqlx::{self, Connection, PgConnection};
    let _serial = SERIAL.lock().await;
    let Some(db) = fresh("online_warn").await else {
        return;
    };
    // A session with a transaction open on nothing of the plan's.
    let mut other = PgConnection::connect(db.url()).await.unwrap();
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut other)
        .await
        .unwrap();
    sqlx::raw_sql("SET application_name = 'on-elsewhere'; BEGIN; SELECT txid_current()")
        .execute(&mut other)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let declared = [Customer::table_def(), OrderIndexed::table_def()];
    let with = |online: bool| {
        db.options_with(move |o| {
            o.online = online;
            o.lock_timeout = Some(std::time::Duration::from_millis(100));
        })
    };
    let mine = format!("pid {pid} (app `on-elsewhere`, ");
    let plan = db
        .conform_with(with(true))
        .await
        .compare(&declared)
        .await
        .unwrap();
    let warning = plan
        .warnings()
        .iter()
        .find(|w| w.starts_with(&mine))
        .unwrap_or_else(|| panic!("no warning of pid {pid}: {:?}", plan.warnings()));
    assert!(
        warning.contains(
            "has a transaction open in this database, which a concurrent index build waits for"
        ),
        "{warning}"
    );
    // In one transaction the build waits only for sessions holding the table.
    let plan = db
        .conform_with(with(false))
        .await
        .compare(&declared)
        .await
        .unwrap();
    assert!(
        !plan.warnings().iter().any(|w| w.starts_with(&mine)),
        "{:?}",
        plan.warnings()
    );
    sqlx::raw_sql("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();
    db.cleanup().await;
}

#[tokio::test]
async fn online_mode_is_refused_where_the_backend_has_none() {
    let _serial = SERIAL.lock().await;
    let db = TestDb::sqlite().await;
    let error = db
        .conform_with(online(&db))
        .await
        .apply(&after())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("online mode (Options::online, --online) is for PostgreSQL"),
        "{error}"
    );
    assert!(db.table_names().await.is_empty());
    db.cleanup().await;
}

/// Statement `k` of each online apply fails in turn: the database keeps exactly the
/// statements of the units that committed before it, the error lists them and what is
/// left, and the next run converges with nothing invalid or temporary left behind.
#[cfg(feature = "failpoints")]
#[tokio::test]
async fn every_online_statement_interrupted_in_turn_leaves_committed_phases_and_converges() {
    let _serial = SERIAL.lock().await;
    let Some(probe) = fresh("online_faults").await else {
        return;
    };
    let plan = probe
        .conform_with(online(&probe))
        .await
        .compare(&after())
        .await
        .unwrap();
    let probe_schema = probe.schema();
    probe.cleanup().await;
    // Every statement in the order it runs, and how many had committed before it.
    let mut order: Vec<(String, usize)> = Vec::new();
    for phase in plan.phases() {
        for unit in phase.units() {
            let start = order.len();
            for statement in unit {
                order.push((statement.sql.clone(), start));
            }
        }
    }
    for (k, (sql, committed_before)) in order.iter().enumerate() {
        let db = fresh(&format!("online_fault_{k}")).await.unwrap();
        let here = |sql: &str| sql.replace(&probe_schema, &db.schema());
        // No lock timeout: a concurrent build waiting on another session's transaction
        // (the server is shared) would otherwise time out and be tried again, and the
        // fail point would count the retried statements too.
        let conform = db
            .conform_with(db.options_with(|o| {
                o.online = true;
                o.lock_timeout = None;
            }))
            .await;
        let scenario = fail::FailScenario::setup();
        let actions = match k {
            0 => "1*return".to_string(),
            _ => format!("{k}*off->1*return"),
        };
        fail::cfg("dbconform::statement", &actions).unwrap();
        let error = conform.apply(&after()).await.unwrap_err();
        scenario.teardown();
        let Error::OnlinePartiallyApplied(failure) = &error else {
            panic!("statement {}: {error}", k + 1);
        };
        assert_eq!(failure.statement, here(sql), "statement {}", k + 1);
        let expected: Vec<String> = order[..*committed_before]
            .iter()
            .map(|(s, _)| here(s))
            .collect();
        let listed: Vec<&str> = failure
            .committed
            .iter()
            .map(|c| c.split_once(": ").unwrap().1)
            .collect();
        assert_eq!(listed, expected, "statement {}", k + 1);
        // The next run does what is left.
        conform.apply(&after()).await.unwrap();
        // Interrupted just before the key was attached to its index, the unique index
        // stays as it is: a unique index satisfies a declared UNIQUE constraint (either
        // spelling satisfies the other), so nothing is left to do.
        let expected: Vec<&str> = CONFORMED
            .iter()
            .copied()
            .filter(|c| {
                !sql.contains("UNIQUE USING INDEX") || *c != "constraint uq_on_orders_ref u true"
            })
            .collect();
        assert_eq!(catalog(&db).await, expected, "after statement {}", k + 1);
        assert_eq!(db.rows("on_orders").await, 200);
        assert!(conform.compare(&after()).await.unwrap().is_empty());
        db.cleanup().await;
    }
}
