//! MySQL DDL: CREATE TABLE (columns, keys, constraints, indexes and comments in one
//! statement) and ALTER TABLE ADD CONSTRAINT ... FOREIGN KEY.
//!
//! Column definitions are written here rather than by sea-query's `MysqlQueryBuilder`:
//! MySQL's column definition carries what sea-query's shared column definition does not
//! (an inline `COMMENT`, `COLLATE` before the generation clause) and literals must be
//! written with `\` escaped by the one quoting function ([`quote_literal`]), which a
//! verbatim default would bypass. Everything that holds a name goes through
//! `Dialect::quote_ident`, as for the other dialects (`dialect/render.rs`).
//!
//! Indexes are written inside CREATE TABLE: MySQL commits each DDL statement on its own,
//! so one statement creates the table whole or not at all.

use super::MySql;
use super::TABLE_OPTIONS;
use super::lex::{quote_literal, to_mysql};
use super::normalize::timestamp_function;
use super::sql_expr::expression;
use super::types::{datetime_precision, default_needs_parentheses};
use crate::dialect::expr::{is_parenthesized, is_signed_number, is_string_literal};
use crate::dialect::{Dialect, render as shared};
use crate::error::Result;
use crate::model::{Check, Column, Index, SortOrder, TableDef};

/// CREATE TABLE with everything the table declares, then nothing else.
pub(super) fn create_table(
    dialect: &MySql,
    table: &TableDef,
    deferred_fks: &[String],
) -> Result<Vec<String>> {
    dialect.validate_table(table)?;
    let mut elements: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_definition(dialect, c))
        .collect();
    if let Some(pk) = &table.primary_key {
        elements.push(primary_key_clause(dialect, &pk.columns));
    }
    elements.extend(
        table
            .uniques
            .iter()
            .map(|u| shared::unique_clause(dialect, u)),
    );
    elements.extend(
        shared::inline_foreign_keys(table, deferred_fks)?
            .into_iter()
            .map(|fk| shared::foreign_key_clause(dialect, fk)),
    );
    elements.extend(table.checks.iter().map(|c| check_clause(dialect, c)));
    elements.extend(table.indexes.iter().map(|i| index_clause(dialect, i)));
    let mut sql = format!(
        "CREATE TABLE {} (\n  {}\n) {TABLE_OPTIONS}",
        dialect.quote_table(&table.qualified_name()),
        elements.join(",\n  ")
    );
    if let Some(comment) = table.comment.as_deref().filter(|c| !c.is_empty()) {
        sql.push_str(&format!(" COMMENT={}", quote_literal(comment)));
    }
    Ok(vec![sql])
}

/// `PRIMARY KEY (..)`, never named: MySQL names every primary key `PRIMARY`.
pub(super) fn primary_key_clause(dialect: &MySql, columns: &[String]) -> String {
    format!("PRIMARY KEY ({})", shared::column_list(dialect, columns))
}

/// `CONSTRAINT `ck` CHECK (expr)`, the expression with MySQL's literal quoting.
pub(super) fn check_clause(dialect: &MySql, check: &Check) -> String {
    let expr = to_mysql(check.expr.trim());
    if check.name.is_empty() {
        format!("CHECK ({expr})")
    } else {
        format!(
            "CONSTRAINT {} CHECK ({expr})",
            dialect.quote_ident(&check.name)
        )
    }
}

/// `[UNIQUE ]INDEX `ix` (`a`, `b` DESC)` inside CREATE TABLE.
fn index_clause(dialect: &MySql, index: &Index) -> String {
    format!(
        "{}INDEX {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        dialect.quote_ident(&index.name),
        index_keys(dialect, index)
    )
}

/// `` `a`, `b` DESC ``: an index's keys (validation refuses expression keys, operator
/// classes and NULLS orders MySQL cannot write).
pub(super) fn index_keys(dialect: &MySql, index: &Index) -> String {
    index
        .columns
        .iter()
        .map(|c| {
            let mut key = dialect.quote_ident(&c.name);
            if c.order == SortOrder::Desc {
                key.push_str(" DESC");
            }
            key
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One whole column definition, as CREATE TABLE, ADD COLUMN and MODIFY COLUMN write it:
/// `` `c` TYPE [COLLATE x] [GENERATED ALWAYS AS (..) STORED|VIRTUAL] [NOT NULL]
/// [DEFAULT ..] [AUTO_INCREMENT] [COMMENT '..'] ``. MODIFY COLUMN replaces the whole
/// definition, so everything the column has is always written.
pub(super) fn column_definition(dialect: &MySql, column: &Column) -> String {
    let mut sql = format!(
        "{} {}",
        dialect.quote_ident(&column.name),
        dialect.column_type_sql_for(column)
    );
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", dialect.quote_ident(collation)));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) {}",
            to_mysql(generated.expr.trim()),
            if generated.stored {
                "STORED"
            } else {
                "VIRTUAL"
            }
        ));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if column.generated.is_none() {
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&default_sql(column, default));
        }
        if column.auto_increment {
            sql.push_str(" AUTO_INCREMENT");
        }
        if let Some(on_update) = &column.on_update {
            sql.push_str(" ON UPDATE ");
            sql.push_str(on_update);
        }
    }
    if let Some(comment) = column.comment.as_deref().filter(|c| !c.is_empty()) {
        sql.push_str(&format!(" COMMENT {}", quote_literal(comment)));
    }
    sql
}

/// The text after `DEFAULT` (M4): the current time as `CURRENT_TIMESTAMP(n)` with the
/// column's fractional-seconds precision (MySQL refuses `CURRENT_TIMESTAMP` on a
/// `DATETIME(6)`); on TEXT, BLOB and JSON columns always an expression in parentheses
/// (MySQL accepts no literal default there); elsewhere literals, numbers and `NULL`/
/// `TRUE`/`FALSE` bare and any other expression in parentheses (MySQL 8.0.13+, MariaDB
/// 10.2+). Literals are re-quoted for MySQL (`'a\b'` keeps its backslash).
pub(super) fn default_sql(column: &Column, default: &str) -> String {
    if let Some(column_fsp) = datetime_precision(&column.ty)
        && let Some(fsp) = timestamp_function(&expression(default))
    {
        let fsp = fsp.unwrap_or(column_fsp);
        return if fsp == 0 {
            "CURRENT_TIMESTAMP".to_string()
        } else {
            format!("CURRENT_TIMESTAMP({fsp})")
        };
    }
    let text = to_mysql(default.trim());
    if is_parenthesized(&text) {
        return text;
    }
    if default_needs_parentheses(&column.ty) {
        return format!("({text})");
    }
    let lower = text.to_ascii_lowercase();
    let bare = is_string_literal(&text)
        || is_signed_number(&text)
        || matches!(lower.as_str(), "null" | "true" | "false")
        || (lower.starts_with("b'") && is_string_literal(&text[1..]));
    if bare { text } else { format!("({text})") }
}

/// `ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (..) REFERENCES ..`.
pub(super) fn add_foreign_key(dialect: &MySql, table: &TableDef, fk_name: &str) -> Result<String> {
    dialect.validate_table(table)?;
    let fk = shared::find_foreign_key(table, fk_name)?;
    Ok(format!(
        "ALTER TABLE {} ADD {}",
        dialect.quote_table(&table.qualified_name()),
        shared::foreign_key_clause(dialect, fk)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::{products, resolved};
    use crate::dialect::{Dialect, MYSQL};
    use crate::model::{Column, ColumnType, TableDef};

    fn sql(table: &TableDef) -> Vec<String> {
        match MYSQL.create_table_sql(&resolved(table.clone()), &[]) {
            Ok(statements) => statements,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn representative_table() {
        assert_eq!(
            sql(&products()),
            [r#"CREATE TABLE `products` (
  `id` BIGINT NOT NULL AUTO_INCREMENT,
  `sku` VARCHAR(64) NOT NULL,
  `description` TEXT COMMENT 'Free text, shown as is',
  `price` DECIMAL(10,2) NOT NULL DEFAULT 0,
  `whole` DECIMAL(12),
  `small` SMALLINT NOT NULL DEFAULT -1,
  `qty` INT NOT NULL DEFAULT (1+1),
  `vendor_id` BIGINT NOT NULL,
  `parent_id` BIGINT,
  `ratio` FLOAT,
  `score` DOUBLE,
  `active` TINYINT(1) NOT NULL DEFAULT TRUE,
  `data` LONGBLOB,
  `day` DATE,
  `at` TIME(6),
  `seen` DATETIME(6),
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `uid` CHAR(36),
  `doc` JSON,
  `code` enum('a','b') NOT NULL DEFAULT 'a',
  `note` TEXT NOT NULL DEFAULT ('a;b'),
  `quote` VARCHAR(20) NOT NULL DEFAULT 'it''s',
  `path` VARCHAR(20) NOT NULL DEFAULT 'a\\b',
  `lowered` VARCHAR(20) NOT NULL DEFAULT (lower('X')),
  `day_added` DATE NOT NULL DEFAULT (CURRENT_DATE),
  PRIMARY KEY (`id`),
  CONSTRAINT `uq_products_sku` UNIQUE (`sku`),
  CONSTRAINT `fk_products_parent` FOREIGN KEY (`parent_id`) REFERENCES `products` (`id`) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT `fk_products_vendor` FOREIGN KEY (`vendor_id`) REFERENCES `vendors` (`id`) ON DELETE CASCADE,
  CONSTRAINT `ck_products_price` CHECK (price >= 0 AND `sku` <> 'a\\b'),
  INDEX `ix_products_vendor_sku` (`vendor_id`, `sku` DESC),
  UNIQUE INDEX `ux_products_uid` (`uid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='Things a vendor''s shop sells'"#]
        );
    }

    #[test]
    fn hostile_names_are_quoted() {
        let table = TableDef {
            name: "us`er".into(),
            comment: Some(r#"it's "quoted" \ "#.into()),
            columns: vec![
                Column::new("order", ColumnType::Integer),
                Column::new("na`me", ColumnType::Varchar(10)),
                Column::new("wïth 'space'", ColumnType::Text),
            ],
            primary_key: Some(crate::model::PrimaryKey {
                name: Some("pk `x`".into()),
                columns: vec!["order".into(), "na`me".into()],
            }),
            ..TableDef::default()
        };
        assert_eq!(
            sql(&table),
            [r#"CREATE TABLE `us``er` (
  `order` INT NOT NULL,
  `na``me` VARCHAR(10) NOT NULL,
  `wïth 'space'` TEXT NOT NULL,
  PRIMARY KEY (`order`, `na``me`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='it''s "quoted" \\ '"#]
        );
    }

    #[test]
    fn deferred_foreign_keys_are_added_with_alter_table() {
        let products = resolved(products());
        let statements = MYSQL
            .create_table_sql(&products, &["fk_products_vendor".to_string()])
            .unwrap();
        assert!(!statements[0].contains("fk_products_vendor"));
        assert_eq!(
            MYSQL
                .add_foreign_key_sql(&products, "fk_products_vendor")
                .unwrap()
                .as_deref(),
            Some(
                "ALTER TABLE `products` ADD CONSTRAINT `fk_products_vendor` FOREIGN KEY (`vendor_id`) REFERENCES `vendors` (`id`) ON DELETE CASCADE"
            )
        );
    }

    #[test]
    fn refused_tables_are_not_rendered() {
        let mut table = products();
        table.columns[1].ty = ColumnType::Text;
        assert_eq!(
            MYSQL
                .create_table_sql(&resolved(table), &[])
                .unwrap_err()
                .to_string(),
            "table `database.products`: column `sku` is a String without `max_length` (TEXT) and is part of unique constraint `uq_products_sku`; MySQL can index a TEXT column only by a prefix, which would not cover the whole value: add `max_length` (at most 768) so it is VARCHAR(n)"
        );
    }
}
