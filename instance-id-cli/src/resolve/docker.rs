//! `instance-id resolve ID`: from what a user read off `/inst` to the container on
//! the Docker host that `DOCKER_HOST` names (else the local socket), by any form of
//! its id that `Token` reads, running or exited. What the daemon says is data from
//! outside: every name is escaped before it reaches the terminal, nothing it sends can
//! make the command panic, and what it sends is bounded in size and in time.
//!
//! Two GETs of the Docker Engine API (`/containers/json?all=1`, `/containers/ID/json`)
//! through reqwest, over the daemon's unix socket, named pipe or TCP port. A Docker
//! client library would read a whole body before handing it over, however large, and
//! time only the wait for the headers; here each body is read a chunk at a time up to
//! its limit, and one deadline covers the whole exchange, connection to last byte.

use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

use instance_id::short_form;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{json, shell_word, Form, Format, ResolveArgs, Token};
use crate::text::{excerpt, safe};

/// The most read of the container list: some 20,000 containers as Docker describes
/// them. A larger list is refused, never read whole.
const MAX_LIST_BYTES: usize = 64 * 1024 * 1024;

/// The most read of one container's description (its environment, labels, mounts).
const MAX_INSPECT_BYTES: usize = 4 * 1024 * 1024;

/// The most read of an error's body: it carries one message.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Matching containers named in the error that asks for the full id.
const MAX_NAMED_MATCHES: usize = 8;

pub(super) fn run(args: &ResolveArgs, token: &Token, key: Option<&str>) -> ExitCode {
    let daemon = match connect(std::env::var_os("DOCKER_HOST")) {
        Ok(daemon) => daemon,
        Err(err) => return crate::usage(err),
    };
    let runtime = match crate::async_runtime(None) {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let timeout = Duration::from_millis(args.timeout_ms);
    let resolved = runtime.block_on(async {
        let deadline = Instant::now() + timeout;
        resolve(&daemon, deadline, timeout, token, key).await
    });
    let text = resolved.and_then(|found| match args.format {
        Format::Text => Ok(found.text()),
        Format::Json => json(&found),
    });
    match text {
        Ok(text) => crate::output::finish(&text, ExitCode::SUCCESS),
        Err(err) => {
            crate::output::warn(&safe(&err));
            ExitCode::FAILURE
        }
    }
}

/// A daemon to ask: a client that reaches it, and the base of its URLs.
struct Daemon {
    client: reqwest::Client,
    /// `http://HOST:PORT` for TCP; a placeholder host for a socket or pipe, where the
    /// connection, not the host name, decides who answers.
    base: String,
    /// Where it is, for messages: `unix:///var/run/docker.sock`, `tcp://…`.
    at: String,
}

/// The daemon `DOCKER_HOST` names, as the docker CLI reads it: `unix://PATH`,
/// `tcp://HOST:PORT` (plain HTTP), `npipe://` on Windows; unset or empty, the local
/// socket. Anything else is an error that names the value, never a silent fallback
/// to another daemon.
fn connect(docker_host: Option<std::ffi::OsString>) -> Result<Daemon, String> {
    let host = match docker_host {
        None => None,
        Some(value) => match value.into_string() {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(text.trim().to_owned()),
            Err(raw) => {
                return Err(format!(
                    "DOCKER_HOST is not UTF-8: {}",
                    excerpt(&raw.to_string_lossy())
                ))
            }
        },
    };
    // No proxy: the daemon is reached directly, never through $HTTP_PROXY. No
    // redirect: an answer is the daemon's own.
    let builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none());
    let Some(host) = host else {
        return local_socket(builder);
    };
    let unusable = |why: &str| format!("DOCKER_HOST={} cannot be used: {why}", excerpt(&host));
    let (builder, base) = if let Some(path) = host.strip_prefix("unix://") {
        unix_socket(builder, path).map_err(|why| unusable(&why))?
    } else if let Some(address) = host
        .strip_prefix("tcp://")
        .or_else(|| host.strip_prefix("http://"))
    {
        if std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()) {
            return Err(unusable(
                "DOCKER_TLS_VERIFY asks for TLS to the daemon, which resolve does not speak; use the daemon's unix socket on its host",
            ));
        }
        (builder, tcp_base(address).map_err(|why| unusable(&why))?)
    } else if let Some(pipe) = host.strip_prefix("npipe://") {
        named_pipe(builder, pipe).map_err(|why| unusable(&why))?
    } else {
        return Err(unusable(
            "expected unix://PATH, tcp://HOST:PORT or npipe:// (ssh:// is not supported)",
        ));
    };
    let client = builder
        .build()
        .map_err(|err| unusable(&format!("no HTTP client for it: {}", cause(&err))))?;
    Ok(Daemon {
        client,
        base,
        at: safe(&host).into_owned(),
    })
}

/// `http://HOST:PORT` from the `HOST[:PORT]` of `tcp://HOST:PORT`; without a port,
/// Docker's plain-HTTP port, 2375, as the docker CLI takes it.
fn tcp_base(address: &str) -> Result<String, String> {
    let address = address.trim_end_matches('/');
    let url = reqwest::Url::parse(&format!("http://{address}"))
        .map_err(|err| format!("expected tcp://HOST:PORT ({err})"))?;
    if address.is_empty() || address.contains(['/', '?', '#', '@']) {
        return Err("expected tcp://HOST:PORT".into());
    }
    match url.port() {
        Some(_) => Ok(format!("http://{address}")),
        None => Ok(format!("http://{address}:2375")),
    }
}

/// Where the path leads no socket, the value is wrong: said now, before a request.
#[cfg(unix)]
fn unix_socket(
    builder: reqwest::ClientBuilder,
    path: &str,
) -> Result<(reqwest::ClientBuilder, String), String> {
    if !std::path::Path::new(path).exists() {
        return Err(format!("there is no socket at {path}"));
    }
    Ok((builder.unix_socket(path), "http://docker".into()))
}

#[cfg(not(unix))]
fn unix_socket(
    _: reqwest::ClientBuilder,
    _: &str,
) -> Result<(reqwest::ClientBuilder, String), String> {
    Err("unix:// sockets are for Unix; use npipe:// or tcp://".into())
}

/// `npipe:////./pipe/docker_engine`, as Docker writes it, is `\\.\pipe\docker_engine`.
#[cfg(windows)]
fn named_pipe(
    builder: reqwest::ClientBuilder,
    pipe: &str,
) -> Result<(reqwest::ClientBuilder, String), String> {
    let pipe = pipe.replace('/', "\\");
    Ok((builder.windows_named_pipe(pipe), "http://docker".into()))
}

#[cfg(not(windows))]
fn named_pipe(
    _: reqwest::ClientBuilder,
    _: &str,
) -> Result<(reqwest::ClientBuilder, String), String> {
    Err("npipe:// is a Windows named pipe".into())
}

/// The daemon's own socket (or pipe), where DOCKER_HOST names none.
fn local_socket(builder: reqwest::ClientBuilder) -> Result<Daemon, String> {
    #[cfg(unix)]
    let (builder, at) = (
        builder.unix_socket("/var/run/docker.sock"),
        "unix:///var/run/docker.sock",
    );
    #[cfg(windows)]
    let (builder, at) = (
        builder.windows_named_pipe(r"\\.\pipe\docker_engine"),
        "npipe:////./pipe/docker_engine",
    );
    let client = builder.build().map_err(|err| {
        format!(
            "cannot reach the local Docker daemon: no HTTP client: {}",
            cause(&err)
        )
    })?;
    Ok(Daemon {
        client,
        base: "http://docker".into(),
        at: at.into(),
    })
}

/// What went wrong between the daemon and us, in words, with the limit that was hit.
#[derive(Debug, thiserror::Error)]
enum DaemonError {
    #[error("the daemon did not answer in full within {} (--timeout-ms {})", humantime::format_duration(*.0), .0.as_millis())]
    TimedOut(Duration),
    #[error("the daemon's answer is larger than {} MiB, the most read of {what}", .limit / (1024 * 1024))]
    TooLarge { what: &'static str, limit: usize },
    #[error("the daemon's answer is larger than {} KiB, the most read of an error", .limit / 1024)]
    ErrorTooLarge { limit: usize },
    #[error("cannot connect to the daemon at {at}: {why}")]
    Unreachable { at: String, why: String },
    #[error("the exchange with the daemon failed: {0}")]
    Broken(String),
    #[error("the daemon answered HTTP {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the daemon's answer is not what the Docker API describes: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// The innermost cause of an error: reqwest's own words name only the URL.
fn cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = err;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

impl Daemon {
    /// GET `path`, the body read up to `limit` bytes and decoded by `decode`, all of it
    /// before `deadline`.
    async fn get<T>(
        &self,
        path: &str,
        limit: usize,
        what: &'static str,
        deadline: Instant,
        timeout: Duration,
        decode: impl FnOnce(&[u8]) -> serde_json::Result<T>,
    ) -> Result<T, DaemonError> {
        let exchange = async {
            let mut response = self
                .client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .map_err(|err| {
                    if err.is_connect() {
                        DaemonError::Unreachable {
                            at: self.at.clone(),
                            why: cause(&err),
                        }
                    } else {
                        DaemonError::Broken(cause(&err))
                    }
                })?;
            let status = response.status();
            let body_limit = if status.is_success() {
                limit
            } else {
                MAX_ERROR_BYTES
            };
            let too_large = || {
                if status.is_success() {
                    DaemonError::TooLarge { what, limit }
                } else {
                    DaemonError::ErrorTooLarge { limit: body_limit }
                }
            };
            // A declared length over the limit is refused before a byte is read.
            if response
                .content_length()
                .is_some_and(|length| length > body_limit as u64)
            {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|err| DaemonError::Broken(cause(&err)))?
            {
                if body.len() + chunk.len() > body_limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if !status.is_success() {
                return Err(refused(status.as_u16(), &body));
            }
            Ok(decode(&body)?)
        };
        tokio::time::timeout_at(deadline, exchange)
            .await
            .map_err(|_| DaemonError::TimedOut(timeout))?
    }
}

/// An error answer: Docker's `{"message": "…"}`, else the start of the body.
fn refused(status: u16, body: &[u8]) -> DaemonError {
    #[derive(Deserialize)]
    struct Message {
        message: String,
    }
    let message = match serde_json::from_slice::<Message>(body) {
        Ok(parsed) => parsed.message,
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    DaemonError::Refused {
        status,
        message: excerpt(message.trim()),
    }
}

/// What the container list comes to: the ids that match, counted as they are read, so
/// that a list of millions costs no more than its bytes.
struct Matches<'a> {
    token: &'a Token,
    key: Option<&'a str>,
    checked: usize,
    found: Vec<(String, Form)>,
    /// Matches past the first [`MAX_NAMED_MATCHES`], counted.
    more: usize,
}

/// One entry of `/containers/json`: only the id is read.
#[derive(Deserialize)]
struct Listed {
    #[serde(rename = "Id")]
    id: Option<String>,
}

impl<'de> Visitor<'de> for &mut Matches<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of containers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(listed) = seq.next_element::<Listed>()? {
            self.checked += 1;
            let Some(id) = listed.id else { continue };
            let Some(how) = self.token.container(&id, self.key) else {
                continue;
            };
            if self.found.len() < MAX_NAMED_MATCHES {
                self.found.push((id, how));
            } else {
                self.more += 1;
            }
        }
        Ok(())
    }
}

/// `/containers/{id}/json`: what the report shows.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Inspected {
    name: Option<String>,
    config: Option<Config>,
    state: Option<State>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Config {
    image: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct State {
    status: Option<String>,
    running: Option<bool>,
    started_at: Option<String>,
    finished_at: Option<String>,
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(body)
}

async fn resolve(
    daemon: &Daemon,
    deadline: Instant,
    timeout: Duration,
    token: &Token,
    key: Option<&str>,
) -> Result<Found, String> {
    let mut found = Matches {
        token,
        key,
        checked: 0,
        found: Vec::new(),
        more: 0,
    };
    // Exited ones too: the container a user reported has often stopped or been
    // replaced by the time someone looks, and `docker logs` still works on it.
    daemon
        .get(
            "/containers/json?all=1",
            MAX_LIST_BYTES,
            "the container list",
            deadline,
            timeout,
            |body| {
                let mut json = serde_json::Deserializer::from_slice(body);
                serde::Deserializer::deserialize_seq(&mut json, &mut found)?;
                json.end()
            },
        )
        .await
        .map_err(|err| format!("cannot list the containers: {err}"))?;
    let (id, how) = match (found.found.as_slice(), found.more) {
        ([], _) => {
            let hint = if key.is_none() {
                "; for a hashed id, give --key-env with the app's key"
            } else {
                ""
            };
            return Err(format!(
                "no container, running or exited, has the id, a prefix of 12 or more characters, the hashed id or the service.instance.id {} ({} checked){hint}",
                excerpt(&token.raw),
                found.checked
            ));
        }
        ([one], 0) => one.clone(),
        (many, more) => {
            let ids: Vec<String> = many.iter().map(|(id, _)| excerpt(id)).collect();
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            return Err(format!(
                "{} containers match {}: {}{more}; give the full id",
                many.len() + found.more,
                excerpt(&token.raw),
                ids.join(", ")
            ));
        }
    };
    let details: Inspected = daemon
        .get(
            &format!("/containers/{}/json", url_segment(&id)),
            MAX_INSPECT_BYTES,
            "a container's description",
            deadline,
            timeout,
            decode,
        )
        .await
        .map_err(|err| format!("cannot inspect container {}: {err}", excerpt(&id)))?;
    Ok(Found::new(id, how, &details))
}

/// What stays as it is in a path segment: letters, digits, `-`, `_` and `.`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');

/// The id as one path segment: a daemon's id is hex, but it is the daemon's word.
fn url_segment(id: &str) -> String {
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// The container found, as the report shows it: the daemon's words, and the `docker
/// logs` line. Escaped for the terminal in [`Found::text`]; JSON carries them exact.
#[derive(Serialize)]
struct Found {
    id: String,
    name: String,
    image: Option<String>,
    state: Option<String>,
    started_at: Option<String>,
    finished_at: Option<String>,
    logs: String,
    #[serde(skip)]
    how: Form,
}

impl Found {
    fn new(id: String, how: Form, details: &Inspected) -> Found {
        let short = short_form(&id);
        let name = details
            .name
            .as_deref()
            .map(|n| n.trim_start_matches('/'))
            .filter(|n| !n.is_empty())
            .unwrap_or(short)
            .to_owned();
        let state = details.state.as_ref();
        let logs = logs_line(&name, short);
        Found {
            image: details.config.as_ref().and_then(|c| c.image.clone()),
            state: state.and_then(|s| s.status.clone()),
            started_at: state.and_then(|s| s.started_at.clone()),
            // Docker writes the zero time for a container that never stopped.
            finished_at: state
                .filter(|s| s.running != Some(true))
                .and_then(|s| s.finished_at.clone())
                .filter(|f| !f.starts_with("0001-")),
            logs,
            name,
            id,
            how,
        }
    }

    fn text(&self) -> String {
        let unknown = |value: &Option<String>| safe(value.as_deref().unwrap_or("?")).into_owned();
        let finished = self
            .finished_at
            .as_deref()
            .map(|f| format!("\n  exited:  {}", safe(f)))
            .unwrap_or_default();
        let how = match self.how {
            Form::Whole => "the full id".to_owned(),
            other => other.describe("id"),
        };
        format!(
            "container {} (matched {how})\n  id:      {}\n  image:   {}\n  state:   {}\n  started: {}{finished}\n\nnext: {}\n",
            safe(&self.name),
            safe(&self.id),
            unknown(&self.image),
            unknown(&self.state),
            unknown(&self.started_at),
            self.logs,
        )
    }
}

/// `docker logs` for the container, by a name the line can carry as it is (what
/// Docker itself allows in a name: it starts with a letter or digit, so it is never
/// read as an option), else by the short id; and where even the id is not plain, after
/// `--`, single-quoted, so that nothing in it is an option or reaches a shell.
fn logs_line(name: &str, short: &str) -> String {
    match [name, short].into_iter().find(|t| is_plain_name(t)) {
        Some(target) => format!("docker logs --since 15m {target}"),
        None => format!("docker logs --since 15m -- {}", shell_word(short, false)),
    }
}

/// Docker's rule for container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
fn is_plain_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_encoded_as_before() {
        assert_eq!(url_segment("abc-1_2.3"), "abc-1_2.3");
        assert_eq!(url_segment("a/b c?%é"), "a%2Fb%20c%3F%25%C3%A9");
    }

    #[test]
    fn the_logs_line_never_carries_an_option() {
        assert_eq!(
            logs_line("shop-web-2", "5c2d33d962d8"),
            "docker logs --since 15m shop-web-2"
        );
        assert_eq!(
            logs_line("--help", "5c2d33d962d8"),
            "docker logs --since 15m 5c2d33d962d8"
        );
        assert_eq!(
            logs_line("-f", "-rf'$(x)"),
            r"docker logs --since 15m -- '-rf'\''$(x)'"
        );
    }
}
