//! Every argument clap quotes back in a usage error reaches the terminal escaped, once,
//! and bounded, in clap's own layout and colours: a value that would retitle the
//! terminal (`ESC ] 0 ; X BEL`) is shown as `\x1b]0;X\x07`.

mod support;

use support::run_with_env;

/// Sets the terminal's title: what a terminal would obey if it got it raw.
const HOSTILE: &str = "\u{1b}]0;X\u{7}";
/// How it is shown instead.
const SHOWN: &str = "\\x1b]0;X\\x07";

/// Every place the command takes a value that clap checks, with the value in it.
fn cases() -> Vec<Vec<&'static str>> {
    vec![
        vec!["detect", "--format", HOSTILE],
        vec!["detect", "--strategy", HOSTILE],
        vec!["detect", "--fallback", HOSTILE],
        vec!["detect", "--pid", HOSTILE],
        vec!["probe", "--header", HOSTILE, "http://127.0.0.1:9/"],
        vec!["probe", "--duration", HOSTILE, "http://127.0.0.1:9/"],
        vec!["probe", "-n", HOSTILE, "http://127.0.0.1:9/"],
        vec!["probe", "-c", HOSTILE, "http://127.0.0.1:9/"],
        vec![HOSTILE],
        vec!["detect", HOSTILE],
        vec!["detect", "--\u{1b}]0;X\u{7}"],
    ]
}

/// `text` less clap's own colour sequences (`ESC [ … m`): what remains must hold no
/// control character but the line feed.
fn without_colours(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('m') {
            Some(end) if after[..end].chars().all(|c| c.is_ascii_digit() || c == ';') => {
                rest = &after[end + 1..];
            }
            // Not a colour: kept, so that the check below sees the ESC.
            _ => {
                out.push_str("\u{1b}[");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn check(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run_with_env(args, env);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let plain = without_colours(&stderr);
    assert!(
        !plain.chars().any(|c| c.is_control() && c != '\n'),
        "{args:?} {env:?}: a control character reached the terminal: {stderr:?}"
    );
    // `detect --\e]0;X\a` is quoted as the argument it is: `--\x1b]0;X\x07`.
    assert_eq!(
        plain.matches(SHOWN).count(),
        1,
        "{args:?} {env:?}: the value is shown once, escaped: {plain}"
    );
    assert!(plain.starts_with("error: "), "{args:?}: {plain}");
    assert!(
        plain.ends_with("For more information, try '--help'.\n"),
        "{args:?}: {plain}"
    );
    stderr
}

#[test]
fn quoted_values_are_escaped_on_a_terminal() {
    for args in cases() {
        // clap colours its messages when standard error is a terminal, or when
        // CLICOLOR_FORCE says to: the colours stay, the value is escaped.
        let stderr = check(&args, &[("CLICOLOR_FORCE", "1")]);
        assert!(
            stderr.contains("\u{1b}["),
            "{args:?}: colours kept: {stderr:?}"
        );
    }
}

#[test]
fn quoted_values_are_escaped_in_a_pipe() {
    for args in cases() {
        // Without a terminal clap strips escape sequences, which hid what was typed.
        let stderr = check(&args, &[("NO_COLOR", "1")]);
        assert!(!stderr.contains('\u{1b}'), "{args:?}: {stderr:?}");
    }
}

#[test]
fn clap_layout_is_kept() {
    let out = run_with_env(&["detect", "--format", "xml"], &[("NO_COLOR", "1")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: invalid value 'xml' for '--format <FORMAT>'\n  \
         [possible values: text, json, env, otel]\n\n\
         For more information, try '--help'.\n"
    );
    let out = run_with_env(&["detect", "--strategy", "hostnme"], &[("NO_COLOR", "1")]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: invalid value 'hostnme' for '--strategy <S>': unknown strategy; \
         did you mean `hostname`?\n\n\
         For more information, try '--help'.\n"
    );
    let out = run_with_env(
        &["probe", "--header", "X Id", "http://127.0.0.1:9/"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: invalid value 'X Id' for '--header <HEADER>': it is not a valid HTTP \
         header name: ' ' is not allowed (use letters, digits and -)\n\n\
         For more information, try '--help'.\n"
    );
}

#[test]
fn a_long_value_is_quoted_bounded() {
    let long = format!("{HOSTILE}{}", "x".repeat(100_000));
    for args in [
        vec!["detect", "--format", long.as_str()],
        vec!["detect", "--strategy", long.as_str()],
        vec!["probe", "--header", long.as_str(), "http://127.0.0.1:9/"],
    ] {
        let out = run_with_env(&args, &[("NO_COLOR", "1")]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.len() < 1_000, "{}: {} bytes", args[1], stderr.len());
        assert!(stderr.contains(&format!("{SHOWN}xx")), "{stderr}");
        assert!(stderr.contains('…'), "{stderr}");
    }
}
