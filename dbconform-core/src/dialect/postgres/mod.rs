//! PostgreSQL: type spelling and DDL rendering.

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;
