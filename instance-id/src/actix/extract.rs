//! [`Instance`] as an actix-web extractor.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::error::ErrorInternalServerError;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest};

use crate::Instance;

/// Taken from the request, where the [`InstanceMiddleware`](crate::InstanceMiddleware)
/// put it; without the middleware, the request fails with 500.
///
/// ```
/// use actix_web::{test, web, App};
/// use instance_id::{Instance, InstanceConfig, SystemView};
///
/// async fn who(instance: Instance) -> String {
///     format!("served by {instance} (via {})", instance.detection().source)
/// }
///
/// # actix_web::rt::System::new().block_on(async {
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
/// let app = test::init_service(
///     App::new().wrap(instance.middleware()).route("/who", web::get().to(who)),
/// )
/// .await;
/// let body = test::call_and_read_body(&app, test::TestRequest::get().uri("/who").to_request()).await;
/// assert_eq!(body, "served by web-7d9f (via kubernetes)");
/// # Ok::<(), instance_id::StartError>(())
/// # })?;
/// # Ok::<(), instance_id::StartError>(())
/// ```
impl FromRequest for Instance {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<Instance>()
                .cloned()
                .ok_or_else(|| {
                    ErrorInternalServerError("instance-id's middleware is not on this app")
                }),
        )
    }
}
