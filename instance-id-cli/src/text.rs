//! Text from outside (a mount table, a daemon, a server) made safe for a terminal:
//! control characters, and the bidirectional overrides that reorder what a person
//! reads, are shown escaped, so that `ESC]0;…BEL` cannot retitle or clear the screen.
//! JSON output needs none of this: its encoder escapes control characters itself.

use std::borrow::Cow;

/// `text` with every control or reordering character written as `\x1b` or `\u{202e}`.
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

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
}
