use dbconform::Table;

#[derive(Table)]
struct Product {
    sku: String,
    #[column(name = "sku")]
    vendor_sku: String,
}

fn main() {}
