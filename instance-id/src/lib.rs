//! Which copy of a service am I? One attribute on a Rocket app (or an Axum `Router`)
//! mounts a route that names the instance (its container ID, or what the platform
//! gives) and puts the same id in a header on every response, without ever giving
//! away the copy's address.
//!
//! # What to read
//!
//! - [`instance_route`]: the attribute, its arguments and its compile-time checks.
//! - [`InstanceConfig`] and [`Instance`]: the same by hand, and what handlers get.
//! - [`InstanceLayer`] (Axum, tonic) and [`InstanceMiddleware`] (actix-web).
//! - [`serve`]: the public API any framework's adapter is written on.
//! - [`detect`], [`Chain`], [`Strategy`], [`SystemView`]: the engine alone.
//! - [`ResourceAttributes`] and [`InstanceResourceDetector`]: OpenTelemetry.
//! - [`Expose`] and [`ExposeExt`]: what is shown of an id (full, short, hashed).
//! - The guide, `docs/` in the repository: one subject a page.
//!
//! ```no_run
//! use instance_id::instance_route;
//! use rocket::{get, launch, routes};
//!
//! #[get("/")]
//! fn index() -> &'static str {
//!     "hello"
//! }
//!
//! #[instance_route("/inst")]
//! #[launch]
//! fn rocket() -> _ {
//!     rocket::build().mount("/", routes![index])
//! }
//! ```
//!
//! `curl http://127.0.0.1:8000/inst` answers `f567d2d70907…8786` inside a Docker
//! container, and every response carries `X-Instance-Id: f567d2d70907…8786`.
//!
//! The engine alone (`default-features = false`) reads the system through one
//! [`SystemView`] and tries a [`Chain`] of [`Strategy`]s; the first that finds a valid
//! [`InstanceId`] decides, and the [`Detection`] records every [`Attempt`]:
//!
//! ```
//! use instance_id::{detect, Chain, SystemView};
//!
//! match detect(&Chain::default(), &SystemView::live()) {
//!     Ok(detection) => println!("{}", detection.summary()),
//!     Err(none) => eprintln!("{none}"),
//! }
//! ```
//!
//! # Features
//!
//! | feature | default | what |
//! |---|---|---|
//! | `rocket` | yes | the attribute, the fairing, the identity route and header (Rocket 0.5) |
//! | `axum` | no | the attribute on an `axum::Router`, `InstanceLayer` for any Tower service (tonic too), the identity as an extractor; no Rocket |
//! | `actix` | no | actix-web 4: `Instance::middleware`, `Instance::service`, the identity as an extractor; no Rocket, no Axum |
//! | `serve` | with `rocket`, `axum` or `actix` | [`serve`]: the framework-neutral core every adapter is written on |
//! | `ecs` | yes | the `ecs` strategy: one bounded HTTP GET to the task metadata endpoint |
//! | `opentelemetry` | no | `InstanceResourceDetector` for `opentelemetry_sdk` 0.33, and an `Instance` as a `Resource` |
//! | `serde` | with `serve` | `Serialize` for [`Detection`] and its parts |

#![warn(missing_docs)]
// docs.rs marks every item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]
// The crate's docs describe every adapter; built with one framework's feature alone,
// the links to the other's items have nothing to point at.
#![cfg_attr(
    not(all(feature = "rocket", feature = "axum", feature = "actix")),
    allow(rustdoc::broken_intra_doc_links)
)]

#[cfg(feature = "actix")]
mod actix;
#[cfg(feature = "axum")]
mod axum;
mod engine;
mod identity;
mod otel;
#[cfg(feature = "rocket")]
mod rocket;
#[cfg(feature = "serve")]
pub mod serve;

#[cfg(feature = "actix")]
pub use self::actix::middleware::{
    InstanceMiddleware, InstanceMiddlewareFuture, InstanceMiddlewareService,
};
#[cfg(feature = "axum")]
pub use self::axum::layer::{InstanceLayer, InstanceService, ResponseFuture};
#[cfg(feature = "rocket")]
pub use self::rocket::fairing::InstanceFairing;
pub use engine::chain::Chain;
#[cfg(feature = "serde")]
pub use engine::detect::DetectionReport;
pub use engine::detect::{detect, Attempt, Detection, NoInstanceId, Outcome};
pub use engine::runtime::{ContainerRuntime, Platform, Runtime};
pub use engine::strategy::Strategy;
pub use engine::view::{EnvValue, SystemView};
pub use identity::expose::{hash_id, Expose, ExposeExt, HashKeyError};
pub use identity::id::{short_form, InstanceId, InvalidId};
/// A broken rule of the configuration: an unknown strategy, a chain that tries one
/// twice or goes on after `process`, a bad `env` name, a relative `file` path, an
/// invalid header name or route path. The attribute refuses the same at compile time.
pub use instance_id_grammar::Error as ConfigError;
pub use instance_id_grammar::DEFAULT_HEADER;
pub use otel::attributes::{service_instance_id, OmittedAttribute, ResourceAttributes};
#[cfg(feature = "opentelemetry")]
pub use otel::detector::InstanceResourceDetector;
#[cfg(feature = "serve")]
pub use serve::{
    config::{InstanceConfig, StartError},
    instance::Instance,
    rendered::{Reply, ReplyBody},
    with_instance::WithInstance,
};

/// Mounts the identity route, names the instance on every response, and chooses at
/// compile time how the identity is detected.
///
/// It goes on the function that builds the Rocket, *above* `#[launch]` (below it, it
/// would be too late: `#[launch]` has already copied the body into `main`, and that
/// placement is a compile error). It wraps every way out of the function's body so
/// that the Rocket gets an [`InstanceFairing`] built from an [`InstanceConfig`]: the
/// attribute is sugar for that hand-written API.
///
/// | argument | meaning | default |
/// |---|---|---|
/// | `"/inst"` (first, required) | the identity route's path | — |
/// | `strategy = S` | the strategy tried first | `container` |
/// | `fallback = [S, …]` or `fallback = S` | tried in order when everything before failed | `[kubernetes, ecs, platform, process]`, less what would repeat `strategy` or follow `process`/`random` |
/// | `header = "Name"` / `header = false` | the response header on every response | `"X-Instance-Id"` |
/// | `expose = full \| short \| hashed("ENV")` | the whole id; a short form that never makes two instances look the same (12 characters of a 64-hex container id, any other id whole); or HMAC-SHA256 under the key in `$ENV` | `full` |
///
/// Strategies: `container`, `cgroup`, `mountinfo`, `podman`, `kubernetes`, `ecs`,
/// `platform`, `env("NAME")`, `file("/abs/path")`, `hostname`, `process`,
/// `machine_id`, `random`, `custom(path::to::func)` with `func: fn() -> Option<String>`.
///
/// ```
/// use instance_id::instance_route;
/// use rocket::{get, routes, Build, Rocket};
///
/// #[get("/")]
/// fn index() -> &'static str {
///     "hello"
/// }
///
/// fn from_config() -> Option<String> {
///     Some("checkout-eu-1".into())
/// }
///
/// #[instance_route("/inst", strategy = custom(from_config), fallback = [container, process], header = "X-Served-By")]
/// fn app() -> Rocket<Build> {
///     rocket::build().mount("/", routes![index])
/// }
///
/// let client = rocket::local::blocking::Client::tracked(app()).expect("launches");
/// let response = client.get("/").dispatch();
/// assert_eq!(response.headers().get_one("X-Served-By"), Some("checkout-eu-1"));
/// assert_eq!(client.get("/inst").dispatch().into_string().as_deref(), Some("checkout-eu-1\n"));
/// ```
///
/// With `#[launch]`, the usual app:
///
/// ```no_run
/// use instance_id::instance_route;
/// use rocket::{get, launch, routes};
///
/// #[get("/")]
/// fn index() -> &'static str { "hello" }
///
/// #[instance_route("/inst")]
/// #[launch]
/// fn rocket() -> _ {
///     rocket::build().mount("/", routes![index])
/// }
/// ```
#[cfg(any(feature = "rocket", feature = "axum"))]
#[doc(inline)]
pub use instance_id_macros::instance_route;

/// Re-exported for the attribute's expansion, so that it works whatever the app calls
/// its own `rocket` dependency.
#[cfg(feature = "rocket")]
#[doc(hidden)]
pub use ::rocket as __rocket;
