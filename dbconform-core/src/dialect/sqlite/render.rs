//! SQLite DDL: CREATE TABLE (column definitions by sea-query's `SqliteQueryBuilder`, table
//! constraints by hand) and CREATE INDEX. Comments are skipped: SQLite cannot store them.

use super::Sqlite;
use crate::dialect::{Dialect, render as shared};
use crate::error::{Error, Result};
use crate::model::{Column, TableDef};
use sea_query::SqliteQueryBuilder;

/// CREATE TABLE followed by its CREATE INDEX statements, the table validated first.
pub(super) fn create_table(
    dialect: &Sqlite,
    table: &TableDef,
    deferred_fks: &[String],
) -> Result<Vec<String>> {
    dialect.validate_table(table)?;
    create_table_unvalidated(dialect, table, deferred_fks)
}

/// [`create_table`] without validating `table` as a declaration: for a table rebuild,
/// whose new table is the (already validated) declaration plus what the database has and
/// keeps as it is — an unnamed constraint stays unnamed, which a declaration may not be.
pub(super) fn create_table_unvalidated(
    dialect: &Sqlite,
    table: &TableDef,
    deferred_fks: &[String],
) -> Result<Vec<String>> {
    if !deferred_fks.is_empty() {
        return Err(Error::Unsupported {
            dialect: dialect.name(),
            table: Some(table.qualified_name()),
            what: format!(
                "SQLite cannot add a foreign key after CREATE TABLE, so foreign keys ({}) cannot be deferred; keep them inline (SQLite accepts references to tables created later)",
                deferred_fks.join(", ")
            ),
        });
    }
    // Validation guarantees an auto-increment column is the whole primary key, which its
    // inline `PRIMARY KEY AUTOINCREMENT` then declares.
    let primary_key_inline = table.columns.iter().any(|c| c.auto_increment);
    let columns = table
        .columns
        .iter()
        .map(|c| column_sql(dialect, table, c))
        .collect();
    let mut statements = shared::create_table_statements(
        dialect,
        &SqliteQueryBuilder,
        table,
        columns,
        primary_key_inline,
        deferred_fks,
    )?;
    // Table options come after the closing parenthesis (a table rebuild carries a
    // reflected table's options over; declarations have none).
    let options: Vec<&str> = [
        (table.options.without_rowid, "WITHOUT ROWID"),
        (table.options.strict, "STRICT"),
    ]
    .into_iter()
    .filter_map(|(on, option)| on.then_some(option))
    .collect();
    if !options.is_empty()
        && let Some(create) = statements.first_mut()
    {
        create.push(' ');
        create.push_str(&options.join(", "));
    }
    Ok(statements)
}

/// One column: `"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT` for the auto-increment
/// key (`CONSTRAINT "pk" PRIMARY KEY AUTOINCREMENT` when the key is named), the common
/// definition otherwise; then its collation and generation expression, if any.
fn column_sql(dialect: &Sqlite, table: &TableDef, column: &Column) -> String {
    let mut def = shared::base_column_def(dialect, column);
    if let Some(collation) = &column.collation {
        def.extra(format!("COLLATE {}", dialect.quote_ident(collation)));
    }
    if let Some(generated) = &column.generated {
        def.extra(format!(
            "GENERATED ALWAYS AS ({}) {}",
            generated.expr.trim(),
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
    }
    if column.auto_increment {
        match table.primary_key.as_ref().and_then(|pk| pk.name.as_deref()) {
            None => {
                def.primary_key().auto_increment();
            }
            Some(name) => {
                def.extra(format!(
                    "CONSTRAINT {} PRIMARY KEY AUTOINCREMENT",
                    dialect.quote_ident(name)
                ));
            }
        }
    }
    shared::column_def_sql(&SqliteQueryBuilder, &def)
}

#[cfg(test)]
mod tests {
    use crate::dialect::fixtures::{self, col, pk, resolved, serial, with_default};
    use crate::dialect::{Dialect, SQLITE};
    use crate::model::{Column, ColumnType, PrimaryKey, TableDef};

    fn sql(table: &TableDef) -> Vec<String> {
        match SQLITE.create_table_sql(table, &[]) {
            Ok(statements) => statements,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn every_column_type_and_constraint() {
        let expected = [
            r#"CREATE TABLE "products" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "sku" VARCHAR(64) NOT NULL,
  "description" TEXT,
  "price" NUMERIC(10,2) NOT NULL DEFAULT 0,
  "whole" NUMERIC(12),
  "any_number" NUMERIC,
  "small" SMALLINT NOT NULL DEFAULT -1,
  "qty" INTEGER NOT NULL DEFAULT (1+1),
  "vendor_id" BIGINT NOT NULL,
  "parent_id" BIGINT,
  "ratio" REAL,
  "score" DOUBLE,
  "active" BOOLEAN NOT NULL DEFAULT TRUE,
  "data" BLOB,
  "day" DATE,
  "at" TIME,
  "seen" TIMESTAMP,
  "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "uid" BLOB,
  "doc" TEXT,
  "email" citext,
  "note" TEXT NOT NULL DEFAULT 'a;b',
  "quote" TEXT NOT NULL DEFAULT 'it''s',
  "lowered" TEXT NOT NULL DEFAULT (lower('X')),
  CONSTRAINT "uq_products_sku" UNIQUE ("sku"),
  CONSTRAINT "fk_products_parent" FOREIGN KEY ("parent_id") REFERENCES "products" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "fk_products_vendor" FOREIGN KEY ("vendor_id") REFERENCES "vendors" ("id") ON DELETE CASCADE,
  CONSTRAINT "ck_products_price" CHECK (price >= 0)
)"#,
            r#"CREATE INDEX "ix_products_vendor_sku" ON "products" ("vendor_id", "sku" DESC)"#,
            r#"CREATE UNIQUE INDEX "ux_products_email" ON "products" ("email") WHERE email IS NOT NULL"#,
        ];
        // Declared as custom `NUMERIC(p,s)` types (a `Decimal` declaration is refused on
        // SQLite) the DDL is the same as for reflected `Decimal` columns a rebuild keeps.
        let products = fixtures::sqlite_declarable(fixtures::products());
        assert_eq!(sql(&products), expected);
        assert_eq!(
            super::create_table_unvalidated(
                &crate::dialect::sqlite::Sqlite,
                &fixtures::products(),
                &[]
            )
            .unwrap(),
            expected
        );
        // Resolved to `main`, the output is the same: SQLite names are never qualified.
        assert_eq!(sql(&resolved(products, "main")), expected);
    }

    #[test]
    fn hostile_names_are_quoted_and_comments_skipped() {
        assert_eq!(
            sql(&fixtures::hostile()),
            [
                r#"CREATE TABLE "user" (
  "order" INTEGER NOT NULL,
  "group" TEXT NOT NULL,
  "na""me" TEXT NOT NULL,
  "with space" TEXT NOT NULL,
  "ünïcødé" TEXT NOT NULL,
  CONSTRAINT "pk ""user""" PRIMARY KEY ("order", "group"),
  CONSTRAINT "uq ""ünï""" UNIQUE ("ünïcødé", "with space"),
  CONSTRAINT "fk ""self""" FOREIGN KEY ("na""me", "with space") REFERENCES "user" ("ünïcødé", "with space") ON DELETE RESTRICT ON UPDATE SET DEFAULT,
  CONSTRAINT "ck ""order""" CHECK ("order" > 0)
)"#,
                r#"CREATE INDEX "ix ""group""" ON "user" ("group" DESC)"#,
            ]
        );
    }

    #[test]
    fn autoincrement_is_an_inline_integer_primary_key_whatever_the_integer_type() {
        for ty in [
            ColumnType::SmallInt,
            ColumnType::Integer,
            ColumnType::BigInt,
        ] {
            let table = TableDef {
                name: "t".into(),
                columns: vec![Column { ty, ..serial("id") }, col("v", ColumnType::Text)],
                primary_key: pk(&["id"]),
                ..TableDef::default()
            };
            assert_eq!(
                sql(&table),
                [r#"CREATE TABLE "t" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "v" TEXT NOT NULL
)"#]
            );
        }
    }

    #[test]
    fn named_autoincrement_key_keeps_its_name_inline() {
        let table = TableDef {
            name: "t".into(),
            columns: vec![serial("id")],
            primary_key: Some(PrimaryKey {
                name: Some("pk_t".into()),
                columns: vec!["id".into()],
            }),
            ..TableDef::default()
        };
        assert_eq!(
            sql(&table),
            [r#"CREATE TABLE "t" (
  "id" INTEGER NOT NULL CONSTRAINT "pk_t" PRIMARY KEY AUTOINCREMENT
)"#]
        );
    }

    #[test]
    fn integer_key_without_autoincrement_is_a_table_constraint() {
        let table = TableDef {
            name: "t".into(),
            columns: vec![col("id", ColumnType::BigInt)],
            primary_key: pk(&["id"]),
            ..TableDef::default()
        };
        assert_eq!(
            sql(&table),
            [r#"CREATE TABLE "t" (
  "id" BIGINT NOT NULL,
  PRIMARY KEY ("id")
)"#]
        );
    }

    #[test]
    fn composite_primary_key() {
        let table = TableDef {
            name: "memberships".into(),
            columns: vec![
                col("user_id", ColumnType::BigInt),
                col("group_id", ColumnType::BigInt),
                with_default("role", ColumnType::Text, "'member'"),
            ],
            primary_key: pk(&["user_id", "group_id"]),
            ..TableDef::default()
        };
        assert_eq!(
            sql(&table),
            [r#"CREATE TABLE "memberships" (
  "user_id" BIGINT NOT NULL,
  "group_id" BIGINT NOT NULL,
  "role" TEXT NOT NULL DEFAULT 'member',
  PRIMARY KEY ("user_id", "group_id")
)"#]
        );
    }

    #[test]
    fn foreign_keys_cannot_be_deferred_or_added_later() {
        let products = fixtures::sqlite_declarable(fixtures::products());
        let err = SQLITE
            .create_table_sql(&products, &["fk_products_vendor".to_string()])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "table `products`: SQLite cannot add a foreign key after CREATE TABLE, so foreign keys (fk_products_vendor) cannot be deferred; keep them inline (SQLite accepts references to tables created later)"
        );
        assert_eq!(
            SQLITE
                .add_foreign_key_sql(&products, "fk_products_vendor")
                .unwrap(),
            None
        );
        assert_eq!(SQLITE.create_schema_sql("main"), None);
    }

    #[test]
    fn invalid_tables_are_refused_before_rendering() {
        let table = TableDef {
            name: "t".into(),
            ..TableDef::default()
        };
        assert!(SQLITE.create_table_sql(&table, &[]).is_err());
    }
}
