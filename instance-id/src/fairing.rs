//! The Rocket side (SPEC §5): a fairing that detects the identity once at ignite,
//! mounts the identity route, and names the instance on every response.
//!
//! `#[instance_route]` expands to [`InstanceFairing`] and [`InstanceConfig`]; anything
//! the attribute says, these say too.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime};

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::uri::Origin;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::request::{FromRequest, Outcome as RequestOutcome};
use rocket::route::{Handler, Outcome as RouteOutcome};
use rocket::{Build, Data, Request, Response, Rocket, Route};

use crate::{detect, Chain, Detection, Expose, Strategy, SystemView};

/// The header the identity goes in unless told otherwise.
pub const DEFAULT_HEADER: &str = "X-Instance-Id";

/// What `#[instance_route]` says, as a value: the route's path, the chain, the header,
/// what is exposed, the app's version.
///
/// ```
/// use instance_id::{Expose, InstanceConfig, InstanceFairing, Strategy};
///
/// let rocket = rocket::build().attach(InstanceFairing::new(
///     InstanceConfig::new("/inst")
///         .strategy(Strategy::Container)
///         .fallback([Strategy::Kubernetes, Strategy::Process])
///         .header("X-Served-By")
///         .expose(Expose::Short)
///         .version(env!("CARGO_PKG_VERSION")),
/// ));
/// # let _ = rocket;
/// ```
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    path: String,
    strategy: Strategy,
    /// `None`: the default fallback for `strategy` ([`Chain::with_default_fallback`]).
    fallback: Option<Vec<Strategy>>,
    header: Option<String>,
    expose: Expose,
    version: Option<&'static str>,
    view: Option<SystemView>,
}

impl InstanceConfig {
    /// The defaults of SPEC §3 for the route at `path`: `container`, then
    /// `[kubernetes, ecs, platform, process]`, header `X-Instance-Id`, full id.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            strategy: Strategy::Container,
            fallback: None,
            header: Some(DEFAULT_HEADER.to_owned()),
            expose: Expose::Full,
            version: None,
            view: None,
        }
    }

    /// The strategy tried first.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The strategies tried in order when everything before failed. Unless this is
    /// called, the fallback is [`Chain::with_default_fallback`]'s.
    pub fn fallback(mut self, fallback: impl IntoIterator<Item = Strategy>) -> Self {
        self.fallback = Some(fallback.into_iter().collect());
        self
    }

    /// The response header that carries the exposed id.
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = Some(name.into());
        self
    }

    /// No header on responses (`header = false`).
    pub fn no_header(mut self) -> Self {
        self.header = None;
        self
    }

    /// What is shown of the id.
    pub fn expose(mut self, expose: Expose) -> Self {
        self.expose = expose;
        self
    }

    /// The app's version for the JSON form (`env!("CARGO_PKG_VERSION")`).
    pub fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// Detect against this view instead of the live system (tests, demos).
    pub fn view(mut self, view: SystemView) -> Self {
        self.view = Some(view);
        self
    }

    /// Everything that can be checked before detection, with a message per mistake.
    fn check(&self) -> Result<Chain, String> {
        check_path(&self.path)?;
        if let Some(name) = &self.header {
            check_header_name(name)?;
        }
        match &self.fallback {
            Some(fallback) => Chain::new(self.strategy.clone(), fallback.iter().cloned()),
            None => {
                self.strategy.validate()?;
                Ok(Chain::with_default_fallback(self.strategy.clone()))
            }
        }
    }
}

/// A static absolute path that Rocket parses as a route.
fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("the identity path {path:?} must start with /"));
    }
    if path.contains(['<', '>', '?', '#']) {
        return Err(format!(
            "the identity path {path:?} must be a plain path, without parameters or a query"
        ));
    }
    Origin::parse_route(path)
        .map(|_| ())
        .map_err(|err| format!("the identity path {path:?} is not a valid route path: {err}"))
}

/// An HTTP header name is a token (RFC 9110 §5.1).
pub fn check_header_name(name: &str) -> Result<(), String> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if !name.is_empty() && name.bytes().all(token) {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~)"
        ))
    }
}

/// The fairing: detects at ignite, mounts the identity route, manages [`Instance`],
/// counts the responses and puts the header on every one.
///
/// ```
/// use instance_id::{InstanceConfig, InstanceFairing, SystemView};
/// use rocket::local::blocking::Client;
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let rocket = rocket::build()
///     .attach(InstanceFairing::new(InstanceConfig::new("/inst").view(view)));
/// let client = Client::tracked(rocket).expect("launches");
///
/// let response = client.get("/inst").dispatch();
/// assert_eq!(response.headers().get_one("X-Instance-Id"), Some("web-7d9f"));
/// assert_eq!(response.into_string().as_deref(), Some("web-7d9f\n"));
/// ```
pub struct InstanceFairing {
    config: InstanceConfig,
    identity: OnceLock<Arc<Identity>>,
    told_of_handler_header: AtomicBool,
}

impl InstanceFairing {
    /// The fairing for this configuration.
    pub fn new(config: InstanceConfig) -> Self {
        Self {
            config,
            identity: OnceLock::new(),
            told_of_handler_header: AtomicBool::new(false),
        }
    }

    async fn ignite(&self, rocket: &Rocket<Build>) -> Result<Identity, String> {
        let chain = self.config.check()?;
        if rocket.state::<Instance>().is_some() {
            return Err("instance-id is attached twice; attach one InstanceFairing".into());
        }
        if let Some(route) = rocket
            .routes()
            .find(|r| r.method == Method::Get && r.uri.path() == self.config.path.as_str())
        {
            return Err(format!(
                "the identity route GET {} collides with the app's route {} (GET {}); choose another path for #[instance_route]",
                self.config.path,
                route.name.as_deref().unwrap_or("<unnamed>"),
                route.uri
            ));
        }
        let view = self.config.view.clone().unwrap_or_else(SystemView::live);
        // Strategies read files and may wait on the ECS endpoint: not on the executor.
        let (detection, view) = rocket::tokio::task::spawn_blocking(move || {
            let detection = detect(&chain, &view);
            (detection, view)
        })
        .await
        .map_err(|err| format!("detection did not finish: {err}"))?;
        let detection = detection.map_err(|none| none.to_string())?;
        let exposed = self.config.expose.render(&detection.id, &view)?;
        Ok(Identity::new(
            detection,
            exposed,
            self.config.header.as_deref(),
            self.config.version,
        ))
    }
}

#[rocket::async_trait]
impl Fairing for InstanceFairing {
    fn info(&self) -> Info {
        Info {
            name: "instance-id",
            kind: Kind::Ignite | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        match self.ignite(&rocket).await {
            Ok(identity) => {
                rocket::info!("{}", identity.detection.summary());
                let identity = Arc::new(identity);
                // A fairing ignites once per Rocket; a second ignite keeps the first.
                let identity = self.identity.get_or_init(|| identity).clone();
                let mut route = Route::new(
                    Method::Get,
                    &self.config.path,
                    IdentityRoute(identity.clone()),
                );
                route.name = Some("instance_id".into());
                Ok(rocket.manage(Instance(identity)).mount("/", vec![route]))
            }
            Err(message) => {
                rocket::error!("instance-id: {message}");
                Err(rocket)
            }
        }
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, response: &mut Response<'r>) {
        let Some(identity) = self.identity.get() else {
            return;
        };
        // One fairing call per request, counting and naming together.
        identity.served.fetch_add(1, Ordering::Relaxed);
        let Some(header) = &identity.header else {
            return;
        };
        if response.headers().contains(header.name()) {
            // The handler's own value wins, as Rocket's Shield leaves a set header be.
            if !self.told_of_handler_header.swap(true, Ordering::Relaxed) {
                rocket::warn!(
                    "instance-id: a handler set {} itself; its value is kept",
                    header.name()
                );
            }
            return;
        }
        response.set_header(header.clone());
    }
}

/// The identity as decided at ignite, with everything a request needs precomputed.
struct Identity {
    detection: Detection,
    exposed: String,
    text_body: Arc<[u8]>,
    html_body: Arc<[u8]>,
    json: JsonParts,
    /// The page's Content-Security-Policy, leaked once per launch like the header.
    csp: &'static str,
    header: Option<Header<'static>>,
    started_at: String,
    started: Instant,
    served: AtomicU64,
}

impl Identity {
    fn new(
        detection: Detection,
        exposed: String,
        header: Option<&str>,
        version: Option<&'static str>,
    ) -> Self {
        // Leaked once per launch so that every response reuses them without allocating.
        let header = header.map(|name| {
            let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
            let value: &'static str = Box::leak(exposed.clone().into_boxed_str());
            Header::new(name, value)
        });
        let started_at = time::OffsetDateTime::from(SystemTime::now())
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| "unknown".into());
        let short = &exposed[..exposed.len().min(12)];
        let page = crate::page::Page::render(&exposed, short, &started_at);
        let json = JsonParts::new(&exposed, &detection, &started_at, version);
        Self {
            json,
            text_body: format!("{exposed}\n").into_bytes().into(),
            html_body: page.html.into_bytes().into(),
            csp: Box::leak(page.csp.into_boxed_str()),
            detection,
            exposed,
            header,
            started_at,
            started: Instant::now(),
            served: AtomicU64::new(0),
        }
    }
}

/// The JSON form of the identity route (SPEC §5), rendered once at ignite but for
/// the two numbers that change: `{"id", "source", "runtime", "started_at",
/// "uptime_secs", "version", "served"}`.
struct JsonParts {
    /// Up to and including `"uptime_secs":`.
    head: String,
    /// From `,"version":` to `"served":`.
    middle: String,
}

impl JsonParts {
    fn new(exposed: &str, detection: &Detection, started_at: &str, version: Option<&str>) -> Self {
        let head = format!(
            r#"{{"id":{},"source":{},"runtime":{},"started_at":{},"uptime_secs":"#,
            json(&exposed),
            json(&detection.source.as_str()),
            json(&detection.runtime),
            json(&started_at),
        );
        let middle = format!(r#","version":{},"served":"#, json(&version));
        Self { head, middle }
    }

    fn render(&self, uptime_secs: u64, served: u64) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::with_capacity(self.head.len() + self.middle.len() + 42);
        out.extend_from_slice(self.head.as_bytes());
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{uptime_secs}{}{served}}}", self.middle);
        out
    }
}

/// A constant of the JSON form, escaped as JSON needs.
fn json<T: serde::Serialize>(value: &T) -> String {
    // Strings and options of strings always serialize.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// A response body: one of the bodies rendered at ignite, shared, or the JSON made for
/// this request.
enum Body {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

#[derive(Clone)]
struct IdentityRoute(Arc<Identity>);

#[rocket::async_trait]
impl Handler for IdentityRoute {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> RouteOutcome<'r> {
        let identity = &self.0;
        let preferred = request
            .accept()
            .map(|accept| accept.preferred().media_type().clone());
        let (content_type, body) = match preferred {
            Some(json) if json.is_json() => {
                let uptime = identity.started.elapsed().as_secs();
                let served = identity.served.load(Ordering::Relaxed);
                (
                    ContentType::JSON,
                    Body::Owned(identity.json.render(uptime, served)),
                )
            }
            // A browser: the page for people.
            Some(html) if html.is_html() => {
                (ContentType::HTML, Body::Shared(identity.html_body.clone()))
            }
            _ => (ContentType::Plain, Body::Shared(identity.text_body.clone())),
        };
        let is_html = content_type == ContentType::HTML;
        let mut response = Response::build();
        response
            .status(Status::Ok)
            .header(content_type)
            // A shared cache must never hand one instance's identity to a user of another.
            .raw_header("Cache-Control", "no-store")
            .sized_body(body.as_ref().len(), Cursor::new(body));
        if is_html {
            response.raw_header("Content-Security-Policy", identity.csp);
        }
        let response = response.finalize();
        RouteOutcome::Success(response)
    }
}

/// The instance's identity, for handlers: a request guard (`instance: &Instance`) and
/// managed state (`&State<Instance>`), a type of its own so the app's `String` state is
/// untouched.
///
/// ```
/// use instance_id::{Instance, InstanceConfig, InstanceFairing, SystemView};
/// use rocket::local::blocking::Client;
///
/// #[rocket::get("/who")]
/// fn who(instance: &Instance) -> String {
///     format!("served by {} (via {})", instance.id(), instance.detection().source)
/// }
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let rocket = rocket::build()
///     .mount("/", rocket::routes![who])
///     .attach(InstanceFairing::new(InstanceConfig::new("/inst").view(view)));
/// let client = Client::tracked(rocket).expect("launches");
/// assert_eq!(client.get("/who").dispatch().into_string().as_deref(), Some("served by web-7d9f (via kubernetes)"));
/// ```
#[derive(Clone)]
pub struct Instance(Arc<Identity>);

impl Instance {
    /// The id as exposed (full, short or hashed, as configured).
    pub fn id(&self) -> &str {
        &self.0.exposed
    }

    /// The detection: the raw id, the deciding strategy, the runtime, every attempt.
    pub fn detection(&self) -> &Detection {
        &self.0.detection
    }

    /// When the instance ignited, RFC 3339.
    pub fn started_at(&self) -> &str {
        &self.0.started_at
    }

    /// The requests this instance has answered so far.
    pub fn served(&self) -> u64 {
        self.0.served.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").field("id", &self.id()).finish()
    }
}

/// Used as a guard without the fairing attached, it fails the request with 500.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Instance {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> RequestOutcome<Self, Self::Error> {
        match request.rocket().state::<Instance>() {
            Some(instance) => RequestOutcome::Success(instance),
            None => RequestOutcome::Error((
                Status::InternalServerError,
                "instance-id's fairing is not attached",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_view() -> SystemView {
        SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")])
    }

    async fn ignite(config: InstanceConfig, rocket: Rocket<Build>) -> Result<Identity, String> {
        InstanceFairing::new(config).ignite(&rocket).await
    }

    #[rocket::async_test]
    async fn a_route_at_the_path_is_named_in_the_error() {
        #[rocket::get("/inst")]
        fn mine() -> &'static str {
            "mine"
        }
        let rocket = rocket::build().mount("/", rocket::routes![mine]);
        let err = ignite(InstanceConfig::new("/inst").view(pod_view()), rocket)
            .await
            .err()
            .expect("a collision");
        assert!(err.contains("GET /inst"), "{err}");
        assert!(err.contains("mine"), "{err}");
    }

    #[rocket::async_test]
    async fn mistakes_in_a_hand_written_config_fail_the_launch() {
        for (config, expected) in [
            (InstanceConfig::new("inst"), "must start with /"),
            (InstanceConfig::new("/inst/<id>"), "without parameters"),
            (
                InstanceConfig::new("/inst").header("X Id"),
                "not a valid HTTP header name",
            ),
            (
                InstanceConfig::new("/inst")
                    .strategy(Strategy::Random)
                    .fallback([Strategy::Hostname]),
                "always succeeds",
            ),
            (
                InstanceConfig::new("/inst").strategy(Strategy::env("1X")),
                "not an environment variable name",
            ),
            (
                InstanceConfig::new("/inst").expose(Expose::hashed("INSTANCE_ID_TEST_NO_KEY")),
                "the hash key $INSTANCE_ID_TEST_NO_KEY is not set",
            ),
            (
                InstanceConfig::new("/inst")
                    .strategy(Strategy::env("NOPE"))
                    .fallback([]),
                "no strategy found an instance id",
            ),
        ] {
            let err = ignite(config.view(pod_view()), rocket::build())
                .await
                .err()
                .expect("a failed launch");
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[rocket::async_test]
    async fn hashed_and_short_ids() {
        let view =
            pod_view().with_env([("POD_NAME", "cart-5d8f7b6c9-abcde"), ("INSTANCE_KEY", "k")]);
        let identity = ignite(
            InstanceConfig::new("/inst")
                .expose(Expose::Short)
                .view(view.clone()),
            rocket::build(),
        )
        .await
        .expect("launches");
        assert_eq!(identity.exposed, "cart-5d8f7b6");
        let identity = ignite(
            InstanceConfig::new("/inst")
                .expose(Expose::hashed("INSTANCE_KEY"))
                .view(view),
            rocket::build(),
        )
        .await
        .expect("launches");
        assert_eq!(
            identity.exposed,
            crate::hash_id(b"k", "cart-5d8f7b6c9-abcde")
        );
        assert_eq!(identity.detection.id.as_str(), "cart-5d8f7b6c9-abcde");
    }
}
