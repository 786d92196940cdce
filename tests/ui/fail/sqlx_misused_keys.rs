use dbconform::Table;

#[derive(Table)]
#[sqlx(rename_all = "Title Case")]
struct Customer {
    #[column(primary_key)]
    id: i64,
    #[sqlx(flatten)]
    address: Address,
    #[sqlx(skip, rename = "x")]
    #[column(max_length = 4)]
    note: String,
}

struct Address;

fn main() {}
