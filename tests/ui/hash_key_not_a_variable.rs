use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst", expose = hashed("ID-KEY"))]
fn rocket() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = rocket();
}
