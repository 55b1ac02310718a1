//! `hello` without `#[instance_route]`: the baseline that `bench/run` measures the
//! attribute's cost against. Run it with `cargo run --example bare`.

use rocket::{get, launch, routes};

#[get("/")]
fn index() -> &'static str {
    "hello"
}

#[launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![index])
}
