//! One-dimensional arrays in PostgreSQL's binary format, read in place: the reflection
//! query returns each part of the catalog as a few arrays of thousands of elements, and
//! reading them as slices of the row's buffer costs one allocation per array where
//! sqlx's `Vec<T>` decoding costs one per text element plus a type-info clone per element.
//!
//! The format (`array_send` in PostgreSQL's `arrayfuncs.c`): the number of dimensions,
//! a flags word, the element type's OID, then per dimension its length and lower bound,
//! then each element as a 4-byte length (-1 for NULL) followed by that many bytes, all
//! integers big-endian. Elements are in the type's binary format: 4 bytes for `oid` and
//! `int4`, one byte for `bool` and `"char"`, the UTF-8 bytes for `text` and `name`.

/// The element types the reflection query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element {
    /// `oid`.
    Oid,
    /// `int4`.
    Int4,
    /// `text` or `name`.
    Text,
    /// `bool`.
    Bool,
    /// `"char"`.
    Char,
}

impl Element {
    /// Whether an array whose elements have type `oid` holds this element type.
    fn accepts(self, oid: u32) -> bool {
        const BOOL: u32 = 16;
        const CHAR: u32 = 18;
        const NAME: u32 = 19;
        const INT4: u32 = 23;
        const TEXT: u32 = 25;
        const OID: u32 = 26;
        match self {
            Element::Oid => oid == OID,
            Element::Int4 => oid == INT4,
            Element::Text => oid == TEXT || oid == NAME,
            Element::Bool => oid == BOOL,
            Element::Char => oid == CHAR,
        }
    }
}

/// The elements of one array, each `None` for NULL, borrowed from the row.
#[derive(Debug, Default)]
pub(crate) struct Array<'r> {
    items: Vec<Option<&'r [u8]>>,
}

impl<'r> Array<'r> {
    /// Reads `value` (`None` for SQL NULL, which reads as empty), an array that must be
    /// one-dimensional and hold `element`s.
    pub(crate) fn parse(value: Option<&'r [u8]>, element: Element) -> Result<Array<'r>, String> {
        let Some(mut bytes) = value else {
            return Ok(Array::default());
        };
        let dimensions = take_i32(&mut bytes)?;
        let _flags = take_i32(&mut bytes)?;
        let oid = u32::from_be_bytes(take::<4>(&mut bytes)?);
        if !element.accepts(oid) {
            return Err(format!(
                "expected an array of {element:?}, got elements of type {oid}"
            ));
        }
        match dimensions {
            0 => return Ok(Array::default()),
            1 => {}
            other => return Err(format!("expected a one-dimensional array, got {other}")),
        }
        let len = usize::try_from(take_i32(&mut bytes)?)
            .map_err(|_| "negative array length".to_string())?;
        let _lower_bound = take_i32(&mut bytes)?;
        // Each element takes at least its 4-byte length: never reserve more than the
        // bytes can hold, whatever the header claims.
        let mut items = Vec::with_capacity(len.min(bytes.len() / 4));
        for _ in 0..len {
            let size = take_i32(&mut bytes)?;
            if size == -1 {
                items.push(None);
                continue;
            }
            let size =
                usize::try_from(size).map_err(|_| format!("invalid element length {size}"))?;
            if bytes.len() < size {
                return Err("truncated array element".into());
            }
            let (item, rest) = bytes.split_at(size);
            items.push(Some(item));
            bytes = rest;
        }
        if !bytes.is_empty() {
            return Err(format!("{} bytes after the last element", bytes.len()));
        }
        Ok(Array { items })
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Element `i`, which must exist; `None` for NULL.
    fn item(&self, i: usize) -> Result<Option<&'r [u8]>, String> {
        self.items
            .get(i)
            .copied()
            .ok_or_else(|| format!("no element {i} in an array of {}", self.items.len()))
    }

    /// Element `i`, which must exist and not be NULL, as `N` bytes.
    fn fixed<const N: usize>(&self, i: usize) -> Result<[u8; N], String> {
        let bytes = self
            .item(i)?
            .ok_or_else(|| format!("element {i} is NULL"))?;
        bytes
            .try_into()
            .map_err(|_| format!("element {i} has {} bytes, expected {N}", bytes.len()))
    }

    /// An `oid` element.
    pub(crate) fn oid(&self, i: usize) -> Result<u32, String> {
        self.fixed::<4>(i).map(u32::from_be_bytes)
    }

    /// An `int4` element.
    pub(crate) fn int4(&self, i: usize) -> Result<i32, String> {
        self.fixed::<4>(i).map(i32::from_be_bytes)
    }

    /// A `bool` element.
    pub(crate) fn bool(&self, i: usize) -> Result<bool, String> {
        self.fixed::<1>(i).map(|[b]| b != 0)
    }

    /// A `"char"` element (a catalog code such as `contype`).
    pub(crate) fn code(&self, i: usize) -> Result<char, String> {
        self.fixed::<1>(i).map(|[b]| char::from(b))
    }

    /// A `text` or `name` element, `None` for NULL.
    pub(crate) fn text(&self, i: usize) -> Result<Option<&'r str>, String> {
        self.item(i)?
            .map(|bytes| {
                std::str::from_utf8(bytes).map_err(|e| format!("element {i} is not UTF-8: {e}"))
            })
            .transpose()
    }
}

/// The first `N` bytes of `bytes`, which are consumed.
fn take<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], String> {
    if bytes.len() < N {
        return Err("truncated array header".into());
    }
    let (head, rest) = bytes.split_at(N);
    *bytes = rest;
    Ok(head.try_into().unwrap_or([0; N]))
}

fn take_i32(bytes: &mut &[u8]) -> Result<i32, String> {
    take::<4>(bytes).map(i32::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::{Array, Element};

    /// An array in binary format: `elements` of type `oid`, `None` for NULL.
    fn encode(oid: u32, elements: &[Option<&[u8]>]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(1i32.to_be_bytes());
        out.extend(i32::from(elements.contains(&None)).to_be_bytes());
        out.extend(oid.to_be_bytes());
        out.extend((elements.len() as i32).to_be_bytes());
        out.extend(1i32.to_be_bytes());
        for element in elements {
            match element {
                None => out.extend((-1i32).to_be_bytes()),
                Some(bytes) => {
                    out.extend((bytes.len() as i32).to_be_bytes());
                    out.extend(*bytes);
                }
            }
        }
        out
    }

    #[test]
    fn reads_every_element_type() {
        let oids = encode(
            26,
            &[Some(&7u32.to_be_bytes()), Some(&u32::MAX.to_be_bytes())],
        );
        let a = Array::parse(Some(&oids), Element::Oid).unwrap();
        assert_eq!((a.len(), a.oid(0), a.oid(1)), (2, Ok(7), Ok(u32::MAX)));

        let ints = encode(23, &[Some(&(-3i32).to_be_bytes())]);
        let a = Array::parse(Some(&ints), Element::Int4).unwrap();
        assert_eq!(a.int4(0), Ok(-3));

        let texts = encode(25, &[Some("ünï \"q\"".as_bytes()), None, Some(b"")]);
        let a = Array::parse(Some(&texts), Element::Text).unwrap();
        assert_eq!(
            (a.text(0), a.text(1), a.text(2)),
            (Ok(Some("ünï \"q\"")), Ok(None), Ok(Some("")))
        );
        let names = encode(19, &[Some(b"pg_class")]);
        let a = Array::parse(Some(&names), Element::Text).unwrap();
        assert_eq!(a.text(0), Ok(Some("pg_class")));

        let bools = encode(16, &[Some(&[1]), Some(&[0])]);
        let a = Array::parse(Some(&bools), Element::Bool).unwrap();
        assert_eq!((a.bool(0), a.bool(1)), (Ok(true), Ok(false)));

        let codes = encode(18, &[Some(b"f"), Some(b" ")]);
        let a = Array::parse(Some(&codes), Element::Char).unwrap();
        assert_eq!((a.code(0), a.code(1)), (Ok('f'), Ok(' ')));
    }

    #[test]
    fn null_and_empty_arrays_have_no_elements() {
        assert_eq!(Array::parse(None, Element::Text).unwrap().len(), 0);
        let mut empty = Vec::new();
        empty.extend(0i32.to_be_bytes());
        empty.extend(0i32.to_be_bytes());
        empty.extend(25u32.to_be_bytes());
        assert_eq!(Array::parse(Some(&empty), Element::Text).unwrap().len(), 0);
    }

    #[test]
    fn malformed_input_is_an_error_never_a_panic() {
        let good = encode(25, &[Some(b"abc"), Some(b"de")]);
        // Every truncation of a valid array fails cleanly.
        for end in 0..good.len() {
            assert!(
                Array::parse(Some(&good[..end]), Element::Text).is_err(),
                "{end}"
            );
        }
        // Trailing bytes, a wrong element type, two dimensions, a negative length.
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(Array::parse(Some(&trailing), Element::Text).is_err());
        assert!(Array::parse(Some(&good), Element::Oid).is_err());
        let mut two = good.clone();
        two[..4].copy_from_slice(&2i32.to_be_bytes());
        assert!(Array::parse(Some(&two), Element::Text).is_err());
        let mut negative = good.clone();
        negative[12..16].copy_from_slice(&(-5i32).to_be_bytes());
        assert!(Array::parse(Some(&negative), Element::Text).is_err());
        // A length far beyond the bytes does not allocate it.
        let mut huge = good;
        huge[12..16].copy_from_slice(&i32::MAX.to_be_bytes());
        assert!(Array::parse(Some(&huge), Element::Text).is_err());

        // Getters check the index, NULL and the width.
        let oids = encode(26, &[None, Some(b"12")]);
        let a = Array::parse(Some(&oids), Element::Oid).unwrap();
        assert!(a.oid(0).is_err());
        assert!(a.oid(1).is_err());
        assert!(a.oid(2).is_err());
        let invalid = encode(25, &[Some(&[0xff, 0xfe])]);
        let a = Array::parse(Some(&invalid), Element::Text).unwrap();
        assert!(a.text(0).is_err());
    }
}
