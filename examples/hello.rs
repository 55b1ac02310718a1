//! The README's app: `cargo run --example hello`, then
//! `curl -i http://127.0.0.1:8000/inst`.

use instance_id::instance_route;
use rocket::{get, launch, routes};

#[get("/")]
fn index() -> &'static str {
    "hello"
}

// `pub` only so that tests/example.rs can drive this very Rocket with a local client.
#[instance_route("/inst")]
#[launch]
pub fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
