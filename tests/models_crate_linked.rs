//! Models in another crate are registered when the binary references that crate with
//! `use my_models as _;` — the line the README tells users to add.

use dbconform_test_models as _;

#[test]
fn tables_of_a_referenced_models_crate_are_registered() {
    let names: Vec<String> = dbconform::registered_tables()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["external_widgets"]);
}
