//! The HTTP side over Rocket's local client: the identity route (text, JSON, the page,
//! content negotiation), the header on every response, the guard and managed state,
//! and what the attribute's arguments change. Each factory below is a real use of
//! `#[instance_route]`.

mod support;

use instance_id::{instance_route, Instance, SystemView};
use rocket::http::{Accept, ContentType, Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::{catch, catchers, get, routes, Build, Rocket, State};
use support::assert_no_address;

/// A pod named by the downward API: the same id whatever machine runs the tests.
fn pod() -> SystemView {
    SystemView::snapshot("/nonexistent").with_env([
        ("POD_NAME", "cart-5d8f7b6c9-abcde"),
        ("INSTANCE_ID_TEST_KEY", "s3cret"),
    ])
}

const POD: &str = "cart-5d8f7b6c9-abcde";

#[get("/")]
fn index() -> &'static str {
    "hello"
}

#[get("/who")]
fn who(instance: &Instance, greeting: &State<String>) -> String {
    format!("{} from {}", greeting.inner(), instance.id())
}

/// A body with a header of its own.
#[derive(rocket::Responder)]
struct WithHeader(&'static str, Header<'static>);

#[get("/own-header")]
fn own_header() -> WithHeader {
    WithHeader("mine", Header::new("X-Instance-Id", "set-by-handler"))
}

#[get("/fail")]
fn fail() -> Status {
    Status::InternalServerError
}

#[get("/bad")]
fn bad() -> Status {
    Status::BadRequest
}

#[catch(500)]
fn oops() -> &'static str {
    "oops"
}

/// The attribute's defaults; detection reads `pod()` through the hand-written API so
/// that the tests do not depend on the machine.
fn app() -> Rocket<Build> {
    rocket::build()
        .mount("/", routes![index, who, own_header, fail, bad])
        .register("/", catchers![oops])
        .manage("hi".to_string())
}

#[instance_route("/inst", strategy = kubernetes, fallback = [])]
fn with_attribute() -> Rocket<Build> {
    app()
}

#[instance_route("/whoami", strategy = env("POD_NAME"), fallback = [random], header = "X-Served-By", expose = short)]
fn renamed() -> Rocket<Build> {
    app()
}

#[instance_route("/inst", strategy = env("POD_NAME"), fallback = [], header = false, expose = hashed("INSTANCE_ID_TEST_KEY"))]
async fn quiet_and_hashed() -> Rocket<Build> {
    app()
}

fn client(rocket: Rocket<Build>) -> Client {
    Client::tracked(rocket).expect("the app launches")
}

/// Sets the environment the attribute's strategies read: the live view in tests is
/// this process, so the variables are set once, before any client exists.
fn live_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every test calls this before anything else and `Once` holds the others until
        // it is done, so no thread reads the environment while it changes.
        std::env::set_var("POD_NAME", POD);
        std::env::set_var("INSTANCE_ID_TEST_KEY", "s3cret");
    });
}

fn header<'a>(response: &'a LocalResponse<'_>, name: &str) -> Option<&'a str> {
    response.headers().get_one(name)
}

#[test]
fn text_form() {
    live_env();
    let client = client(with_attribute());
    let response = client.get("/inst").dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::Plain));
    assert_eq!(
        header(&response, "Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(header(&response, "Cache-Control"), Some("no-store"));
    assert_eq!(header(&response, "X-Instance-Id"), Some(POD));
    assert_eq!(
        response.into_string().as_deref(),
        Some("cart-5d8f7b6c9-abcde\n")
    );
}

#[test]
fn json_form() {
    live_env();
    let client = client(with_attribute());
    client.get("/").dispatch();
    let response = client.get("/inst").header(Accept::JSON).dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    assert_eq!(header(&response, "Cache-Control"), Some("no-store"));
    let json: serde_json::Value =
        serde_json::from_str(&response.into_string().expect("a body")).expect("JSON");
    let keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "id",
        "source",
        "runtime",
        "started_at",
        "uptime_secs",
        "version",
        "served",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!(json["id"], POD);
    assert_eq!(json["source"], "kubernetes");
    assert_eq!(json["runtime"], "kubernetes");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["uptime_secs"].is_u64());
    // The responses before this one: the one to /.
    assert_eq!(json["served"], 1);
    let started = json["started_at"].as_str().expect("a string");
    assert!(
        started.len() >= 20 && started.as_bytes()[10] == b'T' && started.ends_with('Z'),
        "{started}"
    );
}

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[test]
fn curl_and_other_clients_get_text() {
    live_env();
    let client = client(with_attribute());
    for accept in [
        "*/*",
        "text/plain, text/html;q=0.5",
        "text/plain, application/json;q=0.5",
    ] {
        let response = client
            .get("/inst")
            .header(Header::new("Accept", accept))
            .dispatch();
        assert_eq!(
            response.content_type(),
            Some(ContentType::Plain),
            "{accept}"
        );
    }
    let response = client.get("/inst").dispatch();
    assert_eq!(
        response.content_type(),
        Some(ContentType::Plain),
        "no Accept at all"
    );
}

#[test]
fn q_zero_refuses_a_form() {
    live_env();
    let client = client(with_attribute());
    let get = |accept: &'static str| {
        client
            .get("/inst")
            .header(Header::new("Accept", accept))
            .dispatch()
    };
    let response = get("application/json;q=0, text/html;q=0");
    assert_eq!(response.content_type(), Some(ContentType::Plain));
    let response = get("text/plain;q=0, */*");
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let response = get("*/*;q=0");
    assert_eq!(response.status(), Status::NotAcceptable);
    assert_eq!(header(&response, "Cache-Control"), Some("no-store"));
    assert!(header(&response, "X-Instance-Id").is_some());
}

/// Every parameter and every `Accept` line counts, as RFC 9110 reads them.
#[test]
fn every_parameter_and_every_accept_line_count() {
    live_env();
    let client = client(with_attribute());
    let get = |lines: &[&'static str]| {
        let request = client.get("/inst");
        let request = lines.iter().fold(request, |request, line| {
            request.header(Header::new("Accept", *line))
        });
        assert_eq!(request.headers().get("Accept").count(), lines.len());
        request.dispatch()
    };
    let response = get(&["text/plain;charset=utf-8;q=0.1, application/json;q=0.5"]);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let response = get(&["*/*;v=1;q=0"]);
    assert_eq!(response.status(), Status::NotAcceptable);
    let response = get(&["text/plain;q=0.1", "application/json"]);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let response = get(&["text/plain;q=0", "*/*;q=0"]);
    assert_eq!(response.status(), Status::NotAcceptable);
}

#[test]
fn browsers_get_a_page_for_people() {
    live_env();
    let client = client(with_attribute());
    let response = client
        .get("/inst")
        .header(Header::new("Accept", BROWSER))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::HTML));
    assert_eq!(header(&response, "Cache-Control"), Some("no-store"));
    let csp = header(&response, "Content-Security-Policy")
        .expect("a CSP")
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    let html = response.into_string().expect("a page");
    assert!(
        html.contains(&format!("<code id=\"id\">{POD}</code>")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<dt>Short form</dt><dd>{POD}</dd>")),
        "a pod's short form is its whole name: {html}"
    );
    assert!(html.contains("Paste this id into your report"), "{html}");
    // Nothing from elsewhere, no inline event handler: a strict CSP holds.
    for forbidden in [
        "http://",
        "https://",
        " onclick",
        " onload",
        " onchange",
        "src=",
    ] {
        assert!(!html.contains(forbidden), "{forbidden} in the page");
    }
}

#[test]
fn the_page_respects_expose() {
    live_env();
    let client = client(rocket::execute(quiet_and_hashed()));
    let html = client
        .get("/inst")
        .header(Header::new("Accept", BROWSER))
        .dispatch()
        .into_string()
        .expect("a page");
    assert!(
        html.contains(&instance_id::hash_id(b"s3cret", POD)),
        "{html}"
    );
    assert!(!html.contains(POD), "the raw id leaked into the page");
}

#[test]
fn header_on_every_response() {
    live_env();
    let client = client(with_attribute());
    for (path, status) in [
        ("/", Status::Ok),
        ("/who", Status::Ok),
        ("/nowhere", Status::NotFound),
        ("/fail", Status::InternalServerError),
        ("/bad", Status::BadRequest),
    ] {
        let response = client.get(path).dispatch();
        assert_eq!(response.status(), status, "{path}");
        let values: Vec<&str> = response.headers().get("X-Instance-Id").collect();
        assert_eq!(values, [POD], "{path}");
    }
    let response = client.head("/inst").dispatch();
    assert_eq!(header(&response, "X-Instance-Id"), Some(POD));
}

/// The fairing's 400 catcher (for what Rocket cannot read) never takes the app's own.
#[test]
fn an_apps_own_400_catcher_is_kept() {
    #[catch(400)]
    fn mine() -> &'static str {
        "my own 400"
    }
    live_env();
    let client = client(with_attribute().register("/", catchers![mine]));
    let response = client.get("/bad").dispatch();
    assert_eq!(response.status(), Status::BadRequest);
    assert_eq!(header(&response, "X-Instance-Id"), Some(POD));
    assert_eq!(response.into_string().as_deref(), Some("my own 400"));
}

#[test]
fn a_handlers_own_header_is_kept() {
    live_env();
    let client = client(with_attribute());
    let response = client.get("/own-header").dispatch();
    let values: Vec<&str> = response.headers().get("X-Instance-Id").collect();
    assert_eq!(values, ["set-by-handler"]);
}

#[test]
fn guard_and_managed_state() {
    live_env();
    let client = client(with_attribute());
    let response = client.get("/who").dispatch();
    assert_eq!(
        response.into_string().as_deref(),
        Some("hi from cart-5d8f7b6c9-abcde")
    );
    let instance = client.rocket().state::<Instance>().expect("managed");
    assert_eq!(instance.id(), POD);
    assert_eq!(instance.detection().source, "kubernetes");
    assert_eq!(
        client.rocket().state::<String>().map(String::as_str),
        Some("hi")
    );
}

#[test]
fn renamed_path_header_and_short_id() {
    live_env();
    let client = client(renamed());
    let response = client.get("/whoami").dispatch();
    // A pod name is its own short form: cut, two replicas would look the same.
    assert_eq!(header(&response, "X-Served-By"), Some(POD));
    assert_eq!(header(&response, "X-Instance-Id"), None);
    assert_eq!(response.into_string(), Some(format!("{POD}\n")));
    assert_eq!(client.get("/inst").dispatch().status(), Status::NotFound);
}

#[test]
fn no_header_and_hashed_id() {
    live_env();
    let rocket = rocket::execute(quiet_and_hashed());
    let client = client(rocket);
    let response = client.get("/").dispatch();
    assert_eq!(header(&response, "X-Instance-Id"), None);
    let response = client.get("/inst").dispatch();
    let hashed = instance_id::hash_id(b"s3cret", POD);
    assert_eq!(response.into_string(), Some(format!("{hashed}\n")));
}

#[test]
fn the_hand_written_api_says_the_same() {
    use instance_id::{Expose, InstanceConfig, InstanceFairing, Strategy};
    let rocket = app().attach(InstanceFairing::new(
        InstanceConfig::new("/whoami")
            .strategy(Strategy::Kubernetes)
            .fallback([Strategy::Random])
            .header("X-Served-By")
            .expose(Expose::Short)
            .version("9.9.9")
            .view(pod()),
    ));
    let client = client(rocket);
    let response = client.get("/whoami").header(Accept::JSON).dispatch();
    assert_eq!(header(&response, "X-Served-By"), Some(POD));
    let json: serde_json::Value =
        serde_json::from_str(&response.into_string().expect("a body")).expect("JSON");
    assert_eq!(json["version"], "9.9.9");
    assert_eq!(json["id"], POD);
}

#[test]
fn a_route_at_the_identity_path_fails_the_launch() {
    #[get("/inst")]
    fn taken() -> &'static str {
        "taken"
    }
    live_env();
    let rocket = with_attribute().mount("/", routes![taken]);
    assert_failed_fairing(Client::tracked(rocket).expect_err("the launch fails"));
}

#[test]
fn a_missing_hash_key_fails_the_launch() {
    #[instance_route("/inst", expose = hashed("INSTANCE_ID_TEST_ABSENT_KEY"))]
    fn app_without_key() -> Rocket<Build> {
        rocket::build()
    }
    assert_failed_fairing(Client::tracked(app_without_key()).expect_err("the launch fails"));
}

/// The launch failed in instance-id's fairing (its message went to the log; the
/// unit tests of `instance_id::fairing` check each message).
fn assert_failed_fairing(err: rocket::Error) {
    match err.kind() {
        rocket::error::ErrorKind::FailedFairings(fairings) => {
            assert!(fairings.iter().any(|f| f.name == "instance-id"), "{err:?}");
        }
        other => panic!("not a fairing failure: {other:?}"),
    }
}

/// Every byte of every response: no IPv4 address, no `:port`, even where every input
/// carries one. The identities come from snapshots whose host names are EC2's
/// address-bearing ones (dashed, and dashed inside a domain name) and from a pod name
/// that is an address with a port; the requests come from an address, name one in
/// `Host` and carry forwarding headers; Rocket listens on port 8000.
#[test]
fn no_address_or_port_in_any_response() {
    use instance_id::{InstanceConfig, InstanceFairing, Strategy};
    live_env();
    let snapshots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/snapshots");
    let snapshot = |name: &str| SystemView::snapshot(snapshots.join(name));
    let configs = [
        // The default chain reaches `process` on the host name `ip-172-31-9-4.ec2.internal`.
        InstanceConfig::new("/inst").view(snapshot("ec2-fqdn-default-chain-machine-id")),
        InstanceConfig::new("/inst")
            .strategy(Strategy::Process)
            .fallback([])
            .view(snapshot("ec2-process-ip-hostname")),
        InstanceConfig::new("/inst")
            .strategy(Strategy::Hostname)
            .fallback([Strategy::Env("APP_INSTANCE".into())])
            .view(snapshot("ec2-ip-hostname-trap")),
        InstanceConfig::new("/inst")
            .strategy(Strategy::Env("POD_NAME".into()))
            .fallback([Strategy::Random])
            .view(SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "10.9.8.7:8000")])),
    ];
    let mut apps: Vec<(String, Rocket<Build>)> = configs
        .into_iter()
        .map(|config| {
            (
                format!("{config:?}"),
                app().attach(InstanceFairing::new(config)),
            )
        })
        .collect();
    apps.push(("the attribute".into(), with_attribute()));
    for (what, rocket) in apps {
        let rocket = rocket.configure(rocket::Config {
            port: 8000,
            ..rocket::Config::debug_default()
        });
        let client = client(rocket);
        for path in ["/", "/inst", "/who", "/nowhere", "/fail"] {
            for accept in [Accept::Plain, Accept::JSON, Accept::HTML] {
                let response = client
                    .get(path)
                    .header(accept)
                    .header(Header::new("Host", "10.9.8.7:8000"))
                    .header(Header::new("X-Forwarded-For", "10.9.8.6, 10.9.8.5"))
                    .header(Header::new(
                        "Forwarded",
                        "for=10.9.8.6;host=ip-10-9-8-7:8000",
                    ))
                    .remote("10.9.8.6:40000".parse().expect("an address"))
                    .dispatch();
                let mut text = String::new();
                for h in response.headers().iter() {
                    text.push_str(&format!("{}: {}\n", h.name(), h.value()));
                }
                text.push_str(&response.into_string().unwrap_or_default());
                assert!(!text.is_empty(), "{what} {path}");
                std::panic::catch_unwind(|| assert_no_address(&text, &[8000, 40000]))
                    .unwrap_or_else(|_| panic!("{what}: {path}"));
            }
        }
    }
}

/// The check above sees each form an address takes in those inputs.
#[test]
fn the_address_check_sees_every_form() {
    for text in [
        "10.9.8.7",
        "ip-172-31-9-4",
        "ip-10-0-3-17.ec2.internal",
        "x_10_0_0_1",
        "a\nhost: 127.0.0.1\n",
        "near :8000",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_address(text, &[8000])).is_err();
        assert!(caught, "{text:?} passed the check");
    }
    for text in [
        "proc-c319e9dabf5b-9405",
        "2026-11-27T05:13:34Z",
        "checkout-2",
        "1.2.3",
    ] {
        assert_no_address(text, &[8000]);
    }
}
