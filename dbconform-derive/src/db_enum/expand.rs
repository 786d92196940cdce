//! Tokens of `#[derive(DbEnum)]`: `DbEnum` and `SqlType` for the enum.

use super::ast::Input;
use super::valid;
use crate::ctxt::Ctxt;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::DeriveInput;

/// Expands `#[derive(DbEnum)]`, or on bad input its errors alone.
pub fn derive(node: &DeriveInput) -> TokenStream {
    match try_expand(node) {
        Ok(tokens) => tokens,
        Err(err) => err.to_compile_error(),
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
        Some(input) => Ok(impl_db_enum(&input)),
        None => Err(syn::Error::new(
            Span::call_site(),
            "dbconform-derive: the input could not be parsed",
        )),
    }
}

fn impl_db_enum(input: &Input) -> TokenStream {
    let facade = crate::expand::facade();
    let private = quote!(#facade::__private);
    let core = quote!(#private::core);
    let string = |s: &str| quote!(#private::String::from(#s));
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.original.generics.split_for_impl();
    let name = string(&input.type_name());
    let schema = match &input.schema {
        Some(schema) => {
            let s = string(&schema.value);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    };
    let labels = input.variants.iter().map(|variant| {
        let label = string(&input.label(variant));
        let olds = variant.renamed_from.iter().map(|old| string(&old.value));
        quote! {
            #core::EnumLabel {
                name: #label,
                renamed_from: #private::Vec::from([#(#olds),*]),
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #core::DbEnum for #ident #ty_generics #where_clause {
            fn enum_type() -> #core::EnumType {
                #core::EnumType {
                    schema: #schema,
                    name: #name,
                    labels: #private::Vec::from([#(#labels),*]),
                }
            }
        }

        #[automatically_derived]
        impl #impl_generics #core::SqlType for #ident #ty_generics #where_clause {
            fn column_type() -> #core::ColumnType {
                #core::ColumnType::Enum(#private::Box::new(<Self as #core::DbEnum>::enum_type()))
            }
        }
    }
}
