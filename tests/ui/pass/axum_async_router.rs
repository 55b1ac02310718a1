use axum::Router;
use instance_id::instance_route;

#[derive(Clone)]
struct AppState;

// A router still waiting for its state, built by an async function.
#[instance_route("/_meta/instance", strategy = env("POD_NAME"), fallback = [random], header = "X-Served-By")]
async fn app() -> Router<AppState> {
    Router::new()
}

#[tokio::main]
async fn main() {
    let _: Router = app().await.with_state(AppState);
}
