//! clap's usage errors, with every argument they quote back escaped as other text
//! from outside is. clap copies a refused value, an unknown argument or subcommand,
//! and a value parser's reason into its message as typed: on a terminal an
//! `ESC ] 0 ; … BEL` in `--format` would retitle it, and in a pipe clap strips the
//! sequence, hiding what was typed. The message keeps clap's layout and colours.

use std::io::Write as _;
use std::process::ExitCode;

use clap::error::{ContextValue, ErrorKind};

use crate::text::{bounded, EXCERPT_CHARS};

/// A value parser's reason is ours, but may carry a part of the value (a list's
/// element): bounded too, more loosely than the value.
const REASON_CHARS: usize = 4 * EXCERPT_CHARS;

/// Prints clap's message for `err`, what it quotes escaped, and gives its exit code.
pub fn report(err: clap::Error) -> ExitCode {
    let code = ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
    if !err.use_stderr() {
        // `--help` and `--version`: the command's own text, nothing typed.
        let _ = err.print();
        return code;
    }
    let rendered = escape(&err);
    // As clap prints it: colours on a terminal (or with CLICOLOR_FORCE), none in a
    // pipe or with NO_COLOR.
    let _ = anstream::AutoStream::auto(std::io::stderr()).write_all(rendered.as_bytes());
    code
}

/// clap's rendering of `err` (its colours as ANSI sequences) with every value it
/// copied from the command line escaped and bounded.
fn escape(err: &clap::Error) -> String {
    let mut rendered = err.render().ansi().to_string();
    let typed: Vec<&str> = err
        .context()
        .flat_map(|(_, value)| match value {
            ContextValue::String(one) => vec![one.as_str()],
            ContextValue::Strings(many) => many.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        })
        .collect();
    if err.kind() == ErrorKind::ValueValidation {
        if let Some(source) = std::error::Error::source(err) {
            let reason = source.to_string();
            let value = match err.get(clap::error::ContextKind::InvalidValue) {
                Some(ContextValue::String(value)) => value.as_str(),
                _ => "",
            };
            let shown = bounded(&unrepeated(&reason, value), REASON_CHARS).into_owned();
            rendered = rendered.replacen(&format!(": {reason}"), &format!(": {shown}"), 1);
        }
    }
    // The longest first, so that a value holding another is replaced whole.
    let mut typed: Vec<&str> = typed
        .into_iter()
        .filter(|raw| bounded(raw, EXCERPT_CHARS) != *raw)
        .collect();
    typed.sort_by_key(|raw| std::cmp::Reverse(raw.len()));
    for raw in typed {
        rendered = rendered.replace(raw, &bounded(raw, EXCERPT_CHARS));
    }
    only_colours(&rendered)
}

/// `reason` without the value that clap has just quoted: a value parser names what it
/// refused (`"X Id" is not a valid HTTP header name`, ``unknown strategy `hostnme` ``),
/// which after clap's `invalid value 'X Id'` would say it twice.
fn unrepeated(reason: &str, value: &str) -> String {
    if value.is_empty() {
        return reason.to_owned();
    }
    if let Some(rest) = reason.strip_prefix(&format!("{value:?} ")) {
        return format!("it {rest}");
    }
    reason.replacen(&format!(" `{value}`"), "", 1)
}

/// `text` with every control character escaped but the line feed and clap's own
/// colour sequences (`ESC [ digits ; … m`): whatever a value parser's reason or a tip
/// carried that the steps above did not catch.
fn only_colours(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_control() && c != '\n') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let colour = tail.strip_prefix("\u{1b}[").and_then(|after| {
            let end = after.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            after[end..].starts_with('m').then_some(2 + end + 1)
        });
        match colour {
            Some(len) => {
                out.push_str(&tail[..len]);
                rest = &tail[len..];
            }
            None => {
                let len = tail.chars().next().map_or(1, char::len_utf8);
                out.push_str(&crate::text::safe(&tail[..len]));
                rest = &tail[len..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_does_not_repeat_the_value() {
        assert_eq!(
            unrepeated(
                "\"X Id\" is not a valid HTTP header name: ' ' is not allowed",
                "X Id"
            ),
            "it is not a valid HTTP header name: ' ' is not allowed"
        );
        assert_eq!(
            unrepeated(
                "unknown strategy `hostnme`; did you mean `hostname`?",
                "hostnme"
            ),
            "unknown strategy; did you mean `hostname`?"
        );
        // A list's element is not the value: it stays, to say which.
        assert_eq!(
            unrepeated("unknown strategy `cgrup`", "hostname,cgrup"),
            "unknown strategy `cgrup`"
        );
    }

    #[test]
    fn only_colour_sequences_stay() {
        assert_eq!(
            only_colours("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m a\u{1b}]0;X\u{7}\n"),
            "\u{1b}[1m\u{1b}[31merror:\u{1b}[0m a\\x1b]0;X\\x07\n"
        );
        assert_eq!(only_colours("\u{1b}[2J\u{9b}"), "\\x1b[2J\\u{9b}");
    }
}
