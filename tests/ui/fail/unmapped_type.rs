use dbconform::Table;
use std::collections::HashMap;

#[derive(Table)]
struct Product {
    id: i64,
    attributes: HashMap<String, String>,
}

fn main() {}
