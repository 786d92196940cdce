//! Checks that need more than one key or more than one field. Every problem is recorded in
//! the [`Ctxt`], spanned on the token that has to change, and all are reported together.

use crate::ast::{Field, Input, Lookup};
use crate::attr::{ColumnList, ForeignKeyAttr, Spanned, Symbol};
use crate::ctxt::Ctxt;
use crate::text;
use proc_macro2::Span;
use std::collections::BTreeMap;
use syn::ext::IdentExt as _;

/// PostgreSQL keeps at most this many bytes of an identifier and silently cuts the rest.
const MAX_IDENTIFIER_BYTES: usize = 63;
/// PostgreSQL's largest `varchar(n)`.
const MAX_VARCHAR: u32 = 10_485_760;
/// PostgreSQL's largest `numeric` precision.
const MAX_PRECISION: u32 = 1000;

/// Records every problem of `input` in `cx`.
pub fn validate(input: &Input, cx: &Ctxt) {
    check_generics(input, cx);
    check_table(input, cx);
    for field in &input.fields {
        check_field(input, field, cx);
    }
    check_column_names(input, cx);
    check_primary_keys(input, cx);
    check_struct_lists(input, cx);
    check_constraint_names(input, cx);
}

fn check_generics(input: &Input, cx: &Ctxt) {
    let generics = &input.original.generics;
    if !generics.params.is_empty() {
        cx.error_spanned_by(
            &generics.params,
            "`#[derive(Table)]` does not support generic structs: a table has one fixed set \
             of column types, so declare a concrete struct per table",
        );
    }
}

fn check_identifier(cx: &Ctxt, what: &str, name: &str, span: Span, fix: &str) {
    if name.is_empty() {
        cx.error_at(span, format!("the {what} must not be empty"));
    } else if name.len() > MAX_IDENTIFIER_BYTES {
        cx.error_at(
            span,
            format!(
                "the {what} `{name}` is {} bytes long; PostgreSQL keeps only \
                 {MAX_IDENTIFIER_BYTES} bytes of a name and would silently cut it{fix}",
                name.len()
            ),
        );
    }
}

fn check_non_empty(cx: &Ctxt, key: &str, value: &Spanned<String>) {
    if value.value.trim().is_empty() {
        cx.error_at(value.span, format!("`{key}` must not be empty"));
    }
}

/// The index access methods a declaration may name: PostgreSQL's own and those of the
/// common extensions (`bloom`, `rum`, pgvector's `ivfflat` and `hnsw`).
const INDEX_METHODS: &[&str] = &[
    "btree", "hash", "gist", "spgist", "gin", "brin", "bloom", "rum", "ivfflat", "hnsw",
];

/// An index's access method must be one PostgreSQL or a common extension has: anything
/// else is caught here rather than by the database at apply time.
fn check_method(cx: &Ctxt, method: &Spanned<String>) {
    let name = method.value.trim().to_ascii_lowercase();
    if INDEX_METHODS.contains(&name.as_str()) {
        return;
    }
    let hint = match text::closest(&name, INDEX_METHODS) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None => String::new(),
    };
    cx.error_at(
        method.span,
        format!(
            "unknown index access method {:?}{hint}; write one of: {}",
            method.value,
            INDEX_METHODS.join(", ")
        ),
    );
}

fn check_table(input: &Input, cx: &Ctxt) {
    let attrs = &input.attrs;
    let table = input.table_name();
    match &attrs.name {
        Some(name) => check_identifier(cx, "table name", &name.value, name.span, ""),
        None => check_identifier(
            cx,
            "table name",
            &table,
            input.ident.span(),
            "; choose a shorter one with `#[table(name = \"...\")]`",
        ),
    }
    if let Some(schema) = &attrs.schema {
        check_identifier(cx, "schema name", &schema.value, schema.span, "");
    }
    check_renames(cx, "table", &table, &attrs.renamed_from);
    if input.columns().next().is_none() {
        let msg = if input.fields.is_empty() {
            format!(
                "`{}` has no fields; a table needs at least one column",
                input.ident
            )
        } else {
            format!(
                "`{}` has no columns: every field is `#[column(skip)]`; a table needs at \
                 least one column",
                input.ident
            )
        };
        cx.error_spanned_by(input.ident, msg);
    }
}

fn check_renames(cx: &Ctxt, what: &str, current: &str, renames: &[Spanned<String>]) {
    for (i, old) in renames.iter().enumerate() {
        if old.value.is_empty() {
            cx.error_at(old.span, "`renamed_from` must not be empty");
        } else if old.value == current {
            cx.error_at(
                old.span,
                format!(
                    "`renamed_from = {:?}` is the {what}'s current name; list only earlier names",
                    old.value
                ),
            );
        } else if renames[..i].iter().any(|o| o.value == old.value) {
            cx.error_at(
                old.span,
                format!("`renamed_from` lists {:?} twice", old.value),
            );
        }
    }
}

fn key_list(keys: &[(Symbol, Span)], except: &str) -> Vec<String> {
    let mut names: Vec<String> = keys
        .iter()
        .filter(|(k, _)| k.0 != except)
        .map(|(k, _)| format!("`{}`", k.0))
        .collect();
    names.dedup();
    names
}

/// `#[sqlx(...)]` against `#[column(...)]`: one spelling drives both derives, so the two
/// must not disagree about a field's column, or about whether it has one. Without any
/// `#[sqlx(...)]` attribute the derive cannot tell whether `sqlx::FromRow` reads the struct,
/// and checks nothing.
fn check_sqlx(input: &Input, field: &Field, cx: &Ctxt) {
    let a = &field.attrs;
    if let Some(flatten) = a.sqlx.flatten {
        cx.error_at(
            flatten,
            "`#[sqlx(flatten)]` reads this field from the columns of another struct, which \
             `#[derive(Table)]` cannot see: declare those columns as fields of this struct",
        );
    }
    if let Some(skip) = a.sqlx.skip {
        let keys = key_list(&a.keys, "skip");
        if !keys.is_empty() {
            cx.error_at(
                skip,
                format!(
                    "`#[sqlx(skip)]` makes this field no column, so {} in `#[column(...)]` \
                     would apply to nothing; remove those keys or `#[sqlx(skip)]`",
                    keys.join(", ")
                ),
            );
        }
        return;
    }
    if !input.uses_sqlx() {
        return;
    }
    let read = &field.sqlx_column;
    let why = match (&a.sqlx.rename, &input.attrs.sqlx_rename_all) {
        (Some(rename), _) => format!("`#[sqlx(rename = {:?})]`", rename.value),
        (None, Some(style)) => format!("`#[sqlx(rename_all = {:?})]` on the struct", style.value),
        (None, None) => "`sqlx::FromRow`".to_string(),
    };
    if let (Some(name), None) = (&a.name, a.skip)
        && name.value != *read
    {
        let fix = if a.sqlx.rename.is_some() {
            "remove `name` from `#[column(...)]` and keep the one spelling in \
             `#[sqlx(rename = \"...\")]`"
                .to_string()
        } else {
            format!(
                "write `#[sqlx(rename = {:?})]` instead of `#[column(name = ...)]`",
                name.value
            )
        };
        cx.error_at(
            name.span,
            format!(
                "`#[column(name = {:?})]` disagrees with {why}: the table would have \
                 column `{}` and sqlx would read column `{read}`; {fix}, which \
                 `#[derive(Table)]` reads too",
                name.value, name.value
            ),
        );
    }
    if let (Some(skip), None) = (a.skip, a.sqlx.default) {
        cx.error_at(
            skip,
            format!(
                "`sqlx::FromRow` would read this field from column `{read}`, which \
                 `#[column(skip)]` leaves out of the table; write `#[sqlx(skip)]` instead, \
                 which `#[derive(Table)]` reads too (or add `#[sqlx(default)]` when a query \
                 may supply the column)"
            ),
        );
    }
}

fn check_field(input: &Input, field: &Field, cx: &Ctxt) {
    check_sqlx(input, field, cx);
    let a = &field.attrs;
    let name = field.column_name();
    if a.sqlx.skip.is_some() {
        return;
    }

    if let Some(skip) = a.skip {
        let others = key_list(&a.keys, "skip");
        if a.primary_key.is_some() {
            cx.error_at(
                skip,
                "`skip` cannot be used on a primary key: the key must be a column; remove \
                 `skip` or `primary_key`",
            );
        } else if !others.is_empty() {
            cx.error_at(
                skip,
                format!(
                    "`skip` cannot be combined with {}: a skipped field has no column; \
                     remove `skip` or the other keys",
                    others.join(", ")
                ),
            );
        }
        return;
    }

    if let Some(n) = &a.name {
        check_identifier(cx, "column name", &n.value, n.span, "");
    } else {
        check_identifier(
            cx,
            "column name",
            &name,
            field.ident.span(),
            "; choose a shorter one with `#[column(name = \"...\")]`",
        );
    }
    check_renames(cx, "column", &name, &a.renamed_from);
    for (key, value) in [
        ("default", &a.default),
        ("sql_type", &a.sql_type),
        ("check", &a.check),
    ] {
        if let Some(value) = value {
            check_non_empty(cx, key, value);
        }
    }

    // Types.
    if let Some(sql_type) = &a.sql_type {
        for (key, given) in [("max_length", &a.max_length), ("precision", &a.precision)] {
            if let Some(given) = given {
                cx.error_at(
                    given.span,
                    format!(
                        "`{key}` cannot be combined with `sql_type`: write the full SQL type \
                         instead, like `sql_type = \"{}\"`",
                        if key == "max_length" {
                            format!("varchar({})", given.value)
                        } else {
                            format!("numeric({}, ...)", given.value)
                        }
                    ),
                );
            }
        }
        if let (Some(scale), None) = (&a.scale, &a.precision) {
            cx.error_at(
                scale.span,
                format!(
                    "`scale` cannot be combined with `sql_type`: write the full SQL type \
                     instead (`sql_type = {:?}` is used verbatim)",
                    sql_type.value
                ),
            );
        }
    } else {
        if let (Some(_), Some(precision)) = (&a.max_length, &a.precision) {
            cx.error_at(
                precision.span,
                "`max_length` and `precision` cannot be used together: `max_length` is for \
                 `String` fields, `precision`/`scale` for decimal fields",
            );
        }
        if let (Some(scale), None) = (&a.scale, &a.precision) {
            cx.error_at(
                scale.span,
                "`scale` needs `precision`: write both, like `precision = 10, scale = 2`",
            );
        }
    }
    if let Some(max) = &a.max_length {
        if max.value == 0 {
            cx.error_at(max.span, "`max_length` must be at least 1");
        } else if max.value > MAX_VARCHAR {
            cx.error_at(
                max.span,
                format!(
                    "`max_length` is at most {MAX_VARCHAR} (PostgreSQL's VARCHAR limit); for \
                     unbounded text remove `max_length`"
                ),
            );
        }
    }
    if let Some(precision) = &a.precision {
        if precision.value == 0 || precision.value > MAX_PRECISION {
            cx.error_at(
                precision.span,
                format!("`precision` must be between 1 and {MAX_PRECISION}"),
            );
        } else if let Some(scale) = a.scale.as_ref().filter(|s| s.value > precision.value) {
            cx.error_at(
                scale.span,
                format!(
                    "`scale = {}` is larger than `precision = {}`: the scale counts digits \
                     after the decimal point, out of `precision` digits in total",
                    scale.value, precision.value
                ),
            );
        }
    }

    // Keys.
    if a.primary_key.is_some() {
        if field.nullable {
            cx.error_at(
                field.ty_span(),
                format!(
                    "primary key column `{name}` cannot be an `Option`: primary key columns \
                     are NOT NULL; remove the `Option` or the `primary_key`"
                ),
            );
        }
        for (key, span) in [("unique", a.unique), ("index", a.index)] {
            if let Some(span) = span {
                cx.error_at(
                    span,
                    format!(
                        "`{key}` is redundant on a primary key column: the primary key \
                         already has a unique index; remove `{key}`"
                    ),
                );
            }
        }
    } else if let Some(ai) = &a.auto_increment {
        let composite = input
            .attrs
            .primary_key
            .as_ref()
            .and_then(|pk| pk.columns.as_ref())
            .is_some_and(|cols| cols.items.iter().any(|c| input.resolve(&c.raw) == name));
        let msg = if composite {
            "`auto_increment` applies only to a single-field `#[column(primary_key)]`; \
             columns of a composite `#[primary_key(...)]` never auto-increment"
        } else {
            "`auto_increment` needs `primary_key` on the same field: only an integer \
             primary key can auto-increment"
        };
        cx.error_at(ai.span, msg);
    }
    if let (Some(ai), Some(default)) = (&a.auto_increment, &a.default)
        && ai.value
    {
        cx.error_at(
            default.span,
            "an auto-increment column cannot also have a `default`: the database generates \
             its values; remove `default` or set `auto_increment = false`",
        );
    }

    // Generated columns and collations.
    if let Some(generated) = &a.generated {
        check_non_empty(cx, "generated", generated);
        for (key, span) in [
            ("primary_key", a.primary_key),
            ("default", a.default.as_ref().map(|d| d.span)),
            ("auto_increment", a.auto_increment.as_ref().map(|d| d.span)),
        ] {
            if let Some(span) = span {
                cx.error_at(
                    span,
                    format!(
                        "`{key}` cannot be combined with `generated`: the database computes a \
                         generated column's values from `{}`; remove one of them",
                        generated.value
                    ),
                );
            }
        }
    } else if let Some(stored) = &a.stored {
        cx.error_at(
            stored.span,
            "`stored` applies only to a generated column: add `generated = \"...\"` or remove \
             `stored`",
        );
    }
    if let Some(collation) = &a.collation {
        check_non_empty(cx, "collation", collation);
    }

    // Foreign keys.
    for (key, action) in [("on_delete", &a.on_delete), ("on_update", &a.on_update)] {
        let Some(action) = action else { continue };
        if a.references.is_none() {
            cx.error_at(
                action.span,
                format!(
                    "`{key}` needs `references` on the same field, like \
                     `#[column(references = \"users(id)\", {key} = \"{}\")]`",
                    action.value.as_str()
                ),
            );
            continue;
        }
        match action.value.as_str() {
            "set_null" if !field.nullable => cx.error_at(
                action.span,
                format!(
                    "`{key} = \"set_null\"` needs a nullable column, but field `{}` is not an \
                     `Option`: make its type `Option<...>` or choose another action",
                    field.ident.unraw()
                ),
            ),
            "set_default" if !field.nullable && a.default.is_none() => cx.error_at(
                action.span,
                format!(
                    "`{key} = \"set_default\"` needs a `default = \"...\"` on this field: \
                     without one the column would be set to NULL, which it does not allow"
                ),
            ),
            _ => {}
        }
    }
}

fn check_column_names(input: &Input, cx: &Ctxt) {
    // Keyed by lower case: SQLite compares identifiers case-insensitively.
    let mut seen: BTreeMap<String, &Field> = BTreeMap::new();
    for field in input.columns() {
        let name = field.column_name();
        let Some(first) = seen.get(&name.to_lowercase()) else {
            seen.insert(name.to_lowercase(), field);
            continue;
        };
        let first_name = first.column_name();
        let msg = if first_name == name {
            format!(
                "duplicate column name `{name}`: field `{}` already maps to it; give one of \
                 them another `#[column(name = \"...\")]`",
                first.ident.unraw()
            )
        } else {
            format!(
                "column `{name}` differs from column `{first_name}` (field `{}`) only in case; \
                 SQLite treats them as the same column, so rename one",
                first.ident.unraw()
            )
        };
        cx.error_at(field.name_span(), msg);
    }
}

fn check_primary_keys(input: &Input, cx: &Ctxt) {
    let mut first: Option<&Field> = None;
    for field in input.columns() {
        let Some(span) = field.attrs.primary_key else {
            continue;
        };
        match first {
            None => first = Some(field),
            Some(first) => cx.error_at(
                span,
                format!(
                    "a second `primary_key` field: `{}` is already the primary key. For a \
                     composite key, remove `primary_key` from the fields and add \
                     `#[primary_key(columns(\"{}\", \"{}\"))]` to the struct",
                    first.ident.unraw(),
                    first.column_name(),
                    field.column_name()
                ),
            ),
        }
    }
    if let (Some(field), Some(pk)) = (first, &input.attrs.primary_key) {
        cx.error_at(
            pk.span,
            format!(
                "two primary keys: field `{}` is already marked `#[column(primary_key)]`; \
                 keep either that or this `#[primary_key(...)]`",
                field.ident.unraw()
            ),
        );
    }
}

/// Where a `columns(...)` list was written.
struct ListSite<'l> {
    /// The attribute's name (`index`, `unique`, `primary_key`).
    attr: &'static str,
    /// The attribute's span.
    span: Span,
    /// The list, when it was valid.
    list: Option<&'l ColumnList>,
    /// `true` when `columns` was written, even with an invalid value.
    given: bool,
}

/// Checks one `columns(...)` list. `sorted` allows `ASC`/`DESC`; `not_null` requires
/// every column to be non-`Option`.
fn check_list(input: &Input, cx: &Ctxt, site: ListSite, sorted: bool, not_null: bool) {
    let ListSite {
        attr,
        span: attr_span,
        list,
        given,
    } = site;
    let Some(list) = list else {
        if given {
            return; // An invalid value, already reported.
        }
        cx.error_at(
            attr_span,
            format!("`#[{attr}(...)]` needs `columns(...)`, like `columns(\"a\", \"b\")`"),
        );
        return;
    };
    if list.items.is_empty() {
        cx.error_at(
            list.span,
            format!("`columns()` is empty: `#[{attr}(...)]` needs at least one column"),
        );
    }
    let mut seen: Vec<String> = Vec::new();
    for item in &list.items {
        let (lookup, name) = if sorted {
            match input.lookup(&item.name) {
                Lookup::Missing => (input.lookup(&item.raw), &item.raw),
                found => (found, &item.name),
            }
        } else {
            match (input.lookup(&item.raw), item.desc) {
                (Lookup::Missing, Some(_))
                    if !matches!(input.lookup(&item.name), Lookup::Missing) =>
                {
                    cx.error_at(
                        item.span,
                        format!(
                            "`ASC`/`DESC` is allowed only in `#[index]` columns; write \
                             {:?} without it",
                            item.name
                        ),
                    );
                    continue;
                }
                (found, _) => (found, &item.raw),
            }
        };
        match lookup {
            Lookup::Column(field) => {
                let column = field.column_name();
                if seen.contains(&column) {
                    cx.error_at(item.span, format!("column `{column}` is listed twice"));
                }
                if not_null && field.nullable {
                    cx.error_at(
                        item.span,
                        format!(
                            "primary key column `{column}` cannot be an `Option`: primary key \
                             columns are NOT NULL"
                        ),
                    );
                }
                seen.push(column);
            }
            Lookup::Skipped(field) => cx.error_at(
                item.span,
                format!(
                    "field `{}` is `#[{}(skip)]` and has no column to use in `#[{attr}]`",
                    field.ident.unraw(),
                    if field.attrs.skip.is_some() {
                        "column"
                    } else {
                        "sqlx"
                    }
                ),
            ),
            Lookup::Missing => {
                let mut known: Vec<String> = input.columns().map(Field::column_name).collect();
                known.extend(input.columns().map(|f| f.ident.unraw().to_string()));
                let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
                let hint = match text::closest(name, &known_refs) {
                    Some(near) => format!("; did you mean `{near}`?"),
                    None => String::new(),
                };
                cx.error_at(
                    item.span,
                    format!(
                        "`#[{attr}]` names `{name}`, but `{}` has no column or field of that \
                         name{hint}",
                        input.ident
                    ),
                );
            }
        }
    }
}

fn check_struct_lists(input: &Input, cx: &Ctxt) {
    let attrs = &input.attrs;
    for index in &attrs.indexes {
        if index.exprs.is_empty() || index.columns_given {
            check_list(
                input,
                cx,
                ListSite {
                    attr: "index",
                    span: index.span,
                    list: index.columns.as_ref(),
                    given: index.columns_given,
                },
                true,
                false,
            );
        }
        for expr in &index.exprs {
            check_non_empty(cx, "expr", expr);
        }
        if let Some(predicate) = &index.predicate {
            check_non_empty(cx, "predicate", predicate);
        }
        if let Some(method) = &index.method {
            check_method(cx, method);
        }
        if let Some(include) = &index.include {
            check_list(
                input,
                cx,
                ListSite {
                    attr: "index",
                    span: index.span,
                    list: Some(include),
                    given: true,
                },
                false,
                false,
            );
        }
    }
    for unique in &attrs.uniques {
        check_list(
            input,
            cx,
            ListSite {
                attr: "unique",
                span: unique.span,
                list: unique.columns.as_ref(),
                given: unique.columns_given,
            },
            false,
            false,
        );
    }
    for fk in &attrs.foreign_keys {
        check_foreign_key(input, cx, fk);
    }
    if let Some(pk) = &attrs.primary_key {
        check_list(
            input,
            cx,
            ListSite {
                attr: "primary_key",
                span: pk.span,
                list: pk.columns.as_ref(),
                given: pk.columns_given,
            },
            false,
            true,
        );
    }
    for check in &attrs.checks {
        match &check.expr {
            Some(expr) => check_non_empty(cx, "expr", expr),
            None if check.expr_given => {}
            None => cx.error_at(
                check.span,
                "`#[check(...)]` needs `expr = \"...\"`, like `#[check(expr = \"price >= 0\")]`",
            ),
        }
    }
}

/// A struct-level `#[foreign_key(...)]`: its columns exist, as many as it references, and
/// its actions suit them.
fn check_foreign_key(input: &Input, cx: &Ctxt, fk: &ForeignKeyAttr) {
    check_list(
        input,
        cx,
        ListSite {
            attr: "foreign_key",
            span: fk.span,
            list: fk.columns.as_ref(),
            given: fk.columns_given,
        },
        false,
        false,
    );
    match (&fk.references, &fk.columns) {
        (None, _) if !fk.references_given => cx.error_at(
            fk.span,
            "`#[foreign_key(...)]` needs `references = \"table(column, ...)\"`, like \
             `#[foreign_key(columns(\"org_id\", \"team_no\"), references = \"teams(org_id, team_no)\")]`",
        ),
        (Some(reference), Some(columns))
            if !columns.items.is_empty() && reference.value.columns.len() != columns.items.len() =>
        {
            cx.error_at(
                reference.span,
                format!(
                    "`references` names {} column(s) but `columns(...)` lists {}: a foreign \
                     key references exactly one column for each of its own, in order",
                    reference.value.columns.len(),
                    columns.items.len()
                ),
            )
        }
        _ => {}
    }
    let fields: Vec<&Field> = fk
        .columns
        .iter()
        .flat_map(|l| &l.items)
        .filter_map(|c| match input.lookup(&c.raw) {
            Lookup::Column(field) => Some(field),
            _ => None,
        })
        .collect();
    for (key, action) in [("on_delete", &fk.on_delete), ("on_update", &fk.on_update)] {
        let Some(action) = action else { continue };
        match action.value.as_str() {
            "set_null" => {
                if let Some(field) = fields.iter().find(|f| !f.nullable) {
                    cx.error_at(
                        action.span,
                        format!(
                            "`{key} = \"set_null\"` needs nullable columns, but field `{}` is \
                             not an `Option`: make its type `Option<...>` or choose another \
                             action",
                            field.ident.unraw()
                        ),
                    );
                }
            }
            "set_default" => {
                if let Some(field) = fields
                    .iter()
                    .find(|f| !f.nullable && f.attrs.default.is_none())
                {
                    cx.error_at(
                        action.span,
                        format!(
                            "`{key} = \"set_default\"` needs a `default = \"...\"` on field \
                             `{}`: without one the column would be set to NULL, which it does \
                             not allow",
                            field.ident.unraw()
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    if let (Some(deferrable), Some(_)) = (fk.deferrable, fk.initially_deferred) {
        cx.error_at(
            deferrable,
            "`initially_deferred` already makes the key deferrable; remove `deferrable`",
        );
    }
}

/// One constraint or index name, explicit or generated, for the clash check.
struct NameUse {
    name: String,
    span: Span,
    explicit: bool,
}

fn named(name: &Option<Spanned<String>>, span: Span, fallback: String) -> NameUse {
    match name {
        Some(n) => NameUse {
            name: n.value.clone(),
            span: n.span,
            explicit: true,
        },
        None => NameUse {
            name: fallback,
            span,
            explicit: false,
        },
    }
}

/// The unshortened form of a generated name: equal inputs give equal names.
fn generated(prefix: &str, table: &str, parts: &[String]) -> String {
    let mut name = format!("{prefix}_{table}");
    for part in parts {
        name.push('_');
        name.push_str(part);
    }
    name
}

fn list_columns(input: &Input, list: Option<&ColumnList>, sorted: bool) -> Vec<String> {
    list.map(|l| {
        l.items
            .iter()
            .map(|c| input.resolve(if sorted { &c.name } else { &c.raw }))
            .collect()
    })
    .unwrap_or_default()
}

fn check_constraint_names(input: &Input, cx: &Ctxt) {
    let table = input.table_name();
    let attrs = &input.attrs;
    let mut uses: Vec<NameUse> = Vec::new();
    if let Some(pk) = &attrs.primary_key
        && let Some(n) = &pk.name
    {
        uses.push(named(&Some(n.clone()), pk.span, String::new()));
    }
    for index in &attrs.indexes {
        let mut cols = list_columns(input, index.columns.as_ref(), true);
        cols.extend(index.exprs.iter().map(|e| format!("#{}", e.value)));
        uses.push(named(
            &index.name,
            index.span,
            generated("ix", &table, &cols),
        ));
    }
    for unique in &attrs.uniques {
        let cols = list_columns(input, unique.columns.as_ref(), false);
        uses.push(named(
            &unique.name,
            unique.span,
            generated("uq", &table, &cols),
        ));
    }
    for fk in &attrs.foreign_keys {
        let cols = list_columns(input, fk.columns.as_ref(), false);
        uses.push(named(&fk.name, fk.span, generated("fk", &table, &cols)));
    }
    for check in &attrs.checks {
        let expr = check
            .expr
            .as_ref()
            .map(|e| format!("#{}", e.value))
            .unwrap_or_default();
        uses.push(named(
            &check.name,
            check.span,
            generated("ck", &table, &[expr]),
        ));
    }
    for field in input.columns() {
        let a = &field.attrs;
        let col = vec![field.column_name()];
        for (prefix, span) in [
            ("uq", a.unique),
            ("ix", a.index),
            ("fk", a.references.as_ref().map(|r| r.span)),
            ("ck", a.check.as_ref().map(|c| c.span)),
        ] {
            if let Some(span) = span {
                uses.push(named(&None, span, generated(prefix, &table, &col)));
            }
        }
    }
    for (i, name_use) in uses.iter().enumerate() {
        if name_use.explicit {
            check_identifier(
                cx,
                "constraint or index name",
                &name_use.name,
                name_use.span,
                "",
            );
        }
        if let Some(first) = uses[..i].iter().find(|u| u.name == name_use.name) {
            let msg = match (first.explicit, name_use.explicit) {
                (_, true) => format!(
                    "the name `{}` is already used by another constraint or index of this \
                     table; names must be unique",
                    name_use.name
                ),
                (true, false) => format!(
                    "this would get the generated name `{}`, which another constraint or \
                     index already uses; give one of them a different `name = \"...\"`",
                    name_use.name
                ),
                (false, false) => "this declares the same constraint or index as an earlier \
                     one (same kind, same columns); remove one, or give them distinct \
                     `name = \"...\"`s"
                    .to_string(),
            };
            cx.error_at(name_use.span, msg);
        }
    }
}
