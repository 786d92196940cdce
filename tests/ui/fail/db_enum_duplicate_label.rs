#[derive(dbconform::DbEnum)]
#[db_enum(rename_all = "lowercase")]
enum Mood {
    Happy,
    #[db_enum(rename = "happy")]
    Glad,
}

fn main() {}
