//! The middleware: names the instance on every response of the app it wraps.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{Error, HttpMessage, HttpRequest};

use crate::Instance;

/// An actix-web middleware (`App::wrap`) that puts the instance's header on every
/// response of the app (a handler's own value is kept), counts the responses, and
/// hands every request the [`Instance`] for its extractor. An error that a middleware
/// inside it returns is turned into its response here, so that it carries the header
/// too.
///
/// ```
/// use actix_web::{test, web, App};
/// use instance_id::{InstanceConfig, SystemView};
///
/// # actix_web::rt::System::new().block_on(async {
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
/// let app = test::init_service(
///     App::new()
///         .wrap(instance.middleware())
///         .route("/", web::get().to(|| async { "hello" })),
/// )
/// .await;
/// let response = test::call_service(&app, test::TestRequest::get().uri("/nowhere").to_request()).await;
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.headers().get("x-instance-id").unwrap(), "web-7d9f");
/// # Ok::<(), instance_id::StartError>(())
/// # })?;
/// # Ok::<(), instance_id::StartError>(())
/// ```
#[derive(Clone)]
pub struct InstanceMiddleware {
    instance: Instance,
    header: Option<(HeaderName, HeaderValue)>,
}

impl Instance {
    /// The middleware for this identity: the header, the count, the extractor's value.
    /// Each worker's app takes its own; all of them share this one identity and count.
    pub fn middleware(&self) -> InstanceMiddleware {
        // The grammar's header rule is the `http` crate's, and an exposed id is
        // printable ASCII: both convert. Were one not to, no header beats a wrong one.
        let header = self.header().and_then(|(name, value)| {
            Some((
                HeaderName::try_from(name).ok()?,
                HeaderValue::try_from(value).ok()?,
            ))
        });
        InstanceMiddleware {
            instance: self.clone(),
            header,
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for InstanceMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = InstanceMiddlewareService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(InstanceMiddlewareService {
            service,
            middleware: self.clone(),
        }))
    }
}

/// The service [`InstanceMiddleware`] makes of the one it wraps.
pub struct InstanceMiddlewareService<S> {
    service: S,
    middleware: InstanceMiddleware,
}

impl<S, B> Service<ServiceRequest> for InstanceMiddlewareService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = InstanceMiddlewareFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        request
            .extensions_mut()
            .insert(self.middleware.instance.clone());
        // Kept to build a response from an error that comes back instead of one.
        let http_request = request.request().clone();
        InstanceMiddlewareFuture {
            inner: self.service.call(request),
            request: Some(http_request),
            middleware: self.middleware.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of an [`InstanceMiddlewareService`], named when it is ready.
    pub struct InstanceMiddlewareFuture<F> {
        #[pin]
        inner: F,
        request: Option<HttpRequest>,
        middleware: InstanceMiddleware,
    }
}

impl<F, B> Future for InstanceMiddlewareFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(response)) => response.map_into_left_body(),
            Poll::Ready(Err(error)) => match this.request.take() {
                Some(request) => ServiceResponse::from_err(error, request).map_into_right_body(),
                // Polled again after it was ready: the executor's mistake, passed on.
                None => return Poll::Ready(Err(error)),
            },
        };
        // Counted as it leaves: `served` is the responses before the one that shows it.
        this.middleware.instance.count_response();
        if let Some((name, value)) = &this.middleware.header {
            // The handler's own value is kept.
            if !response.headers().contains_key(name) {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
        Poll::Ready(Ok(response))
    }
}
