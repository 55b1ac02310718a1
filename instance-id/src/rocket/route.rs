//! The identity route and what it serves: the id as text, JSON for programs, a page
//! for people, all rendered once at ignite but for the two numbers that change.

use std::io::Cursor;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use rocket::http::{Accept, ContentType, Header, Status};
use rocket::route::{Handler, Outcome};
use rocket::{Data, Request, Response};

use crate::engine::detect::Detection;
use crate::identity::id::short_form;
use crate::rocket::page::Page;

/// The identity as decided at ignite, with everything a request needs precomputed.
pub(crate) struct Identity {
    pub detection: Detection,
    pub exposed: String,
    text_body: Arc<[u8]>,
    html_body: Arc<[u8]>,
    json: JsonParts,
    /// The page's Content-Security-Policy, leaked once per launch like the header.
    csp: &'static str,
    pub header: Option<Header<'static>>,
    pub started_at: String,
    started: Instant,
    pub served: AtomicU64,
}

impl Identity {
    pub fn new(
        detection: Detection,
        exposed: String,
        header: Option<&str>,
        version: Option<&'static str>,
    ) -> Self {
        // Leaked once per launch so that every response reuses them without allocating.
        let header = header.map(|name| {
            let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
            let value: &'static str = Box::leak(exposed.clone().into_boxed_str());
            Header::new(name, value)
        });
        let started_at = time::OffsetDateTime::from(SystemTime::now())
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| "unknown".into());
        let page = Page::render(&exposed, short_form(&exposed), &started_at);
        let json = JsonParts::new(&exposed, &detection, &started_at, version);
        Self {
            json,
            text_body: format!("{exposed}\n").into_bytes().into(),
            html_body: page.html.into_bytes().into(),
            csp: Box::leak(page.csp.into_boxed_str()),
            detection,
            exposed,
            header,
            started_at,
            started: Instant::now(),
            served: AtomicU64::new(0),
        }
    }
}

/// The JSON form, rendered once at ignite but for the two numbers that change:
/// `{"id", "source", "runtime", "started_at", "uptime_secs", "version", "served"}`.
struct JsonParts {
    /// Up to and including `"uptime_secs":`.
    head: String,
    /// From `,"version":` to `"served":`.
    middle: String,
}

impl JsonParts {
    fn new(exposed: &str, detection: &Detection, started_at: &str, version: Option<&str>) -> Self {
        let head = format!(
            r#"{{"id":{},"source":{},"runtime":{},"started_at":{},"uptime_secs":"#,
            json(&exposed),
            json(&detection.source.as_str()),
            json(&detection.runtime),
            json(&started_at),
        );
        let middle = format!(r#","version":{},"served":"#, json(&version));
        Self { head, middle }
    }

    fn render(&self, uptime_secs: u64, served: u64) -> Vec<u8> {
        use std::io::Write;
        let mut out = Vec::with_capacity(self.head.len() + self.middle.len() + 42);
        out.extend_from_slice(self.head.as_bytes());
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{uptime_secs}{}{served}}}", self.middle);
        out
    }
}

/// A constant of the JSON form, escaped as JSON needs.
fn json<T: serde::Serialize>(value: &T) -> String {
    // Strings and options of strings always serialize.
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// The three forms the route offers, in the order that wins a tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Text,
    Json,
    Html,
}

impl Form {
    const ALL: [Form; 3] = [Form::Text, Form::Json, Form::Html];

    fn media(self) -> (&'static str, &'static str) {
        match self {
            Form::Text => ("text", "plain"),
            Form::Json => ("application", "json"),
            Form::Html => ("text", "html"),
        }
    }
}

/// The form the client prefers (RFC 9110 §12.5.1): each form takes the weight of the
/// most specific range that matches it; the heaviest above zero wins, then the more
/// specific match, then text before JSON before HTML. A form whose range says `q=0`
/// is not acceptable. When no range matches a form that is still acceptable, the
/// header is disregarded, as RFC 9110 allows, and the first such form is served;
/// `None` says that every form was refused.
fn negotiate(accept: Option<&Accept>) -> Option<Form> {
    let Some(accept) = accept else {
        return Some(Form::Text);
    };
    let mut best: Option<(f32, u8, Form)> = None;
    let mut unmatched = None;
    for form in Form::ALL {
        let (top, sub) = form.media();
        let matched = accept
            .iter()
            .filter_map(|range| {
                let media = range.media_type();
                let specificity = match (media.top().as_str(), media.sub().as_str()) {
                    (t, s) if t.eq_ignore_ascii_case(top) && s.eq_ignore_ascii_case(sub) => 2,
                    (t, "*") if t.eq_ignore_ascii_case(top) => 1,
                    ("*", "*") => 0,
                    _ => return None,
                };
                Some((range.weight_or(1.0), specificity))
            })
            .max_by_key(|(_, specificity)| *specificity);
        match matched {
            None => {
                unmatched.get_or_insert(form);
            }
            Some((weight, _)) if weight <= 0.0 => {}
            Some((weight, specificity)) => {
                if best.map_or(true, |(w, s, _)| (weight, specificity) > (w, s)) {
                    best = Some((weight, specificity, form));
                }
            }
        }
    }
    best.map(|(_, _, form)| form).or(unmatched)
}

/// A response body: one of the bodies rendered at ignite, shared, or the JSON made for
/// this request.
enum Body {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

/// `GET <path>`: the handler the fairing mounts.
#[derive(Clone)]
pub(crate) struct IdentityRoute(pub Arc<Identity>);

#[rocket::async_trait]
impl Handler for IdentityRoute {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        let identity = &self.0;
        let mut response = Response::build();
        // A shared cache must never hand one instance's identity to a user of another.
        response.raw_header("Cache-Control", "no-store");
        let (content_type, body) = match negotiate(request.accept()) {
            Some(Form::Json) => {
                let uptime = identity.started.elapsed().as_secs();
                let served = identity.served.load(Ordering::Relaxed);
                (
                    ContentType::JSON,
                    Body::Owned(identity.json.render(uptime, served)),
                )
            }
            Some(Form::Html) => {
                response.raw_header("Content-Security-Policy", identity.csp);
                (ContentType::HTML, Body::Shared(identity.html_body.clone()))
            }
            Some(Form::Text) => (ContentType::Plain, Body::Shared(identity.text_body.clone())),
            None => {
                response.status(Status::NotAcceptable);
                let offered = b"not acceptable: this route offers text/plain, application/json and text/html\n";
                (ContentType::Plain, Body::Owned(offered.to_vec()))
            }
        };
        response
            .header(content_type)
            .sized_body(body.as_ref().len(), Cursor::new(body));
        Outcome::Success(response.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(accept: &str) -> Option<Form> {
        let accept: Accept = accept.parse().expect("an Accept header");
        negotiate(Some(&accept))
    }

    #[test]
    fn negotiation_follows_the_weights() {
        assert_eq!(negotiate(None), Some(Form::Text));
        assert_eq!(form("*/*"), Some(Form::Text));
        assert_eq!(form("application/json"), Some(Form::Json));
        assert_eq!(
            form("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(Form::Html)
        );
        assert_eq!(form("text/html, */*"), Some(Form::Html));
        assert_eq!(form("text/*"), Some(Form::Text));
        assert_eq!(
            form("text/plain;q=0.2, application/json;q=0.9"),
            Some(Form::Json)
        );
    }

    #[test]
    fn q_zero_is_not_acceptable() {
        assert_eq!(form("application/json;q=0"), Some(Form::Text));
        assert_eq!(form("text/html;q=0, */*"), Some(Form::Text));
        assert_eq!(form("*/*, text/plain;q=0"), Some(Form::Json));
        assert_eq!(form("text/plain;q=0, text/html"), Some(Form::Html));
        assert_eq!(form("text/*;q=0, application/json;q=0"), None);
        assert_eq!(form("*/*;q=0"), None);
    }

    #[test]
    fn a_header_that_names_nothing_offered_is_disregarded() {
        assert_eq!(form("image/png"), Some(Form::Text));
        assert_eq!(form("text/plain;q=0, image/png"), Some(Form::Json));
    }
}
