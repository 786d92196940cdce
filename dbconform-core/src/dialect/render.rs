//! DDL pieces shared by the dialects.
//!
//! Column definitions and CHECK constraints are rendered by sea-query's builders (they
//! quote column and constraint names correctly there). Everything that carries an index or
//! constraint name sea-query would write unescaped — PRIMARY KEY, UNIQUE and FOREIGN KEY
//! clauses, CREATE INDEX, ALTER TABLE ADD CONSTRAINT — is written here, every identifier
//! going through [`Dialect::quote_ident`] / [`Dialect::quote_table`]. The tests at the
//! bottom pin the sea-query behaviour this split is based on.

use super::Dialect;
use super::expr;
use crate::error::{Error, Result};
use crate::model::{
    Check, Column, FkAction, ForeignKey, Index, PrimaryKey, QualifiedName, SortOrder, TableDef,
    UniqueConstraint,
};
use sea_query::{ColumnDef, Expr, Keyword, TableBuilder};

/// A sea-query column definition with what every dialect writes the same way: the quoted
/// name, the dialect's type spelling, `NOT NULL` for non-nullable columns and the default.
/// The dialect adds its auto-increment clause.
pub(super) fn base_column_def(dialect: &dyn Dialect, column: &Column) -> ColumnDef {
    // `String` identifiers become owned `DynIden`s, which sea-query always escapes.
    let mut def = ColumnDef::new(column.name.clone());
    // A custom type is written verbatim: the dialect, not sea-query, spells types.
    def.custom(dialect.column_type_sql_for(column));
    if !column.nullable {
        def.not_null();
    }
    if let Some(default) = &column.default {
        // A keyword is written verbatim; `default_sql` has already decided on parentheses.
        def.default(Expr::Keyword(Keyword::Custom(
            expr::default_sql(default).into(),
        )));
    }
    def
}

/// One column definition rendered by sea-query's `builder`.
pub(super) fn column_def_sql(builder: &impl TableBuilder, def: &ColumnDef) -> String {
    let mut sql = String::new();
    builder.prepare_column_def(def, &mut sql);
    sql
}

/// `CONSTRAINT "ck" CHECK (expr)`, rendered by sea-query's `builder`; `CHECK (expr)` for
/// an unnamed check (a database's unnamed constraint, kept unnamed by a SQLite rebuild).
pub(super) fn check_sql(builder: &impl TableBuilder, check: &Check) -> String {
    let mut sql = String::new();
    let expr = Expr::cust(check.expr.clone());
    let check = if check.name.is_empty() {
        sea_query::Check::unnamed(expr)
    } else {
        sea_query::Check::named(check.name.clone(), expr)
    };
    builder.prepare_check_constraint(&check, &mut sql);
    sql
}

/// `"a", "b"`.
pub(super) fn column_list<S: AsRef<str>>(dialect: &dyn Dialect, columns: &[S]) -> String {
    columns
        .iter()
        .map(|c| dialect.quote_ident(c.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `[CONSTRAINT "pk" ]PRIMARY KEY ("a", "b")`.
pub(super) fn primary_key_clause(dialect: &dyn Dialect, pk: &PrimaryKey) -> String {
    let columns = column_list(dialect, &pk.columns);
    match &pk.name {
        Some(name) => format!(
            "CONSTRAINT {} PRIMARY KEY ({columns})",
            dialect.quote_ident(name)
        ),
        None => format!("PRIMARY KEY ({columns})"),
    }
}

/// `CONSTRAINT "name" ` before a constraint, or nothing for an unnamed one (`""`: a
/// database's unnamed constraint, which a SQLite rebuild keeps unnamed; `CONSTRAINT ""`
/// would name it the empty string, or be refused).
fn constraint_name(dialect: &dyn Dialect, name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("CONSTRAINT {} ", dialect.quote_ident(name))
    }
}

/// `CONSTRAINT "uq" UNIQUE ("a", "b")` (`UNIQUE ("a", "b")` when unnamed; `UNIQUE NULLS
/// NOT DISTINCT (..)` for such a key, which only dialects that have it accept).
pub(super) fn unique_clause(dialect: &dyn Dialect, unique: &UniqueConstraint) -> String {
    format!(
        "{}UNIQUE {}({})",
        constraint_name(dialect, &unique.name),
        if unique.nulls_not_distinct {
            "NULLS NOT DISTINCT "
        } else {
            ""
        },
        column_list(dialect, &unique.columns)
    )
}

/// `CONSTRAINT "fk" FOREIGN KEY ("a") REFERENCES tbl ("id") [ON DELETE ..] [ON UPDATE ..]
/// [DEFERRABLE [INITIALLY DEFERRED]]` (without `CONSTRAINT "fk"` when unnamed); `NO
/// ACTION` and `NOT DEFERRABLE`, the defaults, are left out.
pub(super) fn foreign_key_clause(dialect: &dyn Dialect, fk: &ForeignKey) -> String {
    let mut sql = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(dialect, &fk.name),
        column_list(dialect, &fk.columns),
        dialect.quote_table(&fk.references),
        column_list(dialect, &fk.referenced_columns)
    );
    for (clause, action) in [("ON DELETE", fk.on_delete), ("ON UPDATE", fk.on_update)] {
        if action != FkAction::NoAction {
            sql.push_str(&format!(" {clause} {}", action.as_sql()));
        }
    }
    if !fk.deferrable.is_default() {
        sql.push(' ');
        sql.push_str(fk.deferrable.as_sql());
    }
    sql
}

/// `CREATE [UNIQUE] INDEX "ix" ON tbl ("a", "b" DESC) [WHERE pred]`. The index name is
/// never schema-qualified: PostgreSQL puts an index in its table's schema, and SQLite
/// tables are rendered unqualified.
pub(super) fn create_index_sql(dialect: &dyn Dialect, table: &TableDef, index: &Index) -> String {
    create_index_on(dialect, &table.qualified_name(), index)
}

/// [`create_index_sql`] for a table known by name only (an index added to an existing
/// table). An expression key is written in parentheses (`(lower(email))`), a column key
/// quoted. What only PostgreSQL has — `USING method`, operator classes, `NULLS
/// FIRST/LAST`, `INCLUDE (...)`, `NULLS NOT DISTINCT` — is written only when set (SQLite's
/// validation refuses it), the access method and operator classes quoted like any name.
pub(super) fn create_index_on(
    dialect: &dyn Dialect,
    table: &QualifiedName,
    index: &Index,
) -> String {
    let columns = index
        .columns
        .iter()
        .map(|c| {
            let mut key = if c.expression {
                format!("({})", c.name.trim())
            } else {
                dialect.quote_ident(&c.name)
            };
            if let Some(opclass) = &c.opclass {
                // `schema.opclass` when qualified: each part quoted (an operator class
                // name holding a dot is not supported).
                let parts: Vec<String> =
                    opclass.split('.').map(|p| dialect.quote_ident(p)).collect();
                key.push(' ');
                key.push_str(&parts.join("."));
            }
            if c.order == SortOrder::Desc {
                key.push_str(" DESC");
            }
            if let Some(nulls) = c.nulls {
                key.push(' ');
                key.push_str(nulls.as_sql());
            }
            key
        })
        .collect::<Vec<_>>()
        .join(", ");
    let method = index.method.as_ref().map_or(String::new(), |m| {
        format!(" USING {}", dialect.quote_ident(m))
    });
    let mut sql = format!(
        "CREATE {}INDEX {} ON {}{method} ({columns})",
        if index.unique { "UNIQUE " } else { "" },
        dialect.quote_ident(&index.name),
        dialect.quote_table(table),
    );
    if !index.include.is_empty() {
        sql.push_str(&format!(
            " INCLUDE ({})",
            column_list(dialect, &index.include)
        ));
    }
    if index.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        sql.push_str(" WHERE ");
        sql.push_str(predicate.trim());
    }
    sql
}

/// The foreign keys of `table` that go into CREATE TABLE: all but the deferred ones.
/// Naming a deferred key the table does not declare is an error.
pub(super) fn inline_foreign_keys<'t>(
    table: &'t TableDef,
    deferred_fks: &[String],
) -> Result<Vec<&'t ForeignKey>> {
    if let Some(unknown) = deferred_fks
        .iter()
        .find(|name| !table.foreign_keys.iter().any(|fk| &fk.name == *name))
    {
        return Err(Error::InvalidTable {
            table: table.qualified_name(),
            message: format!(
                "foreign key `{unknown}` was to be added after CREATE TABLE, but the table declares no foreign key of that name"
            ),
        });
    }
    Ok(table
        .foreign_keys
        .iter()
        .filter(|fk| !deferred_fks.contains(&fk.name))
        .collect())
}

/// The CREATE TABLE statement followed by one CREATE INDEX per index.
///
/// `columns` are the rendered column definitions; `primary_key_inline` says the dialect
/// already declared the primary key on a column (SQLite's AUTOINCREMENT), so it is not
/// repeated as a table constraint.
pub(super) fn create_table_statements(
    dialect: &dyn Dialect,
    builder: &impl TableBuilder,
    table: &TableDef,
    columns: Vec<String>,
    primary_key_inline: bool,
    deferred_fks: &[String],
) -> Result<Vec<String>> {
    let mut elements = columns;
    if let Some(pk) = &table.primary_key
        && !primary_key_inline
    {
        elements.push(primary_key_clause(dialect, pk));
    }
    elements.extend(table.uniques.iter().map(|u| unique_clause(dialect, u)));
    elements.extend(
        inline_foreign_keys(table, deferred_fks)?
            .into_iter()
            .map(|fk| foreign_key_clause(dialect, fk)),
    );
    elements.extend(table.checks.iter().map(|c| check_sql(builder, c)));

    let mut statements = vec![format!(
        "CREATE TABLE {} (\n  {}\n)",
        dialect.quote_table(&table.qualified_name()),
        elements.join(",\n  ")
    )];
    statements.extend(
        table
            .indexes
            .iter()
            .map(|i| create_index_sql(dialect, table, i)),
    );
    Ok(statements)
}

/// Finds a declared foreign key by name, or says that there is none.
pub(super) fn find_foreign_key<'t>(table: &'t TableDef, fk_name: &str) -> Result<&'t ForeignKey> {
    table
        .foreign_keys
        .iter()
        .find(|fk| fk.name == fk_name)
        .ok_or_else(|| Error::InvalidTable {
            table: table.qualified_name(),
            message: format!("the table declares no foreign key named `{fk_name}`"),
        })
}

#[cfg(test)]
mod sea_query_behaviour {
    //! What sea-query 1.0 really does with hostile names. The dialects rely on the parts
    //! that are right and write the rest themselves; if sea-query changes, these tests say
    //! which decision to revisit.
    use sea_query::{
        ColumnDef, Expr, ForeignKey, Index, PostgresQueryBuilder, SqliteQueryBuilder, Table,
        TableBuilder, TableName,
    };

    fn column(builder: &impl TableBuilder, def: &ColumnDef) -> String {
        super::column_def_sql(builder, def)
    }

    #[test]
    fn column_names_with_quotes_are_escaped() {
        let mut def = ColumnDef::new("we\"ird col".to_string());
        def.custom("TEXT".to_string()).not_null();
        assert_eq!(
            column(&SqliteQueryBuilder, &def),
            "\"we\"\"ird col\" TEXT NOT NULL"
        );
        assert_eq!(
            column(&PostgresQueryBuilder, &def),
            "\"we\"\"ird col\" TEXT NOT NULL"
        );
    }

    #[test]
    fn table_names_with_quotes_are_escaped() {
        let name = TableName(Some("s\"1".to_string().into()), "t\"1".to_string().into());
        let sql = Table::create()
            .table(name)
            .col(ColumnDef::new("c".to_string()).custom("TEXT".to_string()))
            .to_string(PostgresQueryBuilder);
        assert_eq!(sql, "CREATE TABLE \"s\"\"1\".\"t\"\"1\" ( \"c\" TEXT )");
    }

    #[test]
    fn check_constraint_names_are_escaped() {
        let check = crate::model::Check {
            name: "ck\"1".into(),
            expr: "a <> ''".into(),
            not_valid: false,
        };
        assert_eq!(
            super::check_sql(&SqliteQueryBuilder, &check),
            "CONSTRAINT \"ck\"\"1\" CHECK (a <> '')"
        );
    }

    #[test]
    fn sqlite_autoincrement_column() {
        let mut def = ColumnDef::new("id".to_string());
        def.custom("INTEGER".to_string())
            .not_null()
            .primary_key()
            .auto_increment();
        assert_eq!(
            column(&SqliteQueryBuilder, &def),
            "\"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT"
        );
    }

    #[test]
    fn non_literal_defaults_are_parenthesized_by_sea_query() {
        // Why defaults are passed as a verbatim keyword after `default_sql` decided.
        let mut def = ColumnDef::new("c".to_string());
        def.custom("TEXT".to_string()).default(Expr::cust("'x'"));
        assert_eq!(
            column(&SqliteQueryBuilder, &def),
            "\"c\" TEXT DEFAULT ('x')"
        );
    }

    #[test]
    fn constraint_and_index_names_are_not_escaped() {
        // Why PRIMARY KEY / UNIQUE / FOREIGN KEY clauses and CREATE INDEX are hand-written.
        let table = || TableName(None, "t".to_string().into());
        let sql = Table::create()
            .table(table())
            .col(ColumnDef::new("a".to_string()).custom("TEXT".to_string()))
            .index(Index::create().unique().name("u\"q").col("a".to_string()))
            .to_string(PostgresQueryBuilder);
        assert!(sql.contains("CONSTRAINT \"u\"q\" UNIQUE"), "{sql}");
        let sql = Index::create()
            .name("i\"x")
            .table(table())
            .col("a".to_string())
            .to_string(SqliteQueryBuilder);
        assert_eq!(sql, "CREATE INDEX \"i\"x\" ON \"t\" (\"a\")");
        let sql = ForeignKey::create()
            .name("f\"k")
            .from_tbl(table())
            .from_col("a".to_string())
            .to_tbl(table())
            .to_col("a".to_string())
            .to_string(PostgresQueryBuilder);
        assert!(sql.contains("ADD CONSTRAINT \"f\"k\" FOREIGN KEY"), "{sql}");
    }

    #[test]
    fn sqlite_foreign_key_names_are_dropped() {
        let table = || TableName(None, "t".to_string().into());
        let sql = Table::create()
            .table(table())
            .col(ColumnDef::new("a".to_string()).custom("TEXT".to_string()))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_t_a")
                    .from_col("a".to_string())
                    .to_tbl(table())
                    .to_col("a".to_string()),
            )
            .to_string(SqliteQueryBuilder);
        assert_eq!(
            sql,
            "CREATE TABLE \"t\" ( \"a\" TEXT, FOREIGN KEY (\"a\") REFERENCES \"t\" (\"a\") )"
        );
    }

    #[test]
    fn sqlite_schema_qualified_index_panics() {
        let result = std::panic::catch_unwind(|| {
            Index::create()
                .name("ix")
                .table(TableName(
                    Some("main".to_string().into()),
                    "t".to_string().into(),
                ))
                .col("a".to_string())
                .to_string(SqliteQueryBuilder)
        });
        assert!(result.is_err());
    }
}
