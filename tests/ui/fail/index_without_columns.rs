use dbconform::Table;

#[derive(Table)]
#[index(name = "ix_products_sku")]
struct Product {
    sku: String,
}

fn main() {}
