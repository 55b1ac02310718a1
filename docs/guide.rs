//! The guide to instance-id, one subject a page. Each page of `docs/` is a module
//! here, so that every Rust block in it compiles and runs as a doc test with
//! `cargo test --workspace`: a page that says something false fails the tests.

#![doc(html_no_source)]

#[doc = include_str!("adding-a-framework.md")]
pub mod adding_a_framework {}
