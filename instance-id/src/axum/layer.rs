//! The Tower layer: names the instance on every response of the service it wraps.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::Instance;

/// A Tower [`Layer`] that puts the instance's header on every response of the service
/// it wraps (a handler's own value is kept), counts the responses, and hands every
/// request the [`Instance`] (Axum handlers take it as an extractor). The attribute
/// adds it to a `Router`; a tonic server adds it by hand, and every response of its
/// services, OK or error, then carries the id as response metadata. tonic's own
/// deadline, load-shedding and concurrency-limit refusals come from layers its
/// `Server` puts outside this one: an app that wants them named serves tonic's routes
/// with those layers inside this one (`tonic::service::Routes::into_axum_router`).
///
/// ```
/// use instance_id::{InstanceConfig, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
/// let layer = instance.layer();
/// // tonic: Server::builder().layer(layer).add_service(…)
/// // axum:  Router::new().route(…).merge(instance.router()).layer(layer)
/// # let _ = layer;
/// # Ok::<(), instance_id::StartError>(())
/// ```
#[derive(Clone)]
pub struct InstanceLayer {
    instance: Instance,
    header: Option<(HeaderName, HeaderValue)>,
}

impl Instance {
    /// The layer for this identity: the header, the count, the extractor's value.
    pub fn layer(&self) -> InstanceLayer {
        // The grammar's header rule is the `http` crate's, and an exposed id is
        // printable ASCII: both convert. Were one not to, no header beats a wrong one.
        let header = self.header().and_then(|(name, value)| {
            Some((
                HeaderName::try_from(name).ok()?,
                HeaderValue::try_from(value).ok()?,
            ))
        });
        InstanceLayer {
            instance: self.clone(),
            header,
        }
    }
}

impl<S> Layer<S> for InstanceLayer {
    type Service = InstanceService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        InstanceService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`InstanceLayer`] makes of the one it wraps.
#[derive(Clone)]
pub struct InstanceService<S> {
    inner: S,
    layer: InstanceLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for InstanceService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        request.extensions_mut().insert(self.layer.instance.clone());
        ResponseFuture {
            inner: self.inner.call(request),
            layer: Some(self.layer.clone()),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of an [`InstanceService`], named when it is ready.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        layer: Option<InstanceLayer>,
    }
}

impl<F, ResBody, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.inner.poll(cx) {
            Poll::Ready(Ok(response)) => response,
            other => return other,
        };
        if let Some(layer) = this.layer.take() {
            // Counted as it leaves, as Rocket's fairing counts: `served` is the
            // responses before the one that shows it.
            layer.instance.count_response();
            if let Some((name, value)) = layer.header {
                // The handler's own value is kept.
                if !response.headers().contains_key(&name) {
                    response.headers_mut().insert(name, value);
                }
            }
        }
        Poll::Ready(Ok(response))
    }
}
