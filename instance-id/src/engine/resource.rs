//! The detection as OpenTelemetry resource attributes, for an app's tracing setup and
//! for `instance-id detect --format otel`.

use crate::engine::detect::Detection;
use crate::engine::runtime::Runtime;
use crate::engine::view::{EnvValue, SystemView};

/// What a detection says about the resource, under OpenTelemetry's semantic
/// conventions: `service.instance.id` always, the rest where known.
///
/// ```
/// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent")
///     .with_env([("POD_NAME", "cart-5d8f7b6c9-abcde"), ("POD_NAMESPACE", "shop")]);
/// let detection = detect(&Chain::new(Strategy::Kubernetes, [])?, &view).expect("a pod");
/// let attributes = ResourceAttributes::new(&detection, &view);
///
/// assert_eq!(attributes.k8s_pod_name.as_deref(), Some("cart-5d8f7b6c9-abcde"));
/// assert_eq!(
///     attributes.to_otel_env(),
///     "service.instance.id=cart-5d8f7b6c9-abcde,k8s.pod.name=cart-5d8f7b6c9-abcde,k8s.namespace.name=shop"
/// );
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceAttributes {
    /// `service.instance.id`: the instance id.
    pub service_instance_id: String,
    /// `container.id`: when a container runtime named the instance.
    pub container_id: Option<String>,
    /// `k8s.pod.name`.
    pub k8s_pod_name: Option<String>,
    /// `k8s.pod.uid`.
    pub k8s_pod_uid: Option<String>,
    /// `k8s.namespace.name`.
    pub k8s_namespace_name: Option<String>,
    /// `k8s.node.name`.
    pub k8s_node_name: Option<String>,
    /// `host.name`.
    pub host_name: Option<String>,
}

impl ResourceAttributes {
    /// The attributes of a detection; the Kubernetes ones come from the downward API
    /// in the view's environment, `host.name` from the view's host name.
    pub fn new(detection: &Detection, view: &SystemView) -> Self {
        let var = |name: &str| match view.var(name) {
            EnvValue::Set(value) if !value.trim().is_empty() => Some(value.trim().to_owned()),
            _ => None,
        };
        let from_container = matches!(
            detection.source.as_str(),
            "cgroup" | "mountinfo" | "podman" | "ecs"
        ) && detection.runtime != Some(Runtime::Lxc)
            && detection.runtime != Some(Runtime::Garden);
        let in_pod = detection.runtime == Some(Runtime::Kubernetes)
            || var("KUBERNETES_SERVICE_HOST").is_some();
        // Kubernetes sets HOSTNAME to the pod's name.
        let pod_name = var("POD_NAME").or_else(|| in_pod.then(|| var("HOSTNAME")).flatten());
        Self {
            service_instance_id: detection.id.as_str().to_owned(),
            container_id: from_container.then(|| detection.id.as_str().to_owned()),
            k8s_pod_name: pod_name,
            k8s_pod_uid: var("POD_UID"),
            k8s_namespace_name: var("POD_NAMESPACE"),
            k8s_node_name: var("NODE_NAME"),
            host_name: view
                .hostname()
                .ok()
                .filter(|h| !h.is_empty())
                .map(str::to_owned),
        }
    }

    /// `(key, value)` in the conventions' names, the known ones only.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            (
                "service.instance.id",
                Some(self.service_instance_id.as_str()),
            ),
            ("container.id", self.container_id.as_deref()),
            ("k8s.pod.name", self.k8s_pod_name.as_deref()),
            ("k8s.pod.uid", self.k8s_pod_uid.as_deref()),
            ("k8s.namespace.name", self.k8s_namespace_name.as_deref()),
            ("k8s.node.name", self.k8s_node_name.as_deref()),
            ("host.name", self.host_name.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect()
    }

    /// The value of `OTEL_RESOURCE_ATTRIBUTES`: `key=value` pairs joined by commas,
    /// values percent-encoded where the format needs it.
    pub fn to_otel_env(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(key, value)| format!("{key}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Percent-encodes what would break `k=v,k=v` (and anything outside printable ASCII).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b',' | b'=' | b'%' | b';' | b'"' | b'\\' => out.push_str(&format!("%{byte:02X}")),
            b if b.is_ascii_graphic() => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding() {
        assert_eq!(percent_encode("a,b=c%d e"), "a%2Cb%3Dc%25d%20e");
    }
}
