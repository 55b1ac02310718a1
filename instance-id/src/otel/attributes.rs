//! The one rule that turns a detection into OpenTelemetry resource attributes. The
//! detector, an app's `Instance` and `instance-id detect --format otel` all call
//! [`ResourceAttributes::new`], so that they cannot disagree.

use std::fmt;

use instance_id_grammar::StrategyName;
use uuid::Uuid;

use crate::engine::detect::Detection;
use crate::engine::runtime::{Platform, Runtime};
use crate::engine::variables::{
    HOSTNAME, KUBERNETES_SERVICE_HOST, NODE_NAME, POD_NAME, POD_NAMESPACE, POD_UID,
};
use crate::engine::view::{EnvValue, SystemView};
use crate::identity::id::{InstanceId, MAX_LEN};

/// The namespace the semantic conventions give for a `service.instance.id` derived
/// from an inherent unique id.
const SERVICE_INSTANCE_NAMESPACE: Uuid = Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);

/// The `service.instance.id` of an instance id: the UUID v5 of the id's text in the
/// namespace `4d63009a-8d0f-11ee-aad7-4c796ed8e320`, lower-case and hyphenated.
///
/// OpenTelemetry's semantic conventions ask for this form where an inherent id (a
/// container id, a pod name) names the instance: the id itself may be confidential,
/// and goes, where the user wants it, into its own attribute (`container.id`,
/// `k8s.pod.name`). The same id always gives the same UUID, so an operator who has a
/// reported id finds its telemetry (`instance-id otel-id ID` prints it); the UUID
/// cannot be turned back into the id.
///
/// ```
/// use instance_id::{service_instance_id, InstanceId};
///
/// let id = InstanceId::new("cart-5d8f7b6c9-abcde")?;
/// assert_eq!(service_instance_id(&id), "6b36b9df-0ca3-5eac-bb60-895617c8d5fc");
/// # Ok::<(), instance_id::InvalidId>(())
/// ```
pub fn service_instance_id(id: &InstanceId) -> String {
    Uuid::new_v5(&SERVICE_INSTANCE_NAMESPACE, id.as_str().as_bytes())
        .hyphenated()
        .to_string()
}

/// What a detection says about the resource, under OpenTelemetry's semantic
/// conventions: `service.instance.id` always, the rest where known.
///
/// | attribute | holds | where |
/// |---|---|---|
/// | `service.instance.id` | [`service_instance_id`] of the detected id: a UUID v5 | always |
/// | `container.id` | the detected id, whole | a container runtime's evidence decided (cgroup, mount table, `/run/.containerenv`, ECS metadata) |
/// | `container.runtime.name` | `docker`, `podman`, `containerd`, `cri-o`, `lxc`, `garden` | that evidence names the runtime (inside a pod or an ECS task it names the orchestrator, not the runtime) |
/// | `k8s.pod.name` | `POD_NAME`, else `HOSTNAME` in a pod | the downward API, or a pod |
/// | `k8s.pod.uid`, `k8s.namespace.name`, `k8s.node.name` | `POD_UID`, `POD_NAMESPACE`, `NODE_NAME` | the downward API |
/// | `host.name` | the host name | known and not blank |
///
/// `container.runtime.name` is the conventions' current name for what they called
/// `container.runtime`.
///
/// The values are the platform's own, as the conventions ask (`host.name` is the
/// host's name, whatever it says): telemetry goes to the operator's collector, not to
/// users. Only their length is bounded, as an id's is: a value of more than 253 bytes
/// is left out, and [`omitted`](Self::omitted) says which and why.
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
///     "service.instance.id=6b36b9df-0ca3-5eac-bb60-895617c8d5fc,\
///      k8s.pod.name=cart-5d8f7b6c9-abcde,k8s.namespace.name=shop"
/// );
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ResourceAttributes {
    /// `service.instance.id`: the UUID v5 of the instance id ([`service_instance_id`]).
    pub service_instance_id: String,
    /// `container.id`: the whole id, when a container runtime named the instance.
    pub container_id: Option<String>,
    /// `container.runtime.name`: the container runtime, where the evidence names it.
    pub container_runtime_name: Option<String>,
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
    /// The attributes left out because their value was longer than an id may be.
    pub omitted: Vec<OmittedAttribute>,
}

/// An attribute left out of [`ResourceAttributes`]: its value, from the environment
/// or the host name, was longer than the 253 bytes an id may have (a variable of
/// hundreds of kilobytes would make every exported batch, and the line a shell
/// `export`s, as long).
///
/// ```
/// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
///
/// let uid = "u".repeat(300);
/// let view = SystemView::snapshot("/nonexistent")
///     .with_env([("POD_NAME", "web-1"), ("POD_UID", uid.as_str())]);
/// let detection = detect(&Chain::new(Strategy::Kubernetes, [])?, &view).expect("a pod");
/// let attributes = ResourceAttributes::new(&detection, &view);
/// assert_eq!(attributes.k8s_pod_uid, None);
/// assert_eq!(
///     attributes.omitted[0].to_string(),
///     "k8s.pod.uid left out: $POD_UID is 300 bytes long; at most 253 are allowed"
/// );
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OmittedAttribute {
    /// The attribute, `k8s.pod.uid`.
    pub key: &'static str,
    /// Where its value came from: `$POD_UID`, `the host name`.
    pub from: &'static str,
    /// The value's length in bytes, trimmed.
    pub len: usize,
}

impl fmt::Display for OmittedAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} left out: {} is {} bytes long; at most {MAX_LEN} are allowed",
            self.key, self.from, self.len
        )
    }
}

/// `value` for `key`, unless it is longer than an id may be: then it is noted in
/// `omitted` instead.
fn bounded(
    key: &'static str,
    from: &'static str,
    value: &str,
    omitted: &mut Vec<OmittedAttribute>,
) -> Option<String> {
    if value.len() > MAX_LEN {
        omitted.push(OmittedAttribute {
            key,
            from,
            len: value.len(),
        });
        return None;
    }
    Some(value.to_owned())
}

impl ResourceAttributes {
    /// The attributes of a detection; the Kubernetes ones come from the downward API
    /// in the view's environment, `host.name` from the view's host name. Nothing is
    /// detected again: the view is only asked for those.
    ///
    /// ```
    /// use instance_id::{detect, service_instance_id, Chain, ResourceAttributes, Strategy, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("APP", "checkout-2")]);
    /// let detection = detect(&Chain::new(Strategy::env("APP"), [])?, &view).expect("set");
    /// let attributes = ResourceAttributes::new(&detection, &view);
    /// assert_eq!(attributes.service_instance_id, service_instance_id(&detection.id));
    /// assert_eq!(attributes.container_id, None); // an env var is no container runtime
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
    pub fn new(detection: &Detection, view: &SystemView) -> Self {
        let nonblank = |name: &str| match view.var(name) {
            EnvValue::Set(value) if !value.trim().is_empty() => Some(value.trim()),
            _ => None,
        };
        let mut omitted = Vec::new();
        let mut from_env =
            |key, name: &'static str, from| bounded(key, from, nonblank(name)?, &mut omitted);
        // `container`'s members and `ecs` decide only from a container runtime's own
        // evidence, so the id is the runtime's name for the container (LXC's and
        // Garden's too).
        let from_container = StrategyName::from_name(&detection.source).is_some_and(|name| {
            name == StrategyName::Ecs || StrategyName::Container.members().contains(&name)
        });
        // Kubernetes and ECS are platforms: the container runtime under them is not
        // known.
        let runtime_name = detection
            .runtime
            .and_then(Runtime::container)
            .map(|runtime| runtime.as_str().to_owned());
        let in_pod = detection.runtime == Some(Runtime::Platform(Platform::Kubernetes))
            || nonblank(KUBERNETES_SERVICE_HOST).is_some();
        // Kubernetes sets HOSTNAME to the pod's name.
        let pod_name = match nonblank(POD_NAME) {
            Some(_) => from_env("k8s.pod.name", POD_NAME, "$POD_NAME"),
            None if in_pod => from_env("k8s.pod.name", HOSTNAME, "$HOSTNAME"),
            None => None,
        };
        let k8s_pod_uid = from_env("k8s.pod.uid", POD_UID, "$POD_UID");
        let k8s_namespace_name = from_env("k8s.namespace.name", POD_NAMESPACE, "$POD_NAMESPACE");
        let k8s_node_name = from_env("k8s.node.name", NODE_NAME, "$NODE_NAME");
        let host_name = match view.hostname() {
            Ok(host) if !host.trim().is_empty() => {
                bounded("host.name", "the host name", host, &mut omitted)
            }
            _ => None,
        };
        Self {
            service_instance_id: service_instance_id(&detection.id),
            container_id: from_container.then(|| detection.id.as_str().to_owned()),
            container_runtime_name: runtime_name.filter(|_| from_container),
            k8s_pod_name: pod_name,
            k8s_pod_uid,
            k8s_namespace_name,
            k8s_node_name,
            host_name,
            omitted,
        }
    }

    /// `(key, value)` in the conventions' names, the known ones only, in the order of
    /// the table above.
    ///
    /// ```
    /// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let detection = detect(&Chain::new(Strategy::Kubernetes, [])?, &view).expect("a pod");
    /// assert_eq!(
    ///     ResourceAttributes::new(&detection, &view).pairs(),
    ///     [
    ///         ("service.instance.id", "fdb2e6ac-493f-5430-af6f-418ae474f729"),
    ///         ("k8s.pod.name", "web-7d9f"),
    ///     ]
    /// );
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            (
                "service.instance.id",
                Some(self.service_instance_id.as_str()),
            ),
            ("container.id", self.container_id.as_deref()),
            (
                "container.runtime.name",
                self.container_runtime_name.as_deref(),
            ),
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
    ///
    /// ```
    /// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent")
    ///     .with_env([("APP", "web-1"), ("NODE_NAME", "node=3,rack 2")]);
    /// let detection = detect(&Chain::new(Strategy::env("APP"), [])?, &view).expect("set");
    /// assert_eq!(
    ///     ResourceAttributes::new(&detection, &view).to_otel_env(),
    ///     "service.instance.id=8b75369e-af10-5718-b46a-cb8683e12958,k8s.node.name=node%3D3%2Crack%202"
    /// );
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
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

    /// Known answers from another implementation (Python's `uuid.uuid5` with the
    /// conventions' namespace), so that the namespace and the name's bytes are right,
    /// not only self-consistent.
    #[test]
    fn known_answers() {
        for (id, want) in [
            (
                "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786",
                "c5cd6699-3b39-53c6-8cc9-8290de241d5d",
            ),
            ("d8a966b421fce2", "83ef29e3-d295-53bb-88bc-eee0ed3c4b7c"),
            (
                "cart-5d8f7b6c9-abcde",
                "6b36b9df-0ca3-5eac-bb60-895617c8d5fc",
            ),
        ] {
            let id = InstanceId::new(id).expect("a valid id");
            assert_eq!(service_instance_id(&id), want, "{id}");
        }
    }
}
