//! What the answers add up to, in bounded memory: per instance a count, its errors,
//! its statuses and a latency histogram (the first [`MAX_TRACKED`] ids), the rest
//! counted together; per virtual user, where its requests went; per second, who
//! answered and the second's p99, worked out as the second ends so that only the
//! figures are kept.

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

/// The resolution of the failures' times, for the failures of a rollout: an hour's
/// run keeps 360,000 counts (1.4 MB), however many requests failed.
const SLICE: Duration = Duration::from_millis(10);

/// What one request found.
pub enum Answer {
    /// A successful answer, and the instance it named.
    Instance { id: String, status: u16 },
    /// A failure of its kind (`HTTP 503`, `timeout`, …); when an answer came, its
    /// status and the instance it named, if it named one.
    Error {
        kind: String,
        status: Option<u16>,
        id: Option<String>,
    },
}

/// One request's outcome, and where it belongs.
pub struct Sample {
    pub answer: Answer,
    /// Whether it was sent a second time (`--retry`) after a failure.
    pub retried: bool,
    /// From when it was sent, or with `--rate` from when it was due, to its outcome.
    pub took: Duration,
    /// With `--rate`: whether it went out after its time, every slot being taken.
    pub late: bool,
    /// The virtual user that sent it, with `--users`.
    pub user: Option<usize>,
    /// With `--duration`: when its outcome came, from the run's start.
    pub at: Option<Duration>,
}

/// A latency histogram: 1 µs to the longest timeout, three significant figures. Fixed
/// bounds: a saturating record never resizes, it clamps.
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TIMEOUT_MS * 1000, 3)
        .unwrap_or_else(|_| unreachable!("valid bounds"))
}

fn record_latency(histogram: &mut Histogram<u64>, took: Duration) {
    let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
    histogram.saturating_record(us);
}

/// Per instance: its successful answers and how long they took, its failed answers
/// (an error status that carried its id), every status it answered with, and when it
/// answered first and last (with `--duration`).
pub struct Tally {
    pub count: u64,
    pub errors: u64,
    pub status: BTreeMap<u16, u64>,
    pub latency_us: Histogram<u64>,
    pub first: Option<Duration>,
    pub last: Option<Duration>,
}

impl Tally {
    fn new() -> Self {
        Self {
            count: 0,
            errors: 0,
            status: BTreeMap::new(),
            latency_us: histogram(),
            first: None,
            last: None,
        }
    }
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
    /// The p99 of the requests whose outcome came in that second, in µs.
    pub p99_us: Option<u64>,
}

impl Second {
    /// Every outcome of the second: answers and failures.
    pub fn outcomes(&self) -> u64 {
        self.instances.values().sum::<u64>() + self.untracked + self.errors
    }
}

/// The second whose latencies are being gathered, until the next one begins.
struct Current {
    second: Option<usize>,
    latency_us: Histogram<u64>,
}

pub struct Results {
    pub sent: u64,
    pub instances: BTreeMap<String, Tally>,
    pub errors: BTreeMap<String, u64>,
    /// Requests sent a second time after a failure (`--retry`).
    pub retried: u64,
    /// With `--rate`: requests that went out after their time.
    pub late: u64,
    /// Every request's time to its outcome, answers and failures alike.
    pub latency_us: Histogram<u64>,
    pub untracked: Untracked,
    pub users: Vec<UserTally>,
    pub timeline: Vec<Second>,
    current: Option<Current>,
    /// Failures per [`SLICE`] of the run, with `--duration`.
    failure_slices: Vec<u32>,
    /// The last successful answer so far, and the longest time without one.
    last_success: Duration,
    pub longest_gap: Duration,
    /// When an interrupt (Ctrl-C, SIGTERM) ended the run early: after how long.
    pub interrupted: Option<Duration>,
}

impl Results {
    /// Room for `users` virtual users and `seconds` of timeline.
    pub fn new(users: usize, seconds: usize) -> Self {
        Self {
            sent: 0,
            instances: BTreeMap::new(),
            errors: BTreeMap::new(),
            retried: 0,
            late: 0,
            latency_us: histogram(),
            untracked: Untracked::default(),
            users: vec![UserTally::default(); users],
            timeline: vec![Second::default(); seconds],
            current: None,
            failure_slices: Vec::new(),
            last_success: Duration::ZERO,
            longest_gap: Duration::ZERO,
            interrupted: None,
        }
    }

    /// The run ended after `elapsed`, early when `interrupted`: the timeline keeps the
    /// seconds it had, and the last second's figures are worked out.
    pub fn finish(&mut self, elapsed: Duration, interrupted: bool) {
        if interrupted {
            let seconds = elapsed.as_secs_f64().ceil().max(1.0) as usize;
            self.timeline.truncate(seconds);
            self.interrupted = Some(elapsed);
        }
        self.close_second();
        if !self.timeline.is_empty() {
            self.longest_gap = self
                .longest_gap
                .max(elapsed.saturating_sub(self.last_success));
        }
    }

    /// Whether any instance answered successfully.
    pub fn answered(&self) -> bool {
        self.instances.values().any(|tally| tally.count > 0) || !self.untracked.is_empty()
    }

    pub fn record(&mut self, sample: Sample) {
        self.sent += 1;
        self.retried += u64::from(sample.retried);
        self.late += u64::from(sample.late);
        record_latency(&mut self.latency_us, sample.took);
        let second = sample.at.and_then(|at| self.in_second(at, sample.took));
        let (id, status, failure) = match sample.answer {
            Answer::Error { kind, status, id } => {
                *self.errors.entry(kind).or_default() += 1;
                if let Some(second) = second {
                    self.timeline[second].errors += 1;
                }
                if let Some(at) = sample.at {
                    self.count_failure(at);
                }
                match (id, status) {
                    (Some(id), Some(status)) => (id, status, true),
                    _ => return,
                }
            }
            Answer::Instance { id, status } => (id, status, false),
        };
        if !self.instances.contains_key(&id) && self.instances.len() >= MAX_TRACKED {
            if !failure {
                if let Some(second) = second {
                    self.timeline[second].untracked += 1;
                }
                self.count_success(sample.user, None, sample.at);
                self.untracked.count(id);
            }
            return;
        }
        let tally = self.instances.entry(id.clone()).or_insert_with(Tally::new);
        *tally.status.entry(status).or_default() += 1;
        if failure {
            tally.errors += 1;
            return;
        }
        tally.count += 1;
        record_latency(&mut tally.latency_us, sample.took);
        if let Some(at) = sample.at {
            tally.first.get_or_insert(at);
            tally.last = Some(tally.last.map_or(at, |last| last.max(at)));
        }
        if let Some(second) = second {
            *self.timeline[second]
                .instances
                .entry(id.clone())
                .or_default() += 1;
        }
        self.count_success(sample.user, Some(id), sample.at);
    }

    /// A successful answer: its user's tally, and the gaps between answers.
    fn count_success(&mut self, user: Option<usize>, id: Option<String>, at: Option<Duration>) {
        if let Some(user) = user.and_then(|u| self.users.get_mut(u)) {
            user.answered += 1;
            if let Some(id) = id {
                *user.by_instance.entry(id).or_default() += 1;
            }
        }
        if let Some(at) = at {
            self.longest_gap = self.longest_gap.max(at.saturating_sub(self.last_success));
            self.last_success = self.last_success.max(at);
        }
    }

    /// The timeline's second of an outcome at `at`, its latency gathered for that
    /// second's p99. When a new second begins, the last one's p99 is worked out and
    /// its latencies dropped.
    fn in_second(&mut self, at: Duration, took: Duration) -> Option<usize> {
        // An answer to a request sent in the last second may arrive just after it.
        let last = self.timeline.len().checked_sub(1)?;
        let second = (at.as_secs() as usize).min(last);
        if self
            .current
            .as_ref()
            .and_then(|c| c.second)
            .is_some_and(|open| open < second)
        {
            self.close_second();
        }
        let current = self.current.get_or_insert_with(|| Current {
            second: None,
            latency_us: histogram(),
        });
        current.second.get_or_insert(second);
        // An outcome recorded just after the next second began (the lock taken
        // late) counts in that one's p99.
        record_latency(&mut current.latency_us, took);
        Some(second)
    }

    /// The open second's p99, worked out; its histogram emptied for the next.
    fn close_second(&mut self) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        if let Some(second) = current.second.take() {
            if let Some(second) = self.timeline.get_mut(second) {
                second.p99_us = Some(current.latency_us.value_at_quantile(0.99));
            }
            current.latency_us.reset();
        }
    }

    fn count_failure(&mut self, at: Duration) {
        let slice = (at.as_nanos() / SLICE.as_nanos()) as usize;
        if self.failure_slices.len() <= slice {
            self.failure_slices.resize(slice + 1, 0);
        }
        self.failure_slices[slice] = self.failure_slices[slice].saturating_add(1);
    }

    /// The failures from `from` to `to` (to the nearest 10 ms).
    pub fn failures_between(&self, from: Duration, to: Duration) -> u64 {
        let first = (from.as_nanos() / SLICE.as_nanos()) as usize;
        let last = (to.as_nanos() / SLICE.as_nanos()) as usize;
        self.failure_slices
            .iter()
            .skip(first)
            .take((last + 1).saturating_sub(first))
            .map(|&n| u64::from(n))
            .sum()
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

    fn sample(answer: Answer, user: Option<usize>, at: Option<Duration>) -> Sample {
        Sample {
            answer,
            retried: false,
            took: Duration::from_millis(1),
            late: false,
            user,
            at,
        }
    }

    fn answer(results: &mut Results, id: &str, user: usize) {
        let id = id.into();
        results.record(sample(
            Answer::Instance { id, status: 200 },
            Some(user),
            None,
        ));
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

    /// An error answer that names its instance counts on it, apart from its answers;
    /// one that names none counts only among the errors.
    #[test]
    fn an_error_answer_counts_on_the_instance_it_names() {
        let mut results = Results::new(0, 3);
        let at = |ms| Some(Duration::from_millis(ms));
        let ok = |id: &str| Answer::Instance {
            id: id.into(),
            status: 200,
        };
        let failed = |id: Option<&str>| Answer::Error {
            kind: "HTTP 503".into(),
            status: Some(503),
            id: id.map(Into::into),
        };
        results.record(sample(ok("a"), None, at(100)));
        results.record(sample(failed(Some("a")), None, at(1_200)));
        results.record(sample(failed(None), None, at(1_250)));
        results.record(sample(ok("a"), None, at(2_500)));
        results.finish(Duration::from_millis(2_600), false);
        let a = &results.instances["a"];
        assert_eq!((a.count, a.errors), (2, 1));
        assert_eq!(a.status.get(&200), Some(&2));
        assert_eq!(a.status.get(&503), Some(&1));
        assert_eq!(results.errors.get("HTTP 503"), Some(&2));
        assert_eq!(results.timeline[1].errors, 2);
        assert_eq!(
            results.failures_between(Duration::from_millis(1_000), Duration::from_millis(1_240)),
            1
        );
        assert_eq!(results.longest_gap, Duration::from_millis(2_400));
        assert!(results.timeline.iter().all(|s| s.p99_us.is_some()));
    }
}
