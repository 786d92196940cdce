use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(primary_key)]
    id: i64,
    #[column(maxlength = 64)]
    sku: String,
}

fn main() {}
