use dbconform::Table;

#[derive(Table)]
#[unique(columns = "vendor_id, sku")]
struct Product {
    vendor_id: i64,
    sku: String,
}

fn main() {}
