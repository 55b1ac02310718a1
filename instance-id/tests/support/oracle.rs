//! The tests' own statement of the rules an id must obey, written apart from the
//! library so that a test never judges the library by the library's own code. Shared by
//! the engine's tests and the command's (`#[path]`); `tests/value_rules.rs` shows
//! that each rejects what it must.

#![allow(dead_code)] // each test file uses its own part

/// A container runtime's id: 64 lower-case hex digits.
pub fn is_container_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The value rules that need no list of addresses: 1 to 253 characters, each printable
/// ASCII and none of them white space.
pub fn is_printable_and_bounded(id: &str) -> bool {
    (1..=253).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}
