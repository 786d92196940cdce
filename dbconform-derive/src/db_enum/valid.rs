//! Checks of a parsed `#[derive(DbEnum)]`: labels unique after renaming, and dbconform's
//! spellings agreeing with sqlx's wherever both are given.

use super::ast::Input;
use crate::attr::Spanned;
use crate::ctxt::Ctxt;
use std::collections::BTreeMap;

/// Records every problem of `input` in `cx`.
pub fn validate(input: &Input, cx: &Ctxt) {
    if input.variants.is_empty() {
        cx.error_spanned_by(
            input.ident,
            "`#[derive(DbEnum)]` needs at least one variant: each variant is a label",
        );
    }
    agree(cx, "name", "type_name", &input.name, &input.sqlx_type_name);
    agree(
        cx,
        "rename_all",
        "rename_all",
        &input.rename_all,
        &input.sqlx_rename_all,
    );
    let mut seen: BTreeMap<String, &syn::Ident> = BTreeMap::new();
    for variant in &input.variants {
        agree(
            cx,
            "rename",
            "rename",
            &variant.rename,
            &variant.sqlx_rename,
        );
        let label = input.label(variant);
        if let Some(first) = seen.get(&label) {
            cx.error_spanned_by(
                variant.ident,
                format!(
                    "duplicate label {label:?}: variant `{}` has it too; give one of them \
                     another `#[db_enum(rename = \"...\")]`",
                    first
                ),
            );
        } else {
            seen.insert(label, variant.ident);
        }
        for old in &variant.renamed_from {
            if old.value == input.label(variant) {
                cx.error_at(
                    old.span,
                    format!(
                        "`renamed_from` {:?} is the label itself; remove it",
                        old.value
                    ),
                );
            }
        }
    }
}

/// Records an error when `#[db_enum(ours = ...)]` and `#[sqlx(theirs = ...)]` disagree: the
/// labels in the database would then differ from those sqlx binds and reads.
fn agree(
    cx: &Ctxt,
    ours: &str,
    theirs: &str,
    db_enum: &Option<Spanned<String>>,
    sqlx: &Option<Spanned<String>>,
) {
    if let (Some(a), Some(b)) = (db_enum, sqlx)
        && a.value != b.value
    {
        cx.error_at(
            a.span,
            format!(
                "`#[db_enum({ours} = {:?})]` disagrees with `#[sqlx({theirs} = {:?})]`: sqlx \
                 would bind and read other labels than the database type has; keep one \
                 (dbconform reads sqlx's)",
                a.value, b.value
            ),
        );
    }
}
