use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("inst", strategy = kubernets, fallback = [random, hostname], header = "X Id", expose = hashed())]
fn rocket() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = rocket();
}
