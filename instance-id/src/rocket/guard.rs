//! [`Instance`] as a Rocket request guard; the fairing also manages it as state.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use crate::Instance;

/// Used as a guard without the fairing attached, it fails the request with 500.
///
/// ```
/// use instance_id::{Instance, InstanceConfig, InstanceFairing, SystemView};
/// use rocket::local::blocking::Client;
///
/// #[rocket::get("/who")]
/// fn who(instance: &Instance) -> String {
///     format!("served by {instance} (via {})", instance.detection().source)
/// }
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let rocket = rocket::build()
///     .mount("/", rocket::routes![who])
///     .attach(InstanceFairing::new(InstanceConfig::new("/inst").view(view)));
/// let client = Client::tracked(rocket).expect("launches");
/// assert_eq!(client.get("/who").dispatch().into_string().as_deref(), Some("served by web-7d9f (via kubernetes)"));
/// ```
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Instance {
    type Error = &'static str;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match request.rocket().state::<Instance>() {
            Some(instance) => Outcome::Success(instance),
            None => Outcome::Error((
                Status::InternalServerError,
                "instance-id's fairing is not attached",
            )),
        }
    }
}
