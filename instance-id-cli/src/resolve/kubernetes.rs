//! `instance-id resolve --kubernetes ID`: from a reported id to the pod and container
//! that has it, on the cluster of the kubeconfig as kubectl finds it.
//!
//! The pods are listed a page at a time (`limit`, `continue`), each page matched and
//! dropped before the next is asked for, so that a cluster of tens of thousands of
//! pods costs about one page of memory. kube reads a response body whole before it
//! decodes it: a layer on the client's service stack cuts every body off at its
//! limit, so that no answer, however large, is read past it. One deadline covers the
//! whole exchange. Everything the API server says is text from outside: escaped
//! before it reaches the terminal, and never a reason to panic.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use http_body_util::{LengthLimitError, Limited};
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod};
use kube::api::{Api, ListParams};
use kube::client::ClientBuilder;
use kube::config::{Config, KubeConfigOptions, Kubeconfig};
use serde::Serialize;
use tokio::time::Instant;
use tower::util::MapResponseLayer;

use super::{json, shell_word, Form, Format, ResolveArgs, Token};
use crate::text::{bounded, excerpt, safe};

/// Pods asked for at a time: kubectl's own page (`--chunk-size`).
const PAGE: u32 = 500;

/// The most read of one answer: a page of 500 pods is a few MiB even with large
/// specs; this leaves room tenfold, and a larger answer is refused, never read whole.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The largest kubeconfig file read: it holds a few clusters and their certificates.
const MAX_KUBECONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// Matches kept whole; any more are counted.
const MAX_MATCHES: usize = 16;

/// The most characters of a server's message quoted in an error.
const MAX_MESSAGE_CHARS: usize = 400;

/// Where the service account's files are in a pod.
const SERVICE_ACCOUNT_CA: &str = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";

pub(super) fn run(args: &ResolveArgs, token: &Token, key: Option<&str>) -> ExitCode {
    let runtime = match crate::async_runtime(None) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let namespace = args.namespace.as_deref();
    let searched = runtime.block_on(async {
        let deadline = Instant::now() + timeout;
        let search = async {
            let (client, place) = connect(args.context.as_deref()).await?;
            search(client, &place, namespace, token, key).await
        };
        tokio::time::timeout_at(deadline, search)
            .await
            .unwrap_or(Err(KubeError::TimedOut(timeout)))
    });
    let searched = match searched {
        Ok(searched) => searched,
        Err(err) => {
            crate::output::warn(&safe(&err.to_string()));
            return if err.is_usage() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            };
        }
    };
    report(&searched, token, key, args.format)
}

/// What the search came to.
struct Searched {
    /// The context's words for messages, escaped.
    place: Place,
    /// `all namespaces` or `namespace "shop"`, escaped.
    scope: String,
    checked: usize,
    found: Vec<Found>,
    /// Matches past the first [`MAX_MATCHES`], counted.
    more: usize,
}

/// What the operator reads, or the JSON; one match exits 0, none or several exit 1.
fn report(searched: &Searched, token: &Token, key: Option<&str>, format: Format) -> ExitCode {
    let total = searched.found.len() + searched.more;
    let more = if searched.more > 0 {
        format!(" and {} more", searched.more)
    } else {
        String::new()
    };
    let (text, code, warning) = match (searched.found.as_slice(), format) {
        ([one], Format::Text) => (Ok(one.text()), ExitCode::SUCCESS, None),
        ([one], Format::Json) => (json(one), ExitCode::SUCCESS, None),
        ([], _) => {
            let hint = if key.is_none() {
                "; for a hashed id, give --key-env with the app's key"
            } else {
                ""
            };
            let message = format!(
                "no pod in {} ({}) has a container id, pod name or pod uid that {} names ({} pods checked){hint}",
                searched.place.context,
                searched.scope,
                excerpt(&token.raw),
                searched.checked
            );
            let text = match format {
                Format::Text => Ok(String::new()),
                Format::Json => json(&Several {
                    matches: &[],
                    more: 0,
                }),
            };
            (text, ExitCode::FAILURE, Some(message))
        }
        (many, Format::Text) => {
            let lines: String = many.iter().map(|found| found.line() + "\n").collect();
            let message = format!(
                "{total} matches for {}{more}; give --namespace, or more of the id",
                excerpt(&token.raw)
            );
            (Ok(lines), ExitCode::FAILURE, Some(message))
        }
        (many, Format::Json) => {
            let text = json(&Several {
                matches: many,
                more: searched.more,
            });
            let message = format!("{total} matches for {}{more}", excerpt(&token.raw));
            (text, ExitCode::FAILURE, Some(message))
        }
    };
    let code = match text {
        Ok(text) if text.is_empty() => code,
        Ok(text) => crate::output::finish(&text, code),
        Err(err) => {
            crate::output::warn(&err);
            return ExitCode::FAILURE;
        }
    };
    if let Some(message) = warning {
        crate::output::warn(&message);
    }
    code
}

/// `{"matches": […], "more": N}`: several pods (or none) match.
#[derive(Serialize)]
struct Several<'a> {
    matches: &'a [Found],
    /// Matches past those listed, counted.
    more: usize,
}

/// Which cluster, as whom, trusting which CA: the words every message names them by,
/// already escaped.
#[derive(Clone)]
struct Place {
    /// `context "kind-shop"`, or `the pod's service account`.
    context: String,
    /// The API server's URL.
    server: String,
    /// `user "alice"`, or `the pod's service account`.
    user: String,
    /// The CA the server's certificate is checked against.
    ca: String,
}

/// The kubeconfig kubectl would read: the files `KUBECONFIG` lists (those that exist,
/// merged, the first to set a value winning), else `~/.kube/config`; `None` where
/// neither is there. Returns it with the words that say where it came from.
fn read_kubeconfig() -> Result<Option<(Kubeconfig, String)>, KubeError> {
    if let Some(list) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let paths: Vec<PathBuf> = std::env::split_paths(&list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        let from = format!("KUBECONFIG={}", safe(&list.to_string_lossy()));
        let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.exists()).collect();
        if existing.is_empty() {
            return Err(KubeError::NoKubeconfig(format!(
                "{from} names no file that exists"
            )));
        }
        let mut merged = Kubeconfig::default();
        for path in existing {
            let next = read_file(path)?;
            merged = merged.merge(next).map_err(|err| KubeError::Kubeconfig {
                from: from.clone(),
                why: first_line(&err),
            })?;
        }
        return Ok(Some((merged, from)));
    }
    let Some(path) = std::env::home_dir().map(|home| home.join(".kube").join("config")) else {
        return Ok(None);
    };
    if !path.exists() {
        return Ok(None);
    }
    let from = safe(&path.display().to_string()).into_owned();
    Ok(Some((read_file(&path)?, from)))
}

/// The first line of an error, escaped: the YAML parser's own goes on to draw the
/// offending line of the file, which may hold a credential.
fn first_line(err: &dyn std::fmt::Display) -> String {
    let text = err.to_string();
    safe(text.lines().next().unwrap_or_default()).into_owned()
}

/// One kubeconfig file, if it is a file of a sensible size: a FIFO or a device where
/// the file should be would block or never end.
fn read_file(path: &Path) -> Result<Kubeconfig, KubeError> {
    let from = safe(&path.display().to_string()).into_owned();
    let unusable = |why: String| KubeError::Kubeconfig {
        from: from.clone(),
        why,
    };
    let meta = std::fs::metadata(path).map_err(|err| unusable(first_line(&err)))?;
    if !meta.is_file() {
        return Err(unusable("it is not a regular file".into()));
    }
    if meta.len() > MAX_KUBECONFIG_BYTES {
        return Err(unusable(format!(
            "it is larger than {} MiB",
            MAX_KUBECONFIG_BYTES >> 20
        )));
    }
    Kubeconfig::read_from(path).map_err(|err| unusable(first_line(&err)))
}

/// A client for the cluster that `context` (else the current context) names, as
/// kubectl finds it; in a pod without a kubeconfig, the pod's service account.
async fn connect(context: Option<&str>) -> Result<(kube::Client, Place), KubeError> {
    let (mut config, mut place) = match read_kubeconfig()? {
        Some((kubeconfig, from)) => from_kubeconfig(kubeconfig, from, context).await?,
        None => in_cluster(context)?,
    };
    if let Some(proxy) = &config.proxy_url {
        // Scheme, host and port: a proxy's URL may carry a password.
        let port = proxy.port().map(|p| format!(":{p}")).unwrap_or_default();
        place.server = format!(
            "{} (through the proxy {}://{}{port})",
            place.server,
            safe(proxy.scheme_str().unwrap_or("http")),
            safe(proxy.host().unwrap_or("?")),
        );
    }
    // The deadline is the one that counts: kube's own connect timeout (30 s) would
    // cut it short, or name a slow handshake as an unreachable server.
    config.connect_timeout = None;
    let builder = ClientBuilder::try_from(config).map_err(|err| classify(err, &place, None))?;
    let client = builder
        .with_layer(&MapResponseLayer::new(bounded_body))
        .build();
    Ok((client, place))
}

/// The body-limiting layer's work: every response body cut off at [`MAX_BODY_BYTES`],
/// an error (that [`classify`] names) past it.
fn bounded_body<B>(response: http::Response<B>) -> http::Response<Limited<B>> {
    response.map(|body| Limited::new(body, MAX_BODY_BYTES))
}

async fn from_kubeconfig(
    kubeconfig: Kubeconfig,
    from: String,
    context: Option<&str>,
) -> Result<(Config, Place), KubeError> {
    let known = || -> Vec<String> {
        kubeconfig
            .contexts
            .iter()
            .map(|c| excerpt(&c.name))
            .collect()
    };
    let name = match context
        .map(str::to_owned)
        .or_else(|| kubeconfig.current_context.clone())
        .filter(|name| !name.is_empty())
    {
        Some(name) => name,
        None => {
            return Err(KubeError::NoCurrentContext {
                from,
                known: known(),
            })
        }
    };
    let Some(chosen) = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == name)
        .and_then(|c| c.context.as_ref())
    else {
        return Err(KubeError::UnknownContext {
            name: excerpt(&name),
            from,
            known: known(),
        });
    };
    let cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == chosen.cluster)
        .and_then(|c| c.cluster.as_ref());
    let cluster_name = excerpt(&chosen.cluster);
    let ca = match cluster {
        Some(c) if c.insecure_skip_tls_verify == Some(true) => {
            "no CA (insecure-skip-tls-verify is set)".to_owned()
        }
        Some(c) if c.certificate_authority_data.is_some() => {
            format!("the certificate-authority-data of cluster {cluster_name} in {from}")
        }
        Some(c) => match &c.certificate_authority {
            Some(file) => format!(
                "the CA file {} (certificate-authority of cluster {cluster_name} in {from})",
                safe(file)
            ),
            None => format!(
                "the system's trusted roots (cluster {cluster_name} in {from} names no certificate-authority)"
            ),
        },
        None => String::new(),
    };
    let place = Place {
        context: format!("context {} of {from}", excerpt(&name)),
        server: cluster
            .and_then(|c| c.server.as_deref())
            .map(|s| safe(s).into_owned())
            .unwrap_or_default(),
        user: match &chosen.user {
            Some(user) => format!("user {}", excerpt(user)),
            None => "no user (anonymous)".into(),
        },
        ca,
    };
    let options = KubeConfigOptions {
        context: Some(name),
        ..KubeConfigOptions::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|err| KubeError::Kubeconfig {
            from: place.context.clone(),
            why: first_line(&err),
        })?;
    Ok((config, place))
}

/// No kubeconfig: inside a pod, its service account, as kubectl takes it.
fn in_cluster(context: Option<&str>) -> Result<(Config, Place), KubeError> {
    let nowhere = "KUBECONFIG is unset and ~/.kube/config does not exist";
    if let Some(name) = context {
        return Err(KubeError::NoKubeconfig(format!(
            "--context {}: {nowhere}",
            excerpt(name)
        )));
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
        return Err(KubeError::NoKubeconfig(format!(
            "{nowhere}, and this is not a pod (no KUBERNETES_SERVICE_HOST)"
        )));
    }
    let config = Config::incluster().map_err(|err| {
        KubeError::NoKubeconfig(format!(
            "{nowhere}, and the pod's service account cannot be used: {}",
            safe(&err.to_string())
        ))
    })?;
    let place = Place {
        context: "the pod's service account".into(),
        server: safe(&config.cluster_url.to_string()).into_owned(),
        user: "the pod's service account".into(),
        ca: format!("the service account's CA, {SERVICE_ACCOUNT_CA}"),
    };
    Ok((config, place))
}

/// Every pod in `namespace` (else all namespaces), a page at a time, matched against
/// the token as it arrives.
async fn search(
    client: kube::Client,
    place: &Place,
    namespace: Option<&str>,
    token: &Token,
    key: Option<&str>,
) -> Result<Searched, KubeError> {
    let api: Api<Pod> = match namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let scope = match namespace {
        Some(ns) => format!("namespace {}", excerpt(ns)),
        None => "all namespaces".into(),
    };
    let mut searched = Searched {
        place: place.clone(),
        scope,
        checked: 0,
        found: Vec::new(),
        more: 0,
    };
    let mut params = ListParams::default().limit(PAGE);
    loop {
        let page = api
            .list(&params)
            .await
            .map_err(|err| classify(err, place, Some(namespace)))?;
        for pod in &page.items {
            searched.checked += 1;
            for found in matches(pod, token, key) {
                if searched.found.len() < MAX_MATCHES {
                    searched.found.push(found);
                } else {
                    searched.more += 1;
                }
            }
        }
        match page.metadata.continue_.filter(|next| !next.is_empty()) {
            Some(next) => params = params.continue_token(&next),
            None => return Ok(searched),
        }
    }
}

/// Which kind of container a status is of.
#[derive(Clone, Copy)]
enum Kind {
    App,
    /// An init container, and a native sidecar (an init container that keeps running).
    Init,
    /// One that `kubectl debug` added.
    Ephemeral,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::App => "container",
            Kind::Init => "init",
            Kind::Ephemeral => "ephemeral",
        }
    }
}

/// Every container status of the pod, of every kind.
fn statuses(pod: &Pod) -> impl Iterator<Item = (Kind, &ContainerStatus)> {
    let status = pod.status.as_ref();
    [
        (
            Kind::App,
            status.and_then(|s| s.container_statuses.as_ref()),
        ),
        (
            Kind::Init,
            status.and_then(|s| s.init_container_statuses.as_ref()),
        ),
        (
            Kind::Ephemeral,
            status.and_then(|s| s.ephemeral_container_statuses.as_ref()),
        ),
    ]
    .into_iter()
    .flat_map(|(kind, list)| list.into_iter().flatten().map(move |s| (kind, s)))
}

/// What in `pod` the token names: the pod itself (by its name or uid), or one of its
/// containers by its id or its previous id.
fn matches(pod: &Pod, token: &Token, key: Option<&str>) -> Vec<Found> {
    let mut found = Vec::new();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let by_pod = token
        .name(name, key)
        .map(|form| form.describe("pod name"))
        .or_else(|| token.name(uid, key).map(|form| form.describe("pod uid")));
    if let Some(how) = by_pod {
        found.push(Found::new(pod, None, how));
    }
    for (kind, status) in statuses(pod) {
        let current = status.container_id.as_deref().unwrap_or_default();
        if let Some(form) = token.container(current, key) {
            found.push(Found::new(
                pod,
                Some((kind, status, false)),
                form.describe("container id"),
            ));
        }
        let previous = terminated_before(status)
            .and_then(|t| t.container_id.as_deref())
            .unwrap_or_default();
        if let Some(form) = token.container(previous, key) {
            let how = match form {
                Form::Whole => "the previous container id".to_owned(),
                other => other.describe("previous container id"),
            };
            found.push(Found::new(pod, Some((kind, status, true)), how));
        }
    }
    found
}

fn terminated_before(
    status: &ContainerStatus,
) -> Option<&k8s_openapi::api::core::v1::ContainerStateTerminated> {
    status.last_state.as_ref()?.terminated.as_ref()
}

/// A pod, or one container of it, as the report shows it. The fields carry the API
/// server's words exact (JSON escapes what it must); [`Found::text`] escapes them for
/// the terminal.
#[derive(Serialize)]
struct Found {
    namespace: String,
    pod: String,
    /// `None` when the id names the pod: then `containers` says the rest.
    container: Option<String>,
    /// The matched container's id as the pod's status writes it (`containerd://…`).
    container_id: Option<String>,
    containers: Vec<ContainerReport>,
    node: Option<String>,
    phase: Option<String>,
    /// The container's readiness; for the pod, its `Ready` condition.
    ready: Option<bool>,
    /// The container's restarts; for the pod, all its containers'.
    restarts: i64,
    last_termination: Option<Termination>,
    started_at: Option<String>,
    image: Option<String>,
    logs: String,
    describe: String,
    /// How the id matched, in words.
    #[serde(skip)]
    how: String,
}

#[derive(Serialize)]
struct ContainerReport {
    name: String,
    /// `container`, `init` or `ephemeral`.
    kind: &'static str,
    container_id: Option<String>,
    image: String,
    ready: bool,
    restarts: i32,
    /// `running`, `waiting: CrashLoopBackOff`, `terminated: Completed (exit code 0)`.
    state: Option<String>,
    started_at: Option<String>,
    last_termination: Option<Termination>,
}

#[derive(Serialize)]
struct Termination {
    reason: Option<String>,
    exit_code: i32,
    started_at: Option<String>,
    finished_at: Option<String>,
    container_id: Option<String>,
}

impl Termination {
    fn of(terminated: &k8s_openapi::api::core::v1::ContainerStateTerminated) -> Termination {
        Termination {
            reason: terminated.reason.clone(),
            exit_code: terminated.exit_code,
            started_at: terminated.started_at.as_ref().map(|t| t.0.to_string()),
            finished_at: terminated.finished_at.as_ref().map(|t| t.0.to_string()),
            container_id: terminated.container_id.clone(),
        }
    }

    /// ` (last: OOMKilled, exit code 137, at …)` after a restart count; nothing
    /// without a termination.
    fn after(last: Option<&Termination>) -> String {
        last.map(|t| format!(" (last: {})", t.words()))
            .unwrap_or_default()
    }

    /// `OOMKilled, exit code 137, at 2026-11-25T08:02:11Z`.
    fn words(&self) -> String {
        let mut words = Vec::new();
        if let Some(reason) = &self.reason {
            words.push(safe(reason).into_owned());
        }
        words.push(format!("exit code {}", self.exit_code));
        if let Some(at) = &self.finished_at {
            words.push(format!("at {}", safe(at)));
        }
        words.join(", ")
    }
}

impl ContainerReport {
    fn of(kind: Kind, status: &ContainerStatus) -> ContainerReport {
        ContainerReport {
            name: status.name.clone(),
            kind: kind.word(),
            container_id: status.container_id.clone(),
            image: status.image.clone(),
            ready: status.ready,
            restarts: status.restart_count,
            state: status.state.as_ref().and_then(state_words),
            started_at: status.state.as_ref().and_then(started_at),
            last_termination: terminated_before(status).map(Termination::of),
        }
    }
}

fn state_words(state: &ContainerState) -> Option<String> {
    if state.running.is_some() {
        Some("running".into())
    } else if let Some(waiting) = &state.waiting {
        Some(match &waiting.reason {
            Some(reason) => format!("waiting: {reason}"),
            None => "waiting".into(),
        })
    } else {
        state.terminated.as_ref().map(|t| match &t.reason {
            Some(reason) => format!("terminated: {reason} (exit code {})", t.exit_code),
            None => format!("terminated (exit code {})", t.exit_code),
        })
    }
}

fn started_at(state: &ContainerState) -> Option<String> {
    let time = match (&state.running, &state.terminated) {
        (Some(running), _) => running.started_at.as_ref(),
        (None, Some(terminated)) => terminated.started_at.as_ref(),
        (None, None) => None,
    };
    time.map(|t| t.0.to_string())
}

impl Found {
    /// `container`: the kind and status of the matched container, and whether the id
    /// was its previous one (the container has restarted since).
    fn new(pod: &Pod, container: Option<(Kind, &ContainerStatus, bool)>, how: String) -> Found {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.as_ref();
        let containers: Vec<ContainerReport> = statuses(pod)
            .map(|(kind, s)| ContainerReport::of(kind, s))
            .collect();
        let (logs, describe) = commands(
            &namespace,
            &name,
            container.map(|(_, s, previous)| (s.name.as_str(), previous)),
        );
        let mut found = Found {
            node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            phase: status.and_then(|s| s.phase.clone()),
            ready: status
                .and_then(|s| s.conditions.as_ref())
                .and_then(|all| all.iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.status == "True"),
            restarts: containers.iter().map(|c| i64::from(c.restarts)).sum(),
            last_termination: None,
            started_at: status
                .and_then(|s| s.start_time.as_ref())
                .map(|t| t.0.to_string()),
            image: None,
            container: None,
            container_id: None,
            containers,
            logs,
            describe,
            namespace,
            pod: name,
            how,
        };
        if let Some((_, s, previous)) = container {
            let before = terminated_before(s);
            found.container = Some(s.name.clone());
            found.ready = Some(s.ready);
            found.restarts = i64::from(s.restart_count);
            found.last_termination = before.map(Termination::of);
            found.image = Some(s.image.clone());
            if previous {
                found.container_id = before.and_then(|t| t.container_id.clone());
                found.started_at = before
                    .and_then(|t| t.started_at.as_ref())
                    .map(|t| t.0.to_string());
            } else {
                found.container_id = s.container_id.clone();
                found.started_at = s.state.as_ref().and_then(started_at).or(found.started_at);
            }
        }
        found
    }

    /// The whole report: the pod, the container (or every container), the commands.
    fn text(&self) -> String {
        let or_unknown =
            |value: &Option<String>| safe(value.as_deref().unwrap_or("?")).into_owned();
        let mut text = format!("pod {} (matched {})\n", self.title(), self.how);
        let mut line = |label: &str, value: String| {
            text.push_str(&format!("  {label:<10}{value}\n"));
        };
        if let Some(id) = &self.container_id {
            line("id:", safe(id).into_owned());
        }
        line("node:", or_unknown(&self.node));
        line("phase:", or_unknown(&self.phase));
        line(
            "ready:",
            self.ready.map(|r| r.to_string()).unwrap_or("?".into()),
        );
        let last = Termination::after(self.last_termination.as_ref());
        line("restarts:", format!("{}{last}", self.restarts));
        line("started:", or_unknown(&self.started_at));
        if self.container.is_some() {
            line("image:", or_unknown(&self.image));
        } else {
            line("containers:", String::new());
            for c in &self.containers {
                let last = Termination::after(c.last_termination.as_ref());
                text.push_str(&format!(
                    "    {} ({}): {}, ready {}, {} restarts{last}, image {}, id {}\n",
                    safe(&c.name),
                    c.kind,
                    safe(c.state.as_deref().unwrap_or("?")),
                    c.ready,
                    c.restarts,
                    safe(&c.image),
                    safe(c.container_id.as_deref().unwrap_or("?")),
                ));
            }
        }
        text.push_str(&format!("\nnext: {}\n      {}\n", self.logs, self.describe));
        text
    }

    /// One line, for a list of several matches.
    fn line(&self) -> String {
        format!(
            "{} (matched {}) on node {}",
            self.title(),
            self.how,
            safe(self.node.as_deref().unwrap_or("?")),
        )
    }

    /// `shop/web-0, container app`, escaped.
    fn title(&self) -> String {
        let container = self
            .container
            .as_deref()
            .map(|c| format!(", container {}", safe(c)))
            .unwrap_or_default();
        format!("{}/{}{container}", safe(&self.namespace), safe(&self.pod))
    }
}

/// Kubernetes' rule for the names in these commands (a DNS subdomain: lower-case
/// letters, digits, `-` and `.`, starting with a letter or digit): such a name is
/// never read as an option nor by a shell.
fn is_plain_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
}

/// `kubectl logs` and `kubectl describe` for the pod, with `-c` for the container and
/// `--previous` for its previous instance; every container's logs when the id names
/// the pod. A name the API server sent that is not a plain name goes in quoted, after
/// `=` or `--`, so that nothing in it is an option or reaches a shell.
fn commands(namespace: &str, pod: &str, container: Option<(&str, bool)>) -> (String, String) {
    let plain = is_plain_name(namespace)
        && is_plain_name(pod)
        && container.is_none_or(|(name, _)| is_plain_name(name));
    let (ns, pod) = (shell_word(namespace, plain), shell_word(pod, plain));
    let which = match container {
        Some((name, previous)) => {
            let previous = if previous { " --previous" } else { "" };
            if plain {
                format!("-c {name}{previous}")
            } else {
                format!("--container={}{previous}", shell_word(name, false))
            }
        }
        None => "--all-containers".into(),
    };
    if plain {
        (
            format!("kubectl logs -n {ns} {pod} {which} --since 15m"),
            format!("kubectl describe pod -n {ns} {pod}"),
        )
    } else {
        (
            format!("kubectl logs --namespace={ns} {which} --since 15m -- {pod}"),
            format!("kubectl describe pod --namespace={ns} -- {pod}"),
        )
    }
}

/// Why the cluster could not be asked, in words that say what to do.
#[derive(Debug, thiserror::Error)]
enum KubeError {
    #[error("no kubeconfig: {0}; set KUBECONFIG, or run where kubectl works")]
    NoKubeconfig(String),
    #[error("cannot use the kubeconfig {from}: {why}")]
    Kubeconfig { from: String, why: String },
    #[error("{from} sets no current-context: give --context NAME (its contexts: {})", list(.known))]
    NoCurrentContext { from: String, known: Vec<String> },
    #[error("there is no context {name} in {from} (its contexts: {}); `kubectl config get-contexts` lists them", list(.known))]
    UnknownContext {
        name: String,
        from: String,
        known: Vec<String>,
    },
    #[error("the API server at {server} refused the credentials of {user} ({context}): HTTP 401, {message}; log in again (an expired token or certificate?) or check the user in the kubeconfig")]
    Credentials {
        server: String,
        user: String,
        context: String,
        message: String,
    },
    #[error("{user} ({context}) may not list pods {scope}: HTTP 403, {message}; reading pods needs the RBAC verb `list` on `pods` {rbac}")]
    Forbidden {
        user: String,
        context: String,
        scope: String,
        rbac: String,
        message: String,
    },
    #[error("the API server at {server} ({context}) has no pods to list there: HTTP 404, {message}; is the kubeconfig's server the cluster's API server?")]
    NotFound {
        server: String,
        context: String,
        message: String,
    },
    #[error("the pods changed too much while they were read a page at a time (HTTP 410, {message}); run it again")]
    Expired { message: String },
    #[error("the API server at {server} ({context}) answered HTTP {code}: {message}")]
    Refused {
        server: String,
        context: String,
        code: u16,
        message: String,
    },
    #[error("cannot get the credentials of {user} ({context}): {why}")]
    Auth {
        user: String,
        context: String,
        why: String,
    },
    #[error("cannot connect to the API server at {server} ({context}): {why}")]
    Unreachable {
        server: String,
        context: String,
        why: String,
    },
    #[error("the API server at {server} ({context}) is not trusted: {why}; its certificate was checked against {ca}")]
    Tls {
        server: String,
        context: String,
        why: String,
        ca: String,
    },
    #[error("an answer of the API server at {server} is larger than {} MiB, the most read of one page of {PAGE} pods", MAX_BODY_BYTES >> 20)]
    TooLarge { server: String },
    #[error("the API server did not answer in full within {} (--timeout-ms {})", humantime::format_duration(*.0), .0.as_millis())]
    TimedOut(Duration),
    #[error("the answer of the API server at {server} is not a list of pods: {why}")]
    Invalid { server: String, why: String },
    #[error("the exchange with the API server at {server} ({context}) failed: {why}")]
    Broken {
        server: String,
        context: String,
        why: String,
    },
}

fn list(known: &[String]) -> String {
    if known.is_empty() {
        "none".into()
    } else {
        known.join(", ")
    }
}

impl KubeError {
    /// The kubeconfig or the arguments are wrong, not the cluster: exit 2.
    fn is_usage(&self) -> bool {
        matches!(
            self,
            KubeError::NoKubeconfig(_)
                | KubeError::Kubeconfig { .. }
                | KubeError::NoCurrentContext { .. }
                | KubeError::UnknownContext { .. }
        )
    }
}

/// kube's error, named by what went wrong. `namespace` is the list's scope (`None`
/// before any list was asked for).
fn classify(err: kube::Error, place: &Place, namespace: Option<Option<&str>>) -> KubeError {
    let server = place.server.clone();
    let context = place.context.clone();
    if let kube::Error::Api(status) = &err {
        let message = bounded(status.message.trim(), MAX_MESSAGE_CHARS).into_owned();
        return match status.code {
            401 => KubeError::Credentials {
                server,
                user: place.user.clone(),
                context,
                message,
            },
            403 => {
                let (scope, rbac) = match namespace.flatten() {
                    Some(ns) => (
                        format!("in namespace {}", excerpt(ns)),
                        format!(
                            "in that namespace (a Role with it, bound by a RoleBinding in {})",
                            excerpt(ns)
                        ),
                    ),
                    None => (
                        "in all namespaces".into(),
                        "cluster-wide (a ClusterRole with it, bound by a ClusterRoleBinding); with access to one namespace only, give --namespace NS".into(),
                    ),
                };
                KubeError::Forbidden {
                    user: place.user.clone(),
                    context,
                    scope,
                    rbac,
                    message,
                }
            }
            404 => KubeError::NotFound {
                server,
                context,
                message,
            },
            410 => KubeError::Expired { message },
            code => KubeError::Refused {
                server,
                context,
                code,
                message,
            },
        };
    }
    if find::<LengthLimitError>(&err).is_some() {
        return KubeError::TooLarge { server };
    }
    if let Some(tls) = find::<rustls::Error>(&err) {
        return KubeError::Tls {
            server,
            context,
            why: safe(&tls.to_string()).into_owned(),
            ca: place.ca.clone(),
        };
    }
    let why = safe(&innermost(&err)).into_owned();
    match &err {
        kube::Error::SerdeError(json) => KubeError::Invalid {
            server,
            why: safe(&json.to_string()).into_owned(),
        },
        kube::Error::FromUtf8(_) => KubeError::Invalid { server, why },
        kube::Error::Auth(_) => KubeError::Auth {
            user: place.user.clone(),
            context,
            why,
        },
        _ if find::<hyper_util::client::legacy::Error>(&err).is_some_and(|e| e.is_connect()) => {
            KubeError::Unreachable {
                server,
                context,
                why,
            }
        }
        _ => KubeError::Broken {
            server,
            context,
            why,
        },
    }
}

/// The first error of type `T` in `err`'s chain, looking inside the I/O errors that
/// wrap another (the TLS stack's, a body's), whose `source` skips what they wrap.
fn find<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next = Some(err);
    // A chain that loops must not hang the command.
    for _ in 0..32 {
        let current = next?;
        if let Some(found) = current.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if let Some(found) = find::<T>(inner) {
                return Some(found);
            }
        }
        next = current.source();
    }
    None
}

/// The innermost cause's words: kube's and hyper's own name only the layer.
fn innermost(err: &(dyn StdError + 'static)) -> String {
    let mut inner = err;
    for _ in 0..32 {
        match inner.source() {
            Some(next) => inner = next,
            None => break,
        }
    }
    inner.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_for_plain_names_and_for_hostile_ones() {
        assert_eq!(
            commands("shop", "web-0", Some(("app", false))),
            (
                "kubectl logs -n shop web-0 -c app --since 15m".to_owned(),
                "kubectl describe pod -n shop web-0".to_owned()
            )
        );
        assert_eq!(
            commands("shop", "web-0", Some(("app", true))).0,
            "kubectl logs -n shop web-0 -c app --previous --since 15m"
        );
        assert_eq!(
            commands("shop", "web-0", None).0,
            "kubectl logs -n shop web-0 --all-containers --since 15m"
        );
        let (logs, describe) = commands("shop", "-f'$(x)\u{1b}", Some(("app", false)));
        assert_eq!(
            logs,
            r"kubectl logs --namespace='shop' --container='app' --since 15m -- '-f'\''$(x)\x1b'"
        );
        assert_eq!(
            describe,
            r"kubectl describe pod --namespace='shop' -- '-f'\''$(x)\x1b'"
        );
    }

    #[test]
    fn only_dns_names_are_plain() {
        assert!(is_plain_name("web-7d9c.x"));
        for name in ["", "-f", "Web", "a b", "a;b", "é"] {
            assert!(!is_plain_name(name), "{name}");
        }
    }
}
