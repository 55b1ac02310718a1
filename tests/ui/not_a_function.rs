use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst")]
struct App;

fn main() {
    let _ = App;
    let _: Option<Rocket<Build>> = None;
}
