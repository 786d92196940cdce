use dbconform::Table;

#[derive(Table)]
#[index(columns())]
struct Product {
    sku: String,
}

fn main() {}
