use dbconform::Table;

#[derive(Table)]
#[index(columns("vendor_id", "skew"))]
struct Product {
    vendor_id: i64,
    sku: String,
}

fn main() {}
