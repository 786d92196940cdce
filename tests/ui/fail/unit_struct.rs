use dbconform::Table;

#[derive(Table)]
struct Product;

fn main() {}
