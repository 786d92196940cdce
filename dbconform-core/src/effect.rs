//! What a step does to the tables it touches while it runs: the lock it takes on each, and
//! whether it rewrites the table, scans it or changes only the catalog — with the table's
//! size as the database estimated it, so that a plan can say "rewrites public.orders
//! (1.2 GB, ~9.8M rows) under ACCESS EXCLUSIVE".
//!
//! The backend's dialect says what each change does
//! ([`Dialect::table_effects`](crate::dialect::Dialect::table_effects); PostgreSQL's
//! table is in `dialect/postgres/effects.rs`); the planner keeps the effects on tables that
//! exist, with their sizes from the reflected [`Schema::sizes`](crate::Schema::sizes).
//! Sizes are estimates of the moment: they never make two schemas, effects or plans
//! compare unequal.

use crate::model::QualifiedName;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A table lock mode, by PostgreSQL's names, weakest first. Each conflicts with more of the
/// application's statements than the one before: `ACCESS EXCLUSIVE` blocks even reads,
/// `SHARE` blocks writes, `SHARE UPDATE EXCLUSIVE` blocks neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockLevel {
    /// `ACCESS SHARE`: conflicts only with `ACCESS EXCLUSIVE` (a `SELECT` takes it).
    AccessShare,
    /// `ROW SHARE` (`SELECT ... FOR UPDATE`).
    RowShare,
    /// `ROW EXCLUSIVE` (`INSERT`, `UPDATE`, `DELETE`).
    RowExclusive,
    /// `SHARE UPDATE EXCLUSIVE`: reads and writes go on (`VALIDATE CONSTRAINT`, `CREATE
    /// INDEX CONCURRENTLY`, `COMMENT ON`).
    ShareUpdateExclusive,
    /// `SHARE`: reads go on, writes wait (`CREATE INDEX`).
    Share,
    /// `SHARE ROW EXCLUSIVE`: reads go on, writes wait (`ADD FOREIGN KEY`, on both tables).
    ShareRowExclusive,
    /// `EXCLUSIVE`: only `ACCESS SHARE` reads go on.
    Exclusive,
    /// `ACCESS EXCLUSIVE`: every statement on the table waits, reads included (most forms
    /// of `ALTER TABLE`, `DROP TABLE`, `DROP INDEX`).
    AccessExclusive,
}

impl LockLevel {
    /// The name as PostgreSQL writes it: `ACCESS EXCLUSIVE`.
    pub fn name(self) -> &'static str {
        match self {
            LockLevel::AccessShare => "ACCESS SHARE",
            LockLevel::RowShare => "ROW SHARE",
            LockLevel::RowExclusive => "ROW EXCLUSIVE",
            LockLevel::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockLevel::Share => "SHARE",
            LockLevel::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockLevel::Exclusive => "EXCLUSIVE",
            LockLevel::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }
}

impl fmt::Display for LockLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a step does to a table's rows while it holds the lock, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Work {
    /// Only the catalog changes: the lock is held for a moment.
    CatalogOnly,
    /// Every row is read (to check a constraint, to build an index): the lock is held for
    /// as long as reading the table takes.
    Scans,
    /// Every row is copied into a new table and every index rebuilt: the lock is held for
    /// as long as that takes, and the disk briefly holds the table twice.
    Rewrites,
}

/// A table's size as the database estimated it when it was read (PostgreSQL: `pg_class`,
/// as of the last `VACUUM`, `ANALYZE` or index build).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableSize {
    /// The bytes of its rows on disk (PostgreSQL: `relpages` × the block size, the main
    /// fork: without TOAST and indexes), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// The estimated number of rows, when known (PostgreSQL: `reltuples`, unknown until the
    /// table is first analyzed or vacuumed; servers before 14 report such a table as 0
    /// bytes and 0 rows instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

impl fmt::Display for TableSize {
    /// `1.2 GB, ~9.8M rows`; `size unknown: never analyzed` when the database has no
    /// estimate.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.bytes, self.rows) {
            (Some(bytes), Some(rows)) => write!(f, "{}, {}", human_bytes(bytes), human_rows(rows)),
            (Some(bytes), None) => f.write_str(&human_bytes(bytes)),
            (None, Some(rows)) => f.write_str(&human_rows(rows)),
            (None, None) => f.write_str("size unknown: never analyzed"),
        }
    }
}

/// What one step does to one table: the lock it takes, the work it does under it, and the
/// table's size when it is known.
///
/// Two effects that differ only in `size` are equal: the size is an estimate of the
/// moment, not part of what the step does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEffect {
    /// The table.
    pub table: QualifiedName,
    /// The strongest lock the step takes on it.
    pub lock: LockLevel,
    /// What the step does to its rows.
    pub work: Work,
    /// The table's size when the plan was made, if the database said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<TableSize>,
}

impl PartialEq for TableEffect {
    fn eq(&self, other: &Self) -> bool {
        (&self.table, self.lock, self.work) == (&other.table, other.lock, other.work)
    }
}

impl Eq for TableEffect {}

impl TableEffect {
    /// `lock` and `work` on `table`, size unknown.
    pub fn new(table: QualifiedName, lock: LockLevel, work: Work) -> Self {
        TableEffect {
            table,
            lock,
            work,
            size: None,
        }
    }
}

impl fmt::Display for TableEffect {
    /// `rewrites public.orders (1.2 GB, ~9.8M rows) under ACCESS EXCLUSIVE`, `scans
    /// public.orders (…) under SHARE`, `locks public.orders under ACCESS EXCLUSIVE (catalog
    /// only)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = self.size.map(|s| format!(" ({s})")).unwrap_or_default();
        match self.work {
            Work::Rewrites => write!(f, "rewrites {}{size} under {}", self.table, self.lock),
            Work::Scans => write!(f, "scans {}{size} under {}", self.table, self.lock),
            Work::CatalogOnly => {
                write!(f, "locks {} under {} (catalog only)", self.table, self.lock)
            }
        }
    }
}

/// Bytes as people read them: `512 bytes`, `8.0 kB`, `120 MB`, `1.2 GB` (powers of 1024,
/// PostgreSQL's `pg_size_pretty` units).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // Past what rounds to 1024 of a unit, the next one (`1.0 MB`, not `1024 kB`).
    while value >= 1023.5 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{} {}", one_decimal_below_ten(value), UNITS[unit])
}

/// An estimated row count: `~1 row`, `~120 rows`, `~12K rows`, `~9.8M rows`, `~1.5B rows`.
pub fn human_rows(rows: u64) -> String {
    const UNITS: [&str; 3] = ["K", "M", "B"];
    if rows < 1000 {
        return format!("~{rows} row{}", if rows == 1 { "" } else { "s" });
    }
    let mut value = rows as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.5 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("~{}{} rows", one_decimal_below_ten(value), UNITS[unit])
}

/// `9.8`, `12`, `120`: one decimal while it says something.
fn one_decimal_below_ten(value: f64) -> String {
    if value < 9.95 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1023), "1023 bytes");
        assert_eq!(human_bytes(8192), "8.0 kB");
        assert_eq!(human_bytes(120 * 1024 * 1024), "120 MB");
        assert_eq!(human_bytes(1_288_490_189), "1.2 GB");
        assert_eq!(human_rows(0), "~0 rows");
        assert_eq!(human_rows(1), "~1 row");
        assert_eq!(human_rows(999), "~999 rows");
        assert_eq!(human_rows(12_345), "~12K rows");
        assert_eq!(human_rows(9_800_000), "~9.8M rows");
        assert_eq!(human_rows(1_500_000_000), "~1.5B rows");
        // Rounding up to the next unit.
        assert_eq!(human_rows(999_600), "~1.0M rows");
        assert_eq!(human_bytes(1024 * 1024 - 100), "1.0 MB");
        assert_eq!(human_bytes(9 * 1024 + 1000), "10 kB");
    }

    #[test]
    fn an_effect_reads_as_one_line() {
        let orders = QualifiedName::with_schema("public", "orders");
        let mut effect =
            TableEffect::new(orders.clone(), LockLevel::AccessExclusive, Work::Rewrites);
        assert_eq!(
            effect.to_string(),
            "rewrites public.orders under ACCESS EXCLUSIVE"
        );
        effect.size = Some(TableSize {
            bytes: Some(1_288_490_189),
            rows: Some(9_800_000),
        });
        assert_eq!(
            effect.to_string(),
            "rewrites public.orders (1.2 GB, ~9.8M rows) under ACCESS EXCLUSIVE"
        );
        effect.size = Some(TableSize::default());
        effect.work = Work::Scans;
        effect.lock = LockLevel::Share;
        assert_eq!(
            effect.to_string(),
            "scans public.orders (size unknown: never analyzed) under SHARE"
        );
        effect.work = Work::CatalogOnly;
        effect.lock = LockLevel::AccessExclusive;
        assert_eq!(
            effect.to_string(),
            "locks public.orders under ACCESS EXCLUSIVE (catalog only)"
        );
    }

    #[test]
    fn sizes_do_not_make_effects_differ_and_json_is_snake_case() {
        let orders = QualifiedName::with_schema("public", "orders");
        let bare = TableEffect::new(orders, LockLevel::ShareUpdateExclusive, Work::Scans);
        let sized = TableEffect {
            size: Some(TableSize {
                bytes: Some(8192),
                rows: Some(3),
            }),
            ..bare.clone()
        };
        assert_eq!(bare, sized);
        let json = serde_json::to_value(&sized).unwrap();
        assert_eq!(json["lock"], "share_update_exclusive");
        assert_eq!(json["work"], "scans");
        assert_eq!(json["size"]["rows"], 3);
        assert!(serde_json::to_value(&bare).unwrap().get("size").is_none());
        let back: TableEffect = serde_json::from_value(json).unwrap();
        assert_eq!(back.size, sized.size);
    }
}
