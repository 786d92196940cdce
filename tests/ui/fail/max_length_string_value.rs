use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(max_length = "64")]
    sku: String,
}

fn main() {}
