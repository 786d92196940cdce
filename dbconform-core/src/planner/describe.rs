//! Words for changes: the reason of each step (before → after in plain words), a
//! suggestion where one helps, and the description of a drop the policy refused (drift).
//! The risk rules live in [`crate::risk`].

use crate::dialect::Dialect;
use crate::model::{
    Column, ColumnType, FkAction, ForeignKey, Index, PrimaryKey, SortOrder, UniqueConstraint,
};
use crate::plan::{Change, ColumnChanges};

/// Why a change on an existing table is needed: what the database has, what is declared.
pub(super) fn reason(change: &Change, dialect: &dyn Dialect) -> String {
    let ty = |t: &ColumnType| type_text(t, dialect);
    match change {
        Change::CreateSchema { schema } => {
            format!("schema `{schema}` does not exist; the tables declared in it need it")
        }
        Change::CreateTable { table } => format!(
            "table `{}` is declared but does not exist in the database",
            table.qualified_name()
        ),
        Change::DropTable { table } => format!(
            "table `{}` exists in the database but is not declared",
            table.qualified_name()
        ),
        Change::AddColumn { table, column } => format!(
            "column `{table}.{}` ({}) is declared but does not exist in the database",
            column.name,
            column_summary(column, dialect)
        ),
        Change::DropColumn { table, column } => format!(
            "column `{table}.{}` ({}) exists in the database but is not declared",
            column.name,
            ty(&column.ty)
        ),
        Change::AlterColumn {
            table,
            from,
            to,
            changes,
        } => format!(
            "column `{table}.{}` is {} in the database, declared {}",
            to.name,
            changed_properties(from, changes, dialect),
            changed_properties(to, changes, dialect)
        ),
        Change::AddPrimaryKey { table, key } => format!(
            "table `{table}` has no primary key in the database, declared {}",
            key_text(key)
        ),
        Change::DropPrimaryKey { table, key } => format!(
            "table `{table}` has primary key {} in the database, none is declared",
            key_text(key)
        ),
        Change::AlterPrimaryKey { table, from, to } => format!(
            "the primary key of `{table}` is {} in the database, declared {}",
            key_text(from),
            key_text(to)
        ),
        Change::AddUnique { table, unique } => format!(
            "{} ({}) on `{table}` is declared but does not exist in the database",
            label("unique constraint", &unique.name),
            unique.columns.join(", ")
        ),
        Change::DropUnique { table, unique } => format!(
            "{} ({}) on `{table}` exists in the database but is not declared",
            label("unique constraint", &unique.name),
            unique.columns.join(", ")
        ),
        Change::AlterUnique { table, from, to } => format!(
            "{} on `{table}` is ({}){} in the database, declared ({}){}",
            label("unique constraint", &to.name),
            from.columns.join(", "),
            nulls_text(from),
            to.columns.join(", "),
            nulls_text(to)
        ),
        Change::AddForeignKey { table, foreign_key } => format!(
            "{} {} on `{table}` is declared but does not exist in the database",
            label("foreign key", &foreign_key.name),
            fk_text(foreign_key)
        ),
        Change::DropForeignKey { table, foreign_key } => format!(
            "{} {} on `{table}` exists in the database but is not declared",
            label("foreign key", &foreign_key.name),
            fk_text(foreign_key)
        ),
        Change::AlterForeignKey { table, from, to } if from.only_needs_validating(to) => format!(
            "{} on `{table}` is NOT VALID in the database{NOT_VALID}",
            label("foreign key", &to.name)
        ),
        Change::AlterForeignKey { table, from, to } => format!(
            "{} on `{table}` is {} in the database, declared {}",
            label("foreign key", &to.name),
            fk_text(from),
            fk_text(to)
        ),
        Change::AddCheck { table, check } => format!(
            "{} ({}) on `{table}` is declared but does not exist in the database",
            label("check", &check.name),
            check.expr
        ),
        Change::DropCheck { table, check } => format!(
            "{} ({}) on `{table}` exists in the database but is not declared",
            label("check", &check.name),
            check.expr
        ),
        Change::AlterCheck { table, from, to } if from.only_needs_validating(to) => {
            format!(
                "{} on `{table}` is NOT VALID in the database{NOT_VALID}",
                label("check", &to.name)
            )
        }
        Change::AlterCheck { table, from, to } => format!(
            "{} on `{table}` is ({}) in the database, declared ({})",
            label("check", &to.name),
            from.expr,
            to.expr
        ),
        Change::AddIndex { table, index } => format!(
            "{} {} on `{table}` is declared but does not exist in the database",
            label("index", &index.name),
            index_text(index)
        ),
        Change::DropIndex { table, index } => format!(
            "{} {} on `{table}` exists in the database but is not declared{}",
            label("index", &index.name),
            index_text(index),
            invalid_note(index)
        ),
        Change::AlterIndex { table, from, to } if from.invalid => format!(
            "{} on `{table}` is declared {}{}: it is dropped and built again",
            label("index", &to.name),
            index_text(to),
            invalid_note(from)
        ),
        Change::AlterIndex { table, from, to } => format!(
            "{} on `{table}` is {} in the database, declared {}",
            label("index", &to.name),
            index_text(from),
            index_text(to)
        ),
        Change::SetTableComment { table, from, to } => format!(
            "the comment of table `{table}` is {} in the database, declared {}",
            quoted_or(from.as_deref(), "none"),
            quoted_or(to.as_deref(), "none")
        ),
        Change::RenameTable { from, to } => format!(
            "table `{to}` is declared with `renamed_from = \"{}\"` and the database has `{from}`: renamed, with its rows, indexes, constraints and the foreign keys pointing at it",
            from.name
        ),
        Change::RenameColumn { table, from, to } => format!(
            "column `{table}.{to}` is declared with `renamed_from = \"{from}\"` and the database has `{from}`: renamed, with its values"
        ),
        Change::CreateEnum { enum_type } => format!(
            "enum type `{}` ({}) is used by declared columns but does not exist in the database",
            enum_type.qualified(),
            enum_type.label_names().join(", ")
        ),
        Change::AddEnumValue {
            enum_type, label, ..
        } => format!(
            "enum type `{enum_type}` lacks the declared label `{label}`; {} cannot use a label in the transaction that adds it, so the labels are added and committed before the other steps",
            dialect.display_name()
        ),
        Change::RenameEnumValue {
            enum_type,
            from,
            to,
        } => format!(
            "label `{to}` of enum type `{enum_type}` is declared with `renamed_from = \"{from}\"` and the database has `{from}`: renamed, with the values holding it"
        ),
        Change::RecreateEnum { from, to, columns } => format!(
            "enum type `{}` has the labels ({}) in the database, declared ({}): labels cannot be removed or reordered in place, so the type is made again and {} converted through text",
            to.qualified(),
            from.label_names().join(", "),
            to.label_names().join(", "),
            match columns.len() {
                1 => "its column".to_string(),
                n => format!("its {n} columns"),
            }
        ),
        Change::DropEnum { enum_type } => format!(
            "enum type `{}` exists in the database but no declared column uses it",
            enum_type.qualified()
        ),
        #[allow(unreachable_patterns)]
        other => other.describe(),
    }
}

/// What the user may want to know before applying a change that can fail on data; the
/// data checks remove it once they found that it will not (`data::refine`).
pub(crate) fn suggestion(change: &Change) -> Option<String> {
    match change {
        Change::AddColumn { table, column }
            if !column.nullable
                && column.default.is_none()
                && column.generated.is_none()
                && !column.auto_increment =>
        {
            Some(format!(
                "fails if `{table}` has rows: give `{}` a default or make it nullable",
                column.name
            ))
        }
        Change::AlterColumn {
            table, to, changes, ..
        } if changes.nullable && !to.nullable => Some(format!(
            "fails if `{table}.{}` holds NULLs: fill them first",
            to.name
        )),
        Change::AddPrimaryKey { key, .. } | Change::AlterPrimaryKey { to: key, .. } => {
            Some(format!(
                "fails if rows share a value of ({}) or hold NULLs in it",
                key.columns.join(", ")
            ))
        }
        Change::AddUnique { unique: u, .. } | Change::AlterUnique { to: u, .. } => Some(format!(
            "fails if rows share a value of ({})",
            u.columns.join(", ")
        )),
        Change::AddForeignKey { foreign_key, .. }
        | Change::AlterForeignKey {
            to: foreign_key, ..
        } => Some(format!(
            "fails if rows reference values of `{}` that do not exist",
            foreign_key.references
        )),
        Change::AddCheck { .. } | Change::AlterCheck { .. } => {
            Some("fails if existing rows violate the check".to_string())
        }
        _ => None,
    }
}

/// How a drop the policy refused is reported as drift (the table is named apart):
/// `extra column `legacy``.
pub(super) fn extra(change: &Change) -> String {
    match change {
        Change::DropTable { .. } => "table exists in the database but is not declared".to_string(),
        Change::DropColumn { column, .. } => format!("extra column `{}`", column.name),
        Change::DropPrimaryKey { key, .. } => format!("extra primary key {}", key_text(key)),
        Change::DropUnique { unique, .. } => format!(
            "extra {} ({})",
            label("unique constraint", &unique.name),
            unique.columns.join(", ")
        ),
        Change::DropForeignKey { foreign_key, .. } => format!(
            "extra {} {}",
            label("foreign key", &foreign_key.name),
            fk_text(foreign_key)
        ),
        Change::DropCheck { check, .. } => {
            format!("extra {} ({})", label("check", &check.name), check.expr)
        }
        Change::DropIndex { index, .. } => {
            format!(
                "extra {} {}",
                label("index", &index.name),
                index_text(index)
            )
        }
        other => other.describe(),
    }
}

/// The constraint or index a refused drop keeps, as a name: `index `ix_legacy``,
/// `primary key `users_pkey``, `unnamed check`.
pub(super) fn kept_object(change: &Change) -> String {
    match change {
        Change::DropPrimaryKey { key, .. } => match &key.name {
            Some(name) if !name.is_empty() => format!("primary key `{name}`"),
            _ => "primary key".to_string(),
        },
        Change::DropUnique { unique, .. } => label("unique constraint", &unique.name),
        Change::DropForeignKey { foreign_key, .. } => label("foreign key", &foreign_key.name),
        Change::DropCheck { check, .. } => label("check", &check.name),
        Change::DropIndex { index, .. } => label("index", &index.name),
        other => other.describe(),
    }
}

/// A type as people read it: the dialect's spelling in lower case (`varchar(100)`), a
/// custom type as written.
fn type_text(ty: &ColumnType, dialect: &dyn Dialect) -> String {
    match ty {
        ColumnType::Custom(text) => text.clone(),
        other => dialect.column_type_sql(other).to_lowercase(),
    }
}

/// `varchar(100) NOT NULL default `''``: a column's type, nullability and default.
fn column_summary(column: &Column, dialect: &dyn Dialect) -> String {
    let mut text = format!(
        "{} {}",
        type_text(&column.ty, dialect),
        if column.nullable { "NULL" } else { "NOT NULL" }
    );
    if let Some(default) = &column.default {
        text.push_str(&format!(" default `{default}`"));
    }
    if column.auto_increment {
        text.push_str(" auto-increment");
    }
    if let Some(generated) = &column.generated {
        text.push_str(&format!(" generated as `{}`", generated.expr));
    }
    text
}

/// The properties of `column` that `changes` marks, in a fixed order:
/// `varchar(100), nullable, default `0``.
fn changed_properties(column: &Column, changes: &ColumnChanges, dialect: &dyn Dialect) -> String {
    let mut parts = Vec::new();
    if changes.ty {
        parts.push(type_text(&column.ty, dialect));
    }
    if changes.nullable {
        parts.push(
            if column.nullable {
                "nullable"
            } else {
                "NOT NULL"
            }
            .to_string(),
        );
    }
    if changes.default {
        parts.push(match &column.default {
            Some(default) => format!("default `{default}`"),
            None => "without default".to_string(),
        });
    }
    if changes.auto_increment {
        parts.push(
            if column.auto_increment {
                "auto-increment"
            } else {
                "not auto-increment"
            }
            .to_string(),
        );
    }
    if changes.comment {
        parts.push(match &column.comment {
            Some(comment) => format!("commented `{comment}`"),
            None => "without comment".to_string(),
        });
    }
    if changes.collation {
        parts.push(match &column.collation {
            Some(collation) => format!("collated `{collation}`"),
            None => "with the default collation".to_string(),
        });
    }
    if changes.generated {
        parts.push(match &column.generated {
            Some(g) => format!(
                "generated as `{}` ({})",
                g.expr,
                if g.stored { "stored" } else { "virtual" }
            ),
            None => "not generated".to_string(),
        });
    }
    parts.join(", ")
}

/// `unique constraint `uq_x`` or `unnamed unique constraint`.
fn label(what: &str, name: &str) -> String {
    if name.is_empty() {
        format!("unnamed {what}")
    } else {
        format!("{what} `{name}`")
    }
}

/// `` `pk_t` (id)`` or `(id)`.
fn key_text(key: &PrimaryKey) -> String {
    match &key.name {
        Some(name) if !name.is_empty() => format!("`{name}` ({})", key.columns.join(", ")),
        _ => format!("({})", key.columns.join(", ")),
    }
}

/// `(vendor_id) → `public.vendors` (id) ON DELETE CASCADE` (NO ACTION left out).
fn fk_text(fk: &ForeignKey) -> String {
    let action = |what: &str, action: FkAction| {
        if action == FkAction::NoAction {
            String::new()
        } else {
            format!(" {what} {}", action.as_sql())
        }
    };
    let deferrable = if fk.deferrable.is_default() {
        String::new()
    } else {
        format!(" {}", fk.deferrable.as_sql())
    };
    format!(
        "({}) → `{}` ({}){}{}{deferrable}",
        fk.columns.join(", "),
        fk.references,
        fk.referenced_columns.join(", "),
        action("ON DELETE", fk.on_delete),
        action("ON UPDATE", fk.on_update)
    )
}

/// ` NULLS NOT DISTINCT` for such a UNIQUE constraint, nothing for the default.
fn nulls_text(unique: &UniqueConstraint) -> &'static str {
    if unique.nulls_not_distinct {
        " NULLS NOT DISTINCT"
    } else {
        ""
    }
}

/// `unique (email, created_at DESC) WHERE balance > 0`.
fn index_text(index: &Index) -> String {
    let columns: Vec<String> = index
        .columns
        .iter()
        .map(|c| {
            let mut key = c.name.clone();
            if let Some(opclass) = &c.opclass {
                key.push_str(&format!(" {opclass}"));
            }
            if c.order == SortOrder::Desc {
                key.push_str(" DESC");
            }
            if let Some(nulls) = c.nulls {
                key.push_str(&format!(" {}", nulls.as_sql()));
            }
            key
        })
        .collect();
    // Only what differs from a plain B-tree is spelled out, so that the common case reads
    // as before: `unique (a, b DESC)`.
    let mut text = format!(
        "{}{}({})",
        if index.unique { "unique " } else { "" },
        index
            .method
            .as_ref()
            .map_or(String::new(), |m| format!("using {m} ")),
        columns.join(", ")
    );
    if !index.include.is_empty() {
        text.push_str(&format!(" INCLUDE ({})", index.include.join(", ")));
    }
    if index.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        text.push_str(&format!(" WHERE {predicate}"));
    }
    text
}

/// `` `text` `` or `fallback`.
fn quoted_or(text: Option<&str>, fallback: &str) -> String {
    match text {
        Some(text) => format!("`{text}`"),
        None => fallback.to_string(),
    }
}

/// `; it is invalid (...)` for an index a failed build left, nothing otherwise.
fn invalid_note(index: &crate::model::Index) -> &'static str {
    if index.invalid {
        "; it is invalid (a CREATE INDEX CONCURRENTLY that failed or was cancelled left it; the database does not use it)"
    } else {
        ""
    }
}

/// Why a NOT VALID constraint is validated.
const NOT_VALID: &str = " (an online apply was interrupted before `VALIDATE CONSTRAINT`: rows older than the constraint were never checked); it is validated";
