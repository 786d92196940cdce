use dbconform::Table;

#[derive(Table)]
#[unique(columns("sku", "cached"))]
struct Product {
    sku: String,
    #[column(skip)]
    cached: Vec<u8>,
}

fn main() {}
