//! Rust type → logical column type mapping, used by `#[derive(Table)]`.
//!
//! The derive never guesses from a type's spelling: it asks `<T as SqlType>::column_type()`.
//! That makes type aliases, fully qualified paths and users' own newtypes work, and lets
//! users map their own types by implementing [`SqlType`].

use crate::model::ColumnType;

/// A Rust type that maps to a column type.
///
/// Implement it for your own newtypes to use them as fields without `sql_type`:
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::{ColumnType, SqlType};
/// struct Email(String);
/// impl SqlType for Email {
///     fn column_type() -> ColumnType { ColumnType::Varchar(320) }
/// }
/// assert_eq!(Email::column_type(), ColumnType::Varchar(320));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL column type mapping",
    label = "dbconform cannot map this field type to a column type",
    note = "add `#[column(sql_type = \"...\")]` to the field, enable the dbconform feature for the type (chrono, time, uuid, json, decimal), or implement `dbconform::SqlType` for it"
)]
pub trait SqlType {
    /// The logical column type of this Rust type.
    fn column_type() -> ColumnType;
}

/// A Rust enum stored as a database enumerated type; `#[derive(DbEnum)]` implements it,
/// and [`SqlType`] with [`ColumnType::Enum`] so that fields of the enum are columns of
/// that type.
pub trait DbEnum {
    /// The enumerated type: its name and its labels in declared order.
    fn enum_type() -> crate::model::EnumType;
}

/// Types that accept `#[column(max_length = N)]`: `String` (`VARCHAR(N)`) and arrays of
/// them (`Vec<String>`, `VARCHAR(N)[]`).
#[diagnostic::on_unimplemented(
    message = "`max_length` applies only to `String` and `Vec<String>` fields, not `{Self}`",
    label = "this field is not a string",
    note = "remove `max_length`, or use `sql_type = \"...\"` for a custom type"
)]
pub trait AcceptsMaxLength {
    /// The column type of this Rust type limited to `length` characters.
    fn with_max_length(length: u32) -> ColumnType;
}

/// Marker for types that accept `#[column(precision = P, scale = S)]`.
#[diagnostic::on_unimplemented(
    message = "`precision`/`scale` apply only to decimal fields, not `{Self}`",
    label = "this field is not a decimal",
    note = "remove `precision`/`scale`, or use `sql_type = \"...\"` for a custom type"
)]
pub trait AcceptsPrecision {}

macro_rules! sql_types {
    ($($ty:ty => $ct:expr),* $(,)?) => {
        $(impl SqlType for $ty {
            fn column_type() -> ColumnType { $ct }
        })*
    };
}

sql_types! {
    i16 => ColumnType::SmallInt,
    i32 => ColumnType::Integer,
    i64 => ColumnType::BigInt,
    f32 => ColumnType::Real,
    f64 => ColumnType::Double,
    bool => ColumnType::Boolean,
    String => ColumnType::Text,
    Vec<u8> => ColumnType::Blob,
}

impl AcceptsMaxLength for String {
    fn with_max_length(length: u32) -> ColumnType {
        ColumnType::Varchar(length)
    }
}

impl<T: AcceptsMaxLength> AcceptsMaxLength for Vec<T> {
    fn with_max_length(length: u32) -> ColumnType {
        ColumnType::Array(Box::new(T::with_max_length(length)))
    }
}

/// `Vec<T>` is an array of `T` (`T[]` on PostgreSQL); `Vec<u8>` stays bytes (`u8` has no
/// column type of its own, so the two impls never overlap).
impl<T: SqlType> SqlType for Vec<T> {
    fn column_type() -> ColumnType {
        ColumnType::Array(Box::new(T::column_type()))
    }
}

#[cfg(feature = "chrono")]
sql_types! {
    chrono::NaiveDate => ColumnType::Date,
    chrono::NaiveTime => ColumnType::Time,
    chrono::NaiveDateTime => ColumnType::Timestamp,
    chrono::DateTime<chrono::Utc> => ColumnType::TimestampTz,
    chrono::DateTime<chrono::FixedOffset> => ColumnType::TimestampTz,
    chrono::DateTime<chrono::Local> => ColumnType::TimestampTz,
}

#[cfg(feature = "time")]
sql_types! {
    time::Date => ColumnType::Date,
    time::Time => ColumnType::Time,
    time::PrimitiveDateTime => ColumnType::Timestamp,
    time::OffsetDateTime => ColumnType::TimestampTz,
}

#[cfg(feature = "uuid")]
sql_types! {
    uuid::Uuid => ColumnType::Uuid,
}

#[cfg(feature = "json")]
sql_types! {
    serde_json::Value => ColumnType::Json,
}

#[cfg(feature = "decimal")]
sql_types! {
    rust_decimal::Decimal => ColumnType::Decimal { precision: None, scale: None },
}

#[cfg(feature = "decimal")]
impl AcceptsPrecision for rust_decimal::Decimal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_are_arrays_except_bytes() {
        let array = |ty: ColumnType| ColumnType::Array(Box::new(ty));
        assert_eq!(<Vec<u8>>::column_type(), ColumnType::Blob);
        assert_eq!(<Vec<String>>::column_type(), array(ColumnType::Text));
        assert_eq!(<Vec<i64>>::column_type(), array(ColumnType::BigInt));
        assert_eq!(<Vec<Vec<u8>>>::column_type(), array(ColumnType::Blob));
        // PostgreSQL's normal form flattens this to `integer[]` (dimensions are not kept).
        assert_eq!(
            <Vec<Vec<i32>>>::column_type(),
            array(array(ColumnType::Integer))
        );
    }
}
