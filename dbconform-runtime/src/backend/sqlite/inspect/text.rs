//! The text path: what SQLite's pragmas would report about each table, derived from the
//! `sqlite_schema` rows alone by doing what SQLite does with the same text when it loads
//! the schema (the functions named below are SQLite's, in `build.c`).
//!
//! Whatever this module is not sure of sends the table to the pragmas instead (the
//! `fallback` list): text the parser does not follow exactly, a name that differs from the
//! one in `sqlite_schema`, a key naming a column that does not exist, a column listed
//! twice in a WITHOUT ROWID primary key, computed `sqlite_autoindex_*` names that differ from the stored ones,
//! a possible shadow table of a virtual table, an index whose text cannot be followed.

use super::{Built, RawColumn, RawForeignKey, RawIndex, RawIndexKey, RawTable};
use dbconform_core::TableOptions;
use dbconform_core::dialect::sqlite::parse::{
    ParsedColumn, ParsedIndex, ParsedKey, ParsedTable, parse_create_index, parse_create_table,
};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// One `sqlite_schema` row: `type`, `name`, `tbl_name`, `sql`.
#[derive(Debug, Deserialize)]
pub(super) struct SchemaRow(String, String, String, Option<String>);

/// The tables the text path could read, and those it leaves to the pragmas.
pub(super) struct TextCatalog {
    /// Built, in `sqlite_schema` order.
    pub tables: Vec<Built>,
    /// Tables to read with the pragmas, in `sqlite_schema` order.
    pub fallback: Vec<String>,
}

/// The indexes of one table as `sqlite_schema` lists them.
#[derive(Default)]
struct TableIndexes {
    /// `sqlite_autoindex_*` names (their `sql` is NULL).
    auto: BTreeSet<String>,
    /// `(name, tbl_name, sql)` of the others.
    created: Vec<(String, String, String)>,
}

/// Reads every ordinary table of `rows` that the text alone can describe exactly.
pub(super) fn read(rows: Vec<SchemaRow>) -> TextCatalog {
    let mut virtual_tables: HashSet<String> = HashSet::new();
    let mut tables: Vec<(String, Option<String>)> = Vec::new();
    let mut indexes: HashMap<String, TableIndexes> = HashMap::new();
    for SchemaRow(kind, name, table, sql) in rows {
        match kind.as_str() {
            "table" if is_internal(&name) => {}
            "table" if sql.as_deref().is_some_and(is_virtual) => {
                virtual_tables.insert(name.to_ascii_lowercase());
            }
            "table" => tables.push((name, sql)),
            "index" => {
                let entry = indexes.entry(table.to_ascii_lowercase()).or_default();
                match sql {
                    None => {
                        entry.auto.insert(name);
                    }
                    Some(sql) => entry.created.push((name, table, sql)),
                }
            }
            _ => {}
        }
    }
    let no_indexes = TableIndexes::default();
    // Each table's text is parsed and the table built on its own: spread over the cores.
    // Building right after parsing drops each parsed text at once, rather than holding
    // every table's until the last is parsed.
    let read = dbconform_core::parallel::map(tables, PER_THREAD, |(name, sql)| {
        let table_indexes = indexes
            .get(&name.to_ascii_lowercase())
            .unwrap_or(&no_indexes);
        let raw = match sql {
            Some(sql) if !may_be_shadow(&name, &virtual_tables) => {
                table(&name, &sql, table_indexes)
            }
            _ => None,
        };
        match raw {
            Some(raw) => Ok(super::build(name, raw)),
            None => Err(name),
        }
    });
    let mut catalog = TextCatalog {
        tables: Vec::with_capacity(read.len()),
        fallback: Vec::new(),
    };
    for table in read {
        match table {
            Ok(built) => catalog.tables.push(built),
            Err(name) => catalog.fallback.push(name),
        }
    }
    catalog
}

/// Fewest tables worth a thread of their own (parsing one takes microseconds).
pub(super) const PER_THREAD: usize = 128;

/// `sqlite_sequence`, `sqlite_stat1`, ...: names SQLite reserves (ASCII case-insensitive,
/// like the pragma query's `NOT LIKE 'sqlite\_%'`).
fn is_internal(name: &str) -> bool {
    name.get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("sqlite_"))
}

/// SQLite stores a virtual table's text as `CREATE VIRTUAL TABLE ...`.
fn is_virtual(sql: &str) -> bool {
    let mut words = sql.split_ascii_whitespace();
    words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("CREATE"))
        && words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("VIRTUAL"))
}

/// `true` when `name` is `<virtual table>_<anything>`: SQLite marks such a table as a
/// shadow table when the virtual table's module (loaded or not on this connection) says
/// so, which the text cannot tell.
fn may_be_shadow(name: &str, virtual_tables: &HashSet<String>) -> bool {
    !virtual_tables.is_empty()
        && name
            .char_indices()
            .filter(|&(_, c)| c == '_')
            .any(|(i, _)| virtual_tables.contains(&name[..i].to_ascii_lowercase()))
}

/// One table from its text and its indexes, or `None` when anything is uncertain.
fn table(name: &str, sql: &str, indexes: &TableIndexes) -> Option<RawTable> {
    let mut parsed = parse_create_table(sql).ok()?;
    if !parsed.exact || parsed.name != name {
        return None;
    }
    // What SQLite reports of each column moves into the catalog rows (nothing else reads
    // it): no copy per column.
    let reported: Vec<(Option<String>, Option<String>)> = parsed
        .columns
        .iter_mut()
        .map(|c| (c.reported_type.take(), c.reported_default.take()))
        .collect();
    let columns = &parsed.columns;
    // sqlite3ColumnIndex: ASCII case-insensitive.
    let find = |column: &str| {
        columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(column))
    };
    for (i, column) in columns.iter().enumerate() {
        if find(&column.name) != Some(i) {
            return None;
        }
    }
    // The rowid alias (sqlite3AddPrimaryKey): a one-column key on a column of the standard
    // INTEGER type, not declared `PRIMARY KEY DESC` on the column itself.
    let primary = parsed.keys.iter().find(|k| k.primary);
    let rowid = match primary {
        Some(key) if key.columns.len() == 1 => {
            let column = find(&key.columns.first()?.name)?;
            (columns.get(column)?.integer_type && !(key.inline && key.desc)).then_some(column)
        }
        _ => None,
    };
    let autoindexes = autoindexes(name, &parsed, rowid, &find)?;
    // WITHOUT ROWID makes the primary key the table itself: its index has no row.
    let stored: BTreeSet<&String> = autoindexes
        .iter()
        .filter(|index| !(parsed.without_rowid && index.primary))
        .map(|index| &index.name)
        .collect();
    if !stored.into_iter().eq(&indexes.auto) {
        return None;
    }
    let key: Option<&AutoIndex> = autoindexes.iter().find(|index| index.primary);
    let key_columns: Vec<usize> = match (rowid, key) {
        (Some(column), _) if !parsed.without_rowid => vec![column],
        (_, Some(index)) => index.columns.clone(),
        _ => Vec::new(),
    };
    let mut raw = RawTable {
        options: TableOptions {
            without_rowid: parsed.without_rowid,
            strict: parsed.strict,
        },
        ..RawTable::default()
    };
    for ((cid, column), (reported_type, reported_default)) in
        columns.iter().enumerate().zip(reported)
    {
        let in_key = key_columns.iter().position(|&c| c == cid);
        // sqlite3EndTable: WITHOUT ROWID makes every key column NOT NULL, STRICT every key
        // column but the rowid alias.
        let implied_not_null =
            in_key.is_some() && (parsed.without_rowid || (parsed.strict && rowid != Some(cid)));
        raw.columns.push(RawColumn {
            cid: i64::try_from(cid).ok()?,
            name: column.name.clone(),
            ty: reported_type?,
            default: match column.generated {
                Some(_) => None,
                None => reported_default,
            },
            not_null: column.not_null || implied_not_null,
            pk: in_key.map_or(0, |p| p as i64 + 1),
            hidden: match &column.generated {
                None => 0,
                Some(g) if g.stored => 3,
                Some(_) => 2,
            },
        });
    }
    for index in &autoindexes {
        let keys = index
            .columns
            .iter()
            .enumerate()
            .map(|(seqno, &cid)| RawIndexKey {
                seqno: seqno as i64,
                cid: cid as i64,
                column: columns.get(cid).map(|c| c.name.clone()),
                desc: false,
            })
            .collect();
        raw.indexes.insert(
            index.name.clone(),
            RawIndex {
                origin: if index.primary { "pk" } else { "u" }.to_string(),
                unique: true,
                partial: false,
                keys,
            },
        );
    }
    raw.foreign_keys = foreign_keys(&parsed, &find)?;
    for (index_name, table_name, index_sql) in &indexes.created {
        if table_name.as_str() != name {
            return None;
        }
        let statement = parse_create_index(index_sql).ok()?;
        if !statement.exact
            || statement.name != *index_name
            || !statement.table.eq_ignore_ascii_case(name)
            || raw.indexes.contains_key(index_name)
        {
            return None;
        }
        raw.indexes.insert(
            index_name.clone(),
            created_index(&statement, columns, &find)?,
        );
        raw.index_text.insert(index_name.clone(), Some(statement));
    }
    // The text itself is not kept (`raw.sql` stays `None`): it is parsed already, and
    // 1,000 tables hold ~0.5 MB of it.
    raw.parsed = Some(parsed);
    Some(raw)
}

/// An index SQLite makes for a PRIMARY KEY or UNIQUE constraint.
struct AutoIndex {
    name: String,
    /// Column numbers.
    columns: Vec<usize>,
    /// Collation per column (`BINARY` when none), compared case-insensitively.
    collations: Vec<String>,
    /// Made for, or taken over by, the PRIMARY KEY (`pk`), else UNIQUE (`u`).
    primary: bool,
}

/// The `sqlite_autoindex_<table>_<n>` indexes, as `sqlite3CreateIndex` makes them: in the
/// order SQLite meets the constraints, numbered by how many the table already has, none
/// for the rowid alias (but one at the end for it in a WITHOUT ROWID table), and none for
/// a constraint with the same columns and collations as an earlier one (a PRIMARY KEY
/// takes that one over). `None` when a key names an unknown column or one column twice.
fn autoindexes(
    table: &str,
    parsed: &ParsedTable,
    rowid: Option<usize>,
    find: &dyn Fn(&str) -> Option<usize>,
) -> Option<Vec<AutoIndex>> {
    let collation = |cid: usize, explicit: Option<&String>| {
        explicit
            .cloned()
            .or_else(|| parsed.columns.get(cid).and_then(|c| c.collation.clone()))
            .unwrap_or_else(|| "BINARY".to_string())
    };
    let mut made: Vec<AutoIndex> = Vec::new();
    let mut create = |columns: Vec<usize>, collations: Vec<String>, primary: bool| {
        let same = made.iter_mut().find(|index| {
            index.columns == columns
                && index
                    .collations
                    .iter()
                    .zip(&collations)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        });
        match same {
            Some(index) => index.primary |= primary,
            None => {
                let name = format!("sqlite_autoindex_{table}_{}", made.len() + 1);
                made.push(AutoIndex {
                    name,
                    columns,
                    collations,
                    primary,
                });
            }
        }
    };
    for key in &parsed.keys {
        let columns = key_columns(key, find)?;
        // convertToWithoutRowidTable drops repeated columns from a WITHOUT ROWID key
        // (comparing collations too); not modelled.
        if parsed.without_rowid && key.primary && has_repeats(&columns) {
            return None;
        }
        if key.primary && rowid.is_some() {
            continue;
        }
        let collations = key
            .columns
            .iter()
            .zip(&columns)
            .map(|(c, &cid)| collation(cid, c.collation.as_ref()))
            .collect();
        create(columns, collations, key.primary);
    }
    if let (Some(cid), true) = (rowid, parsed.without_rowid) {
        // convertToWithoutRowidTable: the INTEGER key gets its index last, made from the
        // bare column name (a COLLATE written in the key is not carried over).
        create(vec![cid], vec![collation(cid, None)], true);
    }
    Some(made)
}

/// The column numbers of a key; `None` for an unknown column.
fn key_columns(key: &ParsedKey, find: &dyn Fn(&str) -> Option<usize>) -> Option<Vec<usize>> {
    key.columns
        .iter()
        .map(|column| find(&column.name))
        .collect()
}

/// `true` when a column appears twice.
fn has_repeats(columns: &[usize]) -> bool {
    columns
        .iter()
        .enumerate()
        .any(|(i, c)| columns[..i].contains(c))
}

/// `pragma_foreign_key_list` rows: SQLite numbers keys from the last declared, names the
/// child columns as the table spells them, and reports the parent and its columns as
/// written. `None` for an unknown column or a column count SQLite would refuse.
fn foreign_keys(
    parsed: &ParsedTable,
    find: &dyn Fn(&str) -> Option<usize>,
) -> Option<Vec<RawForeignKey>> {
    let count = parsed.foreign_keys.len();
    let mut rows = Vec::new();
    for (i, fk) in parsed.foreign_keys.iter().enumerate() {
        if !fk.referenced_columns.is_empty() && fk.referenced_columns.len() != fk.columns.len() {
            return None;
        }
        for (seq, column) in fk.columns.iter().enumerate() {
            let cid = find(column)?;
            rows.push(RawForeignKey {
                id: (count - 1 - i) as i64,
                seq: seq as i64,
                parent: fk.table.clone(),
                from: parsed.columns.get(cid)?.name.clone(),
                to: fk.referenced_columns.get(seq).cloned(),
                on_update: fk.on_update,
                on_delete: fk.on_delete,
            });
        }
    }
    Some(rows)
}

/// A `CREATE INDEX` as `pragma_index_list` / `pragma_index_xinfo` report it: one name is
/// a table column (reported in the table's spelling), anything else an expression (-2).
fn created_index(
    statement: &ParsedIndex,
    columns: &[ParsedColumn],
    find: &dyn Fn(&str) -> Option<usize>,
) -> Option<RawIndex> {
    let mut keys = Vec::with_capacity(statement.columns.len());
    for (seqno, key) in statement.columns.iter().enumerate() {
        let (cid, column) = if key.expression {
            (-2, None)
        } else {
            let cid = find(&key.name)?;
            (cid as i64, Some(columns.get(cid)?.name.clone()))
        };
        keys.push(RawIndexKey {
            seqno: seqno as i64,
            cid,
            column,
            desc: key.order == dbconform_core::SortOrder::Desc,
        });
    }
    Some(RawIndex {
        origin: "c".to_string(),
        unique: statement.unique,
        partial: statement.predicate.is_some(),
        keys,
    })
}
