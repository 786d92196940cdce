//! `#[derive(DbEnum)]`: labels from `db_enum`, from sqlx's keys, and a field of the enum.
use dbconform::{ColumnType, DbEnum, EnumLabel, EnumType, SqlType, Table};

#[derive(DbEnum)]
#[db_enum(name = "mood", schema = "app", rename_all = "lowercase")]
#[allow(dead_code)]
enum Mood {
    Happy,
    Sad,
    #[db_enum(rename = "so-so", renamed_from = "meh")]
    SoSo,
}

#[derive(DbEnum)]
#[sqlx(type_name = "order_state", rename_all = "snake_case")]
#[allow(dead_code)]
enum OrderState {
    NewOrder,
    #[sqlx(rename = "gone")]
    Shipped,
}

#[derive(DbEnum)]
#[allow(dead_code)]
enum TrafficLight {
    Red,
    Green,
}

#[derive(Table)]
struct Person {
    #[column(primary_key)]
    id: i64,
    mood: Mood,
    previous: Option<Mood>,
}

fn main() {
    assert_eq!(
        Mood::enum_type(),
        EnumType {
            schema: Some("app".into()),
            name: "mood".into(),
            labels: vec![
                EnumLabel::new("happy"),
                EnumLabel::new("sad"),
                EnumLabel {
                    name: "so-so".into(),
                    renamed_from: vec!["meh".into()],
                },
            ],
        }
    );
    assert_eq!(OrderState::enum_type(), EnumType::new("order_state", ["new_order", "gone"]));
    assert_eq!(TrafficLight::enum_type(), EnumType::new("traffic_light", ["Red", "Green"]));
    assert_eq!(Mood::column_type(), ColumnType::Enum(Box::new(Mood::enum_type())));
    let table = Person::table_def();
    assert_eq!(table.columns[1].ty, ColumnType::Enum(Box::new(Mood::enum_type())));
    assert!(!table.columns[1].nullable);
    assert!(table.columns[2].nullable);
}
