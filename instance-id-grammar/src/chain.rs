//! The rules of a chain: nothing tried twice, nothing after a strategy that always
//! succeeds.

use crate::error::Overlap;
use crate::{Error, StrategyName, Written};

/// The strategy tried first when none is given.
pub const DEFAULT_STRATEGY: StrategyName = StrategyName::Container;

/// The fallback when none is given, less what would repeat the first strategy or
/// follow `process` or `random`.
pub const DEFAULT_FALLBACK: [StrategyName; 4] = [
    StrategyName::Kubernetes,
    StrategyName::Ecs,
    StrategyName::Platform,
    StrategyName::Process,
];

/// Checks the chain `first`, then `fallback`, and returns each mistake with the
/// position in `fallback` of the strategy it is about: at most one per strategy, so
/// that one mistake gives one message. `first` is `None` when it is the default
/// strategy, which messages then say.
///
/// ```
/// use instance_id_grammar::{check_chain, StrategyName::*, Written::Named};
///
/// assert!(check_chain(None, &[Named(Kubernetes), Named(Process)]).is_empty());
/// let errors = check_chain(None, &[Named(Process), Named(Container)]);
/// assert_eq!(errors.len(), 1);
/// assert_eq!(errors[0].0, 1);
/// let errors = check_chain(Some(&Named(Container)), &[Named(Cgroup)]);
/// assert_eq!(errors[0].1.to_string(), "`cgroup` is listed twice (`container` already includes it); keep one");
/// ```
pub fn check_chain(first: Option<&Written>, fallback: &[Written]) -> Vec<(usize, Error)> {
    let default = Written::Named(DEFAULT_STRATEGY);
    let first_written = first.unwrap_or(&default);
    let mut earlier: Vec<&Written> = vec![first_written];
    let mut errors = Vec::new();
    for (at, strategy) in fallback.iter().enumerate() {
        if let Some(last) = earlier.iter().rev().find(|s| s.is_final()) {
            errors.push((
                at,
                Error::AfterFinal {
                    strategy: strategy.to_string(),
                    last: last.to_string(),
                },
            ));
        } else if let Some((index, overlap)) = overlap(&earlier, strategy) {
            errors.push((
                at,
                Error::Twice {
                    strategy: strategy.to_string(),
                    earlier: earlier[index].to_string(),
                    relation: overlap,
                    earlier_is_default: index == 0 && first.is_none(),
                },
            ));
        }
        earlier.push(strategy);
    }
    errors
}

/// The fallback that a chain has when only its first strategy is given:
/// [`DEFAULT_FALLBACK`], less each strategy that [`check_chain`] would refuse after
/// `first` (nothing after `process` or `random`, nothing `first` already tries).
///
/// ```
/// use instance_id_grammar::{default_fallback, StrategyName::*, Written::Named};
///
/// assert_eq!(default_fallback(&Named(Hostname)), [Kubernetes, Ecs, Platform, Process]);
/// assert_eq!(default_fallback(&Named(Ecs)), [Kubernetes, Platform, Process]);
/// assert!(default_fallback(&Named(Random)).is_empty());
/// ```
pub fn default_fallback(first: &Written) -> Vec<StrategyName> {
    let mut kept: Vec<Written> = Vec::new();
    for candidate in DEFAULT_FALLBACK {
        kept.push(Written::Named(candidate));
        let refused = check_chain(Some(first), &kept)
            .iter()
            .any(|(at, _)| *at == kept.len() - 1);
        if refused {
            kept.pop();
        }
    }
    kept.into_iter()
        .filter_map(|written| match written {
            Written::Named(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// The first earlier strategy that tries something `strategy` tries too.
fn overlap(earlier: &[&Written], strategy: &Written) -> Option<(usize, Overlap)> {
    let members = strategy.members();
    earlier.iter().enumerate().find_map(|(index, before)| {
        let before_members = before.members();
        if *before == strategy {
            Some((index, Overlap::Same))
        } else if before_members.iter().any(|m| members.contains(m)) {
            let relation = if before_members.len() > members.len() {
                Overlap::Included
            } else {
                Overlap::Includes
            };
            Some((index, relation))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StrategyName::*;
    use crate::Written::{Env, Named};

    fn messages(first: Option<&Written>, fallback: &[Written]) -> Vec<String> {
        check_chain(first, fallback)
            .into_iter()
            .map(|(_, e)| e.to_string())
            .collect()
    }

    #[test]
    fn one_mistake_gives_one_message() {
        assert_eq!(
            messages(None, &[Named(Process), Named(Container)]),
            ["`container` comes after `process`, which always succeeds: it would never run; remove it, or move it before `process`"]
        );
        assert_eq!(
            messages(None, &[Named(Container)]),
            ["`container` is listed twice (`container`, the default strategy, comes first); keep one"]
        );
        assert_eq!(
            messages(None, &[Named(Mountinfo)]),
            ["`mountinfo` is listed twice (`container`, the default strategy, already includes it); keep one"]
        );
        assert_eq!(
            messages(Some(&Named(Cgroup)), &[Named(Container)]),
            ["`cgroup` is listed twice (`container` includes it again); keep one"]
        );
        assert_eq!(
            messages(Some(&Named(Kubernetes)), &[Named(Ecs), Named(Kubernetes)]),
            ["`kubernetes` is listed twice; keep one"]
        );
    }

    #[test]
    fn arguments_make_different_strategies() {
        assert!(messages(Some(&Env("A".into())), &[Env("B".into())]).is_empty());
        assert_eq!(
            messages(Some(&Env("A".into())), &[Env("A".into())]).len(),
            1
        );
    }

    #[test]
    fn every_strategy_after_a_final_one_is_named() {
        let errors = check_chain(Some(&Named(Random)), &[Named(Hostname), Named(Ecs)]);
        assert_eq!(errors.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [0, 1]);
    }
}
