//! `podman`: the `id` that Podman writes into `/run/.containerenv`.

use crate::engine::runtime::Runtime;
use crate::engine::strategy::Evidence;
use crate::engine::variables::KUBERNETES_SERVICE_HOST;
use crate::engine::view::{EnvValue, SystemView};
use crate::engine::Quoted;
use crate::identity::id::is_lower_hex;

const PATH: &str = "/run/.containerenv";

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let text = view.read(PATH)?;
    // CRI-O mounts its pod sandbox's .containerenv into every container of the pod.
    if let EnvValue::Set(_) = view.var(KUBERNETES_SERVICE_HOST) {
        return Err(format!(
            "{PATH} is the pod sandbox's in a Kubernetes pod ({KUBERNETES_SERVICE_HOST} is set)"
        ));
    }
    let id = text
        .lines()
        .find_map(|line| line.strip_prefix("id="))
        .map(|value| value.trim().trim_matches('"'));
    match id {
        Some(id) if is_lower_hex(id, 64) => Ok(Evidence::new(
            id,
            Some(Runtime::Podman),
            format!("{PATH}: id=\"{id}\""),
        )),
        Some(id) => Err(format!(
            "{PATH} has id={}, which is not a 64-hex container id",
            Quoted(id)
        )),
        None if text.trim().is_empty() => Err(format!(
            "{PATH} is empty: Podman before 2.0, or a runtime that only marks the container"
        )),
        None => Err(format!("{PATH} has no id= line")),
    }
}
