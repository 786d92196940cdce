use dbconform::Table;

#[derive(Table)]
struct Product {
    id: i64,
    #[column(skip, unique, default = "0")]
    cached: i64,
}

fn main() {}
