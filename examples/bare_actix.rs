//! The hand-written floor that `bench/run` measures `hello_actix` against: the same app
//! with what a developer would write instead of the library. One header value made
//! once, set on every response by actix-web's `DefaultHeaders` (which keeps a
//! handler's own), and a static `/inst` with `Cache-Control: no-store`. It names no
//! instance by itself: `bench/run` reads the id `hello_actix` serves and passes it in
//! `INSTANCE_ID`, so both send the same bytes.
//!
//! `INSTANCE_ID=abc PORT=8081 cargo run --example bare_actix`

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpResponse, HttpServer};

#[path = "common/mod.rs"]
mod common;

async fn index() -> &'static str {
    "hello"
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    let id = std::env::var("INSTANCE_ID").map_err(|_| invalid("set INSTANCE_ID".into()))?;
    if !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(format!("INSTANCE_ID={id:?} is not a header value")));
    }
    let body: &'static str = Box::leak(format!("{id}\n").into_boxed_str());
    let port = common::port(8080)?;
    let server = HttpServer::new(move || {
        App::new()
            .wrap(DefaultHeaders::new().add(("x-instance-id", id.clone())))
            .route("/", web::get().to(index))
            .route(
                "/inst",
                web::get().to(move || async move {
                    HttpResponse::Ok()
                        .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
                        .insert_header((CACHE_CONTROL, "no-store"))
                        .body(body)
                }),
            )
    })
    .bind(("127.0.0.1", port))?;
    for address in server.addrs() {
        common::announce(address);
    }
    server.run().await
}
