use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(primary_key, skip)]
    id: i64,
    sku: String,
}

fn main() {}
