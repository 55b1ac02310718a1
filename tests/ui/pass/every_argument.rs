use instance_id::instance_route;
use rocket::{Build, Rocket};

mod naming {
    pub fn instance_name() -> Option<String> {
        std::env::var("APP_INSTANCE").ok()
    }
}

#[instance_route(
    "/_meta/instance",
    strategy = env("POD_NAME"),
    fallback = [
        file("/etc/podinfo/name"),
        container,
        kubernetes,
        ecs,
        platform,
        custom(naming::instance_name),
        hostname,
        machine_id,
        random,
    ],
    header = "X-Served-By",
    expose = hashed("INSTANCE_ID_KEY"),
)]
fn app() -> Rocket<Build> {
    rocket::build()
}

fn main() {
    let _ = app();
}
