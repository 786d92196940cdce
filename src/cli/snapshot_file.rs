//! Snapshot files: a [`Schema`] in an envelope saying which database kind it is for, so
//! that `diff` can plan offline.

use crate::Schema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The snapshot file format this version writes and reads.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// Where a snapshot's schema comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotSource {
    /// The tables the program declares (`snapshot`): tables without a schema live in the
    /// target schema.
    Declared,
    /// A database as reflected (`inspect`): every table's schema is explicit.
    Database,
}

/// A snapshot file, as `snapshot` and `inspect` write it: stable, pretty JSON meant to be
/// committed.
///
/// ```json
/// {
///   "format": 1,
///   "source": "declared",
///   "dialect": "postgres",
///   "target_schema": "app",
///   "schema": { "tables": [ ... ] }
/// }
/// ```
///
/// ```
/// use dbconform::cli::{SnapshotFile, SnapshotSource};
/// let file = SnapshotFile::new(SnapshotSource::Declared, "sqlite", None, dbconform::Schema::default());
/// let json = file.to_json();
/// assert_eq!(SnapshotFile::from_json(&json).unwrap(), file);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotFile {
    /// The file format: [`SNAPSHOT_FORMAT`].
    pub format: u32,
    /// Declared tables or a reflected database.
    pub source: SnapshotSource,
    /// The database kind the schema is for (`sqlite`, `postgres`).
    pub dialect: String,
    /// The PostgreSQL schema that tables without an explicit schema live in (declared),
    /// or that was inspected (database). Absent for SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_schema: Option<String>,
    /// The schema.
    pub schema: Schema,
}

/// A file that is not a snapshot this version can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSnapshot(pub String);

impl fmt::Display for InvalidSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidSnapshot {}

impl SnapshotFile {
    /// A snapshot in the current format.
    pub fn new(
        source: SnapshotSource,
        dialect: impl Into<String>,
        target_schema: Option<String>,
        schema: Schema,
    ) -> Self {
        SnapshotFile {
            format: SNAPSHOT_FORMAT,
            source,
            dialect: dialect.into(),
            target_schema,
            schema,
        }
    }

    /// Pretty JSON ending with a newline; the same schema always gives the same bytes.
    pub fn to_json(&self) -> String {
        // Serializing plain data with string keys cannot fail.
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads a snapshot file's text. The error says what is wrong: not JSON, not a
    /// snapshot, a newer format, an unknown dialect.
    pub fn from_json(text: &str) -> Result<Self, InvalidSnapshot> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| InvalidSnapshot(format!("not valid JSON: {e}")))?;
        let Some(format) = value.get("format") else {
            return Err(InvalidSnapshot(
                "not a dbconform snapshot file (it has no \"format\" field); write one with `snapshot` or `inspect`".into(),
            ));
        };
        match format.as_u64() {
            Some(n) if n == u64::from(SNAPSHOT_FORMAT) => {}
            Some(n) if n > u64::from(SNAPSHOT_FORMAT) => {
                return Err(InvalidSnapshot(format!(
                    "snapshot format {n} was written by a newer dbconform; this one reads format {SNAPSHOT_FORMAT}: upgrade dbconform"
                )));
            }
            _ => {
                return Err(InvalidSnapshot(format!(
                    "unknown snapshot format {format}; this dbconform reads format {SNAPSHOT_FORMAT}"
                )));
            }
        }
        let file: SnapshotFile = serde_json::from_value(value)
            .map_err(|e| InvalidSnapshot(format!("not a valid snapshot: {e}")))?;
        if crate::dialect::by_name(&file.dialect).is_none() {
            let known: Vec<&str> = crate::dialect::all().iter().map(|d| d.name()).collect();
            return Err(InvalidSnapshot(format!(
                "unknown dialect `{}`; known: {}",
                file.dialect,
                known.join(", ")
            )));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, ColumnType, TableDef};

    fn sample() -> SnapshotFile {
        let users = TableDef {
            name: "users".into(),
            columns: vec![Column::new("id", ColumnType::BigInt)],
            ..TableDef::default()
        };
        SnapshotFile::new(
            SnapshotSource::Declared,
            "postgres",
            Some("app".into()),
            Schema::new(vec![users]),
        )
    }

    #[test]
    fn round_trips_byte_for_byte() {
        let json = sample().to_json();
        assert!(json.starts_with(
            "{\n  \"format\": 1,\n  \"source\": \"declared\",\n  \"dialect\": \"postgres\",\n  \"target_schema\": \"app\",\n  \"schema\": {"
        ), "{json}");
        assert!(json.ends_with("}\n"));
        let back = SnapshotFile::from_json(&json).unwrap();
        assert_eq!(back, sample());
        assert_eq!(back.to_json(), json);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let err = |text: &str| SnapshotFile::from_json(text).unwrap_err().to_string();
        assert!(err("{").starts_with("not valid JSON"), "{}", err("{"));
        assert!(err(r#"{"tables": []}"#).contains("no \"format\" field"));
        assert!(err(r#"{"format": 2}"#).contains("newer dbconform"));
        assert!(err(r#"{"format": "x"}"#).contains("unknown snapshot format"));
        let oracle = sample().to_json().replace("\"postgres\"", "\"oracle\"");
        assert_eq!(
            err(&oracle),
            "unknown dialect `oracle`; known: sqlite, postgres, mysql"
        );
    }
}
