//! Text from outside (a mount table, a daemon, a server, an argument) made safe for a
//! terminal. Control characters would act on it (`ESC]0;…BEL` retitles or clears the
//! screen); format characters (U+200B, U+200F, U+061C, the bidirectional overrides)
//! are invisible or reorder what a person reads; separators other than the space
//! (U+2028, U+00A0) break a line or pass for a space. All are shown escaped.
//! JSON output needs none of this: its encoder escapes control characters itself,
//! and a program reads the exact text.

use std::borrow::Cow;

use unicode_general_category::{get_general_category, GeneralCategory};

/// The most characters of an argument that an error message quotes back.
pub const EXCERPT_CHARS: usize = 64;

/// `text` with every control, format or separator character (bar the space) written
/// as `\x1b` or `\u{200b}`.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !unsafe_char(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// A value quoted back in a message: its first [`EXCERPT_CHARS`] characters, `…` when
/// there were more, escaped, in double quotes. A 10 KB argument stays one line.
pub fn excerpt(text: &str) -> String {
    format!("\"{}\"", bounded(text, EXCERPT_CHARS))
}

/// `text`'s first `chars` characters, `…` when there were more, escaped as [`safe`]
/// escapes: a value quoted back by someone who adds the quotes, or a message from
/// outside (a server's reason for a refusal) shown whole when it is a sentence and
/// bounded when it is not.
pub fn bounded(text: &str, chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(chars).map(|(at, _)| at) {
        Some(at) => Cow::Owned(format!("{}…", safe(&text[..at]))),
        None => safe(text),
    }
}

fn unsafe_char(c: char) -> bool {
    c != ' '
        && matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
                | GeneralCategory::SpaceSeparator
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(safe("plain/path"), "plain/path");
        assert_eq!(
            safe("a\u{1b}]0;title\u{7}\u{1b}[2Jb"),
            "a\\x1b]0;title\\x07\\x1b[2Jb"
        );
        assert_eq!(safe("tab\there\n"), "tab\\x09here\\x0a");
        assert_eq!(safe("\u{9b}31m \u{202e}txt"), "\\u{9b}31m \\u{202e}txt");
        assert_eq!(safe("café"), "café");
    }

    #[test]
    fn escapes_what_a_person_cannot_see() {
        // Format: zero width space, right-to-left mark, Arabic letter mark, isolates,
        // the byte order mark, a tag character.
        for c in [
            '\u{200b}',
            '\u{200f}',
            '\u{61c}',
            '\u{2066}',
            '\u{feff}',
            '\u{e0041}',
        ] {
            assert_eq!(safe(&format!("a{c}b")), format!("a\\u{{{:x}}}b", c as u32));
        }
        // Separators: line, paragraph, and spaces that are not the space.
        assert_eq!(
            safe("a\u{2028}b\u{2029}c\u{a0}d\u{3000}e f"),
            "a\\u{2028}b\\u{2029}c\\u{a0}d\\u{3000}e f"
        );
        // Marks and letters of every script stay as they are.
        assert_eq!(safe("ü é 日本 שלום"), "ü é 日本 שלום");
    }

    #[test]
    fn an_excerpt_is_bounded_and_escaped() {
        assert_eq!(excerpt("short"), "\"short\"");
        let long = "é".repeat(10_000);
        let shown = excerpt(&long);
        assert_eq!(shown, format!("\"{}…\"", "é".repeat(EXCERPT_CHARS)));
        assert_eq!(excerpt("a\u{1b}b"), "\"a\\x1bb\"");
        assert_eq!(excerpt(&"x".repeat(EXCERPT_CHARS)).len(), EXCERPT_CHARS + 2);
    }
}
