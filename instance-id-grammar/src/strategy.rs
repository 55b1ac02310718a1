//! Strategy names, what each stands for, and the command line's spelling.

use std::fmt;

use crate::{env_name, file_path, Error};

/// A strategy written as a bare name.
///
/// ```
/// use instance_id_grammar::StrategyName;
///
/// let container = StrategyName::from_name("container").expect("a strategy");
/// assert_eq!(container.members(), [StrategyName::Cgroup, StrategyName::Mountinfo, StrategyName::Podman]);
/// assert!(StrategyName::Process.is_final());
/// assert_eq!(StrategyName::MachineId.variant(), "MachineId");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrategyName {
    /// `cgroup`, `mountinfo`, `podman`, in that order.
    Container,
    /// `/proc/self/cgroup`.
    Cgroup,
    /// `/proc/self/mountinfo`.
    Mountinfo,
    /// `/run/.containerenv`.
    Podman,
    /// The downward API's variables, else `$HOSTNAME` inside a pod.
    Kubernetes,
    /// The ECS task metadata endpoint v4.
    Ecs,
    /// A hosting platform's variable.
    Platform,
    /// The host name.
    Hostname,
    /// A name unique to this process on this host; always succeeds.
    Process,
    /// `/etc/machine-id`.
    MachineId,
    /// A UUID v4 made once per process; always succeeds.
    Random,
}

impl StrategyName {
    /// Every bare name, in the order the documentation lists them.
    pub const ALL: [StrategyName; 11] = [
        StrategyName::Container,
        StrategyName::Cgroup,
        StrategyName::Mountinfo,
        StrategyName::Podman,
        StrategyName::Kubernetes,
        StrategyName::Ecs,
        StrategyName::Platform,
        StrategyName::Hostname,
        StrategyName::Process,
        StrategyName::MachineId,
        StrategyName::Random,
    ];

    /// The name as written: `machine_id`.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyName::Container => "container",
            StrategyName::Cgroup => "cgroup",
            StrategyName::Mountinfo => "mountinfo",
            StrategyName::Podman => "podman",
            StrategyName::Kubernetes => "kubernetes",
            StrategyName::Ecs => "ecs",
            StrategyName::Platform => "platform",
            StrategyName::Hostname => "hostname",
            StrategyName::Process => "process",
            StrategyName::MachineId => "machine_id",
            StrategyName::Random => "random",
        }
    }

    /// The name of the library's `Strategy` variant: `MachineId`.
    pub fn variant(self) -> &'static str {
        match self {
            StrategyName::Container => "Container",
            StrategyName::Cgroup => "Cgroup",
            StrategyName::Mountinfo => "Mountinfo",
            StrategyName::Podman => "Podman",
            StrategyName::Kubernetes => "Kubernetes",
            StrategyName::Ecs => "Ecs",
            StrategyName::Platform => "Platform",
            StrategyName::Hostname => "Hostname",
            StrategyName::Process => "Process",
            StrategyName::MachineId => "MachineId",
            StrategyName::Random => "Random",
        }
    }

    /// The bare name `name` stands for, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The strategies this one stands for in a chain: `container` is three, the rest
    /// themselves.
    pub fn members(self) -> &'static [StrategyName] {
        use StrategyName::*;
        match self {
            Container => &[Cgroup, Mountinfo, Podman],
            Cgroup => &[Cgroup],
            Mountinfo => &[Mountinfo],
            Podman => &[Podman],
            Kubernetes => &[Kubernetes],
            Ecs => &[Ecs],
            Platform => &[Platform],
            Hostname => &[Hostname],
            Process => &[Process],
            MachineId => &[MachineId],
            Random => &[Random],
        }
    }

    /// Whether it always succeeds, so that nothing may follow it.
    pub fn is_final(self) -> bool {
        matches!(self, StrategyName::Process | StrategyName::Random)
    }

    /// Every strategy as a person spells it, for "did you mean" and for messages.
    pub fn known() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|s| s.as_str()).chain(WITH_ARGUMENT)
    }
}

impl fmt::Display for StrategyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The strategies written with an argument: `env("NAME")`, `file("/path")`,
/// `custom(path::to::func)`.
pub const WITH_ARGUMENT: [&str; 3] = ["env", "file", "custom"];

/// A strategy as written, as much as the rules need to know of it. Two equal values
/// read the same source.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Written {
    /// A bare name.
    Named(StrategyName),
    /// `env("NAME")`.
    Env(String),
    /// `file("/path")`.
    File(String),
    /// `custom(path::to::func)`, the path as written.
    Custom(String),
}

impl Written {
    /// What it stands for in a chain: `container` is its three members.
    pub fn members(&self) -> Vec<Written> {
        match self {
            Written::Named(name) => name.members().iter().copied().map(Written::Named).collect(),
            other => vec![other.clone()],
        }
    }

    /// Whether it always succeeds, so that nothing may follow it.
    pub fn is_final(&self) -> bool {
        matches!(self, Written::Named(name) if name.is_final())
    }

    /// The rules of its argument: `env`'s variable name ([`env_name`]) and `file`'s
    /// path ([`file_path`]); a bare name or a `custom` path has none to break.
    ///
    /// ```
    /// use instance_id_grammar::Written;
    ///
    /// assert!(Written::Env("POD_NAME".into()).validate_argument().is_ok());
    /// assert!(Written::File("podinfo/name".into()).validate_argument().is_err());
    /// ```
    pub fn validate_argument(&self) -> Result<(), Error> {
        match self {
            Written::Env(name) => env_name(name),
            Written::File(path) => file_path(path),
            Written::Named(_) | Written::Custom(_) => Ok(()),
        }
    }
}

/// `container`, `env("POD_NAME")`, `file("/etc/name")`, `custom(app::name)`.
impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Named(name) => f.write_str(name.as_str()),
            Written::Env(name) => write!(f, "env({name:?})"),
            Written::File(path) => write!(f, "file({path:?})"),
            Written::Custom(path) => write!(f, "custom({path})"),
        }
    }
}

/// The command line's spelling of one strategy: `container`, `env(NAME)` or
/// `env("NAME")`, `file(/path)`. `custom(…)` names a Rust function, so it exists only
/// in the attribute and the library.
///
/// ```
/// use instance_id_grammar::{parse_strategy, StrategyName, Written};
///
/// assert_eq!(parse_strategy("machine_id")?, Written::Named(StrategyName::MachineId));
/// assert_eq!(parse_strategy(r#"env("POD_NAME")"#)?, Written::Env("POD_NAME".into()));
/// assert_eq!(parse_strategy("kubernets").unwrap_err().to_string(),
///            "unknown strategy `kubernets`; did you mean `kubernetes`?");
/// # Ok::<(), instance_id_grammar::Error>(())
/// ```
pub fn parse_strategy(text: &str) -> Result<Written, Error> {
    let text = text.trim();
    let (name, argument) = match text.split_once('(') {
        Some((name, rest)) => {
            let inner = rest.strip_suffix(')').ok_or_else(|| Error::Unclosed {
                text: text.to_owned(),
            })?;
            let inner = inner.trim();
            let inner = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(inner);
            (name.trim(), Some(inner))
        }
        None => (text, None),
    };
    let written = match (StrategyName::from_name(name), name, argument) {
        (Some(named), _, None) => Written::Named(named),
        (Some(named), _, Some(_)) => return Err(Error::TakesNoArgument { name: named }),
        (None, "env", Some(var)) => Written::Env(var.to_owned()),
        (None, "file", Some(path)) => Written::File(path.to_owned()),
        (None, "env", None) => return Err(Error::EnvWithoutName),
        (None, "file", None) => return Err(Error::FileWithoutPath),
        (None, "custom", _) => return Err(Error::CustomOnlyInRust),
        (None, unknown, _) => {
            return Err(Error::UnknownStrategy {
                name: unknown.to_owned(),
                suggestion: crate::did_you_mean(unknown, StrategyName::known()),
            })
        }
    };
    written.validate_argument()?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips_and_members_are_named() {
        for name in StrategyName::ALL {
            assert_eq!(StrategyName::from_name(name.as_str()), Some(name));
            assert_eq!(parse_strategy(name.as_str()), Ok(Written::Named(name)));
            if name != StrategyName::Container {
                assert_eq!(name.members(), [name]);
            }
        }
    }

    #[test]
    fn the_command_line_spelling() {
        assert_eq!(
            parse_strategy("file(/etc/podinfo/name)"),
            Ok(Written::File("/etc/podinfo/name".into()))
        );
        for bad in [
            "env()",
            "env(1A)",
            "file(relative)",
            "nope",
            "hostname(x)",
            "env(A",
            "custom(f)",
            "env",
            "",
        ] {
            assert!(parse_strategy(bad).is_err(), "{bad}");
        }
    }
}
