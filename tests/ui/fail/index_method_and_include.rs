use dbconform::Table;

#[derive(Table)]
#[index(columns("area"), method = "gist ops", include("lable"))]
#[index(columns("label"), method = "gist", include = "area")]
struct Place {
    area: i64,
    label: String,
}

fn main() {}
