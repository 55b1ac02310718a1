use instance_id::instance_route;
use rocket::launch;

// trybuild runs this program: listen on a free port, and stop once launched.
fn server() -> rocket::Rocket<rocket::Build> {
    rocket::custom(rocket::Config::figment().merge(("port", 0))).attach(
        rocket::fairing::AdHoc::on_liftoff("stop", |rocket| {
            Box::pin(async move { rocket.shutdown().notify() })
        }),
    )
}

#[instance_route("/inst")]
#[launch]
async fn rocket() -> _ {
    server()
}
