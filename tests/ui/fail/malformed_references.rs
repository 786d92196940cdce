use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(references = "vendors.id")]
    vendor_id: i64,
}

fn main() {}
