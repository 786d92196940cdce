//! The command line's exit code 5 ("partially applied"): on MySQL/MariaDB an apply that
//! fails half-way leaves the steps before the failing one committed. The test declares
//! the tables of this binary (the CLI applies every registered table), makes the second
//! step fail on the data, and reads what committed through the server.

#![cfg(all(feature = "mysql", feature = "cli"))]

use dbconform::Table;
use dbconform::cli::{Exit, run_from};
use dbconform::sqlx::{self, Connection, MySqlConnection};

/// The first step: a default that changes.
#[derive(Table)]
#[table(name = "aaa_prefs")]
#[allow(dead_code)]
struct Prefs {
    #[column(primary_key)]
    id: i64,
    #[column(default = "7")]
    level: i32,
}

/// The second step: `note` becomes NOT NULL over a NULL value, which the server refuses.
#[derive(Table)]
#[table(name = "notes")]
#[allow(dead_code)]
struct Note {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 20)]
    note: String,
}

mod common;

use common::mysql::{Scratch, mysql_url};

async fn run_sql(url: &str, sql: &str) {
    let mut conn = MySqlConnection::connect(url).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .expect(sql);
}

#[test]
fn a_half_applied_apply_exits_5_and_the_committed_step_stays() {
    let Some(server) = mysql_url() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let scratch = rt.block_on(Scratch::new(&server, "cli_exit"));
    let url = scratch.url.clone();
    rt.block_on(async {
        run_sql(
            &url,
            "CREATE TABLE aaa_prefs (id BIGINT NOT NULL PRIMARY KEY, level INT NOT NULL DEFAULT 0) \
             ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci; \
             CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(20) NULL) \
             ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci; \
             INSERT INTO notes (id, note) VALUES (1, NULL)",
        )
        .await;
    });
    // Data checks skipped: the NOT NULL change is not blocked and fails on the server.
    let exit = run_from([
        "dbconform",
        "apply",
        "-q",
        "--yes",
        "--skip-data-checks",
        "--url",
        url.as_str(),
    ]);
    assert_eq!(exit, Exit::PartiallyApplied);
    assert_eq!(exit.code(), 5);
    let (level_default, note_nullable) = rt.block_on(async {
        let mut conn = MySqlConnection::connect(&url).await.expect("connect");
        let level: String = sqlx::query_scalar(
            "SELECT CAST(COLUMN_DEFAULT AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'aaa_prefs' AND COLUMN_NAME = 'level'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("the default");
        let nullable: String = sqlx::query_scalar(
            "SELECT CAST(IS_NULLABLE AS CHAR) FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'note'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("the nullability");
        (level, nullable)
    });
    // The first step committed and stays; the failing one changed nothing.
    assert_eq!(level_default, "7");
    assert_eq!(note_nullable, "YES");
}
