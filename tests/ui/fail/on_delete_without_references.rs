use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(on_delete = "cascade")]
    vendor_id: i64,
}

fn main() {}
