//! Token generation. Everything here assumes `valid::validate` found no problem.

use crate::ast::{Field, Input};
use crate::attr::{ColumnList, FkAction};
use crate::ctxt::Ctxt;
use crate::text::Reference;
use crate::valid;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;

/// Expands `#[derive(Table)]`: the `Table` impl and the registry entry, or on bad input
/// `compile_error!`s plus a stub impl so that only the real errors are reported.
pub fn derive(node: &DeriveInput) -> TokenStream {
    match try_expand(node) {
        Ok(tokens) => tokens,
        Err(err) => {
            let errors = err.to_compile_error();
            let stub = stub_impl(node);
            quote! {
                #errors
                #stub
            }
        }
    }
}

fn try_expand(node: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let input = Input::from_syn(node, &cx);
    if let Some(input) = &input {
        valid::validate(input, &cx);
    }
    cx.check()?;
    match input {
        Some(input) => Ok(impl_table(&input)),
        None => Err(syn::Error::new(
            Span::call_site(),
            "dbconform-derive: the input could not be parsed",
        )),
    }
}

/// The path of the `dbconform` facade as the crate being compiled sees it.
///
/// `proc-macro-crate` reads the caller's Cargo.toml, so a renamed dependency
/// (`db = { package = "dbconform" }`) works. Inside the facade's own library `crate` is
/// used; its examples and doc tests are other crates and use `::dbconform` (its
/// integration tests are already reported by name). Anything unexpected falls back to
/// `::dbconform` rather than failing.
pub(crate) fn facade() -> TokenStream {
    facade_path(
        proc_macro_crate::crate_name("dbconform").ok(),
        compiling_facade_library(),
    )
}

/// [`facade`] without the environment: what `proc-macro-crate` found, and whether the
/// facade library itself is being compiled.
fn facade_path(found: Option<proc_macro_crate::FoundCrate>, facade_library: bool) -> TokenStream {
    use proc_macro_crate::FoundCrate;
    match found {
        Some(FoundCrate::Name(name)) => match syn::parse_str::<syn::Ident>(&name) {
            Ok(ident) => quote!(::#ident),
            Err(_) => quote!(::dbconform),
        },
        Some(FoundCrate::Itself) if facade_library => quote!(crate),
        _ => quote!(::dbconform),
    }
}

/// `true` only while rustc compiles the `dbconform` library target itself.
///
/// `proc-macro-crate` answers `Itself` for every target of the facade package that is not
/// an integration test. Cargo names the crate being compiled in `CARGO_CRATE_NAME`, which
/// tells the library from examples and benches; rustdoc compiles each doc test with
/// `UNSTABLE_RUSTDOC_TEST_PATH` set while `CARGO_CRATE_NAME` is still the library's.
fn compiling_facade_library() -> bool {
    std::env::var("CARGO_CRATE_NAME").is_ok_and(|name| name == "dbconform")
        && std::env::var_os("UNSTABLE_RUSTDOC_TEST_PATH").is_none()
}

fn stub_impl(node: &DeriveInput) -> TokenStream {
    let facade = facade();
    let ident = &node.ident;
    let (impl_generics, ty_generics, where_clause) = node.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #facade::__private::core::Table for #ident #ty_generics #where_clause {
            fn table_def() -> #facade::__private::core::TableDef {
                ::core::unreachable!()
            }
        }
    }
}

/// Paths used by the generated code.
struct Paths {
    private: TokenStream,
    core: TokenStream,
}

impl Paths {
    fn string(&self, value: &str) -> TokenStream {
        let private = &self.private;
        quote!(#private::String::from(#value))
    }

    fn opt_string(&self, value: Option<&str>) -> TokenStream {
        match value {
            Some(value) => {
                let s = self.string(value);
                quote!(::core::option::Option::Some(#s))
            }
            None => quote!(::core::option::Option::None),
        }
    }

    fn vec(&self, items: Vec<TokenStream>) -> TokenStream {
        let private = &self.private;
        if items.is_empty() {
            quote!(#private::Vec::new())
        } else {
            quote!(#private::Vec::from([#(#items),*]))
        }
    }

    fn strings<'s>(&self, items: impl IntoIterator<Item = &'s str>) -> TokenStream {
        self.vec(items.into_iter().map(|s| self.string(s)).collect())
    }

    fn generated_name(&self, prefix: &str, table: &str, parts: &[String]) -> TokenStream {
        let core = &self.core;
        quote!(#core::generated_name(#prefix, #table, &[#(#parts),*]))
    }

    fn fk_action(&self, action: Option<FkAction>) -> TokenStream {
        let core = &self.core;
        let variant = match action.map(FkAction::as_str) {
            Some("cascade") => quote!(Cascade),
            Some("set_null") => quote!(SetNull),
            Some("set_default") => quote!(SetDefault),
            Some("restrict") => quote!(Restrict),
            _ => quote!(NoAction),
        };
        quote!(#core::FkAction::#variant)
    }

    /// A `UniqueConstraint` literal.
    fn unique(
        &self,
        name: TokenStream,
        columns: &[String],
        nulls_not_distinct: bool,
    ) -> TokenStream {
        let core = &self.core;
        let columns = self.strings(columns.iter().map(String::as_str));
        quote!(#core::UniqueConstraint {
            name: #name,
            columns: #columns,
            nulls_not_distinct: #nulls_not_distinct,
        })
    }

    /// A `ForeignKey` literal from `columns` to `reference` (an empty target when the
    /// attribute's `references` was invalid: the errors stop the build anyway).
    fn foreign_key(
        &self,
        name: TokenStream,
        columns: &[String],
        reference: Option<&Reference>,
        actions: [Option<FkAction>; 2],
        deferrable: TokenStream,
    ) -> TokenStream {
        let core = &self.core;
        let columns = self.strings(columns.iter().map(String::as_str));
        let schema = self.opt_string(reference.and_then(|r| r.schema.as_deref()));
        let table = self.string(reference.map_or("", |r| r.table.as_str()));
        let referenced = self.strings(
            reference
                .iter()
                .flat_map(|r| &r.columns)
                .map(String::as_str),
        );
        let [on_delete, on_update] = actions.map(|action| self.fk_action(action));
        quote!(#core::ForeignKey {
            name: #name,
            columns: #columns,
            references: #core::QualifiedName { schema: #schema, name: #table },
            referenced_columns: #referenced,
            on_delete: #on_delete,
            on_update: #on_update,
            deferrable: #core::Deferrability::#deferrable,
            not_valid: false,
        })
    }
}

fn impl_table(input: &Input) -> TokenStream {
    let facade = facade();
    let private = quote!(#facade::__private);
    let core = quote!(#private::core);
    let p = Paths {
        private: private.clone(),
        core: core.clone(),
    };
    let ident = input.ident;
    let ident_str = ident.to_string();
    let table = input.table_name();
    let attrs = &input.attrs;

    let mut prelude = Vec::new();
    let mut columns = Vec::new();
    for (i, field) in input.columns().enumerate() {
        let (lets, column) = column(&p, field, i);
        prelude.push(lets);
        columns.push(column);
    }

    // Struct-level declarations come first, in attribute order, then field-level ones in
    // field order.
    let mut uniques = Vec::new();
    let mut indexes = Vec::new();
    let mut checks = Vec::new();
    let mut foreign_keys = Vec::new();

    for unique in &attrs.uniques {
        let cols = resolved(input, unique.columns.as_ref(), false);
        let name = match &unique.name {
            Some(n) => p.string(&n.value),
            None => p.generated_name("uq", &table, &cols),
        };
        uniques.push(p.unique(name, &cols, unique.nulls_not_distinct.is_some()));
    }
    for index in &attrs.indexes {
        let specs: Vec<(String, bool)> = index
            .columns
            .iter()
            .flat_map(|l| &l.items)
            .map(|c| {
                if input.lookup(&c.name).is_missing() {
                    (input.resolve(&c.raw), false)
                } else {
                    (input.resolve(&c.name), c.desc == Some(true))
                }
            })
            .collect();
        let names: Vec<String> = specs.iter().map(|(n, _)| n.clone()).collect();
        let exprs: Vec<&str> = index.exprs.iter().map(|e| e.value.trim()).collect();
        let name = match &index.name {
            Some(n) => p.string(&n.value),
            // An expression key is named by its hash, as a CHECK is.
            None => quote!(#core::generated_name("ix", #table, &[
                #(#names,)* #(#core::short_hash(#exprs).as_str()),*
            ])),
        };
        let keys = specs
            .iter()
            .map(|(n, desc)| (n.as_str(), *desc, false))
            .chain(exprs.iter().map(|e| (*e, false, true)));
        let cols = p.vec(
            keys.map(|(n, desc, expression)| {
                let n = p.string(n);
                let order = if desc { quote!(Desc) } else { quote!(Asc) };
                quote!(#core::IndexColumn {
                    name: #n,
                    order: #core::SortOrder::#order,
                    expression: #expression,
                    opclass: ::core::option::Option::None,
                    nulls: ::core::option::Option::None,
                })
            })
            .collect(),
        );
        let unique = index.unique;
        let predicate = p.opt_string(index.predicate.as_ref().map(|s| s.value.as_str()));
        // The access method as PostgreSQL's catalog spells it (lower case), `btree` as the
        // default it is, so that the declaration is already in normal form.
        let method = index
            .method
            .as_ref()
            .map(|m| m.value.trim().to_ascii_lowercase())
            .filter(|m| m != "btree");
        let method = p.opt_string(method.as_deref());
        let include: Vec<String> = index
            .include
            .iter()
            .flat_map(|l| &l.items)
            .map(|c| input.resolve(&c.raw))
            .collect();
        let include = p.strings(include.iter().map(String::as_str));
        let nulls_not_distinct = index.nulls_not_distinct;
        indexes.push(quote!(#core::Index {
            name: #name,
            columns: #cols,
            unique: #unique,
            predicate: #predicate,
            method: #method,
            include: #include,
            nulls_not_distinct: #nulls_not_distinct,
            invalid: false,
        }));
    }
    for check in &attrs.checks {
        let expr = check.expr.as_ref().map_or("", |e| e.value.as_str());
        let name = match &check.name {
            Some(n) => p.string(&n.value),
            None => {
                quote!(#core::generated_name("ck", #table, &[#core::short_hash(#expr).as_str()]))
            }
        };
        let expr = p.string(expr);
        checks.push(quote!(#core::Check { name: #name, expr: #expr, not_valid: false }));
    }
    for fk in &attrs.foreign_keys {
        let cols = resolved(input, fk.columns.as_ref(), false);
        let name = match &fk.name {
            Some(n) => p.string(&n.value),
            None => p.generated_name("fk", &table, &cols),
        };
        let deferrable = if fk.initially_deferred.is_some() {
            quote!(InitiallyDeferred)
        } else if fk.deferrable.is_some() {
            quote!(Deferrable)
        } else {
            quote!(NotDeferrable)
        };
        foreign_keys.push(p.foreign_key(
            name,
            &cols,
            fk.references.as_ref().map(|r| &r.value),
            [&fk.on_delete, &fk.on_update].map(|a| a.as_ref().map(|s| s.value)),
            deferrable,
        ));
    }

    let mut field_pk = None;
    for field in input.columns() {
        let a = &field.attrs;
        let col = field.column_name();
        let parts = [col.clone()];
        if a.primary_key.is_some() {
            field_pk = Some(col.clone());
        }
        if a.unique.is_some() {
            let name = p.generated_name("uq", &table, &parts);
            uniques.push(p.unique(name, &parts, false));
        }
        if a.index.is_some() {
            let name = p.generated_name("ix", &table, &parts);
            let cols = p.vec(vec![{
                let n = p.string(&col);
                quote!(#core::IndexColumn {
                    name: #n,
                    order: #core::SortOrder::Asc,
                    expression: false,
                    opclass: ::core::option::Option::None,
                    nulls: ::core::option::Option::None,
                })
            }]);
            let none = quote!(::core::option::Option::None);
            let no_columns = p.vec(Vec::new());
            indexes.push(quote!(#core::Index {
                name: #name,
                columns: #cols,
                unique: false,
                predicate: #none,
                method: #none,
                include: #no_columns,
                nulls_not_distinct: false,
                invalid: false,
            }));
        }
        if let Some(reference) = &a.references {
            let name = p.generated_name("fk", &table, &parts);
            foreign_keys.push(p.foreign_key(
                name,
                &parts,
                Some(&reference.value),
                [&a.on_delete, &a.on_update].map(|a| a.as_ref().map(|s| s.value)),
                quote!(NotDeferrable),
            ));
        }
        if let Some(check) = &a.check {
            let name = p.generated_name("ck", &table, &parts);
            let expr = p.string(&check.value);
            checks.push(quote!(#core::Check { name: #name, expr: #expr, not_valid: false }));
        }
    }

    let primary_key = if let Some(col) = field_pk {
        let cols = p.strings([col.as_str()]);
        quote!(::core::option::Option::Some(#core::PrimaryKey {
            name: ::core::option::Option::None,
            columns: #cols,
        }))
    } else if let Some(pk) = &attrs.primary_key {
        let cols = resolved(input, pk.columns.as_ref(), false);
        let cols = p.strings(cols.iter().map(String::as_str));
        let name = p.opt_string(pk.name.as_ref().map(|n| n.value.as_str()));
        quote!(::core::option::Option::Some(#core::PrimaryKey { name: #name, columns: #cols }))
    } else {
        quote!(::core::option::Option::None)
    };

    let schema = p.opt_string(attrs.schema.as_ref().map(|s| s.value.as_str()));
    let name = p.string(&table);
    let renamed_from = p.strings(attrs.renamed_from.iter().map(|s| s.value.as_str()));
    let comment = p.opt_string(input.comment().as_deref());
    let columns = p.vec(columns);
    let uniques = p.vec(uniques);
    let foreign_keys = p.vec(foreign_keys);
    let checks = p.vec(checks);
    let indexes = p.vec(indexes);

    quote! {
        #[automatically_derived]
        impl #core::Table for #ident {
            #[allow(clippy::needless_update)]
            fn table_def() -> #core::TableDef {
                #(#prelude)*
                #core::TableDef {
                    schema: #schema,
                    name: #name,
                    renamed_from: #renamed_from,
                    comment: #comment,
                    columns: #columns,
                    primary_key: #primary_key,
                    uniques: #uniques,
                    foreign_keys: #foreign_keys,
                    checks: #checks,
                    indexes: #indexes,
                    ..::core::default::Default::default()
                }
            }
        }

        #private::inventory::submit! {
            #core::Registration {
                rust_type: ::core::concat!(::core::module_path!(), "::", #ident_str),
                table_def: <#ident as #core::Table>::table_def,
            }
        }
    }
}

/// The column names a `columns(...)` list resolves to (field names become column names).
fn resolved(input: &Input, list: Option<&ColumnList>, sorted: bool) -> Vec<String> {
    list.iter()
        .flat_map(|l| &l.items)
        .map(|c| input.resolve(if sorted { &c.name } else { &c.raw }))
        .collect()
}

/// The statements computing one column's type, and the expression building the column.
fn column(p: &Paths, field: &Field, i: usize) -> (TokenStream, TokenStream) {
    let core = &p.core;
    let private = &p.private;
    let a = &field.attrs;
    let ty = field.inner_ty;
    let ty_span = syn::spanned::Spanned::span(ty);
    let var = format_ident!("__dbconform_type_{}", i);

    let mut lets = TokenStream::new();
    let column_type = if let Some(sql_type) = &a.sql_type {
        let s = p.string(&sql_type.value);
        quote!(#core::ColumnType::Custom(#s))
    } else if let Some(max) = &a.max_length {
        let max = max.value;
        // Spanned on the type: a type without `max_length` fails to compile there, with
        // `AcceptsMaxLength`'s message.
        quote_spanned!(ty_span=> <#ty as #core::AcceptsMaxLength>::with_max_length(#max))
    } else if let Some(precision) = &a.precision {
        let precision = precision.value;
        let scale = match &a.scale {
            Some(s) => {
                let s = s.value;
                quote!(::core::option::Option::Some(#s))
            }
            None => quote!(::core::option::Option::None),
        };
        lets.extend(quote_spanned! {ty_span=>
            const _: () = #private::assert_accepts_precision::<#ty>();
        });
        quote!(#core::ColumnType::Decimal {
            precision: ::core::option::Option::Some(#precision),
            scale: #scale,
        })
    } else {
        quote_spanned!(ty_span=> <#ty as #core::SqlType>::column_type())
    };
    lets.extend(quote!(let #var: #core::ColumnType = #column_type;));

    let name = p.string(&field.column_name());
    let mut sets = Vec::new();
    if field.nullable {
        sets.push(quote!(__column.nullable = true;));
    }
    if let Some(default) = &a.default {
        let d = p.string(&default.value);
        sets.push(quote!(__column.default = ::core::option::Option::Some(#d);));
    }
    if a.primary_key.is_some() {
        // An integer primary key auto-increments unless told otherwise or given a default;
        // whether the type is an integer is only known once the type is resolved.
        let auto = match &a.auto_increment {
            Some(explicit) => {
                let value = explicit.value;
                quote!(#value)
            }
            None if a.default.is_some() => quote!(false),
            None => quote!(#core::ColumnType::is_integer(&__column.ty)),
        };
        sets.push(quote!(__column.auto_increment = #auto;));
    }
    if let Some(generated) = &a.generated {
        let expr = p.string(generated.value.trim());
        let stored = a.stored.as_ref().is_none_or(|s| s.value);
        sets.push(quote!(__column.generated = ::core::option::Option::Some(
            #core::GeneratedColumn { expr: #expr, stored: #stored }
        );));
    }
    if let Some(collation) = &a.collation {
        let c = p.string(collation.value.trim());
        sets.push(quote!(__column.collation = ::core::option::Option::Some(#c);));
    }
    if let Some(comment) = field.comment() {
        let c = p.string(&comment);
        sets.push(quote!(__column.comment = ::core::option::Option::Some(#c);));
    }
    if !a.renamed_from.is_empty() {
        let r = p.strings(a.renamed_from.iter().map(|s| s.value.as_str()));
        sets.push(quote!(__column.renamed_from = #r;));
    }
    let expr = if sets.is_empty() {
        quote!(#core::Column::new(#name, #var))
    } else {
        quote!({
            let mut __column = #core::Column::new(#name, #var);
            #(#sets)*
            __column
        })
    };
    (lets, expr)
}

#[cfg(test)]
mod tests {
    use super::facade_path;
    use proc_macro_crate::FoundCrate;

    fn path(found: Option<FoundCrate>, facade_library: bool) -> String {
        facade_path(found, facade_library)
            .to_string()
            .replace(' ', "")
    }

    #[test]
    fn facade_path_follows_renames_and_the_facade_itself() {
        assert_eq!(
            path(Some(FoundCrate::Name("dbconform".into())), false),
            "::dbconform"
        );
        assert_eq!(path(Some(FoundCrate::Name("db".into())), false), "::db");
        assert_eq!(path(Some(FoundCrate::Itself), true), "crate");
        // Examples and doc tests of the facade package are crates of their own.
        assert_eq!(path(Some(FoundCrate::Itself), false), "::dbconform");
        // Not a direct dependency, or a name that is no identifier: the default name.
        assert_eq!(path(None, false), "::dbconform");
        assert_eq!(
            path(Some(FoundCrate::Name("not an ident".into())), false),
            "::dbconform"
        );
    }
}

#[cfg(test)]
mod expansion_tests {
    use super::derive;
    use syn::{DeriveInput, parse_quote};

    fn expand(input: DeriveInput) -> String {
        derive(&input).to_string()
    }

    #[test]
    fn bad_input_gives_errors_and_a_stub_impl() {
        let out = expand(parse_quote! {
            enum Status { Active }
        });
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("impl :: dbconform :: __private :: core :: Table for Status"));
        assert!(!out.contains("inventory"), "{out}");
    }

    #[test]
    fn all_errors_are_reported_together() {
        let out = expand(parse_quote! {
            #[table(nmae = "x")]
            struct Product {
                #[column(max_length = "64", scale = 2)]
                id: Option<i64>,
            }
        });
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
    }

    #[test]
    fn good_input_implements_and_registers() {
        let out = expand(parse_quote! {
            struct Product {
                #[column(primary_key)]
                id: i64,
            }
        });
        assert!(!out.contains("compile_error"), "{out}");
        assert!(out.contains("inventory :: submit !"), "{out}");
        assert!(out.contains("Registration"), "{out}");
    }
}
