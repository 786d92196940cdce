//! `#[derive(DbEnum)]`: the same parse → validate → expand layout as `#[derive(Table)]`.
//! `ast` parses the enum with its `#[db_enum(...)]` and `#[sqlx(...)]` attributes, `valid`
//! checks that the labels are unique and that dbconform and sqlx spell them alike, and
//! `expand` implements `DbEnum` and `SqlType`.

mod ast;
mod expand;
mod valid;

pub use expand::derive;
