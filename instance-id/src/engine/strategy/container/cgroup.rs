//! `cgroup`: the container named by `/proc/self/cgroup`, v1 and v2.

use super::shapes::{innermost, Sighting};
use crate::engine::strategy::Evidence;
use crate::engine::view::SystemView;
use crate::engine::Quoted;

const PATH: &str = "/proc/self/cgroup";

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    let text = view.read(PATH)?;
    let mut sightings = Vec::new();
    let mut valid_lines = 0;
    for line in text.lines() {
        // hierarchy-ID:controller-list:cgroup-path; the path may itself hold colons
        // (containerd's "…:cri-containerd:<id>"), so only the first two split.
        let mut fields = line.splitn(3, ':');
        let (Some(hierarchy), Some(_controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if hierarchy.is_empty() || !hierarchy.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !path.starts_with('/') {
            continue;
        }
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
        Some(s) => Ok(Evidence::new(
            s.id,
            s.runtime,
            format!("{PATH}: {}", s.path),
        )),
        None => Err(describe_absence(&text)),
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
    let paths: Vec<&str> = text
        .lines()
        .filter_map(|line| line.splitn(3, ':').nth(2))
        .collect();
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
    fn private_namespace_is_explained() {
        let err = with_cgroup("0::/\n").expect_err("nothing to see");
        assert!(err.contains("private cgroup namespace"), "{err}");
    }
}
