use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst")]
fn rocket() -> u32 {
    8000
}

fn main() {
    let _ = rocket();
    let _: Option<Rocket<Build>> = None;
}
