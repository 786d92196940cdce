use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(scale = 2)]
    price: rust_decimal::Decimal,
}

fn main() {}
