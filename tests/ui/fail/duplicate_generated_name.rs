use dbconform::Table;

#[derive(Table)]
#[index(columns("sku"))]
struct Product {
    #[column(index)]
    sku: String,
}

fn main() {}
