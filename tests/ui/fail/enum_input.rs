use dbconform::Table;

#[derive(Table)]
enum Status {
    Active,
    Retired,
}

fn main() {}
