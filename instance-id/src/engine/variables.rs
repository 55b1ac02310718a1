//! The environment variables that the engine reads by name, each spelled once here;
//! a strategy's table of platforms (`platform.rs`) lists its own.

/// The ECS task metadata endpoint v4, which names this container.
pub(crate) const ECS_METADATA_URI_V4: &str = "ECS_CONTAINER_METADATA_URI_V4";
/// The v3 endpoint, older agents'; its presence alone says "on ECS".
pub(crate) const ECS_METADATA_URI_V3: &str = "ECS_CONTAINER_METADATA_URI";
/// Nomad's allocation id.
pub(crate) const NOMAD_ALLOC_ID: &str = "NOMAD_ALLOC_ID";
/// Set by Kubernetes in every container of a pod.
pub(crate) const KUBERNETES_SERVICE_HOST: &str = "KUBERNETES_SERVICE_HOST";
/// What Kubernetes sets to the pod's name.
pub(crate) const HOSTNAME: &str = "HOSTNAME";
/// The downward API's usual names: the pod's name and uid, its namespace, its node.
pub(crate) const POD_NAME: &str = "POD_NAME";
pub(crate) const POD_UID: &str = "POD_UID";
pub(crate) const POD_NAMESPACE: &str = "POD_NAMESPACE";
pub(crate) const NODE_NAME: &str = "NODE_NAME";
/// The runtime's own marker (`container=podman`, `container=lxc`, systemd's convention).
pub(crate) const CONTAINER: &str = "container";
