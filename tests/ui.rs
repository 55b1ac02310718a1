//! `#[instance_route]` at compile time: every mistake is one clear error at
//! its token (`tests/ui/<mistake>.rs` with its reviewed `.stderr`), and every valid
//! form compiles (`tests/ui/pass/`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
