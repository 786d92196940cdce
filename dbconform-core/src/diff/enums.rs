//! Named enum types (PostgreSQL): the types the declared columns use against those the
//! database has ([`Schema::enums`]) → [`Change`]s.
//!
//! Only for a dialect with named enum types ([`Dialect::named_enum_types`]); elsewhere an
//! enum column carries its labels inline and the column differ compares them.
//!
//! - a declared type missing from the database: [`Change::CreateEnum`];
//! - labels renamed through `renamed_from` (the old label present, the new one absent):
//!   [`Change::RenameEnumValue`], before anything else of the type;
//! - then, when the database's labels are the declared ones with some left out, in the same
//!   order: one [`Change::AddEnumValue`] per new label, in declared order, each placed
//!   after the declared label before it (the first one before the first existing label);
//! - otherwise (a label removed, or the order changed): [`Change::RecreateEnum`], with the
//!   columns of the database using the type;
//! - a type of a schema in scope that no declared column uses: [`Change::DropEnum`] under
//!   `allow_drop_extra_tables`, once every column using it goes (an undeclared column
//!   under `allow_drop_extra_columns`, an undeclared table under
//!   `allow_drop_extra_tables`), else drift.

use super::{Key, Names};
use crate::error::{Error, Result};
use crate::model::{Column, EnumType, QualifiedName, Schema, TableDef};
use crate::options::Options;
use crate::plan::{Change, Drift};
use std::collections::{BTreeMap, BTreeSet};

/// What the enum types need: the changes before the tables' (creates, labels,
/// recreations), those after them (drops) and the drops the options refuse.
#[derive(Debug, Default)]
pub(crate) struct EnumChanges {
    pub(crate) before: Vec<Change>,
    pub(crate) after: Vec<Change>,
    pub(crate) drift: Vec<Drift>,
}

/// The enum types `desired`'s columns use, each with schema resolved, by key, with the
/// first table and column using it. Error: two columns declaring one type differently.
pub(crate) fn declared_enums(
    desired: &[TableDef],
    names: Names<'_>,
) -> Result<BTreeMap<Key, (EnumType, QualifiedName, String)>> {
    let mut declared: BTreeMap<Key, (EnumType, QualifiedName, String)> = BTreeMap::new();
    for table in desired {
        for column in &table.columns {
            let Some(ty) = column.ty.enum_type() else {
                continue;
            };
            let mut ty = ty.clone();
            ty.schema = Some(names.schema(ty.schema.as_deref()));
            let key = names.key(&ty.qualified());
            match declared.get(&key) {
                Some((first, first_table, first_column)) => {
                    if first.labels != ty.labels {
                        return Err(Error::InvalidTable {
                            table: table.qualified_name(),
                            message: format!(
                                "enum type `{}` is declared twice with different labels: by column `{first_table}.{first_column}` as ({}) and by column `{}.{}` as ({}); use one Rust enum for both, or give one of them another `#[db_enum(name = \"...\")]`",
                                ty.qualified(),
                                first.label_names().join(", "),
                                table.qualified_name(),
                                column.name,
                                ty.label_names().join(", "),
                            ),
                        });
                    }
                }
                None => {
                    declared.insert(key, (ty, table.qualified_name(), column.name.clone()));
                }
            }
        }
    }
    Ok(declared)
}

/// The changes making `actual`'s enum types those `desired`'s columns use.
pub(crate) fn diff_enums(
    desired: &[TableDef],
    actual: &Schema,
    names: Names<'_>,
    options: &Options,
) -> Result<EnumChanges> {
    let mut out = EnumChanges::default();
    if !names.dialect.named_enum_types() {
        return Ok(out);
    }
    let declared = declared_enums(desired, names)?;
    let existing: BTreeMap<Key, &EnumType> = actual
        .enums
        .iter()
        .map(|ty| (names.key(&ty.qualified()), ty))
        .collect();
    // The database's columns of each enum type, by the type's key.
    let mut users: BTreeMap<Key, Vec<(QualifiedName, Column)>> = BTreeMap::new();
    for table in &actual.tables {
        for column in &table.columns {
            // An array of the type uses it too (`Vec<Mood>`).
            if let Some(ty) = column.ty.enum_type() {
                let mut name = ty.qualified();
                name.schema = Some(names.schema(name.schema.as_deref()));
                users
                    .entry(names.key(&name))
                    .or_default()
                    .push((table.qualified_name(), column.clone()));
            }
        }
    }
    for (key, (ty, _, _)) in &declared {
        match existing.get(key) {
            None => out.before.push(Change::CreateEnum {
                enum_type: ty.clone(),
            }),
            Some(found) => {
                let columns = users.get(key).cloned().unwrap_or_default();
                label_changes(found, ty, columns, desired, names, &mut out.before);
            }
        }
    }
    // The declared tables, each with its declared columns' keys.
    let declared_tables: BTreeMap<Key, BTreeSet<String>> = desired
        .iter()
        .map(|t| {
            let columns = t.columns.iter().map(|c| names.ident(&c.name)).collect();
            (names.table_key(t), columns)
        })
        .collect();
    for (key, ty) in existing {
        if declared.contains_key(&key) {
            continue;
        }
        // Every column using the type must go first: an undeclared column of a declared
        // table with `allow_drop_extra_columns`, an undeclared table with
        // `allow_drop_extra_tables` (a declared column of another type is converted).
        let kept_by = users.get(&key).and_then(|columns| {
            columns.iter().find(
                |(table, column)| match declared_tables.get(&names.key(table)) {
                    Some(declared_columns) => {
                        !declared_columns.contains(&names.ident(&column.name))
                            && !options.allow_drop_extra_columns
                    }
                    None => !options.allow_drop_extra_tables,
                },
            )
        });
        let name = ty.qualified();
        if let Some((table, column)) = kept_by {
            out.drift.push(Drift {
                table: name,
                description: format!(
                    "extra enum type (kept: column `{table}.{}` uses it and stays)",
                    column.name
                ),
            });
        } else if options.allow_drop_extra_tables {
            out.after.push(Change::DropEnum {
                enum_type: ty.clone(),
            });
        } else {
            out.drift.push(Drift {
                table: name,
                description: "extra enum type (kept; set allow_drop_extra_tables to drop it)"
                    .into(),
            });
        }
    }
    Ok(out)
}

/// The changes from `found`'s labels to `declared`'s (see the module documentation).
fn label_changes(
    found: &EnumType,
    declared: &EnumType,
    columns: Vec<(QualifiedName, Column)>,
    desired: &[TableDef],
    names: Names<'_>,
    out: &mut Vec<Change>,
) {
    let name = declared.qualified();
    let wanted: Vec<&str> = declared.label_names();
    let mut have: Vec<String> = found.labels.iter().map(|l| l.name.clone()).collect();
    for label in &declared.labels {
        if have.contains(&label.name) {
            continue;
        }
        let old = label
            .renamed_from
            .iter()
            .find(|old| have.contains(old) && !wanted.contains(&old.as_str()));
        if let Some(old) = old {
            out.push(Change::RenameEnumValue {
                enum_type: name.clone(),
                from: old.clone(),
                to: label.name.clone(),
            });
            for h in &mut have {
                if h == old {
                    *h = label.name.clone();
                }
            }
        }
    }
    // The labels kept, in declared order, must be the database's in its order.
    let kept: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| have.iter().any(|h| h == w))
        .collect();
    let in_order = kept.len() == have.len() && kept.iter().zip(&have).all(|(k, h)| k == h);
    if in_order {
        for (i, label) in wanted.iter().enumerate() {
            if have.iter().any(|h| h == label) {
                continue;
            }
            let (before, after) = match i {
                0 => (have.first().cloned(), None),
                _ => (None, Some(wanted[i - 1].to_string())),
            };
            out.push(Change::AddEnumValue {
                enum_type: name.clone(),
                label: label.to_string(),
                before,
                after,
            });
        }
        return;
    }
    // The columns keep their declared default where declared (the reflected one names
    // the old type's labels).
    let columns = columns
        .into_iter()
        .map(|(table, mut column)| {
            let declared_column = desired
                .iter()
                .find(|t| names.table_key(t) == names.key(&table))
                .and_then(|t| {
                    t.columns
                        .iter()
                        .find(|c| names.ident(&c.name) == names.ident(&column.name))
                });
            if let Some(declared_column) = declared_column {
                column.default = declared_column.default.clone();
            }
            (table, column)
        })
        .collect();
    let mut from = found.clone();
    from.schema = declared.schema.clone();
    from.labels = have.into_iter().map(crate::model::EnumLabel::new).collect();
    out.push(Change::RecreateEnum {
        from,
        to: declared.clone(),
        columns,
    });
}

/// The labels of `from` that `to` does not have: the values a recreation cannot convert.
pub(crate) fn removed_labels(from: &EnumType, to: &EnumType) -> Vec<String> {
    let kept = to.label_names();
    from.labels
        .iter()
        .map(|l| l.name.clone())
        .filter(|l| !kept.contains(&l.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{POSTGRES, SQLITE};
    use crate::model::{ColumnType, EnumLabel};

    fn names() -> Names<'static> {
        Names {
            dialect: &POSTGRES,
            target_schema: "public",
        }
    }

    fn mood(labels: &[&str]) -> EnumType {
        EnumType {
            schema: Some("public".into()),
            ..EnumType::new("mood", labels.iter().copied())
        }
    }

    fn people(ty: EnumType, column: &str) -> TableDef {
        TableDef {
            schema: Some("public".into()),
            name: "people".into(),
            columns: vec![Column::new(column, ColumnType::Enum(Box::new(ty)))],
            ..TableDef::default()
        }
    }

    fn diff(declared: EnumType, found: EnumType, options: &Options) -> EnumChanges {
        let actual = Schema {
            tables: vec![people(found.clone(), "mood")],
            enums: vec![found],
            ..Schema::default()
        };
        diff_enums(&[people(declared, "mood")], &actual, names(), options).unwrap()
    }

    #[test]
    fn missing_type_is_created_and_same_labels_change_nothing() {
        let declared = [people(mood(&["a", "b"]), "mood")];
        let created = diff_enums(&declared, &Schema::default(), names(), &Options::default());
        assert_eq!(
            created.unwrap().before,
            [Change::CreateEnum {
                enum_type: mood(&["a", "b"])
            }]
        );
        let same = diff(mood(&["a", "b"]), mood(&["a", "b"]), &Options::default());
        assert!(same.before.is_empty() && same.after.is_empty() && same.drift.is_empty());
    }

    #[test]
    fn new_labels_are_added_in_declared_order_and_place() {
        let changes = diff(
            mood(&["x", "a", "m", "n", "b", "z"]),
            mood(&["a", "b"]),
            &Options::default(),
        );
        let added: Vec<(String, Option<String>, Option<String>)> = changes
            .before
            .into_iter()
            .map(|c| match c {
                Change::AddEnumValue {
                    label,
                    before,
                    after,
                    ..
                } => (label, before, after),
                other => panic!("{other:?}"),
            })
            .collect();
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            added,
            [
                ("x".into(), s("a"), None),
                ("m".into(), None, s("a")),
                ("n".into(), None, s("m")),
                ("z".into(), None, s("b")),
            ]
        );
    }

    #[test]
    fn renamed_labels_are_renamed_and_removed_or_reordered_ones_recreate() {
        let mut renamed = mood(&["a", "c"]);
        renamed.labels[1] = EnumLabel {
            name: "c".into(),
            renamed_from: vec!["b".into()],
        };
        let changes = diff(renamed, mood(&["a", "b"]), &Options::default());
        assert_eq!(
            changes.before,
            [Change::RenameEnumValue {
                enum_type: QualifiedName::with_schema("public", "mood"),
                from: "b".into(),
                to: "c".into()
            }]
        );
        for declared in [&["a"][..], &["b", "a"]] {
            let changes = diff(mood(declared), mood(&["a", "b"]), &Options::default());
            let [Change::RecreateEnum { from, to, columns }] = &changes.before[..] else {
                panic!("{:?}", changes.before);
            };
            assert_eq!((from, to), (&mood(&["a", "b"]), &mood(declared)));
            assert_eq!(columns.len(), 1);
            assert_eq!(removed_labels(from, to).len(), 2 - declared.len());
        }
    }

    #[test]
    fn an_undeclared_type_is_dropped_only_with_the_flag() {
        let actual = Schema {
            enums: vec![mood(&["a"])],
            ..Schema::default()
        };
        let kept = diff_enums(&[], &actual, names(), &Options::default()).unwrap();
        assert!(kept.after.is_empty());
        assert_eq!(kept.drift.len(), 1);
        let options = Options {
            allow_drop_extra_tables: true,
            ..Options::default()
        };
        let dropped = diff_enums(&[], &actual, names(), &options).unwrap();
        assert_eq!(
            dropped.after,
            [Change::DropEnum {
                enum_type: mood(&["a"])
            }]
        );
    }

    #[test]
    fn one_type_declared_twice_differently_is_refused_naming_both_columns() {
        let declared = [
            people(mood(&["a"]), "mood"),
            TableDef {
                name: "pets".into(),
                ..people(mood(&["a", "b"]), "temper")
            },
        ];
        let error = diff_enums(&declared, &Schema::default(), names(), &Options::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("public.people.mood"), "{error}");
        assert!(error.contains("public.pets.temper"), "{error}");
    }

    #[test]
    fn dialects_without_named_enums_have_no_enum_changes() {
        let names = Names {
            dialect: &SQLITE,
            target_schema: "main",
        };
        let declared = [people(mood(&["a"]), "mood")];
        let changes = diff_enums(&declared, &Schema::default(), names, &Options::default());
        assert!(changes.unwrap().before.is_empty());
    }
}
