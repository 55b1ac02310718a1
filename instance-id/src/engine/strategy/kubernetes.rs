//! `kubernetes`: the pod, as the downward API or Kubernetes itself names it.

use super::{env_or_reason, Evidence};
use crate::engine::runtime::{Platform, Runtime};
use crate::engine::variables::{HOSTNAME, KUBERNETES_SERVICE_HOST, POD_NAME, POD_UID};
use crate::engine::view::SystemView;

/// Downward-API variables that name the pod, best first. (`POD_NAMESPACE` and
/// `NODE_NAME` say where the pod is, not which one it is.)
const DOWNWARD_API: [&str; 2] = [POD_NAME, POD_UID];

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    for name in DOWNWARD_API {
        if let Some(value) = env_or_reason(view, name)? {
            return Ok(Evidence::new(
                value,
                Some(Runtime::Platform(Platform::Kubernetes)),
                format!("${name} (downward API)"),
            ));
        }
    }
    if env_or_reason(view, KUBERNETES_SERVICE_HOST)?.is_some() {
        return match env_or_reason(view, HOSTNAME)? {
            Some(value) => Ok(Evidence::new(
                value,
                Some(Runtime::Platform(Platform::Kubernetes)),
                format!("${HOSTNAME}, which Kubernetes sets to the pod's name (${KUBERNETES_SERVICE_HOST} is set)"),
            )),
            None => Err(format!("${KUBERNETES_SERVICE_HOST} is set but ${HOSTNAME} is not")),
        };
    }
    Err(format!("not a Kubernetes pod: none of ${POD_NAME}, ${POD_UID} (downward API) or ${KUBERNETES_SERVICE_HOST} is set"))
}
