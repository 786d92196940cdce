//! Edits of dbconform's own creation script, for making drift by hand: the tests take the
//! DDL dbconform would run on an empty database and change one thing in the text.

/// `sql` with the first `from` replaced by `to`; `from` must be there.
pub fn replace_once(sql: &str, from: &str, to: &str) -> String {
    assert!(
        sql.contains(from),
        "the generated DDL no longer contains {from:?}:\n{sql}"
    );
    sql.replacen(from, to, 1)
}

/// Removes the whole line holding `needle` (a column or constraint line of CREATE
/// TABLE); when it is the last element, the comma ending the previous line goes instead.
pub fn without_line(sql: &str, needle: &str) -> String {
    let at = sql
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{sql}"));
    let begin = sql[..at].rfind('\n').unwrap();
    let end = sql[at..].find('\n').unwrap() + at;
    if sql[begin..end].ends_with(',') {
        format!("{}{}", &sql[..begin], &sql[end..])
    } else {
        let previous = sql[..begin].rfind(',').unwrap();
        format!(
            "{}{}{}",
            &sql[..previous],
            &sql[previous + 1..begin],
            &sql[end..]
        )
    }
}

/// The span of the CREATE TABLE statement of `table` (qualified or not) in the script,
/// table options after the closing parenthesis included.
pub fn create_statement(sql: &str, table: &str) -> std::ops::Range<usize> {
    let marker = format!("\"{table}\" (\n");
    let at = sql
        .find(&marker)
        .unwrap_or_else(|| panic!("no CREATE TABLE {table} in:\n{sql}"));
    let begin = sql[..at].rfind("CREATE TABLE").unwrap();
    let close = sql[begin..].find("\n)").unwrap() + begin;
    let end = sql[close..].find(";\n").unwrap() + close + 2;
    begin..end
}

/// A MySQL creation script in the spellings the edits of the other backends' scripts
/// expect, to run on a test connection in `ANSI` mode: identifiers in double quotes, and
/// each index CREATE TABLE declares inline as a CREATE INDEX statement after the table.
pub fn mysql_as_standard(sql: &str) -> String {
    let sql = sql.replace('`', "\"");
    let mut out = String::new();
    let mut table = None;
    let mut indexes: Vec<String> = Vec::new();
    for line in sql.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            table = Some(rest.split(" (").next().unwrap().to_string());
        }
        let body = line.trim_end();
        if let (Some(t), Some(index)) = (&table, body.trim_start().strip_prefix("INDEX ")) {
            let index = index.trim_end_matches(',');
            let (name, columns) = index.split_once(" (").unwrap();
            indexes.push(format!("CREATE INDEX {name} ON {t} ({columns};\n"));
            if !body.ends_with(',') && out.ends_with(",\n") {
                // The index was the last element: the one before it ends the list.
                out.truncate(out.len() - 2);
                out.push('\n');
            }
            continue;
        }
        out.push_str(line);
        if table.is_some() && line.starts_with(')') && body.ends_with(';') {
            table = None;
            for index in indexes.drain(..) {
                out.push_str(&index);
            }
        }
    }
    out
}

/// Applies `edit` to the CREATE TABLE statement of `table` only.
pub fn in_table(sql: &str, table: &str, edit: impl Fn(&str) -> String) -> String {
    let span = create_statement(sql, table);
    format!(
        "{}{}{}",
        &sql[..span.start],
        edit(&sql[span.clone()]),
        &sql[span.end..]
    )
}
