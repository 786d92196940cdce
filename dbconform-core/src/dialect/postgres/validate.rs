//! PostgreSQL's own rules, on top of the shared ones.

use super::Postgres;
use crate::dialect::validate::{common, identifiers, invalid};
use crate::error::Result;
use crate::model::{ColumnType, TableDef};
use crate::naming::MAX_IDENTIFIER_BYTES;

/// The largest precision PostgreSQL accepts for NUMERIC.
const MAX_NUMERIC_PRECISION: u32 = 1000;

/// The largest length PostgreSQL accepts for VARCHAR.
const MAX_VARCHAR_LENGTH: u32 = 10_485_760;

/// The shared rules, then: no identifier longer than 63 bytes (PostgreSQL would silently
/// truncate it, and the truncated name would never match the declaration), and type
/// parameters PostgreSQL accepts.
pub(super) fn table(dialect: &Postgres, table: &TableDef) -> Result<()> {
    common(dialect, table)?;
    for (what, name) in identifiers(table) {
        if name.len() > MAX_IDENTIFIER_BYTES {
            return Err(invalid(
                table,
                format!(
                    "{what} `{name}` is {} bytes long; PostgreSQL keeps at most {MAX_IDENTIFIER_BYTES} bytes of an identifier and silently truncates longer ones, so the database would never match the declaration: shorten it to {MAX_IDENTIFIER_BYTES} bytes or fewer",
                    name.len()
                ),
            ));
        }
    }
    for column in &table.columns {
        match column.ty {
            ColumnType::Decimal {
                precision: Some(p), ..
            } if p > MAX_NUMERIC_PRECISION => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{}` has a decimal precision of {p}; PostgreSQL allows at most {MAX_NUMERIC_PRECISION}: lower `precision` or leave it out for an unconstrained NUMERIC",
                        column.name
                    ),
                ));
            }
            ColumnType::Varchar(n) if n > MAX_VARCHAR_LENGTH => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{}` is VARCHAR({n}); PostgreSQL allows at most VARCHAR({MAX_VARCHAR_LENGTH}): lower `max_length` or remove it for TEXT",
                        column.name
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}
