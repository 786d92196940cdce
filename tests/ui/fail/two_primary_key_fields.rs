use dbconform::Table;

#[derive(Table)]
struct OrderLine {
    #[column(primary_key)]
    order_id: i64,
    #[column(primary_key)]
    line_no: i32,
}

fn main() {}
