//! The identity route as an Axum handler, and what the attribute does to a `Router`.

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT};
use http::{Response, StatusCode};

use crate::{Instance, InstanceConfig, Reply, ReplyBody, WithInstance};

impl Instance {
    /// A router with the identity route alone, at the configured path, to merge into
    /// the app's (`GET`, and `HEAD` without the body, as Axum does for `get`).
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use instance_id::{InstanceConfig, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
    /// let instance = InstanceConfig::new("/inst").view(view).start()?;
    /// let app: Router = Router::new()
    ///     .route("/", get(|| async { "hello" }))
    ///     .merge(instance.router())
    ///     .layer(instance.layer());
    /// # let _ = app;
    /// # Ok::<(), instance_id::StartError>(())
    /// ```
    pub fn router<S>(&self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let instance = self.clone();
        // The whole request, taken by value: its method and `Accept` lines are read in
        // place, where the `Method` and `HeaderMap` extractors would copy them.
        let handler = move |request: axum::extract::Request| {
            let reply = instance.reply(
                request.method().as_str(),
                request
                    .headers()
                    .get_all(ACCEPT)
                    .iter()
                    .filter_map(|line| line.to_str().ok()),
            );
            async move { respond(reply) }
        };
        Router::new().route(self.path(), get(handler))
    }
}

/// The framework-neutral reply as an Axum response.
fn respond(reply: Reply) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() =
        StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers() {
        // The reply's headers are constants: names and values valid in every library.
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    *response.body_mut() = Body::from(match reply.into_body() {
        ReplyBody::Shared(bytes) => Bytes::from_owner(bytes),
        ReplyBody::Static(bytes) => Bytes::from_static(bytes),
        ReplyBody::Owned(bytes) => Bytes::from(bytes),
    });
    response
}

/// What `#[instance_route]` expands to on a `Router`: detection now (the function
/// builds the app at start-up), the identity route merged in, and the router wrapped
/// in the [`InstanceLayer`](crate::InstanceLayer), so that its 404 and 405 carry the
/// header too. Where the identity cannot be had the program stops here, with the
/// message a Rocket launch gives; the hand-written API
/// ([`InstanceConfig::start`]) returns it as an error instead. A route the app already
/// has at the identity path makes Axum refuse the second one, naming the path.
impl<S> WithInstance for Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    fn with_instance(self, config: InstanceConfig) -> Self {
        let instance = match config.start() {
            Ok(instance) => instance,
            Err(err) => panic!("instance-id: {err}"),
        };
        tracing::info!("{}", instance.detection().summary());
        self.merge(instance.router()).layer(instance.layer())
    }
}
