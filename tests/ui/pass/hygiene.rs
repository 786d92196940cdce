//! The expansion names everything by absolute path, so local items that shadow prelude and
//! facade names do not break it, and neither does a `Table` trait of the user's own.
#![allow(dead_code, non_camel_case_types)]

mod models {
    struct String;
    struct Vec;
    struct Option;
    struct Some;
    struct None;
    mod core {}
    mod inventory {}
    mod dbconform {}
    trait Table {}
    type Result = ();

    #[derive(::dbconform::Table)]
    pub struct Shadowed {
        #[column(primary_key)]
        pub id: i64,
        #[column(max_length = 10, unique)]
        pub name: std::string::String,
        pub note: std::option::Option<std::string::String>,
    }
}

fn main() {
    use dbconform::Table;
    let table = models::Shadowed::table_def();
    assert_eq!(table.name, "shadowed");
    assert_eq!(table.columns.len(), 3);
    assert!(table.columns[2].nullable);
}
