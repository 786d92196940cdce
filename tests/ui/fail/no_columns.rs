use dbconform::Table;

#[derive(Table)]
struct Cache {
    #[column(skip)]
    entries: Vec<u8>,
}

fn main() {}
