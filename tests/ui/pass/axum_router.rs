use axum::{routing::get, Router};
use instance_id::instance_route;

#[instance_route("/inst", fallback = [kubernetes, process], expose = short)]
fn app() -> Router {
    Router::new().route("/", get(|| async { "hello" }))
}

fn main() {
    let _: Router = app();
}
