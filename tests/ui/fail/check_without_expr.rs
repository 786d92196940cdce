use dbconform::Table;

#[derive(Table)]
#[check(name = "ck_positive")]
struct Product {
    price: i64,
}

fn main() {}
