use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(precision = 10, scale = 2)]
    price: Option<f64>,
}

fn main() {}
