//! Compile-time behaviour of `#[derive(Table)]`: each `tests/ui/fail/*.rs` is one failure
//! mode with its expected error in the `.stderr` beside it; `tests/ui/pass/*.rs` must build
//! and run. Regenerate the `.stderr` files with `TRYBUILD=overwrite`, then read them.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
