use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(sql_type = "citext", max_length = 64)]
    email: String,
}

fn main() {}
