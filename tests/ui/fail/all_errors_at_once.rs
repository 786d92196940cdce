// Every problem is reported in one build, not one per build.
use dbconform::Table;

#[derive(Table)]
#[table(nmae = "products")]
#[index(columns("missing"))]
struct Product {
    #[column(primary_key, max_length = "64")]
    id: Option<i64>,
    #[column(scale = 2, on_delete = "cascade")]
    price: rust_decimal::Decimal,
}

fn main() {
    // The failed derive still provides `Table`, so this adds no second error.
    let _ = <Product as Table>::table_def();
}
