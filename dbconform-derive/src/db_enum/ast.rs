//! The parsed `#[derive(DbEnum)]` input: the enum's attributes and its unit variants.

use crate::attr::{self, Attr, RENAME_ALL, SQLX, Spanned, Symbol, unknown_key};
use crate::ctxt::Ctxt;
use crate::text;
use crate::value::Value;
use syn::{Attribute, Data, DeriveInput, Fields, Ident};

/// `#[db_enum(...)]`
pub const DB_ENUM: Symbol = Symbol("db_enum");
const NAME: Symbol = Symbol("name");
const SCHEMA: Symbol = Symbol("schema");
const RENAME: Symbol = Symbol("rename");
const RENAMED_FROM: Symbol = Symbol("renamed_from");
const TYPE_NAME: Symbol = Symbol("type_name");

const ENUM_KEYS: &[Symbol] = &[NAME, SCHEMA, RENAME_ALL];
const VARIANT_KEYS: &[Symbol] = &[RENAME, RENAMED_FROM];

/// An enum deriving `DbEnum`.
pub struct Input<'a> {
    /// The whole input, for generics.
    pub original: &'a DeriveInput,
    /// The enum's name.
    pub ident: &'a Ident,
    /// `#[db_enum(name = "...")]`.
    pub name: Option<Spanned<String>>,
    /// `#[db_enum(schema = "...")]`.
    pub schema: Option<Spanned<String>>,
    /// `#[db_enum(rename_all = "...")]`.
    pub rename_all: Option<Spanned<String>>,
    /// `#[sqlx(type_name = "...")]`.
    pub sqlx_type_name: Option<Spanned<String>>,
    /// `#[sqlx(rename_all = "...")]`.
    pub sqlx_rename_all: Option<Spanned<String>>,
    /// The variants, in declaration order.
    pub variants: Vec<Variant<'a>>,
}

/// One unit variant.
pub struct Variant<'a> {
    /// The variant's name.
    pub ident: &'a Ident,
    /// `#[db_enum(rename = "...")]`.
    pub rename: Option<Spanned<String>>,
    /// `#[sqlx(rename = "...")]`.
    pub sqlx_rename: Option<Spanned<String>>,
    /// `#[db_enum(renamed_from = ...)]`, all occurrences.
    pub renamed_from: Vec<Spanned<String>>,
}

impl<'a> Input<'a> {
    /// Parses `node`; `None` when it is not an enum. Every problem is recorded in `cx`.
    pub fn from_syn(node: &'a DeriveInput, cx: &Ctxt) -> Option<Input<'a>> {
        let Data::Enum(data) = &node.data else {
            cx.error_spanned_by(
                &node.ident,
                "`#[derive(DbEnum)]` applies to enums with unit variants only: each variant \
                 is one label of the database enum type",
            );
            return None;
        };
        let mut name = Attr::none(cx, DB_ENUM, NAME);
        let mut schema = Attr::none(cx, DB_ENUM, SCHEMA);
        let mut rename_all = Attr::none(cx, DB_ENUM, RENAME_ALL);
        let mut sqlx_type_name = Attr::none(cx, SQLX, TYPE_NAME);
        let mut sqlx_rename_all = Attr::none(cx, SQLX, RENAME_ALL);
        for attr in &node.attrs {
            let result = if attr.path().is_ident(DB_ENUM.0) {
                attr.parse_nested_meta(|meta| {
                    let value = Value::take(&meta)?;
                    let key = &meta.path;
                    if *key == NAME {
                        name.set_opt(key, value.string(cx, DB_ENUM, NAME));
                    } else if *key == SCHEMA {
                        schema.set_opt(key, value.string(cx, DB_ENUM, SCHEMA));
                    } else if *key == RENAME_ALL {
                        rename_all.set_opt(key, attr::rename_all(cx, &value, DB_ENUM));
                    } else {
                        unknown_key(cx, DB_ENUM, key, ENUM_KEYS);
                    }
                    Ok(())
                })
            } else if attr.path().is_ident(SQLX.0) {
                attr.parse_nested_meta(|meta| {
                    let value = Value::take(&meta)?;
                    let key = &meta.path;
                    if *key == TYPE_NAME {
                        sqlx_type_name.set_opt(key, value.string(cx, SQLX, TYPE_NAME));
                    } else if *key == RENAME_ALL {
                        sqlx_rename_all.set_opt(key, attr::rename_all(cx, &value, SQLX));
                    }
                    // Every other key is sqlx's alone (`transparent`, `no_pg_array`, ...).
                    Ok(())
                })
            } else {
                Ok(())
            };
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }
        let mut variants = Vec::new();
        for variant in &data.variants {
            if !matches!(variant.fields, Fields::Unit) {
                cx.error_spanned_by(
                    &variant.fields,
                    format!(
                        "`#[derive(DbEnum)]` needs unit variants: `{}` holds data, which a \
                         database enum label cannot; remove its fields",
                        variant.ident
                    ),
                );
            }
            let (rename, sqlx_rename, renamed_from) = variant_attrs(cx, &variant.attrs);
            variants.push(Variant {
                ident: &variant.ident,
                rename,
                sqlx_rename,
                renamed_from,
            });
        }
        Some(Input {
            original: node,
            ident: &node.ident,
            name: name.get(),
            schema: schema.get(),
            rename_all: rename_all.get(),
            sqlx_type_name: sqlx_type_name.get(),
            sqlx_rename_all: sqlx_rename_all.get(),
            variants,
        })
    }

    /// The type's name: `#[db_enum(name)]`, else `#[sqlx(type_name)]`, else the enum's
    /// name in snake_case.
    pub fn type_name(&self) -> String {
        self.name
            .as_ref()
            .or(self.sqlx_type_name.as_ref())
            .map_or_else(
                || text::snake_case(&self.ident.to_string()),
                |n| n.value.clone(),
            )
    }

    /// The `rename_all` style: dbconform's, else sqlx's.
    pub fn style(&self) -> Option<&str> {
        self.rename_all
            .as_ref()
            .or(self.sqlx_rename_all.as_ref())
            .map(|s| s.value.as_str())
    }

    /// The label of `variant`: its `rename` (dbconform's or sqlx's), else its name renamed
    /// by the `rename_all` style, else its name as written (sqlx's default).
    pub fn label(&self, variant: &Variant) -> String {
        if let Some(rename) = variant.rename.as_ref().or(variant.sqlx_rename.as_ref()) {
            return rename.value.clone();
        }
        let name = variant.ident.to_string();
        match self.style() {
            Some(style) => text::rename_all(&name, style),
            None => name,
        }
    }
}

/// A variant's `#[db_enum(rename, renamed_from)]` and `#[sqlx(rename)]`.
#[allow(clippy::type_complexity)]
fn variant_attrs(
    cx: &Ctxt,
    attrs: &[Attribute],
) -> (
    Option<Spanned<String>>,
    Option<Spanned<String>>,
    Vec<Spanned<String>>,
) {
    let mut rename = Attr::none(cx, DB_ENUM, RENAME);
    let mut sqlx_rename = Attr::none(cx, SQLX, RENAME);
    let mut renamed_from = Vec::new();
    for attr in attrs {
        let result = if attr.path().is_ident(DB_ENUM.0) {
            attr.parse_nested_meta(|meta| {
                let value = Value::take(&meta)?;
                let key = &meta.path;
                if *key == RENAME {
                    rename.set_opt(key, value.string(cx, DB_ENUM, RENAME));
                } else if *key == RENAMED_FROM {
                    renamed_from.extend(value.strings(cx, DB_ENUM, RENAMED_FROM));
                } else {
                    unknown_key(cx, DB_ENUM, key, VARIANT_KEYS);
                }
                Ok(())
            })
        } else if attr.path().is_ident(SQLX.0) {
            attr.parse_nested_meta(|meta| {
                let value = Value::take(&meta)?;
                let key = &meta.path;
                if *key == RENAME {
                    sqlx_rename.set_opt(key, value.string(cx, SQLX, RENAME));
                }
                Ok(())
            })
        } else {
            Ok(())
        };
        if let Err(err) = result {
            cx.syn_error(err);
        }
    }
    (rename.get(), sqlx_rename.get(), renamed_from)
}
