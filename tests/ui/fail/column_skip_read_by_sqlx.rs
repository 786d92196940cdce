use dbconform::Table;

// sqlx::FromRow would read column `cached`, which the table does not have.
#[derive(Table)]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[sqlx(rename = "full_name")]
    name: String,
    #[column(skip)]
    cached: Vec<u8>,
}

fn main() {}
