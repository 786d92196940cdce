use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(max_length = 10)]
    stock: i64,
}

fn main() {}
