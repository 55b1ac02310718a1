//! Evidence that agrees: the container of a runtime that no known shape names.
//!
//! A known shape (`shapes`, and the per-container directories of `mountinfo`) is
//! enough on its own, because the runtime that makes it is known. Anything else is a
//! name in some path, and a name in one path proves nothing: hosts, sandboxes and batch
//! systems put names and tokens in paths too. So an id that no known shape names is
//! taken only where a rule below finds its sources, read from different files that
//! no one process writes together, naming the same id, and where no source names
//! another (see [`Sources::disagreeing`]). Inside a Kubernetes pod, an ECS task or a
//! Nomad allocation nothing is taken here: their files may be a sandbox's or a pause
//! container's, and the platform names the instance itself.
//!
//! The rules, each with what it needs and why that is enough:
//!
//! - **containerd namespace**: `/proc/self/cgroup` is `/<namespace>/<id>` and the root
//!   file system comes from containerd's snapshotter (`io.containerd.snapshotter.v1.`
//!   in the root mount). containerd's own cgroupfs layout is exactly that path, its
//!   ids are any names; the snapshotter root says containerd made this container, so
//!   the path is its layout and not a host's `/<group>/<job>`.
//! - **containers-storage**: `/etc/hostname`, `/run/.containerenv` (…) are mounted from
//!   `…/<driver>-containers/<id>/userdata/` of any storage driver (`vfs`, `btrfs`,
//!   `zfs`, …) and any run root (never `/etc/hosts` or `/etc/resolv.conf` alone, which
//!   a joined network shares), and the environment says `container=podman` (or
//!   `buildah`), or the host name is the id's first 12 characters (Podman's default),
//!   or `/run/.containerenv` says the same `id`. The directory is one source; Podman
//!   writes the environment and sets the host name separately.
//! - **LXC family** (`lxc`): LXC's marker (`container=lxc`, or systemd's
//!   `/run/systemd/container`) and the root mount from LXC's or LXD's own layout
//!   (`…/lxc/<name>/rootfs`, a storage pool's `…/containers/[<project>_]<name>/rootfs`);
//!   outside those layouts, a root directory named like the UTS name. A directory
//!   alone is also what `bwrap --bind …/rootfs /` shows.
//! - **bundle**: the cgroup leaf and the root mount's `…/<name>/rootfs` name the same
//!   `<name>`: runc and other OCI runtimes put a container at `/<id>` by default and
//!   run it from `<bundle>/rootfs`; the two agree only where the bundle is named after
//!   the container.
//!
//! Never a source: the host name alone (a user's to set, and on `--network host` the
//! host's), `/.dockerenv` (images and hosts carry it), overlay layers and volumes
//! (their hex ids are layers'), a cgroup name that is a systemd unit or holds a 32-hex
//! token or more (jobs, sessions), and a runtime's per-run directory (Buildah's
//! `/var/tmp/buildah<n>/`, whose working container `/run/.containerenv` names).

use super::cgroup;
use super::lxc::{self, RootDir};
use super::mountinfo::{Mount, NETWORK_JOIN_FILES, OWN_FILES};
use super::podman::{self, ContainerEnvId, CONTAINERENV};
use crate::engine::runtime::{ContainerRuntime, Runtime};
use crate::engine::strategy::Evidence;
use crate::engine::variables::{self, PLATFORM_VARIABLES};
use crate::engine::view::{EnvValue, SystemView};
use crate::engine::Quoted;
use crate::identity::id::is_lower_hex;
use crate::identity::id::short_form;

use super::cgroup::PATH as CGROUP;
use super::mountinfo::PATH as MOUNTINFO;

/// Cgroup parents that another runtime's known shape owns, whose children are that
/// runtime's (64-hex ids, BuildKit's per-step ids), never containerd namespaces.
const OTHER_PARENTS: [&str; 8] = [
    "docker",
    "buildkit",
    "ecs",
    "garden",
    "lxc",
    "libpod_parent",
    "nomad",
    "machine",
];

/// An id that a rule found its sources agree on.
#[derive(Debug, PartialEq, Eq)]
struct Claim {
    id: String,
    runtime: Option<Runtime>,
    /// The agreeing sources, for `--explain`.
    why: String,
    /// What else was seen and did not count against it.
    note: Option<String>,
}

/// The container an unknown runtime runs this process in, where independent sources
/// agree on it; else why not.
pub(super) fn decide(view: &SystemView, mounts: &[Mount<'_>]) -> Result<Evidence, String> {
    if let Some(variable) = PLATFORM_VARIABLES
        .iter()
        .filter(|v| v.beside_sandbox)
        .find(|v| matches!(view.var(v.name), EnvValue::Set(_)))
    {
        return Err(format!(
            "${} is set: there the platform names the instance, and an unknown shape is more likely its sandbox's than this container's",
            variable.name
        ));
    }
    let sources = Sources::read(view, mounts);
    let claims: Vec<Claim> = [containerd_namespace, containers_storage, lxc_family, bundle]
        .iter()
        .filter_map(|rule| rule(&sources))
        .collect();
    let Some(claim) = claims.first() else {
        return Err(format!(
            "no rule finds independent sources agreeing on an unknown runtime's container{}",
            sources.seen()
        ));
    };
    if let Some(other) = claims.iter().find(|c| c.id != claim.id) {
        return Err(format!(
            "{} names {} but {} names {}: refusing to guess",
            claim.why,
            Quoted(&claim.id),
            other.why,
            Quoted(&other.id)
        ));
    }
    let joined = claim.runtime == Some(Runtime::Container(ContainerRuntime::Podman))
        && sources.storage_joined();
    if let Some(veto) = sources.disagreeing(&claim.id, joined) {
        return Err(format!(
            "{} agree on {}, but {veto}: refusing to guess",
            claim.why,
            Quoted(&claim.id)
        ));
    }
    let note = claim
        .note
        .as_ref()
        .map(|note| format!("; {note}"))
        .unwrap_or_default();
    Ok(Evidence::new(
        claim.id.clone(),
        claim.runtime,
        format!("{MOUNTINFO}: {} agree{note}", claim.why),
    ))
}

/// Everything the rules look at, read once.
struct Sources<'m> {
    /// The leaf of each line of `/proc/self/cgroup` that is not `/`, with its path.
    cgroup: Vec<(String, String)>,
    /// The topmost mount at `/`.
    root: Option<&'m Mount<'m>>,
    /// The directory the root is mounted from, and its layout.
    root_dir: Option<RootDir>,
    /// Per-container files mounted from a containers-storage directory: mount point,
    /// id, the mount's root.
    storage: Vec<(&'static str, String, String)>,
    hostname: Option<String>,
    container_env: Option<String>,
    /// LXC's marker, where it was read.
    lxc_marker: Option<&'static str>,
    /// The `id=` of `/run/.containerenv`.
    containerenv_id: Option<String>,
}

impl<'m> Sources<'m> {
    fn read(view: &SystemView, mounts: &'m [Mount<'m>]) -> Self {
        let topmost = |point: &str| mounts.iter().rev().find(|m| m.point == point);
        let root = topmost("/");
        let storage = OWN_FILES
            .iter()
            .filter_map(|point| {
                let mount = topmost(point)?;
                let id = storage_id(&mount.root)?;
                Some((*point, id.to_owned(), mount.root.to_string()))
            })
            .collect();
        let text = |value: EnvValue<'_>| match value {
            EnvValue::Set(v) => Some(v.to_owned()),
            _ => None,
        };
        Self {
            cgroup: view
                .read(CGROUP)
                .map(|t| cgroup_leaves(&t))
                .unwrap_or_default(),
            root,
            root_dir: root.and_then(RootDir::of),
            storage,
            hostname: view.hostname().ok().map(str::to_owned),
            container_env: text(view.var(variables::CONTAINER)),
            lxc_marker: lxc::marker(view),
            containerenv_id: podman::read(view).ok().and_then(|t| match podman::id(&t) {
                ContainerEnvId::Id(id) => Some(id.to_owned()),
                _ => None,
            }),
        }
    }

    /// The one leaf of every cgroup line that is not `/`.
    fn cgroup_leaf(&self) -> Option<&str> {
        let (first, _) = self.cgroup.first()?;
        self.cgroup
            .iter()
            .all(|(leaf, _)| leaf == first)
            .then_some(first.as_str())
    }

    /// Whether the root file system comes from one of containerd's snapshotters:
    /// overlay names its snapshot directories in its options, the native snapshotter
    /// is a bind mount of one.
    fn snapshotter_root(&self) -> bool {
        const MARK: &str = "/io.containerd.snapshotter.v1.";
        self.root.is_some_and(|m| {
            m.options.contains(MARK) || m.root.contains(MARK) || m.source.contains(MARK)
        })
    }

    fn container_env_is(&self, names: &[&str]) -> Option<&str> {
        self.container_env
            .as_deref()
            .filter(|value| names.contains(value))
    }

    /// A Podman container that joined another's network namespace: its own files and
    /// `/etc/hosts`, `/etc/resolv.conf` come from two directories.
    fn storage_joined(&self) -> bool {
        let mut ids: Vec<&str> = self.storage.iter().map(|(_, id, _)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len() > 1
    }

    /// A source that names another container than `id`. `joined`: `/etc/hosts` and
    /// `/etc/resolv.conf` may come from the container whose network this one joined.
    fn disagreeing(&self, id: &str, joined: bool) -> Option<String> {
        // The container's own directory may carry more than its name (an LXD
        // project's `<project>_<name>`), and LXC's cgroup is named after it.
        let root_names = |name: &str| {
            self.root_dir
                .as_ref()
                .is_some_and(|r| r.names(id) && r.dir == name)
        };
        if let Some((leaf, path)) = self
            .cgroup
            .iter()
            .find(|(leaf, _)| is_name(leaf) && leaf != id && !root_names(leaf))
        {
            return Some(format!("{CGROUP} names {} ({path})", Quoted(leaf)));
        }
        if let Some(root) = self.root_dir.as_ref().filter(|r| !r.names(id)) {
            if let Some(dir) = root.bundle() {
                return Some(format!(
                    "the root mount comes from {} ({})",
                    root.path,
                    Quoted(dir)
                ));
            }
        }
        let shared = |point: &str| joined && NETWORK_JOIN_FILES.contains(&point);
        if let Some((point, other, _)) = self
            .storage
            .iter()
            .find(|(point, other, _)| other != id && !shared(point))
        {
            return Some(format!("{point} comes from container {other}'s directory"));
        }
        if let Some(other) = self.containerenv_id.as_ref().filter(|other| *other != id) {
            return Some(format!("{CONTAINERENV} says id={other}"));
        }
        None
    }

    /// The single sources seen, for the reason when nothing agrees.
    fn seen(&self) -> String {
        let mut seen = Vec::new();
        if let Some(leaf) = self.cgroup_leaf().filter(|leaf| is_name(leaf)) {
            seen.push(format!("cgroup leaf {}", Quoted(leaf)));
        }
        if let Some(root) = &self.root_dir {
            seen.push(format!("root mount from {}", root.path));
        }
        if let Some((point, _, root)) = self.storage.first() {
            seen.push(format!("{point} from {root}"));
        }
        if let Some(value) = &self.container_env {
            seen.push(format!("container={value}"));
        } else if let Some(marker) = self.lxc_marker {
            seen.push(marker.to_owned());
        }
        let lxc = lxc::claim(
            self.root_dir.as_ref(),
            self.lxc_marker,
            self.hostname.as_deref(),
        )
        .err()
        .flatten()
        .map(|why| format!("; {why}"))
        .unwrap_or_default();
        if seen.is_empty() {
            lxc
        } else {
            format!(" (seen: {}){lxc}", seen.join(", "))
        }
    }
}

/// containerd's own cgroupfs layout, `/<namespace>/<id>`, with a snapshotter root.
fn containerd_namespace(s: &Sources<'_>) -> Option<Claim> {
    let leaf = s.cgroup_leaf().filter(|leaf| is_name(leaf))?;
    // The layout is the whole path of at least one line; others may sit under a
    // delegated parent (`/<job>/<namespace>/<id>`), ending the same.
    let namespace = s.cgroup.iter().find_map(|(_, path)| {
        let (namespace, id) = path.strip_prefix('/')?.split_once('/')?;
        let owned = OTHER_PARENTS.contains(&namespace) || namespace.starts_with("kubepods");
        (id == leaf && is_name(namespace) && !owned).then_some(namespace)
    })?;
    let tail = format!("/{namespace}/{leaf}");
    if !s.cgroup.iter().all(|(_, path)| path.ends_with(&tail)) || !s.snapshotter_root() {
        return None;
    }
    Some(Claim {
        id: leaf.to_owned(),
        runtime: Some(Runtime::Container(ContainerRuntime::Containerd)),
        why: format!(
            "cgroup leaf {} (containerd namespace {}) and containerd snapshotter root",
            Quoted(leaf),
            Quoted(namespace)
        ),
        note: None,
    })
}

/// A containers-storage per-container directory of any driver and run root, with a
/// second word from Podman: its environment, its default host name, or its
/// `.containerenv`.
fn containers_storage(s: &Sources<'_>) -> Option<Claim> {
    // /etc/hosts and /etc/resolv.conf may be the container's whose network this one
    // joined (or a pause container's): only the other files name this one, and they
    // must all name it. With two ids about, its own .containerenv must say which.
    let own: Vec<_> = s
        .storage
        .iter()
        .filter(|(point, ..)| !NETWORK_JOIN_FILES.contains(point))
        .collect();
    let (point, id, root) = own.first()?;
    if own.iter().any(|(_, other, _)| other != id)
        || (s.storage_joined() && !own.iter().any(|(point, ..)| *point == CONTAINERENV))
    {
        return None;
    }
    let second = if let Some(value) = s.container_env_is(&["podman", "buildah"]) {
        format!("container={value} in the environment")
    } else if s
        .hostname
        .as_deref()
        .is_some_and(|h| h == id || h == short_form(id))
    {
        format!(
            "the host name {}",
            Quoted(s.hostname.as_deref().unwrap_or(""))
        )
    } else if s.containerenv_id.as_deref() == Some(id.as_str()) {
        format!("{CONTAINERENV} id={id}")
    } else {
        return None;
    };
    Some(Claim {
        id: id.clone(),
        runtime: Some(Runtime::Container(ContainerRuntime::Podman)),
        why: format!("{point} mounted from {root} and {second}"),
        note: None,
    })
}

/// LXC, LXD and Incus by their own evidence (see `lxc`).
fn lxc_family(s: &Sources<'_>) -> Option<Claim> {
    let claim = lxc::claim(s.root_dir.as_ref(), s.lxc_marker, s.hostname.as_deref()).ok()?;
    Some(Claim {
        id: claim.name,
        runtime: Some(ContainerRuntime::Lxc.into()),
        why: claim.why,
        note: claim.note,
    })
}

/// An OCI bundle run by hand: the cgroup leaf is the bundle directory's name.
fn bundle(s: &Sources<'_>) -> Option<Claim> {
    let root = s.root_dir.as_ref()?;
    let name = root.bundle()?;
    let leaf = s.cgroup_leaf()?;
    (leaf == name).then(|| Claim {
        id: name.to_owned(),
        runtime: None,
        why: format!(
            "cgroup leaf {} and root mount from {}",
            Quoted(leaf),
            root.path
        ),
        note: None,
    })
}

/// `(leaf, path)` of every line whose path is not `/`. A line that does not parse
/// is no evidence, as in `cgroup`. LXC names a container's cgroup
/// `lxc.payload.<name>`: its leaf is `<name>`.
fn cgroup_leaves(text: &str) -> Vec<(String, String)> {
    cgroup::paths(text)
        .filter_map(|path| {
            let trimmed = path.strip_prefix('/')?.trim_end_matches('/');
            let leaf = trimmed.rsplit('/').next().filter(|l| !l.is_empty())?;
            let leaf = leaf.strip_prefix("lxc.payload.").unwrap_or(leaf);
            Some((leaf.to_owned(), path.to_owned()))
        })
        .collect()
}

/// The id of `…/<driver>-containers/<id>/userdata/<file>`, containers-storage's
/// per-container directory under any driver and run root.
fn storage_id(root: &str) -> Option<&str> {
    let segments: Vec<&str> = root.split('/').collect();
    segments.windows(4).find_map(|w| match w {
        [driver, id, "userdata", _] => {
            let driver = driver.strip_suffix("-containers")?;
            let known_driver = !driver.is_empty()
                && driver
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            (known_driver && is_lower_hex(id, 64)).then_some(*id)
        }
        _ => None,
    })
}

/// A name a runtime gives a container, in containerd's grammar (letters and digits,
/// single `.`, `_` or `-` between them, at most 76): never a systemd unit, and never a
/// name holding a 32-hex token or longer, which is how batch systems and sessions
/// name their cgroups.
pub(super) fn is_name(name: &str) -> bool {
    const UNITS: [&str; 7] = [
        ".slice", ".scope", ".service", ".mount", ".socket", ".target", ".swap",
    ];
    let grammar = !name.is_empty()
        && name.len() <= 76
        && name
            .split(['.', '_', '-'])
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
    grammar && !UNITS.iter().any(|unit| name.ends_with(unit)) && longest_hex_run(name) < 32
}

fn longest_hex_run(name: &str) -> usize {
    name.split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "10f4af492df194b355a4bbf77d07a9243fc1d50786f13ed938b191ec3c8a2da1";

    #[test]
    fn names() {
        for good in ["web-1", "db.primary", "Batch7", "k8s.io", "job_42", "1"] {
            assert!(is_name(good), "{good}");
        }
        for bad in [
            "",
            "a..b",
            "-a",
            "a/b",
            "web 1",
            "system.slice",
            "session-3.scope",
            "docker.service",
            "e17250bf5eebdeceb8a4e61a859be4ba",
            "job-e17250bf5eebdeceb8a4e61a859be4ba",
            ID,
            &"a".repeat(77),
        ] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn storage_directories() {
        let at = |root: &str| storage_id(root).map(str::to_owned);
        let vfs = format!("/tmp/run/vfs-containers/{ID}/userdata/hostname");
        assert_eq!(at(&vfs), Some(ID.to_owned()));
        let btrfs = format!("/containers/btrfs-containers/{ID}/userdata/.containerenv");
        assert_eq!(at(&btrfs), Some(ID.to_owned()));
        for not in [
            format!("/var/lib/containers/storage/vfs/dir/{ID}"),
            format!("/var/tmp/buildah462303304/{ID}/hostname"),
            format!("/x/-containers/{ID}/userdata/hosts"),
            format!("/x/vfs-containers/{}/userdata/hosts", &ID[..12]),
        ] {
            assert_eq!(at(&not), None, "{not}");
        }
    }

    /// A snapshot of the given files, run through `mountinfo`.
    fn detect(files: &[(&str, &str)]) -> Result<Evidence, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let at = dir.path().join(path);
            std::fs::create_dir_all(at.parent().expect("a parent")).expect("mkdir");
            std::fs::write(at, text).expect("write");
        }
        super::super::mountinfo::find(&SystemView::snapshot(dir.path()))
    }

    const SNAPSHOTTER_ROOT: &str = "69 46 0:39 / / rw - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/1/fs\n";

    fn vfs(point: &str, id: &str, file: &str) -> String {
        format!("7{} 67 254:0 /run/c/vfs-containers/{id}/userdata/{file} {point} rw - ext4 /dev/vda rw\n", point.len())
    }

    #[test]
    fn containerd_namespace_needs_the_snapshotter_and_a_namespace() {
        let cgroup = (
            "proc/self/cgroup",
            "1:cpu:/default/web-1\n0::/default/web-1\n",
        );
        let found = detect(&[cgroup, ("proc/self/mountinfo", SNAPSHOTTER_ROOT)]).expect("agreed");
        assert_eq!(
            (found.value.as_str(), found.runtime),
            (
                "web-1",
                Some(Runtime::Container(ContainerRuntime::Containerd))
            )
        );
        assert!(
            found.detail.contains("cgroup leaf \"web-1\""),
            "{}",
            found.detail
        );

        let host_root = "1 0 254:0 / / rw - ext4 /dev/vda rw\n";
        assert!(detect(&[cgroup, ("proc/self/mountinfo", host_root)]).is_err());
        for path in [
            "/buildkit/lzt9b2k3x7xx2bs9n9yv0ut5f",
            "/system.slice/cron.service",
            "/jobs/e17250bf5eebdeceb8a4e61a859be4ba",
            "/a/default/web-1",
        ] {
            let text = format!("0::{path}\n");
            let err = detect(&[
                ("proc/self/cgroup", &text),
                ("proc/self/mountinfo", SNAPSHOTTER_ROOT),
            ]);
            assert!(err.is_err(), "{path}: {err:?}");
        }
    }

    #[test]
    fn a_platform_takes_nothing_here() {
        let cgroup = ("proc/self/cgroup", "0::/default/web-1\n");
        let env = (
            "proc/self/environ",
            "NOMAD_ALLOC_ID=e8ca54c0-c40e-47ba-8b58-f5dee1312812\0",
        );
        let err = detect(&[cgroup, env, ("proc/self/mountinfo", SNAPSHOTTER_ROOT)])
            .expect_err("a platform");
        assert!(err.contains("NOMAD_ALLOC_ID"), "{err}");
    }

    #[test]
    fn containers_storage_needs_a_second_word_and_no_other_id() {
        const OTHER: &str = "d2d748bbb54fffde8360df3634a7ed9e187f3051a92b2a2984afb30d2c362724";
        let root = "67 44 254:0 /var/lib/c/vfs/dir/72643a03851b4cc4c5eb229ad509cd4bd5e37be092dac434f3b14e4b6cc03a07 / rw - ext4 /dev/vda rw\n";
        let mounts = format!(
            "{root}{}{}",
            vfs("/etc/hostname", ID, "hostname"),
            vfs("/run/.containerenv", ID, ".containerenv")
        );
        let podman = ("proc/self/environ", "container=podman\0");
        let found = detect(&[("proc/self/mountinfo", &mounts), podman]).expect("agreed");
        assert_eq!(
            (found.value.as_str(), found.runtime),
            (ID, Some(Runtime::Container(ContainerRuntime::Podman)))
        );

        // Alone, the directory is one source.
        assert!(detect(&[("proc/self/mountinfo", &mounts)]).is_err());
        // Podman's default host name is the id's first 12 characters.
        let short = ("etc/hostname", &ID[..12]);
        assert!(detect(&[("proc/self/mountinfo", &mounts), short]).is_ok());
        // .containerenv that names another container.
        let other = format!("id=\"{OTHER}\"\n");
        let err = detect(&[
            ("proc/self/mountinfo", &mounts),
            podman,
            ("run/.containerenv", &other),
        ])
        .expect_err("two ids");
        assert!(err.contains("refusing to guess"), "{err}");
        // /etc/hostname from one container and .containerenv from another.
        let mixed = format!(
            "{root}{}{}",
            vfs("/etc/hostname", OTHER, "hostname"),
            vfs("/run/.containerenv", ID, ".containerenv")
        );
        assert!(detect(&[("proc/self/mountinfo", &mixed), podman]).is_err());
        // A joined network: /etc/hosts is the other container's, its own files name it.
        let joined = format!("{mounts}{}", vfs("/etc/hosts", OTHER, "hosts"));
        let found = detect(&[("proc/self/mountinfo", &joined), podman]).expect("joined");
        assert_eq!(found.value, ID);
        // Only the files a joined network shares: they may be another container's.
        let shared = format!("{root}{}", vfs("/etc/hosts", ID, "hosts"));
        assert!(detect(&[("proc/self/mountinfo", &shared), podman]).is_err());
        // In a Kubernetes pod the files are the sandbox's.
        let pod = (
            "proc/self/environ",
            "container=podman\0KUBERNETES_SERVICE_HOST=10.96.0.1\0",
        );
        assert!(detect(&[("proc/self/mountinfo", &mounts), pod]).is_err());
    }

    #[test]
    fn lxc_by_its_marker_and_layout() {
        let mountinfo = |root: &str| format!("85 63 254:0 {root} / rw - ext4 /dev/vda rw\n");
        let own = mountinfo("/var/lib/lxc/web-3/rootfs");
        let root = ("proc/self/mountinfo", own.as_str());
        let lxc = ("proc/self/environ", "container=lxc\0");
        let name = ("etc/hostname", "web-3\n");
        let found = detect(&[root, lxc, name]).expect("agreed");
        assert_eq!(
            (found.value.as_str(), found.runtime),
            ("web-3", Some(ContainerRuntime::Lxc.into()))
        );
        // The layout alone is a directory anyone may bind.
        assert!(detect(&[root, name]).is_err());
        assert!(detect(&[root, ("proc/self/environ", "container=bwrap\0"), name]).is_err());
        // LXC's own layout: the container's name wins over a UTS name set apart.
        let apart = detect(&[root, lxc, ("etc/hostname", "edge-gw\n")]).expect("named");
        assert_eq!(apart.value, "web-3");
        assert!(apart.detail.contains("set apart"), "{}", apart.detail);
        assert_eq!(detect(&[root, lxc]).map(|e| e.value), Ok("web-3".into()));
        // systemd's record stands for the environment of a service.
        let systemd = ("run/systemd/container", "lxc\n");
        assert_eq!(
            detect(&[root, systemd]).map(|e| e.value),
            Ok("web-3".into())
        );
        // An LXD project's instance, on a storage pool anywhere.
        let project = mountinfo("/srv/pool/containers/shop_web-4/rootfs");
        let found = detect(&[("proc/self/mountinfo", &project), lxc]).expect("a project");
        assert_eq!(found.value, "web-4");
        // Outside those layouts the UTS name must agree.
        let bundle = mountinfo("/srv/bundles/web-3/rootfs");
        let bundle = ("proc/self/mountinfo", bundle.as_str());
        assert_eq!(
            detect(&[bundle, lxc, name]).map(|e| e.value),
            Ok("web-3".into())
        );
        assert!(detect(&[bundle, lxc]).is_err());
        assert!(detect(&[bundle, lxc, ("etc/hostname", "web-4\n")]).is_err());
        let dir = mountinfo("/srv/roots/db-1");
        let dir = ("proc/self/mountinfo", dir.as_str());
        let db = ("etc/hostname", "db-1\n");
        assert_eq!(detect(&[dir, lxc, db]).map(|e| e.value), Ok("db-1".into()));
        assert!(detect(&[dir, lxc, name]).is_err());
        // A cgroup that names another container; LXC's own cgroup names the same.
        assert!(detect(&[root, lxc, name, ("proc/self/cgroup", "0::/web-4\n")]).is_err());
        let payload = ("proc/self/cgroup", "0::/lxc.payload.web-3\n");
        assert!(detect(&[root, lxc, name, payload]).is_ok());
    }

    #[test]
    fn cgroup_leaves_skip_the_root_and_bad_lines() {
        let leaves =
            cgroup_leaves("9:name=systemd:/default/web-1\n8:pids:/\n0::/default/web-1/\nx:y:/z\n");
        assert_eq!(
            leaves,
            [
                ("web-1".into(), "/default/web-1".into()),
                ("web-1".into(), "/default/web-1/".into())
            ]
        );
    }
}
