//! `#[sqlx(...)]` drives the column names and skipped fields of `#[derive(Table)]` and of
//! `sqlx::FromRow` alike.
use dbconform::Table;

#[derive(Table, sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
#[table(name = "customers")]
#[index(columns("fullName"))]
struct Customer {
    #[column(primary_key)]
    id: i64,
    full_name: String,
    #[sqlx(rename = "e_mail")]
    #[column(name = "e_mail", unique)]
    email: String,
    #[sqlx(rename = "home_town")]
    town: Option<String>,
    #[sqlx(skip)]
    cache: Vec<u8>,
    #[column(skip)]
    #[sqlx(default)]
    score: u32,
    #[sqlx(default)]
    visits: i64,
}

/// Every rename_all style, as sqlx spells it.
#[derive(Table, sqlx::FromRow)]
#[sqlx(rename_all = "SCREAMING_SNAKE_CASE")]
struct Shouty {
    #[column(primary_key)]
    row_id: i64,
}

#[derive(Table)]
#[sqlx(rename_all = "kebab-case")]
struct Kebab {
    #[column(primary_key)]
    row_id: i64,
}

#[derive(Table)]
#[sqlx(rename_all = "PascalCase")]
struct Pascal {
    #[column(primary_key)]
    row_id: i64,
}

#[derive(Table)]
#[sqlx(rename_all = "UPPERCASE")]
struct Upper {
    #[column(primary_key)]
    row_id: i64,
}

#[derive(Table)]
#[sqlx(rename_all = "lowercase")]
#[allow(non_snake_case)]
struct Lower {
    #[column(primary_key)]
    rowId: i64,
}

#[derive(Table)]
#[sqlx(rename_all = "snake_case")]
#[allow(non_snake_case)]
struct Snake {
    #[column(primary_key)]
    rowId: i64,
}

fn names<T: Table>() -> Vec<String> {
    T::table_def().columns.into_iter().map(|c| c.name).collect()
}

fn main() {
    assert_eq!(
        names::<Customer>(),
        ["id", "fullName", "e_mail", "home_town", "visits"]
    );
    assert_eq!(Customer::table_def().indexes[0].columns[0].name, "fullName");
    assert_eq!(names::<Shouty>(), ["ROW_ID"]);
    assert_eq!(names::<Kebab>(), ["row-id"]);
    assert_eq!(names::<Pascal>(), ["RowId"]);
    assert_eq!(names::<Upper>(), ["ROW_ID"]);
    assert_eq!(names::<Lower>(), ["rowid"]);
    assert_eq!(names::<Snake>(), ["row_id"]);
}
