//! LXC, LXD and Incus, by their own evidence: two kinds of source that the runtime
//! writes separately.
//!
//! - **The marker**: `container=lxc` in the environment (lxc-start and LXD set it for
//!   the container's init), or `/run/systemd/container` holding `lxc` (for a systemd
//!   service inside the container: systemd starts services with a clean environment
//!   and records the container type there).
//! - **The layout**: the root mount comes from LXC's own `…/lxc/<name>/rootfs` (any
//!   lxcpath: `/var/lib/lxc`, a user's `~/.local/share/lxc`) or from a storage pool's
//!   `…/containers/<name>/rootfs` or `…/containers/<project>_<name>/rootfs` (LXD and
//!   Incus; instance names are host names and hold no `_`, so the name is what follows
//!   the last one).
//!
//! The marker with that layout names the container, and the container's name wins over
//! a UTS name set apart from it (`lxc.uts.name`, LXD's `raw.lxc`), as a Docker
//! container's id wins over `--hostname`. A root directory outside those layouts
//! (`dir:` anywhere, `lxc-create -P DIR`) is named by its own name (the directory
//! before `/rootfs`, else the last component), and the UTS name must agree too: a
//! sandbox that sets the marker over some directory, with another host name, is
//! refused. One that copies LXC's own layout exactly cannot be told from LXC, as one
//! that copies Docker's cannot be told from Docker.

use std::borrow::Cow;

use super::agree::is_name;
use super::mountinfo::{self, Mount};
use crate::engine::variables;
use crate::engine::view::{EnvValue, SystemView};
use crate::engine::Quoted;

/// Where systemd records the container type it booted in.
const SYSTEMD_CONTAINER: &str = "/run/systemd/container";

/// The type systemd records is one short word.
const SYSTEMD_CONTAINER_BYTES: usize = 256;

/// The marker's value.
const LXC: &str = "lxc";

/// The root file system's directory, and what its layout says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RootDir {
    /// The directory as the mount shows it (a ZFS dataset's `<source>/rootfs`).
    pub path: String,
    /// The directory's own name: the one before `/rootfs`, else the last component.
    pub dir: String,
    pub layout: Layout,
}

/// Whose layout a root directory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Layout {
    /// `…/lxc/<name>/rootfs`: under an lxcpath of LXC's own.
    Lxcpath,
    /// `…/containers/[<project>_]<name>/rootfs`: an LXD or Incus storage pool.
    StoragePool {
        /// The instance's name, without its project.
        name: String,
    },
    /// `…/<name>/rootfs` anywhere else: `lxc-create -P DIR`, an OCI bundle, a sandbox.
    Rootfs,
    /// Any other directory (LXC's `dir:` root).
    Directory,
}

impl RootDir {
    /// The root mount's directory, where it has a name that a runtime could give.
    pub fn of(mount: &Mount<'_>) -> Option<RootDir> {
        // LXD and Incus on ZFS: the dataset `…/containers/<name>` holds the root in
        // its `/rootfs` directory.
        let path: Cow<'_, str> = if mount.root == "/rootfs" && mount.fstype == "zfs" {
            Cow::Owned(format!("{}/rootfs", mount.source))
        } else {
            Cow::Borrowed(mount.root.as_ref())
        };
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let (dir, layout) = match segments.as_slice() {
            [.., "lxc", dir, "rootfs"] => (*dir, Layout::Lxcpath),
            [.., "containers", dir, "rootfs"] => {
                let name = dir.rsplit('_').next().unwrap_or(dir);
                let name = name.to_owned();
                (*dir, Layout::StoragePool { name })
            }
            [.., dir, "rootfs"] => (*dir, Layout::Rootfs),
            // A lone `/rootfs` names nothing.
            ["rootfs"] | [] => return None,
            [.., dir] => (*dir, Layout::Directory),
        };
        let named = is_name(dir)
            && match &layout {
                Layout::StoragePool { name } => is_name(name),
                _ => true,
            };
        named.then(|| RootDir {
            path: path.clone().into_owned(),
            dir: dir.to_owned(),
            layout,
        })
    }

    /// The container's name where the layout is LXC's or LXD's own.
    pub fn own_name(&self) -> Option<&str> {
        match &self.layout {
            Layout::Lxcpath => Some(&self.dir),
            Layout::StoragePool { name } => Some(name),
            Layout::Rootfs | Layout::Directory => None,
        }
    }

    /// The `<name>` of a `…/<name>/rootfs` root: the directory of a container's own
    /// bundle, in any runtime's layout.
    pub fn bundle(&self) -> Option<&str> {
        (self.layout != Layout::Directory).then_some(self.dir.as_str())
    }

    /// Whether the root names `id`: by its directory, or by the container's name that
    /// its layout gives (a project's `<project>_<name>` names `<name>`).
    pub fn names(&self, id: &str) -> bool {
        self.dir == id || self.own_name() == Some(id)
    }
}

/// LXC's marker, and where it was read, for `--explain`.
pub(super) fn marker(view: &SystemView) -> Option<&'static str> {
    match view.var(variables::CONTAINER) {
        EnvValue::Set(LXC) => return Some("container=lxc in the environment"),
        // Another runtime's marker, or one that is not text: not LXC's.
        EnvValue::Set(_) | EnvValue::NotUtf8 => return None,
        EnvValue::Unset => {}
    }
    let recorded = view
        .read_limited(SYSTEMD_CONTAINER, SYSTEMD_CONTAINER_BYTES)
        .ok()?;
    (recorded.trim() == LXC).then_some("/run/systemd/container says lxc")
}

/// An LXC, LXD or Incus container that the marker and the root's layout agree on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct LxcClaim {
    pub name: String,
    /// The agreeing sources, for `--explain`.
    pub why: String,
    /// What else was seen and did not count against it (a UTS name set apart).
    pub note: Option<String>,
}

/// The container that the marker, the root's layout and (outside LXC's and LXD's own
/// layouts) the UTS name agree on; else, where the marker is there, why it names
/// nothing.
pub(super) fn claim(
    root: Option<&RootDir>,
    marker: Option<&str>,
    hostname: Option<&str>,
) -> Result<LxcClaim, Option<String>> {
    let Some(marker) = marker else {
        return Err(None);
    };
    let Some(root) = root else {
        return Err(Some(format!(
            "{marker}, but the root mount is no directory a container is named by"
        )));
    };
    if let Some(name) = root.own_name() {
        let layout = match root.layout {
            Layout::StoragePool { .. } => "a storage pool's containers/<name>/rootfs",
            _ => "LXC's own <lxcpath>/<name>/rootfs",
        };
        // The UTS name is the user's to set apart; the container's name is the one
        // that lxc-ls, lxc list and lxc exec take.
        let note = hostname.filter(|host| *host != name).map(|host| {
            format!(
                "the UTS name {} is set apart from it, and the container's name wins",
                Quoted(host)
            )
        });
        return Ok(LxcClaim {
            name: name.to_owned(),
            why: format!("root mount from {} ({layout}) and {marker}", root.path),
            note,
        });
    }
    // Any directory may be bound as a sandbox's root: outside LXC's own layouts the
    // runtime's other word, the UTS name it gives the container, must agree.
    match hostname {
        Some(host) if host == root.dir => Ok(LxcClaim {
            name: root.dir.clone(),
            why: format!(
                "root mount from {}, the UTS name {} and {marker}",
                root.path,
                Quoted(host)
            ),
            note: None,
        }),
        other => Err(Some(format!(
            "{marker}, but the root mount from {} is outside LXC's and LXD's own layouts and the UTS name {} is not {}",
            root.path,
            other.map(Quoted).map_or_else(|| "(unknown)".to_owned(), |q| q.to_string()),
            Quoted(&root.dir)
        ))),
    }
}

/// The container that LXC's or LXD's own evidence names, read from the view: for the
/// `cgroup` strategy, whose `lxc.payload.<name>` is a source of its own that must not
/// name another.
pub(super) fn own_evidence(view: &SystemView) -> Option<(RootDir, &'static str)> {
    let marker = marker(view)?;
    let text = view.read(mountinfo::PATH).ok()?;
    let mounts: Vec<Mount<'_>> = text.lines().filter_map(mountinfo::parse).collect();
    let root = mounts
        .iter()
        .rev()
        .find(|m| m.point == "/")
        .and_then(RootDir::of)?;
    root.own_name().is_some().then_some((root, marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(line: &str) -> Option<RootDir> {
        RootDir::of(&mountinfo::parse(line).expect("a mount line"))
    }

    #[test]
    fn root_directories() {
        let lxc = root("85 63 254:0 /var/lib/lxc/web-3/rootfs / rw - ext4 /dev/vda rw")
            .expect("LXC's layout");
        assert_eq!((lxc.dir.as_str(), lxc.own_name()), ("web-3", Some("web-3")));
        let user = root("85 63 254:0 /home/u/.local/share/lxc/n-1/rootfs / rw - ext4 /dev/vda rw")
            .expect("a user's lxcpath");
        assert_eq!(user.own_name(), Some("n-1"));
        let zfs = root("85 63 0:50 /rootfs / rw - zfs default/containers/c1 rw,xattr")
            .expect("a ZFS pool");
        assert_eq!(
            (zfs.path.as_str(), zfs.own_name()),
            ("default/containers/c1/rootfs", Some("c1"))
        );
        let project =
            root("85 63 254:0 /var/lib/lxd/storage-pools/default/containers/my_shop_web-4/rootfs / rw - ext4 /dev/vda rw")
                .expect("a project");
        assert_eq!(
            (project.dir.as_str(), project.own_name()),
            ("my_shop_web-4", Some("web-4"))
        );
        assert!(project.names("web-4") && project.names("my_shop_web-4"));
        let bundle =
            root("85 63 254:0 /srv/b/job-1/rootfs / rw - ext4 /dev/vda rw").expect("a bundle");
        assert_eq!((bundle.bundle(), bundle.own_name()), (Some("job-1"), None));
        let dir = root("85 63 254:0 /srv/roots/db-1 / rw - ext4 /dev/vda rw").expect("a dir");
        assert_eq!((dir.dir.as_str(), dir.bundle()), ("db-1", None));
        for line in [
            "1 0 254:0 / / rw - ext4 /dev/vda rw",
            "1 0 254:0 /rootfs / rw - ext4 /dev/vda rw",
            "1 0 254:0 /srv/session-3.scope/rootfs / rw - ext4 /dev/vda rw",
            "1 0 254:0 /srv/pool/containers/shop_/rootfs / rw - ext4 /dev/vda rw",
            "1 0 0:39 / / rw - overlay overlay rw,lowerdir=/a/rootfs",
        ] {
            assert_eq!(root(line), None, "{line}");
        }
    }

    #[test]
    fn the_claim_says_which_sources_agree() {
        let lxd = root("1 0 254:0 /srv/p/containers/cart-2/rootfs / rw - ext4 /dev/vda rw");
        let claim = claim(
            lxd.as_ref(),
            Some("container=lxc in the environment"),
            Some("pos"),
        )
        .expect("LXD's own layout");
        assert_eq!(claim.name, "cart-2");
        assert!(claim.why.contains("storage pool") && claim.why.contains("container=lxc"));
        assert!(claim.note.is_some_and(|note| note.contains("\"pos\"")));
        assert_eq!(super::claim(lxd.as_ref(), None, Some("cart-2")), Err(None));
        let sandbox = root("1 0 254:0 /srv/x/job-1/rootfs / rw - ext4 /dev/vda rw");
        let refused = super::claim(sandbox.as_ref(), Some("container=lxc"), Some("runner-3"))
            .expect_err("another host name");
        assert!(refused.is_some_and(|why| why.contains("\"runner-3\" is not \"job-1\"")));
    }
}
