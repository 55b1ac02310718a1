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
const CACHE_CONTROL: &str = "no-store";

/// The body of a `406`: what the route would have served.
const NOT_ACCEPTABLE: &[u8] =
    b"not acceptable: this route offers text/plain, application/json and text/html\n";

/// The body of a `405`: the methods the route answers.
const METHOD_NOT_ALLOWED: &[u8] = b"method not allowed: this route answers GET and HEAD\n";

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

    /// What the identity route answers a request with this method and these `Accept`
    /// lines (none: any form).
    pub fn reply<'a>(&self, method: &str, accept: impl IntoIterator<Item = &'a str>) -> Reply {
        if method != "GET" && method != "HEAD" {
            return Reply {
                status: 405,
                content_type: Form::Text.content_type(),
                csp: None,
                allow: Some("GET, HEAD"),
                body: ReplyBody::Static(METHOD_NOT_ALLOWED),
            };
        }
        match negotiate(accept) {
            Some(Form::Json) => {
                let uptime = self.started.elapsed().as_secs();
                Reply::ok(
                    Form::Json,
                    ReplyBody::Owned(self.json.render(uptime, self.served())),
                )
            }
            Some(Form::Html) => Reply {
                csp: Some(self.csp),
                ..Reply::ok(Form::Html, ReplyBody::Shared(self.html_body.clone()))
            },
            Some(Form::Text) => Reply::ok(Form::Text, ReplyBody::Shared(self.text_body.clone())),
            None => Reply {
                status: 406,
                content_type: Form::Text.content_type(),
                csp: None,
                allow: None,
                body: ReplyBody::Static(NOT_ACCEPTABLE),
            },
        }
    }
}

/// What the identity route answers one request, for an adapter to write out in its
/// framework's types: a status, a few headers of constant text, a body. It comes from
/// [`Instance::reply`](crate::Instance::reply).
///
/// For `HEAD` the body is the one `GET` would have, so that a server that computes
/// `Content-Length` from it gets it right; HTTP servers (hyper, actix-http) send no
/// body in answer to `HEAD`.
///
/// ```
/// use instance_id::{InstanceConfig, SystemView};
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let instance = InstanceConfig::new("/inst").view(view).start()?;
///
/// let reply = instance.reply("GET", ["text/plain"]);
/// assert_eq!(reply.status(), 200);
/// assert_eq!(reply.body(), b"web-7d9f\n");
/// assert!(reply.headers().any(|h| h == ("cache-control", "no-store")));
///
/// assert_eq!(instance.reply("GET", ["image/png;q=1, */*;q=0"]).status(), 406);
/// let refused = instance.reply("POST", []);
/// assert_eq!(refused.status(), 405);
/// assert!(refused.headers().any(|h| h == ("allow", "GET, HEAD")));
/// # Ok::<(), instance_id::StartError>(())
/// ```
#[derive(Debug)]
pub struct Reply {
    status: u16,
    content_type: &'static str,
    /// The page's `Content-Security-Policy`.
    csp: Option<&'static str>,
    /// The methods a `405` names.
    allow: Option<&'static str>,
    body: ReplyBody,
}

impl Reply {
    fn ok(form: Form, body: ReplyBody) -> Self {
        Self {
            status: 200,
            content_type: form.content_type(),
            csp: None,
            allow: None,
            body,
        }
    }

    /// The status code: 200, 405 (not `GET` or `HEAD`) or 406 (every form refused).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response's headers, every one of them: `content-type`,
    /// `cache-control: no-store` always, the page's `content-security-policy`, a 405's
    /// `allow`. Names and values are constants valid in any HTTP library, the names in
    /// lower case as HTTP/2 writes them (`http`'s `HeaderName::from_static` takes them).
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        [
            Some(("content-type", self.content_type)),
            Some(("cache-control", CACHE_CONTROL)),
            self.csp.map(|csp| ("content-security-policy", csp)),
            self.allow.map(|allow| ("allow", allow)),
        ]
        .into_iter()
        .flatten()
    }

    /// The body, borrowed.
    pub fn body(&self) -> &[u8] {
        self.body.as_ref()
    }

    /// The body, to hand to a framework without a copy where it can take shared or
    /// static bytes.
    pub fn into_body(self) -> ReplyBody {
        self.body
    }
}

/// A reply's body: one of the bodies rendered at start-up (shared, never copied), a
/// constant, or the JSON made for this request.
///
/// ```
/// use instance_id::ReplyBody;
///
/// fn into_vec(body: ReplyBody) -> Vec<u8> {
///     match body {
///         ReplyBody::Shared(bytes) => bytes.to_vec(),
///         ReplyBody::Static(bytes) => bytes.to_vec(),
///         ReplyBody::Owned(bytes) => bytes,
///     }
/// }
/// assert_eq!(into_vec(ReplyBody::Static(b"x")), b"x");
/// ```
#[derive(Debug, Clone)]
pub enum ReplyBody {
    /// Rendered once at start-up and shared by every reply.
    Shared(Arc<[u8]>),
    /// A constant.
    Static(&'static [u8]),
    /// Made for this reply.
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for ReplyBody {
    fn as_ref(&self) -> &[u8] {
        match self {
            ReplyBody::Shared(bytes) => bytes,
            ReplyBody::Static(bytes) => bytes,
            ReplyBody::Owned(bytes) => bytes,
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
