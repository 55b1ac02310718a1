//! "Did you mean": the closest known word to a misspelt one, and the sentence that
//! offers it, built here only so that every message offers it the same way.

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

/// The tail of a message that offers [`did_you_mean`]'s answer: `` ; did you mean `x`?``,
/// or nothing when there is none.
///
/// ```
/// use instance_id_grammar::{did_you_mean, did_you_mean_tail};
///
/// let word = "shrt";
/// let message = format!("unknown `{word}`{}", did_you_mean_tail(did_you_mean(word, ["short", "full"])));
/// assert_eq!(message, "unknown `shrt`; did you mean `short`?");
/// assert_eq!(did_you_mean_tail(None), "");
/// ```
pub fn did_you_mean_tail(suggestion: Option<&str>) -> String {
    suggestion
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}
