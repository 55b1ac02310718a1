//! Which form of the identity a client asked for, by its `Accept` header lines
//! (RFC 9110 §12.5.1), parsed here so that every framework negotiates the same way.
//!
//! Every line of the header is one list (RFC 9110 §5.3: several lines are one field,
//! joined by commas). Each element is a media range with its parameters; `q` is its
//! weight, wherever it stands among them, and the others must match the form's own
//! (`charset=utf-8`) for the range to apply. An element that does not parse is
//! skipped, as a recipient may do with a list element it cannot read.

use std::borrow::Cow;

/// The three forms the route offers, in the order that wins a tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Text,
    Json,
    Html,
}

impl Form {
    const ALL: [Form; 3] = [Form::Text, Form::Json, Form::Html];

    fn media(self) -> (&'static str, &'static str) {
        match self {
            Form::Text => ("text", "plain"),
            Form::Json => ("application", "json"),
            Form::Html => ("text", "html"),
        }
    }

    /// The form's one parameter: what a range's parameters must agree with.
    fn charset(self) -> Option<&'static str> {
        match self {
            Form::Text | Form::Html => Some("utf-8"),
            Form::Json => None,
        }
    }

    /// The `Content-Type` the form is served with.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Form::Text => "text/plain; charset=utf-8",
            Form::Json => "application/json",
            Form::Html => "text/html; charset=utf-8",
        }
    }
}

/// Weights in thousandths, as `qvalue` has at most three decimals.
type Weight = u16;

/// The form the client prefers: each form takes the weight of the most specific range
/// that matches it; the heaviest above zero wins, then the more specific match, then
/// text before JSON before HTML. A form whose range says `q=0` is not acceptable. When
/// no range matches a form that is still acceptable, the header is disregarded, as RFC
/// 9110 allows, and the first such form is served; `None` says that every form was
/// refused (`406 Not Acceptable`). No `Accept` line at all accepts anything: text.
pub(crate) fn negotiate<'a>(accept: impl IntoIterator<Item = &'a str>) -> Option<Form> {
    // Per form, the most specific range that matches it; among equally specific
    // ones, the first.
    let mut matched: [Option<(Weight, u8)>; 3] = [None; 3];
    for range in accept.into_iter().flat_map(ranges) {
        for (form, matched) in Form::ALL.into_iter().zip(&mut matched) {
            if let Some(specificity) = range.specificity_for(form) {
                if matched.is_none_or(|(_, s)| specificity > s) {
                    *matched = Some((range.weight, specificity));
                }
            }
        }
    }
    let mut best: Option<(Weight, u8, Form)> = None;
    let mut unmatched = None;
    for (form, matched) in Form::ALL.into_iter().zip(matched) {
        match matched {
            None => {
                unmatched.get_or_insert(form);
            }
            Some((0, _)) => {}
            Some((weight, specificity)) => {
                if best.is_none_or(|(w, s, _)| (weight, specificity) > (w, s)) {
                    best = Some((weight, specificity, form));
                }
            }
        }
    }
    best.map(|(_, _, form)| form).or(unmatched)
}

/// One element of an `Accept` list that parsed.
struct Range<'a> {
    top: &'a str,
    sub: &'a str,
    /// Everything after the media type, `q` included, as written.
    params: &'a str,
    weight: Weight,
}

impl Range<'_> {
    /// How specifically this range names `form`, or `None` where it does not match:
    /// `*/*` 0, `text/*` 1, `text/plain` 2, `text/plain;charset=utf-8` 3. A full media
    /// type matches only where its parameters agree with the form's.
    fn specificity_for(&self, form: Form) -> Option<u8> {
        let (top, sub) = form.media();
        let base = match (self.top, self.sub) {
            ("*", "*") => 0,
            (t, "*") if t.eq_ignore_ascii_case(top) => 1,
            (t, s) if t.eq_ignore_ascii_case(top) && s.eq_ignore_ascii_case(sub) => 2,
            _ => return None,
        };
        if base < 2 {
            // A wildcard names no media type whose parameters could disagree.
            return Some(base);
        }
        let mut has_params = false;
        for (name, value) in parameters(self.params).flatten() {
            if name.eq_ignore_ascii_case("q") {
                continue;
            }
            has_params = true;
            let agrees = name.eq_ignore_ascii_case("charset")
                && form
                    .charset()
                    .is_some_and(|charset| unquote(value).eq_ignore_ascii_case(charset));
            if !agrees {
                return None;
            }
        }
        Some(if has_params { 3 } else { 2 })
    }
}

/// The ranges of one `Accept` line that parse.
fn ranges(line: &str) -> impl Iterator<Item = Range<'_>> {
    split_outside_quotes(line, ',').filter_map(range)
}

fn range(element: &str) -> Option<Range<'_>> {
    let element = element.trim_matches(is_ows);
    if element.is_empty() {
        return None;
    }
    let (media, params) = element.split_once(';').unwrap_or((element, ""));
    let (top, sub) = media.trim_end_matches(is_ows).split_once('/')?;
    if !is_token(top) || !is_token(sub) || (top == "*" && sub != "*") {
        return None;
    }
    let mut weight = 1000;
    for param in parameters(params) {
        let (name, value) = param?;
        if name.eq_ignore_ascii_case("q") {
            weight = qvalue(value)?;
        }
    }
    Some(Range {
        top,
        sub,
        params,
        weight,
    })
}

/// `name=value` pairs of a parameter list (after the media type), or `None` for one
/// that is not a parameter; empty ones (`;;`) are allowed, as RFC 9110 allows them.
fn parameters(params: &str) -> impl Iterator<Item = Option<(&str, &str)>> {
    split_outside_quotes(params, ';').filter_map(|param| {
        let param = param.trim_matches(is_ows);
        if param.is_empty() {
            return None;
        }
        Some(
            param.split_once('=').filter(|(name, value)| {
                is_token(name) && (is_token(value) || is_quoted_string(value))
            }),
        )
    })
}

/// `0`, `0.5`, `0.125`, `1`, `1.000`: thousandths, or `None` for anything else.
fn qvalue(text: &str) -> Option<Weight> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digit = |at: usize| {
        fraction
            .as_bytes()
            .get(at)
            .map_or(0, |b| Weight::from(b - b'0'))
    };
    let thousandths = digit(0) * 100 + digit(1) * 10 + digit(2);
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// Splits at `delimiter` where it stands outside a quoted string (`"a,b"` is one).
fn split_outside_quotes(text: &str, delimiter: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (at, c) in current.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                c if c == delimiter && !quoted => {
                    rest = Some(&current[at + c.len_utf8()..]);
                    return Some(&current[..at]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(current)
    })
}

/// A parameter's value without its quotes and escapes.
fn unquote(value: &str) -> Cow<'_, str> {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if inner.contains('\\') => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' {
                    chars.next().unwrap_or(c)
                } else {
                    c
                });
            }
            Cow::Owned(out)
        }
        Some(inner) => Cow::Borrowed(inner),
        None => Cow::Borrowed(value),
    }
}

fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 9110 §5.6.2 `token`.
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_quoted_string(text: &str) -> bool {
    text.len() >= 2 && text.starts_with('"') && text.ends_with('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(accept: &str) -> Option<Form> {
        negotiate([accept])
    }

    #[test]
    fn negotiation_follows_the_weights() {
        assert_eq!(negotiate([]), Some(Form::Text));
        assert_eq!(form("*/*"), Some(Form::Text));
        assert_eq!(form("application/json"), Some(Form::Json));
        assert_eq!(
            form("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(Form::Html)
        );
        assert_eq!(form("text/html, */*"), Some(Form::Html));
        assert_eq!(form("text/*"), Some(Form::Text));
        assert_eq!(
            form("text/plain;q=0.2, application/json;q=0.9"),
            Some(Form::Json)
        );
        assert_eq!(form("Application/JSON;Q=1.000"), Some(Form::Json));
    }

    #[test]
    fn q_zero_is_not_acceptable() {
        assert_eq!(form("application/json;q=0"), Some(Form::Text));
        assert_eq!(form("text/html;q=0, */*"), Some(Form::Text));
        assert_eq!(form("*/*, text/plain;q=0"), Some(Form::Json));
        assert_eq!(form("text/plain;q=0, text/html"), Some(Form::Html));
        assert_eq!(form("text/*;q=0, application/json;q=0"), None);
        assert_eq!(form("*/*;q=0"), None);
        assert_eq!(form("*/*;q=0.000"), None);
    }

    #[test]
    fn the_weight_is_read_wherever_it_stands_among_the_parameters() {
        // Only the first parameter used to be read: these counted as q=1.
        assert_eq!(
            form("text/plain;charset=utf-8;q=0.1, application/json;q=0.5"),
            Some(Form::Json)
        );
        assert_eq!(form("*/*;v=1;q=0"), None);
        assert_eq!(form("*/*;q=0;v=1"), None);
        assert_eq!(form(r#"*/*;v="a;q=1,b";q=0"#), None);
    }

    #[test]
    fn parameters_must_agree_with_the_form() {
        assert_eq!(
            form("text/plain;charset=iso-8859-1, application/json;q=0.5"),
            Some(Form::Json)
        );
        assert_eq!(
            form(r#"text/plain;charset="UTF-8";q=0.9, text/plain;q=0.1"#),
            Some(Form::Text)
        );
        // The more specific range decides for text, whatever its place.
        assert_eq!(
            form("text/plain;q=0.9, text/plain;charset=utf-8;q=0, application/json;q=0.1"),
            Some(Form::Json)
        );
    }

    #[test]
    fn every_line_of_the_header_counts() {
        assert_eq!(negotiate(["text/plain;q=0", "*/*;q=0"]), None);
        assert_eq!(
            negotiate(["text/plain;q=0.1", "application/json"]),
            Some(Form::Json)
        );
        assert_eq!(negotiate(["", "application/json"]), Some(Form::Json));
    }

    #[test]
    fn a_header_that_names_nothing_offered_is_disregarded() {
        assert_eq!(form("image/png"), Some(Form::Text));
        assert_eq!(form("text/plain;q=0, image/png"), Some(Form::Json));
        assert_eq!(form(""), Some(Form::Text));
    }

    #[test]
    fn elements_that_do_not_parse_are_skipped() {
        for broken in [
            "application/json;q=2",
            "application/json;q=0.5000",
            "application/json;q=-0",
            "application/json;q",
            "*/json",
            "json",
            "application/json;=1",
            "app lication/json",
        ] {
            assert_eq!(form(broken), Some(Form::Text), "{broken}");
            assert_eq!(
                form(&format!("{broken}, text/html")),
                Some(Form::Html),
                "{broken}"
            );
        }
    }

    #[test]
    fn qvalues() {
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("0."), Some(0));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.125"), Some(125));
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.1234"), None);
        assert_eq!(qvalue(".5"), None);
        assert_eq!(qvalue(""), None);
    }
}
