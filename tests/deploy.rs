//! Deployment helpers: waiting for a database that does not answer yet, and creating a
//! missing one (PostgreSQL database, SQLite file) before conforming it.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::deploy::GaveUp;
use dbconform::sqlx::{self, Connection};
use dbconform::{ConnectOptions, DbConform, Error, Table, wait_for_database};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

#[derive(Table)]
#[table(name = "deployed")]
struct Deployed {
    #[column(primary_key)]
    id: i64,
    label: Option<String>,
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn retry_for(seconds: f64) -> ConnectOptions {
    ConnectOptions {
        retry_for: Duration::from_secs_f64(seconds),
        ..ConnectOptions::default()
    }
}

#[tokio::test]
async fn a_closed_port_is_retried_until_the_timeout_then_named_without_the_password() {
    let url = format!("postgres://app:s3cret-pw@127.0.0.1:{}/app", closed_port());
    let started = Instant::now();
    let error = wait_for_database(&url, &retry_for(1.0)).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    let message = error.to_string();
    assert!(!message.contains("s3cret-pw"), "{message}");
    assert!(
        message.starts_with("cannot connect to `postgres://app:***@127.0.0.1:"),
        "{message}"
    );
    assert!(message.contains("no answer within 1s"), "{message}");
    assert!(message.contains("Connection refused"), "{message}");
    let Error::Connect { source, .. } = &error else {
        panic!("{error:?}")
    };
    let gave_up = source.downcast_ref::<GaveUp>().expect("GaveUp");
    assert!(
        gave_up.attempts > 2,
        "backoff starts at 100 ms: {gave_up:?}"
    );
}

#[tokio::test]
async fn without_a_retry_time_one_attempt_gives_the_drivers_error() {
    let url = format!("postgres://app@127.0.0.1:{}/app", closed_port());
    let error = DbConform::connect_with(&url, &ConnectOptions::default())
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("Connection refused"), "{message}");
    assert!(!message.contains("no answer within"), "{message}");
}

#[tokio::test]
async fn errors_waiting_cannot_fix_are_returned_at_once() {
    let started = Instant::now();
    let error = DbConform::connect_with("oracle://x@127.0.0.1/db", &retry_for(10.0))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(error.to_string().contains("unsupported scheme"), "{error}");
}

#[tokio::test]
async fn sqlite_file_is_created_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", path.display());

    let refused = DbConform::connect_with(&url, &ConnectOptions::default()).await;
    assert!(
        refused.is_err(),
        "no mode=rwc and no flag: the file is not created"
    );
    assert!(!path.exists());

    let create = ConnectOptions {
        create_database_if_missing: true,
        ..ConnectOptions::default()
    };
    let db = DbConform::connect_with(&url, &create).await.unwrap();
    assert!(path.exists());
    let report = db.apply(&[Deployed::table_def()]).await.unwrap();
    assert_eq!(report.executed.len(), 1, "{report}");
    db.check(&[Deployed::table_def()]).await.unwrap();
    assert!(
        !dbconform::create_database_if_missing(&url).await.unwrap(),
        "exists now"
    );
}

#[tokio::test]
async fn postgres_wait_answers_at_once_when_up() {
    let Some(url) = common::pg_url() else { return };
    let waited = wait_for_database(&url, &retry_for(10.0)).await.unwrap();
    assert_eq!(waited.attempts, 1);
}

/// A database name no other test uses, with a quote and a space to prove it is quoted.
fn scratch_database_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "dbconform deploy \"{}\" {}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn database_exists(url: &str, name: &str) -> bool {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    found.is_some()
}

#[tokio::test]
async fn postgres_missing_database_is_created_when_asked_and_conformed() {
    let Some(url) = common::pg_url() else { return };
    let name = scratch_database_name();
    let target = common::with_database(&url, &name);
    common::drop_database(&url, &name).await;

    let refused = DbConform::connect_with(&target, &retry_for(5.0)).await;
    let message = refused.unwrap_err().to_string();
    assert!(message.contains("does not exist"), "{message}");
    assert!(
        !database_exists(&url, &name).await,
        "not created without the flag"
    );

    let create = ConnectOptions {
        create_database_if_missing: true,
        ..retry_for(5.0)
    };
    let outcome = async {
        let db = DbConform::connect_with(&target, &create).await?;
        let report = db.apply(&[Deployed::table_def()]).await?;
        db.check(&[Deployed::table_def()]).await?;
        Ok::<_, Error>(report)
    }
    .await;
    let created = database_exists(&url, &name).await;
    let again = dbconform::create_database_if_missing(&target).await;
    common::drop_database(&url, &name).await;

    let report = outcome.unwrap();
    assert!(created);
    assert_eq!(report.executed.len(), 1, "{report}");
    assert!(!again.unwrap(), "a second call finds it");
}

#[test]
fn database_urls_are_rewritten_for_the_scratch_name() {
    assert_eq!(
        common::with_database("postgres://u@h:5432/test", "a \"b\""),
        "postgres://u@h:5432/a%20%22b%22"
    );
    assert_eq!(
        common::with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}
