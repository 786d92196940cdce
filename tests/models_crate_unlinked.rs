//! The pitfall the README warns about: the same models crate is a dependency here, but
//! nothing references it, so the linker drops it and its tables are not registered.

#[test]
fn tables_of_an_unreferenced_models_crate_are_not_registered() {
    assert!(dbconform::registered_tables().unwrap().is_empty());
}
