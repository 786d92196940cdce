//! The declarations of issue 20, spelled as its contract says, compile and describe the
//! table they say.
use dbconform::{ColumnType, Table};

#[derive(dbconform::DbEnum)]
#[db_enum(name = "mood", schema = "app", rename_all = "lowercase")]
enum Mood {
    Happy,
    Sad,
    #[db_enum(rename = "so-so", renamed_from = "meh")]
    SoSo,
}

#[derive(Table)]
#[index(name = "ix_people_tags", columns("tags"), using = "gin")]
#[index(name = "ix_people_lower_name", expr = "lower(name)", unique)]
#[index(columns("org_id"), include("name"), predicate = "active")]
#[unique(name = "uq_people_nick", columns("nick"), nulls_not_distinct)]
#[foreign_key(name = "fk_people_team", columns("org_id", "team_no"),
              references = "teams(org_id, team_no)", on_delete = "cascade", deferrable)]
struct Person {
    #[column(primary_key)] id: i64,
    name: String,
    mood: Mood,
    moods: Vec<Mood>,
    tags: Vec<String>,
    #[column(generated = "length(name)")] name_len: i32,
    #[column(collation = "C")] code: String,
    org_id: i64, team_no: i32, nick: Option<String>, active: bool,
}

fn main() {
    let person = Person::table_def();
    let ty = |name: &str| person.columns.iter().find(|c| c.name == name).unwrap().ty.clone();
    let ColumnType::Enum(mood) = ty("mood") else { panic!("mood is not an enum") };
    assert_eq!((mood.schema.as_deref(), mood.name.as_str()), (Some("app"), "mood"));
    assert_eq!(mood.label_names(), ["happy", "sad", "so-so"]);
    assert_eq!(mood.labels[2].renamed_from, ["meh"]);
    assert!(matches!(ty("moods"), ColumnType::Array(e) if matches!(*e, ColumnType::Enum(_))));
    assert_eq!(ty("tags"), ColumnType::Array(Box::new(ColumnType::Text)));
    assert_eq!(person.foreign_keys[0].referenced_columns, ["org_id", "team_no"]);
    assert_eq!(person.indexes.len(), 3);
}
