use dbconform::Table;

#[derive(Table)]
struct Product {
    #[index]
    sku: String,
}

fn main() {}
