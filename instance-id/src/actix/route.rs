//! The identity route as an actix-web resource.

use std::future::ready;

use actix_web::body::BoxBody;
use actix_web::http::header::{HeaderName, HeaderValue, ACCEPT};
use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes};
use actix_web::{HttpRequest, HttpResponse, Resource};

use crate::{Instance, Reply, ReplyBody};

impl Instance {
    /// The identity route at the configured path, for `App::service`: `GET` and
    /// `HEAD` (which actix-http answers without the body) get the id as text, JSON or
    /// the page, as negotiated; any other method `405`.
    ///
    /// ```
    /// use actix_web::{test, App};
    /// use instance_id::{InstanceConfig, SystemView};
    ///
    /// # actix_web::rt::System::new().block_on(async {
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view).start()?;
    /// let app = test::init_service(
    ///     App::new().wrap(instance.middleware()).service(instance.service()),
    /// )
    /// .await;
    /// let body = test::call_and_read_body(&app, test::TestRequest::get().uri("/inst").to_request()).await;
    /// assert_eq!(body, "web-7d9f\n");
    /// # Ok::<(), instance_id::StartError>(())
    /// # })?;
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn service(&self) -> Resource {
        let instance = self.clone();
        web::resource(self.path()).to(move |request: HttpRequest| {
            let reply = instance.reply(
                request.method().as_str(),
                request
                    .headers()
                    .get_all(ACCEPT)
                    .filter_map(|line| line.to_str().ok()),
            );
            ready(respond(reply))
        })
    }
}

/// The framework-neutral reply as an actix-web response.
fn respond(reply: Reply) -> HttpResponse<BoxBody> {
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::new(status);
    for (name, value) in reply.headers() {
        // The reply's headers are constants: lower-case names, visible ASCII values.
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    let body = match reply.into_body() {
        ReplyBody::Shared(bytes) => Bytes::from_owner(bytes),
        ReplyBody::Static(bytes) => Bytes::from_static(bytes),
        ReplyBody::Owned(bytes) => Bytes::from(bytes),
    };
    response.set_body(BoxBody::new(body))
}
