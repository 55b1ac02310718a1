use axum::routing::{get, MethodRouter};
use instance_id::instance_route;

#[instance_route("/inst")]
fn app() -> MethodRouter {
    get(|| async { "hello" })
}

fn main() {
    let _ = app();
}
