//! What a person reads, and what a program reads: the table (with the users'
//! stickiness and the timeline drawn a cell per second) and the JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use instance_id::short_form;

use super::tally::{Results, Second, Untracked, MAX_TRACKED};
use super::ProbeArgs;
use crate::text::safe;

/// The JSON report: `{"requests", "errors", "retried", "latency_ms", "instances":
/// [{"id", "count", "share", "p50_ms", "p99_ms", "latency_ms", "errors", "status"}]}`,
/// and where asked for `"users"` with `"stickiness"`, `"rate"` with `"late"`, and
/// `"timeline"` with `"rollout"`.
#[derive(serde::Serialize)]
pub struct Report<'r> {
    requests: u64,
    errors: u64,
    /// Requests sent once more after a failure (`--retry`).
    retried: u64,
    /// Every request's time to its outcome, answers and failures alike.
    latency_ms: Latency,
    pub(super) instances: Vec<InstanceReport>,
    /// What went wrong, by kind (`timeout`, `HTTP 502`, …); only when something did.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    error_kinds: &'r BTreeMap<String, u64>,
    /// With `--rate`: the requests per second asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<f64>,
    /// With `--rate`: requests that went out after their time, every slot in flight.
    #[serde(skip_serializing_if = "Option::is_none")]
    late: Option<u64>,
    /// With `--users`: how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    users: Option<u64>,
    /// With `--users`: the mean over the users of the share of each one's requests on
    /// its most frequent instance (1 for a sticky balancer).
    #[serde(skip_serializing_if = "Option::is_none")]
    stickiness: Option<f64>,
    /// With `--duration`: per second, who answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    timeline: Option<Vec<SecondReport<'r>>>,
    /// With `--duration`: which ids gave way to which, and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) rollout: Option<Rollout>,
    /// Ids past the first 64, counted together; only when there were some.
    #[serde(skip_serializing_if = "Untracked::is_empty")]
    untracked: &'r Untracked,
    /// When Ctrl-C or SIGTERM ended the run early: after how many seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted_after_s: Option<f64>,
    /// `true` when the server's certificate went unchecked (`--insecure`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    insecure: bool,
}

#[derive(serde::Serialize)]
pub(super) struct InstanceReport {
    pub(super) id: String,
    pub(super) count: u64,
    share: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Its successful answers' times.
    latency_ms: Latency,
    /// Error answers that named it; not in `count` or `share`.
    errors: u64,
    /// Every status it answered with, successes and errors.
    status: BTreeMap<String, u64>,
}

/// Percentiles of an HDR histogram, in milliseconds.
#[derive(serde::Serialize)]
struct Latency {
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

impl Latency {
    fn of(histogram: &Histogram<u64>) -> Self {
        let ms = |quantile| histogram.value_at_quantile(quantile) as f64 / 1000.0;
        Latency {
            p50: ms(0.50),
            p90: ms(0.90),
            p99: ms(0.99),
            p999: ms(0.999),
            max: histogram.max() as f64 / 1000.0,
        }
    }
}

/// `{"second", "instances": {"<id>": n}, "errors", "p99_ms"}`.
#[derive(serde::Serialize)]
struct SecondReport<'r> {
    second: usize,
    instances: &'r BTreeMap<String, u64>,
    errors: u64,
    /// Answers of untracked ids in that second; only when there were some.
    #[serde(skip_serializing_if = "is_zero")]
    untracked: u64,
    /// The p99 of the outcomes of that second; none when there were none.
    #[serde(skip_serializing_if = "Option::is_none")]
    p99_ms: Option<f64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A rollout as the answers show it: `from` are the ids that answered in the first
/// second and not in the last, `to` those in the last and not in the first.
#[derive(serde::Serialize)]
pub(super) struct Rollout {
    pub(super) from: Vec<String>,
    pub(super) to: Vec<String>,
    /// The last answer of a `from` id, in seconds from the start.
    pub(super) last_old_s: Option<f64>,
    /// The first answer of a `to` id.
    pub(super) first_new_s: Option<f64>,
    /// How long both old and new ids answered.
    mixed_s: f64,
    /// The failures between the first and the last of those two moments.
    errors: Option<u64>,
    /// The longest time without a successful answer.
    longest_gap_s: f64,
}

/// Seconds, to the millisecond.
fn seconds(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

impl Rollout {
    fn new(results: &Results) -> Self {
        let answered = |second: &&Second| !second.instances.is_empty();
        let first = results.timeline.iter().find(answered);
        let last = results.timeline.iter().rev().find(answered);
        // The ids of one second that the other lacks.
        let only = |this: &Second, other: &Second| -> Vec<String> {
            this.instances
                .keys()
                .filter(|id| !other.instances.contains_key(*id))
                .cloned()
                .collect()
        };
        let (from, to) = match (first, last) {
            (Some(first), Some(last)) => (only(first, last), only(last, first)),
            _ => (Vec::new(), Vec::new()),
        };
        let tally = |id: &String| results.instances.get(id);
        let last_old = from.iter().filter_map(|id| tally(id)?.last).max();
        let first_new = to.iter().filter_map(|id| tally(id)?.first).min();
        let (mixed, errors) = match (last_old, first_new) {
            (Some(old), Some(new)) => (
                old.saturating_sub(new),
                Some(results.failures_between(old.min(new), old.max(new))),
            ),
            _ => (Duration::ZERO, None),
        };
        Rollout {
            from,
            to,
            last_old_s: last_old.map(seconds),
            first_new_s: first_new.map(seconds),
            mixed_s: seconds(mixed),
            errors,
            longest_gap_s: seconds(results.longest_gap),
        }
    }

    /// The same, in words.
    fn words(&self) -> String {
        let gap = format!(
            "longest time without a successful answer: {:.3} s",
            self.longest_gap_s
        );
        if self.from.is_empty() && self.to.is_empty() {
            return format!(
                "  no rollout: the same instances answered in the first and the last second; {gap}\n"
            );
        }
        let ids = |ids: &[String]| -> String {
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.iter()
                    .map(|id| short_form(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let mut out = format!(
            "  rollout: from {} to {}\n",
            safe(&ids(&self.from)),
            safe(&ids(&self.to))
        );
        let at = |time: Option<f64>| time.map_or("never".to_owned(), |t| format!("at {t:.3} s"));
        out.push_str(&format!(
            "    last old answer {}, first new answer {}, both answering for {:.3} s\n",
            at(self.last_old_s),
            at(self.first_new_s),
            self.mixed_s
        ));
        if let Some(errors) = self.errors {
            out.push_str(&format!(
                "    {errors} error{} between those two moments\n",
                if errors == 1 { "" } else { "s" }
            ));
        }
        out.push_str(&format!("    {gap}\n"));
        out
    }
}

impl<'r> Report<'r> {
    pub fn new(results: &'r Results, args: &ProbeArgs) -> Self {
        let requests = results.sent;
        let mut instances: Vec<InstanceReport> = results
            .instances
            .iter()
            .map(|(id, tally)| InstanceReport {
                id: id.clone(),
                count: tally.count,
                share: tally.count as f64 / requests.max(1) as f64,
                p50_ms: tally.latency_us.value_at_quantile(0.50) as f64 / 1000.0,
                p99_ms: tally.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
                latency_ms: Latency::of(&tally.latency_us),
                errors: tally.errors,
                status: tally
                    .status
                    .iter()
                    .map(|(status, n)| (status.to_string(), *n))
                    .collect(),
            })
            .collect();
        instances.sort_by(|a, b| {
            (b.count, b.errors)
                .cmp(&(a.count, a.errors))
                .then_with(|| a.id.cmp(&b.id))
        });
        let timeline = args.duration.map(|_| {
            results
                .timeline
                .iter()
                .enumerate()
                .map(|(second, s)| SecondReport {
                    second,
                    instances: &s.instances,
                    errors: s.errors,
                    untracked: s.untracked,
                    p99_ms: s.p99_us.map(|us| us as f64 / 1000.0),
                })
                .collect()
        });
        Report {
            requests,
            errors: results.errors.values().sum(),
            retried: results.retried,
            latency_ms: Latency::of(&results.latency_us),
            instances,
            error_kinds: &results.errors,
            rate: args.rate,
            late: args.rate.map(|_| results.late),
            users: args.users,
            stickiness: args.users.and_then(|_| results.stickiness()),
            timeline,
            rollout: args.duration.map(|_| Rollout::new(results)),
            untracked: &results.untracked,
            interrupted_after_s: results
                .interrupted
                .map(|elapsed| (elapsed.as_secs_f64() * 10.0).round() / 10.0),
            insecure: args.insecure,
        }
    }
}

/// The table a person reads at a glance: one line per instance, then the errors, the
/// latency, the users' stickiness, the timeline and the rollout where asked for.
pub fn table(args: &ProbeArgs, url: &str, report: &Report, results: &Results) -> String {
    let errors = &results.errors;
    // Count, share, bar, p50, p99, errors and a 12-character id fit 80 columns.
    const BAR: usize = 16;
    let connections = if args.keep_alive {
        "connections reused (--keep-alive): an L4 balancer pins each connection to one instance"
    } else {
        "a new connection per request"
    };
    let users = match args.users {
        Some(1) => ", 1 virtual user with its own cookie jar".to_owned(),
        Some(users) => format!(", {users} virtual users, each with its own cookie jar"),
        None => String::new(),
    };
    let pace = match args.rate {
        Some(rate) => format!(
            "{rate}/s on a fixed schedule, at most {} in flight",
            args.concurrency()
        ),
        None => format!("{} at a time", args.concurrency()),
    };
    let mut out = format!(
        "{} requests to {}, {pace}, {connections}{users}\n",
        report.requests,
        safe(url),
    );
    if let Some(after) = report.interrupted_after_s {
        out.push_str(&format!(
            "interrupted after {after:.1} s: the figures are those of the requests sent until then\n"
        ));
    }
    if report.insecure {
        out.push_str(
            "certificates NOT verified (--insecure): anyone in between could have answered\n",
        );
    }
    out.push('\n');
    out.push_str(&format!(
        "  {:>7}  {:>6}  {:<BAR$}  {:>8}  {:>8}  {:>6}  instance\n",
        "count", "share", "", "p50 ms", "p99 ms", "errors"
    ));
    for instance in &report.instances {
        let filled = ((instance.share * BAR as f64).round() as usize).min(BAR);
        let bar = "█".repeat(filled) + &"·".repeat(BAR - filled);
        out.push_str(&format!(
            "  {:>7}  {:>5.1}%  {bar}  {:>8.2}  {:>8.2}  {:>6}  {}\n",
            instance.count,
            instance.share * 100.0,
            instance.p50_ms,
            instance.p99_ms,
            instance.errors,
            // A 64-hex id as `docker ps` shows it, so that a row fits 80 columns;
            // --json has every id whole.
            short_form(&instance.id),
        ));
    }
    let untracked = report.untracked;
    if untracked.requests > 0 {
        out.push_str(&format!(
            "  {:>7}  {:>5.1}%  {:<BAR$}  {:>8}  {:>8}  {:>6}  {}{} more ids, counted together (only the first {MAX_TRACKED} are tracked)\n",
            untracked.requests,
            untracked.requests as f64 / report.requests as f64 * 100.0,
            "",
            "",
            "",
            "",
            if untracked.ids_at_least { "at least " } else { "" },
            untracked.ids,
        ));
    }
    if report.instances.iter().all(|i| i.count == 0) && untracked.is_empty() {
        out.push_str("  (no instance answered)\n");
    }
    let kinds: Vec<String> = errors
        .iter()
        .map(|(kind, n)| format!("{kind}: {n}"))
        .collect();
    let answering = report.instances.iter().filter(|i| i.count > 0).count();
    out.push_str(&format!(
        "\n  {} instance{}, {} error{}{}\n",
        answering,
        if answering == 1 { "" } else { "s" },
        report.errors,
        if report.errors == 1 { "" } else { "s" },
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        }
    ));
    if args.retry {
        out.push_str(&format!(
            "  {} retried: written, failed without a whole answer, and sent once more (--retry)\n",
            report.retried
        ));
    }
    let latency = &report.latency_ms;
    out.push_str(&format!(
        "  latency of every request, from when it was {}: p50 {:.2} ms, p90 {:.2}, p99 {:.2}, p99.9 {:.2}, max {:.2}\n",
        if args.rate.is_some() { "due" } else { "sent" },
        latency.p50,
        latency.p90,
        latency.p99,
        latency.p999,
        latency.max
    ));
    if let Some(late) = report.late {
        out.push_str(&format!(
            "  {late} went out late, more than 1 ms after their time: every one of the {} slots in flight, or the client short of CPU\n",
            args.concurrency()
        ));
    }
    if let Some(stickiness) = report.stickiness {
        let each: Vec<f64> = results
            .users
            .iter()
            .filter_map(|u| u.stickiness())
            .collect();
        let least = each.iter().copied().fold(f64::INFINITY, f64::min);
        out.push_str(&format!(
            "  stickiness {stickiness:.2}: the mean share of each user's requests on its most frequent instance (least sticky user: {least:.2}; 1.00 means every user stays on one instance)\n"
        ));
    }
    if args.duration.is_some() {
        out.push_str(&timeline(report, results));
    }
    if let Some(rollout) = &report.rollout {
        out.push('\n');
        out.push_str(&rollout.words());
    }
    out
}

/// A row per instance and a cell per second (or per few seconds, so that a row fits
/// 80 columns), its height how much of that time's answers the instance gave: a
/// person sees instances appear and disappear.
fn timeline(report: &Report, results: &Results) -> String {
    const WIDTH: usize = 60;
    const LEVELS: [char; 9] = ['·', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let seconds = results.timeline.len();
    if seconds == 0 {
        return String::new();
    }
    let per_cell = seconds.div_ceil(WIDTH);
    let cells: Vec<&[Second]> = results.timeline.chunks(per_cell).collect();
    let answered: Vec<u64> = cells
        .iter()
        .map(|cell| cell.iter().map(Second::outcomes).sum())
        .collect();
    let row = |count: &dyn Fn(&Second) -> u64| -> String {
        cells
            .iter()
            .zip(&answered)
            .map(|(cell, total)| {
                let n: u64 = cell.iter().map(count).sum();
                if n == 0 || *total == 0 {
                    LEVELS[0]
                } else {
                    LEVELS[((n * 8).div_ceil(*total) as usize).clamp(1, 8)]
                }
            })
            .collect()
    };
    let unit = if per_cell == 1 {
        "one cell per second".to_owned()
    } else {
        format!("one cell per {per_cell} seconds")
    };
    let mut out = format!("\n  timeline, {unit}, 0 to {seconds} s:\n");
    let mut ids: Vec<&str> = report
        .instances
        .iter()
        .filter(|i| i.count > 0)
        .map(|i| i.id.as_str())
        .collect();
    // In order of first appearance, so that a rolling update reads top to bottom.
    let first_seen = |id: &str| {
        results
            .timeline
            .iter()
            .position(|s| s.instances.contains_key(id))
    };
    ids.sort_by_key(|id| first_seen(id));
    for id in ids {
        let cells = row(&|s| s.instances.get(id).copied().unwrap_or(0));
        out.push_str(&format!("  {:<12}  {cells}\n", short_form(id)));
    }
    if !results.untracked.is_empty() {
        out.push_str(&format!(
            "  {:<12}  {}\n",
            "(untracked)",
            row(&|s| s.untracked)
        ));
    }
    out.push_str(&format!("  {:<12}  {}\n", "errors", row(&|s| s.errors)));
    out
}
