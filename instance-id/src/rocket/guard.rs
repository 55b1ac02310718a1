//! What handlers see of the identity: a request guard and managed state.

use std::fmt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::Request;

use crate::engine::detect::Detection;
use crate::rocket::route::Identity;

/// The instance's identity, for handlers: a request guard (`instance: &Instance`) and
/// managed state (`&State<Instance>`), a type of its own so the app's `String` state is
/// untouched. It displays as the exposed id.
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
#[derive(Clone)]
pub struct Instance(pub(crate) Arc<Identity>);

impl Instance {
    /// The id as exposed (full, short or hashed, as configured).
    pub fn id(&self) -> &str {
        &self.0.exposed
    }

    /// The detection: the raw id, the deciding strategy, the runtime, every attempt.
    pub fn detection(&self) -> &Detection {
        &self.0.detection
    }

    /// When the instance ignited, RFC 3339.
    pub fn started_at(&self) -> &str {
        &self.0.started_at
    }

    /// The requests this instance has answered so far.
    pub fn served(&self) -> u64 {
        self.0.served.load(Ordering::Relaxed)
    }
}

/// The exposed id, as the header and the route show it.
impl fmt::Display for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance").field("id", &self.id()).finish()
    }
}

/// Used as a guard without the fairing attached, it fails the request with 500.
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
