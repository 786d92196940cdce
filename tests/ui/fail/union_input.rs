use dbconform::Table;

#[derive(Table)]
union Bits {
    int: i64,
    float: f64,
}

fn main() {}
