//! One pass over the model with the rules the library checks too: each comes from
//! `instance-id-grammar`, so the attribute and a hand-written configuration cannot
//! disagree. Each mistake is recorded at the user's token, under the place the parse
//! gave it, so that it is shown in source order.

use instance_id_grammar as grammar;

use crate::attr::{Args, Header, Kind, StrategyArg};
use crate::ctxt::{Ctxt, Place};

pub fn validate(args: &Args, cx: &Ctxt) {
    if let Some(path) = &args.path {
        cx.enter(Place::PATH);
        if let Err(err) = grammar::route_path(&path.value()) {
            cx.error_spanned_by(path, err);
        }
    }
    let fallback = args.fallback.as_deref().unwrap_or_default();
    for strategy in args.strategy.iter().chain(fallback) {
        argument(strategy, cx);
    }
    if let Some(header) = &args.header {
        if let Header::Name(name) = &header.header {
            cx.enter(header.place);
            if let Err(err) = grammar::header_name(&name.value()) {
                cx.error_spanned_by(name, err);
            }
        }
    }
    if let Some(expose) = &args.expose {
        cx.enter(expose.place);
        if let Err(err) = expose.expose.validate() {
            cx.error_at(expose.span, err);
        }
    }
    // Without a written fallback the default one is trimmed to fit the first
    // strategy: nothing to check.
    if args.fallback.is_some() {
        let first = args.strategy.as_ref().map(StrategyArg::written);
        let written: Vec<_> = fallback.iter().map(StrategyArg::written).collect();
        for (at, err) in grammar::check_chain(first.as_ref(), &written) {
            cx.enter(fallback[at].place);
            cx.error_spanned_by(&fallback[at].expr, err);
        }
    }
}

/// The argument of `env(…)` and `file(…)`, at the string literal.
fn argument(strategy: &StrategyArg, cx: &Ctxt) {
    let literal = match &strategy.kind {
        Kind::Env(literal) | Kind::File(literal) => literal,
        Kind::Named(_) | Kind::Custom(_) => return,
    };
    cx.enter(strategy.place);
    if let Err(err) = strategy.written().validate_argument() {
        cx.error_spanned_by(literal, err);
    }
}
