//! Observability: spans for reflect, diff/plan, data checks and execution, every executed
//! statement at debug level with its duration — and never a password.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use dbconform::{DbConform, Table};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Table)]
#[table(name = "observed")]
struct Observed {
    #[column(primary_key)]
    id: i64,
    label: String,
}

/// A writer that keeps everything the subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn apply_logs_spans_and_statements_but_never_the_password() {
    let Some(url) = common::pg_url() else { return };
    // Trust authentication accepts any password; the URL carries one that must not leak.
    let secret = "s3cret-do-not-log";
    let with_password = url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{secret}@"),
        1,
    );
    assert!(
        with_password.contains(secret),
        "unexpected test URL shape: {url}"
    );

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let scratch = common::PgScratch::new(&url, "observability").await;
    let db = DbConform::connect(&with_password)
        .await
        .unwrap()
        .with_options(scratch.options());
    let report = db.apply(&[Observed::table_def()]).await;
    let bad = DbConform::connect(&with_password.replace("/test", "/no_such_database_here")).await;
    scratch.cleanup().await;
    report.unwrap();
    let error = bad.unwrap_err().to_string();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for span in ["apply", "reflect", "diff_and_plan", "execute"] {
        assert!(log.contains(span), "no `{span}` span in:\n{log}");
    }
    assert!(
        log.contains("CREATE TABLE"),
        "executed statements are logged:\n{log}"
    );
    assert!(log.contains("elapsed_us"), "with their duration:\n{log}");
    assert!(
        !log.contains(secret),
        "the password leaked into the log:\n{log}"
    );
    assert!(
        !error.contains(secret),
        "the password leaked into the error: {error}"
    );
    assert!(
        error.contains("***"),
        "the error shows the redacted URL: {error}"
    );
}
