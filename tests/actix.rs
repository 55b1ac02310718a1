//! The actix-web side: the identity route (text, JSON, the page, 406, 405, HEAD), the
//! header on every response of the app (its 404 and 405, an extractor's 400, a
//! handler's error, an error a middleware returns), the extractor, one detection for
//! every worker, and the README's `hello_actix` launched over real HTTP.

#[allow(dead_code)] // #[actix_web::main] writes a `main` there, unused in a test
#[path = "../examples/hello_actix.rs"]
mod hello_actix;

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::test as actix_test;
use actix_web::{error, web, App, HttpResponse, HttpServer};
use instance_id::{Instance, InstanceConfig, Strategy, SystemView};
use support::{assert_identity_forms, assert_no_address, Answer};

const POD: &str = "cart-5d8f7b6c9-abcde";

fn instance() -> Instance {
    let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", POD)]);
    InstanceConfig::new("/inst")
        .version(env!("CARGO_PKG_VERSION"))
        .view(view)
        .start()
        .expect("a pod")
}

async fn who(instance: Instance) -> String {
    format!("{instance} via {}", instance.detection().source)
}

async fn order(_quantity: web::Json<u32>) -> &'static str {
    "ordered"
}

async fn broken() -> Result<&'static str, actix_web::Error> {
    Err(error::ErrorServiceUnavailable("down for maintenance"))
}

async fn own_header() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-instance-id", "set-by-handler"))
        .body("mine")
}

/// A middleware inside the identity's that refuses `/guarded` with an error instead
/// of a response, as an authentication middleware does.
async fn guard(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.path() == "/guarded" {
        return Err(error::ErrorUnauthorized("no credentials"));
    }
    next.call(request).await
}

macro_rules! app {
    ($instance:expr) => {
        actix_test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(guard))
                .wrap($instance.middleware())
                .service($instance.service())
                .service(web::resource("/").get(|| async { "hello" }))
                .route("/who", web::get().to(who))
                .route("/order", web::post().to(order))
                .route("/broken", web::get().to(broken))
                .route("/own-header", web::get().to(own_header))
                .route("/guarded", web::get().to(|| async { "never" })),
        )
        .await
    };
}

async fn send<S, B>(app: &S, method: Method, path: &str, accept: &[&str]) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let request = accept.iter().fold(
        actix_test::TestRequest::default().method(method).uri(path),
        |r, a| r.append_header(("accept", *a)),
    );
    let request = if path == "/order" {
        request
            .insert_header(("content-type", "application/json"))
            .set_payload("\"many\"")
    } else {
        request
    };
    // An error instead of a response is written as actix-http writes it.
    let response = match actix_test::try_call_service(app, request.to_request()).await {
        Ok(response) => response.map_into_boxed_body().into_parts().1,
        Err(err) => err.error_response(),
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("?").to_owned()))
        .collect();
    let body = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).expect("UTF-8"),
    }
}

#[actix_web::test]
async fn the_identity_route_in_three_forms() {
    let instance = instance();
    let app = app!(instance);
    let browser = ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"];
    assert_identity_forms(
        POD,
        "kubernetes",
        &send(&app, Method::GET, "/inst", &[]).await,
        &send(&app, Method::GET, "/inst", &["application/json"]).await,
        &send(&app, Method::GET, "/inst", &browser).await,
        &send(&app, Method::GET, "/inst", &["*/*;q=0"]).await,
    );
    let lines = send(
        &app,
        Method::GET,
        "/inst",
        &["text/plain;q=0.1", "application/json"],
    )
    .await;
    assert_eq!(lines.header("content-type"), Some("application/json"));

    let wrong = send(&app, Method::DELETE, "/inst", &[]).await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));
    assert_eq!(wrong.header("x-instance-id"), Some(POD));
}

#[actix_web::test]
async fn the_header_on_every_response_of_the_app() {
    let instance = instance();
    let app = app!(instance);
    for (method, path, status) in [
        (Method::GET, "/", 200),
        (Method::GET, "/who", 200),
        (Method::GET, "/nowhere", 404),
        (Method::POST, "/", 405),
        (Method::DELETE, "/inst", 405),
        // The extractor refuses the body: its 400.
        (Method::POST, "/order", 400),
        // The handler's error.
        (Method::GET, "/broken", 503),
        // A middleware inside returns an error instead of a response.
        (Method::GET, "/guarded", 401),
    ] {
        let seen = send(&app, method.clone(), path, &[]).await;
        assert_eq!(seen.status, status, "{method} {path}: {}", seen.body);
        assert_eq!(seen.all("x-instance-id"), [POD], "{method} {path}");
        assert_no_address(&seen.text(), &[]);
    }
    let mine = send(&app, Method::GET, "/own-header", &[]).await;
    assert_eq!(mine.all("x-instance-id"), ["set-by-handler"]);
}

#[actix_web::test]
async fn handlers_take_the_identity_as_an_extractor() {
    let instance = instance();
    let app = app!(instance);
    assert_eq!(
        send(&app, Method::GET, "/who", &[]).await.body,
        format!("{POD} via kubernetes")
    );
    // Without the middleware the extractor says so, with a 500.
    let bare = actix_test::init_service(App::new().route("/who", web::get().to(who))).await;
    let seen = send(&bare, Method::GET, "/who", &[]).await;
    assert_eq!(seen.status, 500);
    assert!(seen.body.contains("middleware"), "{}", seen.body);
}

#[actix_web::test]
async fn served_counts_the_responses_before_this_one() {
    let instance = instance();
    let app = app!(instance);
    for path in ["/", "/nowhere", "/guarded"] {
        send(&app, Method::GET, path, &[]).await;
    }
    let json = send(&app, Method::GET, "/inst", &["application/json"]).await;
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert_eq!(value["served"], 3);
    assert_eq!(instance.served(), 4);
}

static DETECTIONS: AtomicUsize = AtomicUsize::new(0);

fn counted() -> Option<String> {
    DETECTIONS.fetch_add(1, Ordering::SeqCst);
    Some(POD.to_owned())
}

/// actix builds the app once per worker: the identity is detected once, before the
/// server, and every worker's app serves it and counts into one number.
#[test]
fn one_detection_for_every_worker() {
    let instance = InstanceConfig::new("/inst")
        .strategy(Strategy::custom("counted", counted))
        .fallback([])
        .start()
        .expect("the function names the instance");
    let built = std::sync::Arc::new(AtomicUsize::new(0));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let server = {
        let built = built.clone();
        HttpServer::new(move || {
            built.fetch_add(1, Ordering::SeqCst);
            App::new()
                .wrap(instance.middleware())
                .service(instance.service())
        })
        .workers(3)
        .disable_signals()
        .listen(listener)
        .expect("listens")
        .run()
    };
    let handle = server.handle();
    let system = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));

    let agent = ureq::Agent::new_with_defaults();
    let mut last = serde_json::Value::Null;
    for _ in 0..12 {
        // A new connection each time, so that the workers share the requests.
        let mut response = ureq::Agent::new_with_defaults()
            .get(format!("http://127.0.0.1:{port}/inst"))
            .header("accept", "application/json")
            .call()
            .expect("an answer");
        assert_eq!(
            response
                .headers()
                .get("x-instance-id")
                .and_then(|v| v.to_str().ok()),
            Some(POD)
        );
        last = serde_json::from_str(&response.body_mut().read_to_string().expect("a body"))
            .expect("JSON");
    }
    drop(agent);
    actix_web::rt::System::new().block_on(handle.stop(true));
    system
        .join()
        .expect("the server thread")
        .expect("the server ran");
    assert_eq!(built.load(Ordering::SeqCst), 3, "one app per worker");
    assert_eq!(DETECTIONS.load(Ordering::SeqCst), 1, "one detection");
    // Every worker counted into the one number.
    assert_eq!(last["served"], 11);
}

/// The README's app, launched: it says where it listens, answers as the in-process
/// app does, and no response holds an address or a port.
#[test]
fn the_readme_app_launched() {
    let (_server, port) = support::launch_announced("hello_actix");
    let get = |method: &str, path: &str, accept: &str| {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:{port}{path}"))
            .header("accept", accept)
            .body(())
            .expect("a request");
        let mut response = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent()
            .run(request)
            .expect("an answer");
        let mut text = format!("{}\n", response.status());
        for (name, value) in response.headers() {
            text.push_str(&format!("{name}: {}\n", value.to_str().unwrap_or("?")));
        }
        let header = response
            .headers()
            .get("x-instance-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (
            response.status().as_u16(),
            header,
            body.clone(),
            text + &body,
        )
    };
    let (status, header, body, _) = get("GET", "/", "*/*");
    assert_eq!((status, body.as_str()), (200, "hello"));
    let id = header.expect("the header");
    let (status, header, body, _) = get("GET", "/inst", "*/*");
    assert_eq!(status, 200);
    assert_eq!(header.as_deref(), Some(id.as_str()));
    assert_eq!(body, format!("{id}\n"));
    for (method, path, accept, status) in [
        ("GET", "/", "*/*", 200),
        ("GET", "/inst", "*/*", 200),
        ("GET", "/inst", "application/json", 200),
        ("GET", "/inst", "text/html", 200),
        ("GET", "/inst", "*/*;q=0", 406),
        ("HEAD", "/inst", "*/*", 200),
        ("GET", "/nowhere", "*/*", 404),
        ("POST", "/", "*/*", 405),
        ("POST", "/inst", "*/*", 405),
    ] {
        let (seen, header, body, text) = get(method, path, accept);
        assert_eq!(seen, status, "{method} {path} {accept}");
        assert_eq!(header.as_deref(), Some(id.as_str()), "{method} {path}");
        if method == "HEAD" {
            assert_eq!(body, "", "HEAD has no body");
        }
        assert_no_address(&text, &[port]);
    }
}
