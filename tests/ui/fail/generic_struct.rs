use dbconform::Table;

#[derive(Table)]
struct Product<T> {
    id: i64,
    extra: T,
}

fn main() {
    // The failed derive still provides `Table`, so this adds no second error.
    let _ = <Product::<u8> as Table>::table_def();
}
