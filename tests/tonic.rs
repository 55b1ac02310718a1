//! A tonic server behind `InstanceLayer`: every gRPC response, a served call and a
//! failing one, carries the id as response metadata, read by a tonic client. tonic's
//! own server answers a call past its deadline from outside every layer the app adds,
//! without the id; tonic's routes served by a stack the app owns, with the deadline,
//! load shedding and a concurrency limit inside the layer, name the instance on every
//! refusal too.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::ServiceExt as _;
use instance_id::{Instance, InstanceConfig, SystemView};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};
use tonic::{Code, Status};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;
use tower::{BoxError, ServiceBuilder};

const POD: &str = "grpc-7d9f8b6c5-xk2p9";

#[tokio::test]
async fn grpc_responses_carry_the_id_as_metadata() {
    let (port, server) = tonic_server().await;
    let channel = Channel::from_shared(format!("http://127.0.0.1:{port}"))
        .expect("a URI")
        .connect()
        .await
        .expect("the server answers");
    let mut client = HealthClient::new(channel);

    let served = client
        .check(HealthCheckRequest {
            service: "shop.Cart".into(),
        })
        .await
        .expect("a served call");
    assert_eq!(
        served
            .metadata()
            .get("x-instance-id")
            .and_then(|v| v.to_str().ok()),
        Some(POD)
    );
    assert_eq!(served.get_ref().status, ServingStatus::Serving as i32);

    let failed = client
        .check(HealthCheckRequest {
            service: "shop.Unknown".into(),
        })
        .await
        .expect_err("an unknown service is NotFound");
    assert_eq!(failed.code(), tonic::Code::NotFound);
    assert_eq!(
        failed
            .metadata()
            .get("x-instance-id")
            .and_then(|v| v.to_str().ok()),
        Some(POD)
    );
    server.abort();
}

fn instance() -> Instance {
    let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", POD)]);
    InstanceConfig::new("/inst")
        .view(view)
        .start()
        .expect("the downward API names the pod")
}

/// The health service, `shop.Cart` serving: a unary method without generated code.
async fn health(
) -> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("shop.Cart", tonic_health::ServingStatus::Serving)
        .await;
    health
}

/// A slow handler: a call with `x-test-delay-ms: N` metadata takes N ms more.
#[derive(Clone)]
struct Slow<S>(S);

impl<S, B> tower::Service<axum::http::Request<B>> for Slow<S>
where
    S: tower::Service<axum::http::Request<B>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let delay = request
            .headers()
            .get("x-test-delay-ms")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .map(Duration::from_millis);
        // The clone that was made ready serves this call.
        let ready = self.0.clone();
        let mut inner = std::mem::replace(&mut self.0, ready);
        Box::pin(async move {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            inner.call(request).await
        })
    }
}

/// A client of the server on `port`. Not tonic's `Channel`, which enforces a call's
/// deadline itself too and would answer first: this one waits for the server's word.
type Client = HealthClient<
    hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        tonic::body::Body,
    >,
>;

fn client(port: u16) -> Client {
    let http2 = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let origin = format!("http://127.0.0.1:{port}").parse().expect("a URI");
    HealthClient::with_origin(http2, origin)
}

/// A check of `shop.Cart` taking `delay_ms` in the handler, with the caller's deadline.
fn check(delay_ms: u64, deadline: Option<Duration>) -> tonic::Request<HealthCheckRequest> {
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: "shop.Cart".into(),
    });
    request
        .metadata_mut()
        .insert("x-test-delay-ms", delay_ms.into());
    if let Some(deadline) = deadline {
        request.set_timeout(deadline);
    }
    request
}

fn named(metadata: &tonic::metadata::MetadataMap) -> Option<&str> {
    metadata.get("x-instance-id").and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn tonic_servers_own_deadline_refusal_goes_without_the_id() {
    // What the guide says of `Server::builder()`: its deadline (the caller's
    // `grpc-timeout`, or `.timeout(…)`), load shedding and concurrency limit wrap the
    // layers the app adds, so that their refusals never pass through this one.
    let (port, server) = tonic_server().await;
    let mut client = client(port);
    let late = client
        .check(check(300, Some(Duration::from_millis(50))))
        .await
        .expect_err("past its deadline");
    assert_eq!(late.code(), Code::Cancelled, "{late:?}");
    assert_eq!(named(late.metadata()), None, "{late:?}");
    server.abort();
}

/// The caller's deadline, `grpc-timeout` as gRPC over HTTP/2 writes it: at most 8
/// digits and a unit (hours, minutes, seconds, milli-, micro-, nanoseconds).
fn grpc_timeout(request: &Request) -> Option<Duration> {
    let text = request.headers().get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Holds a call to its caller's deadline: past it, `DEADLINE_EXCEEDED`.
async fn deadline(request: Request, next: Next) -> Response {
    match grpc_timeout(&request) {
        Some(limit) => match tokio::time::timeout(limit, next.run(request)).await {
            Ok(response) => response,
            Err(_) => Status::deadline_exceeded("the caller's deadline passed").into_http(),
        },
        None => next.run(request).await,
    }
}

/// The refusals of the layers below as gRPC statuses.
async fn refusal(err: BoxError) -> Response {
    if err.is::<tower::load_shed::error::Overloaded>() {
        Status::unavailable("overloaded: try another instance").into_http()
    } else if err.is::<tower::timeout::error::Elapsed>() {
        Status::deadline_exceeded("the server's deadline passed").into_http()
    } else {
        Status::from_error(err).into_http()
    }
}

/// Serves `shop.Cart`'s health through the stack an app owns: tonic's routes in an
/// axum router, and around it, from the outside in, the layer, the caller's deadline
/// (a call waiting for its place waits on its own time), the refusals as statuses,
/// load shedding when `shed`, a limit of one call at a time, the server's own deadline
/// of 1 s, and the slow handler.
async fn owned_stack(shed: bool) -> (u16, tokio::task::JoinHandle<std::io::Result<()>>) {
    let routes = tonic::service::Routes::new(health().await).into_axum_router();
    let stack = ServiceBuilder::new()
        .layer(instance().layer())
        .layer(axum::middleware::from_fn(deadline))
        .layer(HandleErrorLayer::new(refusal))
        .option_layer(shed.then(tower::load_shed::LoadShedLayer::new))
        .concurrency_limit(1)
        .timeout(Duration::from_secs(1))
        .layer(tower::layer::layer_fn(Slow))
        .service(routes);
    let (listener, port) = loopback().await;
    let server =
        tokio::spawn(async move { axum::serve(listener, stack.into_make_service()).await });
    (port, server)
}

/// A listener on a free loopback port, and the port.
async fn loopback() -> (tokio::net::TcpListener, u16) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let port = listener.local_addr().expect("an address").port();
    (listener, port)
}

/// tonic's own server with the layer, and the slow handler inside it.
async fn tonic_server() -> (
    u16,
    tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
) {
    let (listener, port) = loopback().await;
    let server = tokio::spawn(
        Server::builder()
            .layer(instance().layer())
            .layer(tower::layer::layer_fn(Slow))
            .add_service(health().await)
            .serve_with_incoming(TcpIncoming::from(listener)),
    );
    (port, server)
}

#[tokio::test]
async fn an_owned_stack_names_the_instance_on_every_refusal() {
    let (port, server) = owned_stack(true).await;
    let mut client = client(port);

    let served = client.check(check(0, None)).await.expect("served");
    assert_eq!(named(served.metadata()), Some(POD));

    // The caller's deadline, shorter than the handler.
    let late = client
        .check(check(300, Some(Duration::from_millis(50))))
        .await
        .expect_err("past its deadline");
    assert_eq!(late.code(), Code::DeadlineExceeded, "{late:?}");
    assert_eq!(named(late.metadata()), Some(POD), "{late:?}");

    // The server's own deadline, with none from the caller.
    let late = client
        .check(check(1_500, None))
        .await
        .expect_err("past the server's deadline");
    assert_eq!(late.code(), Code::DeadlineExceeded, "{late:?}");
    assert_eq!(named(late.metadata()), Some(POD), "{late:?}");

    // One call holds the only place; the next is shed at once.
    let mut busy = client.clone();
    let holder = tokio::spawn(async move { busy.check(check(500, None)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let shed = client.check(check(0, None)).await.expect_err("shed");
    assert_eq!(shed.code(), Code::Unavailable, "{shed:?}");
    assert_eq!(named(shed.metadata()), Some(POD), "{shed:?}");
    let held = holder.await.expect("joined").expect("the holder is served");
    assert_eq!(named(held.metadata()), Some(POD));
    server.abort();
}

#[tokio::test]
async fn an_owned_stack_names_the_instance_on_a_limited_call() {
    let (port, server) = owned_stack(false).await;
    let mut client = client(port);

    // Without shedding a call waits for its place: past its deadline while waiting,
    // refused; within it, served; named either way.
    let mut busy = client.clone();
    let holder = tokio::spawn(async move { busy.check(check(400, None)).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut waiting = client.clone();
    let patient =
        tokio::spawn(async move { waiting.check(check(0, Some(Duration::from_secs(5)))).await });
    let limited = client
        .check(check(0, Some(Duration::from_millis(100))))
        .await
        .expect_err("still waiting at its deadline");
    assert_eq!(limited.code(), Code::DeadlineExceeded, "{limited:?}");
    assert_eq!(named(limited.metadata()), Some(POD), "{limited:?}");
    let patient = patient.await.expect("joined").expect("served in its turn");
    assert_eq!(named(patient.metadata()), Some(POD));
    let held = holder.await.expect("joined").expect("the holder is served");
    assert_eq!(named(held.metadata()), Some(POD));
    server.abort();
}
