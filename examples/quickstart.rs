//! Conform a SQLite file to three declared tables, printing the plan and the report.
//!
//! ```text
//! cargo run --example quickstart            # creates quickstart.db
//! cargo run --example quickstart            # again: nothing to do
//! cargo run --example quickstart -- postgres://postgres@127.0.0.1/test
//! ```

// The fields are read by your application's queries; this example only creates tables.
#![allow(dead_code)]

use dbconform::{DbConform, Table};

/// People who can sign in.
#[derive(Table)]
#[table(name = "users")]
struct User {
    #[column(primary_key)]
    id: i64,
    /// Where we write to them; unique per user.
    #[column(max_length = 320, unique)]
    email: String,
    display_name: Option<String>,
    #[column(default = "CURRENT_TIMESTAMP", sql_type = "TIMESTAMP")]
    created_at: String,
}

/// What users write.
#[derive(Table)]
#[table(name = "posts")]
#[index(columns("author_id", "published"))]
struct Post {
    #[column(primary_key)]
    id: i64,
    #[column(references = "users(id)", on_delete = "cascade")]
    author_id: i64,
    #[column(max_length = 200)]
    title: String,
    body: String,
    #[column(default = "FALSE")]
    published: bool,
}

/// Free-form labels on posts.
#[derive(Table)]
#[table(name = "post_tags")]
#[primary_key(columns("post_id", "tag"))]
struct PostTag {
    #[column(references = "posts(id)", on_delete = "cascade")]
    post_id: i64,
    #[column(max_length = 50, check = "length(tag) > 0")]
    tag: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sqlite://quickstart.db?mode=rwc".to_string());
    let db = DbConform::connect(&url).await?;

    let plan = db.compare_all().await?;
    println!("Plan for {}:\n{plan}", dbconform::redact_url(&url));
    if !plan.is_empty() {
        println!("SQL:\n{}", plan.to_sql());
    }

    let report = db.apply_all().await?;
    println!("{report}");
    Ok(())
}
