use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(auto_increment)]
    id: i64,
}

fn main() {}
