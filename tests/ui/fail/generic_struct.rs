use dbconform::Table;

#[derive(Table)]
struct Product<T> {
    id: i64,
    extra: T,
}

fn main() {}
