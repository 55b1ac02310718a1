//! What handlers see of the identity, whatever the framework (Rocket hands it to a
//! request guard and as managed state, Axum and actix-web as an extractor), and what
//! an adapter calls: the route's path, the header, the reply, the count.

use std::fmt;
use std::sync::Arc;

use crate::engine::detect::Detection;
use crate::otel::attributes::ResourceAttributes;
use crate::serve::rendered::{Rendered, Reply};

/// The instance's identity, for handlers: with Rocket a request guard
/// (`instance: &Instance`) and managed state (`&State<Instance>`), a type of its own so
/// the app's `String` state is untouched; with Axum and actix-web an extractor. It
/// displays as the exposed id. Cloning it is cheap: every clone shares one identity
/// and one count.
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
pub struct Instance(pub(in crate::serve) Arc<Rendered>);

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

    /// The identity route's path, as configured (`"/inst"`): where an adapter mounts
    /// the route.
    ///
    /// ```
    /// # use instance_id::{InstanceConfig, SystemView};
    /// # let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/whoami").view(view).start()?;
    /// assert_eq!(instance.path(), "/whoami");
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn path(&self) -> &str {
        &self.0.path
    }

    /// The response header an adapter puts on every response that lacks it, as
    /// `(name, value)`; `None` with `header = false`. The name passed the grammar's
    /// header rule (an HTTP token) and the value is the exposed id, printable ASCII:
    /// both are valid in any HTTP library.
    ///
    /// ```
    /// # use instance_id::{InstanceConfig, SystemView};
    /// # let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view.clone()).start()?;
    /// assert_eq!(instance.header(), Some(("X-Instance-Id", "web-7d9f")));
    /// let quiet = InstanceConfig::new("/inst").no_header().view(view).start()?;
    /// assert_eq!(quiet.header(), None);
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn header(&self) -> Option<(&str, &str)> {
        self.0.header.as_deref().map(|name| (name, self.id()))
    }

    /// What the identity route answers a request with this method (`"GET"`, `"HEAD"`;
    /// any other gets `405`) and these `Accept` header lines (every line the request
    /// has; none accepts anything): the id as text, JSON, or the page, negotiated as
    /// RFC 9110 says, or `406`. See [`Reply`](crate::Reply).
    ///
    /// ```
    /// # use instance_id::{InstanceConfig, SystemView};
    /// # let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view).start()?;
    /// let reply = instance.reply("GET", ["application/json"]);
    /// assert!(reply.body().starts_with(br#"{"id":"web-7d9f","source":"kubernetes""#));
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn reply<'a>(&self, method: &str, accept: impl IntoIterator<Item = &'a str>) -> Reply {
        self.0.reply(method, accept)
    }

    /// One more response answered: an adapter calls it once per response of the app,
    /// as the response leaves, so that [`served`](Instance::served) and the JSON
    /// form's `"served"` count the responses before the one that shows them.
    ///
    /// ```
    /// # use instance_id::{InstanceConfig, SystemView};
    /// # let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view).start()?;
    /// instance.count_response();
    /// assert_eq!(instance.clone().served(), 1);
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn count_response(&self) {
        self.0.count();
    }
}

/// The resource of the identity an app detected at start-up: the same instance that
/// the identity route and header name, without a second detection.
///
/// ```
/// use instance_id::{InstanceConfig, SystemView};
/// use opentelemetry_sdk::Resource;
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
///
/// let resource = Resource::builder()
///     .with_service_name("shop")
///     .with_attributes(instance.resource_attributes().key_values())
///     .build();
/// assert_eq!(
///     resource.get(&"k8s.pod.name".into()).map(|v| v.to_string()).as_deref(),
///     Some("web-7d9f")
/// );
/// assert_eq!(Resource::from(&instance).len(), 2); // service.instance.id, k8s.pod.name
/// # Ok::<(), instance_id::StartError>(())
/// ```
#[cfg(feature = "opentelemetry")]
impl From<&Instance> for opentelemetry_sdk::Resource {
    fn from(instance: &Instance) -> Self {
        Self::from(instance.resource_attributes())
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
