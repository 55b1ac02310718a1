//! "Did you mean": the closest known word to a misspelt one.

/// The closest of `candidates` to a misspelt `word`, if one is close enough to be
/// what was meant.
///
/// ```
/// use instance_id_grammar::did_you_mean;
///
/// assert_eq!(did_you_mean("kubernets", ["kubernetes", "ecs"]), Some("kubernetes"));
/// assert_eq!(did_you_mean("zzz", ["kubernetes", "ecs"]), None);
/// ```
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

/// `; did you mean `x`?`, or nothing: the tail of a message.
pub(crate) fn hint(suggestion: &Option<&'static str>) -> String {
    suggestion
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}
