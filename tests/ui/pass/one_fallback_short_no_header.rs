use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst", strategy = cgroup, fallback = process, header = false, expose = short)]
fn app() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = app();
}
