//! The attribute's arguments, parsed into a small typed model.
//!
//! `#[instance_route("/inst", strategy = S, fallback = [S, …], header = "H" | false,
//! expose = full | short | hashed("ENV"))]`

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, ExprLit, Lit, LitStr, Token};

use crate::check;
use crate::ctxt::Ctxt;

/// What the attribute says. Anything not written is `None`, and its default applies.
pub struct Args {
    pub path: Option<LitStr>,
    pub strategy: Option<StrategyArg>,
    pub fallback: Option<Vec<StrategyArg>>,
    pub header: Option<Header>,
    pub expose: Option<Expose>,
}

/// One strategy as written, with its tokens for errors.
pub struct StrategyArg {
    pub kind: Kind,
    pub expr: Expr,
}

pub enum Kind {
    /// A bare name of [`check::NAMED`].
    Named(&'static str),
    Env(LitStr),
    File(LitStr),
    Custom(syn::Path),
}

impl StrategyArg {
    /// The name as written, `env("X")` with its argument: two equal keys read the
    /// same source.
    pub fn key(&self) -> String {
        match &self.kind {
            Kind::Named(name) => (*name).to_owned(),
            Kind::Env(name) => format!("env({:?})", name.value()),
            Kind::File(path) => format!("file({:?})", path.value()),
            Kind::Custom(path) => format!("custom({})", quote::quote!(#path)).replace(' ', ""),
        }
    }

    /// The strategies this one stands for: `container` is three.
    pub fn members(&self) -> Vec<String> {
        match &self.kind {
            Kind::Named(name) => check::NAMED
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, members)| members.iter().map(|m| (*m).to_owned()).collect())
                .unwrap_or_default(),
            _ => vec![self.key()],
        }
    }

    pub fn is_final(&self) -> bool {
        matches!(self.kind, Kind::Named(name) if check::FINAL.contains(&name))
    }
}

pub enum Header {
    Name(LitStr),
    Off,
}

pub enum Expose {
    Full,
    Short,
    Hashed(LitStr),
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
    check_chain(&parsed, cx);
    parsed
}

/// No strategy twice (`container` counts as its three members), nothing after one
/// that always succeeds. Without a written fallback, the default one is trimmed to
/// fit the first strategy, so there is nothing to check.
fn check_chain(args: &Args, cx: &Ctxt) {
    let Some(fallback) = &args.fallback else {
        return;
    };
    // (member, the strategy as written that brought it in)
    let mut seen: Vec<(String, String)> = match &args.strategy {
        Some(first) => first
            .members()
            .into_iter()
            .map(|m| (m, first.key()))
            .collect(),
        None => check::NAMED[0]
            .1
            .iter()
            .map(|m| {
                (
                    (*m).to_owned(),
                    "container (the default strategy)".to_owned(),
                )
            })
            .collect(),
    };
    let mut last_final = args
        .strategy
        .as_ref()
        .filter(|s| s.is_final())
        .map(StrategyArg::key);
    for strategy in fallback {
        let key = strategy.key();
        if let Some(final_key) = &last_final {
            cx.error_spanned_by(
                &strategy.expr,
                format!("`{key}` comes after `{final_key}`, which always succeeds: it would never run; remove it, or move it before `{final_key}`"),
            );
        }
        for member in strategy.members() {
            if let Some((_, via)) = seen.iter().find(|(m, _)| *m == member) {
                let how = if *via == member {
                    String::new()
                } else {
                    format!(" (`{via}` already includes it)")
                };
                cx.error_spanned_by(
                    &strategy.expr,
                    format!("`{member}` is listed twice{how}; keep one"),
                );
            }
        }
        seen.extend(strategy.members().into_iter().map(|m| (m, key.clone())));
        if strategy.is_final() {
            last_final = Some(key);
        }
    }
}

fn parse_all(input: ParseStream, cx: &Ctxt, args: &mut Args) -> syn::Result<()> {
    // The path comes first and has no name.
    if input.peek(LitStr) {
        let path: LitStr = input.parse()?;
        if let Err(message) = check::route_path(&path.value()) {
            cx.error_spanned_by(&path, message);
        }
        args.path = Some(path);
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
        let name = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
        if !ARGS_WITH_VALUE.contains(&name.as_str()) {
            let path = &meta.path;
            let written = quote::quote!(#path).to_string().replace(' ', "");
            let strategy = check::NAMED.iter().any(|(n, _)| *n == written)
                || check::WITH_ARGUMENT.contains(&written.as_str());
            let message = if strategy {
                format!("`{written}` is a strategy, not an argument: write strategy = {written}, or list it in fallback = [...]")
            } else {
                format!(
                    "unknown argument `{written}`; expected strategy, fallback, header or expose{}",
                    check::hint(&written, check::ARGUMENTS)
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
            "strategy" => args.strategy = strategy(value, cx),
            "fallback" => args.fallback = Some(fallback(value, cx)),
            "header" => args.header = header(&value, cx),
            _ => args.expose = expose(&value, cx),
        }
        Ok(())
    })
    .parse2(rest)
}

const ARGS_WITH_VALUE: [&str; 4] = check::ARGUMENTS;

fn fallback(value: Expr, cx: &Ctxt) -> Vec<StrategyArg> {
    match value {
        Expr::Array(array) => array
            .elems
            .into_iter()
            .filter_map(|e| strategy(e, cx))
            .collect(),
        one => strategy(one, cx).into_iter().collect(),
    }
}

fn strategy(expr: Expr, cx: &Ctxt) -> Option<StrategyArg> {
    let kind = strategy_kind(&expr, cx)?;
    Some(StrategyArg { kind, expr })
}

fn strategy_kind(expr: &Expr, cx: &Ctxt) -> Option<Kind> {
    let known = || {
        check::NAMED
            .iter()
            .map(|(n, _)| *n)
            .chain(check::WITH_ARGUMENT)
    };
    match expr {
        Expr::Path(path) if path.path.get_ident().is_some() => {
            let name = path.path.get_ident()?.to_string();
            if let Some((canonical, _)) = check::NAMED.iter().find(|(n, _)| *n == name) {
                return Some(Kind::Named(canonical));
            }
            let message = match name.as_str() {
                "env" => "env needs the variable's name: env(\"POD_NAME\")".to_owned(),
                "file" => "file needs an absolute path: file(\"/etc/podinfo/name\")".to_owned(),
                "custom" => "custom needs a function: custom(path::to::func)".to_owned(),
                _ => format!("unknown strategy `{name}`{}", check::hint(&name, known())),
            };
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
                ("env", [arg]) => {
                    let lit = string(
                        arg,
                        cx,
                        "env(...) takes the variable's name as a string: env(\"POD_NAME\")",
                    )?;
                    match check::env_name(&lit.value()) {
                        Ok(()) => Some(Kind::Env(lit)),
                        Err(message) => {
                            cx.error_spanned_by(&lit, message);
                            None
                        }
                    }
                }
                ("file", [arg]) => {
                    let lit = string(
                        arg,
                        cx,
                        "file(...) takes an absolute path as a string: file(\"/etc/podinfo/name\")",
                    )?;
                    match check::file_path(&lit.value()) {
                        Ok(()) => Some(Kind::File(lit)),
                        Err(message) => {
                            cx.error_spanned_by(&lit, message);
                            None
                        }
                    }
                }
                ("custom", [Expr::Path(path)]) => Some(Kind::Custom(path.path.clone())),
                ("custom", [other]) => {
                    cx.error_spanned_by(other, "custom(...) takes the path of a function fn() -> Option<String>, such as custom(my_app::instance_name)");
                    None
                }
                ("env" | "file" | "custom", _) => {
                    cx.error_spanned_by(
                        &call.args,
                        format!("{name}(...) takes exactly one argument"),
                    );
                    if call.args.is_empty() {
                        cx.error_spanned_by(expr, format!("{name}() is missing its argument"));
                    }
                    None
                }
                (named, _) if check::NAMED.iter().any(|(n, _)| *n == named) => {
                    cx.error_spanned_by(
                        expr,
                        format!("`{named}` takes no argument: write {named}"),
                    );
                    None
                }
                _ => {
                    cx.error_spanned_by(
                        &call.func,
                        format!(
                            "unknown strategy `{}`{}",
                            quote::quote!(#func).to_string().replace(' ', ""),
                            check::hint(&name, known())
                        ),
                    );
                    None
                }
            }
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(lit), ..
        }) => {
            let word = lit.value();
            let spelled = known()
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
        }) => match check::header_name(&lit.value()) {
            Ok(()) => Some(Header::Name(lit.clone())),
            Err(message) => {
                cx.error_spanned_by(lit, message);
                None
            }
        },
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) if !b.value => Some(Header::Off),
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => {
            cx.error_spanned_by(b, "header = true is not a header name: the header is on by default as \"X-Instance-Id\"; write another name, or header = false to turn it off");
            None
        }
        _ => {
            cx.error_spanned_by(
                value,
                "header takes a header name such as \"X-Instance-Id\", or false",
            );
            None
        }
    }
}

fn expose(value: &Expr, cx: &Ctxt) -> Option<Expose> {
    match value {
        Expr::Path(path) if path.path.is_ident("full") => Some(Expose::Full),
        Expr::Path(path) if path.path.is_ident("short") => Some(Expose::Short),
        Expr::Path(path) if path.path.is_ident("hashed") => {
            cx.error_spanned_by(value, "hashed needs the environment variable that holds its key: hashed(\"INSTANCE_ID_KEY\")");
            None
        }
        Expr::Call(call) if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("hashed")) => {
            match call.args.iter().collect::<Vec<_>>().as_slice() {
                [] => {
                    cx.error_spanned_by(value, "hashed() needs the environment variable that holds its key: hashed(\"INSTANCE_ID_KEY\")");
                    None
                }
                [arg] => {
                    let lit = string(arg, cx, "hashed(...) takes the key's environment variable as a string: hashed(\"INSTANCE_ID_KEY\")")?;
                    match check::env_name(&lit.value()) {
                        Ok(()) => Some(Expose::Hashed(lit)),
                        Err(message) => {
                            cx.error_spanned_by(&lit, message);
                            None
                        }
                    }
                }
                _ => {
                    cx.error_spanned_by(
                        &call.args,
                        "hashed(...) takes exactly one argument, the key's environment variable",
                    );
                    None
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
                    check::hint(&word, check::EXPOSE)
                ),
            );
            None
        }
        _ => {
            cx.error_spanned_by(value, "expose takes full, short or hashed(\"ENV\")");
            None
        }
    }
}
