//! Values of attribute keys: what follows a key (`= expr`, `(list)` or nothing), turned
//! into typed values with errors that show the expected spelling.

use crate::attr::{
    COLUMNS, ColumnList, ColumnSpec, DEFAULT, FkAction, INCLUDE, REFERENCES, Spanned, Symbol,
};
use crate::ctxt::Ctxt;
use crate::text::{self, FK_ACTIONS, Reference};
use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Expr, Lit, LitStr, Path, Token};

/// Usage example shown in value errors.
fn usage(attr: Symbol, key: Symbol) -> &'static str {
    match (attr.0, key.0) {
        ("table", "name") => "name = \"products\"",
        ("table", "schema") => "schema = \"billing\"",
        ("column", "name") => "name = \"unit_price\"",
        ("sqlx", "rename") => "rename = \"unit_price\"",
        ("sqlx", "rename_all") => "rename_all = \"camelCase\"",
        (_, "name") => "name = \"ix_products_sku\"",
        (_, "renamed_from") => "renamed_from = \"old_name\"",
        (_, "comment") => "comment = \"what this holds\"",
        (_, "predicate") => "predicate = \"deleted_at IS NULL\"",
        ("index", "expr") => "expr = \"lower(email)\"",
        (_, "expr") => "expr = \"price >= 0\"",
        (_, "generated") => "generated = \"price * quantity\"",
        (_, "stored") => "stored = false",
        (_, "collation") => "collation = \"C\"",
        (_, "using") => "using = \"gin\"",
        (_, "check") => "check = \"price >= 0\"",
        (_, "default") => "default = \"0\"",
        (_, "sql_type") => "sql_type = \"citext\"",
        (_, "max_length") => "max_length = 64",
        (_, "precision") => "precision = 10",
        (_, "scale") => "scale = 2",
        ("foreign_key", "references") => "references = \"teams(org_id, team_no)\"",
        (_, "references") => "references = \"users(id)\"",
        (_, "columns") => "columns(\"vendor_id\", \"sku\")",
        (_, "include") => "include(\"label\", \"price\")",
        (_, "method") => "method = \"gist\"",
        (_, "auto_increment") => "auto_increment = false",
        _ => "",
    }
}

/// What followed a key: nothing, `= expr` or `(a, b, ...)`.
pub(crate) enum Value {
    Flag(Span),
    Assign(Expr),
    List(Span, Vec<Expr>),
}

pub(crate) fn unwrap_group(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(group) => unwrap_group(&group.expr),
        Expr::Paren(paren) => unwrap_group(&paren.expr),
        other => other,
    }
}

fn lit_kind(expr: &Expr) -> &'static str {
    match expr {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(_) => "a string",
            Lit::Int(_) => "an integer",
            Lit::Bool(_) => "a boolean",
            Lit::Float(_) => "a float",
            _ => "another literal",
        },
        Expr::Unary(_) => "an expression",
        Expr::Path(_) => "a path",
        _ => "an expression",
    }
}

impl Value {
    pub(crate) fn take(meta: &ParseNestedMeta) -> syn::Result<Value> {
        if meta.input.peek(Token![=]) {
            meta.input.parse::<Token![=]>()?;
            let expr: Expr = meta.input.parse()?;
            Ok(Value::Assign(unwrap_group(&expr).clone()))
        } else if meta.input.peek(syn::token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in meta.input);
            let items = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
            let items = items.iter().map(|e| unwrap_group(e).clone()).collect();
            Ok(Value::List(paren.span.join(), items))
        } else {
            Ok(Value::Flag(meta.path.span()))
        }
    }

    fn span(&self) -> Span {
        match self {
            Value::Flag(span) | Value::List(span, _) => *span,
            Value::Assign(expr) => expr.span(),
        }
    }

    /// `key = "string"`.
    pub(crate) fn string(&self, cx: &Ctxt, attr: Symbol, key: Symbol) -> Option<Spanned<String>> {
        match self {
            Value::Assign(expr) => string_lit(cx, attr, key, expr),
            _ => {
                cx.error_at(
                    self.span(),
                    format!(
                        "`{key}` needs a value: write `#[{attr}({})]`",
                        usage(attr, key)
                    ),
                );
                None
            }
        }
    }

    /// `key = 64`.
    pub(crate) fn u32(&self, cx: &Ctxt, attr: Symbol, key: Symbol) -> Option<Spanned<u32>> {
        let example = usage(attr, key);
        let Value::Assign(expr) = self else {
            cx.error_at(
                self.span(),
                format!("`{key}` needs a value: write `#[{attr}({example})]`"),
            );
            return None;
        };
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(int), ..
            }) => match int.base10_parse::<u32>() {
                Ok(value) => Some(Spanned {
                    value,
                    span: int.span(),
                }),
                Err(err) => {
                    cx.error_spanned_by(int, format!("`{key}` must fit in a u32: {err}"));
                    None
                }
            },
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => {
                let hint = match s.value().trim().parse::<u32>() {
                    Ok(n) => format!("write `{key} = {n}` without the quotes"),
                    Err(_) => format!("write `#[{attr}({example})]`"),
                };
                cx.error_spanned_by(
                    s,
                    format!("`{key}` expects an integer literal, not a string: {hint}"),
                );
                None
            }
            other => {
                cx.error_spanned_by(
                    other,
                    format!(
                        "`{key}` expects a non-negative integer literal, found {}: write \
                         `#[{attr}({example})]`",
                        lit_kind(other)
                    ),
                );
                None
            }
        }
    }

    /// A flag: just `key`.
    pub(crate) fn flag(&self, cx: &Ctxt, attr: Symbol, key: Symbol) -> Option<Span> {
        match self {
            Value::Flag(span) => Some(*span),
            _ => {
                cx.error_at(
                    self.span(),
                    format!("`{key}` is a flag and takes no value: write `#[{attr}({key})]`"),
                );
                None
            }
        }
    }

    /// `key` or `key = true|false`.
    pub(crate) fn bool(&self, cx: &Ctxt, attr: Symbol, key: Symbol) -> Option<Spanned<bool>> {
        match self {
            Value::Flag(span) => Some(Spanned {
                value: true,
                span: *span,
            }),
            Value::Assign(Expr::Lit(syn::ExprLit {
                lit: Lit::Bool(b), ..
            })) => Some(Spanned {
                value: b.value,
                span: b.span,
            }),
            other => {
                cx.error_at(
                    other.span(),
                    format!(
                        "`{key}` expects `true` or `false`: write `#[{attr}({key})]` or \
                         `#[{attr}({key} = false)]`"
                    ),
                );
                None
            }
        }
    }

    /// `key = "a"` or `key("a", "b")`; repeatable.
    pub(crate) fn strings(&self, cx: &Ctxt, attr: Symbol, key: Symbol) -> Vec<Spanned<String>> {
        match self {
            Value::Assign(expr) => string_lit(cx, attr, key, expr).into_iter().collect(),
            Value::List(_, items) => items
                .iter()
                .filter_map(|e| string_lit(cx, attr, key, e))
                .collect(),
            Value::Flag(span) => {
                cx.error_at(
                    *span,
                    format!(
                        "`{key}` needs a value: write `#[{attr}({})]` or `{key}(\"a\", \"b\")`",
                        usage(attr, key)
                    ),
                );
                Vec::new()
            }
        }
    }

    /// `columns("a", "b DESC")`.
    pub(crate) fn columns(&self, cx: &Ctxt, attr: Symbol, key: &Path) -> Option<ColumnList> {
        // `columns(...)`, or `include(...)` of an index.
        let which = if *key == INCLUDE { INCLUDE } else { COLUMNS };
        let Value::List(_, items) = self else {
            cx.error_at(
                self.span(),
                format!(
                    "`{which}` takes a parenthesized list of column names: write \
                     `#[{attr}({})]`",
                    usage(attr, which)
                ),
            );
            return None;
        };
        let items = items
            .iter()
            .filter_map(|e| string_lit(cx, attr, which, e))
            .map(|s| {
                let (name, desc) = text::split_order(&s.value);
                ColumnSpec {
                    name: name.to_string(),
                    desc,
                    raw: s.value,
                    span: s.span,
                }
            })
            .collect();
        Some(ColumnList {
            items,
            span: key.span(),
        })
    }

    /// `references = "table(col)"` (of `attr`; several columns when `many`), parsed.
    pub(crate) fn references(
        &self,
        cx: &Ctxt,
        attr: Symbol,
        many: bool,
    ) -> Option<Spanned<Reference>> {
        let lit = self.string(cx, attr, REFERENCES)?;
        match text::parse_references(&lit.value, many) {
            Ok(value) => Some(Spanned {
                value,
                span: lit.span,
            }),
            Err(msg) => {
                cx.error_at(
                    lit.span,
                    format!("malformed `references = {:?}`: {msg}", lit.value),
                );
                None
            }
        }
    }

    /// `on_delete = "cascade"`.
    pub(crate) fn fk_action(
        &self,
        cx: &Ctxt,
        attr: Symbol,
        key: Symbol,
    ) -> Option<Spanned<FkAction>> {
        let lit = self.string(cx, attr, key)?;
        match text::parse_fk_action(&lit.value) {
            Some(i) => Some(Spanned {
                value: FkAction(i),
                span: lit.span,
            }),
            None => {
                cx.error_at(
                    lit.span,
                    format!(
                        "invalid `{key}` action {:?}; expected one of: {}",
                        lit.value,
                        FK_ACTIONS
                            .iter()
                            .map(|a| format!("\"{a}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                None
            }
        }
    }
}

fn string_lit(cx: &Ctxt, attr: Symbol, key: Symbol, expr: &Expr) -> Option<Spanned<String>> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(lit_value(s)),
        other => {
            let example = usage(attr, key);
            let hint = match other {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Bool(b), ..
                }) if key == DEFAULT => {
                    format!("; SQL defaults are strings: `default = \"{}\"`", b.value)
                }
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Int(i), ..
                }) if key == DEFAULT => {
                    format!(
                        "; SQL defaults are strings: `default = \"{}\"`",
                        i.base10_digits()
                    )
                }
                Expr::Path(p) if key == COLUMNS || key == INCLUDE => {
                    let name = quote::quote!(#p).to_string();
                    format!("; quote the column name: `\"{name}\"`")
                }
                _ if example.is_empty() => String::new(),
                _ => format!("; write `#[{attr}({example})]`"),
            };
            cx.error_spanned_by(
                other,
                format!(
                    "`{key}` expects a string literal, found {}{hint}",
                    lit_kind(other)
                ),
            );
            None
        }
    }
}

fn lit_value(lit: &LitStr) -> Spanned<String> {
    Spanned {
        value: lit.value(),
        span: lit.span(),
    }
}
