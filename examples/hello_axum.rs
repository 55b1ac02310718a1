//! The README's Axum app: `cargo run --example hello_axum`, then
//! `curl -i http://127.0.0.1:3000/inst`. It listens on 127.0.0.1, port `$PORT`
//! (3000 when unset), prints the address it bound, and closes a connection that takes
//! more than 10 s to send a request's headers.

use axum::{routing::get, Router};
use instance_id::instance_route;

#[path = "common/mod.rs"]
mod common;
#[path = "common/serve_axum.rs"]
mod serve_axum;

async fn index() -> &'static str {
    "hello"
}

// `pub` only so that tests/axum.rs can drive this very Router in-process.
#[instance_route("/inst")]
pub fn app() -> Router {
    Router::new().route("/", get(index))
}

#[allow(dead_code)] // tests/axum.rs includes this file for `app` alone
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = common::port(3000)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    common::announce(listener.local_addr()?);
    serve_axum::serve(listener, app()).await
}
