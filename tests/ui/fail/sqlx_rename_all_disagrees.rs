use dbconform::Table;

// sqlx::FromRow would read `fullName` (rename_all), the table would have `full_name`.
#[derive(Table)]
#[sqlx(rename_all = "camelCase")]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[column(name = "full_name")]
    full_name: String,
}

fn main() {}
