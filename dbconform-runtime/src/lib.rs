//! Database side of dbconform: connect, reflect, execute plans. Use it through `dbconform`.
pub use dbconform_core as core;
