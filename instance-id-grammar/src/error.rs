//! Every mistake the grammar knows, each with the message a person reads: the
//! compiler shows it at the offending token, the library in its launch error and the
//! command line in its usage error.

use crate::did_you_mean_tail;
use crate::StrategyName;

/// A broken rule of the grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A strategy name nobody knows.
    #[error("unknown strategy `{name}`{}", did_you_mean_tail(*suggestion))]
    UnknownStrategy {
        /// The name as written.
        name: String,
        /// A known name close to it.
        suggestion: Option<&'static str>,
    },
    /// A bare strategy written with an argument.
    #[error("`{name}` takes no argument: write {name}")]
    TakesNoArgument {
        /// The strategy.
        name: StrategyName,
    },
    /// `env` without its variable.
    #[error("env needs the variable's name: env(\"POD_NAME\")")]
    EnvWithoutName,
    /// `file` without its path.
    #[error("file needs an absolute path: file(\"/etc/podinfo/name\")")]
    FileWithoutPath,
    /// `custom(…)` on the command line.
    #[error("custom(...) names a Rust function: it exists only in the attribute and the library")]
    CustomOnlyInRust,
    /// `name(` without `)`.
    #[error("{text:?} is missing its closing parenthesis")]
    Unclosed {
        /// The strategy as written.
        text: String,
    },
    /// A strategy after one that always succeeds.
    #[error("`{strategy}` comes after `{last}`, which always succeeds: it would never run; remove it, or move it before `{last}`")]
    AfterFinal {
        /// The strategy that would never run.
        strategy: String,
        /// The one that always succeeds.
        last: String,
    },
    /// A strategy that the chain already tries.
    #[error("{}; keep one", twice(strategy, earlier, *relation, *earlier_is_default))]
    Twice {
        /// The strategy as written the second time.
        strategy: String,
        /// The earlier strategy as written that tries it too.
        earlier: String,
        /// How the two overlap.
        relation: Overlap,
        /// Whether the earlier one is the default first strategy, not written at all.
        earlier_is_default: bool,
    },
    /// An empty environment variable name.
    #[error("the environment variable's name is empty")]
    EmptyEnvName,
    /// Not a POSIX environment variable name.
    #[error("{name:?} is not an environment variable name: use letters, digits and _, not starting with a digit")]
    BadEnvName {
        /// The name as written.
        name: String,
    },
    /// `file(…)` with a path that depends on the working directory, or holds NUL.
    #[error("file(...) needs an absolute path: {path:?} would depend on the working directory; write it from /, such as \"/etc/podinfo/name\"")]
    RelativeFilePath {
        /// The path as written.
        path: String,
    },
    /// `file(…)` with a NUL byte.
    #[error("the file path contains a NUL byte")]
    NulInFilePath,
    /// An empty header name.
    #[error(
        "the header name is empty; write one such as {:?}, or header = false",
        crate::DEFAULT_HEADER
    )]
    EmptyHeaderName,
    /// A header name that is not an HTTP token.
    #[error("{name:?} is not a valid HTTP header name: {byte:?} is not allowed (use letters, digits and -)")]
    BadHeaderName {
        /// The name as written.
        name: String,
        /// The first character that is not allowed.
        byte: char,
    },
    /// An empty route path.
    #[error("the route path is empty; write an absolute path such as \"/inst\"")]
    EmptyRoutePath,
    /// A route path that does not start with `/`.
    #[error("the route path must be absolute: write \"/{}\"", path.trim_start_matches("./"))]
    RelativeRoutePath {
        /// The path as written.
        path: String,
    },
    /// A route path with `<param>`s (Rocket) or `{param}`s (Axum).
    #[error("the identity route takes no parameters: write a static path such as \"/inst\"")]
    RouteParameters,
    /// A route path with `?` or `#`.
    #[error(
        "the route path cannot have a query or a fragment: write only the path, such as \"/inst\""
    )]
    RouteQuery,
    /// A route path with `//`.
    #[error("the route path has an empty segment (`//`)")]
    RouteEmptySegment,
    /// A route path with a character a path may not hold.
    #[error("the route path cannot contain {bad:?}; use letters, digits and -._~")]
    RouteCharacter {
        /// The first character that is not allowed.
        bad: char,
    },
    /// A route path that Rocket's own route parser refuses.
    #[error("{path:?} is not a valid Rocket route path: {reason}")]
    RouteRefused {
        /// The path as written.
        path: String,
        /// What Rocket's parser said.
        reason: String,
    },
}

/// How a repeated strategy overlaps the earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// The same strategy, written twice.
    Same,
    /// The earlier one stands for several, this among them: `container`, then `cgroup`.
    Included,
    /// This one stands for several, the earlier among them: `cgroup`, then `container`.
    Includes,
}

/// `` `cgroup` is listed twice (`container` already includes it)``.
fn twice(strategy: &str, earlier: &str, relation: Overlap, earlier_is_default: bool) -> String {
    let earlier_named = if earlier_is_default {
        format!("`{earlier}`, the default strategy,")
    } else {
        format!("`{earlier}`")
    };
    match relation {
        Overlap::Same if earlier_is_default => {
            format!("`{strategy}` is listed twice ({earlier_named} comes first)")
        }
        Overlap::Same => format!("`{strategy}` is listed twice"),
        Overlap::Included => {
            format!("`{strategy}` is listed twice ({earlier_named} already includes it)")
        }
        Overlap::Includes => {
            format!("`{earlier}` is listed twice (`{strategy}` includes it again)")
        }
    }
}
