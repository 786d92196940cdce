//! MySQL's own rules, on top of the shared ones. Each refusal names the table and the
//! column or constraint and says what to change.

use super::{DATABASE_SCHEMA, MySql};
use crate::dialect::Dialect;
use crate::dialect::validate::{common, find_column, identifiers, invalid, no_arrays};
use crate::error::Result;
use crate::model::{ColumnType, FkAction, SortOrder, TableDef};

/// The longest identifier MySQL and MariaDB accept, in characters. Longer names are
/// refused by the server (not truncated as on PostgreSQL), so a declaration holding one
/// would fail half-way through a plan: it is refused before anything runs.
pub const MAX_IDENTIFIER_CHARS: usize = 64;

/// The largest `VARCHAR(n)`: a row holds at most 65,535 bytes, 4 per utf8mb4 character.
const MAX_VARCHAR_LENGTH: u32 = 16_383;

/// The largest `VARCHAR(n)` a key can hold whole: InnoDB keys hold 3,072 bytes, 4 per
/// utf8mb4 character.
const MAX_KEY_VARCHAR_LENGTH: u32 = 768;

/// DECIMAL's limits.
const MAX_DECIMAL_PRECISION: u32 = 65;
const MAX_DECIMAL_SCALE: u32 = 30;

/// Comment lengths, in characters.
const MAX_TABLE_COMMENT: usize = 2048;
const MAX_COLUMN_COMMENT: usize = 1024;

/// The shared rules, then MySQL's (see the refusals below).
pub(super) fn table(dialect: &MySql, table: &TableDef) -> Result<()> {
    common(dialect, table)?;
    no_arrays(dialect, table, "JSON")?;
    schema(table)?;
    for (what, name) in identifiers(table) {
        if what == "schema name" {
            continue;
        }
        identifier(table, what, name)?;
    }
    file_name(table)?;
    comments(table)?;
    for column in &table.columns {
        column_type(table, &column.name, &column.ty)?;
    }
    keys(dialect, table)?;
    indexes(table)?;
    auto_increment(dialect, table)?;
    for fk in &table.foreign_keys {
        for (clause, action) in [("ON DELETE", fk.on_delete), ("ON UPDATE", fk.on_update)] {
            if action == FkAction::SetDefault {
                return Err(invalid(
                    table,
                    format!(
                        "foreign key `{}` has {clause} SET DEFAULT, which InnoDB refuses; use RESTRICT, CASCADE, SET NULL or NO ACTION",
                        fk.name
                    ),
                ));
            }
        }
        if !fk.deferrable.is_default() {
            return Err(invalid(
                table,
                format!(
                    "foreign key `{}` is {}, but InnoDB checks every foreign key at once and has no deferrable constraints; remove `deferrable`/`initially_deferred`",
                    fk.name,
                    fk.deferrable.as_sql()
                ),
            ));
        }
    }
    if let Some(unique) = table.uniques.iter().find(|u| u.nulls_not_distinct) {
        return Err(invalid(
            table,
            format!(
                "unique constraint `{}` is NULLS NOT DISTINCT, which MySQL and MariaDB do not have (a UNIQUE key there allows any number of NULLs); remove `nulls_not_distinct`, or make its columns NOT NULL",
                unique.name
            ),
        ));
    }
    Ok(())
}

/// MySQL has no schemas inside a database: tables live in the connection's database,
/// which the normal form names [`DATABASE_SCHEMA`].
fn schema(table: &TableDef) -> Result<()> {
    let other =
        |schema: Option<&str>| schema.is_some_and(|s| !s.eq_ignore_ascii_case(DATABASE_SCHEMA));
    if other(table.schema.as_deref()) {
        return Err(invalid(
            table,
            format!(
                "the table names schema `{}`, but MySQL has no schemas inside a database: dbconform manages the database the connection names; remove `schema`",
                table.schema.as_deref().unwrap_or_default()
            ),
        ));
    }
    if let Some(fk) = table
        .foreign_keys
        .iter()
        .find(|fk| other(fk.references.schema.as_deref()))
    {
        return Err(invalid(
            table,
            format!(
                "foreign key `{}` references `{}` in another schema, but MySQL has no schemas inside a database: reference a table of the same database",
                fk.name, fk.references
            ),
        ));
    }
    Ok(())
}

/// The longest file name the file systems MySQL runs on take (ext4, XFS, NTFS, APFS).
const MAX_FILE_NAME_BYTES: usize = 255;

/// InnoDB keeps a table in a file named after it (`<name>.ibd`), spelling each character
/// other than an ASCII letter, digit or `_` as `@` and a code (M12): three characters for
/// the letters of the Latin, Greek and Cyrillic blocks, five for the rest. A table name of
/// 64 characters can so need 325 bytes: the server takes the name, then the file system
/// refuses the file ("File name too long") — after the steps before it committed.
fn file_name(table: &TableDef) -> Result<()> {
    let bytes: usize = table
        .name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => 1,
            '\u{c0}'..='\u{5ff}' if c.is_alphabetic() => 3,
            _ => 5,
        })
        .sum::<usize>()
        + ".ibd".len();
    if bytes > MAX_FILE_NAME_BYTES {
        return Err(invalid(
            table,
            format!(
                "table name `{}` makes an InnoDB file name of {bytes} bytes (each character other than an ASCII letter, digit or `_` is spelled with 3 to 5), longer than the {MAX_FILE_NAME_BYTES} file systems take: shorten it or use plainer characters",
                table.name
            ),
        ));
    }
    Ok(())
}

/// At most 64 characters, no trailing space, nothing outside the Basic Multilingual Plane.
fn identifier(table: &TableDef, what: &str, name: &str) -> Result<()> {
    let chars = name.chars().count();
    if chars > MAX_IDENTIFIER_CHARS {
        return Err(invalid(
            table,
            format!(
                "{what} `{name}` is {chars} characters long; MySQL and MariaDB refuse identifiers longer than {MAX_IDENTIFIER_CHARS} characters: shorten it to {MAX_IDENTIFIER_CHARS} characters or fewer"
            ),
        ));
    }
    if name.ends_with(' ') {
        return Err(invalid(
            table,
            format!("{what} `{name}` ends with a space, which MySQL refuses; remove it"),
        ));
    }
    if let Some(ch) = name.chars().find(|c| u32::from(*c) > 0xFFFF) {
        return Err(invalid(
            table,
            format!(
                "{what} `{name}` holds `{ch}`, a character outside the Basic Multilingual Plane, which MySQL identifiers cannot hold; use another name"
            ),
        ));
    }
    Ok(())
}

fn comments(table: &TableDef) -> Result<()> {
    if let Some(comment) = &table.comment
        && comment.chars().count() > MAX_TABLE_COMMENT
    {
        return Err(invalid(
            table,
            format!(
                "the table comment is longer than {MAX_TABLE_COMMENT} characters, which MySQL refuses; shorten it"
            ),
        ));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment
            && comment.chars().count() > MAX_COLUMN_COMMENT
        {
            return Err(invalid(
                table,
                format!(
                    "the comment of column `{}` is longer than {MAX_COLUMN_COMMENT} characters, which MySQL refuses; shorten it",
                    column.name
                ),
            ));
        }
    }
    Ok(())
}

fn column_type(table: &TableDef, name: &str, ty: &ColumnType) -> Result<()> {
    match ty {
        ColumnType::Decimal {
            precision: None, ..
        } => Err(invalid(
            table,
            format!(
                "column `{name}` is a decimal without a precision; MySQL has no unconstrained DECIMAL (a bare DECIMAL is DECIMAL(10,0) and rounds every fraction away): set `precision` and `scale`"
            ),
        )),
        ColumnType::Decimal {
            precision: Some(p),
            scale,
        } if *p > MAX_DECIMAL_PRECISION
            || scale.is_some_and(|s| s > MAX_DECIMAL_SCALE || s > *p) =>
        {
            Err(invalid(
                table,
                format!(
                    "column `{name}` is DECIMAL({p},{}); MySQL allows a precision of at most {MAX_DECIMAL_PRECISION} and a scale of at most {MAX_DECIMAL_SCALE} and no larger than the precision: lower them",
                    scale.unwrap_or(0)
                ),
            ))
        }
        ColumnType::Varchar(n) if *n > MAX_VARCHAR_LENGTH => Err(invalid(
            table,
            format!(
                "column `{name}` is VARCHAR({n}); MySQL allows at most VARCHAR({MAX_VARCHAR_LENGTH}) in utf8mb4 (a row holds 65,535 bytes): lower `max_length` or remove it for TEXT"
            ),
        )),
        _ => Ok(()),
    }
}

/// Every column of a primary key, unique constraint, index or foreign key can be indexed
/// whole: a TEXT, BLOB or JSON column cannot (MySQL indexes TEXT only by a prefix, which
/// dbconform cannot declare and which would not make the whole value unique), and a
/// VARCHAR key is at most 768 characters.
fn keys(dialect: &MySql, table: &TableDef) -> Result<()> {
    let mut keyed: Vec<(String, &str)> = Vec::new();
    if let Some(pk) = &table.primary_key {
        keyed.extend(
            pk.columns
                .iter()
                .map(|c| ("the primary key".to_string(), c.as_str())),
        );
    }
    for u in &table.uniques {
        keyed.extend(
            u.columns
                .iter()
                .map(|c| (format!("unique constraint `{}`", u.name), c.as_str())),
        );
    }
    for i in &table.indexes {
        keyed.extend(
            i.columns
                .iter()
                .filter(|c| !c.expression)
                .map(|c| (format!("index `{}`", i.name), c.name.as_str())),
        );
    }
    for fk in &table.foreign_keys {
        keyed.extend(
            fk.columns
                .iter()
                .map(|c| (format!("foreign key `{}`", fk.name), c.as_str())),
        );
    }
    for (what, name) in keyed {
        let Some(column) = find_column(dialect, table, name) else {
            continue;
        };
        let name = &column.name;
        match &column.ty {
            ColumnType::Text => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is a String without `max_length` (TEXT) and is part of {what}; MySQL can index a TEXT column only by a prefix, which would not cover the whole value: add `max_length` (at most {MAX_KEY_VARCHAR_LENGTH}) so it is VARCHAR(n)"
                    ),
                ));
            }
            ColumnType::Blob | ColumnType::Json => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is {} and is part of {what}; MySQL cannot index such a column whole: leave it out of {what}",
                        dialect.column_type_sql(&column.ty)
                    ),
                ));
            }
            ColumnType::Varchar(n) if *n > MAX_KEY_VARCHAR_LENGTH => {
                return Err(invalid(
                    table,
                    format!(
                        "column `{name}` is VARCHAR({n}) and is part of {what}; an InnoDB key holds at most 3072 bytes, VARCHAR({MAX_KEY_VARCHAR_LENGTH}) in utf8mb4: lower `max_length` to {MAX_KEY_VARCHAR_LENGTH} or less"
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What MySQL indexes cannot be: partial, with INCLUDE columns, NULLS NOT DISTINCT, of
/// another method than B-tree (InnoDB silently builds a B-tree for `USING HASH`, which
/// would then differ from the declaration forever), with operator classes, a NULLS order
/// other than MySQL's own (NULLs first ascending, last descending), or with expression
/// keys (MariaDB has none).
fn indexes(table: &TableDef) -> Result<()> {
    for index in &table.indexes {
        let name = &index.name;
        let problem = if index.predicate.is_some() {
            Some("has a WHERE predicate; MySQL has no partial indexes: remove the predicate")
        } else if !index.include.is_empty() {
            Some("has INCLUDE columns, which MySQL does not have: remove them")
        } else if index.nulls_not_distinct {
            Some("is NULLS NOT DISTINCT, which MySQL does not have: remove it")
        } else if index
            .method
            .as_deref()
            .is_some_and(|m| !m.trim().eq_ignore_ascii_case("btree"))
        {
            Some(
                "has an access method other than btree; InnoDB builds every index as a B-tree: remove the method",
            )
        } else if index.columns.iter().any(|c| c.opclass.is_some()) {
            Some("has an operator class, which MySQL does not have: remove it")
        } else if index.columns.iter().any(|c| {
            c.nulls.is_some_and(|n| {
                n != match c.order {
                    SortOrder::Asc => crate::model::NullsOrder::First,
                    SortOrder::Desc => crate::model::NullsOrder::Last,
                }
            })
        }) {
            Some(
                "has a NULLS order MySQL cannot have (NULLs sort first ascending, last descending): remove it",
            )
        } else if index.columns.iter().any(|c| c.expression) {
            Some(
                "has an expression key; MariaDB has no expression indexes: index a generated column instead",
            )
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(invalid(table, format!("index `{name}` {problem}")));
        }
    }
    Ok(())
}

/// InnoDB allows one AUTO_INCREMENT column per table, and only as the first column of a
/// key.
fn auto_increment(dialect: &MySql, table: &TableDef) -> Result<()> {
    let auto: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.auto_increment)
        .map(|c| c.name.as_str())
        .collect();
    if auto.len() > 1 {
        return Err(invalid(
            table,
            format!(
                "columns `{}` are all auto-increment; MySQL allows one AUTO_INCREMENT column per table: keep one",
                auto.join("`, `")
            ),
        ));
    }
    let Some(&name) = auto.first() else {
        return Ok(());
    };
    let leads = |columns: &[String]| {
        columns
            .first()
            .is_some_and(|c| dialect.same_identifier(c, name))
    };
    let keyed = table
        .primary_key
        .as_ref()
        .is_some_and(|pk| leads(&pk.columns))
        || table.uniques.iter().any(|u| leads(&u.columns))
        || table.indexes.iter().any(|i| {
            i.columns
                .first()
                .is_some_and(|c| !c.expression && dialect.same_identifier(&c.name, name))
        });
    if !keyed {
        return Err(invalid(
            table,
            format!(
                "column `{name}` is auto-increment but leads no key; MySQL requires an AUTO_INCREMENT column to be the first column of the primary key, a unique constraint or an index: make it the primary key"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dialect::{Dialect, MYSQL};
    use crate::model::{
        Check, Column, ColumnType, FkAction, ForeignKey, Index, IndexColumn, PrimaryKey,
        QualifiedName, TableDef, UniqueConstraint,
    };

    fn serial(name: &str) -> Column {
        Column {
            auto_increment: true,
            ..Column::new(name, ColumnType::BigInt)
        }
    }

    fn t(columns: Vec<Column>) -> TableDef {
        let mut all = vec![serial("id")];
        all.extend(columns);
        TableDef {
            name: "t".into(),
            columns: all,
            primary_key: Some(PrimaryKey {
                name: None,
                columns: vec!["id".into()],
            }),
            ..TableDef::default()
        }
    }

    fn message(table: &TableDef) -> String {
        match MYSQL.validate_table(table) {
            Ok(()) => panic!("accepted {table:?}"),
            Err(e) => e.to_string(),
        }
    }

    fn index(name: &str, column: &str) -> Index {
        Index {
            name: name.into(),
            columns: vec![IndexColumn::asc(column)],
            unique: false,
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
            invalid: false,
        }
    }

    #[test]
    fn identifiers_longer_than_64_characters_are_refused() {
        let long = "x".repeat(65);
        let mut table = t(vec![Column::new(long.as_str(), ColumnType::Integer)]);
        assert_eq!(
            message(&table),
            format!(
                "table `t`: column name `{long}` is 65 characters long; MySQL and MariaDB refuse identifiers longer than 64 characters: shorten it to 64 characters or fewer"
            )
        );
        // The limit is in characters: 64 two-byte characters are fine.
        table.columns[1].name = "é".repeat(64);
        assert!(MYSQL.validate_table(&table).is_ok());
        let mut table = t(vec![]);
        table.name = "y".repeat(65);
        assert!(
            message(&table).contains("table name `yyyy"),
            "{}",
            message(&table)
        );
        let mut table = t(vec![Column::new("a", ColumnType::Integer)]);
        table.checks.push(Check {
            name: "c".repeat(65),
            expr: "a > 0".into(),
            not_valid: false,
        });
        assert!(message(&table).contains("check constraint name"));
    }

    #[test]
    fn table_names_whose_innodb_file_name_is_too_long_are_refused() {
        // As measured on MariaDB 10.11: 50 CJK characters make a 254-byte file name and
        // work, 51 fail with "File name too long"; 64 `é` (3 each) work, 64 `-` (5
        // each) fail.
        let named = |name: String| TableDef { name, ..t(vec![]) };
        for fits in ["表".repeat(50), "é".repeat(64), "x".repeat(64)] {
            assert!(MYSQL.validate_table(&named(fits.clone())).is_ok(), "{fits}");
        }
        for long in ["表".repeat(51), "-".repeat(64)] {
            let message = message(&named(long.clone()));
            assert!(
                message.contains("makes an InnoDB file name of")
                    && message.contains("longer than the 255 file systems take"),
                "{message}"
            );
        }
        // Column names are not files.
        let table = t(vec![Column::new(
            "表".repeat(64).as_str(),
            ColumnType::Integer,
        )]);
        assert!(MYSQL.validate_table(&table).is_ok());
    }

    #[test]
    fn names_mysql_cannot_hold_are_refused() {
        let table = t(vec![Column::new("a ", ColumnType::Integer)]);
        assert_eq!(
            message(&table),
            "table `t`: column name `a ` ends with a space, which MySQL refuses; remove it"
        );
        let table = t(vec![Column::new("a😀", ColumnType::Integer)]);
        assert_eq!(
            message(&table),
            "table `t`: column name `a😀` holds `😀`, a character outside the Basic Multilingual Plane, which MySQL identifiers cannot hold; use another name"
        );
    }

    #[test]
    fn text_keys_need_max_length() {
        let mut table = t(vec![Column::new("email", ColumnType::Text)]);
        table.uniques.push(UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq_t_email".into(),
            columns: vec!["email".into()],
        });
        assert_eq!(
            message(&table),
            "table `t`: column `email` is a String without `max_length` (TEXT) and is part of unique constraint `uq_t_email`; MySQL can index a TEXT column only by a prefix, which would not cover the whole value: add `max_length` (at most 768) so it is VARCHAR(n)"
        );
        let mut table = t(vec![Column::new("name", ColumnType::Text)]);
        table.indexes.push(index("ix_t_name", "name"));
        assert!(message(&table).contains(
            "column `name` is a String without `max_length` (TEXT) and is part of index `ix_t_name`"
        ));
        let mut table = t(vec![Column::new("code", ColumnType::Text)]);
        table.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into(), "code".into()],
        });
        assert!(message(&table).contains("is part of the primary key"));
        let mut table = t(vec![Column::new("doc", ColumnType::Json)]);
        table.indexes.push(index("ix_doc", "doc"));
        assert_eq!(
            message(&table),
            "table `t`: column `doc` is JSON and is part of index `ix_doc`; MySQL cannot index such a column whole: leave it out of index `ix_doc`"
        );
        let mut table = t(vec![Column::new("s", ColumnType::Varchar(769))]);
        table.indexes.push(index("ix_s", "s"));
        assert!(message(&table).contains("lower `max_length` to 768 or less"));
        // VARCHAR keys are fine; TEXT outside keys is fine.
        let mut table = t(vec![
            Column::new("email", ColumnType::Varchar(255)),
            Column::new("body", ColumnType::Text),
        ]);
        table.uniques.push(UniqueConstraint {
            nulls_not_distinct: false,
            name: "uq".into(),
            columns: vec!["email".into()],
        });
        assert!(MYSQL.validate_table(&table).is_ok());
    }

    #[test]
    fn schemas_decimals_and_indexes_mysql_cannot_have() {
        let mut table = t(vec![]);
        table.schema = Some("billing".into());
        assert_eq!(
            message(&table),
            "table `billing.t`: the table names schema `billing`, but MySQL has no schemas inside a database: dbconform manages the database the connection names; remove `schema`"
        );
        let table = t(vec![Column::new(
            "amount",
            ColumnType::Decimal {
                precision: None,
                scale: None,
            },
        )]);
        assert!(message(&table).contains("MySQL has no unconstrained DECIMAL"));
        let table = t(vec![Column::new(
            "amount",
            ColumnType::Decimal {
                precision: Some(66),
                scale: Some(2),
            },
        )]);
        assert!(message(&table).contains("DECIMAL(66,2)"));
        let mut table = t(vec![Column::new("a", ColumnType::Integer)]);
        let mut partial = index("ix_a", "a");
        partial.predicate = Some("a > 0".into());
        table.indexes.push(partial);
        assert_eq!(
            message(&table),
            "table `t`: index `ix_a` has a WHERE predicate; MySQL has no partial indexes: remove the predicate"
        );
        let mut table = t(vec![Column::new("a", ColumnType::Integer)]);
        table.foreign_keys.push(ForeignKey {
            deferrable: Default::default(),
            name: "fk".into(),
            columns: vec!["a".into()],
            references: QualifiedName::new("t"),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::SetDefault,
            on_update: FkAction::NoAction,
            not_valid: false,
        });
        assert!(message(&table).contains("ON DELETE SET DEFAULT, which InnoDB refuses"));
    }

    #[test]
    fn auto_increment_must_lead_a_key() {
        let mut table = t(vec![]);
        table.primary_key = None;
        assert!(message(&table).contains("column `id` is auto-increment but leads no key"));
        let mut table = t(vec![serial("other")]);
        table.indexes.push(index("ix_other", "other"));
        assert!(message(&table).contains("MySQL allows one AUTO_INCREMENT column per table"));
    }
}
