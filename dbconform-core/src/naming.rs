//! Deterministic names for constraints and indexes the user did not name.

/// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1); longer names are truncated
/// by the server, so generated names never exceed it.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// Builds `<prefix>_<table>_<part>_<part>...`, shortened to at most 63 bytes.
///
/// A name that would be longer is cut at a character boundary and ends with `_` and an
/// 8-hex-digit hash of the full name, so two long names that share a prefix stay distinct
/// and the same input always gives the same name.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// use dbconform::generated_name;
/// assert_eq!(generated_name("uq", "products", &["vendor_id", "sku"]), "uq_products_vendor_id_sku");
/// let long = generated_name("ix", &"t".repeat(80), &["c"]);
/// assert!(long.len() <= 63);
/// assert_eq!(long, generated_name("ix", &"t".repeat(80), &["c"]));
/// ```
pub fn generated_name(prefix: &str, table: &str, parts: &[&str]) -> String {
    let mut name = format!("{prefix}_{table}");
    for part in parts {
        name.push('_');
        name.push_str(part);
    }
    shorten(&name)
}

/// Shortens `name` to at most 63 bytes as [`generated_name`] does; shorter names are kept.
pub fn shorten(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name.to_string();
    }
    let suffix = format!("_{:08x}", fnv1a(name.as_bytes()));
    let mut cut = MAX_IDENTIFIER_BYTES - suffix.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &name[..cut])
}

/// An 8-hex-digit hash of `text`, stable across Rust versions and platforms.
pub fn short_hash(text: &str) -> String {
    format!("{:08x}", fnv1a(text.as_bytes()))
}

/// 32-bit FNV-1a: tiny, stable forever (unlike `std`'s hasher), good enough for naming.
fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_on_char_boundaries_and_stay_distinct() {
        let a = generated_name("uq", &"é".repeat(40), &["a"]);
        let b = generated_name("uq", &"é".repeat(40), &["b"]);
        assert!(a.len() <= MAX_IDENTIFIER_BYTES && b.len() <= MAX_IDENTIFIER_BYTES);
        assert_ne!(a, b);
        assert!(a.starts_with("uq_é"));
    }

    #[test]
    fn exactly_63_bytes_is_kept() {
        let name = "x".repeat(63);
        assert_eq!(shorten(&name), name);
        assert_eq!(shorten(&"x".repeat(64)).len(), 63);
    }
}
