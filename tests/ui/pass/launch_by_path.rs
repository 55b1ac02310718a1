use instance_id::instance_route;

// trybuild runs this program: listen on a free port, and stop once launched.
fn server() -> rocket::Rocket<rocket::Build> {
    rocket::custom(rocket::Config::figment().merge(("port", 0))).attach(
        rocket::fairing::AdHoc::on_liftoff("stop", |rocket| {
            Box::pin(async move { rocket.shutdown().notify() })
        }),
    )
}

#[instance_route("/inst")]
#[rocket::launch]
fn rocket() -> _ {
    server()
}
