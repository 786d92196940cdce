//! Attribute parsing: `#[table]`, `#[index]`, `#[unique]`, `#[check]`, `#[primary_key]` on the
//! struct and `#[column]` on fields, and the keys of `#[sqlx(...)]` (shared with
//! `sqlx::FromRow`) that name columns or leave fields out: `rename_all` on the struct,
//! `rename`, `skip`, `default` and `flatten` on fields. Other `sqlx` keys belong to sqlx and
//! are passed over.
//!
//! Parsing walks `parse_nested_meta`, records every problem in the [`Ctxt`] and keeps going,
//! so one build reports all of them. Only value syntax is checked here; how keys combine is
//! checked in `valid.rs`.

use crate::ctxt::Ctxt;
use crate::text::{self, FK_ACTIONS, Reference};
use crate::value::{Value, unwrap_group};
use proc_macro2::Span;
use std::fmt::{self, Display};
use syn::spanned::Spanned as _;
use syn::{Attribute, Expr, Lit, Path};

/// An attribute or key name, compared against paths without allocating.
#[derive(Copy, Clone, PartialEq, Eq)]
pub struct Symbol(pub &'static str);

/// `#[table(...)]`
pub const TABLE: Symbol = Symbol("table");
/// `#[column(...)]`
pub const COLUMN: Symbol = Symbol("column");
/// `#[index(...)]`
pub const INDEX: Symbol = Symbol("index");
/// `#[unique(...)]`
pub const UNIQUE: Symbol = Symbol("unique");
/// `#[check(...)]`
pub const CHECK: Symbol = Symbol("check");
/// `#[primary_key(...)]`
pub const PRIMARY_KEY: Symbol = Symbol("primary_key");
/// `#[foreign_key(...)]`.
pub const FOREIGN_KEY: Symbol = Symbol("foreign_key");

const NAME: Symbol = Symbol("name");
const SCHEMA: Symbol = Symbol("schema");
const RENAMED_FROM: Symbol = Symbol("renamed_from");
const COMMENT: Symbol = Symbol("comment");
pub(crate) const COLUMNS: Symbol = Symbol("columns");
const PREDICATE: Symbol = Symbol("predicate");
const METHOD: Symbol = Symbol("method");
const USING: Symbol = Symbol("using");
const GENERATED: Symbol = Symbol("generated");
const STORED: Symbol = Symbol("stored");
const COLLATION: Symbol = Symbol("collation");
const DEFERRABLE: Symbol = Symbol("deferrable");
const INITIALLY_DEFERRED: Symbol = Symbol("initially_deferred");
pub(crate) const INCLUDE: Symbol = Symbol("include");
const NULLS_NOT_DISTINCT: Symbol = Symbol("nulls_not_distinct");
const EXPR: Symbol = Symbol("expr");
const AUTO_INCREMENT: Symbol = Symbol("auto_increment");
pub(crate) const DEFAULT: Symbol = Symbol("default");
const SQL_TYPE: Symbol = Symbol("sql_type");
const MAX_LENGTH: Symbol = Symbol("max_length");
const PRECISION: Symbol = Symbol("precision");
const SCALE: Symbol = Symbol("scale");
pub(crate) const REFERENCES: Symbol = Symbol("references");
const ON_DELETE: Symbol = Symbol("on_delete");
const ON_UPDATE: Symbol = Symbol("on_update");
const SKIP: Symbol = Symbol("skip");
/// `#[sqlx(...)]`, the helper attribute of sqlx's derives.
pub const SQLX: Symbol = Symbol("sqlx");
const RENAME: Symbol = Symbol("rename");
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");
const FLATTEN: Symbol = Symbol("flatten");

const TABLE_KEYS: &[Symbol] = &[NAME, SCHEMA, RENAMED_FROM, COMMENT];
const INDEX_KEYS: &[Symbol] = &[
    NAME,
    COLUMNS,
    EXPR,
    UNIQUE,
    PREDICATE,
    USING,
    METHOD,
    INCLUDE,
    NULLS_NOT_DISTINCT,
];
const UNIQUE_KEYS: &[Symbol] = &[NAME, COLUMNS, NULLS_NOT_DISTINCT];
const FOREIGN_KEY_KEYS: &[Symbol] = &[
    NAME,
    COLUMNS,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    DEFERRABLE,
    INITIALLY_DEFERRED,
];
const CHECK_KEYS: &[Symbol] = &[NAME, EXPR];
const PRIMARY_KEY_KEYS: &[Symbol] = &[NAME, COLUMNS];
const COLUMN_KEYS: &[Symbol] = &[
    NAME,
    PRIMARY_KEY,
    AUTO_INCREMENT,
    UNIQUE,
    INDEX,
    DEFAULT,
    SQL_TYPE,
    MAX_LENGTH,
    PRECISION,
    SCALE,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    CHECK,
    GENERATED,
    STORED,
    COLLATION,
    RENAMED_FROM,
    COMMENT,
    SKIP,
];

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A parsed value with the span of the tokens it came from.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

/// A value that may be given at most once; a second `set` is a "duplicate key" error.
pub(crate) struct Attr<'c, T> {
    cx: &'c Ctxt,
    attr: Symbol,
    key: Symbol,
    value: Option<T>,
    /// Set once the key was written, even with an invalid value.
    seen: bool,
}

impl<'c, T> Attr<'c, T> {
    pub(crate) fn none(cx: &'c Ctxt, attr: Symbol, key: Symbol) -> Self {
        Attr {
            cx,
            attr,
            key,
            value: None,
            seen: false,
        }
    }

    /// Records the key; `None` means its value was invalid (already reported).
    pub(crate) fn set_opt(&mut self, at: &Path, value: Option<T>) {
        if self.seen {
            self.cx.error_spanned_by(
                at,
                format!(
                    "duplicate `{}` in `#[{}(...)]`: this key was already given; keep one",
                    self.key, self.attr
                ),
            );
        } else {
            self.seen = true;
            self.value = value;
        }
    }

    /// `true` when the key was written, valid or not.
    fn seen(&self) -> bool {
        self.seen
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

/// One entry of a `columns(...)` list.
#[derive(Clone, Debug)]
pub struct ColumnSpec {
    /// The string exactly as written.
    pub raw: String,
    /// The column with any trailing `ASC`/`DESC` removed.
    pub name: String,
    /// `Some(true)` for `DESC`, `Some(false)` for `ASC`, `None` when no order was written.
    pub desc: Option<bool>,
    /// The string literal's span.
    pub span: Span,
}

/// A `columns(...)` list.
#[derive(Clone, Debug)]
pub struct ColumnList {
    /// The entries, in order.
    pub items: Vec<ColumnSpec>,
    /// Span of the `columns` key.
    pub span: Span,
}

/// Struct-level attributes.
pub struct Container {
    /// `#[table(name = "...")]`.
    pub name: Option<Spanned<String>>,
    /// `#[table(schema = "...")]`.
    pub schema: Option<Spanned<String>>,
    /// `#[table(renamed_from = ...)]`, all occurrences.
    pub renamed_from: Vec<Spanned<String>>,
    /// `#[table(comment = "...")]`.
    pub comment: Option<Spanned<String>>,
    /// The struct's doc comment.
    pub doc: Option<String>,
    /// `#[index(...)]`, in order.
    pub indexes: Vec<IndexAttr>,
    /// `#[unique(...)]`, in order.
    pub uniques: Vec<UniqueAttr>,
    /// `#[check(...)]`, in order.
    pub checks: Vec<CheckAttr>,
    /// `#[primary_key(...)]`.
    pub primary_key: Option<KeyAttr>,
    /// `#[foreign_key(...)]`, in order.
    pub foreign_keys: Vec<ForeignKeyAttr>,
    /// `#[sqlx(rename_all = "...")]`, a style of [`text::RENAME_ALL_STYLES`].
    pub sqlx_rename_all: Option<Spanned<String>>,
    /// `true` when the struct has a `#[sqlx(...)]` attribute: it is read by
    /// `sqlx::FromRow`.
    pub sqlx_seen: bool,
}

/// The keys of a field's `#[sqlx(...)]` attributes that `#[derive(Table)]` reads.
#[derive(Default)]
pub struct SqlxField {
    /// `rename = "..."`: the column sqlx reads the field from.
    pub rename: Option<Spanned<String>>,
    /// `skip`: sqlx fills the field with `Default::default()`; it is no column.
    pub skip: Option<Span>,
    /// `default`: sqlx uses `Default::default()` when the row has no such column.
    pub default: Option<Span>,
    /// `flatten`: sqlx reads another struct's columns into the field.
    pub flatten: Option<Span>,
    /// `true` when the field has a `#[sqlx(...)]` attribute.
    pub seen: bool,
}

/// `#[index(...)]`.
pub struct IndexAttr {
    /// Span of the attribute's path, for errors about the whole attribute.
    pub span: Span,
    /// `name = "..."`.
    pub name: Option<Spanned<String>>,
    /// `columns(...)`.
    pub columns: Option<ColumnList>,
    /// `true` when `columns` was written (even with an invalid value).
    pub columns_given: bool,
    /// `expr = "SQL"`, all occurrences in order: expression keys, after the columns.
    pub exprs: Vec<Spanned<String>>,
    /// `unique`.
    pub unique: bool,
    /// `predicate = "..."`.
    pub predicate: Option<Spanned<String>>,
    /// `using = "..."` or `method = "..."` (PostgreSQL access method: `gist`, `gin`,
    /// `hash`, `brin`, ...).
    pub method: Option<Spanned<String>>,
    /// `include(...)`: non-key columns (PostgreSQL `INCLUDE`).
    pub include: Option<ColumnList>,
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: bool,
}

/// `#[unique(...)]` and `#[primary_key(...)]`: a name and columns.
pub struct KeyAttr {
    /// Span of the attribute's path.
    pub span: Span,
    /// `name = "..."`.
    pub name: Option<Spanned<String>>,
    /// `columns(...)`.
    pub columns: Option<ColumnList>,
    /// `true` when `columns` was written (even with an invalid value).
    pub columns_given: bool,
    /// `nulls_not_distinct` (its span; `#[unique]` only).
    pub nulls_not_distinct: Option<Span>,
}

/// `#[unique(...)]`.
pub type UniqueAttr = KeyAttr;

/// `#[foreign_key(...)]`: a key over one or more columns.
pub struct ForeignKeyAttr {
    /// Span of the attribute's path.
    pub span: Span,
    /// `name = "..."`.
    pub name: Option<Spanned<String>>,
    /// `columns(...)`: the referencing columns.
    pub columns: Option<ColumnList>,
    /// `true` when `columns` was written (even with an invalid value).
    pub columns_given: bool,
    /// `references = "table(col, ...)"`, parsed.
    pub references: Option<Spanned<Reference>>,
    /// `true` when `references` was written (even with an invalid value).
    pub references_given: bool,
    /// `on_delete = "..."`.
    pub on_delete: Option<Spanned<FkAction>>,
    /// `on_update = "..."`.
    pub on_update: Option<Spanned<FkAction>>,
    /// `deferrable`.
    pub deferrable: Option<Span>,
    /// `initially_deferred` (implies `deferrable`).
    pub initially_deferred: Option<Span>,
}

/// `#[check(...)]`.
pub struct CheckAttr {
    /// Span of the attribute's path.
    pub span: Span,
    /// `name = "..."`.
    pub name: Option<Spanned<String>>,
    /// `expr = "..."`.
    pub expr: Option<Spanned<String>>,
    /// `true` when `expr` was written (even with an invalid value).
    pub expr_given: bool,
}

/// A referential action, indexing [`FK_ACTIONS`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FkAction(pub usize);

impl FkAction {
    /// The attribute spelling (`cascade`, `set_null`, ...).
    pub fn as_str(self) -> &'static str {
        FK_ACTIONS[self.0]
    }
}

/// Field-level `#[column(...)]` keys.
#[derive(Default)]
pub struct ColumnAttrs {
    /// `name = "..."`.
    pub name: Option<Spanned<String>>,
    /// `primary_key` (its span).
    pub primary_key: Option<Span>,
    /// `auto_increment` or `auto_increment = bool`.
    pub auto_increment: Option<Spanned<bool>>,
    /// `unique`.
    pub unique: Option<Span>,
    /// `index`.
    pub index: Option<Span>,
    /// `default = "SQL"`.
    pub default: Option<Spanned<String>>,
    /// `sql_type = "..."`.
    pub sql_type: Option<Spanned<String>>,
    /// `max_length = N`.
    pub max_length: Option<Spanned<u32>>,
    /// `precision = P`.
    pub precision: Option<Spanned<u32>>,
    /// `scale = S`.
    pub scale: Option<Spanned<u32>>,
    /// `references = "table(col)"`, parsed.
    pub references: Option<Spanned<Reference>>,
    /// `on_delete = "..."`.
    pub on_delete: Option<Spanned<FkAction>>,
    /// `on_update = "..."`.
    pub on_update: Option<Spanned<FkAction>>,
    /// `check = "expr"`.
    pub check: Option<Spanned<String>>,
    /// `generated = "expr"`: a generated column.
    pub generated: Option<Spanned<String>>,
    /// `stored = bool`: whether a generated column is stored (default) or virtual.
    pub stored: Option<Spanned<bool>>,
    /// `collation = "..."`.
    pub collation: Option<Spanned<String>>,
    /// `renamed_from = ...`, all occurrences.
    pub renamed_from: Vec<Spanned<String>>,
    /// `comment = "..."`.
    pub comment: Option<Spanned<String>>,
    /// `skip`.
    pub skip: Option<Span>,
    /// Every key given, with its span, in order (for "cannot be combined" errors).
    pub keys: Vec<(Symbol, Span)>,
    /// The field's `#[sqlx(...)]` keys.
    pub sqlx: SqlxField,
}

/// The doc comment held by `attrs` (`///` lines), joined as [`text::join_doc`] does.
pub fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let docs: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match unwrap_group(&nv.value) {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    text::join_doc(docs.iter().map(String::as_str))
}

impl Container {
    /// Parses every struct-level attribute, recording problems in `cx`.
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Container {
        let mut name = Attr::none(cx, TABLE, NAME);
        let mut schema = Attr::none(cx, TABLE, SCHEMA);
        let mut comment = Attr::none(cx, TABLE, COMMENT);
        let mut renamed_from = Vec::new();
        let mut indexes = Vec::new();
        let mut uniques = Vec::new();
        let mut checks = Vec::new();
        let mut primary_key: Option<KeyAttr> = None;
        let mut foreign_keys = Vec::new();
        let mut sqlx_rename_all = Attr::none(cx, SQLX, RENAME_ALL);
        let mut sqlx_seen = false;

        for attr in attrs {
            let path = attr.path();
            let result = if *path == TABLE {
                attr.parse_nested_meta(|meta| {
                    let value = Value::take(&meta)?;
                    let key = &meta.path;
                    if *key == NAME {
                        name.set_opt(key, value.string(cx, TABLE, NAME));
                    } else if *key == SCHEMA {
                        schema.set_opt(key, value.string(cx, TABLE, SCHEMA));
                    } else if *key == COMMENT {
                        comment.set_opt(key, value.string(cx, TABLE, COMMENT));
                    } else if *key == RENAMED_FROM {
                        renamed_from.extend(value.strings(cx, TABLE, RENAMED_FROM));
                    } else {
                        unknown_key(cx, TABLE, key, TABLE_KEYS);
                    }
                    Ok(())
                })
            } else if *path == INDEX {
                let mut index = IndexAttr {
                    span: path.span(),
                    name: None,
                    columns: None,
                    columns_given: false,
                    exprs: Vec::new(),
                    unique: false,
                    predicate: None,
                    method: None,
                    include: None,
                    nulls_not_distinct: false,
                };
                let result = parse_index(cx, attr, &mut index);
                indexes.push(index);
                result
            } else if *path == UNIQUE || *path == PRIMARY_KEY {
                let which = if *path == UNIQUE { UNIQUE } else { PRIMARY_KEY };
                let keys = if which == UNIQUE {
                    UNIQUE_KEYS
                } else {
                    PRIMARY_KEY_KEYS
                };
                let mut key_attr = KeyAttr {
                    span: path.span(),
                    name: None,
                    columns: None,
                    columns_given: false,
                    nulls_not_distinct: None,
                };
                let result = parse_key(cx, attr, which, keys, &mut key_attr);
                if which == UNIQUE {
                    uniques.push(key_attr);
                } else if primary_key.is_some() {
                    cx.error_spanned_by(
                        path,
                        "duplicate `#[primary_key(...)]`: a table has one primary key; list \
                         all of its columns in one `#[primary_key(columns(...))]`",
                    );
                } else {
                    primary_key = Some(key_attr);
                }
                result
            } else if *path == FOREIGN_KEY {
                let mut fk = ForeignKeyAttr {
                    span: path.span(),
                    name: None,
                    columns: None,
                    columns_given: false,
                    references: None,
                    references_given: false,
                    on_delete: None,
                    on_update: None,
                    deferrable: None,
                    initially_deferred: None,
                };
                let result = parse_foreign_key(cx, attr, &mut fk);
                foreign_keys.push(fk);
                result
            } else if *path == CHECK {
                let mut check = CheckAttr {
                    span: path.span(),
                    name: None,
                    expr: None,
                    expr_given: false,
                };
                let result = parse_check(cx, attr, &mut check);
                checks.push(check);
                result
            } else if *path == COLUMN {
                cx.error_spanned_by(
                    path,
                    "`#[column(...)]` goes on a field; on the struct use `#[table(...)]`",
                );
                Ok(())
            } else if *path == SQLX {
                sqlx_seen = true;
                attr.parse_nested_meta(|meta| {
                    let value = Value::take(&meta)?;
                    let key = &meta.path;
                    if *key == RENAME_ALL {
                        sqlx_rename_all.set_opt(key, rename_all(cx, &value, SQLX));
                    }
                    // Every other key is sqlx's alone (`default`, `type_name`, ...).
                    Ok(())
                })
            } else {
                Ok(())
            };
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }

        Container {
            name: name.get(),
            schema: schema.get(),
            renamed_from,
            comment: comment.get(),
            doc: doc_comment(attrs),
            indexes,
            uniques,
            checks,
            primary_key,
            foreign_keys,
            sqlx_rename_all: sqlx_rename_all.get(),
            sqlx_seen,
        }
    }
}

/// `rename_all = "..."` of `#[attr(...)]`: a style sqlx knows, or `None` with the error
/// recorded.
pub(crate) fn rename_all(cx: &Ctxt, value: &Value, attr: Symbol) -> Option<Spanned<String>> {
    value
        .string(cx, attr, RENAME_ALL)
        .filter(|style| rename_all_style(cx, style))
}

/// `true` when `style` is a `rename_all` style sqlx knows; records an error otherwise.
fn rename_all_style(cx: &Ctxt, style: &Spanned<String>) -> bool {
    if text::RENAME_ALL_STYLES.contains(&style.value.as_str()) {
        return true;
    }
    let hint = match text::closest(&style.value, text::RENAME_ALL_STYLES) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None => String::new(),
    };
    cx.error_at(
        style.span,
        format!(
            "unknown `rename_all` style {:?}{hint}; sqlx knows: {}",
            style.value,
            text::RENAME_ALL_STYLES.join(", ")
        ),
    );
    false
}

/// Parses one field's `#[sqlx(...)]` attribute into `out`.
fn parse_sqlx_field(
    cx: &Ctxt,
    attr: &Attribute,
    rename: &mut Attr<'_, Spanned<String>>,
    out: &mut SqlxField,
) -> syn::Result<()> {
    out.seen = true;
    attr.parse_nested_meta(|meta| {
        let value = Value::take(&meta)?;
        let key = &meta.path;
        if *key == RENAME {
            rename.set_opt(key, value.string(cx, SQLX, RENAME));
        } else if *key == SKIP {
            out.skip = out.skip.or(value.flag(cx, SQLX, SKIP));
        } else if *key == DEFAULT {
            out.default = out.default.or(value.flag(cx, SQLX, DEFAULT));
        } else if *key == FLATTEN {
            out.flatten = out.flatten.or(Some(key.span()));
        }
        // Every other key is sqlx's alone (`try_from`, `json`, ...).
        Ok(())
    })
}

fn parse_index(cx: &Ctxt, attr: &Attribute, index: &mut IndexAttr) -> syn::Result<()> {
    let mut name = Attr::none(cx, INDEX, NAME);
    let mut columns = Attr::none(cx, INDEX, COLUMNS);
    let mut unique = Attr::none(cx, INDEX, UNIQUE);
    let mut predicate = Attr::none(cx, INDEX, PREDICATE);
    let mut method = Attr::none(cx, INDEX, METHOD);
    let mut using = Attr::none(cx, INDEX, USING);
    let mut exprs = Vec::new();
    let mut include = Attr::none(cx, INDEX, INCLUDE);
    let mut nulls_not_distinct = Attr::none(cx, INDEX, NULLS_NOT_DISTINCT);
    let result = attr.parse_nested_meta(|meta| {
        let value = Value::take(&meta)?;
        let key = &meta.path;
        if *key == NAME {
            name.set_opt(key, value.string(cx, INDEX, NAME));
        } else if *key == COLUMNS {
            columns.set_opt(key, value.columns(cx, INDEX, key));
        } else if *key == UNIQUE {
            unique.set_opt(key, value.flag(cx, INDEX, UNIQUE));
        } else if *key == PREDICATE {
            predicate.set_opt(key, value.string(cx, INDEX, PREDICATE));
        } else if *key == METHOD {
            method.set_opt(key, value.string(cx, INDEX, METHOD));
        } else if *key == USING {
            using.set_opt(key, value.string(cx, INDEX, USING));
        } else if *key == EXPR {
            exprs.extend(value.string(cx, INDEX, EXPR));
        } else if *key == INCLUDE {
            include.set_opt(key, value.columns(cx, INDEX, key));
        } else if *key == NULLS_NOT_DISTINCT {
            nulls_not_distinct.set_opt(key, value.flag(cx, INDEX, NULLS_NOT_DISTINCT));
        } else {
            unknown_key(cx, INDEX, key, INDEX_KEYS);
        }
        Ok(())
    });
    index.name = name.get();
    index.columns_given = columns.seen();
    index.columns = columns.get();
    index.unique = unique.get().is_some();
    index.predicate = predicate.get();
    if method.seen() && using.seen() {
        cx.error_at(
            index.span,
            "`using` and `method` are two spellings of the index's access method; keep one",
        );
    }
    index.method = method.get().or(using.get());
    index.exprs = exprs;
    index.include = include.get();
    index.nulls_not_distinct = nulls_not_distinct.get().is_some();
    result
}

fn parse_key(
    cx: &Ctxt,
    attr: &Attribute,
    which: Symbol,
    keys: &[Symbol],
    out: &mut KeyAttr,
) -> syn::Result<()> {
    let mut name = Attr::none(cx, which, NAME);
    let mut columns = Attr::none(cx, which, COLUMNS);
    let mut nulls_not_distinct = Attr::none(cx, which, NULLS_NOT_DISTINCT);
    let result = attr.parse_nested_meta(|meta| {
        let value = Value::take(&meta)?;
        let key = &meta.path;
        if *key == NAME {
            name.set_opt(key, value.string(cx, which, NAME));
        } else if *key == COLUMNS {
            columns.set_opt(key, value.columns(cx, which, key));
        } else if *key == NULLS_NOT_DISTINCT && keys.contains(&NULLS_NOT_DISTINCT) {
            nulls_not_distinct.set_opt(key, value.flag(cx, which, NULLS_NOT_DISTINCT));
        } else {
            unknown_key(cx, which, key, keys);
        }
        Ok(())
    });
    out.name = name.get();
    out.columns_given = columns.seen();
    out.columns = columns.get();
    out.nulls_not_distinct = nulls_not_distinct.get();
    result
}

fn parse_foreign_key(cx: &Ctxt, attr: &Attribute, fk: &mut ForeignKeyAttr) -> syn::Result<()> {
    let mut name = Attr::none(cx, FOREIGN_KEY, NAME);
    let mut columns = Attr::none(cx, FOREIGN_KEY, COLUMNS);
    let mut references = Attr::none(cx, FOREIGN_KEY, REFERENCES);
    let mut on_delete = Attr::none(cx, FOREIGN_KEY, ON_DELETE);
    let mut on_update = Attr::none(cx, FOREIGN_KEY, ON_UPDATE);
    let mut deferrable = Attr::none(cx, FOREIGN_KEY, DEFERRABLE);
    let mut initially_deferred = Attr::none(cx, FOREIGN_KEY, INITIALLY_DEFERRED);
    let result = attr.parse_nested_meta(|meta| {
        let value = Value::take(&meta)?;
        let key = &meta.path;
        if *key == NAME {
            name.set_opt(key, value.string(cx, FOREIGN_KEY, NAME));
        } else if *key == COLUMNS {
            columns.set_opt(key, value.columns(cx, FOREIGN_KEY, key));
        } else if *key == REFERENCES {
            references.set_opt(key, value.references(cx, FOREIGN_KEY, true));
        } else if *key == ON_DELETE {
            on_delete.set_opt(key, value.fk_action(cx, FOREIGN_KEY, ON_DELETE));
        } else if *key == ON_UPDATE {
            on_update.set_opt(key, value.fk_action(cx, FOREIGN_KEY, ON_UPDATE));
        } else if *key == DEFERRABLE {
            deferrable.set_opt(key, value.flag(cx, FOREIGN_KEY, DEFERRABLE));
        } else if *key == INITIALLY_DEFERRED {
            initially_deferred.set_opt(key, value.flag(cx, FOREIGN_KEY, INITIALLY_DEFERRED));
        } else {
            unknown_key(cx, FOREIGN_KEY, key, FOREIGN_KEY_KEYS);
        }
        Ok(())
    });
    fk.name = name.get();
    fk.columns_given = columns.seen();
    fk.columns = columns.get();
    fk.references_given = references.seen();
    fk.references = references.get();
    fk.on_delete = on_delete.get();
    fk.on_update = on_update.get();
    fk.deferrable = deferrable.get();
    fk.initially_deferred = initially_deferred.get();
    result
}

fn parse_check(cx: &Ctxt, attr: &Attribute, check: &mut CheckAttr) -> syn::Result<()> {
    let mut name = Attr::none(cx, CHECK, NAME);
    let mut expr = Attr::none(cx, CHECK, EXPR);
    let result = attr.parse_nested_meta(|meta| {
        let value = Value::take(&meta)?;
        let key = &meta.path;
        if *key == NAME {
            name.set_opt(key, value.string(cx, CHECK, NAME));
        } else if *key == EXPR {
            expr.set_opt(key, value.string(cx, CHECK, EXPR));
        } else {
            unknown_key(cx, CHECK, key, CHECK_KEYS);
        }
        Ok(())
    });
    check.name = name.get();
    check.expr_given = expr.seen();
    check.expr = expr.get();
    result
}

impl ColumnAttrs {
    /// Parses the `#[column(...)]` attributes of one field, recording problems in `cx`.
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> ColumnAttrs {
        let mut name = Attr::none(cx, COLUMN, NAME);
        let mut primary_key = Attr::none(cx, COLUMN, PRIMARY_KEY);
        let mut auto_increment = Attr::none(cx, COLUMN, AUTO_INCREMENT);
        let mut unique = Attr::none(cx, COLUMN, UNIQUE);
        let mut index = Attr::none(cx, COLUMN, INDEX);
        let mut default = Attr::none(cx, COLUMN, DEFAULT);
        let mut sql_type = Attr::none(cx, COLUMN, SQL_TYPE);
        let mut max_length = Attr::none(cx, COLUMN, MAX_LENGTH);
        let mut precision = Attr::none(cx, COLUMN, PRECISION);
        let mut scale = Attr::none(cx, COLUMN, SCALE);
        let mut references = Attr::none(cx, COLUMN, REFERENCES);
        let mut on_delete = Attr::none(cx, COLUMN, ON_DELETE);
        let mut on_update = Attr::none(cx, COLUMN, ON_UPDATE);
        let mut check = Attr::none(cx, COLUMN, CHECK);
        let mut generated = Attr::none(cx, COLUMN, GENERATED);
        let mut stored = Attr::none(cx, COLUMN, STORED);
        let mut collation = Attr::none(cx, COLUMN, COLLATION);
        let mut comment = Attr::none(cx, COLUMN, COMMENT);
        let mut skip = Attr::none(cx, COLUMN, SKIP);
        let mut renamed_from = Vec::new();
        let mut keys = Vec::new();
        let mut sqlx_rename = Attr::none(cx, SQLX, RENAME);
        let mut sqlx = SqlxField::default();

        for attr in attrs {
            let path = attr.path();
            if *path == COLUMN {
                let result = attr.parse_nested_meta(|meta| {
                    let value = Value::take(&meta)?;
                    let key = &meta.path;
                    let symbol = COLUMN_KEYS.iter().copied().find(|s| *key == *s);
                    if let Some(symbol) = symbol {
                        keys.push((symbol, key.span()));
                    }
                    match symbol.map(|s| s.0) {
                        Some("name") => name.set_opt(key, value.string(cx, COLUMN, NAME)),
                        Some("primary_key") => {
                            primary_key.set_opt(key, value.flag(cx, COLUMN, PRIMARY_KEY))
                        }
                        Some("auto_increment") => {
                            auto_increment.set_opt(key, value.bool(cx, COLUMN, AUTO_INCREMENT))
                        }
                        Some("unique") => unique.set_opt(key, value.flag(cx, COLUMN, UNIQUE)),
                        Some("index") => index.set_opt(key, value.flag(cx, COLUMN, INDEX)),
                        Some("default") => default.set_opt(key, value.string(cx, COLUMN, DEFAULT)),
                        Some("sql_type") => {
                            sql_type.set_opt(key, value.string(cx, COLUMN, SQL_TYPE))
                        }
                        Some("max_length") => {
                            max_length.set_opt(key, value.u32(cx, COLUMN, MAX_LENGTH))
                        }
                        Some("precision") => {
                            precision.set_opt(key, value.u32(cx, COLUMN, PRECISION))
                        }
                        Some("scale") => scale.set_opt(key, value.u32(cx, COLUMN, SCALE)),
                        Some("references") => {
                            references.set_opt(key, value.references(cx, COLUMN, false));
                        }
                        Some("on_delete") => {
                            on_delete.set_opt(key, value.fk_action(cx, COLUMN, ON_DELETE))
                        }
                        Some("on_update") => {
                            on_update.set_opt(key, value.fk_action(cx, COLUMN, ON_UPDATE))
                        }
                        Some("check") => check.set_opt(key, value.string(cx, COLUMN, CHECK)),
                        Some("generated") => {
                            generated.set_opt(key, value.string(cx, COLUMN, GENERATED))
                        }
                        Some("stored") => stored.set_opt(key, value.bool(cx, COLUMN, STORED)),
                        Some("collation") => {
                            collation.set_opt(key, value.string(cx, COLUMN, COLLATION))
                        }
                        Some("renamed_from") => {
                            renamed_from.extend(value.strings(cx, COLUMN, RENAMED_FROM))
                        }
                        Some("comment") => comment.set_opt(key, value.string(cx, COLUMN, COMMENT)),
                        Some("skip") => skip.set_opt(key, value.flag(cx, COLUMN, SKIP)),
                        _ => unknown_key(cx, COLUMN, key, COLUMN_KEYS),
                    }
                    Ok(())
                });
                if let Err(err) = result {
                    cx.syn_error(err);
                }
            } else if *path == SQLX {
                if let Err(err) = parse_sqlx_field(cx, attr, &mut sqlx_rename, &mut sqlx) {
                    cx.syn_error(err);
                }
            } else if let Some(hint) = misplaced_on_field(path) {
                cx.error_spanned_by(path, hint);
            }
        }
        sqlx.rename = sqlx_rename.get();

        ColumnAttrs {
            name: name.get(),
            primary_key: primary_key.get(),
            auto_increment: auto_increment.get(),
            unique: unique.get(),
            index: index.get(),
            default: default.get(),
            sql_type: sql_type.get(),
            max_length: max_length.get(),
            precision: precision.get(),
            scale: scale.get(),
            references: references.get(),
            on_delete: on_delete.get(),
            on_update: on_update.get(),
            check: check.get(),
            generated: generated.get(),
            stored: stored.get(),
            collation: collation.get(),
            renamed_from,
            comment: comment.get(),
            skip: skip.get(),
            keys,
            sqlx,
        }
    }
}

fn misplaced_on_field(path: &Path) -> Option<&'static str> {
    Some(if *path == TABLE {
        "`#[table(...)]` goes on the struct, not on a field"
    } else if *path == INDEX {
        "`#[index(...)]` is a struct-level attribute; to index this field write \
         `#[column(index)]`"
    } else if *path == UNIQUE {
        "`#[unique(...)]` is a struct-level attribute; to make this field unique write \
         `#[column(unique)]`"
    } else if *path == CHECK {
        "`#[check(...)]` is a struct-level attribute; on a field write \
         `#[column(check = \"...\")]`"
    } else if *path == PRIMARY_KEY {
        "`#[primary_key(...)]` is a struct-level attribute; on a field write \
         `#[column(primary_key)]`"
    } else if *path == FOREIGN_KEY {
        "`#[foreign_key(...)]` is a struct-level attribute; on a field write \
         `#[column(references = \"table(column)\")]`"
    } else {
        return None;
    })
}

pub(crate) fn unknown_key(cx: &Ctxt, attr: Symbol, key: &Path, valid: &[Symbol]) {
    let shown = key.get_ident().map_or_else(
        || quote::quote!(#key).to_string().replace(' ', ""),
        |i| i.to_string(),
    );
    let names: Vec<&str> = valid.iter().map(|s| s.0).collect();
    let hint = match text::closest(&shown, &names) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None => String::new(),
    };
    cx.error_spanned_by(
        key,
        format!(
            "unknown key `{shown}` in `#[{attr}(...)]`{hint}; valid keys are: {}",
            names.join(", ")
        ),
    );
}
