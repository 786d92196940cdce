use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(default = 0)]
    stock: i32,
}

fn main() {}
