//! `InstanceResourceDetector`: the engine as an `opentelemetry_sdk` resource
//! detector, and the attributes as a `Resource`. (An app's `Instance` becomes a
//! `Resource` in `serve/instance.rs`: the serving side depends on this one, never the
//! other way round.)

use std::borrow::Cow;

use opentelemetry::KeyValue;
use opentelemetry_sdk::resource::{Resource, ResourceDetector};

use crate::engine::chain::Chain;
use crate::engine::detect::detect;
use crate::engine::view::SystemView;
use crate::otel::attributes::ResourceAttributes;

/// An `opentelemetry_sdk` [`ResourceDetector`] that names the instance by the
/// detection engine: `service.instance.id` (a UUID v5 of the id), `container.id`,
/// `container.runtime.name`, the Kubernetes downward API's `k8s.*` and `host.name`,
/// as [`ResourceAttributes`] describes them.
///
/// It detects when the resource is built, once per [`detect`](ResourceDetector::detect)
/// (reading files, and asking the ECS endpoint where the chain says so: build the
/// resource where blocking is allowed). Where no strategy finds an id, the resource
/// is empty, as the trait asks.
///
/// ```
/// use instance_id::{InstanceResourceDetector, SystemView};
/// use opentelemetry::Key;
/// use opentelemetry_sdk::Resource;
///
/// let view = SystemView::snapshot("/nonexistent")
///     .with_env([("POD_NAME", "cart-5d8f7b6c9-abcde"), ("POD_NAMESPACE", "shop")]);
/// let resource = Resource::builder_empty()
///     .with_detector(Box::new(InstanceResourceDetector::new().view(view)))
///     .build();
///
/// assert_eq!(
///     resource.get(&Key::new("service.instance.id")).map(|v| v.to_string()).as_deref(),
///     Some("6b36b9df-0ca3-5eac-bb60-895617c8d5fc")
/// );
/// assert_eq!(
///     resource.get(&Key::new("k8s.namespace.name")).map(|v| v.to_string()).as_deref(),
///     Some("shop")
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct InstanceResourceDetector {
    chain: Chain,
    /// `None`: the live system, read when the resource is built.
    view: Option<SystemView>,
}

impl InstanceResourceDetector {
    /// The default chain (`container`, then `kubernetes`, `ecs`, `platform`,
    /// `process`) on the live system.
    ///
    /// ```
    /// use opentelemetry_sdk::Resource;
    ///
    /// let resource = Resource::builder()
    ///     .with_service_name("shop")
    ///     .with_detector(Box::new(instance_id::InstanceResourceDetector::new()))
    ///     .build();
    /// // The default chain ends in `process`, which always finds an id.
    /// assert!(resource.get(&"service.instance.id".into()).is_some());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Detect with this chain instead of the default one.
    ///
    /// ```
    /// use instance_id::{Chain, InstanceResourceDetector, Strategy, SystemView};
    /// use opentelemetry_sdk::resource::ResourceDetector;
    ///
    /// let detector = InstanceResourceDetector::new()
    ///     .chain(Chain::new(Strategy::env("NOPE"), [])?)
    ///     .view(SystemView::snapshot("/nonexistent"));
    /// assert!(detector.detect().is_empty()); // nothing found: an empty resource
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
    pub fn chain(mut self, chain: Chain) -> Self {
        self.chain = chain;
        self
    }

    /// Detect against this view instead of the live system (a snapshot, another
    /// process, tests).
    ///
    /// ```
    /// use instance_id::{InstanceResourceDetector, SystemView};
    /// use opentelemetry_sdk::resource::ResourceDetector;
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("FLY_MACHINE_ID", "d8a966b421fce2")]);
    /// let resource = InstanceResourceDetector::new().view(view).detect();
    /// assert_eq!(
    ///     resource.get(&"service.instance.id".into()).map(|v| v.to_string()).as_deref(),
    ///     Some("83ef29e3-d295-53bb-88bc-eee0ed3c4b7c")
    /// );
    /// ```
    pub fn view(mut self, view: SystemView) -> Self {
        self.view = Some(view);
        self
    }
}

impl ResourceDetector for InstanceResourceDetector {
    fn detect(&self) -> Resource {
        let view: &SystemView = &self
            .view
            .as_ref()
            .map_or_else(|| Cow::Owned(SystemView::live()), Cow::Borrowed);
        match detect(&self.chain, view) {
            Ok(detection) => Resource::from(&ResourceAttributes::new(&detection, view)),
            // The trait's contract: what cannot be found is an empty resource.
            Err(_) => Resource::builder_empty().build(),
        }
    }
}

impl ResourceAttributes {
    /// The attributes as OpenTelemetry key-values, in the order of
    /// [`pairs`](ResourceAttributes::pairs), for a `Resource` builder's
    /// `with_attributes`.
    ///
    /// ```
    /// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let detection = detect(&Chain::new(Strategy::Kubernetes, [])?, &view).expect("a pod");
    /// let values = ResourceAttributes::new(&detection, &view).key_values();
    /// assert_eq!(values[0].key.as_str(), "service.instance.id");
    /// assert_eq!(values[1].key.as_str(), "k8s.pod.name");
    /// assert_eq!(values[1].value.as_str(), "web-7d9f");
    /// # Ok::<(), instance_id::ConfigError>(())
    /// ```
    pub fn key_values(&self) -> Vec<KeyValue> {
        self.pairs()
            .into_iter()
            .map(|(key, value)| KeyValue::new(key, value.to_owned()))
            .collect()
    }
}

/// A resource that holds these attributes and nothing else.
///
/// ```
/// use instance_id::{detect, Chain, ResourceAttributes, Strategy, SystemView};
/// use opentelemetry_sdk::Resource;
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let detection = detect(&Chain::new(Strategy::Kubernetes, [])?, &view).expect("a pod");
/// let resource = Resource::from(&ResourceAttributes::new(&detection, &view));
/// assert_eq!(resource.len(), 2); // service.instance.id, k8s.pod.name
/// # Ok::<(), instance_id::ConfigError>(())
/// ```
impl From<&ResourceAttributes> for Resource {
    fn from(attributes: &ResourceAttributes) -> Self {
        Resource::builder_empty()
            .with_attributes(attributes.key_values())
            .build()
    }
}
