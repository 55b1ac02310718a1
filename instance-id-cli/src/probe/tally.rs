//! What the answers add up to, in bounded memory: per instance a count and a latency
//! histogram (the first [`MAX_TRACKED`] ids), the rest counted together; per virtual
//! user, where its requests went; per second, who answered.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use hdrhistogram::Histogram;

/// Instances tracked one by one, each with its latency histogram (about 170 KB). A
/// balancer has a few; a server that answers a new id each time has millions.
pub const MAX_TRACKED: usize = 64;

/// Distinct untracked ids counted before the count says "at least".
const MAX_UNTRACKED_IDS: usize = 10_000;

/// The longest a request may be given (`--timeout-ms`), and the top of the histograms.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

/// What one request found.
pub enum Answer {
    Instance(String),
    Error(String),
}

/// One answer, and where it belongs.
pub struct Sample {
    pub answer: Answer,
    pub took: Duration,
    /// The virtual user that sent it, with `--users`.
    pub user: Option<usize>,
    /// The second of the run it arrived in, with `--duration`.
    pub second: Option<usize>,
}

/// Per instance: how many answers and how long they took.
pub struct Tally {
    pub count: u64,
    pub latency_us: Histogram<u64>,
}

/// The answers of ids past the first [`MAX_TRACKED`]: counted, not tracked.
#[derive(Default, serde::Serialize)]
pub struct Untracked {
    /// Distinct ids, up to [`MAX_UNTRACKED_IDS`].
    pub ids: u64,
    /// Whether there were more distinct ids than counted.
    pub ids_at_least: bool,
    /// Requests they answered.
    pub requests: u64,
    #[serde(skip)]
    seen: HashSet<String>,
}

impl Untracked {
    pub fn is_empty(&self) -> bool {
        self.requests == 0
    }

    fn count(&mut self, id: String) {
        self.requests += 1;
        if self.seen.len() < MAX_UNTRACKED_IDS {
            if self.seen.insert(id) {
                self.ids += 1;
            }
        } else if !self.seen.contains(&id) {
            self.ids_at_least = true;
        }
    }
}

/// One virtual user's answers: per tracked instance, and in all.
#[derive(Default, Clone)]
pub struct UserTally {
    pub answered: u64,
    pub by_instance: BTreeMap<String, u64>,
}

impl UserTally {
    /// The share of its answered requests that its most frequent instance answered.
    pub fn stickiness(&self) -> Option<f64> {
        let most = self.by_instance.values().max()?;
        (self.answered > 0).then(|| *most as f64 / self.answered as f64)
    }
}

/// One second of a `--duration` run.
#[derive(Default, Clone)]
pub struct Second {
    pub instances: BTreeMap<String, u64>,
    pub untracked: u64,
    pub errors: u64,
}

#[derive(Default)]
pub struct Results {
    pub sent: u64,
    pub instances: BTreeMap<String, Tally>,
    pub errors: BTreeMap<String, u64>,
    pub untracked: Untracked,
    pub users: Vec<UserTally>,
    pub timeline: Vec<Second>,
    /// When an interrupt (Ctrl-C, SIGTERM) ended the run early: after how long.
    pub interrupted: Option<Duration>,
}

impl Results {
    /// Room for `users` virtual users and `seconds` of timeline.
    pub fn new(users: usize, seconds: usize) -> Self {
        Self {
            users: vec![UserTally::default(); users],
            timeline: vec![Second::default(); seconds],
            ..Self::default()
        }
    }

    /// The run ended early, after `elapsed`: the timeline keeps the seconds it had.
    pub fn interrupt(&mut self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64().ceil().max(1.0) as usize;
        self.timeline.truncate(seconds);
        self.interrupted = Some(elapsed);
    }

    pub fn record(&mut self, sample: Sample) {
        self.sent += 1;
        // An answer to a request sent in the last second may arrive just after it.
        let last = self.timeline.len().saturating_sub(1);
        let second = sample
            .second
            .and_then(|s| self.timeline.get_mut(s.min(last)));
        let id = match sample.answer {
            Answer::Error(kind) => {
                *self.errors.entry(kind).or_default() += 1;
                if let Some(second) = second {
                    second.errors += 1;
                }
                return;
            }
            Answer::Instance(id) => id,
        };
        let mut user = sample.user.and_then(|u| self.users.get_mut(u));
        if let Some(user) = user.as_mut() {
            user.answered += 1;
        }
        if !self.instances.contains_key(&id) && self.instances.len() >= MAX_TRACKED {
            if let Some(second) = second {
                second.untracked += 1;
            }
            self.untracked.count(id);
            return;
        }
        if let Some(second) = second {
            *second.instances.entry(id.clone()).or_default() += 1;
        }
        if let Some(user) = user {
            *user.by_instance.entry(id.clone()).or_default() += 1;
        }
        let tally = self.instances.entry(id).or_insert_with(|| Tally {
            count: 0,
            // 1 µs to the longest timeout, three significant figures. Fixed bounds: a
            // saturating record never resizes, it clamps.
            latency_us: Histogram::new_with_bounds(1, MAX_TIMEOUT_MS * 1000, 3)
                .unwrap_or_else(|_| unreachable!("valid bounds")),
        });
        tally.count += 1;
        let us = u64::try_from(sample.took.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        tally.latency_us.saturating_record(us);
    }

    /// The mean of the users' stickiness, over the users that got an answer.
    pub fn stickiness(&self) -> Option<f64> {
        let each: Vec<f64> = self
            .users
            .iter()
            .filter_map(UserTally::stickiness)
            .collect();
        (!each.is_empty()).then(|| each.iter().sum::<f64>() / each.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(results: &mut Results, id: &str, user: usize) {
        results.record(Sample {
            answer: Answer::Instance(id.into()),
            took: Duration::from_millis(1),
            user: Some(user),
            second: None,
        });
    }

    #[test]
    fn stickiness_is_each_users_share_on_its_favourite() {
        let mut results = Results::new(2, 0);
        for id in ["a", "a", "a", "b"] {
            answer(&mut results, id, 0);
        }
        for id in ["a", "b"] {
            answer(&mut results, id, 1);
        }
        assert_eq!(results.users[0].stickiness(), Some(0.75));
        assert_eq!(results.users[1].stickiness(), Some(0.5));
        assert_eq!(results.stickiness(), Some(0.625));
    }
}
