//! The strategies (SPEC §3) and the chain they are tried in.
//!
//! One module per family, each a function from a [`SystemView`] to [`Evidence`] or a
//! reason. The engine ([`crate::detect`]) checks every value against the rules of
//! [`InstanceId`](crate::InstanceId); a strategy only finds.

mod container;
mod ecs;
mod kubernetes;
mod local;
mod platform;

use std::fmt;
use std::str::FromStr;

use crate::{EnvValue, Runtime, SystemView};

pub use ecs::{MAX_BODY_BYTES as ECS_MAX_BODY_BYTES, TIMEOUT as ECS_TIMEOUT};
pub use platform::VARIABLES as PLATFORM_VARIABLES;

/// One way to find the instance's name.
///
/// ```
/// use instance_id::Strategy;
///
/// let s: Strategy = "env(POD_NAME)".parse()?;
/// assert_eq!(s, Strategy::env("POD_NAME"));
/// assert_eq!(s.to_string(), r#"env("POD_NAME")"#);
/// # Ok::<(), String>(())
/// ```
#[derive(Clone)]
pub enum Strategy {
    /// `cgroup`, then `mountinfo`, then `podman`.
    Container,
    /// `/proc/self/cgroup`.
    Cgroup,
    /// `/proc/self/mountinfo`.
    Mountinfo,
    /// `/run/.containerenv`.
    Podman,
    /// Downward-API variables, else `$HOSTNAME` inside a pod.
    Kubernetes,
    /// The ECS task metadata endpoint v4.
    Ecs,
    /// A hosting platform's variable (see [`PLATFORM_VARIABLES`]).
    Platform,
    /// An environment variable.
    Env(String),
    /// The first line of a file (an absolute path).
    File(String),
    /// The host name.
    Hostname,
    /// `<hostname>-<pid>`; always succeeds on a live system.
    Process,
    /// `/etc/machine-id`.
    MachineId,
    /// A UUID v4 made once per process; always succeeds.
    Random,
    /// A function of the application's.
    Custom {
        /// The function's path as written, for messages.
        name: &'static str,
        /// The function.
        func: fn() -> Option<String>,
    },
}

impl Strategy {
    /// `env("NAME")`.
    pub fn env(name: impl Into<String>) -> Self {
        Strategy::Env(name.into())
    }

    /// `file("/abs/path")`.
    pub fn file(path: impl Into<String>) -> Self {
        Strategy::File(path.into())
    }

    /// `custom(path::to::func)`.
    pub fn custom(name: &'static str, func: fn() -> Option<String>) -> Self {
        Strategy::Custom { name, func }
    }

    /// The strategies this one stands for: `container` is three, the rest themselves.
    fn members(&self) -> Vec<Strategy> {
        match self {
            Strategy::Container => vec![Strategy::Cgroup, Strategy::Mountinfo, Strategy::Podman],
            other => vec![other.clone()],
        }
    }

    /// Whether this strategy always succeeds, so that nothing may follow it.
    pub fn is_final(&self) -> bool {
        matches!(self, Strategy::Process | Strategy::Random)
    }

    pub(crate) fn run(&self, view: &SystemView) -> Result<Evidence, String> {
        match self {
            // A chain holds members only; a lone `Container` tries them the same way.
            Strategy::Container => {
                let mut reasons = Vec::new();
                for member in self.members() {
                    match member.run(view) {
                        Ok(evidence) => return Ok(evidence),
                        Err(reason) => reasons.push(reason),
                    }
                }
                Err(reasons.join("; "))
            }
            Strategy::Cgroup => container::cgroup::detect(view),
            Strategy::Mountinfo => container::mountinfo::detect(view),
            Strategy::Podman => container::podman::detect(view),
            Strategy::Kubernetes => kubernetes::detect(view),
            Strategy::Ecs => ecs::detect(view),
            Strategy::Platform => platform::detect(view),
            Strategy::Env(name) => local::env(view, name),
            Strategy::File(path) => local::file(view, path),
            Strategy::Hostname => local::hostname(view),
            Strategy::Process => local::process(view),
            Strategy::MachineId => local::machine_id(view),
            Strategy::Random => local::random(),
            Strategy::Custom { name, func } => local::custom(name, *func),
        }
    }

    /// Checks the arguments of `env` and `file`.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Strategy::Env(name) => validate_env_name(name),
            Strategy::File(path) => validate_file_path(path),
            _ => Ok(()),
        }
    }
}

/// The fallback when none is given: `[kubernetes, ecs, platform, process]`.
pub const DEFAULT_FALLBACK: [Strategy; 4] = [
    Strategy::Kubernetes,
    Strategy::Ecs,
    Strategy::Platform,
    Strategy::Process,
];

/// The names the grammar accepts, for messages.
pub const STRATEGY_NAMES: [&str; 14] = [
    "container",
    "cgroup",
    "mountinfo",
    "podman",
    "kubernetes",
    "ecs",
    "platform",
    "env(NAME)",
    "file(/PATH)",
    "hostname",
    "process",
    "machine_id",
    "random",
    "custom(path::to::func)",
];

/// An environment variable name as POSIX shells write one.
pub fn validate_env_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if valid_start && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an environment variable name (letters, digits and _, not starting with a digit)"
        ))
    }
}

/// An absolute path without NUL.
pub fn validate_file_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        Err(format!(
            "{path:?} is not an absolute path; write it from / (\"/etc/podinfo/name\")"
        ))
    } else if path.contains('\0') {
        Err("the path contains a NUL byte".into())
    } else {
        Ok(())
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Container => f.write_str("container"),
            Strategy::Cgroup => f.write_str("cgroup"),
            Strategy::Mountinfo => f.write_str("mountinfo"),
            Strategy::Podman => f.write_str("podman"),
            Strategy::Kubernetes => f.write_str("kubernetes"),
            Strategy::Ecs => f.write_str("ecs"),
            Strategy::Platform => f.write_str("platform"),
            Strategy::Env(name) => write!(f, "env({name:?})"),
            Strategy::File(path) => write!(f, "file({path:?})"),
            Strategy::Hostname => f.write_str("hostname"),
            Strategy::Process => f.write_str("process"),
            Strategy::MachineId => f.write_str("machine_id"),
            Strategy::Random => f.write_str("random"),
            Strategy::Custom { name, .. } => write!(f, "custom({name})"),
        }
    }
}

impl fmt::Debug for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Two strategies are the same when they read the same source (for `custom`, the same
/// function path).
impl PartialEq for Strategy {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Strategy {}

/// The command line's spelling: `container`, `env(NAME)` or `env("NAME")`,
/// `file(/path)`. `custom` needs a function and exists only in Rust.
impl FromStr for Strategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (name, argument) = match text.split_once('(') {
            Some((name, rest)) => {
                let inner = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("{text:?} is missing its closing parenthesis"))?;
                let inner = inner.trim();
                let inner = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(inner);
                (name.trim(), Some(inner))
            }
            None => (text, None),
        };
        let strategy = match (name, argument) {
            ("container", None) => Strategy::Container,
            ("cgroup", None) => Strategy::Cgroup,
            ("mountinfo", None) => Strategy::Mountinfo,
            ("podman", None) => Strategy::Podman,
            ("kubernetes", None) => Strategy::Kubernetes,
            ("ecs", None) => Strategy::Ecs,
            ("platform", None) => Strategy::Platform,
            ("hostname", None) => Strategy::Hostname,
            ("process", None) => Strategy::Process,
            ("machine_id", None) => Strategy::MachineId,
            ("random", None) => Strategy::Random,
            ("env", Some(name)) => Strategy::Env(name.to_owned()),
            ("file", Some(path)) => Strategy::File(path.to_owned()),
            ("env" | "file", None) => {
                return Err(format!("{name} needs an argument: {name}(…)"))
            }
            ("custom", _) => {
                return Err(
                    "custom(…) names a Rust function: it exists only in the attribute and the library API"
                        .into(),
                )
            }
            (_, Some(_)) if STRATEGY_NAMES.contains(&name) => {
                return Err(format!("{name} takes no argument"))
            }
            _ => {
                return Err(format!(
                    "unknown strategy {name:?}; expected one of {}",
                    STRATEGY_NAMES.join(", ")
                ))
            }
        };
        strategy.validate()?;
        Ok(strategy)
    }
}

impl Strategy {
    /// A comma-separated list in the command line's spelling, split at commas outside
    /// parentheses (`env(A),file(/a,b)` is two strategies); blank items are skipped, so
    /// `""` is the empty list.
    ///
    /// ```
    /// use instance_id::Strategy;
    ///
    /// let list = Strategy::parse_list("kubernetes, file(/etc/a,b),process")?;
    /// assert_eq!(list, [Strategy::Kubernetes, Strategy::file("/etc/a,b"), Strategy::Process]);
    /// assert!(Strategy::parse_list("")?.is_empty());
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse_list(text: &str) -> Result<Vec<Strategy>, String> {
        let mut items = Vec::new();
        let (mut depth, mut start) = (0usize, 0);
        for (at, ch) in text.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    items.push(&text[start..at]);
                    start = at + 1;
                }
                _ => {}
            }
        }
        items.push(&text[start..]);
        items
            .into_iter()
            .filter(|item| !item.trim().is_empty())
            .map(str::parse)
            .collect()
    }
}

/// The strategies in the order they are tried: one first, then the fallbacks.
///
/// A chain is checked when it is made: no strategy twice (`container` counts as its
/// three members), nothing after `process` or `random`, valid `env` names and absolute
/// `file` paths.
///
/// ```
/// use instance_id::{Chain, Strategy};
///
/// let chain = Chain::new(Strategy::Container, [Strategy::Kubernetes, Strategy::Random])?;
/// assert_eq!(chain.to_string(), "cgroup, mountinfo, podman, kubernetes, random");
///
/// assert!(Chain::new(Strategy::Random, [Strategy::Hostname]).is_err());
/// assert!(Chain::new(Strategy::Container, [Strategy::Cgroup]).is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    steps: Vec<Strategy>,
}

impl Chain {
    /// A checked chain.
    pub fn new(
        first: Strategy,
        fallback: impl IntoIterator<Item = Strategy>,
    ) -> Result<Self, String> {
        let mut steps: Vec<Strategy> = Vec::new();
        // The strategy as written that put each step there: `container` for `cgroup`.
        let mut written: Vec<Strategy> = Vec::new();
        for strategy in std::iter::once(first).chain(fallback) {
            strategy.validate()?;
            if let Some(last) = written.last().filter(|s| s.is_final()) {
                return Err(format!(
                    "{strategy} comes after {last}, which always succeeds: it would never run"
                ));
            }
            for member in strategy.members() {
                if let Some(at) = steps.iter().position(|step| *step == member) {
                    let how = match (&written[at], member == strategy) {
                        (earlier, true) if *earlier == member => String::new(),
                        (earlier, true) => format!(" ({earlier} already includes it)"),
                        (earlier, false) if *earlier == member => {
                            format!(" (as part of {strategy})")
                        }
                        (earlier, false) => format!(" (in both {earlier} and {strategy})"),
                    };
                    return Err(format!("{member} is listed twice{how}"));
                }
                steps.push(member);
                written.push(strategy.clone());
            }
        }
        Ok(Self { steps })
    }

    /// `first`, then the default fallback `[kubernetes, ecs, platform, process]`, less
    /// what would be a mistake after `first`: none after `process` or `random`, and not
    /// `first` again. This is what a chain means when only its first strategy is given
    /// (the attribute, the CLI and [`InstanceConfig`](crate::InstanceConfig) alike).
    ///
    /// ```
    /// use instance_id::{Chain, Strategy};
    ///
    /// assert_eq!(Chain::with_default_fallback(Strategy::Hostname).to_string(),
    ///            "hostname, kubernetes, ecs, platform, process");
    /// assert_eq!(Chain::with_default_fallback(Strategy::Ecs).to_string(),
    ///            "ecs, kubernetes, platform, process");
    /// assert_eq!(Chain::with_default_fallback(Strategy::Random).to_string(), "random");
    /// ```
    pub fn with_default_fallback(first: Strategy) -> Self {
        let fallback = if first.is_final() {
            Vec::new()
        } else {
            DEFAULT_FALLBACK
                .iter()
                .filter(|s| !first.members().contains(s))
                .cloned()
                .collect()
        };
        // Valid by construction, save for a first strategy with a bad argument, which
        // then stands alone and fails with its reason when run.
        Self::new(first.clone(), fallback).unwrap_or(Self {
            steps: first.members(),
        })
    }

    /// The strategies, `container` expanded into its members.
    pub fn steps(&self) -> &[Strategy] {
        &self.steps
    }
}

/// `container`, then `kubernetes`, `ecs`, `platform`, `process` (SPEC §3).
impl Default for Chain {
    fn default() -> Self {
        Self::with_default_fallback(Strategy::Container)
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{step}")?;
        }
        Ok(())
    }
}

/// What a strategy found: a raw value (checked by the engine), the runtime it says
/// the process runs on, and where it was read, for `--explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    pub value: String,
    pub runtime: Option<Runtime>,
    pub detail: String,
}

impl Evidence {
    pub fn new(
        value: impl Into<String>,
        runtime: Option<Runtime>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            value: value.into(),
            runtime,
            detail: detail.into(),
        }
    }
}

/// An environment variable: unset is `None`, non-UTF-8 or an unreadable environment a
/// reason.
fn var<'v>(view: &'v SystemView, name: &str) -> Result<Option<&'v str>, String> {
    if let Some(err) = view.env_error() {
        return Err(format!("the environment cannot be read: {err}"));
    }
    match view.var(name) {
        EnvValue::Unset => Ok(None),
        EnvValue::Set(value) => Ok(Some(value)),
        EnvValue::NotUtf8 => Err(format!("${name} is set but is not UTF-8")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line_spelling() {
        assert_eq!("env(\"A_B\")".parse(), Ok(Strategy::env("A_B")));
        assert_eq!(
            "file(/etc/podinfo/name)".parse(),
            Ok(Strategy::file("/etc/podinfo/name"))
        );
        assert_eq!("machine_id".parse(), Ok(Strategy::MachineId));
        for bad in [
            "env()",
            "env(1A)",
            "file(relative)",
            "nope",
            "hostname(x)",
            "env(A",
            "custom(f)",
        ] {
            assert!(bad.parse::<Strategy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chains_refuse_duplicates_and_dead_ends() {
        assert!(Chain::new(Strategy::Cgroup, [Strategy::Container]).is_err());
        assert!(Chain::new(Strategy::env("A"), [Strategy::env("A")]).is_err());
        assert!(Chain::new(Strategy::env("A"), [Strategy::env("B")]).is_ok());
        assert!(Chain::new(Strategy::Process, [Strategy::Random]).is_err());
        assert!(Chain::new(Strategy::Hostname, [Strategy::Process]).is_ok());
        assert_eq!(
            Chain::default(),
            Chain::new(
                Strategy::Container,
                [
                    Strategy::Kubernetes,
                    Strategy::Ecs,
                    Strategy::Platform,
                    Strategy::Process
                ]
            )
            .expect("the default chain is valid")
        );
    }
}
