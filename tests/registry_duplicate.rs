//! Two structs claiming the same table make `registered_tables()` fail with an error naming
//! both Rust types. A binary of its own: the inventory registry is global per binary.
#![allow(dead_code)]

mod billing {
    use dbconform::Table;

    #[derive(Table)]
    #[table(schema = "accounts", name = "customers")]
    pub struct Customer {
        #[column(primary_key)]
        pub id: i64,
    }
}

mod crm {
    use dbconform::Table;

    /// Same table as `billing::Customer`, reached through the default name.
    #[derive(Table)]
    #[table(schema = "accounts")]
    pub struct Customers {
        #[column(primary_key)]
        pub id: i64,
        pub name: String,
    }
}

mod unrelated {
    use dbconform::Table;

    /// Same name in another schema: not a duplicate.
    #[derive(Table)]
    pub struct Customers {
        #[column(primary_key)]
        pub id: i64,
    }
}

#[test]
fn duplicate_table_names_both_types() {
    let err = dbconform::registered_tables().expect_err("two types claim accounts.customers");
    let message = err.to_string();
    assert!(
        message.contains("registry_duplicate::billing::Customer"),
        "first type missing from: {message}"
    );
    assert!(
        message.contains("registry_duplicate::crm::Customers"),
        "second type missing from: {message}"
    );
    assert!(
        message.contains("accounts.customers"),
        "table missing from: {message}"
    );
    assert!(
        !message.contains("unrelated"),
        "unrelated type named in: {message}"
    );
    assert!(
        matches!(err, dbconform::Error::DuplicateTable { .. }),
        "{err:?}"
    );
}
