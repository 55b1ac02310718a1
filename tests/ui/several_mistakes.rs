use instance_id::instance_route;
use rocket::{Build, Rocket};

// Mistakes found by the parse, the function's check and the validation, shown in the
// order they stand in the source.
#[instance_route("inst", strategy = kubernets, fallback = [random, hostname], header = "X Id", expose = hashed())]
fn rocket() -> _ {
    rocket::build()
}

fn main() {
    let _: Rocket<Build> = rocket();
}
