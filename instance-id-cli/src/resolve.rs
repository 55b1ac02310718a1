//! `instance-id resolve TOKEN`: from what a user read off `/inst` to the container on
//! this Docker host, by its full id, its short id, or its hashed id.

use std::process::ExitCode;
use std::time::Duration;

use bollard::query_parameters::{InspectContainerOptions, ListContainersOptions};
use bollard::Docker;
use instance_id::{hash_id, SystemView};

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
            Err(err) => {
                eprintln!("instance-id: {err}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let runtime = match crate::async_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(resolve(&args.token, key)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("instance-id: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn resolve(token: &str, key: Option<&str>) -> Result<String, String> {
    let docker = Docker::connect_with_local_defaults()
        .map_err(|err| format!("cannot reach the Docker daemon: {err}"))?
        .with_timeout(Duration::from_secs(10));
    let containers = docker
        .list_containers(Some(ListContainersOptions::default()))
        .await
        .map_err(|err| format!("cannot list the running containers: {err}"))?;
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
                "no running container has the full, short or hashed id {token:?} ({} checked){hint}",
                containers.len()
            ));
        }
        [one] => one.clone(),
        many => {
            let ids: Vec<&str> = many.iter().map(|(id, _)| id.as_str()).collect();
            return Err(format!(
                "{} running containers match {token:?}: {}; give the full id",
                many.len(),
                ids.join(", ")
            ));
        }
    };
    let details = docker
        .inspect_container(&id, None::<InspectContainerOptions>)
        .await
        .map_err(|err| format!("cannot inspect container {id}: {err}"))?;
    let name = details
        .name
        .as_deref()
        .map(|n| n.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| id[..12].to_owned());
    let image = details
        .config
        .as_ref()
        .and_then(|c| c.image.clone())
        .unwrap_or_else(|| "?".into());
    let state = details.state.as_ref();
    let status = state
        .and_then(|s| s.status)
        .map(|s| s.to_string())
        .unwrap_or_else(|| "?".into());
    let started = state
        .and_then(|s| s.started_at.clone())
        .unwrap_or_else(|| "?".into());
    Ok(format!(
        "container {name} (matched {})\n  id:      {id}\n  image:   {image}\n  state:   {status}\n  started: {started}\n\nnext: docker logs --since 15m {name}\n",
        how.describe()
    ))
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
