//! Try a chain of strategies against a view, and record every attempt.

use std::fmt;

use crate::engine::chain::Chain;
use crate::engine::runtime::Runtime;
use crate::engine::strategy::Strategy;
use crate::engine::variables::PLATFORM_VARIABLES;
use crate::engine::view::{EnvValue, SystemView};
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
    /// It found an id, and a stronger answer overruled it (a pause container's files
    /// against the platform's own word); the reason says which and why.
    Overruled,
}

impl Outcome {
    /// `found`, `failed`, `not_reached`, `overruled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Found => "found",
            Outcome::Failed => "failed",
            Outcome::NotReached => "not_reached",
            Outcome::Overruled => "overruled",
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
        // A container id by its short form and its last characters, enough to tell
        // it from its neighbours in a log; any other id whole.
        let short = self.id.short();
        let shown = if short.len() < id.len() {
            format!("{short}…{}", &id[id.len() - 4..])
        } else {
            id.to_owned()
        };
        match self.runtime {
            Some(runtime) => format!("instance id {shown} (via {}, {runtime})", self.source),
            None => format!("instance id {shown} (via {})", self.source),
        }
    }
}

/// A detection's outcome as one record, found or not: `{"id", "source", "runtime",
/// "attempts"}`, with `null`s where the chain found nothing. It is what
/// `instance-id detect --format json` prints; the reasons are the system's text as it
/// is, for the encoder to escape what its format must.
///
/// ```
/// use instance_id::{detect, Chain, DetectionReport, Strategy, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let result = detect(&Chain::new(Strategy::Kubernetes, [])?, &view);
/// let json = serde_json::to_value(DetectionReport::from(&result)).expect("JSON");
/// assert_eq!(json["id"], "web-7d9f");
/// assert_eq!(json["runtime"], "kubernetes");
/// assert_eq!(json["attempts"][0]["outcome"], "found");
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[cfg(feature = "serde")]
#[derive(Debug, serde::Serialize)]
pub struct DetectionReport<'a> {
    id: Option<&'a str>,
    source: Option<&'a str>,
    runtime: Option<Runtime>,
    attempts: &'a [Attempt],
}

#[cfg(feature = "serde")]
impl<'a> From<&'a Result<Detection, NoInstanceId>> for DetectionReport<'a> {
    fn from(result: &'a Result<Detection, NoInstanceId>) -> Self {
        match result {
            Ok(d) => Self {
                id: Some(d.id.as_str()),
                source: Some(&d.source),
                runtime: d.runtime,
                attempts: &d.attempts,
            },
            Err(none) => Self {
                id: None,
                source: None,
                runtime: None,
                attempts: &none.attempts,
            },
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
/// and the chain goes on. One answer can be overruled: an id read only from the files
/// a pause container shares with the task (`/etc/hostname`, `/etc/hosts`,
/// `/etc/resolv.conf`) gives way to the platform's own answer where the environment
/// says the process runs on such a platform (ECS, Nomad) and the chain asks it later.
/// See [`Detection`] for an example.
pub fn detect(chain: &Chain, view: &SystemView) -> Result<Detection, NoInstanceId> {
    let steps = chain.steps();
    let mut attempts: Vec<Attempt> = Vec::with_capacity(steps.len());
    let mut decided: Option<(InstanceId, String, Option<Runtime>)> = None;
    for (at, strategy) in steps.iter().enumerate() {
        let name = strategy.to_string();
        match try_strategy(strategy, view) {
            Err(reason) => attempts.push(Attempt {
                strategy: name,
                outcome: Outcome::Failed,
                reason,
            }),
            Ok(found) => {
                let overrule = found
                    .network_files_only
                    .then(|| pause_platform(steps, at, view))
                    .flatten();
                let Some((later, why)) = overrule else {
                    attempts.push(Attempt {
                        strategy: name.clone(),
                        outcome: Outcome::Found,
                        reason: found.detail,
                    });
                    decided = Some((found.id, name, found.runtime));
                    break;
                };
                let platform = steps[later].to_string();
                match try_strategy(&steps[later], view) {
                    Ok(own) if own.id != found.id => {
                        attempts.push(Attempt {
                            strategy: name.clone(),
                            outcome: Outcome::Overruled,
                            reason: format!(
                                "{} names {}, but {why}: {platform} decides",
                                found.detail, found.id
                            ),
                        });
                        for skipped in &steps[at + 1..later] {
                            attempts.push(Attempt {
                                strategy: skipped.to_string(),
                                outcome: Outcome::NotReached,
                                reason: format!("{platform} was asked first, to check {name}"),
                            });
                        }
                        attempts.push(Attempt {
                            strategy: platform.clone(),
                            outcome: Outcome::Found,
                            reason: format!("{} (overrules {name})", own.detail),
                        });
                        decided = Some((own.id, platform, own.runtime));
                    }
                    asked => {
                        let outcome = match asked {
                            Ok(_) => format!("{platform} agrees"),
                            Err(reason) => {
                                format!("{platform} was asked too and had no answer: {reason}")
                            }
                        };
                        attempts.push(Attempt {
                            strategy: name.clone(),
                            outcome: Outcome::Found,
                            reason: format!("{} ({outcome})", found.detail),
                        });
                        decided = Some((found.id, name, found.runtime));
                    }
                }
                break;
            }
        }
    }
    for strategy in &steps[attempts.len()..] {
        attempts.push(Attempt {
            strategy: strategy.to_string(),
            outcome: Outcome::NotReached,
            reason: "an earlier strategy decided".into(),
        });
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

/// A strategy's answer, checked by the value rules.
struct Checked {
    id: InstanceId,
    runtime: Option<Runtime>,
    detail: String,
    network_files_only: bool,
}

fn try_strategy(strategy: &Strategy, view: &SystemView) -> Result<Checked, String> {
    let evidence = strategy.run(view)?;
    match InstanceId::new(&evidence.value) {
        Ok(id) => Ok(Checked {
            id,
            runtime: evidence.runtime,
            detail: evidence.detail,
            network_files_only: evidence.network_files_only,
        }),
        Err(rule) => Err(format!(
            "{} gave an unusable value: {rule}",
            evidence.detail
        )),
    }
}

/// The later step of the chain that asks the platform itself, where the environment
/// says the process runs on a platform that puts a pause container beside each task.
fn pause_platform(
    steps: &[Strategy],
    at: usize,
    view: &SystemView,
) -> Option<(usize, &'static str)> {
    PLATFORM_VARIABLES.iter().find_map(|variable| {
        let pause = variable.pause?;
        let set =
            matches!(view.var(variable.name), EnvValue::Set(value) if !value.trim().is_empty());
        let asks = Strategy::from(pause.asks);
        let later = steps.iter().skip(at + 1).position(|s| *s == asks)?;
        set.then_some((at + 1 + later, pause.why))
    })
}
