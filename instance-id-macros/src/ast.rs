//! The annotated item: a function that returns the app (a `Rocket<Build>`, placed
//! above `#[launch]` if it has one, or an `axum::Router`). Whether the returned type
//! is one the attribute serves is for the compiler to say, through the bound on
//! `instance_id::WithInstance` that the expansion calls.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Attribute, ItemFn, ReturnType, Type};

use crate::ctxt::{Ctxt, Place};

pub struct Function {
    pub item: ItemFn,
}

impl Function {
    /// The function, or `None` (with the mistake in `cx`) when the item is not one.
    /// A function with a mistake in its signature is still returned, so that it can be
    /// emitted unchanged and the rest of the crate type-checks.
    pub fn parse(item: TokenStream, cx: &Ctxt) -> Option<Self> {
        cx.enter(Place::FUNCTION);
        let mut item: ItemFn = match syn::parse2(item.clone()) {
            Ok(item) => item,
            Err(_) => {
                cx.error_spanned_by(
                    first_tokens(item),
                    "#[instance_route] goes on the function that builds the app: `fn rocket() -> _` under #[launch], or a function returning Rocket<Build> or axum::Router",
                );
                return None;
            }
        };
        if expanded_by_launch(&item) {
            cx.error_at(
                proc_macro2::Span::call_site(),
                "#[instance_route] must be above #[launch], not below it: #[launch] has already copied this function's body into `main`, so the identity route would never be mounted; move this attribute up, over #[launch]",
            );
            return Some(Self { item });
        }
        let launch = item.attrs.iter().any(is_launch);
        match &item.sig.output {
            ReturnType::Default => cx.error_spanned_by(
                &item.sig.ident,
                format!("`{}` returns nothing: #[instance_route] needs a function that returns the app (`-> _` under #[launch], `-> Rocket<Build>` or `-> axum::Router`)", item.sig.ident),
            ),
            ReturnType::Type(_, ty) => match &**ty {
                Type::Infer(_) if launch => {}
                Type::Infer(_) => {
                    cx.error_spanned_by(
                        ty,
                        "`-> _` is for #[launch] functions: put #[launch] below #[instance_route], or write `-> Rocket<Build>`",
                    );
                    // Emitted with the type it was meant to have, so that this one
                    // message is the only one.
                    let rocket: Type = syn::parse_quote_spanned!(ty.span()=> ::instance_id::__rocket::Rocket<::instance_id::__rocket::Build>);
                    item.sig.output = ReturnType::Type(Default::default(), Box::new(rocket));
                }
                // Any other type: `WithInstance`'s bound decides, with its own message.
                _ => {}
            },
        }
        Some(Self { item })
    }
}

/// `#[launch]`, `#[rocket::launch]`, `#[::rocket::launch]`.
fn is_launch(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "launch")
}

/// Rocket 0.5's `#[launch]` keeps the function it copied into `main` as dead code,
/// behind an `#[allow(dead_code)]` it writes itself with the span of the function's
/// body. An attribute below `#[launch]` sees exactly that: an `allow` whose source text
/// is not `allow`.
fn expanded_by_launch(item: &ItemFn) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("allow")
            && attr
                .path()
                .get_ident()
                .and_then(|ident| ident.span().source_text())
                .is_some_and(|text| text != "allow")
            && matches!(&attr.meta, syn::Meta::List(list) if list.tokens.to_string() == "dead_code")
    })
}

/// The first few tokens of an item, for an error that points at its start.
fn first_tokens(item: TokenStream) -> TokenStream {
    item.into_iter().take(3).collect()
}
