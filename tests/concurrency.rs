//! Many conformers at once: tasks and processes calling `conform_all` on the same empty
//! database all succeed, the schema ends conformant, and every table is created exactly
//! once (the lock is taken before reflecting, so later conformers find the work done).
//!
//! Processes are this test binary run again in child mode: the parent re-executes itself
//! with `DBCONFORM_CHILD_URL` set and the name of `child_conformer`, which conforms and
//! prints how many tables it created.

// The models are declarations read by dbconform, not by the tests.
#![allow(dead_code)]

mod common;

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

/// A fresh, empty PostgreSQL database, dropped by `drop_database`: its URL and name.
async fn fresh_pg_database(url: &str, tag: &str) -> (String, String) {
    let name = format!("dbct_{tag}_{}", std::process::id());
    (common::create_database(url, &name).await, name)
}

#[tokio::test]
async fn postgres_eight_tasks_conform_one_empty_database() {
    let Some(url) = common::pg_url() else { return };
    let (db_url, name) = fresh_pg_database(&url, "tasks").await;
    let created = run_tasks(&db_url, 8).await;
    assert_conformant(&db_url).await;
    common::drop_database(&url, &name).await;
    assert_done_once(created);
}

#[tokio::test]
async fn postgres_four_processes_conform_one_empty_database() {
    let Some(url) = common::pg_url() else { return };
    let (db_url, name) = fresh_pg_database(&url, "procs").await;
    let created = run_children(&db_url, 4);
    assert_conformant(&db_url).await;
    common::drop_database(&url, &name).await;
    assert_done_once(created);
}

#[tokio::test]
async fn sqlite_eight_tasks_conform_one_file() {
    let (_dir, url) = common::sqlite_file();
    let created = run_tasks(&url, 8).await;
    assert_conformant(&url).await;
    assert_done_once(created);
}

#[tokio::test]
async fn sqlite_four_processes_conform_one_file() {
    let (_dir, url) = common::sqlite_file();
    let created = run_children(&url, 4);
    assert_conformant(&url).await;
    assert_done_once(created);
}

/// 8 tasks and 8 processes at once, three rounds on a fresh database each.
async fn soak(url: &str) {
    let children = spawn_children(url, 8);
    let mut created = run_tasks(url, 8).await;
    created.extend(collect_children(children));
    assert_eq!(created.len(), 16);
    assert_conformant(url).await;
    assert_done_once(created);
}

#[tokio::test]
async fn postgres_soak_sixteen_mixed_conformers_three_rounds() {
    let Some(url) = common::pg_url() else { return };
    for round in 0..3 {
        let (db_url, name) = fresh_pg_database(&url, &format!("soak{round}")).await;
        soak(&db_url).await;
        common::drop_database(&url, &name).await;
    }
}

#[tokio::test]
async fn sqlite_soak_sixteen_mixed_conformers_three_rounds() {
    for _ in 0..3 {
        let (_dir, url) = common::sqlite_file();
        soak(&url).await;
    }
}
