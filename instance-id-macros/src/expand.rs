//! From the model to calls of `instance_id`'s public API (an `InstanceConfig` handed
//! to `WithInstance::with_instance`, which attaches an `InstanceFairing` to a Rocket and
//! the route and layer to an Axum Router): what a user could write by hand.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::Function;
use instance_id_grammar::Expose;

use crate::attr::{self, Args, Header, Kind, StrategyArg};
use crate::ctxt::Ctxt;
use crate::valid;

pub fn instance_route(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let args = attr::parse(args, &cx);
    let function = Function::parse(item.clone(), &cx);
    valid::validate(&args, &cx);
    match (cx.check(), function) {
        (Ok(()), Some(function)) => wrap(&args, function),
        // On a mistake the function stays as written, so that the rest of the crate
        // still type-checks and only the attribute's own errors are shown.
        (Err(err), Some(function)) => {
            let errors = err.to_compile_error();
            let item = function.item;
            quote!(#errors #item)
        }
        (Err(err), None) => {
            let errors = err.to_compile_error();
            quote!(#errors #item)
        }
        (Ok(()), None) => item,
    }
}

/// Keeps the function's attributes, visibility, signature and body; every way out of
/// the body goes through the closure (or async block), whose app (a Rocket or a
/// Router) gets the identity through `instance_id::WithInstance`.
fn wrap(args: &Args, function: Function) -> TokenStream {
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function.item;
    // `-> _` is #[launch]'s, which only a Rocket has.
    let app = match &sig.output {
        syn::ReturnType::Type(_, ty) if !matches!(**ty, syn::Type::Infer(_)) => quote!(#ty),
        _ => quote!(::instance_id::__rocket::Rocket<::instance_id::__rocket::Build>),
    };
    let built = match sig.asyncness {
        Some(_) => quote!(async move #block.await),
        None => quote!((move || -> #app #block)()),
    };
    let config = config(args);
    // Spanned at the return type: a type the attribute cannot serve is reported there.
    let span = match &sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => sig.ident.span(),
    };
    let with_instance = quote_spanned! {span=>
        <#app as ::instance_id::WithInstance>::with_instance(__instance_id_app, #config)
    };
    quote! {
        #(#attrs)*
        #vis #sig {
            // The closure is the point: a `return` in the body leaves it, not the function.
            #[allow(clippy::redundant_closure_call)]
            let __instance_id_app: #app = #built;
            #with_instance
        }
    }
}

fn config(args: &Args) -> TokenStream {
    let path = &args.path;
    let mut calls = Vec::new();
    if let Some(first) = &args.strategy {
        let first = strategy(first);
        calls.push(quote!(.strategy(#first)));
    }
    if let Some(fallback) = &args.fallback {
        let fallback: Vec<TokenStream> = fallback.iter().map(strategy).collect();
        calls.push(
            quote!(.fallback(::std::vec::Vec::<::instance_id::Strategy>::from([#(#fallback),*]))),
        );
    }
    match args.header.as_ref().map(|arg| &arg.header) {
        Some(Header::Name(name)) => calls.push(quote!(.header(#name))),
        Some(Header::Off) => calls.push(quote!(.no_header())),
        None => {}
    }
    if let Some(arg) = &args.expose {
        let expose = match &arg.expose {
            Expose::Full => quote!(::instance_id::Expose::Full),
            Expose::Short => quote!(::instance_id::Expose::Short),
            Expose::Hashed { key_env } => {
                let key_env = syn::LitStr::new(key_env, arg.span);
                quote!(::instance_id::Expose::hashed(#key_env))
            }
        };
        calls.push(quote!(.expose(#expose)));
    }
    quote! {
        ::instance_id::InstanceConfig::new(#path)
            #(#calls)*
            .version(::core::env!("CARGO_PKG_VERSION"))
    }
}

fn strategy(arg: &StrategyArg) -> TokenStream {
    match &arg.kind {
        Kind::Named(name) => {
            let variant = syn::Ident::new(name.variant(), arg.expr.span());
            quote!(::instance_id::Strategy::#variant)
        }
        Kind::Env(name) => quote!(::instance_id::Strategy::env(#name)),
        Kind::File(path) => quote!(::instance_id::Strategy::file(#path)),
        Kind::Custom(path) => {
            let name = quote!(#path).to_string().replace(' ', "");
            // Spanned at the user's path: a function of the wrong type is reported there.
            let func = quote_spanned! {path.span()=>
                {
                    let __instance_id_custom: fn() -> ::core::option::Option<::std::string::String> = #path;
                    __instance_id_custom
                }
            };
            quote!(::instance_id::Strategy::custom(#name, #func))
        }
    }
}
