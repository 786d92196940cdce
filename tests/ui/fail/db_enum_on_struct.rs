#[derive(dbconform::DbEnum)]
struct Mood {
    happy: bool,
}

fn main() {}
