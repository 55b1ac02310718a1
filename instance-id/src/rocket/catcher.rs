//! The header on Rocket's `400 Bad Request` for a request it cannot read.
//!
//! A request whose method Rocket does not know (`PROPFIND`, any extension token) or
//! cannot route (`CONNECT`) never reaches the response fairings: Rocket hands it to
//! the 400 catcher and sends what that returns. So the fairing registers, at the root,
//! a 400 catcher that answers as Rocket's default catcher does and adds the header,
//! unless the app has a root catcher of its own for 400 (or for every status), which
//! it keeps: an app's catcher is never taken.

use rocket::catcher::{Catcher, Handler};
use rocket::http::{Header, Status};
use rocket::{Build, Request, Rocket};

/// Rocket's default catcher, with the header added.
#[derive(Clone)]
struct NamedDefault {
    default: Box<dyn Handler>,
    header: Header<'static>,
}

#[rocket::async_trait]
impl Handler for NamedDefault {
    async fn handle<'r>(
        &self,
        status: Status,
        request: &'r Request<'_>,
    ) -> rocket::catcher::Result<'r> {
        let mut response = self.default.handle(status, request).await?;
        response.set_header(self.header.clone());
        Ok(response)
    }
}

/// Registers the 400 catcher, unless the app has one at the root.
pub(crate) fn register(rocket: Rocket<Build>, header: &Header<'static>) -> Rocket<Build> {
    let apps_own = rocket
        .catchers()
        .any(|c| c.base.path() == "/" && c.code.is_none_or(|code| code == 400));
    if apps_own {
        return rocket;
    }
    let handler = NamedDefault {
        default: Catcher::default().handler,
        header: header.clone(),
    };
    let mut catcher = Catcher::new(400, handler);
    catcher.name = Some("instance_id_bad_request".into());
    rocket.register("/", vec![catcher])
}
