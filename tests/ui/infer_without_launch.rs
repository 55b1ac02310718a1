use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst")]
fn rocket() -> _ {
    rocket::build()
}

fn main() {
    let _: Option<Rocket<Build>> = None;
}
