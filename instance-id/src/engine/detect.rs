//! Try a chain of strategies against a view, and record every attempt.

use std::fmt;

use crate::engine::chain::Chain;
use crate::engine::runtime::Runtime;
use crate::engine::view::SystemView;
use crate::identity::id::InstanceId;

/// What became of one strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Outcome {
    /// It found a valid id, and decided.
    Found,
    /// It could not decide; the reason says why.
    Failed,
    /// An earlier strategy decided first.
    NotReached,
}

impl Outcome {
    /// `found`, `failed`, `not_reached`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::Failed => "failed",
            Outcome::NotReached => "not_reached",
        }
    }
}

/// One strategy's turn: which, what became of it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Attempt {
    /// The strategy as written (`mountinfo`, `env("POD_NAME")`).
    pub strategy: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Where the id was read (found), or why none was (failed).
    pub reason: String,
}

/// A decided identity and the story of how it was decided.
///
/// ```
/// use instance_id::{detect, Chain, Strategy, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "cart-5d8f7b6c9-abcde")]);
/// let chain = Chain::new(Strategy::Container, [Strategy::Kubernetes])?;
/// let detection = detect(&chain, &view).expect("the downward API names the pod");
///
/// assert_eq!(detection.id.as_str(), "cart-5d8f7b6c9-abcde");
/// assert_eq!(detection.source, "kubernetes");
/// assert_eq!(detection.attempts.len(), 4); // cgroup, mountinfo, podman failed first
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Detection {
    /// The instance id.
    pub id: InstanceId,
    /// The strategy that decided.
    pub source: String,
    /// The runtime, where the deciding strategy could tell.
    pub runtime: Option<Runtime>,
    /// Every strategy of the chain, in order.
    pub attempts: Vec<Attempt>,
}

impl Detection {
    /// `instance id 4f1c2a9e0b3d…1a42 (via mountinfo, docker)`: the launch log line.
    pub fn summary(&self) -> String {
        let id = self.id.as_str();
        let shown = if id.len() > 24 {
            format!("{}…{}", &id[..12], &id[id.len() - 4..])
        } else {
            id.to_owned()
        };
        match self.runtime {
            Some(runtime) => format!("instance id {shown} (via {}, {runtime})", self.source),
            None => format!("instance id {shown} (via {})", self.source),
        }
    }
}

/// No strategy of the chain found an id; every attempt says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoInstanceId {
    /// Every strategy of the chain, in order, each failed.
    pub attempts: Vec<Attempt>,
}

impl fmt::Display for NoInstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no strategy found an instance id:")?;
        for attempt in &self.attempts {
            write!(f, "\n  {}: {}", attempt.strategy, attempt.reason)?;
        }
        Ok(())
    }
}

impl std::error::Error for NoInstanceId {}

/// Runs the chain against the view: the first strategy that finds a valid id decides.
///
/// A value that breaks the rules of [`InstanceId`] fails its strategy with the reason,
/// and the chain goes on. See [`Detection`] for an example.
pub fn detect(chain: &Chain, view: &SystemView) -> Result<Detection, NoInstanceId> {
    let mut attempts = Vec::with_capacity(chain.steps().len());
    let mut decided = None;
    for strategy in chain.steps() {
        let name = strategy.to_string();
        if decided.is_some() {
            attempts.push(Attempt {
                strategy: name,
                outcome: Outcome::NotReached,
                reason: "an earlier strategy decided".into(),
            });
            continue;
        }
        let checked =
            strategy
                .run(view)
                .and_then(|evidence| match InstanceId::new(&evidence.value) {
                    Ok(id) => Ok((id, evidence.runtime, evidence.detail)),
                    Err(rule) => Err(format!(
                        "{} gave an unusable value: {rule}",
                        evidence.detail
                    )),
                });
        match checked {
            Ok((id, runtime, detail)) => {
                attempts.push(Attempt {
                    strategy: name.clone(),
                    outcome: Outcome::Found,
                    reason: detail,
                });
                decided = Some((id, name, runtime));
            }
            Err(reason) => attempts.push(Attempt {
                strategy: name,
                outcome: Outcome::Failed,
                reason,
            }),
        }
    }
    match decided {
        Some((id, source, runtime)) => Ok(Detection {
            id,
            source,
            runtime,
            attempts,
        }),
        None => Err(NoInstanceId { attempts }),
    }
}
