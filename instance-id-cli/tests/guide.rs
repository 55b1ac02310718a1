//! The guide's command transcripts (the `console` blocks of `docs/*.md` and of the
//! README) run against this binary, from the repository's root, and must print what
//! the page says they print: a page that says something false fails the tests.

use std::path::Path;

#[test]
fn the_guides_transcripts_are_true() {
    // The pages' commands name paths from the repository's root, as a reader in a
    // clone types them. This test binary holds this one test, so changing the
    // process's directory moves no other test.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).expect("the repository's root");
    trycmd::TestCases::new()
        .register_bin("instance-id", Path::new(env!("CARGO_BIN_EXE_instance-id")))
        .case("docs/*.md")
        .case("README.md");
}
