//! What a person reads, and what a program reads: the table (with the users'
//! stickiness and the timeline drawn a cell per second) and the JSON.

use std::collections::BTreeMap;

use instance_id::short_form;

use super::tally::{Results, Untracked, MAX_TRACKED};
use super::ProbeArgs;
use crate::text::safe;

/// The JSON report: `{"requests", "errors", "instances": [{"id", "count", "share",
/// "p50_ms", "p99_ms"}]}`, and where asked for `"users"` with `"stickiness"`, and
/// `"timeline"`.
#[derive(serde::Serialize)]
pub struct Report<'r> {
    requests: u64,
    errors: u64,
    instances: Vec<InstanceReport>,
    /// What went wrong, by kind (`timeout`, `HTTP 502`, …); only when something did.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    error_kinds: &'r BTreeMap<String, u64>,
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
struct InstanceReport {
    id: String,
    count: u64,
    share: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// `{"second", "instances": {"<id>": n}, "errors"}`.
#[derive(serde::Serialize)]
struct SecondReport<'r> {
    second: usize,
    instances: &'r BTreeMap<String, u64>,
    errors: u64,
    /// Answers of untracked ids in that second; only when there were some.
    #[serde(skip_serializing_if = "is_zero")]
    untracked: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
            })
            .collect();
        instances.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
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
                })
                .collect()
        });
        Report {
            requests,
            errors: results.errors.values().sum(),
            instances,
            error_kinds: &results.errors,
            users: args.users,
            stickiness: args.users.and_then(|_| results.stickiness()),
            timeline,
            untracked: &results.untracked,
            interrupted_after_s: results
                .interrupted
                .map(|elapsed| (elapsed.as_secs_f64() * 10.0).round() / 10.0),
            insecure: args.insecure,
        }
    }
}

/// The table a person reads at a glance: one line per instance, then the errors, the
/// users' stickiness and the timeline where asked for.
pub fn table(args: &ProbeArgs, url: &str, report: &Report, results: &Results) -> String {
    let errors = &results.errors;
    // Count, share, bar, p50, p99 and a 12-character id fit 80 columns.
    const BAR: usize = 24;
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
    let mut out = format!(
        "{} requests to {}, {} at a time, {connections}{users}\n",
        report.requests,
        safe(url),
        args.concurrency
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
        "  {:>7}  {:>6}  {:<BAR$}  {:>8}  {:>8}  instance\n",
        "count", "share", "", "p50 ms", "p99 ms"
    ));
    for instance in &report.instances {
        let filled = (instance.share * BAR as f64).round() as usize;
        let bar = "█".repeat(filled.min(BAR)) + &"·".repeat(BAR - filled.min(BAR));
        out.push_str(&format!(
            "  {:>7}  {:>5.1}%  {bar}  {:>8.2}  {:>8.2}  {}\n",
            instance.count,
            instance.share * 100.0,
            instance.p50_ms,
            instance.p99_ms,
            // A 64-hex id as `docker ps` shows it, so that a row fits 80 columns;
            // --json has every id whole.
            short_form(&instance.id),
        ));
    }
    let untracked = report.untracked;
    if untracked.requests > 0 {
        out.push_str(&format!(
            "  {:>7}  {:>5.1}%  {:<BAR$}  {:>8}  {:>8}  {}{} more ids, counted together (only the first {MAX_TRACKED} are tracked)\n",
            untracked.requests,
            untracked.requests as f64 / report.requests as f64 * 100.0,
            "",
            "",
            "",
            if untracked.ids_at_least { "at least " } else { "" },
            untracked.ids,
        ));
    }
    if report.instances.is_empty() {
        out.push_str("  (no instance answered)\n");
    }
    let kinds: Vec<String> = errors
        .iter()
        .map(|(kind, n)| format!("{kind}: {n}"))
        .collect();
    out.push_str(&format!(
        "\n  {} instance{}, {} error{}{}\n",
        report.instances.len(),
        if report.instances.len() == 1 { "" } else { "s" },
        report.errors,
        if report.errors == 1 { "" } else { "s" },
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        }
    ));
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
    let cells: Vec<&[super::tally::Second]> = results.timeline.chunks(per_cell).collect();
    let answered: Vec<u64> = cells
        .iter()
        .map(|cell| {
            cell.iter()
                .map(|s| s.instances.values().sum::<u64>() + s.untracked + s.errors)
                .sum()
        })
        .collect();
    let row = |count: &dyn Fn(&super::tally::Second) -> u64| -> String {
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
    let mut ids: Vec<&str> = report.instances.iter().map(|i| i.id.as_str()).collect();
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
