#[derive(dbconform::DbEnum)]
#[db_enum(nmae = "mood", rename_all = "lowercas")]
enum Mood {
    #[db_enum(renamed = "meh")]
    Happy,
}

fn main() {}
