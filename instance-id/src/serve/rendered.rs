//! The identity as rendered once at start-up, and what the identity route answers a
//! request with: the id as text, JSON for programs, a page for people, all ready but
//! for the two numbers that change. Each framework's adapter turns a [`Reply`] into its
//! own response.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::engine::detect::Detection;
use crate::identity::id::short_form;
use crate::otel::attributes::ResourceAttributes;
use crate::serve::negotiate::{negotiate, Form};
use crate::serve::page::Page;

/// Every response of the identity route carries it: a shared cache must never hand
/// one instance's identity to a user of another.
pub(crate) const CACHE_CONTROL: (&str, &str) = ("Cache-Control", "no-store");

/// The body of a `406`: what the route would have served.
const NOT_ACCEPTABLE: &[u8] =
    b"not acceptable: this route offers text/plain, application/json and text/html\n";

/// The identity as decided at start-up, with everything a request needs precomputed.
pub(crate) struct Rendered {
    /// The identity route's path.
    pub path: String,
    pub detection: Detection,
    /// The detection's OpenTelemetry resource attributes, computed at start-up with
    /// the view that detected, so that telemetry names this instance without a second
    /// detection.
    pub resource: ResourceAttributes,
    pub exposed: String,
    /// The response header's name, when there is one; its value is `exposed`.
    pub header: Option<String>,
    text_body: Arc<[u8]>,
    html_body: Arc<[u8]>,
    json: JsonParts,
    /// The page's Content-Security-Policy, leaked once per start so that every
    /// response of the page reuses it.
    csp: &'static str,
    pub started_at: String,
    started: Instant,
    served: AtomicU64,
}

impl Rendered {
    pub fn new(
        path: String,
        detection: Detection,
        resource: ResourceAttributes,
        exposed: String,
        header: Option<&str>,
        version: Option<&'static str>,
    ) -> Self {
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
            header: header.map(str::to_owned),
            path,
            detection,
            resource,
            exposed,
            started_at,
            started: Instant::now(),
            served: AtomicU64::new(0),
        }
    }

    /// One more response answered; called once per response, by the adapter.
    pub fn count(&self) {
        self.served.fetch_add(1, Ordering::Relaxed);
    }

    /// The responses answered before this one.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// What `GET <path>` answers, given the request's `Accept` lines (none: any form).
    pub fn reply<'a>(&self, accept: impl IntoIterator<Item = &'a str>) -> Reply {
        match negotiate(accept) {
            Some(Form::Json) => {
                let uptime = self.started.elapsed().as_secs();
                Reply::ok(
                    Form::Json,
                    Body::Owned(self.json.render(uptime, self.served())),
                )
            }
            Some(Form::Html) => Reply {
                csp: Some(self.csp),
                ..Reply::ok(Form::Html, Body::Shared(self.html_body.clone()))
            },
            Some(Form::Text) => Reply::ok(Form::Text, Body::Shared(self.text_body.clone())),
            None => Reply {
                status: 406,
                content_type: Form::Text.content_type(),
                csp: None,
                body: Body::Static(NOT_ACCEPTABLE),
            },
        }
    }
}

/// A response of the identity route, for an adapter to write out, with
/// [`CACHE_CONTROL`] always.
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    /// The page's `Content-Security-Policy`.
    pub csp: Option<&'static str>,
    pub body: Body,
}

impl Reply {
    fn ok(form: Form, body: Body) -> Self {
        Self {
            status: 200,
            content_type: form.content_type(),
            csp: None,
            body,
        }
    }
}

/// A response body: one of the bodies rendered at start-up, shared, a constant, or the
/// JSON made for this request.
pub(crate) enum Body {
    Shared(Arc<[u8]>),
    Static(&'static [u8]),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Shared(bytes) => bytes,
            Body::Static(bytes) => bytes,
            Body::Owned(bytes) => bytes,
        }
    }
}

/// The JSON form, rendered once at start-up but for the two numbers that change:
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
