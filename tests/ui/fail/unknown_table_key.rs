use dbconform::Table;

#[derive(Table)]
#[table(name = "products", engine = "InnoDB")]
struct Product {
    id: i64,
}

fn main() {}
