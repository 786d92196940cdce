//! SQLite: type spelling and DDL rendering.

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;
