use dbconform::Table;

#[derive(Table)]
#[index(columns("tags"), using = "gim")]
#[index(columns("tags"), using = "gin", method = "gin")]
#[index(name = "ix_tagged_lower", expr = "")]
struct Tagged {
    tags: String,
}

fn main() {}
