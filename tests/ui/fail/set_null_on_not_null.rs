use dbconform::Table;

#[derive(Table)]
struct Product {
    #[column(references = "vendors(id)", on_delete = "set_null")]
    vendor_id: i64,
}

fn main() {}
