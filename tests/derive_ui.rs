//! Compile-time behaviour of `#[derive(Table)]`: each `tests/ui/fail/*.rs` is one failure
//! mode with its expected error in the `.stderr` beside it; `tests/ui/pass/*.rs` must build
//! and run. Regenerate the `.stderr` files with `TRYBUILD=overwrite`, then read them.
//!
//! Most messages are the derive's own and stable. Three cases show rustc's trait errors
//! (`max_length_on_non_string`, `precision_on_non_decimal`, `unmapped_type`), whose notes
//! print type names the way rustc shortens them for the whole dependency graph: adding a
//! dependency or re-export elsewhere can change `String` into `std::string::String` there.
//! Re-bless those three when that happens; the first lines, which are ours, must not change.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
