use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(primary_key)]
    id: Option<i64>,
}

fn main() {}
