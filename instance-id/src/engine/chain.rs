//! The strategies in the order they are tried, checked with the grammar's chain rules.

use std::fmt;

use instance_id_grammar::{self as grammar, Error as ConfigError};

use crate::engine::strategy::Strategy;

/// The strategies in the order they are tried: one first, then the fallbacks.
///
/// A chain is checked when it is made, by the same rules as the attribute: no
/// strategy twice (`container` counts as its three members), nothing after `process`
/// or `random`, valid `env` names and absolute `file` paths.
///
/// ```
/// use instance_id::{Chain, Strategy};
///
/// let chain = Chain::new(Strategy::Container, [Strategy::Kubernetes, Strategy::Random])?;
/// assert_eq!(chain.to_string(), "cgroup, mountinfo, podman, kubernetes, random");
///
/// let err = Chain::new(Strategy::Random, [Strategy::Hostname]).unwrap_err();
/// assert!(err.to_string().contains("`hostname` comes after `random`"));
/// assert!(Chain::new(Strategy::Container, [Strategy::Cgroup]).is_err());
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    steps: Vec<Strategy>,
}

impl Chain {
    /// A checked chain; the error is the first broken rule.
    pub fn new(
        first: Strategy,
        fallback: impl IntoIterator<Item = Strategy>,
    ) -> Result<Self, ConfigError> {
        let fallback: Vec<Strategy> = fallback.into_iter().collect();
        for strategy in std::iter::once(&first).chain(&fallback) {
            strategy.validate()?;
        }
        let written: Vec<_> = fallback.iter().map(Strategy::written).collect();
        if let Some((_, err)) = grammar::check_chain(Some(&first.written()), &written)
            .into_iter()
            .next()
        {
            return Err(err);
        }
        let steps = std::iter::once(&first)
            .chain(&fallback)
            .flat_map(Strategy::members)
            .collect();
        Ok(Self { steps })
    }

    /// `first`, then the default fallback `[kubernetes, ecs, platform, process]`, less
    /// what would be a mistake after `first`: none after `process` or `random`, and not
    /// `first` again. This is what a chain means when only its first strategy is given
    /// (the attribute, the command line and
    /// [`InstanceConfig`](crate::InstanceConfig) alike).
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
        let fallback: Vec<Strategy> = grammar::default_fallback(&first.written())
            .into_iter()
            .map(Strategy::from)
            .collect();
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

/// `container`, then `kubernetes`, `ecs`, `platform`, `process`.
impl Default for Chain {
    fn default() -> Self {
        Self::with_default_fallback(Strategy::default())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_refuse_duplicates_and_dead_ends() {
        assert!(Chain::new(Strategy::Cgroup, [Strategy::Container]).is_err());
        assert!(Chain::new(Strategy::env("A"), [Strategy::env("A")]).is_err());
        assert!(Chain::new(Strategy::env("A"), [Strategy::env("B")]).is_ok());
        assert!(Chain::new(Strategy::Process, [Strategy::Random]).is_err());
        assert!(Chain::new(Strategy::Hostname, [Strategy::Process]).is_ok());
        assert!(Chain::new(Strategy::env("1A"), []).is_err());
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
