use dbconform::Table;

#[derive(Table)]
struct Product(i64, String);

fn main() {
    // The failed derive still provides `Table`, so this adds no second error.
    let _ = <Product as Table>::table_def();
}
