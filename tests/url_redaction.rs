//! A password in a database URL never reaches an error, a log line or the server, even
//! when the URL is malformed: a PostgreSQL URL without the `//` authority
//! (`postgresql:/alice:s3cret@host/db`) is refused before connecting — otherwise sqlx
//! reads everything after the scheme as a database name and sends it to the server —
//! and every message masks what lies between `user:` and `@`, whether the URL parses or
//! not. The SQLite spellings sqlx accepts (`sqlite::memory:`, `sqlite:path`) keep working.

mod common;

use common::pg_url;
use dbconform::{ConnectOptions, DbConform, Error, create_database_if_missing, wait_for_database};
use std::time::Duration;

const SECRET: &str = "s3cret";

/// The URLs users mistype, each with the password [`SECRET`].
fn malformed_postgres_urls() -> Vec<String> {
    vec![
        // One slash: sqlx would take `alice:s3cret@127.0.0.1/test` as the database name.
        format!("postgresql:/alice:{SECRET}@127.0.0.1/test"),
        format!("postgres:/alice:{SECRET}@127.0.0.1:5432/test"),
        // No slash at all.
        format!("postgres:alice:{SECRET}@127.0.0.1/test"),
        format!("POSTGRES:/alice:{SECRET}@127.0.0.1/test"),
    ]
}

fn assert_masked(error: &str, url: &str) {
    assert!(
        !error.contains(SECRET),
        "the password of `{url}` leaked into the error: {error}"
    );
    assert!(
        error.contains("***"),
        "the error shows the masked URL: {error}"
    );
}

#[tokio::test]
async fn a_postgres_url_without_authority_is_refused_before_connecting() {
    for url in malformed_postgres_urls() {
        let error = DbConform::connect(&url)
            .await
            .err()
            .unwrap_or_else(|| panic!("`{url}` was accepted"));
        // Refused as a URL, not by the server (which would have been sent the password as
        // a database name).
        assert!(
            matches!(error, Error::InvalidUrl { .. }),
            "`{url}` should be refused as invalid, got: {error:?}"
        );
        let text = error.to_string();
        assert_masked(&text, &url);
        assert!(
            text.contains("postgres://user:password@host:5432/database"),
            "the error says which form is expected: {text}"
        );
    }
}

#[tokio::test]
async fn the_deploy_helpers_refuse_it_too() {
    let options = ConnectOptions {
        retry_for: Duration::from_millis(300),
        ..ConnectOptions::default()
    };
    for url in malformed_postgres_urls() {
        let error = create_database_if_missing(&url)
            .await
            .expect_err("create_database_if_missing accepted it");
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
        assert_masked(&error.to_string(), &url);

        let error = wait_for_database(&url, &options)
            .await
            .expect_err("wait_for_database accepted it");
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
        assert_masked(&error.to_string(), &url);

        let error = dbconform::testing::throwaway_postgres(&url)
            .await
            .expect_err("throwaway_postgres accepted it");
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
        assert_masked(&error.to_string(), &url);
    }
}

#[tokio::test]
async fn an_unsupported_scheme_is_reported_without_the_password() {
    for url in [
        format!("postgres//alice:{SECRET}@127.0.0.1/test"),
        format!("postgres/alice:{SECRET}@127.0.0.1/test"),
        format!("oracle://alice:{SECRET}@127.0.0.1/test"),
        format!("alice:{SECRET}@127.0.0.1/test"),
    ] {
        let error = DbConform::connect(&url)
            .await
            .err()
            .unwrap_or_else(|| panic!("`{url}` was accepted"));
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error:?}");
        assert_masked(&error.to_string(), &url);
    }
}

#[tokio::test]
async fn a_well_formed_postgres_url_still_connects() {
    let Some(url) = pg_url() else { return };
    let db = DbConform::connect(&url).await;
    assert!(db.is_ok(), "{:?}", db.err());
}

#[tokio::test]
async fn the_sqlite_spellings_sqlx_accepts_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let relative = dir.path().join("rel.db");
    for url in [
        "sqlite::memory:".to_string(),
        "sqlite://:memory:".to_string(),
        format!("sqlite:{}?mode=rwc", relative.display()),
        format!("sqlite://{}?mode=rwc", dir.path().join("abs.db").display()),
    ] {
        let db = DbConform::connect(&url).await;
        assert!(db.is_ok(), "`{url}`: {:?}", db.err());
    }
    assert!(relative.exists(), "`sqlite:path` opened the file it names");
}

#[cfg(feature = "cli")]
#[test]
fn the_cli_never_prints_the_password() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut urls = malformed_postgres_urls();
    urls.push(format!("postgres//alice:{SECRET}@127.0.0.1/test"));
    for url in &urls {
        for args in [
            vec!["inspect", url.as_str()],
            vec!["diff", url.as_str(), url.as_str()],
            vec!["wait", url.as_str(), "--timeout", "0s"],
        ] {
            let output = Command::cargo_bin("dbconform")
                .unwrap()
                .current_dir(dir.path())
                .env_remove("DATABASE_URL")
                .args(&args)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!output.status.success(), "{args:?} succeeded: {stdout}");
            assert!(
                !stdout.contains(SECRET) && !stderr.contains(SECRET),
                "{args:?} printed the password:\nstdout: {stdout}\nstderr: {stderr}"
            );
        }
    }
}
