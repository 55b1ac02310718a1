use axum::Router;
use instance_id::instance_route;

#[instance_route("/inst/{id}")]
fn app() -> Router {
    Router::new()
}

fn main() {
    let _ = app();
}
