//! The container family: `cgroup`, `mountinfo` and `podman`, which `container` tries
//! in that order. `mountinfo` ends with `agree`: a runtime no known shape names, where
//! independent sources agree on its container; `lxc` is the LXC family's own evidence
//! (its marker and its layouts), one of those rules.

mod agree;
pub(crate) mod cgroup;
mod lxc;
pub(crate) mod mountinfo;
pub(crate) mod podman;
mod shapes;
