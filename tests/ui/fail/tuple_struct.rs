use dbconform::Table;

#[derive(Table)]
struct Product(i64, String);

fn main() {}
