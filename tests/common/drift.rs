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

/// The span of the CREATE TABLE statement of `table` (qualified or not) in the script.
pub fn create_statement(sql: &str, table: &str) -> std::ops::Range<usize> {
    let marker = format!("\"{table}\" (\n");
    let at = sql
        .find(&marker)
        .unwrap_or_else(|| panic!("no CREATE TABLE {table} in:\n{sql}"));
    let begin = sql[..at].rfind("CREATE TABLE").unwrap();
    let end = sql[begin..].find(");\n").unwrap() + begin + 3;
    begin..end
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
