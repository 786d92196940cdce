//! The MySQL/MariaDB backend's entry points beyond compare and apply: database creation
//! (`ConnectOptions::create_database_if_missing`). Throwaway databases are
//! `throwaway.rs`'s, the CLI with a `mysql://` URL `cli.rs`'s. The server
//! is `DBCONFORM_TEST_MYSQL_URL`'s; skipped without it on a developer machine, never in
//! CI.
#![cfg(feature = "mysql")]
// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

use dbconform::{ConnectOptions, DbConform, Table};

mod common;

use common::mysql::{databases_named, drop_database, mysql_url, with_database};

#[derive(Table)]
#[table(name = "extras_items")]
struct Item {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 30)]
    label: String,
}

#[tokio::test]
async fn a_missing_database_is_created_only_when_asked() {
    let Some(server) = mysql_url() else { return };
    // A name that needs quoting.
    let name = format!("dbct create-{}", std::process::id());
    drop_database(&server, &name).await;
    let url = with_database(&server, &name.replace(' ', "%20"));
    let refused = DbConform::connect_with(&url, &ConnectOptions::default()).await;
    assert!(refused.is_err(), "connected to a missing database");
    assert_eq!(databases_named(&server, &name).await, 0);
    let options = ConnectOptions {
        create_database_if_missing: true,
        ..ConnectOptions::default()
    };
    let db = DbConform::connect_with(&url, &options).await.unwrap();
    assert_eq!(databases_named(&server, &name).await, 1);
    db.apply(&[Item::table_def()]).await.unwrap();
    // Again: it exists, nothing to create.
    DbConform::connect_with(&url, &options).await.unwrap();
    drop(db);
    drop_database(&server, &name).await;
}
