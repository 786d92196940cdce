//! What each change does to its tables on PostgreSQL (`Dialect::table_effects`): the
//! lock the statements `alter.rs` writes take, and whether they rewrite, scan or only
//! change the catalog. From the PostgreSQL 15 documentation (`ALTER TABLE`: "an ACCESS
//! EXCLUSIVE lock is acquired unless explicitly noted"; "Explicit Locking" for the modes
//! of `CREATE INDEX` and `COMMENT ON`) and `tablecmds.c` where the documentation is silent.
//!
//! | change | lock | work |
//! |---|---|---|
//! | add column | ACCESS EXCLUSIVE | rewrites with a volatile default (`random()`, any function not known to be stable), an identity or a stored generated column (every row gets its value); scans when `NOT NULL` without a default (checked row by row); catalog only otherwise (PostgreSQL 11+ stores a constant default in the catalog) |
//! | drop column, rename, default, `DROP NOT NULL`, identity dropped, `DROP EXPRESSION` | ACCESS EXCLUSIVE | catalog only |
//! | column type | ACCESS EXCLUSIVE | rewrites unless binary-coercible ([`super::types::catalog_only`]: a longer `VARCHAR`, `VARCHAR` → `TEXT`, more `NUMERIC` precision at the same scale), then catalog only |
//! | column collation | ACCESS EXCLUSIVE | scans when an index uses the column (it is rebuilt), catalog only otherwise |
//! | `SET NOT NULL` | ACCESS EXCLUSIVE | scans (PostgreSQL 12+ skips the scan when a valid `CHECK (c IS NOT NULL)` proves it; not assumed) |
//! | identity added | ACCESS EXCLUSIVE | the sequence is moved past `MAX(c)`: scans unless an index leads with the column |
//! | column made generated, or its expression changed | ACCESS EXCLUSIVE | rewrites (the column is dropped and added again) |
//! | column comment, table comment | SHARE UPDATE EXCLUSIVE | catalog only |
//! | add primary key, UNIQUE, CHECK (or change one: drop, then add) | ACCESS EXCLUSIVE | scans (an index is built, every row checked) |
//! | add foreign key | SHARE ROW EXCLUSIVE on the table and on the table it references | scans both (every row is checked against the referenced key) |
//! | drop foreign key | ACCESS EXCLUSIVE on both tables (its triggers on each are dropped) | catalog only |
//! | drop primary key, UNIQUE, CHECK, index | ACCESS EXCLUSIVE | catalog only |
//! | create index | SHARE (writes wait, reads go on) | scans |
//! | change an index (drop, then create) | ACCESS EXCLUSIVE | scans |
//! | drop table | ACCESS EXCLUSIVE on it and on the tables its foreign keys reference | catalog only |
//! | create schema, create table | — (new tables: nothing to report) | |
//!
//! `CREATE INDEX CONCURRENTLY` (SHARE UPDATE EXCLUSIVE) and `VALIDATE CONSTRAINT` (SHARE
//! UPDATE EXCLUSIVE, ROW SHARE on the referenced table) are not written by `alter.rs` yet;
//! [`LockLevel`] names them for when they are.

use super::types::catalog_only;
use crate::dialect::ChangeContext;
use crate::dialect::expr::segments;
use crate::effect::{LockLevel, TableEffect, Work};
use crate::model::{Column, QualifiedName, TableDef};
use crate::plan::{Change, ColumnChanges};

use LockLevel::{AccessExclusive, Share, ShareRowExclusive, ShareUpdateExclusive};
use Work::{CatalogOnly, Rewrites, Scans};

/// The effects of `change` on PostgreSQL, one per table, in the order the tables come up.
pub(super) fn table_effects(change: &Change, context: &ChangeContext<'_>) -> Vec<TableEffect> {
    let mut out = Effects::default();
    match change {
        Change::CreateSchema { .. }
        | Change::CreateTable { .. }
        | Change::RebuildTable { .. }
        | Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. }
        | Change::DropEnum { .. } => {}
        // Each column is converted through text: the table is rewritten.
        Change::RecreateEnum { columns, .. } => {
            for (table, _) in columns {
                out.add(table, AccessExclusive, Rewrites);
            }
        }
        Change::DropTable { table } => {
            let name = table.qualified_name();
            out.add(&name, AccessExclusive, CatalogOnly);
            for fk in &table.foreign_keys {
                out.add(&fk.references, AccessExclusive, CatalogOnly);
            }
        }
        Change::AddColumn { table, column } => {
            let declared = context
                .desired
                .and_then(|t| t.columns.iter().find(|c| c.name == column.name))
                .unwrap_or(column);
            out.add(table, AccessExclusive, add_column_work(declared));
        }
        Change::DropColumn { table, .. } | Change::RenameColumn { table, .. } => {
            out.add(table, AccessExclusive, CatalogOnly);
        }
        Change::RenameTable { to, .. } => out.add(to, AccessExclusive, CatalogOnly),
        Change::AlterColumn {
            table,
            from,
            to,
            changes,
        } => {
            let (lock, work) = alter_column(from, to, changes, context.actual);
            out.add(table, lock, work);
        }
        Change::AddPrimaryKey { table, .. }
        | Change::AlterPrimaryKey { table, .. }
        | Change::AddUnique { table, .. }
        | Change::AlterUnique { table, .. }
        | Change::AddCheck { table, .. }
        | Change::AlterCheck { table, .. }
        | Change::AlterIndex { table, .. } => out.add(table, AccessExclusive, Scans),
        Change::DropPrimaryKey { table, .. }
        | Change::DropUnique { table, .. }
        | Change::DropCheck { table, .. }
        | Change::DropIndex { table, .. } => out.add(table, AccessExclusive, CatalogOnly),
        Change::AddIndex { table, .. } => out.add(table, Share, Scans),
        Change::AddForeignKey { table, foreign_key } => {
            out.add(table, ShareRowExclusive, Scans);
            out.add(&foreign_key.references, ShareRowExclusive, Scans);
        }
        Change::AlterForeignKey { table, from, to } if from.only_deferrability_differs(to) => {
            // `ALTER CONSTRAINT`: the referencing table's catalog only.
            out.add(table, AccessExclusive, CatalogOnly);
        }
        Change::AlterForeignKey { table, from, to } => {
            // Dropped (ACCESS EXCLUSIVE on both tables), then added.
            out.add(table, AccessExclusive, Scans);
            out.add(&from.references, AccessExclusive, CatalogOnly);
            out.add(&to.references, ShareRowExclusive, Scans);
        }
        Change::DropForeignKey { table, foreign_key } => {
            out.add(table, AccessExclusive, CatalogOnly);
            out.add(&foreign_key.references, AccessExclusive, CatalogOnly);
        }
        Change::SetTableComment { table, .. } => out.add(table, ShareUpdateExclusive, CatalogOnly),
    }
    out.0
}

/// Effects by table: a table named twice keeps the stronger lock and the heavier work.
#[derive(Default)]
struct Effects(Vec<TableEffect>);

impl Effects {
    fn add(&mut self, table: &QualifiedName, lock: LockLevel, work: Work) {
        match self.0.iter_mut().find(|e| &e.table == table) {
            Some(effect) => {
                effect.lock = effect.lock.max(lock);
                effect.work = effect.work.max(work);
            }
            None => self.0.push(TableEffect::new(table.clone(), lock, work)),
        }
    }
}

/// What `ADD COLUMN` does to the rows (see the module table).
fn add_column_work(column: &Column) -> Work {
    if column.generated.is_some() || column.auto_increment {
        return Rewrites;
    }
    match column.default.as_deref() {
        Some(default) if may_be_volatile(default) => Rewrites,
        Some(_) => CatalogOnly,
        None if !column.nullable => Scans,
        None => CatalogOnly,
    }
}

/// The lock and work of the statements altering one column (`alter.rs`'s
/// `alter_column`): the strongest of its parts.
fn alter_column(
    from: &Column,
    to: &Column,
    changes: &ColumnChanges,
    actual: Option<&TableDef>,
) -> (LockLevel, Work) {
    let only_comment = ColumnChanges {
        comment: true,
        ..ColumnChanges::default()
    };
    if *changes == only_comment {
        return (ShareUpdateExclusive, CatalogOnly);
    }
    let mut work = CatalogOnly;
    if changes.generated && to.generated.is_some() {
        work = Rewrites;
    }
    if changes.ty && !catalog_only(&from.ty, &to.ty) {
        work = work.max(Rewrites);
    }
    let indexed = |leading: bool| actual.is_some_and(|t| uses_in_index(t, &from.name, leading));
    if changes.collation && indexed(false) {
        work = work.max(Scans);
    }
    if changes.nullable && !to.nullable {
        work = work.max(Scans);
    }
    if changes.auto_increment && to.auto_increment && !indexed(true) {
        work = work.max(Scans);
    }
    (AccessExclusive, work)
}

/// Whether an index, primary key or UNIQUE constraint of `table` uses `column` (`leading`:
/// as its first key, so that `MAX(column)` reads one end of it).
fn uses_in_index(table: &TableDef, column: &str, leading: bool) -> bool {
    let uses = |columns: &mut dyn Iterator<Item = &str>| {
        let names: Vec<&str> = columns.collect();
        if leading {
            names.first() == Some(&column)
        } else {
            names.contains(&column)
        }
    };
    table
        .primary_key
        .iter()
        .any(|pk| uses(&mut pk.columns.iter().map(String::as_str)))
        || table
            .uniques
            .iter()
            .any(|u| uses(&mut u.columns.iter().map(String::as_str)))
        || table.indexes.iter().any(|i| {
            uses(
                &mut i
                    .columns
                    .iter()
                    .filter(|c| !c.expression)
                    .map(|c| c.name.as_str()),
            )
        })
}

/// Functions a default may call without being volatile (PostgreSQL's `STABLE` or
/// `IMMUTABLE` built-ins defaults commonly use), and keywords written before `(`.
const NOT_VOLATILE: &[&str] = &[
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_timestamp",
    "current_time",
    "localtimestamp",
    "localtime",
    "current_setting",
    "current_schema",
    "current_database",
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "lower",
    "upper",
    "length",
    "concat",
    "abs",
    "round",
    "trunc",
    "to_char",
    "to_date",
    "to_timestamp",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "date_trunc",
    "timezone",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    // Keywords and type names followed by `(`.
    "and",
    "or",
    "not",
    "in",
    "is",
    "then",
    "else",
    "when",
    "any",
    "all",
    "array",
    "row",
    "numeric",
    "decimal",
    "varchar",
    "varying",
    "char",
    "character",
    "bpchar",
    "bit",
    "time",
    "timestamp",
    "interval",
    "float",
];

/// Whether the default `text` may call a volatile function, which makes `ADD COLUMN`
/// compute it for every row (a rewrite): a call of a function not in [`NOT_VOLATILE`]
/// (`random()`, `gen_random_uuid()`, `clock_timestamp()`, `nextval(..)`, a user's
/// function, whose volatility is not known offline), or text this cannot read.
fn may_be_volatile(text: &str) -> bool {
    let Some(segments) = segments(text) else {
        return true;
    };
    let mut previous_quoted_identifier = false;
    for (segment, quoted) in &segments {
        if *quoted {
            previous_quoted_identifier = segment.starts_with('"');
            continue;
        }
        for (at, _) in segment.match_indices('(') {
            let before = segment[..at].trim_end();
            if before.is_empty() {
                // `"f"(..)`: a function with a quoted name.
                if previous_quoted_identifier && segment[..at].is_empty() {
                    return true;
                }
                continue;
            }
            let word: String = before
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
                .to_lowercase();
            if !word.is_empty()
                && !word.starts_with(|c: char| c.is_ascii_digit())
                && !NOT_VOLATILE.contains(&word.as_str())
            {
                return true;
            }
        }
        previous_quoted_identifier = false;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::POSTGRES;
    use crate::dialect::{ChangeContext, Dialect};
    use crate::model::{
        Check, ColumnType, ForeignKey, GeneratedColumn, Index, IndexColumn, PrimaryKey,
        UniqueConstraint,
    };

    fn orders() -> QualifiedName {
        QualifiedName::with_schema("public", "orders")
    }

    fn customers() -> QualifiedName {
        QualifiedName::with_schema("public", "customers")
    }

    fn effects(change: &Change, actual: Option<&TableDef>) -> Vec<(String, LockLevel, Work)> {
        let context = ChangeContext {
            desired: None,
            actual,
        };
        POSTGRES
            .table_effects(change, &context)
            .into_iter()
            .map(|e| (e.table.name, e.lock, e.work))
            .collect()
    }

    fn one(change: &Change) -> (LockLevel, Work) {
        let found = effects(change, None);
        assert_eq!(found.len(), 1, "{found:?}");
        (found[0].1, found[0].2)
    }

    fn index(name: &str, columns: &[&str]) -> Index {
        Index {
            name: name.into(),
            columns: columns.iter().map(|c| IndexColumn::asc(*c)).collect(),
            unique: false,
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
        }
    }

    fn column(ty: ColumnType) -> Column {
        Column::new("c", ty)
    }

    fn alter(from: Column, to: Column, changes: ColumnChanges) -> Change {
        Change::AlterColumn {
            table: orders(),
            from,
            to,
            changes,
        }
    }

    fn add(column: Column) -> Change {
        Change::AddColumn {
            table: orders(),
            column,
        }
    }

    fn fk(references: QualifiedName) -> ForeignKey {
        ForeignKey {
            deferrable: Default::default(),
            name: "fk".into(),
            columns: vec!["customer_id".into()],
            references,
            referenced_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            not_valid: false,
        }
    }

    #[test]
    fn adding_a_column_rewrites_only_for_values_computed_per_row() {
        let nullable = Column {
            nullable: true,
            ..column(ColumnType::Text)
        };
        assert_eq!(one(&add(nullable.clone())), (AccessExclusive, CatalogOnly));
        let with = |default: &str| Column {
            default: Some(default.into()),
            ..column(ColumnType::Text)
        };
        for constant in [
            "'new'",
            "0",
            "current_timestamp",
            "now()",
            "'{}'::jsonb",
            "'1.50'::numeric(10,2)",
            "pg_catalog.now()",
            "'a(b)'",
        ] {
            assert_eq!(one(&add(with(constant))).1, CatalogOnly, "{constant}");
        }
        for volatile in [
            "random()",
            "gen_random_uuid()",
            "clock_timestamp()",
            "nextval('s'::regclass)",
            "my_function()",
            "\"Mine\"()",
            "(random() * 10)::integer",
        ] {
            assert_eq!(
                one(&add(with(volatile))),
                (AccessExclusive, Rewrites),
                "{volatile}"
            );
        }
        let identity = Column {
            auto_increment: true,
            ..column(ColumnType::BigInt)
        };
        assert_eq!(one(&add(identity)).1, Rewrites);
        let generated = Column {
            nullable: true,
            generated: Some(GeneratedColumn {
                expr: "a * 2".into(),
                stored: true,
            }),
            ..column(ColumnType::BigInt)
        };
        assert_eq!(one(&add(generated)).1, Rewrites);
        // NOT NULL without a default: every row is checked (fails on any).
        assert_eq!(one(&add(column(ColumnType::Text))).1, Scans);
    }

    #[test]
    fn a_type_change_rewrites_unless_binary_coercible() {
        let ty = ColumnChanges {
            ty: true,
            ..ColumnChanges::default()
        };
        let change = |from, to| one(&alter(column(from), column(to), ty));
        assert_eq!(
            change(ColumnType::Integer, ColumnType::BigInt),
            (AccessExclusive, Rewrites)
        );
        assert_eq!(
            change(ColumnType::Varchar(10), ColumnType::Varchar(20)),
            (AccessExclusive, CatalogOnly)
        );
        assert_eq!(
            change(ColumnType::Varchar(10), ColumnType::Text),
            (AccessExclusive, CatalogOnly)
        );
        assert_eq!(
            change(ColumnType::Text, ColumnType::Varchar(10)).1,
            Rewrites
        );
        assert_eq!(
            change(ColumnType::Varchar(20), ColumnType::Varchar(10)).1,
            Rewrites
        );
        let numeric = |precision, scale| ColumnType::Decimal {
            precision: Some(precision),
            scale: Some(scale),
        };
        assert_eq!(change(numeric(10, 2), numeric(12, 2)).1, CatalogOnly);
        assert_eq!(change(numeric(10, 2), numeric(12, 3)).1, Rewrites);
        assert_eq!(
            change(ColumnType::Timestamp, ColumnType::TimestampTz).1,
            Rewrites
        );
    }

    #[test]
    fn column_properties_lock_and_scan_as_their_statements_do() {
        let set = |edit: fn(&mut ColumnChanges)| {
            let mut changes = ColumnChanges::default();
            edit(&mut changes);
            changes
        };
        let nullable = Column {
            nullable: true,
            ..column(ColumnType::Text)
        };
        let not_null = column(ColumnType::Text);
        let null_change = set(|c| c.nullable = true);
        assert_eq!(
            one(&alter(nullable.clone(), not_null.clone(), null_change)),
            (AccessExclusive, Scans)
        );
        assert_eq!(
            one(&alter(not_null.clone(), nullable.clone(), null_change)),
            (AccessExclusive, CatalogOnly)
        );
        assert_eq!(
            one(&alter(
                not_null.clone(),
                not_null.clone(),
                set(|c| c.default = true)
            )),
            (AccessExclusive, CatalogOnly)
        );
        assert_eq!(
            one(&alter(
                not_null.clone(),
                not_null.clone(),
                set(|c| c.comment = true)
            )),
            (ShareUpdateExclusive, CatalogOnly)
        );
        assert_eq!(
            one(&alter(
                not_null.clone(),
                not_null.clone(),
                set(|c| {
                    c.comment = true;
                    c.default = true;
                })
            )),
            (AccessExclusive, CatalogOnly)
        );
        let generated = Column {
            generated: Some(GeneratedColumn {
                expr: "a * 2".into(),
                stored: true,
            }),
            ..not_null.clone()
        };
        assert_eq!(
            one(&alter(
                not_null.clone(),
                generated.clone(),
                set(|c| c.generated = true)
            )),
            (AccessExclusive, Rewrites)
        );
        assert_eq!(
            one(&alter(
                generated,
                not_null.clone(),
                set(|c| c.generated = true)
            )),
            (AccessExclusive, CatalogOnly)
        );

        // Identity: `MAX(c)` reads an index when one leads with the column.
        let key = TableDef {
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["c".into()],
            }),
            ..TableDef::default()
        };
        let identity = Column {
            auto_increment: true,
            ..column(ColumnType::BigInt)
        };
        let made_identity = alter(
            column(ColumnType::BigInt),
            identity,
            set(|c| c.auto_increment = true),
        );
        assert_eq!(effects(&made_identity, Some(&key))[0].2, CatalogOnly);
        assert_eq!(one(&made_identity).1, Scans);

        // A collation change rebuilds the indexes using the column.
        let collated = Column {
            collation: Some("C".into()),
            ..not_null.clone()
        };
        let recollate = alter(not_null.clone(), collated, set(|c| c.collation = true));
        let indexed = TableDef {
            indexes: vec![index("ix", &["a", "c"])],
            ..TableDef::default()
        };
        assert_eq!(effects(&recollate, Some(&indexed))[0].2, Scans);
        assert_eq!(one(&recollate).1, CatalogOnly);
    }

    #[test]
    fn constraints_and_indexes_lock_per_the_documentation() {
        let table = orders();
        let key = PrimaryKey {
            name: None,
            columns: vec!["id".into()],
        };
        let unique = UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq".into(),
            columns: vec!["a".into()],
        };
        let check = Check {
            name: "ck".into(),
            expr: "a > 0".into(),
            not_valid: false,
        };
        let index = index("ix", &["a"]);
        for (change, expected) in [
            (
                Change::AddPrimaryKey {
                    table: table.clone(),
                    key: key.clone(),
                },
                (AccessExclusive, Scans),
            ),
            (
                Change::DropPrimaryKey {
                    table: table.clone(),
                    key,
                },
                (AccessExclusive, CatalogOnly),
            ),
            (
                Change::AddUnique {
                    table: table.clone(),
                    unique: unique.clone(),
                },
                (AccessExclusive, Scans),
            ),
            (
                Change::DropUnique {
                    table: table.clone(),
                    unique,
                },
                (AccessExclusive, CatalogOnly),
            ),
            (
                Change::AddCheck {
                    table: table.clone(),
                    check: check.clone(),
                },
                (AccessExclusive, Scans),
            ),
            (
                Change::DropCheck {
                    table: table.clone(),
                    check,
                },
                (AccessExclusive, CatalogOnly),
            ),
            (
                Change::AddIndex {
                    table: table.clone(),
                    index: index.clone(),
                },
                (Share, Scans),
            ),
            (
                Change::AlterIndex {
                    table: table.clone(),
                    from: index.clone(),
                    to: index.clone(),
                },
                (AccessExclusive, Scans),
            ),
            (
                Change::DropIndex {
                    table: table.clone(),
                    index,
                },
                (AccessExclusive, CatalogOnly),
            ),
            (
                Change::SetTableComment {
                    table: table.clone(),
                    from: None,
                    to: Some("x".into()),
                },
                (ShareUpdateExclusive, CatalogOnly),
            ),
            (
                Change::DropColumn {
                    table: table.clone(),
                    column: column(ColumnType::Text),
                },
                (AccessExclusive, CatalogOnly),
            ),
            (
                Change::RenameColumn {
                    table: table.clone(),
                    from: "a".into(),
                    to: "b".into(),
                },
                (AccessExclusive, CatalogOnly),
            ),
        ] {
            assert_eq!(one(&change), expected, "{}", change.describe());
        }
    }

    #[test]
    fn foreign_keys_lock_both_tables() {
        let add = Change::AddForeignKey {
            table: orders(),
            foreign_key: fk(customers()),
        };
        assert_eq!(
            effects(&add, None),
            [
                ("orders".to_string(), ShareRowExclusive, Scans),
                ("customers".to_string(), ShareRowExclusive, Scans),
            ]
        );
        let drop = Change::DropForeignKey {
            table: orders(),
            foreign_key: fk(customers()),
        };
        assert_eq!(
            effects(&drop, None),
            [
                ("orders".to_string(), AccessExclusive, CatalogOnly),
                ("customers".to_string(), AccessExclusive, CatalogOnly),
            ]
        );
        // A key on its own table: one table, the stronger of the two.
        let own = Change::AddForeignKey {
            table: orders(),
            foreign_key: fk(orders()),
        };
        assert_eq!(
            effects(&own, None),
            [("orders".to_string(), ShareRowExclusive, Scans)]
        );
        let dropped_table = Change::DropTable {
            table: TableDef {
                schema: Some("public".into()),
                name: "orders".into(),
                foreign_keys: vec![fk(customers())],
                ..TableDef::default()
            },
        };
        assert_eq!(
            effects(&dropped_table, None),
            [
                ("orders".to_string(), AccessExclusive, CatalogOnly),
                ("customers".to_string(), AccessExclusive, CatalogOnly),
            ]
        );
    }

    #[test]
    fn new_tables_and_schemas_have_no_effect_worth_reporting() {
        let create = Change::CreateTable {
            table: TableDef {
                schema: Some("public".into()),
                name: "orders".into(),
                ..TableDef::default()
            },
        };
        assert!(effects(&create, None).is_empty());
        let schema = Change::CreateSchema {
            schema: "app".into(),
        };
        assert!(effects(&schema, None).is_empty());
    }
}
