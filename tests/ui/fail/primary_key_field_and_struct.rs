use dbconform::Table;

#[derive(Table)]
#[primary_key(columns("order_id", "line_no"))]
struct OrderLine {
    #[column(primary_key)]
    order_id: i64,
    line_no: i32,
}

fn main() {}
