//! The identity route as a Rocket handler: the framework-neutral [`Reply`] written as
//! a Rocket response.

use std::io::Cursor;

use rocket::http::Status;
use rocket::route::{Handler, Outcome};
use rocket::{Data, Request, Response};

use crate::serve::instance::Instance;
use crate::serve::rendered::CACHE_CONTROL;

/// `GET <path>`: the handler the fairing mounts.
#[derive(Clone)]
pub(crate) struct IdentityRoute(pub Instance);

#[rocket::async_trait]
impl Handler for IdentityRoute {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let reply = self.0 .0.reply(request.headers().get("Accept"));
        let mut response = Response::build();
        let (name, value) = CACHE_CONTROL;
        response.raw_header(name, value);
        if let Some(csp) = reply.csp {
            response.raw_header("Content-Security-Policy", csp);
        }
        // A raw header of a constant: nothing formatted per request.
        response.raw_header("Content-Type", reply.content_type);
        response
            .status(Status::new(reply.status))
            .sized_body(reply.body.as_ref().len(), Cursor::new(reply.body));
        Outcome::Success(response.finalize())
    }
}
