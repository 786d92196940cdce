use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(references = "vendors(id, region)")]
    vendor_id: i64,
}

fn main() {}
