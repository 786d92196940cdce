//! Models living in a crate of their own, as in many applications.

use dbconform::Table;

/// A table declared outside the binary that conforms the database.
#[derive(Table)]
#[table(name = "external_widgets")]
pub struct ExternalWidget {
    #[column(primary_key)]
    pub id: i64,
    pub label: String,
}
