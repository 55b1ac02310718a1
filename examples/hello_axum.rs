//! The README's Axum app: `cargo run --example hello_axum`, then
//! `curl -i http://127.0.0.1:3000/inst`. It listens on 127.0.0.1, port `$PORT`
//! (3000 when unset).

use axum::{routing::get, Router};
use instance_id::instance_route;

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
    let port = match std::env::var("PORT") {
        Ok(text) => text.parse::<u16>().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("PORT={text:?} is not a port number"),
            )
        })?,
        Err(std::env::VarError::NotPresent) => 3000,
        Err(std::env::VarError::NotUnicode(text)) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("PORT={text:?} is not a port number"),
            ))
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app()).await
}
