//! `mountinfo`: the container named by `/proc/self/mountinfo`.
//!
//! Under cgroup v2 with a private cgroup namespace `/proc/self/cgroup` says only
//! `0::/`, and the mount table is the one place left that names the container: the
//! runtime bind-mounts `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf` from that
//! container's own directory (`/var/lib/docker/containers/<id>/hostname`,
//! `…/overlay-containers/<id>/userdata/hostname`). Only those mount points count, and
//! only the topmost mount at each: another container's directory mounted elsewhere,
//! overlay layers and volumes are never taken. In a Kubernetes pod those files belong
//! to the pod's sandbox (or the kubelet), which every container of the pod shares, so
//! they are not taken there either. The layouts known: Docker's
//! `containers/<id>/`, Podman's `overlay-containers/<id>/userdata/`, nerdctl's
//! `nerdctl/<hash>/{containers,etchosts}/<namespace>/<id>/`, and the same with the
//! containers directory on a file system of its own (`/<id>/hostname`).
//!
//! Where no known shape names the container, `agree` may still: a runtime no test has
//! shown, named only where independent sources agree on its container.

use std::borrow::Cow;

use super::agree;
use super::cgroup::choose;
use super::podman::CONTAINERENV;
use super::shapes::innermost;
use crate::engine::runtime::{ContainerRuntime, Platform, Runtime};
use crate::engine::strategy::Evidence;
use crate::engine::view::SystemView;
use crate::identity::id::{is_lower_hex, short_form};

pub(super) const PATH: &str = "/proc/self/mountinfo";

/// The files a runtime mounts from a container's own directory.
pub(super) const OWN_FILES: [&str; 5] = [
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    CONTAINERENV,
    "/run/secrets",
];

/// The files a task gets from the pause container whose namespaces it joins: the
/// network's and the UTS name's. Where a platform (ECS, Nomad) runs each task beside
/// one, an id read only from these names the pause container.
const PAUSE_CONTAINER_FILES: [&str; 3] = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];

/// The files a container gets from another whose network namespace it joins
/// (`--network container:<other>`): the network's only; its UTS name, and so its
/// `/etc/hostname`, stay its own.
pub(super) const NETWORK_JOIN_FILES: [&str; 2] = ["/etc/hosts", "/etc/resolv.conf"];

/// One line of the mount table, with the fields that matter here.
#[derive(Debug)]
pub(super) struct Mount<'a> {
    /// The path inside the file system the mount comes from.
    pub root: Cow<'a, str>,
    pub point: Cow<'a, str>,
    pub fstype: &'a str,
    /// The mount source (`/dev/vda`, `overlay`, a ZFS dataset).
    pub source: Cow<'a, str>,
    /// The file system's own options (an overlay's `lowerdir=…,upperdir=…`).
    pub options: &'a str,
}

/// Whose layout a container's own directory is. The runtime it stands for is decided
/// once, by where the container runs ([`StorageLayout::runtime`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StorageLayout {
    /// Docker's `containers/<id>/`.
    Docker,
    /// containers-storage's `overlay-containers/<id>/userdata/`: Podman's, and CRI-O's
    /// in a pod.
    ContainersStorage,
    /// nerdctl's `nerdctl/<hash>/{containers,etchosts}/<namespace>/<id>/`.
    Nerdctl,
}

impl StorageLayout {
    fn runtime(self, in_pod: bool) -> Runtime {
        match self {
            StorageLayout::Docker => ContainerRuntime::Docker.into(),
            StorageLayout::ContainersStorage if in_pod => ContainerRuntime::CriO.into(),
            StorageLayout::ContainersStorage => ContainerRuntime::Podman.into(),
            StorageLayout::Nerdctl => ContainerRuntime::Containerd.into(),
        }
    }
}

/// Where a per-container file comes from.
#[derive(Debug, PartialEq, Eq)]
enum MountOwner<'a> {
    /// A container's own directory.
    Container(&'a str, StorageLayout),
    /// A CRI pod sandbox's directory (containerd's `sandboxes/<id>`).
    Sandbox(&'a str),
    Other,
}

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let text = view.read(PATH)?;
    let mounts: Vec<Mount<'_>> = text.lines().filter_map(parse).collect();
    if mounts.is_empty() {
        return Err(format!("{PATH} has no mount line"));
    }

    // A cgroup filesystem mounted without a cgroup namespace has the container's own
    // cgroup path as its root: the same evidence as /proc/self/cgroup.
    let sightings: Vec<_> = mounts
        .iter()
        .filter(|m| m.fstype == "cgroup" || m.fstype == "cgroup2")
        .filter_map(|m| innermost(&m.root))
        .collect();
    if let Some(s) = choose(&sightings).map_err(|err| format!("{PATH} cgroup mounts {err}"))? {
        return Ok(Evidence::new(
            s.id,
            s.runtime,
            format!("{PATH}: cgroup mounted from {}", s.path),
        ));
    }

    let topmost: Vec<(&str, &Mount<'_>)> = OWN_FILES
        .iter()
        .filter_map(|point| Some((*point, mounts.iter().rev().find(|m| m.point == *point)?)))
        .collect();
    let sandbox = topmost.iter().find_map(|(_, m)| match owner(&m.root) {
        MountOwner::Sandbox(id) => Some(id),
        _ => None,
    });
    let in_pod = sandbox.is_some() || mounts.iter().any(is_kubernetes_mount);

    let mut found: Vec<(&str, Runtime, &str, &Mount<'_>)> = Vec::new();
    for (point, mount) in &topmost {
        if let MountOwner::Container(id, storage) = owner(&mount.root) {
            // In a pod only CRI-O's per-container secrets directory is this
            // container's own; everything else there is the sandbox's.
            let own = !in_pod
                || (*point == "/run/secrets" && storage == StorageLayout::ContainersStorage);
            if own {
                found.push((id, storage.runtime(in_pod), point, mount));
            }
        }
    }
    if in_pod && found.is_empty() {
        if let Some(evidence) = termination_log_twin(&mounts) {
            return Ok(evidence);
        }
    }
    match found.as_slice() {
        [] if in_pod => Err(format!(
            "{PATH}: in a Kubernetes pod /etc/hostname and /etc/resolv.conf belong to the pod sandbox{} and /etc/hosts to the kubelet; no mount names this container",
            sandbox.map(|id| format!(" ({})", short_form(id))).unwrap_or_default()
        )),
        // No known shape: a runtime no test has shown may still be named, where
        // independent sources agree on its container (see `agree`).
        [] => agree::decide(view, &mounts).map_err(|why| format!(
            "{PATH}: no mount at /etc/hostname, /etc/hosts or /etc/resolv.conf comes from a runtime's per-container directory, and {why}"
        )),
        [(id, runtime, point, mount), rest @ ..] => {
            let Some((other, _, other_point, _)) = rest.iter().find(|(o, ..)| o != id) else {
                let evidence = Evidence::new(
                    *id,
                    Some(*runtime),
                    format!("{PATH}: {point} is mounted from {}", mount.root),
                );
                // Beside a pause container, these files name the pause container.
                let shared = found.iter().all(|(_, _, p, _)| PAUSE_CONTAINER_FILES.contains(p));
                return Ok(if shared { evidence.read_from_network_files() } else { evidence });
            };
            joined_network(&found).ok_or_else(|| {
                format!("{PATH}: {point} names container {id} but {other_point} names {other}: refusing to guess")
            })
        }
    }
}

/// Podman with `--network container:<other>`: `/etc/hosts` and `/etc/resolv.conf` come
/// from the container whose network namespace this one joined, while
/// `/run/.containerenv` (and `/etc/hostname`, its own UTS namespace) are this
/// container's. Without `.containerenv` from a container's directory two ids are
/// ambiguous, and nothing is taken.
fn joined_network(found: &[(&str, Runtime, &str, &Mount<'_>)]) -> Option<Evidence> {
    let (own, runtime, _, mount) = found
        .iter()
        .find(|(_, _, point, _)| *point == CONTAINERENV)?;
    let joins = |point: &str| NETWORK_JOIN_FILES.contains(&point);
    if found
        .iter()
        .any(|(id, _, point, _)| !joins(point) && id != own)
    {
        return None;
    }
    let (owner, ..) = found
        .iter()
        .find(|(id, _, point, _)| joins(point) && id != own)?;
    Some(Evidence::new(
        *own,
        Some(*runtime),
        format!(
            "{PATH}: {CONTAINERENV} is mounted from {}; /etc/hosts and /etc/resolv.conf come from container {owner}, whose network namespace this one joined",
            mount.root
        ),
    ))
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
pub(super) fn parse(line: &str) -> Option<Mount<'_>> {
    let fields: Vec<&str> = line.split(' ').collect();
    let separator = fields.iter().skip(6).position(|f| *f == "-")? + 6;
    let fstype = fields.get(separator + 1)?;
    Some(Mount {
        root: unescape(fields.get(3)?),
        point: unescape(fields.get(4)?),
        fstype,
        source: unescape(fields.get(separator + 2).copied().unwrap_or("")),
        options: fields.get(separator + 3).copied().unwrap_or(""),
    })
}

/// The kernel writes space, tab, newline and backslash in paths as `\040`, `\011`,
/// `\012` and `\134`.
fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).and_then(|d| {
            let s = std::str::from_utf8(d).ok()?;
            u8::from_str_radix(s, 8).ok()
        });
        match (bytes[i], octal) {
            (b'\\', Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Whose directory a mount's root is: the root is the path inside the file system
/// the mount comes from, so it names the runtime's layout as that file system sees it.
fn owner(root: &str) -> MountOwner<'_> {
    let segments: Vec<&str> = root.split('/').collect();
    // nerdctl's data store: /var/lib/nerdctl/<hash>/{containers,etchosts}/<namespace>/<id>/…
    let nerdctl = segments.contains(&"nerdctl");
    for window in segments.windows(3) {
        match window {
            ["sandboxes", id, _] if is_lower_hex(id, 64) => return MountOwner::Sandbox(id),
            ["overlay-containers", id, "userdata"] if is_lower_hex(id, 64) => {
                return MountOwner::Container(id, StorageLayout::ContainersStorage)
            }
            ["containers" | "etchosts", _namespace, id] if nerdctl && is_lower_hex(id, 64) => {
                return MountOwner::Container(id, StorageLayout::Nerdctl)
            }
            ["containers", id, _] if is_lower_hex(id, 64) => {
                return MountOwner::Container(id, StorageLayout::Docker)
            }
            _ => {}
        }
    }
    // The containers directory on a file system of its own: the root starts at the
    // container's directory (`/<id>/hostname`, Podman's `/<id>/userdata/hostname`).
    match segments.as_slice() {
        ["", id, "userdata", _] if is_lower_hex(id, 64) => {
            MountOwner::Container(id, StorageLayout::ContainersStorage)
        }
        ["", id, file] if is_lower_hex(id, 64) && PER_CONTAINER_FILES.contains(file) => {
            MountOwner::Container(id, StorageLayout::Docker)
        }
        _ => MountOwner::Other,
    }
}

/// What Docker keeps in a container's directory and bind-mounts into it.
const PER_CONTAINER_FILES: [&str; 3] = ["hostname", "hosts", "resolv.conf"];

/// The kubelet's per-pod files, or the service account token: this is a pod.
fn is_kubernetes_mount(mount: &Mount<'_>) -> bool {
    mount.root.contains("/kubelet/pods/")
        || mount.point.starts_with("/var/run/secrets/kubernetes.io")
        || mount.point.starts_with("/run/secrets/kubernetes.io")
}

/// In a pod that mounts the host's `/run`, this container's own task shows up there:
/// the kubelet's per-container termination-log file, bound at our `/dev/termination-log`,
/// is bound at exactly one task's `…/<id>/rootfs/dev/termination-log` too.
fn termination_log_twin(mounts: &[Mount<'_>]) -> Option<Evidence> {
    let ours = mounts
        .iter()
        .rev()
        .find(|m| m.point == "/dev/termination-log")?;
    let mut ids = mounts
        .iter()
        .filter(|m| m.root == ours.root)
        .filter_map(|m| {
            let task = m.point.strip_suffix("/rootfs/dev/termination-log")?;
            let id = task.rsplit('/').next()?;
            is_lower_hex(id, 64).then_some((id, &m.point))
        });
    let (id, point) = ids.next()?;
    if ids.any(|(other, _)| other != id) {
        return None;
    }
    Some(Evidence::new(
        id,
        Some(Platform::Kubernetes.into()),
        format!("{PATH}: this container's termination log is also mounted at {point}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_optional_fields_and_escapes() {
        let m = parse("36 35 98:0 /a\\040b /mnt rw,noatime master:1 shared:2 - ext3 /dev/root rw")
            .expect("a mount");
        assert_eq!(
            (m.root.as_ref(), m.point.as_ref(), m.fstype),
            ("/a b", "/mnt", "ext3")
        );
        assert!(parse("garbage").is_none());
        assert!(parse("1 2 3 4 5 6 7").is_none());
    }

    #[test]
    fn sources() {
        let id = "6dbe36d9d9b6743fb989c9b147bf12c50a9289d4b726dfc0afca951dc2e89b9a";
        assert_eq!(
            owner(&format!("/var/lib/docker/containers/{id}/hostname")),
            MountOwner::Container(id, StorageLayout::Docker)
        );
        assert_eq!(
            owner(&format!(
                "/containers/storage/overlay-containers/{id}/userdata/hosts"
            )),
            MountOwner::Container(id, StorageLayout::ContainersStorage)
        );
        assert_eq!(
            owner(&format!(
                "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/{id}/hostname"
            )),
            MountOwner::Sandbox(id)
        );
        assert_eq!(
            owner(&format!("/var/lib/docker/volumes/{id}/_data")),
            MountOwner::Other
        );
        assert_eq!(
            owner(&format!("/var/lib/docker/overlay2/{id}/diff")),
            MountOwner::Other
        );
    }
}
