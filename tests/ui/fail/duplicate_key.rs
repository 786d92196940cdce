use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(name = "product_id")]
    #[column(primary_key, name = "id")]
    id: i64,
}

fn main() {}
