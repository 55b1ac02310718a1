//! The `#[instance_route]` attribute of [`instance-id`](https://docs.rs/instance-id).
//!
//! Use it through `instance_id::instance_route`; its documentation is there. The crate
//! is laid out as `thiserror-impl` is, in three phases:
//!
//! | phase | module | what |
//! |---|---|---|
//! | parse | `attr.rs`, `ast.rs` | the arguments into a small typed model; the annotated function and where it sits |
//! | validate | `valid.rs` | one pass over the model, with the rules of `instance-id-grammar` that the library checks too |
//! | expand | `expand.rs` | calls of `instance_id`'s public API, as a user would write them by hand |
//!
//! Every mistake is a `syn::Error` at its token, all of them gathered by
//! `ctxt::Ctxt` so that one compile shows them all, in source order.

mod ast;
mod attr;
mod ctxt;
mod expand;
mod valid;

use proc_macro::TokenStream;

/// Mounts the instance's identity route, names the instance on every response, and
/// chooses at compile time how the identity is detected. See `instance_id`'s docs.
#[proc_macro_attribute]
pub fn instance_route(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::instance_route(args.into(), item.into()).into()
}
