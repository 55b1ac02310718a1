//! The identity route as a Rocket handler: the framework-neutral [`Reply`] written as
//! a Rocket response.

use std::io::Cursor;

use rocket::http::Status;
use rocket::route::{Handler, Outcome};
use rocket::{Data, Request, Response};

use crate::Instance;

/// `GET <path>`: the handler the fairing mounts.
#[derive(Clone)]
pub(crate) struct IdentityRoute(pub Instance);

#[rocket::async_trait]
impl Handler for IdentityRoute {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let reply = self
            .0
            .reply(request.method().as_str(), request.headers().get("Accept"));
        let mut response = Response::build();
        for (name, value) in reply.headers() {
            // Raw headers of constants: nothing formatted per request.
            response.raw_header(name, value);
        }
        let body = reply.body().len();
        response
            .status(Status::new(reply.status()))
            .sized_body(body, Cursor::new(reply.into_body()));
        Outcome::Success(response.finalize())
    }
}
