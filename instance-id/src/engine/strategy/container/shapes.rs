//! The path shapes that container runtimes give a container's cgroup, read from
//! `/proc/self/cgroup` lines and from the roots of cgroup mounts alike.
//!
//! Only a runtime's own shapes count: a hex-looking segment is a container only where
//! a runtime puts one (a 64-hex leaf, `docker-<id>.scope`, `/ecs/<task>/<task>-<n>`,
//! …). Batch systems name cgroups with tokens too (`/process_api/<32 hex>`).

use crate::engine::runtime::{ContainerRuntime, Platform, Runtime};
use crate::identity::id::is_lower_hex;

/// A container recognised in a cgroup path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sighting<'a> {
    pub id: &'a str,
    pub runtime: Option<Runtime>,
    /// The path up to and including the segment that names the container: a sighting
    /// whose prefix is an ancestor of another's path is an outer container.
    pub prefix: &'a str,
    /// The whole path it was seen in.
    pub path: &'a str,
}

impl Sighting<'_> {
    /// Whether `self` lies inside `outer` (nested containers: Docker in a pod, EKS on
    /// Fargate).
    pub fn is_inside(&self, outer: &Sighting<'_>) -> bool {
        self.path
            .strip_prefix(outer.prefix)
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// The innermost container named in `path`, if any.
pub(crate) fn innermost(path: &str) -> Option<Sighting<'_>> {
    let mut found = None;
    // Markers seen since the last container: they say what runs the next one.
    let mut markers = Markers::default();
    let mut previous = "";
    let mut offset = 0;
    for segment in path.split('/') {
        let end = offset + segment.len();
        offset = end + 1;
        if let Some((id, explicit)) = container_segment(segment, previous, &markers) {
            // The colon form carries its pod slice in the same segment.
            let runtime = if markers.kubepods || segment.starts_with("kubepods") {
                Some(Runtime::Platform(Platform::Kubernetes))
            } else {
                explicit.or_else(|| markers.runtime())
            };
            found = Some(Sighting {
                id,
                runtime,
                prefix: &path[..end],
                path,
            });
            markers = Markers::default();
        } else {
            markers.note(segment);
        }
        previous = segment;
    }
    found
}

#[derive(Default)]
struct Markers {
    docker: bool,
    kubepods: bool,
    ecs: bool,
    lxc: bool,
    garden: bool,
}

impl Markers {
    fn note(&mut self, segment: &str) {
        match segment {
            "docker" => self.docker = true,
            "ecs" => self.ecs = true,
            "lxc" => self.lxc = true,
            "garden" => self.garden = true,
            s if s.starts_with("kubepods") => self.kubepods = true,
            _ => {}
        }
    }

    fn runtime(&self) -> Option<Runtime> {
        if self.ecs {
            Some(Runtime::Platform(Platform::Ecs))
        } else if self.docker {
            Some(Runtime::Container(ContainerRuntime::Docker))
        } else if self.lxc {
            Some(Runtime::Container(ContainerRuntime::Lxc))
        } else if self.garden {
            Some(Runtime::Container(ContainerRuntime::Garden))
        } else {
            None
        }
    }
}

/// The id in one segment, with the runtime its own form names.
fn container_segment<'a>(
    segment: &'a str,
    previous: &str,
    markers: &Markers,
) -> Option<(&'a str, Option<Runtime>)> {
    // systemd driver scopes: docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope,
    // libpod-<id>.scope, nerdctl-<id>.scope; CRI-O and Podman on cgroupfs drop the ".scope". Their monitors
    // (crio-conmon-<id>, libpod-conmon-<id>) fail the 64-hex test and are never taken.
    let unscoped = segment.strip_suffix(".scope").unwrap_or(segment);
    for (prefix, runtime) in [
        ("docker-", Runtime::Container(ContainerRuntime::Docker)),
        (
            "cri-containerd-",
            Runtime::Container(ContainerRuntime::Containerd),
        ),
        // nerdctl under systemd: "system.slice:nerdctl:<id>" becomes nerdctl-<id>.scope.
        ("nerdctl-", Runtime::Container(ContainerRuntime::Containerd)),
        ("crio-", Runtime::Container(ContainerRuntime::CriO)),
        ("libpod-", Runtime::Container(ContainerRuntime::Podman)),
    ] {
        if let Some(id) = unscoped
            .strip_prefix(prefix)
            .filter(|id| is_lower_hex(id, 64))
        {
            return Some((id, Some(runtime)));
        }
    }
    // containerd's systemd driver without systemd scopes: "<slice>:cri-containerd:<id>".
    if let Some((_, id)) = segment.rsplit_once(":cri-containerd:") {
        return is_lower_hex(id, 64)
            .then_some((id, Some(Runtime::Container(ContainerRuntime::Containerd))));
    }
    // A bare 64-hex leaf: Docker's cgroupfs driver (/docker/<id>, or --cgroup-parent),
    // Kubernetes on cgroupfs (/kubepods/<qos>/pod<uid>/<id>), ECS on EC2 (/ecs/<task>/<id>).
    if is_lower_hex(segment, 64) {
        return Some((segment, None));
    }
    // ECS on Fargate: /ecs/<task>/<task>-<n> (or /ecs/<task>-<n>).
    if markers.ecs && is_fargate_id(segment) {
        return Some((segment, Some(Runtime::Platform(Platform::Ecs))));
    }
    // LXC: /lxc/<name> (also Docker's old LXC driver), LXC 4+: /lxc.payload.<name>.
    if previous == "lxc" && !segment.is_empty() {
        return Some((segment, Some(Runtime::Container(ContainerRuntime::Lxc))));
    }
    if let Some(name) = segment
        .strip_prefix("lxc.payload.")
        .filter(|n| !n.is_empty())
    {
        return Some((name, Some(Runtime::Container(ContainerRuntime::Lxc))));
    }
    // Cloud Foundry's Garden: /garden/<handle>, the handle being the instance GUID.
    if previous == "garden" && is_garden_handle(segment) {
        return Some((segment, Some(Runtime::Container(ContainerRuntime::Garden))));
    }
    // Kubernetes on cgroupfs with a runtime whose ids are UUIDs: /kubepods/…/pod<uid>/<uuid>.
    if markers.kubepods && previous.starts_with("pod") && is_uuid(segment) {
        return Some((segment, None));
    }
    None
}

/// `<32 hex task id>-<decimal>`: the id ECS on Fargate gives each container of a task.
fn is_fargate_id(s: &str) -> bool {
    s.split_once('-').is_some_and(|(task, n)| {
        is_lower_hex(task, 32)
            && (1..=10).contains(&n.len())
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Hex groups joined by dashes: `8-4-4-4-4` (Garden) or `8-4-4-4-12` (a GUID).
fn is_garden_handle(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups[0].len() == 8
        && groups[1..4].iter().all(|g| g.len() == 4)
        && (groups[4].len() == 4 || groups[4].len() == 12)
        && groups.iter().all(|g| is_lower_hex(g, g.len()))
}

fn is_uuid(s: &str) -> bool {
    let lens: Vec<usize> = s.split('-').map(str::len).collect();
    lens == [8, 4, 4, 4, 12] && s.split('-').all(|g| is_lower_hex(g, g.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42";
    const ID2: &str = "1f8bf4267ef3823247bb8338a3df40853ae7ab39c4b01fa288e17a6f1d3044b9";

    fn id_of(path: &str) -> Option<(String, Option<Runtime>)> {
        innermost(path).map(|s| (s.id.to_owned(), s.runtime))
    }

    #[test]
    fn runtime_shapes() {
        let cases = [
            (format!("/docker/{ID}"), Some(Runtime::Container(ContainerRuntime::Docker))),
            (format!("/system.slice/docker-{ID}.scope"), Some(Runtime::Container(ContainerRuntime::Docker))),
            (format!("/ci-runners/{ID}"), None),
            (format!("/machine.slice/libpod-{ID}.scope/container"), Some(Runtime::Container(ContainerRuntime::Podman))),
            (format!("/machine.slice/crio-{ID}.scope"), Some(Runtime::Container(ContainerRuntime::CriO))),
            (format!("/system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:{ID}"), Some(Runtime::Platform(Platform::Kubernetes))),
            (format!("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod16_0.slice/cri-containerd-{ID}.scope"), Some(Runtime::Platform(Platform::Kubernetes))),
            (format!("/ecs/d5fb5a6e0f3945b8e1021d7bb4148a31/{ID}"), Some(Runtime::Platform(Platform::Ecs))),
            (format!("/lxc/{ID}"), Some(Runtime::Container(ContainerRuntime::Lxc))),
        ];
        for (path, runtime) in cases {
            assert_eq!(id_of(&path), Some((ID.to_owned(), runtime)), "{path}");
        }
    }

    #[test]
    fn other_shapes() {
        let fargate = "dd9b146f4ac019adfc754f28d882f462-2405117866";
        assert_eq!(
            id_of(&format!("/ecs/dd9b146f4ac019adfc754f28d882f462/{fargate}")),
            Some((fargate.to_owned(), Some(Runtime::Platform(Platform::Ecs))))
        );
        assert_eq!(
            id_of("/lxc/web01"),
            Some((
                "web01".into(),
                Some(Runtime::Container(ContainerRuntime::Lxc))
            ))
        );
        assert_eq!(
            id_of("/lxc.payload.web01"),
            Some((
                "web01".into(),
                Some(Runtime::Container(ContainerRuntime::Lxc))
            ))
        );
        assert_eq!(
            id_of("/garden/6f265890-5165-7fab-6b52-18d1"),
            Some((
                "6f265890-5165-7fab-6b52-18d1".into(),
                Some(Runtime::Container(ContainerRuntime::Garden))
            ))
        );
    }

    #[test]
    fn not_containers() {
        for path in [
            "/",
            "/process_api/a0af249049825d47858b79a5c9fd4878",
            "/user.slice/user-1000.slice/session-3.scope",
            "/system.slice/docker.service",
            "/kubepods",
            "/podruntime/docker",
            "/system.slice/garden.service/garden/",
            &format!("/machine.slice/crio-conmon-{ID}.scope"),
            &format!("/machine.slice/libpod-conmon-{ID}.scope"),
            &format!("/docker/{}", ID.to_uppercase()),
            "/nomad.slice/share.slice/e8ca54c0-c40e-47ba-8b58-f5dee1312812.web.scope",
            "/ecs/dd9b146f4ac019adfc754f28d882f462",
        ] {
            assert_eq!(id_of(path), None, "{path}");
        }
    }

    #[test]
    fn nesting_takes_the_innermost() {
        let path = format!("/kubepods/burstable/pod24c1/{ID}/docker/{ID2}");
        let inner = innermost(&path).expect("a sighting");
        assert_eq!(
            (inner.id, inner.runtime),
            (ID2, Some(Runtime::Container(ContainerRuntime::Docker)))
        );
        let outer_path = format!("/kubepods/burstable/pod24c1/{ID}");
        let outer = innermost(&outer_path).expect("a sighting");
        assert!(inner.is_inside(&outer));
        assert!(!outer.is_inside(&inner));
    }
}
