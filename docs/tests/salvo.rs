//! salvo through its Tower compatibility: `InstanceLayer` as a service-level hoop names
//! the instance on every response (the 404 of a path no router matches included), and
//! the identity route is a salvo handler written on the public adapter API.

use instance_id::{Instance, InstanceConfig, ReplyBody, SystemView};
use salvo::http::StatusCode;
use salvo::http::header::{ACCEPT, HeaderName, HeaderValue};
use salvo::prelude::*;
use salvo::test::{ResponseExt, TestClient};

const POD: &str = "cart-5d8f7b6c9-abcde";

/// The identity route as a salvo handler: the reply for the request's method and
/// `Accept` lines, written into salvo's response.
struct Identity(Instance);

#[async_trait]
impl Handler for Identity {
    async fn handle(
        &self,
        request: &mut Request,
        _: &mut Depot,
        response: &mut Response,
        _: &mut FlowCtrl,
    ) {
        let reply = self.0.reply(
            request.method().as_str(),
            request
                .headers()
                .get_all(ACCEPT)
                .iter()
                .filter_map(|line| line.to_str().ok()),
        );
        response.status_code(
            StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        for (name, value) in reply.headers() {
            response.headers_mut().insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        let body = match reply.into_body() {
            ReplyBody::Shared(bytes) => bytes.to_vec(),
            ReplyBody::Static(bytes) => bytes.to_vec(),
            ReplyBody::Owned(bytes) => bytes,
        };
        response.body(body);
    }
}

#[handler]
async fn hello() -> &'static str {
    "hello"
}

#[handler]
async fn own_header(response: &mut Response) {
    response
        .headers_mut()
        .insert("x-instance-id", HeaderValue::from_static("set-by-handler"));
    response.render("mine");
}

fn service(instance: &Instance) -> Service {
    let router = Router::new()
        .get(hello)
        .push(Router::with_path("own-header").get(own_header))
        .push(Router::with_path(instance.path()).goal(Identity(instance.clone())));
    // A hoop of the service, not of a router: it runs for requests no router matches.
    Service::new(router).hoop(instance.layer().compat())
}

fn instance() -> Instance {
    let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", POD)]);
    InstanceConfig::new("/inst")
        .view(view)
        .start()
        .expect("a pod")
}

#[tokio::test]
async fn the_layer_names_every_response_and_the_route_answers() {
    let instance = instance();
    let service = service(&instance);

    let mut text = TestClient::get("http://127.0.0.1:5800/inst")
        .send(&service)
        .await;
    assert_eq!(text.status_code, Some(StatusCode::OK));
    assert_eq!(
        text.take_string().await.expect("a body"),
        format!("{POD}\n")
    );
    assert_eq!(
        text.headers().get("x-instance-id").map(|v| v.as_bytes()),
        Some(POD.as_bytes())
    );
    assert_eq!(
        text.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );

    let mut json = TestClient::get("http://127.0.0.1:5800/inst")
        .add_header("accept", "application/json", true)
        .send(&service)
        .await;
    let value: serde_json::Value =
        serde_json::from_str(&json.take_string().await.expect("a body")).expect("JSON");
    assert_eq!(value["id"], POD);

    for (request, status) in [
        (TestClient::get("http://127.0.0.1:5800/"), StatusCode::OK),
        (
            TestClient::get("http://127.0.0.1:5800/nowhere"),
            StatusCode::NOT_FOUND,
        ),
        (
            TestClient::post("http://127.0.0.1:5800/inst"),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            TestClient::get("http://127.0.0.1:5800/inst").add_header("accept", "*/*;q=0", true),
            StatusCode::NOT_ACCEPTABLE,
        ),
    ] {
        let response = request.send(&service).await;
        assert_eq!(response.status_code, Some(status));
        let values: Vec<_> = response.headers().get_all("x-instance-id").iter().collect();
        assert_eq!(values, [POD], "{status}");
    }
    let mine = TestClient::get("http://127.0.0.1:5800/own-header")
        .send(&service)
        .await;
    let values: Vec<_> = mine.headers().get_all("x-instance-id").iter().collect();
    assert_eq!(values, ["set-by-handler"]);
    // Every response above was counted, through the layer.
    assert_eq!(instance.served(), 7);
}
