//! The hand-written floor that `bench/run` measures `hello_axum` against: the same app
//! with what a developer would write instead of the attribute. One header value made
//! once, set on every response that lacks it by tower-http's
//! `SetResponseHeaderLayer::if_not_present`, and a static `/inst` with
//! `Cache-Control: no-store`. It names no instance by itself: `bench/run` reads the id
//! `hello_axum` serves and passes it in `INSTANCE_ID`, so both send the same bytes.
//!
//! `INSTANCE_ID=abc PORT=3001 cargo run --example bare_axum`

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue};
use axum::{routing::get, Router};
use tower_http::set_header::SetResponseHeaderLayer;

#[path = "common/mod.rs"]
mod common;
#[path = "common/serve_axum.rs"]
mod serve_axum;

async fn index() -> &'static str {
    "hello"
}

fn invalid(what: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, what)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let id = std::env::var("INSTANCE_ID").map_err(|_| invalid("set INSTANCE_ID".into()))?;
    let value = HeaderValue::from_str(&id)
        .map_err(|_| invalid(format!("INSTANCE_ID={id:?} is not a header value")))?;
    let body: &'static str = Box::leak(format!("{id}\n").into_boxed_str());
    let inst = move || async move {
        (
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
    };
    let app = Router::new()
        .route("/", get(index))
        .route("/inst", get(inst))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-instance-id"),
            value,
        ));
    let port = common::port(3000)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    common::announce(listener.local_addr()?);
    serve_axum::serve(listener, app).await
}
