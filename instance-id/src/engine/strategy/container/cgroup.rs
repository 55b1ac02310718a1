//! `cgroup`: the container named by `/proc/self/cgroup`, v1 and v2.

use super::lxc;
use super::shapes::{innermost, Sighting};
use crate::engine::runtime::ContainerRuntime;
use crate::engine::strategy::Evidence;
use crate::engine::view::SystemView;
use crate::engine::Quoted;

pub(super) const PATH: &str = "/proc/self/cgroup";

/// The cgroup path of each line of `/proc/self/cgroup` that has its form,
/// `hierarchy-ID:controller-list:/path`; any other line is no evidence. The one
/// reading of the file's lines, for `cgroup` and for `agree` alike.
pub(super) fn paths(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        // The path may itself hold colons (containerd's "…:cri-containerd:<id>"), so
        // only the first two split.
        let mut fields = line.splitn(3, ':');
        let (hierarchy, _controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        let numbered = !hierarchy.is_empty() && hierarchy.bytes().all(|b| b.is_ascii_digit());
        (numbered && path.starts_with('/')).then_some(path)
    })
}

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let text = view.read(PATH)?;
    let mut sightings = Vec::new();
    let mut valid_lines = 0;
    for path in paths(&text) {
        valid_lines += 1;
        sightings.extend(innermost(path));
    }
    if valid_lines == 0 {
        return Err(format!(
            "{PATH} has no line of the form ID:CONTROLLERS:/PATH"
        ));
    }
    let chosen = choose(&sightings).map_err(|err| format!("{PATH}: {err}"))?;
    match chosen {
        Some(s) if s.runtime == Some(ContainerRuntime::Lxc.into()) => lxc_payload(view, &s),
        Some(s) => Ok(Evidence::new(
            s.id,
            s.runtime,
            format!("{PATH}: {}", s.path),
        )),
        None => Err(describe_absence(&text)),
    }
}

/// LXC's cgroup is a source of its own: where LXC's marker and layout name the
/// container too, they must name the same one. An LXD project's cgroup carries the
/// directory's `<project>_<name>`; the layout says which part is the instance's name.
fn lxc_payload(view: &SystemView, s: &Sighting<'_>) -> Result<Evidence, String> {
    let named = |id: &str| Evidence::new(id, s.runtime, format!("{PATH}: {}", s.path));
    let Some((root, marker)) = lxc::own_evidence(view) else {
        return Ok(named(s.id));
    };
    match root.own_name() {
        Some(name) if root.names(s.id) && name != s.id => Ok(Evidence::new(
            name,
            s.runtime,
            format!(
                "{PATH}: {}, the directory of instance {} (root mount from {}, {marker})",
                s.path,
                Quoted(name),
                root.path
            ),
        )),
        _ if root.names(s.id) => Ok(named(s.id)),
        _ => Err(format!(
            "{PATH}: {} names LXC container {}, but the root mount from {} and {marker} name {}: refusing to guess",
            s.path,
            Quoted(s.id),
            root.path,
            Quoted(root.own_name().unwrap_or(&root.dir))
        )),
    }
}

/// One container out of the sightings of several lines (or mounts): all the same, or
/// nested in one another (then the innermost). Unrelated containers are a conflict:
/// naming either could name the wrong copy.
pub(crate) fn choose<'a>(sightings: &[Sighting<'a>]) -> Result<Option<Sighting<'a>>, String> {
    let Some(inner) = sightings.iter().max_by_key(|s| s.prefix.len()) else {
        return Ok(None);
    };
    match sightings
        .iter()
        .find(|s| s.id != inner.id && !inner.is_inside(s))
    {
        Some(other) => Err(format!(
            "names two unrelated containers, {} and {}: refusing to guess",
            inner.id, other.id
        )),
        None => Ok(Some(inner.clone())),
    }
}

/// Why no container was seen, in the words of what the file does say.
fn describe_absence(text: &str) -> String {
    let paths: Vec<&str> = paths(text).collect();
    if paths.iter().all(|p| *p == "/") {
        format!(
            "{PATH} shows only \"/\": a private cgroup namespace (Docker's default on cgroup v2) hides the container's path"
        )
    } else {
        let mut distinct: Vec<&str> = paths.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let sample = distinct.iter().find(|p| **p != "/").copied().unwrap_or("/");
        format!("{PATH} names no container (e.g. {}): a host process or a runtime without a known shape", Quoted(sample))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42";
    const B: &str = "1f8bf4267ef3823247bb8338a3df40853ae7ab39c4b01fa288e17a6f1d3044b9";

    fn with_cgroup(text: &str) -> Result<Evidence, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("proc/self")).expect("mkdir");
        std::fs::write(dir.path().join("proc/self/cgroup"), text).expect("write");
        find(&SystemView::snapshot(dir.path()))
    }

    #[test]
    fn malformed_lines_are_not_evidence() {
        let text = format!("Invalid line with valid container ID {A}\nThis line is also invalid 12:pids:/docker/{A}\npids: /\n");
        assert!(with_cgroup(&text).is_err());
    }

    #[test]
    fn unrelated_containers_are_a_conflict() {
        let err = with_cgroup(&format!("1:cpu:/docker/{A}\n2:memory:/docker/{B}\n"))
            .expect_err("a conflict");
        assert!(err.contains("unrelated"), "{err}");
    }

    #[test]
    fn hybrid_lines_resolve_to_the_innermost() {
        let text = format!(
            "2:memory:/ecs/545b896a072744d186c7fb09a45ec172/545b896a072744d186c7fb09a45ec172-3057940393/kubepods/burstable/poddefa/{A}\n0::/ecs/545b896a072744d186c7fb09a45ec172/545b896a072744d186c7fb09a45ec172-3057940393\n"
        );
        assert_eq!(with_cgroup(&text).map(|e| e.value), Ok(A.to_owned()));
    }

    #[test]
    fn lxc_payload_must_agree_with_lxc_own_evidence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |path: &str, text: &str| {
            let at = dir.path().join(path);
            std::fs::create_dir_all(at.parent().expect("a parent")).expect("mkdir");
            std::fs::write(at, text).expect("write");
        };
        write("proc/self/cgroup", "0::/lxc.payload.shop_web-4\n");
        let view = || SystemView::snapshot(dir.path());
        // The cgroup alone.
        assert_eq!(find(&view()).map(|e| e.value), Ok("shop_web-4".into()));
        write("proc/self/environ", "container=lxc\0");
        write(
            "proc/self/mountinfo",
            "1 0 254:0 /var/lib/lxd/storage-pools/default/containers/shop_web-4/rootfs / rw - ext4 /dev/vda rw\n",
        );
        assert_eq!(find(&view()).map(|e| e.value), Ok("web-4".into()));
        write(
            "proc/self/mountinfo",
            "1 0 254:0 /var/lib/lxc/other/rootfs / rw - ext4 /dev/vda rw\n",
        );
        let err = find(&view()).expect_err("two containers");
        assert!(err.contains("refusing to guess"), "{err}");
    }

    #[test]
    fn private_namespace_is_explained() {
        let err = with_cgroup("0::/\n").expect_err("nothing to see");
        assert!(err.contains("private cgroup namespace"), "{err}");
    }
}
