//! dbconform: make a live database conform to the schema your structs declare.
pub use dbconform_core::*;
pub use dbconform_derive::Table;

#[doc(hidden)]
pub mod __private {
    pub use dbconform_core as core;
    pub use inventory;
}
