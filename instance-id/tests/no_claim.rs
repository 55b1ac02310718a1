//! Never a guess, on generated input: a host (or a sandbox on it) whose mount table
//! lists other containers' mounts of every known shape and of the shapes that
//! independent sources can name, and whose cgroup file holds job and session cgroups
//! named with 32 or 64 hex, is no container. The host name is one of the planted
//! names, so a rule that took a planted mount for this process's would find it
//! "agreeing". `container` must claim nothing, and the fallback answers.
//!
//! A sandbox that imitates LXC's marker (`container=lxc`, or systemd's
//! `/run/systemd/container` saying `lxc`) over a root directory outside LXC's and
//! LXD's own layouts, with a host name of its own, is no container either.

mod support;

use proptest::prelude::*;
use support::detect_json;

fn hex(len: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[0-9a-f]{{{len}}}")).expect("a regex")
}

/// A name a user gives a container (containerd ids, LXC names).
fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?"
}

/// One mount of another container, or of a layer or volume, at a mount point of the
/// host's that is never this process's own `/` or per-container file.
fn other_mount() -> impl Strategy<Value = String> {
    prop_oneof![
        hex(64).prop_map(|id| format!(
            "254:0 /var/lib/docker/containers/{id}/mounts/shm /var/lib/docker/containers/{id}/mounts/shm rw - tmpfs shm rw"
        )),
        hex(64).prop_map(|id| format!(
            "254:0 /var/lib/docker/containers/{id}/hostname /srv/peers/{id}/hostname rw - ext4 /dev/vda rw"
        )),
        (hex(64), hex(26)).prop_map(|(id, l)| format!(
            "0:40 / /var/lib/docker/overlay2/{id}/merged rw - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/{l},upperdir=/var/lib/docker/overlay2/{id}/diff"
        )),
        hex(64).prop_map(|id| format!(
            "254:0 /var/lib/docker/volumes/{id}/_data /data/{id} rw - ext4 /dev/vda rw"
        )),
        (prop_oneof!["overlay", "vfs", "btrfs", "zfs"], hex(64)).prop_map(|(driver, id)| format!(
            "0:39 / /var/lib/containers/storage/{driver}-containers/{id}/userdata/shm rw - tmpfs shm rw"
        )),
        (prop_oneof!["overlay", "vfs"], hex(64)).prop_map(|(driver, id)| format!(
            "254:0 /run/containers/storage/{driver}-containers/{id}/userdata/hostname /mnt/peer/hostname rw - ext4 /dev/vda rw"
        )),
        (hex(64), 1u32..99).prop_map(|(id, n)| format!(
            "0:50 / /var/lib/containers/storage/overlay/{id}/merged rw - overlay overlay rw,lowerdir=/var/lib/containers/storage/overlay/l/A{n}"
        )),
        (prop_oneof!["default", "k8s.io", "moby", "team-a"], name(), 1u32..99).prop_map(|(ns, id, n)| format!(
            "0:50 / /run/containerd/io.containerd.runtime.v2.task/{ns}/{id}/rootfs rw - overlay overlay rw,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/{n}/fs"
        )),
        hex(64).prop_map(|id| format!(
            "0:45 / /run/containerd/io.containerd.grpc.v1.cri/sandboxes/{id}/shm rw - tmpfs shm rw"
        )),
        (hex(12), hex(64)).prop_map(|(h, id)| format!(
            "254:0 /var/lib/nerdctl/{h}/containers/default/{id}/hostname /srv/n/{id} rw - ext4 /dev/vda rw"
        )),
        name().prop_map(|n| format!(
            "254:0 /var/lib/lxc/{n}/rootfs /var/lib/lxc/{n}/rootfs rw - ext4 /dev/vda rw"
        )),
        name().prop_map(|n| format!(
            "254:0 /var/lib/lxc/{n}/rootfs /srv/lxc/{n}/rootfs rw,relatime - ext4 /dev/vda rw"
        )),
    ]
}

/// A cgroup a batch system, a job runner or systemd names with a hex token.
fn job_cgroup() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/".to_owned()),
        hex(32).prop_map(|h| format!("/process_api/{h}")),
        hex(32).prop_map(|h| format!("/jobs/{h}")),
        hex(32).prop_map(|h| format!("/batch/job-{h}")),
        hex(32).prop_map(|h| format!("/system.slice/run-r{h}.scope")),
        hex(64).prop_map(|h| format!("/system.slice/{h}.service")),
        hex(64).prop_map(|h| format!("/user.slice/user-1000.slice/session-{h}.scope")),
        hex(32).prop_map(|h| format!("/ci/{h}/step-{}", &h[..8])),
        (hex(64), hex(32)).prop_map(|(a, b)| format!("/runner/{a}-{b}")),
    ]
}

/// The process's own `/`: the host's, or a sandbox's over a directory (bubblewrap,
/// `unshare` with a pivot), named like a container's.
fn own_root(names: Vec<String>) -> impl Strategy<Value = String> {
    let planted = names.first().cloned().unwrap_or_else(|| "box".into());
    prop_oneof![
        Just("254:0 / / rw,relatime - ext4 /dev/vda rw".to_owned()),
        Just(format!(
            "254:0 /home/u/sandboxes/{planted}/rootfs / rw,nosuid - ext4 /dev/vda rw"
        )),
        Just("0:60 / / rw - tmpfs tmpfs rw".to_owned()),
    ]
}

fn host() -> impl Strategy<Value = (String, String, String, String)> {
    (
        prop::collection::vec(other_mount(), 1..12),
        prop::collection::vec(job_cgroup(), 1..10),
        prop::collection::vec(name(), 1..3),
        prop_oneof![
            Just(""),
            Just("container=bwrap"),
            Just("container=flatpak"),
            Just("container=podman"),
        ],
    )
        .prop_flat_map(|(mounts, cgroups, names, marker)| {
            let hostname = names[0].clone();
            (own_root(names), Just((mounts, cgroups, hostname, marker)))
        })
        .prop_map(|(root, (mounts, cgroups, hostname, marker))| {
            let (table, cgroup) = tables(&root, &mounts, &cgroups);
            let environ = format!("PATH=/usr/bin:/bin\0{marker}\0");
            (table, cgroup, hostname, environ)
        })
}

fn controller(n: usize) -> &'static str {
    [
        "",
        "cpu",
        "memory",
        "pids",
        "name=systemd",
        "blkio",
        "devices",
        "freezer",
        "cpuset",
        "net_cls",
    ][n % 10]
}

/// A root directory a sandbox binds, outside LXC's and LXD's own layouts
/// (`…/lxc/<name>/rootfs`, `…/containers/<name>/rootfs`), some of them near misses.
fn sandbox_root(name: String) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("/home/u/sandboxes/{name}/rootfs")),
        Just(format!("/srv/{name}/rootfs")),
        Just(format!("/srv/jobs/{name}")),
        Just(format!("/tmp/bwrap-{name}/rootfs")),
        Just(format!("/srv/lxc-data/{name}/rootfs")),
        Just(format!("/var/lib/lxcfs/{name}/rootfs")),
        Just(format!("/srv/containers-old/{name}/rootfs")),
        Just(format!("/srv/containers/{name}/root")),
        Just(format!("/srv/lxc/{name}/rootfs/sub")),
    ]
    .prop_map(|path| format!("254:0 {path} / rw,nosuid - ext4 /dev/vda rw"))
}

/// LXC's marker as a sandbox imitates it: the environment, systemd's record, or both.
fn lxc_marker() -> impl Strategy<Value = (&'static str, Option<&'static str>)> {
    prop_oneof![
        Just(("container=lxc", None)),
        Just(("", Some("lxc\n"))),
        Just(("container=lxc", Some("lxc\n"))),
        Just(("SANDBOX=1", Some("lxc"))),
    ]
}

/// What a generated system shows: the mount table, the cgroup file, the kernel's host
/// name, the environment, `/run/systemd/container` and `/etc/hostname` where written.
type System = (
    String,
    String,
    String,
    String,
    Option<&'static str>,
    Option<String>,
);

/// A sandbox over a root directory named `root`, with LXC's marker and a UTS name of
/// its own (its `/etc/hostname`, copied with the root, may say `root`), beside other
/// containers' mounts and in job cgroups.
fn lxc_marker_sandbox() -> impl Strategy<Value = System> {
    (
        prop::collection::vec(other_mount(), 0..8),
        prop::collection::vec(job_cgroup(), 1..10),
        (name(), name()).prop_filter("a host name of its own", |(root, host)| root != host),
        lxc_marker(),
    )
        .prop_flat_map(|(mounts, cgroups, (root, host), marker)| {
            let file = prop::option::of(Just(root.clone()));
            (
                sandbox_root(root),
                file,
                Just((mounts, cgroups, host, marker)),
            )
        })
        .prop_map(
            |(root, file, (mounts, cgroups, hostname, (environ, systemd)))| {
                let (table, cgroup) = tables(&root, &mounts, &cgroups);
                let environ = format!("PATH=/usr/bin:/bin\0{environ}\0");
                (table, cgroup, hostname, environ, systemd, file)
            },
        )
}

/// The mount table with `root` at `/` and the other mounts after it, and the cgroup
/// file of `cgroups`.
fn tables(root: &str, mounts: &[String], cgroups: &[String]) -> (String, String) {
    let mut table = format!("20 1 {root}\n");
    for (n, mount) in mounts.iter().enumerate() {
        table.push_str(&format!("{} 20 {mount}\n", 30 + n));
    }
    let cgroup: String = cgroups
        .iter()
        .enumerate()
        .map(|(n, path)| format!("{}:{}:{path}\n", cgroups.len() - 1 - n, controller(n)))
        .collect();
    (table, cgroup)
}

/// Writes the snapshot, detects with `container` and the host name as fallback, and
/// checks that the fallback answered.
fn assert_no_claim(
    (mountinfo, cgroup, hostname, environ, systemd, file): System,
) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("proc/self")).expect("mkdir");
    std::fs::create_dir_all(root.join("proc/sys/kernel")).expect("mkdir");
    std::fs::create_dir_all(root.join("run/systemd")).expect("mkdir");
    std::fs::create_dir_all(root.join("etc")).expect("mkdir");
    std::fs::write(root.join("proc/self/mountinfo"), &mountinfo).expect("write");
    std::fs::write(root.join("proc/self/cgroup"), &cgroup).expect("write");
    std::fs::write(root.join("proc/self/environ"), &environ).expect("write");
    std::fs::write(
        root.join("proc/sys/kernel/hostname"),
        format!("{hostname}\n"),
    )
    .expect("write");
    if let Some(recorded) = systemd {
        std::fs::write(root.join("run/systemd/container"), recorded).expect("write");
    }
    if let Some(name) = &file {
        std::fs::write(root.join("etc/hostname"), format!("{name}\n")).expect("write");
    }

    let json = detect_json(root, &["--strategy", "container", "--fallback", "hostname"]);
    prop_assert_eq!(
        json["source"].as_str(),
        Some("hostname"),
        "claimed {} from\n{}\n{}\n{:?}\n{:#}",
        json["id"],
        cgroup,
        mountinfo,
        environ,
        json["attempts"]
    );
    prop_assert_eq!(json["id"].as_str(), Some(hostname.as_str()));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_host_beside_other_containers_is_no_container((mountinfo, cgroup, hostname, environ) in host()) {
        let file = Some(hostname.clone());
        assert_no_claim((mountinfo, cgroup, hostname, environ, None, file))?;
    }

    #[test]
    fn a_sandbox_that_sets_lxc_marker_is_no_container(system in lxc_marker_sandbox()) {
        assert_no_claim(system)?;
    }
}
