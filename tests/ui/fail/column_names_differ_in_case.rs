use dbconform::Table;

#[derive(Table)]
struct Product {
    name: String,
    #[column(name = "Name")]
    display_name: String,
}

fn main() {}
