//! [`Instance`] as an Axum extractor.

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::StatusCode;

use crate::Instance;

/// Taken from the request, where the [`InstanceLayer`](crate::InstanceLayer) put it;
/// without the layer, the request fails with 500.
///
/// ```
/// use axum::{routing::get, Router};
/// use instance_id::Instance;
///
/// async fn who(instance: Instance) -> String {
///     format!("served by {instance} (via {})", instance.detection().source)
/// }
///
/// let app: Router = Router::new().route("/who", get(who));
/// # let _ = app;
/// ```
impl<S: Send + Sync> FromRequestParts<S> for Instance {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Instance>().cloned().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "instance-id's layer is not on this router",
        ))
    }
}
