//! The container family: `cgroup`, `mountinfo` and `podman`, which `container` tries
//! in that order. `mountinfo` ends with `agree`: a runtime no known shape names, where
//! independent sources agree on its container.

mod agree;
pub(crate) mod cgroup;
pub(crate) mod mountinfo;
pub(crate) mod podman;
mod shapes;
