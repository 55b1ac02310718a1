//! The actix-web side: a middleware that names the instance on every response of the
//! app, the identity route as a resource, and [`Instance`](crate::Instance) as an
//! extractor, on the public adapter API of [`serve`](crate::serve) alone.
//!
//! actix-web builds the app once per worker thread, and `App::wrap` changes the app's
//! type, so the attribute has no app to wrap: the identity is detected once per
//! process, before `HttpServer::new`, and each worker's app takes a clone.
//!
//! ```no_run
//! use actix_web::{web, App, HttpServer};
//! use instance_id::InstanceConfig;
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let instance = InstanceConfig::new("/inst")
//!         .version(env!("CARGO_PKG_VERSION"))
//!         .start()
//!         .map_err(std::io::Error::other)?;
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(instance.middleware())
//!             .service(instance.service())
//!             .route("/", web::get().to(|| async { "hello" }))
//!     })
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await
//! }
//! ```
//!
//! | file | what |
//! |---|---|
//! | `middleware.rs` | `InstanceMiddleware`: the header on every response (errors included), the count, the identity for handlers |
//! | `route.rs` | `Instance::service`: the identity route as an actix resource |
//! | `extract.rs` | `Instance` as an extractor |
//!
//! The header is on every response that passes through the middleware: the app's 404,
//! a resource's 405, an extractor's 400, a handler's error, and an error that a
//! middleware inside it returns. What actix-http answers itself never reaches the
//! app and carries no header: a request it cannot parse (`400`), headers over its
//! limits (`431`), a request whose head does not arrive in time (`408`).

pub(crate) mod extract;
pub(crate) mod middleware;
pub(crate) mod route;
