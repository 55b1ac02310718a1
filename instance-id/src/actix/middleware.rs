//! The middleware: names the instance on every response of the app it wraps.

use std::fmt;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::BoxBody;
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError};

use crate::Instance;

/// An actix-web middleware (`App::wrap`) that puts the instance's header on every
/// response of the app (a handler's own value is kept), counts the responses, and
/// hands every request the [`Instance`] for its extractor. An error that a middleware
/// inside it returns instead of a response goes on as an error whose response carries
/// the header too; wrap this middleware last (outermost), so that the others see the
/// errors they made as they made them.
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
    type Response = ServiceResponse<B>;
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
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = InstanceMiddlewareFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        request
            .extensions_mut()
            .insert(self.middleware.instance.clone());
        InstanceMiddlewareFuture {
            inner: self.service.call(request),
            middleware: self.middleware.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of an [`InstanceMiddlewareService`], named when it is ready.
    pub struct InstanceMiddlewareFuture<F> {
        #[pin]
        inner: F,
        middleware: InstanceMiddleware,
    }
}

impl<F, B> Future for InstanceMiddlewareFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.inner.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        // Counted as it leaves: `served` is the responses before the one that shows it.
        this.middleware.instance.count_response();
        let Some(header) = &this.middleware.header else {
            return Poll::Ready(result);
        };
        Poll::Ready(match result {
            Ok(mut response) => {
                name(response.headers_mut(), header);
                Ok(response)
            }
            // actix-web writes an error's own response where no service made one:
            // this one's is the inner error's, named.
            Err(error) => Err(Named {
                error,
                header: header.clone(),
            }
            .into()),
        })
    }
}

/// Sets the header where the response lacks it: a handler's own value is kept.
fn name(
    headers: &mut actix_web::http::header::HeaderMap,
    (name, value): &(HeaderName, HeaderValue),
) {
    if !headers.contains_key(name) {
        headers.insert(name.clone(), value.clone());
    }
}

/// An error that a service inside the middleware returned, whose response carries the
/// header.
struct Named {
    error: Error,
    header: (HeaderName, HeaderValue),
}

impl fmt::Debug for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.error, f)
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl ResponseError for Named {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        let mut response = self.error.error_response();
        name(response.headers_mut(), &self.header);
        response
    }
}
