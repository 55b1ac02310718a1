//! The Axum side, in-process: the identity route (text, JSON, the page, 406, HEAD),
//! the header on every response of the router (its 404 and 405 included), the
//! extractor, what the attribute's arguments change, and the README's `hello_axum`.

#[allow(dead_code)] // #[tokio::main] writes a `main` there, unused in a test
#[path = "../examples/hello_axum.rs"]
mod hello_axum;

mod support;

use axum::body::Body;
use axum::http::{Method, Request};
use axum::routing::get;
use axum::Router;
use http_body_util::BodyExt;
use instance_id::{instance_route, Instance, InstanceConfig, StartError, SystemView};
use support::{assert_identity_forms, assert_no_address, Answer};
use tower::ServiceExt;

const POD: &str = "cart-5d8f7b6c9-abcde";

/// Sets the environment the attribute's strategies read: the live view in tests is
/// this process, so the variables are set once, before any router is built.
fn live_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every test calls this before anything else and `Once` holds the others until
        // it is done, so no thread reads the environment while it changes.
        std::env::set_var("POD_NAME", POD);
        std::env::set_var("INSTANCE_ID_TEST_KEY", "s3cret");
    });
}

async fn who(instance: Instance) -> String {
    format!("{instance} via {}", instance.detection().source)
}

async fn own_header() -> ([(&'static str, &'static str); 1], &'static str) {
    ([("x-instance-id", "set-by-handler")], "mine")
}

fn routes() -> Router {
    Router::new()
        .route("/", get(|| async { "hello" }))
        .route("/who", get(who))
        .route("/own-header", get(own_header))
}

#[instance_route("/inst", strategy = kubernetes, fallback = [])]
fn with_attribute() -> Router {
    routes()
}

#[instance_route("/whoami", strategy = env("POD_NAME"), fallback = [random], header = "X-Served-By", expose = short)]
async fn renamed() -> Router {
    routes()
}

#[instance_route("/inst", strategy = env("POD_NAME"), fallback = [], header = false, expose = hashed("INSTANCE_ID_TEST_KEY"))]
fn quiet_and_hashed() -> Router {
    routes()
}

#[instance_route("/inst", strategy = env("POD_NAME"), fallback = [], expose = hashed("INSTANCE_ID_TEST_NO_SUCH_KEY"))]
fn without_key() -> Router {
    routes()
}

async fn send(app: &Router, method: Method, path: &str, accept: &[&str]) -> Answer {
    let request = accept
        .iter()
        .fold(Request::builder().method(method).uri(path), |r, a| {
            r.header("accept", *a)
        })
        .body(Body::empty())
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_owned()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).expect("UTF-8"),
    }
}

async fn get_(app: &Router, path: &str, accept: &[&str]) -> Answer {
    send(app, Method::GET, path, accept).await
}

#[tokio::test]
async fn the_identity_route_in_three_forms() {
    live_env();
    let app = with_attribute();
    let browser = ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"];
    assert_identity_forms(
        POD,
        "kubernetes",
        &get_(&app, "/inst", &[]).await,
        &get_(&app, "/inst", &["application/json"]).await,
        &get_(&app, "/inst", &browser).await,
        &get_(&app, "/inst", &["*/*;q=0"]).await,
    );
    // Every line counts.
    let lines = get_(&app, "/inst", &["text/plain;q=0.1", "application/json"]).await;
    assert_eq!(lines.header("content-type"), Some("application/json"));

    let head = send(&app, Method::HEAD, "/inst", &[]).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(head.header("x-instance-id"), Some(POD));
}

#[tokio::test]
async fn the_header_on_every_response_of_the_router() {
    live_env();
    let app = with_attribute();
    for (method, path, status) in [
        (Method::GET, "/", 200),
        (Method::GET, "/who", 200),
        (Method::GET, "/nowhere", 404),
        (Method::POST, "/", 405),
        (Method::DELETE, "/inst", 405),
    ] {
        let seen = send(&app, method.clone(), path, &[]).await;
        assert_eq!(seen.status, status, "{method} {path}");
        assert_eq!(seen.all("x-instance-id"), [POD], "{method} {path}");
    }
    let mine = get_(&app, "/own-header", &[]).await;
    assert_eq!(mine.all("x-instance-id"), ["set-by-handler"]);
}

#[tokio::test]
async fn handlers_take_the_identity_as_an_extractor() {
    live_env();
    let app = with_attribute();
    assert_eq!(
        get_(&app, "/who", &[]).await.body,
        format!("{POD} via kubernetes")
    );
    // Without the layer the extractor says so, with a 500.
    let bare = routes();
    let seen = get_(&bare, "/who", &[]).await;
    assert_eq!(seen.status, 500);
    assert!(seen.body.contains("layer"), "{}", seen.body);
}

#[tokio::test]
async fn served_counts_the_responses_before_this_one() {
    live_env();
    let app = with_attribute();
    for _ in 0..3 {
        get_(&app, "/", &[]).await;
    }
    let json = get_(&app, "/inst", &["application/json"]).await;
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(value["served"], 3);
}

#[tokio::test]
async fn the_arguments_change_path_header_and_what_is_shown() {
    live_env();
    let app = renamed().await;
    let seen = get_(&app, "/whoami", &[]).await;
    assert_eq!(seen.body, format!("{POD}\n"));
    assert_eq!(seen.header("x-served-by"), Some(POD));
    assert_eq!(seen.header("x-instance-id"), None);
    assert_eq!(get_(&app, "/inst", &[]).await.status, 404);

    let app = quiet_and_hashed();
    let seen = get_(&app, "/inst", &[]).await;
    assert_eq!(
        seen.body,
        format!("{}\n", instance_id::hash_id(b"s3cret", POD))
    );
    assert_eq!(seen.header("x-instance-id"), None);
}

#[test]
fn a_missing_hash_key_stops_the_program_with_the_launch_message() {
    live_env();
    let panic = std::panic::catch_unwind(without_key).expect_err("no key, no app");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert_eq!(
        message,
        "instance-id: the hash key $INSTANCE_ID_TEST_NO_SUCH_KEY is not set"
    );
}

#[tokio::test]
async fn the_hand_written_api_says_the_same() {
    let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", POD)]);
    let instance = InstanceConfig::new("/inst")
        .view(view)
        .start()
        .expect("a pod");
    let app = routes().merge(instance.router()).layer(instance.layer());
    assert_eq!(get_(&app, "/inst", &[]).await.body, format!("{POD}\n"));
    assert_eq!(
        get_(&app, "/nowhere", &[]).await.header("x-instance-id"),
        Some(POD)
    );

    let err = InstanceConfig::new("/inst")
        .strategy(instance_id::Strategy::env("NOPE"))
        .fallback([])
        .view(SystemView::snapshot("/nonexistent"))
        .start()
        .expect_err("nothing found");
    assert!(matches!(err, StartError::NoId(_)), "{err}");
}

#[tokio::test]
async fn the_readme_app_and_no_address_anywhere() {
    live_env();
    let app = hello_axum::app();
    assert_eq!(get_(&app, "/", &[]).await.body, "hello");
    let id = get_(&app, "/inst", &[]).await;
    assert_eq!(id.header("x-instance-id"), id.body.strip_suffix('\n'));
    for (method, path, accept) in [
        (Method::GET, "/", "*/*"),
        (Method::GET, "/inst", "*/*"),
        (Method::GET, "/inst", "application/json"),
        (Method::GET, "/inst", "text/html"),
        (Method::GET, "/inst", "*/*;q=0"),
        (Method::GET, "/nowhere", "*/*"),
        (Method::POST, "/", "*/*"),
    ] {
        let seen = send(&app, method, path, &[accept]).await;
        assert_no_address(&seen.text(), &[3000]);
    }
}
