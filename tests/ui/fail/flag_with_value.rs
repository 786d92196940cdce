use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(unique = true)]
    sku: String,
}

fn main() {}
