#[derive(dbconform::DbEnum)]
#[db_enum(name = "mood", rename_all = "lowercase")]
#[sqlx(type_name = "feeling", rename_all = "UPPERCASE")]
enum Mood {
    #[db_enum(rename = "glad")]
    #[sqlx(rename = "happy")]
    Happy,
}

fn main() {}
