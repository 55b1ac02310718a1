//! `instance-id resolve TOKEN`: from what a user read off `/inst` to the container on
//! the Docker host that `DOCKER_HOST` names (else the local socket), by its full id,
//! its short id, or its hashed id, running or exited. What the daemon says is data from
//! outside: every name is escaped before it reaches the terminal, and nothing it sends
//! can make the command panic.

use std::process::ExitCode;
use std::time::Duration;

use bollard::query_parameters::{InspectContainerOptions, ListContainersOptions};
use bollard::{Docker, API_DEFAULT_VERSION};
use instance_id::{hash_id, SystemView};

use crate::text::safe;

/// Seconds for one exchange with the daemon.
const DAEMON_TIMEOUT: u64 = 10;

#[derive(clap::Args)]
pub struct ResolveArgs {
    /// What the user sent: a full id, a short (12-character) id, or a hashed id.
    token: String,
    /// The environment variable with the app's key (its `expose = hashed("ENV")`), to
    /// match hashed ids.
    #[arg(long, value_name = "ENV")]
    key_env: Option<String>,
}

/// How a container's id matched the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Full,
    Short,
    Hashed,
}

impl Match {
    fn describe(self) -> &'static str {
        match self {
            Match::Full => "the full id",
            Match::Short => "the short id",
            Match::Hashed => "the hashed id",
        }
    }
}

/// Whether `id` is what `token` names.
fn matches(token: &str, id: &str, key: Option<&str>) -> Option<Match> {
    let token = token.trim().to_ascii_lowercase();
    if token == id {
        Some(Match::Full)
    } else if token.len() == 12 && id.starts_with(&token) {
        Some(Match::Short)
    } else if key.is_some_and(|key| hash_id(key.as_bytes(), id) == token) {
        Some(Match::Hashed)
    } else {
        None
    }
}

pub fn run(args: ResolveArgs) -> ExitCode {
    let view = SystemView::live();
    let key = match &args.key_env {
        Some(name) => match view.hash_key(name) {
            Ok(key) => Some(key),
            Err(err) => return crate::usage(err),
        },
        None => None,
    };
    let docker = match connect(std::env::var_os("DOCKER_HOST")) {
        Ok(docker) => docker,
        Err(err) => return crate::usage(err),
    };
    let runtime = match crate::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(resolve(&docker, &args.token, key)) {
        Ok(text) => crate::output::finish(&text, ExitCode::SUCCESS),
        Err(err) => {
            crate::output::warn(&safe(&err));
            ExitCode::FAILURE
        }
    }
}

/// The daemon `DOCKER_HOST` names, as the docker CLI reads it: `unix://PATH`,
/// `tcp://HOST:PORT` (plain HTTP), `npipe://` on Windows; unset or empty, the local
/// socket. Anything else is an error that names the value, never a silent fallback
/// to another daemon.
fn connect(docker_host: Option<std::ffi::OsString>) -> Result<Docker, String> {
    let host = match docker_host {
        None => None,
        Some(value) => match value.into_string() {
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(text.trim().to_owned()),
            Err(raw) => return Err(format!("DOCKER_HOST is not UTF-8: {raw:?}")),
        },
    };
    let Some(host) = host else {
        return Docker::connect_with_socket_defaults()
            .map(|d| d.with_timeout(Duration::from_secs(DAEMON_TIMEOUT)))
            .map_err(|err| format!("cannot reach the local Docker daemon: {err}"));
    };
    let unusable = |why: &str| format!("DOCKER_HOST={host:?} cannot be used: {why}");
    let docker = if host.starts_with("unix://") {
        Docker::connect_with_unix(&host, DAEMON_TIMEOUT, API_DEFAULT_VERSION)
    } else if host.starts_with("tcp://") || host.starts_with("http://") {
        if std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()) {
            return Err(unusable(
                "DOCKER_TLS_VERIFY asks for TLS to the daemon, which resolve does not speak; use the daemon's unix socket on its host",
            ));
        }
        Docker::connect_with_http(&host, DAEMON_TIMEOUT, API_DEFAULT_VERSION)
    } else if host.starts_with("npipe://") {
        named_pipe(&host).map_err(|why| unusable(&why))?
    } else {
        return Err(unusable(
            "expected unix://PATH, tcp://HOST:PORT or npipe:// (ssh:// is not supported)",
        ));
    };
    docker.map_err(|err| unusable(&err.to_string()))
}

#[cfg(windows)]
fn named_pipe(host: &str) -> Result<Result<Docker, bollard::errors::Error>, String> {
    Ok(Docker::connect_with_named_pipe(
        host,
        DAEMON_TIMEOUT,
        API_DEFAULT_VERSION,
    ))
}

#[cfg(not(windows))]
fn named_pipe(_: &str) -> Result<Result<Docker, bollard::errors::Error>, String> {
    Err("npipe:// is a Windows named pipe".into())
}

async fn resolve(docker: &Docker, token: &str, key: Option<&str>) -> Result<String, String> {
    // Exited ones too: the container a user reported has often stopped or been
    // replaced by the time someone looks, and `docker logs` still works on it.
    let all = ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let containers = docker
        .list_containers(Some(all))
        .await
        .map_err(|err| format!("cannot list the containers: {err}"))?;
    let found: Vec<(String, Match)> = containers
        .iter()
        .filter_map(|c| {
            let id = c.id.as_deref()?;
            Some((id.to_owned(), matches(token, id, key)?))
        })
        .collect();
    let (id, how) = match found.as_slice() {
        [] => {
            let hint = if key.is_none() {
                "; for a hashed id, give --key-env with the app's key"
            } else {
                ""
            };
            return Err(format!(
                "no container, running or exited, has the full, short or hashed id {token:?} ({} checked){hint}",
                containers.len()
            ));
        }
        [one] => one.clone(),
        many => {
            let ids: Vec<&str> = many.iter().map(|(id, _)| id.as_str()).collect();
            return Err(format!(
                "{} containers match {token:?}: {}; give the full id",
                many.len(),
                ids.join(", ")
            ));
        }
    };
    let details = docker
        .inspect_container(&id, None::<InspectContainerOptions>)
        .await
        .map_err(|err| format!("cannot inspect container {id}: {err}"))?;
    // The daemon's words, escaped: a name or an image can hold anything.
    let short = id.get(..12).unwrap_or(&id);
    let name = details
        .name
        .as_deref()
        .map(|n| n.trim_start_matches('/'))
        .filter(|n| !n.is_empty())
        .unwrap_or(short);
    let image = details
        .config
        .as_ref()
        .and_then(|c| c.image.as_deref())
        .unwrap_or("?");
    let state = details.state.as_ref();
    let status = state
        .and_then(|s| s.status)
        .map(|s| s.to_string())
        .unwrap_or_else(|| "?".into());
    let started = state.and_then(|s| s.started_at.as_deref()).unwrap_or("?");
    let finished = state
        .filter(|s| s.running != Some(true))
        .and_then(|s| s.finished_at.as_deref())
        .filter(|f| !f.starts_with("0001-"))
        .map(|f| format!("\n  exited:  {}", safe(f)))
        .unwrap_or_default();
    let logs_target = if is_plain_name(name) { name } else { short };
    Ok(format!(
        "container {} (matched {})\n  id:      {}\n  image:   {}\n  state:   {}\n  started: {}{finished}\n\nnext: docker logs --since 15m {}\n",
        safe(name),
        how.describe(),
        safe(&id),
        safe(image),
        safe(&status),
        safe(started),
        safe(logs_target),
    ))
}

/// A name the `docker logs` line can carry as it is: what Docker itself allows in
/// container names. Anything else, and the line names the short id.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";

    #[test]
    fn full_short_and_hashed() {
        assert_eq!(matches(ID, ID, None), Some(Match::Full));
        assert_eq!(matches(&ID.to_uppercase(), ID, None), Some(Match::Full));
        assert_eq!(matches(&ID[..12], ID, None), Some(Match::Short));
        assert_eq!(matches(&ID[..8], ID, None), None);
        let hashed = hash_id(b"k", ID);
        assert_eq!(matches(&hashed, ID, Some("k")), Some(Match::Hashed));
        assert_eq!(matches(&hashed, ID, Some("other")), None);
        assert_eq!(matches(&hashed, ID, None), None);
    }
}
