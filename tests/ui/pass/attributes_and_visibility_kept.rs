use instance_id::instance_route;
use rocket::{Build, Rocket};

pub mod server {
    use super::*;

    /// Builds the server.
    #[must_use]
    #[instance_route("/inst")]
    #[inline(never)]
    pub(crate) fn build(name: &'static str) -> Rocket<Build> {
        rocket::build().manage(name)
    }
}

#[deny(unused_must_use)]
fn main() {
    let _ = server::build("shop");
}
