use dbconform::Table;

// sqlx::FromRow would read `name`, the table would have `full_name`.
#[derive(Table)]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[column(name = "full_name")]
    #[sqlx(rename = "name")]
    name: String,
}

fn main() {}
