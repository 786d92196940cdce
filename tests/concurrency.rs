//! Many conformers at once: tasks and processes calling `conform_all` on the same empty
//! database all succeed, the schema ends conformant, and every table is created exactly
//! once (the lock is taken before reflecting, so later conformers find the work done).
//! On every backend of the matrix: a SQLite file, a PostgreSQL database, a MySQL/MariaDB
//! database (locked with `GET_LOCK`).
//!
//! Processes are this test binary run again in child mode: the parent re-executes itself
//! with `DBCONFORM_CHILD_URL` set and the name of `child_conformer`, which conforms and
//! prints how many tables it created.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

use common::Backend;
use dbconform::{ChangeKind, Report, Table};
use std::process::Command;

#[derive(Table)]
#[table(name = "tenants")]
struct Tenant {
    #[column(primary_key)]
    id: i64,
    #[column(max_length = 100, unique)]
    name: String,
}

#[derive(Table)]
#[table(name = "projects")]
#[index(columns("tenant_id", "title"))]
struct Project {
    #[column(primary_key)]
    id: i64,
    #[column(references = "tenants(id)", on_delete = "cascade")]
    tenant_id: i64,
    // A length, so that MySQL can key it whole.
    #[column(max_length = 200)]
    title: String,
}

#[derive(Table)]
#[table(name = "tasks")]
struct Task {
    #[column(primary_key)]
    id: i64,
    #[column(references = "projects(id)", on_delete = "cascade")]
    project_id: i64,
    #[column(default = "FALSE")]
    done: bool,
}

const TABLES: usize = 3;
const CHILD_URL: &str = "DBCONFORM_CHILD_URL";

fn tables_created(report: &Report) -> usize {
    report
        .executed
        .iter()
        .filter(|e| e.step.kind == ChangeKind::CreateTable)
        .count()
}

/// Not a test of its own: run by the parent tests in child processes (hence ignored).
#[tokio::test]
#[ignore = "run in child processes by the *_processes_* tests"]
async fn child_conformer() {
    let Ok(url) = std::env::var(CHILD_URL) else {
        return;
    };
    let report = dbconform::conform_all(&url)
        .await
        .expect("child conform_all");
    println!("CREATED={}", tables_created(&report));
}

/// Runs `count` child processes at once against `url`; returns the tables each created.
fn run_children(url: &str, count: usize) -> Vec<usize> {
    collect_children(spawn_children(url, count))
}

/// Starts `count` child processes conforming `url`.
fn spawn_children(url: &str, count: usize) -> Vec<std::process::Child> {
    let exe = std::env::current_exe().unwrap();
    (0..count)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_conformer",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_URL, url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

/// Waits for the children; returns the tables each created.
fn collect_children(children: Vec<std::process::Child>) -> Vec<usize> {
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "child failed:\n{stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let line = stdout
                .lines()
                .find_map(|l| l.split_once("CREATED=").map(|(_, n)| n))
                .unwrap_or_else(|| panic!("child printed no count:\n{stdout}"));
            line.trim().parse().unwrap()
        })
        .collect()
}

async fn run_tasks(url: &str, count: usize) -> Vec<usize> {
    let handles: Vec<_> = (0..count)
        .map(|_| {
            let url = url.to_string();
            tokio::spawn(async move { dbconform::conform_all(&url).await })
        })
        .collect();
    let mut created = Vec::new();
    for handle in handles {
        created.push(tables_created(&handle.await.unwrap().unwrap()));
    }
    created
}

fn assert_done_once(mut created: Vec<usize>) {
    created.sort();
    let total: usize = created.iter().sum();
    assert_eq!(
        total, TABLES,
        "each table is created exactly once: {created:?}"
    );
    assert_eq!(
        created.last(),
        Some(&TABLES),
        "one conformer did all the work: {created:?}"
    );
}

async fn assert_conformant(url: &str) {
    dbconform::DbConform::connect(url)
        .await
        .unwrap()
        .check_all()
        .await
        .unwrap();
}

/// A fresh, empty database of one backend, which `conform_all` fills (its default
/// schema): a SQLite file, a PostgreSQL database, a MySQL scratch database.
struct Fresh {
    url: String,
    held: Held,
}

/// What [`Fresh`] drops afterwards.
enum Held {
    Sqlite(tempfile::TempDir),
    Postgres {
        server: String,
        name: String,
    },
    #[cfg(feature = "mysql")]
    Mysql(common::mysql::Scratch),
}

impl Fresh {
    /// `None` when the backend's server is not set (outside CI, see `TestDb::open`).
    async fn new(backend: Backend, tag: &str) -> Option<Fresh> {
        Some(match backend {
            Backend::Sqlite => {
                let (dir, url) = common::sqlite_file();
                Fresh {
                    url,
                    held: Held::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let server = common::pg_url()?;
                let name = format!("dbct_{tag}_{}", std::process::id());
                Fresh {
                    url: common::create_database(&server, &name).await,
                    held: Held::Postgres { server, name },
                }
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let scratch = common::mysql::Scratch::new(&common::mysql::mysql_url()?, tag).await;
                Fresh {
                    url: scratch.url.clone(),
                    held: Held::Mysql(scratch),
                }
            }
        })
    }

    async fn cleanup(self) {
        match self.held {
            Held::Sqlite(dir) => drop(dir),
            Held::Postgres { server, name } => common::drop_database(&server, &name).await,
            #[cfg(feature = "mysql")]
            Held::Mysql(scratch) => scratch.cleanup().await,
        }
    }
}

async fn eight_tasks_conform_one_empty_database(backend: Backend) {
    let Some(db) = Fresh::new(backend, "tasks").await else {
        return;
    };
    let created = run_tasks(&db.url, 8).await;
    assert_conformant(&db.url).await;
    db.cleanup().await;
    assert_done_once(created);
}

async fn four_processes_conform_one_empty_database(backend: Backend) {
    let Some(db) = Fresh::new(backend, "procs").await else {
        return;
    };
    let created = run_children(&db.url, 4);
    assert_conformant(&db.url).await;
    db.cleanup().await;
    assert_done_once(created);
}

/// 8 tasks and 8 processes at once, three rounds on a fresh database each.
async fn soak_sixteen_mixed_conformers_three_rounds(backend: Backend) {
    for round in 0..3 {
        let Some(db) = Fresh::new(backend, &format!("soak{round}")).await else {
            return;
        };
        let children = spawn_children(&db.url, 8);
        let mut created = run_tasks(&db.url, 8).await;
        created.extend(collect_children(children));
        assert_eq!(created.len(), 16);
        assert_conformant(&db.url).await;
        db.cleanup().await;
        assert_done_once(created);
    }
}

/// `name::sqlite`, `name::postgres`, `name::mysql`: the function `name` on each backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::Backend;

            #[tokio::test]
            async fn sqlite() {
                super::$name(Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$name(Backend::Postgres).await;
            }

            #[cfg(feature = "mysql")]
            #[tokio::test]
            async fn mysql() {
                super::$name(Backend::Mysql).await;
            }
        }
    )*};
}

on_every_backend![
    eight_tasks_conform_one_empty_database,
    four_processes_conform_one_empty_database,
    soak_sixteen_mixed_conformers_three_rounds,
];
