//! The guide to instance-id, one subject a page. Each page of `docs/` is a module
//! here, so that every Rust block in it compiles (and, unless marked `no_run`, runs)
//! as a doc test with `cargo test --workspace`: a page that says something false
//! fails the tests. The command transcripts in the pages run in
//! `instance-id-cli/tests/guide.rs`.

#![doc(html_no_source)]

#[doc = include_str!("../README.md")]
pub mod readme {}

#[doc = include_str!("attribute.md")]
pub mod attribute {}

#[doc = include_str!("detection.md")]
pub mod detection {}

#[doc = include_str!("opentelemetry.md")]
pub mod opentelemetry {}

#[doc = include_str!("operators.md")]
pub mod operators {}

#[doc = include_str!("privacy.md")]
pub mod privacy {}

#[doc = include_str!("testing.md")]
pub mod testing {}

#[doc = include_str!("frameworks.md")]
pub mod frameworks {}

#[doc = include_str!("adding-a-framework.md")]
pub mod adding_a_framework {}
