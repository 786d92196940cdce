//! The parsed derive input: the struct, its fields and their attributes, keeping the syn
//! nodes so that errors and generated assertions point at the user's tokens.

use crate::attr::{ColumnAttrs, Container};
use crate::ctxt::Ctxt;
use crate::text;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, PathArguments, Type};

/// A struct deriving `Table`.
pub struct Input<'a> {
    /// The whole input, for generics and spans.
    pub original: &'a DeriveInput,
    /// The struct's name.
    pub ident: &'a Ident,
    /// Struct-level attributes.
    pub attrs: Container,
    /// Every named field, skipped ones included, in declaration order.
    pub fields: Vec<Field<'a>>,
}

/// One named field.
pub struct Field<'a> {
    /// The field's name.
    pub ident: &'a Ident,
    /// The declared type.
    pub ty: &'a Type,
    /// The type with one outer `Option<...>` removed: the type asked for `SqlType`.
    pub inner_ty: &'a Type,
    /// `true` when the declared type is `Option<...>` (a nullable column).
    pub nullable: bool,
    /// `#[column(...)]` attributes, and the `#[sqlx(...)]` keys read (`attrs.sqlx`).
    pub attrs: ColumnAttrs,
    /// The column `sqlx::FromRow` reads the field from: `#[sqlx(rename)]`, else the field
    /// name renamed by the struct's `#[sqlx(rename_all)]`, else the field name.
    pub sqlx_column: String,
    /// The field's doc comment.
    pub doc: Option<String>,
}

/// What a name in a `columns(...)` list or similar resolves to.
pub enum Lookup<'f, 'a> {
    /// A column (matched by column name, or else by field name).
    Column(&'f Field<'a>),
    /// A field marked `skip`, which has no column.
    Skipped(&'f Field<'a>),
    /// Nothing matches.
    Missing,
}

impl Lookup<'_, '_> {
    /// `true` when nothing matched.
    pub fn is_missing(&self) -> bool {
        matches!(self, Lookup::Missing)
    }
}

impl<'a> Input<'a> {
    /// Parses `node`. Structural problems (not a struct with named fields) end parsing with
    /// `None`; every problem is recorded in `cx`.
    pub fn from_syn(node: &'a DeriveInput, cx: &Ctxt) -> Option<Input<'a>> {
        let named = match &node.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => named,
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "`#[derive(Table)]` does not support tuple structs: columns need \
                         names, so use a struct with named fields",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &node.ident,
                        "`#[derive(Table)]` does not support unit structs: a table needs at \
                         least one column, so add named fields",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Table)]` works on structs with named fields, not on enums",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Table)]` works on structs with named fields, not on unions",
                );
                return None;
            }
        };
        // Struct-level attributes first, so their errors are reported first.
        let attrs = Container::from_ast(cx, &node.attrs);
        let fields = named
            .named
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let (inner_ty, nullable) = match option_inner(&field.ty) {
                    Some(inner) => (inner, true),
                    None => (&field.ty, false),
                };
                let column_attrs = ColumnAttrs::from_ast(cx, &field.attrs);
                // As sqlx-macros does: `rename` wins, `rename_all` applies to the rest.
                let field_name = ident.unraw().to_string();
                let sqlx_column = match (&column_attrs.sqlx.rename, &attrs.sqlx_rename_all) {
                    (Some(rename), _) => rename.value.clone(),
                    (None, Some(style)) => text::rename_all(&field_name, &style.value),
                    (None, None) => field_name,
                };
                Some(Field {
                    ident,
                    ty: &field.ty,
                    inner_ty,
                    nullable,
                    attrs: column_attrs,
                    sqlx_column,
                    doc: crate::attr::doc_comment(&field.attrs),
                })
            })
            .collect();
        Some(Input {
            original: node,
            ident: &node.ident,
            attrs,
            fields,
        })
    }

    /// The table name: `#[table(name)]`, or the struct name in snake_case.
    pub fn table_name(&self) -> String {
        match &self.attrs.name {
            Some(name) => name.value.clone(),
            None => text::snake_case(&self.ident.unraw().to_string()),
        }
    }

    /// The table comment: `#[table(comment)]` (an empty one means none), or the doc comment.
    pub fn comment(&self) -> Option<String> {
        match &self.attrs.comment {
            Some(c) => (!c.value.is_empty()).then(|| c.value.clone()),
            None => self.attrs.doc.clone(),
        }
    }

    /// The fields that are columns (not `skip`ped).
    pub fn columns(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| !f.is_skipped())
    }

    /// `true` when the struct is read by `sqlx::FromRow`, as far as the derive can tell:
    /// it or one of its fields has a `#[sqlx(...)]` attribute.
    pub fn uses_sqlx(&self) -> bool {
        self.attrs.sqlx_seen || self.fields.iter().any(|f| f.attrs.sqlx.seen)
    }

    /// Resolves a name from an attribute: a column name first, then a field name.
    pub fn lookup(&self, name: &str) -> Lookup<'_, 'a> {
        if let Some(field) = self.columns().find(|f| f.column_name() == name) {
            return Lookup::Column(field);
        }
        match self.fields.iter().find(|f| f.ident.unraw() == name) {
            Some(field) if field.is_skipped() => Lookup::Skipped(field),
            Some(field) => Lookup::Column(field),
            None => Lookup::Missing,
        }
    }

    /// The column name that `name` resolves to, or `name` itself when it resolves to none.
    pub fn resolve(&self, name: &str) -> String {
        match self.lookup(name) {
            Lookup::Column(field) => field.column_name(),
            _ => name.to_string(),
        }
    }
}

impl Field<'_> {
    /// The column name: `#[column(name)]`, or the column sqlx reads ([`Field::sqlx_column`]:
    /// `#[sqlx(rename)]`, `#[sqlx(rename_all)]` or the field name without `r#`).
    pub fn column_name(&self) -> String {
        match &self.attrs.name {
            Some(name) => name.value.clone(),
            None => self.sqlx_column.clone(),
        }
    }

    /// `true` when the field is no column: `#[column(skip)]` or `#[sqlx(skip)]`.
    pub fn is_skipped(&self) -> bool {
        self.attrs.skip.is_some() || self.attrs.sqlx.skip.is_some()
    }

    /// The column comment: `#[column(comment)]` (an empty one means none), or the doc comment.
    pub fn comment(&self) -> Option<String> {
        match &self.attrs.comment {
            Some(c) => (!c.value.is_empty()).then(|| c.value.clone()),
            None => self.doc.clone(),
        }
    }

    /// Span of the column's name: the `name = "..."` or `rename = "..."` literal, or the
    /// field identifier.
    pub fn name_span(&self) -> proc_macro2::Span {
        match (&self.attrs.name, &self.attrs.sqlx.rename) {
            (Some(name), _) | (None, Some(name)) => name.span,
            (None, None) => self.ident.span(),
        }
    }

    /// Span of the declared type.
    pub fn ty_span(&self) -> proc_macro2::Span {
        self.ty.span()
    }
}

/// `T` when `ty` is `Option<T>`, `std::option::Option<T>` or `core::option::Option<T>`
/// (recognized by spelling: the derive cannot resolve types).
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let path = match ty {
        Type::Path(path) if path.qself.is_none() => &path.path,
        Type::Group(group) => return option_inner(&group.elem),
        Type::Paren(paren) => return option_inner(&paren.elem),
        _ => return None,
    };
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let is_option = match names.as_slice() {
        [one] => one == "Option",
        [krate, module, last] => {
            (krate == "std" || krate == "core") && module == "option" && last == "Option"
        }
        _ => false,
    };
    if !is_option || (path.leading_colon.is_some() && names.len() == 1) {
        return None;
    }
    if path
        .segments
        .iter()
        .rev()
        .skip(1)
        .any(|s| !s.arguments.is_none())
    {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &path.segments.last()?.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::option_inner;
    use syn::{Type, parse_quote};

    #[test]
    fn recognizes_option_spellings() {
        let yes: [Type; 4] = [
            parse_quote!(Option<String>),
            parse_quote!(std::option::Option<i64>),
            parse_quote!(::core::option::Option<Vec<u8>>),
            parse_quote!(Option<Option<i32>>),
        ];
        for ty in &yes {
            assert!(option_inner(ty).is_some(), "{}", quote::quote!(#ty));
        }
        let no: [Type; 4] = [
            parse_quote!(String),
            parse_quote!(my::Option<String>),
            parse_quote!(Vec<Option<i32>>),
            parse_quote!(::Option<i32>),
        ];
        for ty in &no {
            assert!(option_inner(ty).is_none(), "{}", quote::quote!(#ty));
        }
    }
}
