//! Which copy of a service am I?
//!
//! `instance-id` names the running instance of a service (its container ID, or what
//! the platform gives) so that, behind a load balancer, the people who triage know
//! which copy answered without ever learning its address.
//!
//! The detection engine reads the system through one [`SystemView`] and tries a
//! [`Chain`] of [`Strategy`]s; the first that finds a valid [`InstanceId`] decides,
//! and the [`Detection`] records every [`Attempt`]:
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
//! Strategies, in the order of the default chain (SPEC §3):
//!
//! | strategy | source |
//! |---|---|
//! | `cgroup` | `/proc/self/cgroup`: Docker, containerd, CRI-O, Podman, Kubernetes, ECS, LXC shapes |
//! | `mountinfo` | `/proc/self/mountinfo`: the per-container files the runtime bind-mounts |
//! | `podman` | `/run/.containerenv` |
//! | `kubernetes` | `POD_NAME`, `POD_UID` (downward API), else `HOSTNAME` in a pod |
//! | `ecs` | `DockerId` from `ECS_CONTAINER_METADATA_URI_V4` |
//! | `platform` | [`PLATFORM_VARIABLES`] |
//! | `process` | `<hostname>-<pid>` |
//!
//! With the `rocket` feature (on by default), [`instance_route`] puts the identity on a
//! Rocket app: a route that names the instance, and a header on every response.

#![warn(missing_docs)]

mod detection;
#[cfg(feature = "hashed")]
mod expose;
#[cfg(feature = "rocket")]
mod fairing;
mod id;
#[cfg(feature = "rocket")]
mod page;
mod resource;
mod runtime;
mod strategy;
mod view;

pub use detection::{detect, Attempt, Detection, NoInstanceId, Outcome};
#[cfg(feature = "hashed")]
pub use expose::{hash_id, hash_key, Expose};
#[cfg(feature = "rocket")]
pub use fairing::{check_header_name, Instance, InstanceConfig, InstanceFairing, DEFAULT_HEADER};
pub use id::{InstanceId, MAX_LEN};
/// Mounts the identity route, names the instance on every response, and chooses at
/// compile time how the identity is detected (SPEC §3).
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
/// | `expose = full \| short \| hashed("ENV")` | the whole id, its first 12 characters, or HMAC-SHA256 under the key in `$ENV` | `full` |
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
/// With `#[launch]`, SPEC §3's app:
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
#[cfg(feature = "rocket")]
#[doc(inline)]
pub use instance_id_macros::instance_route;
pub use resource::ResourceAttributes;
pub use runtime::Runtime;
pub use strategy::{
    validate_env_name, validate_file_path, Chain, Strategy, DEFAULT_FALLBACK, ECS_MAX_BODY_BYTES,
    ECS_TIMEOUT, PLATFORM_VARIABLES, STRATEGY_NAMES,
};
pub use view::{EnvValue, SystemView, MAX_FILE_BYTES};

/// Re-exported for the attribute's expansion, so that it works whatever the app calls
/// its own `rocket` dependency.
#[cfg(feature = "rocket")]
#[doc(hidden)]
pub use rocket as __rocket;
