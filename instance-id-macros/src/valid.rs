//! One pass over the model with the rules the runtime checks too: each comes from
//! `instance-id-grammar`, so the attribute and a hand-written configuration cannot
//! disagree. Each mistake is recorded at the user's token.

use instance_id_grammar as grammar;

use crate::attr::{Args, Expose, Header, Kind, StrategyArg};
use crate::ctxt::Ctxt;

pub fn validate(args: &Args, cx: &Ctxt) {
    if let Some(path) = &args.path {
        if let Err(err) = grammar::route_path(&path.value()) {
            cx.error_spanned_by(path, err);
        }
    }
    let fallback = args.fallback.as_deref().unwrap_or_default();
    for strategy in args.strategy.iter().chain(fallback) {
        argument(strategy, cx);
    }
    if let Some(Header::Name(name)) = &args.header {
        if let Err(err) = grammar::header_name(&name.value()) {
            cx.error_spanned_by(name, err);
        }
    }
    if let Some(Expose::Hashed(key_env)) = &args.expose {
        if let Err(err) = grammar::env_name(&key_env.value()) {
            cx.error_spanned_by(key_env, err);
        }
    }
    // Without a written fallback the default one is trimmed to fit the first
    // strategy: nothing to check.
    if args.fallback.is_some() {
        let first = args.strategy.as_ref().map(StrategyArg::written);
        let written: Vec<_> = fallback.iter().map(StrategyArg::written).collect();
        for (at, err) in grammar::check_chain(first.as_ref(), &written) {
            cx.error_spanned_by(&fallback[at].expr, err);
        }
    }
}

/// The argument of `env(…)` and `file(…)`, at the string literal.
fn argument(strategy: &StrategyArg, cx: &Ctxt) {
    let (literal, checked) = match &strategy.kind {
        Kind::Env(name) => (name, grammar::env_name(&name.value())),
        Kind::File(path) => (path, grammar::file_path(&path.value())),
        Kind::Named(_) | Kind::Custom(_) => return,
    };
    if let Err(err) = checked {
        cx.error_spanned_by(literal, err);
    }
}
