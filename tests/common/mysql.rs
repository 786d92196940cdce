//! MySQL/MariaDB scratch databases for the tests (feature `mysql`): the server is
//! `DBCONFORM_TEST_MYSQL_URL`'s; without it the tests are skipped on a developer machine
//! and fail in CI (`CI` set). Each scratch database is dropped by `cleanup` or on drop,
//! even when the test panics.

use dbconform::sqlx::{self, Connection, MySqlConnection};

/// The server URL, or `None` (skipped) outside CI.
pub fn mysql_url() -> Option<String> {
    match std::env::var("DBCONFORM_TEST_MYSQL_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("DBCONFORM_TEST_MYSQL_URL is not set: the MySQL tests must run in CI")
        }
        _ => {
            eprintln!("DBCONFORM_TEST_MYSQL_URL is not set: skipping a MySQL test");
            None
        }
    }
}

/// `url` with its database replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |at| at + 3);
    let end = base[authority..]
        .find('/')
        .map_or(base.len(), |slash| authority + slash);
    format!("{}/{database}{query}", &base[..end])
}

/// A scratch database for one test, dropped by `cleanup` or on drop.
pub struct Scratch {
    pub server: String,
    pub database: String,
    pub url: String,
    dropped: bool,
}

impl Scratch {
    pub async fn new(server: &str, tag: &str) -> Scratch {
        let database = super::scratch::scratch_name(tag);
        let mut conn = MySqlConnection::connect(server)
            .await
            .expect("connect to MySQL");
        for sql in [
            format!("DROP DATABASE IF EXISTS `{database}`"),
            format!("CREATE DATABASE `{database}`"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        let _ = conn.close().await;
        Scratch {
            server: server.to_string(),
            url: with_database(server, &database),
            database,
            dropped: false,
        }
    }

    /// A connection to the scratch database, for reading the catalog or running DDL by
    /// hand.
    pub async fn conn(&self) -> MySqlConnection {
        MySqlConnection::connect(&self.url).await.unwrap()
    }

    pub async fn exec(&self, sql: &str) {
        let mut conn = self.conn().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
    }

    pub async fn cleanup(mut self) {
        self.dropped = true;
        drop_database(&self.server, &self.database).await;
    }
}

/// How many databases named `name` the server has (0 or 1), read on a connection of its
/// own.
pub async fn databases_named(server: &str, name: &str) -> i64 {
    let mut conn = MySqlConnection::connect(server).await.unwrap();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
    )
    .bind(name)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let _ = conn.close().await;
    n
}

pub async fn drop_database(server: &str, database: &str) {
    if let Ok(mut conn) = MySqlConnection::connect(server).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS `{database}`"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (server, database) = (self.server.clone(), self.database.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&server, &database));
            }
        })
        .join();
    }
}
