use instance_id::instance_route;
use rocket::launch;

#[launch]
#[instance_route("/inst")]
fn rocket() -> _ {
    rocket::build()
}
