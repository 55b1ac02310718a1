//! `ecs`: the `DockerId` of this container, from the ECS task metadata endpoint v4.

use super::{env_or_reason, Evidence};
use crate::engine::runtime::{Platform, Runtime};
use crate::engine::view::SystemView;
use crate::engine::Quoted;

use crate::engine::variables::ECS_METADATA_URI_V4 as VARIABLE;

/// The whole exchange, connect to last byte. The agent answers in milliseconds; a
/// launch must not wait on a dead one.
#[cfg(feature = "ecs")]
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// The container metadata document is a few KiB.
#[cfg(feature = "ecs")]
const MAX_BODY_BYTES: u64 = 64 * 1024;

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let uri = env_or_reason(view, VARIABLE)?
        .ok_or_else(|| format!("${VARIABLE} is not set: not on ECS"))?;
    let uri = uri.trim();
    if !uri.starts_with("http://") {
        return Err(format!(
            "${VARIABLE} is {}; only http:// is queried",
            Quoted(uri)
        ));
    }
    if !view.network_allowed() {
        return Err(format!(
            "${VARIABLE} is set, but a snapshot never queries the network"
        ));
    }
    fetch_docker_id(uri).map(|id| {
        Evidence::new(
            id,
            Some(Runtime::Platform(Platform::Ecs)),
            format!("DockerId from ${VARIABLE}"),
        )
    })
}

#[cfg(feature = "ecs")]
fn fetch_docker_id(uri: &str) -> Result<String, String> {
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        // The endpoint is link-local: a proxy from the environment must not see it.
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .get(uri)
        .call()
        .map_err(|err| format!("GET ${VARIABLE} failed: {err}"))?;
    let status = response.status();
    if status != 200 {
        return Err(format!("GET ${VARIABLE} answered {status}"));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY_BYTES)
        .read_to_vec()
        .map_err(|err| format!("reading the answer of ${VARIABLE} failed: {err}"))?;
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|err| format!("${VARIABLE} did not answer JSON: {err}"))?;
    match json.get("DockerId") {
        Some(serde_json::Value::String(id)) => Ok(id.clone()),
        Some(other) => Err(format!("DockerId is not a string: {other}")),
        None => Err(format!("the answer of ${VARIABLE} has no DockerId")),
    }
}

#[cfg(not(feature = "ecs"))]
fn fetch_docker_id(_uri: &str) -> Result<String, String> {
    Err("instance-id was built without its `ecs` feature".into())
}
