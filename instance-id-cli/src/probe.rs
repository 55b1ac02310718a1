//! `instance-id probe`: send requests through a balancer and show how they
//! spread over the instances behind it.
//!
//! A new connection per request by default: that is what distinct users look like
//! (an L4 balancer such as kube-proxy pins every request of a connection to one
//! instance). The identity comes from the header, else from the body. http and https
//! (rustls, the system's roots, `--cacert`, `--insecure`). Memory stays bounded
//! however many distinct ids answer: the first [`MAX_TRACKED`] are tracked exactly,
//! the rest counted together, and the report says so.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::io::Read;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use instance_id::InstanceId;

use crate::text::safe;

/// The short form of an id the probe tracked (it passed the value rules).
fn short(id: &str) -> &str {
    InstanceId::new(id)
        .map(|checked| &id[..checked.short().len()])
        .unwrap_or(id)
}

/// The most of a body read for an id: the text route answers the id and a newline.
const MAX_BODY_BYTES: usize = 1024;

/// Instances tracked one by one, each with its latency histogram (about 170 KB). A
/// balancer has a few; a server that answers a new id each time has millions.
const MAX_TRACKED: usize = 64;

/// Distinct untracked ids counted before the count says "at least".
const MAX_UNTRACKED_IDS: usize = 10_000;

/// The longest a request may be given (`--timeout-ms`), and the top of the histograms.
const MAX_TIMEOUT_MS: u64 = 600_000;

/// The most read of a `--cacert` file: a bundle of a few hundred certificates.
const MAX_CACERT_BYTES: u64 = 1024 * 1024;

#[derive(clap::Args)]
pub struct ProbeArgs {
    /// The http:// or https:// URL to send GET requests to (the identity route behind
    /// the balancer).
    url: String,
    /// How many requests in all (at least 1).
    #[arg(short = 'n', long = "requests", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..))]
    requests: u64,
    /// How many at a time (at least 1).
    #[arg(short = 'c', long = "concurrency", default_value_t = 4,
          value_parser = clap::value_parser!(u64).range(1..))]
    concurrency: u64,
    /// Reuse connections (an L4 balancer then pins each connection to one instance).
    #[arg(long)]
    keep_alive: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
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

/// `--header`: the rule the attribute's `header = "…"` follows.
fn header_name(text: &str) -> Result<String, instance_id_grammar::Error> {
    instance_id_grammar::header_name(text).map(|()| text.to_owned())
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
    untracked: Untracked,
}

/// The answers of ids past the first [`MAX_TRACKED`]: counted, not tracked.
#[derive(Default, serde::Serialize)]
struct Untracked {
    /// Distinct ids, up to [`MAX_UNTRACKED_IDS`].
    ids: u64,
    /// Whether there were more distinct ids than counted.
    ids_at_least: bool,
    /// Requests they answered.
    requests: u64,
    #[serde(skip)]
    seen: HashSet<String>,
}

impl Untracked {
    fn is_empty(&self) -> bool {
        self.requests == 0
    }
}

impl Results {
    fn record(&mut self, answer: Answer, took: Duration) {
        match answer {
            Answer::Instance(id) => {
                if !self.instances.contains_key(&id) && self.instances.len() >= MAX_TRACKED {
                    let untracked = &mut self.untracked;
                    untracked.requests += 1;
                    if untracked.seen.len() < MAX_UNTRACKED_IDS {
                        if untracked.seen.insert(id) {
                            untracked.ids += 1;
                        }
                    } else if !untracked.seen.contains(&id) {
                        untracked.ids_at_least = true;
                    }
                    return;
                }
                let tally = self.instances.entry(id).or_insert_with(|| Tally {
                    count: 0,
                    // 1 µs to the longest timeout, three significant figures. Fixed
                    // bounds: a saturating record never resizes, it clamps.
                    latency_us: Histogram::new_with_bounds(1, MAX_TIMEOUT_MS * 1000, 3)
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
struct Report<'r> {
    requests: u64,
    errors: u64,
    instances: Vec<InstanceReport>,
    /// Ids past the first 64, counted together; only when there were some.
    #[serde(skip_serializing_if = "Untracked::is_empty")]
    untracked: &'r Untracked,
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

pub fn run(args: ProbeArgs) -> ExitCode {
    let url = match reqwest::Url::parse(&args.url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(url) => {
            eprintln!(
                "instance-id: only http:// and https:// URLs are probed, not {}://",
                safe(url.scheme())
            );
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("instance-id: {:?} is not a URL: {err}", args.url);
            return ExitCode::from(2);
        }
    };
    let client = match client(&args) {
        Ok(client) => client,
        Err(err) => {
            eprintln!("instance-id: {}", safe(&err));
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let results = match runtime.block_on(probe(&args, client, url)) {
        Ok(results) => results,
        Err(err) => {
            eprintln!("instance-id: {err}");
            return ExitCode::FAILURE;
        }
    };
    let report = report(&results, args.requests, args.insecure);
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

/// The HTTP client: no proxy, no redirect, the timeout, and the trust asked for.
fn client(args: &ProbeArgs) -> Result<reqwest::Client, String> {
    let mut client = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(Duration::from_millis(args.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if !args.keep_alive {
        client = client.pool_max_idle_per_host(0);
    }
    if let Some(path) = &args.cacert {
        let shown = safe(&path.display().to_string()).into_owned();
        let mut pem = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_CACERT_BYTES + 1).read_to_end(&mut pem))
            .map_err(|err| format!("--cacert {shown}: {err}"))?;
        if pem.len() as u64 > MAX_CACERT_BYTES {
            return Err(format!("--cacert {shown} is larger than 1 MiB"));
        }
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|err| format!("--cacert {shown} holds no PEM certificate: {err}"))?;
        if certificates.is_empty() {
            return Err(format!("--cacert {shown} holds no PEM certificate"));
        }
        for certificate in certificates {
            client = client.add_root_certificate(certificate);
        }
    }
    if args.insecure {
        client = client.danger_accept_invalid_certs(true);
    }
    client
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))
}

async fn probe(
    args: &ProbeArgs,
    client: reqwest::Client,
    url: reqwest::Url,
) -> Result<Results, String> {
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(args.requests), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} requests, {rate}") {
        // indicatif's own {per_sec} writes "3,010.6226/s".
        progress.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0}/s", state.per_sec());
            },
        ));
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
    if let Some(tls) = tls_error(err) {
        tls
    } else if err.is_timeout() {
        "timeout".into()
    } else if err.is_connect() {
        "connection refused or failed".into()
    } else if err.is_body() || err.is_decode() {
        "broken body".into()
    } else {
        "request failed".into()
    }
}

/// A failed TLS handshake, named: certificate errors are what `--cacert` and
/// `--insecure` are for.
fn tls_error(err: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        // An io::Error's source() skips the error it wraps, and hyper wraps one
        // io::Error in another: look inside each layer.
        let mut layer = current;
        while let Some(inner) = layer
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            layer = inner;
        }
        if let Some(tls) = layer.downcast_ref::<rustls::Error>() {
            return Some(match tls {
                rustls::Error::InvalidCertificate(why) => {
                    format!("certificate not accepted: {}", certificate_words(why))
                }
                other => format!("TLS failed: {other}"),
            });
        }
        source = current.source();
    }
    None
}

fn certificate_words(error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match error {
        E::UnknownIssuer => "unknown issuer (give its CA with --cacert)".into(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "not valid for this host name".into()
        }
        E::Expired | E::ExpiredContext { .. } => "expired".into(),
        E::NotValidYet | E::NotValidYetContext { .. } => "not valid yet".into(),
        E::BadSignature => "bad signature".into(),
        E::Revoked => "revoked".into(),
        other => format!("{other:?}"),
    }
}

fn report(results: &Results, requests: u64, insecure: bool) -> Report<'_> {
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
        untracked: &results.untracked,
        insecure,
    }
}

/// The table a person reads at a glance: one line per instance, then the errors.
fn table(args: &ProbeArgs, report: &Report, errors: &BTreeMap<String, u64>) -> String {
    // Count, share, bar, p50, p99 and a 12-character id fit 80 columns.
    const BAR: usize = 24;
    let connections = if args.keep_alive {
        "connections reused (--keep-alive): an L4 balancer pins each connection to one instance"
    } else {
        "a new connection per request"
    };
    let mut out = format!(
        "{} requests to {}, {} at a time, {connections}\n",
        report.requests,
        safe(&args.url),
        args.concurrency
    );
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
            short(&instance.id),
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
    out
}
