use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(precision = 4, scale = 6)]
    price: rust_decimal::Decimal,
}

fn main() {}
