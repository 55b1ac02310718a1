//! The strategies: one module per family, each a function from a [`SystemView`] to
//! [`Evidence`] or a reason (each module's `find`, or one function per strategy in
//! `local`). The engine ([`detect`](super::detect)) checks every value
//! against the value rules of [`InstanceId`](crate::InstanceId); a strategy only
//! finds.

mod container;
mod ecs;
mod kubernetes;
mod local;
mod platform;

use std::fmt;
use std::str::FromStr;

use instance_id_grammar::{self as grammar, Error as ConfigError, StrategyName, Written};

use crate::engine::runtime::Runtime;
use crate::engine::view::{EnvValue, SystemView};

/// One way to find the instance's name.
///
/// ```
/// use instance_id::Strategy;
///
/// let s: Strategy = "env(POD_NAME)".parse()?;
/// assert_eq!(s, Strategy::env("POD_NAME"));
/// assert_eq!(s.to_string(), r#"env("POD_NAME")"#);
/// # Ok::<(), instance_id::ConfigError>(())
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
    /// A hosting platform's variable: Fly.io, Nomad, Cloud Foundry, Heroku, Render,
    /// Railway, Azure App Service, Google App Engine, AWS Lambda.
    Platform,
    /// An environment variable.
    Env(String),
    /// The first line of a file (an absolute path).
    File(String),
    /// The host name.
    Hostname,
    /// `<hostname>-<pid>`, or `proc-<tag>-<pid>` where the host name would reveal an
    /// address; always succeeds on a live system.
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
    pub(crate) fn members(&self) -> Vec<Strategy> {
        self.written()
            .members()
            .into_iter()
            .map(|member| match member {
                Written::Named(name) => Strategy::from(name),
                _ => self.clone(),
            })
            .collect()
    }

    /// Whether this strategy always succeeds, so that nothing may follow it.
    pub fn is_final(&self) -> bool {
        self.written().is_final()
    }

    /// What the grammar's rules need to know of it.
    pub(crate) fn written(&self) -> Written {
        let name = match self {
            Strategy::Env(name) => return Written::Env(name.clone()),
            Strategy::File(path) => return Written::File(path.clone()),
            Strategy::Custom { name, .. } => return Written::Custom((*name).to_owned()),
            Strategy::Container => StrategyName::Container,
            Strategy::Cgroup => StrategyName::Cgroup,
            Strategy::Mountinfo => StrategyName::Mountinfo,
            Strategy::Podman => StrategyName::Podman,
            Strategy::Kubernetes => StrategyName::Kubernetes,
            Strategy::Ecs => StrategyName::Ecs,
            Strategy::Platform => StrategyName::Platform,
            Strategy::Hostname => StrategyName::Hostname,
            Strategy::Process => StrategyName::Process,
            Strategy::MachineId => StrategyName::MachineId,
            Strategy::Random => StrategyName::Random,
        };
        Written::Named(name)
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
            Strategy::Cgroup => container::cgroup::find(view),
            Strategy::Mountinfo => container::mountinfo::find(view),
            Strategy::Podman => container::podman::find(view),
            Strategy::Kubernetes => kubernetes::find(view),
            Strategy::Ecs => ecs::find(view),
            Strategy::Platform => platform::find(view),
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
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        self.written().validate_argument()
    }

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
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
    pub fn parse_list(text: &str) -> Result<Vec<Strategy>, ConfigError> {
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

impl From<StrategyName> for Strategy {
    fn from(name: StrategyName) -> Self {
        match name {
            StrategyName::Container => Strategy::Container,
            StrategyName::Cgroup => Strategy::Cgroup,
            StrategyName::Mountinfo => Strategy::Mountinfo,
            StrategyName::Podman => Strategy::Podman,
            StrategyName::Kubernetes => Strategy::Kubernetes,
            StrategyName::Ecs => Strategy::Ecs,
            StrategyName::Platform => Strategy::Platform,
            StrategyName::Hostname => Strategy::Hostname,
            StrategyName::Process => Strategy::Process,
            StrategyName::MachineId => Strategy::MachineId,
            StrategyName::Random => Strategy::Random,
        }
    }
}

/// As the attribute writes it: `container`, `env("POD_NAME")`, `custom(app::name)`.
/// `container`: the strategy a chain starts with when none is named (the attribute,
/// the command line and [`InstanceConfig`](crate::InstanceConfig) alike).
///
/// ```
/// use instance_id::Strategy;
///
/// assert_eq!(Strategy::default(), Strategy::Container);
/// ```
impl Default for Strategy {
    fn default() -> Self {
        Strategy::from(grammar::DEFAULT_STRATEGY)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.written(), f)
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
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, ConfigError> {
        Ok(match grammar::parse_strategy(text)? {
            Written::Named(name) => Strategy::from(name),
            Written::Env(name) => Strategy::Env(name),
            Written::File(path) => Strategy::File(path),
            Written::Custom(_) => return Err(ConfigError::CustomOnlyInRust),
        })
    }
}

/// What a strategy found: a raw value (checked by the engine), the runtime it says
/// the process runs on, and where it was read, for `--explain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Evidence {
    pub value: String,
    pub runtime: Option<Runtime>,
    pub detail: String,
    /// Read only from files a container shares when it joins another's network
    /// namespace (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`): where a platform
    /// runs each task beside a pause container, they name the pause container, and
    /// the platform's own answer overrules them.
    pub network_files_only: bool,
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
            network_files_only: false,
        }
    }

    /// Marks the evidence as read only from the network namespace's files.
    pub fn read_from_network_files(mut self) -> Self {
        self.network_files_only = true;
        self
    }
}

/// An environment variable: unset is `None`, non-UTF-8 or an unreadable environment a
/// reason.
fn env_or_reason<'v>(view: &'v SystemView, name: &str) -> Result<Option<&'v str>, String> {
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
    fn every_name_of_the_grammar_is_a_strategy_of_the_same_spelling() {
        for name in StrategyName::ALL {
            let strategy = Strategy::from(name);
            assert_eq!(strategy.to_string(), name.as_str());
            assert_eq!(strategy.written(), Written::Named(name));
        }
    }
}
