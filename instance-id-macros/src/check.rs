//! The rules of the attribute's grammar that are not syntax (SPEC §3).
//!
//! `instance_id` checks the same things again when a chain is built at run time (its
//! `validate_env_name`, `validate_file_path`, `check_header_name`, `Chain::new`); this
//! crate cannot depend on it (it re-exports this one), so the few lines live twice,
//! and the UI tests and `instance_id`'s unit tests pin both to the same answers.

/// Strategies written as a bare name, and what each stands for in a chain.
pub const NAMED: [(&str, &[&str]); 11] = [
    ("container", &["cgroup", "mountinfo", "podman"]),
    ("cgroup", &["cgroup"]),
    ("mountinfo", &["mountinfo"]),
    ("podman", &["podman"]),
    ("kubernetes", &["kubernetes"]),
    ("ecs", &["ecs"]),
    ("platform", &["platform"]),
    ("hostname", &["hostname"]),
    ("process", &["process"]),
    ("machine_id", &["machine_id"]),
    ("random", &["random"]),
];

/// Strategies written with an argument.
pub const WITH_ARGUMENT: [&str; 3] = ["env", "file", "custom"];

/// Strategies that always succeed: nothing may follow them.
pub const FINAL: [&str; 2] = ["process", "random"];

pub const ARGUMENTS: [&str; 4] = ["strategy", "fallback", "header", "expose"];

pub const EXPOSE: [&str; 3] = ["full", "short", "hashed"];

/// The closest of `candidates` to a misspelt `word`, if one is close.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `; did you mean `x`?`, or nothing.
pub fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The route path: absolute, static, and made of characters a URI path may hold.
pub fn route_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the route path is empty; write an absolute path such as \"/inst\"".into());
    }
    if !path.starts_with('/') {
        return Err(format!(
            "the route path must be absolute: write \"/{}\"",
            path.trim_start_matches("./")
        ));
    }
    if path.contains('<') || path.contains('>') {
        return Err(
            "the identity route takes no parameters: write a static path such as \"/inst\"".into(),
        );
    }
    if path.contains('?') || path.contains('#') {
        return Err("the route path cannot have a query or a fragment: write only the path, such as \"/inst\"".into());
    }
    if path.contains("//") {
        return Err("the route path has an empty segment (`//`)".into());
    }
    let bad = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@%".contains(*c)));
    match bad {
        Some(c) => Err(format!(
            "the route path cannot contain {c:?}; use letters, digits and -._~"
        )),
        None => Ok(()),
    }
}

/// A POSIX environment variable name.
pub fn env_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else if name.is_empty() {
        Err("the environment variable's name is empty".into())
    } else {
        Err(format!(
            "{name:?} is not an environment variable name: use letters, digits and _, not starting with a digit"
        ))
    }
}

/// An absolute file path.
pub fn file_path(path: &str) -> Result<(), String> {
    if path.starts_with('/') && !path.contains('\0') {
        Ok(())
    } else {
        Err(format!(
            "file(...) needs an absolute path: {path:?} would depend on the working directory; write it from /, such as \"/etc/podinfo/name\""
        ))
    }
}

/// An HTTP header name is a token (RFC 9110 §5.1).
pub fn header_name(name: &str) -> Result<(), String> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() {
        Err(
            "the header name is empty; write one such as \"X-Instance-Id\", or header = false"
                .into(),
        )
    } else if let Some(bad) = name.bytes().find(|b| !token(*b)) {
        Err(format!(
            "{name:?} is not a valid HTTP header name: {:?} is not allowed (use letters, digits and -)",
            bad as char
        ))
    } else {
        Ok(())
    }
}
