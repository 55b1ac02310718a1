//! The container family: `cgroup`, `mountinfo` and `podman`, which `container` tries
//! in that order.

pub(crate) mod cgroup;
pub(crate) mod mountinfo;
pub(crate) mod podman;
mod shapes;
