//! The statements of PostgreSQL's enum types: `CREATE TYPE ... AS ENUM`, `ALTER TYPE ...
//! ADD VALUE` / `RENAME VALUE`, the recreation of a type whose labels were removed or
//! reordered, and `DROP TYPE`. Names through the dialect's quoting, labels as literals.

use super::Postgres;
use super::types::enum_type_name;
use crate::dialect::{Dialect, quote_literal};
use crate::model::{Column, ColumnType, EnumType, QualifiedName};
use crate::naming::shorten;

/// `CREATE TYPE "s"."mood" AS ENUM ('happy', 'sad')`.
pub(super) fn create(ty: &EnumType) -> String {
    let labels: Vec<String> = ty.labels.iter().map(|l| quote_literal(&l.name)).collect();
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        enum_type_name(ty),
        labels.join(", ")
    )
}

/// `ALTER TYPE "s"."mood" ADD VALUE 'x' BEFORE 'y'` (or `AFTER`, or at the end).
pub(super) fn add_value(
    name: &QualifiedName,
    label: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let place = match (before, after) {
        (Some(before), _) => format!(" BEFORE {}", quote_literal(before)),
        (None, Some(after)) => format!(" AFTER {}", quote_literal(after)),
        (None, None) => String::new(),
    };
    format!(
        "ALTER TYPE {} ADD VALUE IF NOT EXISTS {}{place}",
        quoted(name),
        quote_literal(label)
    )
}

/// `ALTER TYPE "s"."mood" RENAME VALUE 'a' TO 'b'`.
pub(super) fn rename_value(name: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TYPE {} RENAME VALUE {} TO {}",
        quoted(name),
        quote_literal(from),
        quote_literal(to)
    )
}

/// `DROP TYPE "s"."mood"`.
pub(super) fn drop(ty: &EnumType) -> String {
    format!("DROP TYPE {}", enum_type_name(ty))
}

/// The name the old type is renamed to while a recreation converts its columns.
pub(super) fn old_name(name: &str) -> String {
    shorten(&format!("{name}_dbconform_old"))
}

/// The type made again: the old one renamed aside, the new one created under the name,
/// each column converted through text (its default dropped first and set again after),
/// the old type dropped.
pub(super) fn recreate(
    dialect: &Postgres,
    to: &EnumType,
    columns: &[(QualifiedName, Column)],
) -> Vec<String> {
    let new = enum_type_name(to);
    let mut sql = vec![
        format!(
            "ALTER TYPE {new} RENAME TO {}",
            dialect.quote_ident(&old_name(&to.name))
        ),
        create(to),
    ];
    for (table, column) in columns {
        let t = dialect.quote_table(table);
        let c = dialect.quote_ident(&column.name);
        if column.default.is_some() {
            sql.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
        }
        // An array of the type converts element by element, through `text[]`.
        sql.push(if matches!(column.ty, ColumnType::Array(_)) {
            format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {new}[] USING {c}::text[]::{new}[]")
        } else {
            format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {new} USING {c}::text::{new}")
        });
        if let Some(default) = &column.default {
            sql.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default}"
            ));
        }
    }
    let mut old = to.clone();
    old.name = old_name(&to.name);
    sql.push(drop(&old));
    sql
}

/// The quoted qualified name of a type.
fn quoted(name: &QualifiedName) -> String {
    enum_type_name(&EnumType {
        schema: name.schema.clone(),
        name: name.name.clone(),
        labels: Vec::new(),
    })
}
