use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst")]
fn rocket() {
    let _ = rocket::build();
}

fn main() {
    rocket();
    let _: Option<Rocket<Build>> = None;
}
