use actix_web::{web, Scope};
use instance_id::instance_route;

#[instance_route("/inst")]
fn app() -> Scope {
    web::scope("/api").route("/", web::get().to(|| async { "hello" }))
}

fn main() {
    let _ = app();
}
