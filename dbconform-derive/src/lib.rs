//! `#[derive(Table)]` for dbconform. Use it through the `dbconform` crate, which documents
//! the attributes; this crate holds only the macro.
//!
//! The pipeline follows thiserror-impl: [`ast`](crate) parses the input and its attributes
//! (`attr`), `valid` checks them, collecting every error, and `expand` writes the tokens.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod text;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `dbconform::Table` and registers the table with dbconform's registry.
///
/// Struct attributes: `#[table(name, schema, renamed_from, comment)]`,
/// `#[index(name, columns(...), unique, predicate)]`, `#[unique(name, columns(...))]`,
/// `#[check(name, expr)]`, `#[primary_key(name, columns(...))]`. Field attribute:
/// `#[column(name, primary_key, auto_increment, unique, index, default, sql_type,
/// max_length, precision, scale, references, on_delete, on_update, check, renamed_from,
/// comment, skip)]`. See the `dbconform` crate documentation for their meaning.
#[proc_macro_derive(Table, attributes(table, column, index, unique, check, primary_key))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
