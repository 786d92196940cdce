use dbconform::Table;

#[derive(Table)]
struct Line {
    #[column(primary_key, generated = "1")]
    id: i64,
    #[column(generated = "price * 2", default = "0")]
    double: i64,
    #[column(stored = false)]
    price: i64,
}

fn main() {}
