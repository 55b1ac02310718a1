use instance_id::instance_route;
use rocket::{Build, Rocket};

#[instance_route("/inst")]
fn app(quiet: bool) -> Rocket<Build> {
    if quiet {
        return rocket::build();
    }
    let rocket = rocket::build();
    rocket
}

fn main() {
    let _ = (app(true), app(false));
}
