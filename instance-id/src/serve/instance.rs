//! What handlers see of the identity, whatever the framework: Rocket hands it to a
//! request guard and as managed state, Axum as an extractor.

use std::fmt;
use std::sync::Arc;

use crate::engine::detect::Detection;
use crate::otel::attributes::ResourceAttributes;
use crate::serve::rendered::Rendered;

/// The instance's identity, for handlers: with Rocket a request guard
/// (`instance: &Instance`) and managed state (`&State<Instance>`), a type of its own so
/// the app's `String` state is untouched. It displays as the exposed id.
///
/// ```
/// use instance_id::{InstanceConfig, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
/// assert_eq!(instance.to_string(), "web-7d9f");
/// assert_eq!(instance.detection().source, "kubernetes");
/// # Ok::<(), instance_id::StartError>(())
/// ```
#[derive(Clone)]
pub struct Instance(pub(crate) Arc<Rendered>);

impl Instance {
    /// The id as exposed (full, short or hashed, as configured).
    pub fn id(&self) -> &str {
        &self.0.exposed
    }

    /// The detection: the raw id, the deciding strategy, the runtime, every attempt.
    pub fn detection(&self) -> &Detection {
        &self.0.detection
    }

    /// The detection's OpenTelemetry resource attributes, as computed at start-up
    /// from the same detection: the telemetry and the header name the same instance.
    /// With the feature `opentelemetry`, `Resource::from(&instance)` is the resource.
    ///
    /// ```
    /// use instance_id::{InstanceConfig, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view).start()?;
    /// let attributes = instance.resource_attributes();
    /// assert_eq!(attributes.k8s_pod_name.as_deref(), Some("web-7d9f"));
    /// assert_eq!(
    ///     attributes.service_instance_id,
    ///     instance_id::service_instance_id(&instance.detection().id)
    /// );
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn resource_attributes(&self) -> &ResourceAttributes {
        &self.0.resource
    }

    /// When the identity was detected (the app's start), RFC 3339.
    pub fn started_at(&self) -> &str {
        &self.0.started_at
    }

    /// The requests this instance has answered so far.
    pub fn served(&self) -> u64 {
        self.0.served()
    }
}

/// The exposed id, as the header and the route show it.
impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance").field("id", &self.id()).finish()
    }
}
