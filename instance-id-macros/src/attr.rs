//! The attribute's arguments, parsed into a small typed model. Only the syntax is
//! checked here; the rules of the values are [`crate::valid`]'s.
//!
//! `#[instance_route("/inst", strategy = S, fallback = [S, …], header = "H" | false,
//! expose = full | short | hashed("ENV"))]`

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Token};

use instance_id_grammar::{self as grammar, did_you_mean, did_you_mean_tail, Expose};
use instance_id_grammar::{StrategyName, Written};

use crate::ctxt::{Ctxt, Place};

/// What the attribute says. Anything not written is `None`, and its default applies.
pub struct Args {
    pub path: Option<LitStr>,
    pub strategy: Option<StrategyArg>,
    pub fallback: Option<Vec<StrategyArg>>,
    pub header: Option<HeaderArg>,
    pub expose: Option<ExposeArg>,
}

/// One strategy as written, with its tokens and its place for errors.
pub struct StrategyArg {
    pub kind: Kind,
    pub expr: Expr,
    pub place: Place,
}

pub enum Kind {
    Named(StrategyName),
    Env(LitStr),
    File(LitStr),
    Custom(syn::Path),
}

impl StrategyArg {
    /// What the grammar's rules need to know of it.
    pub fn written(&self) -> Written {
        match &self.kind {
            Kind::Named(name) => Written::Named(*name),
            Kind::Env(name) => Written::Env(name.value()),
            Kind::File(path) => Written::File(path.value()),
            Kind::Custom(path) => {
                Written::Custom(quote::quote!(#path).to_string().replace(' ', ""))
            }
        }
    }
}

/// `header = …`, with its place for errors.
pub struct HeaderArg {
    pub header: Header,
    pub place: Place,
}

pub enum Header {
    Name(LitStr),
    Off,
}

/// `expose = …`: the grammar's value, with where it was written for errors.
pub struct ExposeArg {
    pub expose: Expose,
    /// The key's string literal in `hashed("ENV")`, the word otherwise.
    pub span: Span,
    pub place: Place,
}

/// Parses the arguments, recording every mistake in `cx`.
pub fn parse(args: TokenStream, cx: &Ctxt) -> Args {
    let mut parsed = Args {
        path: None,
        strategy: None,
        fallback: None,
        header: None,
        expose: None,
    };
    if args.is_empty() {
        cx.error_at(
            Span::call_site(),
            "missing the route path: write #[instance_route(\"/inst\")]",
        );
        return parsed;
    }
    let parser = |input: ParseStream| parse_all(input, cx, &mut parsed);
    if let Err(err) = parser.parse2(args) {
        cx.syn_error(err);
    }
    parsed
}

fn parse_all(input: ParseStream, cx: &Ctxt, args: &mut Args) -> syn::Result<()> {
    // The path comes first and has no name.
    if input.peek(LitStr) {
        args.path = Some(input.parse()?);
    } else if input.peek(Lit) {
        let lit: Lit = input.parse()?;
        cx.error_spanned_by(
            lit,
            "the route path must be a string literal, such as \"/inst\"",
        );
    } else {
        cx.error_at(
            input.span(),
            "the first argument must be the route path, a string literal such as \"/inst\"",
        );
        // Read on: the named arguments may hold more mistakes to report.
        if input.peek2(Token![=]) {
            return named_arguments(input, cx, args);
        }
        let _: Expr = input.parse()?;
    }
    if input.is_empty() {
        return Ok(());
    }
    input.parse::<Token![,]>()?;
    named_arguments(input, cx, args)
}

fn named_arguments(input: ParseStream, cx: &Ctxt, args: &mut Args) -> syn::Result<()> {
    let rest: TokenStream = input.parse()?;
    syn::meta::parser(|meta| {
        let place = cx.next_place();
        let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        if !ARGUMENTS.contains(&name.as_str()) {
            let path = &meta.path;
            let written = quote::quote!(#path).to_string().replace(' ', "");
            let strategy = StrategyName::known().any(|known| known == written);
            let message = if strategy {
                format!("`{written}` is a strategy, not an argument: write strategy = {written}, or list it in fallback = [...]")
            } else {
                format!(
                    "unknown argument `{written}`; expected strategy, fallback, header or expose{}",
                    did_you_mean_tail(did_you_mean(&written, ARGUMENTS))
                )
            };
            cx.error_spanned_by(&meta.path, message);
            // Skip its value, whatever it is, and go on to the next argument.
            if meta.input.peek(Token![=]) {
                let _: Expr = meta.value()?.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _group: proc_macro2::Group = meta.input.parse()?;
            }
            return Ok(());
        }
        if !meta.input.peek(Token![=]) {
            cx.error_spanned_by(&meta.path, format!("`{name}` needs a value: {name} = ..."));
            if meta.input.peek(syn::token::Paren) {
                let _group: proc_macro2::Group = meta.input.parse()?;
            }
            return Ok(());
        }
        let value: Expr = meta.value()?.parse()?;
        let seen = match name.as_str() {
            "strategy" => args.strategy.is_some(),
            "fallback" => args.fallback.is_some(),
            "header" => args.header.is_some(),
            _ => args.expose.is_some(),
        };
        if seen {
            cx.error_spanned_by(&meta.path, format!("`{name}` is given twice; keep one"));
            return Ok(());
        }
        match name.as_str() {
            "strategy" => args.strategy = strategy(value, place, cx),
            "fallback" => args.fallback = Some(fallback(value, cx)),
            "header" => {
                args.header = header(&value, cx).map(|header| HeaderArg { header, place });
            }
            _ => args.expose = expose(&value, place, cx),
        }
        Ok(())
    })
    .parse2(rest)
}

/// The named arguments, in the order the documentation lists them.
const ARGUMENTS: [&str; 4] = ["strategy", "fallback", "header", "expose"];

/// Each strategy of the list at its own place, so that its mistakes, found now or
/// by the validation, are shown in the order of the list.
fn fallback(value: Expr, cx: &Ctxt) -> Vec<StrategyArg> {
    match value {
        Expr::Array(array) => array
            .elems
            .into_iter()
            .filter_map(|e| strategy(e, cx.next_place(), cx))
            .collect(),
        one => strategy(one, cx.next_place(), cx).into_iter().collect(),
    }
}

fn strategy(expr: Expr, place: Place, cx: &Ctxt) -> Option<StrategyArg> {
    let kind = strategy_kind(&expr, cx)?;
    Some(StrategyArg { kind, expr, place })
}

/// What a strategy written as its bare name would be missing, or `None` when it is no
/// strategy's name.
fn missing_argument(name: &str) -> Option<String> {
    match name {
        "env" => Some(grammar::Error::EnvWithoutName.to_string()),
        "file" => Some(grammar::Error::FileWithoutPath.to_string()),
        "custom" => Some("custom needs a function: custom(path::to::func)".to_owned()),
        _ => None,
    }
}

fn strategy_kind(expr: &Expr, cx: &Ctxt) -> Option<Kind> {
    match expr {
        Expr::Path(path) if path.path.get_ident().is_some() => {
            let name = path.path.get_ident()?.to_string();
            if let Some(named) = StrategyName::from_name(&name) {
                return Some(Kind::Named(named));
            }
            let message =
                missing_argument(&name).unwrap_or_else(|| unknown_strategy(&name).to_string());
            cx.error_spanned_by(expr, message);
            None
        }
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                cx.error_spanned_by(expr, "expected a strategy such as container, env(\"NAME\") or custom(path::to::func)");
                return None;
            };
            let name = func
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let args: Vec<&Expr> = call.args.iter().collect();
            match (name.as_str(), args.as_slice()) {
                ("env", [arg]) => string(
                    arg,
                    cx,
                    "env(...) takes the variable's name as a string: env(\"POD_NAME\")",
                )
                .map(Kind::Env),
                ("file", [arg]) => string(
                    arg,
                    cx,
                    "file(...) takes an absolute path as a string: file(\"/etc/podinfo/name\")",
                )
                .map(Kind::File),
                ("custom", [Expr::Path(path)]) => Some(Kind::Custom(path.path.clone())),
                ("custom", [other]) => {
                    cx.error_spanned_by(other, "custom(...) takes the path of a function fn() -> Option<String>, such as custom(my_app::instance_name)");
                    None
                }
                // Empty parentheses miss what the bare name misses: one message, at
                // the call (an empty list of arguments has no tokens to point at).
                ("env" | "file" | "custom", []) => {
                    let message = missing_argument(&name).unwrap_or_default();
                    cx.error_spanned_by(expr, message);
                    None
                }
                ("env" | "file" | "custom", _) => {
                    cx.error_spanned_by(
                        &call.args,
                        format!("{name}(...) takes exactly one argument"),
                    );
                    None
                }
                (written, _) => {
                    match StrategyName::from_name(written) {
                        Some(name) => {
                            cx.error_spanned_by(expr, grammar::Error::TakesNoArgument { name })
                        }
                        None => {
                            let written = quote::quote!(#func).to_string().replace(' ', "");
                            cx.error_spanned_by(&call.func, unknown_strategy(&written));
                        }
                    }
                    None
                }
            }
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => {
            let word = lit.value();
            let spelled = StrategyName::known()
                .find(|n| *n == word)
                .map(|n| format!(": write {n}"))
                .unwrap_or_default();
            cx.error_spanned_by(expr, format!("strategies are names, not strings{spelled}"));
            None
        }
        _ => {
            cx.error_spanned_by(
                expr,
                "expected a strategy such as container, env(\"NAME\") or custom(path::to::func)",
            );
            None
        }
    }
}

fn unknown_strategy(name: &str) -> grammar::Error {
    grammar::Error::UnknownStrategy {
        name: name.to_owned(),
        suggestion: did_you_mean(name, StrategyName::known()),
    }
}

fn string(expr: &Expr, cx: &Ctxt, message: &str) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit.clone()),
        _ => {
            cx.error_spanned_by(expr, message);
            None
        }
    }
}

fn header(value: &Expr, cx: &Ctxt) -> Option<Header> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(Header::Name(lit.clone())),
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) if !b.value => Some(Header::Off),
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => {
            cx.error_spanned_by(
                b,
                format!(
                    "header = true is not a header name: the header is on by default as {:?}; write another name, or header = false to turn it off",
                    grammar::DEFAULT_HEADER
                ),
            );
            None
        }
        _ => {
            cx.error_spanned_by(
                value,
                format!(
                    "header takes a header name such as {:?}, or false",
                    grammar::DEFAULT_HEADER
                ),
            );
            None
        }
    }
}

fn expose(value: &Expr, place: Place, cx: &Ctxt) -> Option<ExposeArg> {
    let (expose, span) = match value {
        Expr::Path(path) if path.path.is_ident("full") => (Expose::Full, value.span()),
        Expr::Path(path) if path.path.is_ident("short") => (Expose::Short, value.span()),
        Expr::Path(path) if path.path.is_ident("hashed") => {
            cx.error_spanned_by(value, "hashed needs the environment variable that holds its key: hashed(\"INSTANCE_ID_KEY\")");
            return None;
        }
        Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("hashed")) => {
            match call.args.iter().collect::<Vec<_>>().as_slice() {
                [] => {
                    cx.error_spanned_by(value, "hashed() needs the environment variable that holds its key: hashed(\"INSTANCE_ID_KEY\")");
                    return None;
                }
                [arg] => {
                    let key = string(arg, cx, "hashed(...) takes the key's environment variable as a string: hashed(\"INSTANCE_ID_KEY\")")?;
                    (Expose::hashed(key.value()), key.span())
                }
                _ => {
                    cx.error_spanned_by(
                        &call.args,
                        "hashed(...) takes exactly one argument, the key's environment variable",
                    );
                    return None;
                }
            }
        }
        Expr::Path(path) => {
            let word = path
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            cx.error_spanned_by(
                value,
                format!(
                    "unknown expose `{word}`; expected full, short or hashed(\"ENV\"){}",
                    did_you_mean_tail(did_you_mean(&word, Expose::NAMES))
                ),
            );
            return None;
        }
        _ => {
            cx.error_spanned_by(value, "expose takes full, short or hashed(\"ENV\")");
            return None;
        }
    };
    Some(ExposeArg {
        expose,
        span,
        place,
    })
}
