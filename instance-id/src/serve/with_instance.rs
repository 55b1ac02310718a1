//! The one trait `#[instance_route]` expands to, whatever the framework.

use crate::serve::config::InstanceConfig;

/// An app that can be given the identity: [`rocket::Rocket<Build>`](https://docs.rs/rocket)
/// gets an `InstanceFairing` (feature `rocket`), an
/// [`axum::Router`](https://docs.rs/axum) the identity route and an
/// `InstanceLayer` (feature `axum`); an adapter outside this crate may implement it
/// for its framework's app. `#[instance_route]`
/// expands to one call of it on whatever the annotated function returns, so a
/// function that returns anything else is a compile error that says what is served.
///
/// ```
/// use instance_id::{InstanceConfig, SystemView, WithInstance};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let rocket = rocket::build().with_instance(InstanceConfig::new("/inst").view(view));
/// let client = rocket::local::blocking::Client::tracked(rocket).expect("launches");
/// let response = client.get("/nowhere").dispatch();
/// assert_eq!(response.headers().get_one("X-Instance-Id"), Some("web-7d9f"));
/// ```
#[diagnostic::on_unimplemented(
    message = "#[instance_route] cannot serve `{Self}`: it goes on a function that returns `Rocket<Build>` (feature `rocket`) or `axum::Router` (feature `axum`)",
    label = "the attribute needs this to be `Rocket<Build>` or `axum::Router`",
    note = "an actix-web app takes no attribute, as `App::wrap` changes its type: start the identity once, before `HttpServer::new`, with `let instance = InstanceConfig::new(\"/inst\").start()?;`, and give each worker's app `App::new().wrap(instance.middleware()).service(instance.service())` (feature `actix`)"
)]
pub trait WithInstance: Sized {
    /// The app, serving the identity that `config` describes: the route at its path,
    /// the header on every response, the identity for handlers.
    fn with_instance(self, config: InstanceConfig) -> Self;
}
