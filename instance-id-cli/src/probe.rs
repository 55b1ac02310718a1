//! `instance-id probe`: send requests through a balancer and show how they
//! spread over the instances behind it.
//!
//! A new connection per request by default: that is what distinct users look like
//! (an L4 balancer such as kube-proxy pins every request of a connection to one
//! instance). The identity comes from the header, else from the body.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use instance_id::InstanceId;

/// The most of a body read for an id: the text route answers the id and a newline.
const MAX_BODY_BYTES: usize = 1024;

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The URL to send GET requests to (the identity route behind the balancer).
    url: String,
    /// How many requests in all.
    #[arg(short = 'n', long = "requests", default_value_t = 100)]
    requests: u64,
    /// How many at a time.
    #[arg(short = 'c', long = "concurrency", default_value_t = 4)]
    concurrency: u64,
    /// Reuse connections (an L4 balancer then pins each connection to one instance).
    #[arg(long)]
    keep_alive: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// The header that names the instance.
    #[arg(long, default_value = instance_id::DEFAULT_HEADER)]
    header: String,
    /// Give up on one request after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    timeout_ms: u64,
}

/// What one request found.
enum Answer {
    Instance(String),
    Error(String),
}

/// Per instance: how many answers and how long they took.
struct Tally {
    count: u64,
    latency_us: Histogram<u64>,
}

#[derive(Default)]
struct Results {
    instances: BTreeMap<String, Tally>,
    errors: BTreeMap<String, u64>,
}

impl Results {
    fn record(&mut self, answer: Answer, took: Duration) {
        match answer {
            Answer::Instance(id) => {
                let tally = self.instances.entry(id).or_insert_with(|| Tally {
                    count: 0,
                    // 1 µs to an hour, three significant figures. Fixed bounds: a
                    // saturating record never resizes an auto-sized histogram, it clamps.
                    latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                        .unwrap_or_else(|_| unreachable!("valid bounds")),
                });
                tally.count += 1;
                let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
                tally.latency_us.saturating_record(us);
            }
            Answer::Error(kind) => *self.errors.entry(kind).or_default() += 1,
        }
    }
}

/// The JSON report: `{"requests", "errors", "instances": [{"id", "count", "share", "p50_ms", "p99_ms"}]}`.
#[derive(serde::Serialize)]
struct Report {
    requests: u64,
    errors: u64,
    instances: Vec<InstanceReport>,
}

#[derive(serde::Serialize)]
struct InstanceReport {
    id: String,
    count: u64,
    share: f64,
    p50_ms: f64,
    p99_ms: f64,
}

pub fn run(args: ProbeArgs) -> ExitCode {
    if args.requests == 0 || args.concurrency == 0 {
        eprintln!("instance-id: -n and -c must be at least 1");
        return ExitCode::from(2);
    }
    let url = match reqwest::Url::parse(&args.url) {
        Ok(url) if url.scheme() == "http" => url,
        Ok(url) => {
            eprintln!(
                "instance-id: only http:// URLs are probed, not {}://",
                url.scheme()
            );
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("instance-id: {:?} is not a URL: {err}", args.url);
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let results = match runtime.block_on(probe(&args, url)) {
        Ok(results) => results,
        Err(err) => {
            eprintln!("instance-id: {err}");
            return ExitCode::FAILURE;
        }
    };
    let report = report(&results, args.requests);
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(err) => eprintln!("instance-id: cannot write JSON: {err}"),
        }
    } else {
        print!("{}", table(&args, &report, &results.errors));
    }
    if report.instances.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

async fn probe(args: &ProbeArgs, url: reqwest::Url) -> Result<Results, String> {
    let mut client = reqwest::Client::builder()
        .timeout(Duration::from_millis(args.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if !args.keep_alive {
        client = client.pool_max_idle_per_host(0);
    }
    let client = client
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))?;

    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(args.requests), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} requests, {per_sec}") {
        progress.set_style(style);
    }

    let next = Arc::new(AtomicU64::new(0));
    let results = Arc::new(Mutex::new(Results::default()));
    let header = Arc::<str>::from(args.header.as_str());
    let mut workers = Vec::new();
    for _ in 0..args.concurrency.min(args.requests) {
        let (client, url, next, results, header, progress) = (
            client.clone(),
            url.clone(),
            next.clone(),
            results.clone(),
            header.clone(),
            progress.clone(),
        );
        let (total, keep_alive) = (args.requests, args.keep_alive);
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let start = Instant::now();
                let answer = ask(&client, &url, &header, keep_alive).await;
                let took = start.elapsed();
                if let Ok(mut results) = results.lock() {
                    results.record(answer, took);
                }
                progress.inc(1);
            }
        }));
    }
    for worker in workers {
        worker
            .await
            .map_err(|err| format!("a probe worker failed: {err}"))?;
    }
    progress.finish_and_clear();
    let results = Arc::try_unwrap(results)
        .map_err(|_| "the probe's workers still hold their results".to_owned())?;
    results
        .into_inner()
        .map_err(|_| "a probe worker panicked".to_owned())
}

/// One GET: the instance that answered, or what went wrong.
async fn ask(
    client: &reqwest::Client,
    url: &reqwest::Url,
    header: &str,
    keep_alive: bool,
) -> Answer {
    let mut request = client.get(url.clone());
    if !keep_alive {
        request = request.header(reqwest::header::CONNECTION, "close");
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(err) => return Answer::Error(classify(&err)),
    };
    let status = response.status();
    if !status.is_success() {
        return Answer::Error(format!("HTTP {}", status.as_u16()));
    }
    let from_header = response
        .headers()
        .get(header)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let raw = match from_header {
        Some(value) => value,
        None => match read_prefix(&mut response).await {
            Ok(body) => body.lines().next().unwrap_or("").to_owned(),
            Err(err) => return Answer::Error(classify(&err)),
        },
    };
    match InstanceId::new(&raw) {
        Ok(id) => Answer::Instance(id.into_string()),
        Err(_) => Answer::Error("no instance id in the answer".into()),
    }
}

/// The first [`MAX_BODY_BYTES`] of the body, as text.
async fn read_prefix(response: &mut reqwest::Response) -> Result<String, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < MAX_BODY_BYTES {
        match response.chunk().await? {
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    body.truncate(MAX_BODY_BYTES);
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn classify(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timeout".into()
    } else if err.is_connect() {
        "connection refused or failed".into()
    } else if err.is_body() || err.is_decode() {
        "broken body".into()
    } else {
        "request failed".into()
    }
}

fn report(results: &Results, requests: u64) -> Report {
    let mut instances: Vec<InstanceReport> = results
        .instances
        .iter()
        .map(|(id, tally)| InstanceReport {
            id: id.clone(),
            count: tally.count,
            share: tally.count as f64 / requests as f64,
            p50_ms: tally.latency_us.value_at_quantile(0.50) as f64 / 1000.0,
            p99_ms: tally.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
        })
        .collect();
    instances.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
    Report {
        requests,
        errors: results.errors.values().sum(),
        instances,
    }
}

/// The table a person reads at a glance: one line per instance, then the errors.
fn table(args: &ProbeArgs, report: &Report, errors: &BTreeMap<String, u64>) -> String {
    const BAR: usize = 30;
    let connections = if args.keep_alive {
        "connections reused (--keep-alive): an L4 balancer pins each connection to one instance"
    } else {
        "a new connection per request"
    };
    let mut out = format!(
        "{} requests to {}, {} at a time, {connections}\n\n",
        report.requests, args.url, args.concurrency
    );
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
            instance.id
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
    out
}
