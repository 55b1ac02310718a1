use instance_id::instance_route;
use rocket::{Build, Rocket};

fn instance_name() -> String {
    "web-1".into()
}

#[instance_route("/inst", strategy = custom(instance_name))]
fn rocket() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = rocket();
}
