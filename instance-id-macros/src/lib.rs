//! The `#[instance_route]` attribute of [`instance-id`](https://docs.rs/instance-id).
//!
//! Use it through `instance_id::instance_route`; its documentation is there. The crate
//! is laid out as `thiserror-impl` is: [`attr`] parses the arguments into a small typed
//! model, [`ast`] looks at the annotated function, [`check`] holds the rules, and
//! [`expand`] writes the calls of `instance_id`'s public API. Every mistake is a
//! `syn::Error` at its token, all of them gathered by [`ctxt::Ctxt`] so that one
//! compile shows them all.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;

use proc_macro::TokenStream;

/// Mounts the instance's identity route, names the instance on every response, and
/// chooses at compile time how the identity is detected. See `instance_id`'s docs.
#[proc_macro_attribute]
pub fn instance_route(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::instance_route(args.into(), item.into()).into()
}
