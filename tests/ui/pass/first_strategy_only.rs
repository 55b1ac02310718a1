use instance_id::instance_route;
use rocket::{Build, Rocket};

// Without a fallback, the default one is trimmed to fit: nothing after random.
#[instance_route("/inst", strategy = random, expose = full)]
fn app() -> Rocket<Build> {
    rocket::build()
}

#[instance_route("/inst", strategy = process)]
fn other() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = (app(), other());
}
