//! `podman`: the `id` that Podman writes into `/run/.containerenv`, and the one
//! reading of that file, for `podman` and for `agree` alike.

use crate::engine::runtime::ContainerRuntime;
use crate::engine::strategy::Evidence;
use crate::engine::variables::KUBERNETES_SERVICE_HOST;
use crate::engine::view::{EnvValue, SystemView};
use crate::engine::Quoted;
use crate::identity::id::is_lower_hex;

pub(super) const CONTAINERENV: &str = "/run/.containerenv";

/// `.containerenv` holds a few short lines; anything larger is not Podman's.
const CONTAINERENV_BYTES: usize = 64 * 1024;

/// What `/run/.containerenv` says of the container's id.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ContainerEnvId<'a> {
    /// `id="<64 hex>"`.
    Id(&'a str),
    /// An `id=` line whose value is not a container id.
    NotAnId(&'a str),
    /// An empty file: Podman before 2.0, or a runtime that only marks the container.
    Empty,
    /// No `id=` line.
    Missing,
}

/// `/run/.containerenv`, read once with its bound.
pub(super) fn read(view: &SystemView) -> Result<String, String> {
    view.read_limited(CONTAINERENV, CONTAINERENV_BYTES)
}

/// The `id=` of `/run/.containerenv`'s text.
pub(super) fn id(text: &str) -> ContainerEnvId<'_> {
    let value = text
        .lines()
        .find_map(|line| line.strip_prefix("id="))
        .map(|value| value.trim().trim_matches('"'));
    match value {
        Some(id) if is_lower_hex(id, 64) => ContainerEnvId::Id(id),
        Some(other) => ContainerEnvId::NotAnId(other),
        None if text.trim().is_empty() => ContainerEnvId::Empty,
        None => ContainerEnvId::Missing,
    }
}

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let text = read(view)?;
    // CRI-O mounts its pod sandbox's .containerenv into every container of the pod.
    if let EnvValue::Set(_) = view.var(KUBERNETES_SERVICE_HOST) {
        return Err(format!(
            "{CONTAINERENV} is the pod sandbox's in a Kubernetes pod ({KUBERNETES_SERVICE_HOST} is set)"
        ));
    }
    match id(&text) {
        ContainerEnvId::Id(id) => Ok(Evidence::new(
            id,
            Some(ContainerRuntime::Podman.into()),
            format!("{CONTAINERENV}: id=\"{id}\""),
        )),
        ContainerEnvId::NotAnId(value) => Err(format!(
            "{CONTAINERENV} has id={}, which is not a 64-hex container id",
            Quoted(value)
        )),
        ContainerEnvId::Empty => Err(format!(
            "{CONTAINERENV} is empty: Podman before 2.0, or a runtime that only marks the container"
        )),
        ContainerEnvId::Missing => Err(format!("{CONTAINERENV} has no id= line")),
    }
}
