//! `instance-id probe`: send requests through a balancer and show how they
//! spread over the instances behind it.
//!
//! A new connection per request by default: that is what distinct users look like
//! (an L4 balancer such as kube-proxy pins every request of a connection to one
//! instance). The identity comes from the header, else from the body. http and https
//! (rustls, the system's roots, `--cacert`, `--insecure`). Memory stays bounded
//! however many distinct ids answer: the first 64 are tracked exactly, the rest
//! counted together, and the report says so.
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the options, and the workers that send the requests |
//! | `client.rs` | one client per virtual user (TLS, cookie jar), one GET on hyper's HTTP/1 connection API, failures named, `--retry` |
//! | `tls.rs` | the one TLS configuration all clients share; TLS refusals in words |
//! | `tally.rs` | what the answers add up to: instances, users, seconds, latency histograms |
//! | `report.rs` | the table, the stickiness, the timeline, the rollout, the JSON |
//! | `plot.rs` | `--plot`: the timeline as an SVG image |
//!
//! `--users U` makes U virtual users, each with its own cookie jar (and connection,
//! with `--keep-alive`), to see whether a balancer is sticky; `--duration D` runs for
//! a time and draws a timeline and the rollout, to see a rolling update happen;
//! `--rate R` sends on a fixed schedule (an open loop) and times each request from
//! when it was due, so that a stall shows in the percentiles.

mod client;
mod plot;
mod report;
mod tally;
mod tls;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use tally::{Results, Sample, MAX_TIMEOUT_MS};

use crate::text::excerpt;

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The http:// or https:// URL to send GET requests to (the identity route behind
    /// the balancer).
    url: String,
    /// How many requests in all (at least 1).
    #[arg(short = 'n', long = "requests", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..), conflicts_with = "duration")]
    requests: u64,
    /// Run for this long instead of a count (`40s`, `2m`; at most an hour), and draw a
    /// timeline (per second, how many requests each instance answered) and the
    /// rollout (which ids gave way to which, when, and what failed between). Ctrl-C
    /// ends any run early with its report.
    #[arg(long, value_name = "D", value_parser = duration)]
    duration: Option<Duration>,
    /// Virtual users, each with its own cookie jar (and connection, with --keep-alive),
    /// each sending its next request once its last is answered; the requests are
    /// spread evenly over them, and the report adds how sticky the balancer is to
    /// each. Without it, each request is a user of its own.
    #[arg(long, value_name = "U", value_parser = clap::value_parser!(u64).range(1..=10_000))]
    users: Option<u64>,
    /// How many at a time (at least 1): 4 by default; with --rate, the most in flight,
    /// 1000 by default.
    #[arg(short = 'c', long = "concurrency", value_parser = clap::value_parser!(u64).range(1..))]
    concurrency: Option<u64>,
    /// Send R requests per second on a fixed schedule, whatever the answers do (open
    /// loop), each timed from when it was due: a stall shows in the percentiles. A
    /// request due while --concurrency are in flight waits, still timed from when it
    /// was due, and counts as late.
    #[arg(long, value_name = "R", value_parser = per_second, conflicts_with = "users")]
    rate: Option<f64>,
    /// Send a GET that was written and then failed without a whole answer (closed,
    /// reset, malformed, cut) once more on a new connection, as browsers do for a
    /// kept connection's race; the report counts them.
    #[arg(long)]
    retry: bool,
    /// Reuse connections (an L4 balancer then pins each connection to one instance).
    #[arg(long)]
    keep_alive: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print the report as JSON (as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// With --duration: draw the timeline (each instance's share per second, the
    /// errors, the p99) as an SVG image in that file.
    #[arg(long, value_name = "FILE.svg", requires = "duration")]
    plot: Option<std::path::PathBuf>,
    /// The header that names the instance (a valid HTTP header name).
    #[arg(long, default_value = instance_id::DEFAULT_HEADER, value_parser = header_name)]
    header: String,
    /// Give up on one request after this many milliseconds (1 to 600000).
    #[arg(long, value_name = "MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_MS))]
    timeout_ms: u64,
    /// Trust the CA certificates in this PEM file too (for https to a balancer whose
    /// certificate a private CA signed).
    #[arg(long, value_name = "FILE")]
    cacert: Option<std::path::PathBuf>,
    /// Do not verify the server's certificate (the report says so).
    #[arg(long)]
    insecure: bool,
}

/// The longest `--duration`.
const MAX_DURATION: Duration = Duration::from_secs(3600);

/// The most in flight with `--rate`, unless `-c` says otherwise.
const RATE_CONCURRENCY: u64 = 1000;

/// The highest `--rate`.
const MAX_RATE: f64 = 1_000_000.0;

/// How late a request may go out before it counts as late: a timer's granularity.
const LATE: Duration = Duration::from_millis(1);

/// `--format`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

impl ProbeArgs {
    /// How many at a time: `-c`, else 4, else with `--rate` 1000.
    fn concurrency(&self) -> u64 {
        self.concurrency.unwrap_or(if self.rate.is_some() {
            RATE_CONCURRENCY
        } else {
            4
        })
    }

    fn json(&self) -> bool {
        self.json || self.format == Format::Json
    }
}

/// `--rate`: requests per second, more than none, at most a million.
fn per_second(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if rate > 0.0 && rate <= MAX_RATE => Ok(rate),
        _ => Err("a number of requests per second above 0 and at most 1000000".into()),
    }
}

/// `--duration`: `40s`, `2m`, `1h`; more than nothing, at most an hour.
fn duration(text: &str) -> Result<Duration, String> {
    let parsed = humantime::parse_duration(text).map_err(|err| err.to_string())?;
    if parsed.is_zero() || parsed > MAX_DURATION {
        return Err("a duration longer than nothing and at most 1h, such as 40s".into());
    }
    Ok(parsed)
}

/// `--header`: the rule the attribute's `header = "…"` follows.
fn header_name(text: &str) -> Result<String, instance_id_grammar::Error> {
    instance_id_grammar::header_name(text).map(|()| text.to_owned())
}

pub fn run(args: ProbeArgs) -> ExitCode {
    let url = match reqwest::Url::parse(&args.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(url) => {
            return crate::usage(format!(
                "only http:// and https:// URLs are probed, not {}://",
                url.scheme()
            ))
        }
        Err(err) => {
            return crate::usage(format!(
                "{} is not a URL: {err}",
                excerpt(&redact_text(&args.url))
            ))
        }
    };
    let shown_url = redact(&url);
    let target = match client::Target::new(
        &url,
        &args.header,
        Duration::from_millis(args.timeout_ms),
        args.keep_alive,
    ) {
        Ok(target) => target,
        Err(err) => return crate::usage(format!("{shown_url}: {err}")),
    };
    // One client for all, without cookies: each request a user of its own; or one
    // per virtual user, each with its jar.
    let https = url.scheme() == "https";
    let clients = tls::Trust::new(&args, https).map(|trust| match args.users {
        None => vec![client::Client::new(&trust, https, false)],
        Some(users) => (0..users)
            .map(|_| client::Client::new(&trust, https, true))
            .collect(),
    });
    let clients = match clients {
        Ok(clients) => clients,
        Err(err) => return crate::usage(err),
    };
    // Created before the run, so that an hour's run does not end in a file that
    // cannot be written.
    let plot = match &args.plot {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some((path, file)),
            Err(err) => {
                return crate::usage(format!(
                    "--plot {}: {err}",
                    crate::text::safe(&path.display().to_string())
                ))
            }
        },
        None => None,
    };
    more_descriptors();
    let runtime = match crate::async_runtime(Some(workers(&args))) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let results = match runtime.block_on(probe(&args, clients, target)) {
        Ok(results) => results,
        Err(err) => {
            crate::output::warn(&err);
            return ExitCode::FAILURE;
        }
    };
    let report = report::Report::new(&results, &args);
    let code = if results.answered() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if let Some((path, file)) = plot {
        if let Err(err) = plot::draw(file, &report, &results) {
            crate::output::warn(&format!(
                "--plot {}: {err}",
                crate::text::safe(&path.display().to_string())
            ));
            return ExitCode::FAILURE;
        }
    }
    let text = if args.json() {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => text + "\n",
            Err(err) => {
                crate::output::warn(&format!("cannot write JSON: {err}"));
                return ExitCode::FAILURE;
            }
        }
    } else {
        report::table(&args, &shown_url, &report, &results)
    };
    crate::output::finish(&text, code)
}

/// Raises the limit of open files to the most allowed: 10,000 users with
/// `--keep-alive` hold 10,000 sockets, and a shell's default soft limit is often 1,024.
/// Where it cannot be raised, connections past it fail, counted.
fn more_descriptors() {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit with a valid resource and a valid rlimit.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0
                && limit.rlim_cur < limit.rlim_max
            {
                limit.rlim_cur = limit.rlim_max;
                libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    }
}

/// The runtime's worker threads: one per core, and with `--keep-alive` at least two. A
/// kept connection's request costs the client so little that one worker mostly sleeps
/// until answers arrive; on a core shared with other work each wake-up then waits for
/// the scheduler, and every connection with it. Pinned to one core beside other work,
/// two workers took 45,000–53,000 requests/s where one took 26,000–30,000; with a new
/// connection per request the one worker stays busy, and a second only slowed it
/// (11,300–11,600 against 12,000–14,000): bench/PROBE-PROFILE.md.
fn workers(args: &ProbeArgs) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if args.keep_alive {
        cores.max(2)
    } else {
        cores
    }
}

/// Sends the requests, `--concurrency` at a time, until the count is reached or the
/// time is up; request `i` goes to virtual user `i mod U`, after that user's previous
/// request has been answered. With `--rate`, request `i` is due at `i / rate` seconds
/// from the start, and a worker free by then sends it then.
async fn probe(
    args: &ProbeArgs,
    clients: Vec<client::Client>,
    target: client::Target,
) -> Result<Results, String> {
    let seconds = args.duration.map_or(0, |d| d.as_secs_f64().ceil() as usize);
    let users = args.users.map_or(0, |u| u as usize);
    let results = Arc::new(Mutex::new(Results::new(users, seconds)));
    // A user is one session: its next request waits for the answer to its last, and
    // so carries the cookie that answer set, however many requests are in flight; with
    // --keep-alive the session also holds the user's connection.
    let clients: Arc<Vec<(client::Client, tokio::sync::Mutex<Option<client::Kept>>)>> = Arc::new(
        clients
            .into_iter()
            .map(|client| (client, tokio::sync::Mutex::new(None)))
            .collect(),
    );
    let target = Arc::new(target);
    // With --rate, the kept connections that are idle, for whichever worker sends
    // next: as many connections as were ever in flight at once, not one per worker.
    let idle: Arc<Mutex<Vec<client::Kept>>> = Arc::default();
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let limit = match args.duration {
        Some(duration) => Limit::Until(start + duration),
        None => Limit::Count(args.requests),
    };
    let workers = match limit {
        Limit::Count(total) => args.concurrency().min(total),
        Limit::Until(_) => args.concurrency(),
    };
    // Ctrl-C or SIGTERM ends the run early with its report: no new request is sent,
    // those in flight finish (within --timeout-ms). A second one ends it at once.
    // The flag is read before each request; the channel wakes workers that wait for
    // a request's time (--rate).
    let stop = Arc::new(AtomicBool::new(false));
    let (wake, stopped) = tokio::sync::watch::channel(false);
    let interrupts = tokio::spawn(interrupted(stop.clone(), wake));
    // Drawn from the results ten times a second rather than by each request, so that
    // the bar costs the requests nothing.
    let ticker = progress_bar(args).map(|bar| {
        let results = results.clone();
        let ticking = bar.clone();
        let handle = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            loop {
                every.tick().await;
                match limit {
                    Limit::Count(_) => {
                        if let Ok(results) = results.lock() {
                            ticking.set_position(results.sent);
                        }
                    }
                    Limit::Until(_) => ticking.set_position(start.elapsed().as_secs()),
                }
            }
        });
        (bar, handle)
    });
    let mut handles = Vec::new();
    for _ in 0..workers {
        let (clients, target, next, results, idle) = (
            clients.clone(),
            target.clone(),
            next.clone(),
            results.clone(),
            idle.clone(),
        );
        let mut stopped = stopped.clone();
        let stop = stop.clone();
        let per_user = args.users.is_some();
        let timeline = args.duration.is_some();
        let (rate, retry) = (args.rate, args.retry);
        handles.push(tokio::spawn(async move {
            // Without --users or --rate, the connection this worker keeps (--keep-alive).
            let mut own = None;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (asked, late) = match rate {
                    Some(rate) => {
                        let due = start + Duration::from_secs_f64(index as f64 / rate);
                        if !limit.allows(index, due) {
                            break;
                        }
                        let now = Instant::now();
                        if now < due {
                            tokio::select! {
                                _ = tokio::time::sleep_until(due.into()) => {}
                                Ok(_) = stopped.wait_for(|stop| *stop) => break,
                            }
                        }
                        (due, now > due + LATE)
                    }
                    None => {
                        let now = Instant::now();
                        if !limit.allows(index, now) {
                            break;
                        }
                        (now, false)
                    }
                };
                let user = (index % clients.len() as u64) as usize;
                let (client, session) = &clients[user];
                let mut turn = if per_user {
                    Some(session.lock().await)
                } else {
                    None
                };
                if rate.is_some() {
                    own = idle.lock().ok().and_then(|mut idle| idle.pop());
                }
                let kept = match turn.as_deref_mut() {
                    Some(kept) => kept,
                    None => &mut own,
                };
                let (answer, retried) = client::ask(&target, client, kept, retry).await;
                let outcome = Instant::now();
                if rate.is_some() {
                    if let (Some(kept), Ok(mut idle)) = (own.take(), idle.lock()) {
                        idle.push(kept);
                    }
                }
                let sample = Sample {
                    answer,
                    retried,
                    took: outcome.duration_since(asked),
                    late,
                    user: per_user.then_some(user),
                    at: timeline.then(|| outcome.duration_since(start)),
                };
                if let Ok(mut results) = results.lock() {
                    results.record(sample);
                }
            }
        }));
    }
    for handle in handles {
        handle
            .await
            .map_err(|err| format!("a probe worker failed: {err}"))?;
    }
    interrupts.abort();
    if let Some((bar, handle)) = ticker {
        handle.abort();
        // Once it has ended, the ticker's hold on the results is gone.
        let _ = handle.await;
        bar.finish_and_clear();
    }
    drop(clients);
    let results = Arc::try_unwrap(results)
        .map_err(|_| "the probe's workers still hold their results".to_owned())?;
    let mut results = results
        .into_inner()
        .map_err(|_| "a probe worker panicked".to_owned())?;
    results.finish(start.elapsed(), stop.load(Ordering::Relaxed));
    Ok(results)
}

/// Sets `stop` at the first SIGINT or SIGTERM, and exits at the second (130, as a
/// shell reports an interrupted command). Where the signals cannot be watched, the
/// run is stopped by them as any program is.
async fn interrupted(stop: Arc<AtomicBool>, wake: tokio::sync::watch::Sender<bool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        for _ in 0..2 {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            if stop.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
            wake.send_replace(true);
        }
    }
    #[cfg(not(unix))]
    {
        for _ in 0..2 {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            if stop.swap(true, Ordering::Relaxed) {
                std::process::exit(130);
            }
            wake.send_replace(true);
        }
    }
}

/// The URL as shown anywhere: its user information (`user:password@`) replaced by
/// `***@`. The requests still send it, as Basic authentication.
fn redact(url: &reqwest::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut bare = url.clone();
    // Setting them cannot fail on an http(s) URL, which has a host.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    let text = bare.to_string();
    match text.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://***@{rest}"),
        None => text,
    }
}

/// [`redact`] for what did not parse as a URL: whatever stands before an `@` in what
/// would be its authority.
fn redact_text(raw: &str) -> String {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("", raw));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) if raw.contains("://") => format!("{scheme}://***{}", &rest[at..]),
        Some(at) => format!("***{}", &rest[at..]),
        None => raw.to_owned(),
    }
}

/// When the workers stop.
#[derive(Clone, Copy)]
enum Limit {
    Count(u64),
    Until(Instant),
}

impl Limit {
    /// Whether request `index`, sent at `when`, may still be sent.
    fn allows(self, index: u64, when: Instant) -> bool {
        match self {
            Limit::Count(total) => index < total,
            Limit::Until(end) => when < end,
        }
    }
}

/// A bar on a terminal only: requests done, or seconds gone, and the rate.
fn progress_bar(args: &ProbeArgs) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let (length, template) = match args.duration {
        Some(duration) => (duration.as_secs(), "{bar:40} {pos}/{len} s"),
        None => (args.requests, "{bar:40} {pos}/{len} requests, {rate}"),
    };
    let progress = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        progress.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = out.write_str(&rate(state.per_sec()));
            },
        ));
    }
    Some(progress)
}

/// Whole requests per second: indicatif's own `{per_sec}` writes `3,010.6226/s`.
fn rate(per_sec: f64) -> String {
    format!("{per_sec:.0}/s")
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_information_is_never_shown() {
        let url = |text| reqwest::Url::parse(text).expect("a URL");
        assert_eq!(
            super::redact(&url("https://admin:s3cret@lb.example:8443/inst?x=1")),
            "https://***@lb.example:8443/inst?x=1"
        );
        assert_eq!(
            super::redact(&url("http://token@127.0.0.1/")),
            "http://***@127.0.0.1/"
        );
        assert_eq!(
            super::redact(&url("http://127.0.0.1:8080/inst")),
            "http://127.0.0.1:8080/inst"
        );
        assert_eq!(
            super::redact_text("http://admin:s3cret@[bad/inst@x"),
            "http://***@[bad/inst@x"
        );
        assert_eq!(super::redact_text("admin:pw@host"), "***@host");
        assert_eq!(super::redact_text("not a url"), "not a url");
    }

    #[test]
    fn the_rate_is_whole_requests_per_second() {
        assert_eq!(super::rate(3010.6226), "3011/s");
        assert_eq!(super::rate(0.4), "0/s");
    }
}
