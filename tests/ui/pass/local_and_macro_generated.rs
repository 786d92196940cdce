//! Structs declared inside a function and by a `macro_rules!` macro.
use dbconform::{ColumnType, Table};

macro_rules! table {
    ($name:ident, $table:literal, $len:literal) => {
        #[derive(Table)]
        #[table(name = $table)]
        struct $name {
            #[column(primary_key)]
            id: i32,
            #[column(max_length = $len)]
            label: String,
        }
    };
}

table!(Colour, "colours", 20);

fn main() {
    #[derive(Table)]
    struct Local {
        value: Option<bool>,
    }

    assert_eq!(Local::table_def().name, "local");
    let colour = Colour::table_def();
    assert_eq!(colour.name, "colours");
    assert_eq!(colour.columns[1].ty, ColumnType::Varchar(20));
    let names: Vec<String> =
        dbconform::registered_tables().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["colours", "local"]);
}
