//! The README's actix-web app: `cargo run --example hello_actix`, then
//! `curl -i http://127.0.0.1:8080/inst`. It listens on 127.0.0.1, port `$PORT` (8080
//! when unset), and prints the address it bound.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App, HttpServer};
use instance_id::{Instance, InstanceConfig};

#[path = "common/mod.rs"]
mod common;

async fn index() -> &'static str {
    "hello"
}

/// What the attribute says on `hello` and `hello_axum`, by hand: actix builds its app
/// once per worker, so the identity is detected once, here, before the server starts.
pub fn config() -> InstanceConfig {
    InstanceConfig::new("/inst").version(env!("CARGO_PKG_VERSION"))
}

/// One worker's app; `pub` only so that tests/actix.rs can drive this very app.
pub fn app(
    instance: &Instance,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(instance.middleware())
        .service(instance.service())
        .service(web::resource("/").get(index))
}

#[allow(dead_code)] // tests/actix.rs includes this file for `config` and `app` alone
#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = common::port(8080)?;
    let instance = config().start().map_err(std::io::Error::other)?;
    eprintln!("{}", instance.detection().summary());
    let server = HttpServer::new(move || app(&instance)).bind(("127.0.0.1", port))?;
    for address in server.addrs() {
        common::announce(address);
    }
    server.run().await
}
