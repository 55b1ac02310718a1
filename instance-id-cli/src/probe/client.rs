//! The requests: one HTTP client per virtual user (or one for all), all sharing one
//! TLS configuration, one GET at a time, the identity from the header or else the
//! start of the body, and every failure named.

use std::time::Duration;

use instance_id::InstanceId;

use super::tally::Answer;
use super::tls::{describe, Trust};
use super::ProbeArgs;

/// The most of a body read for an id: the text route answers the id and a newline.
const MAX_BODY_BYTES: usize = 1024;

/// The HTTP client: no proxy, no redirect, the timeout, and `trust`'s TLS
/// configuration. With `cookies`, the client keeps its own cookie jar and TLS
/// sessions: one virtual user.
pub fn client(trust: &Trust, args: &ProbeArgs, cookies: bool) -> Result<reqwest::Client, String> {
    let mut client = reqwest::Client::builder()
        .use_preconfigured_tls(trust.config(cookies))
        .cookie_store(cookies)
        .timeout(Duration::from_millis(args.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if !args.keep_alive {
        client = client.pool_max_idle_per_host(0);
    }
    client
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))
}

/// One GET: the instance that answered, or what went wrong.
pub async fn ask(
    client: &reqwest::Client,
    url: &reqwest::Url,
    header: &str,
    keep_alive: bool,
) -> Answer {
    let mut request = client.get(url.clone());
    if !keep_alive {
        request = request.header(reqwest::header::CONNECTION, "close");
    }
    let mut response = match request.send().await {
        Ok(response) => response,
        Err(err) => return Answer::Error(classify(&err)),
    };
    let status = response.status();
    if !status.is_success() {
        return Answer::Error(format!("HTTP {}", status.as_u16()));
    }
    let from_header = response
        .headers()
        .get(header)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let raw = match from_header {
        Some(value) => value,
        None => match read_prefix(&mut response).await {
            Ok(body) => body.lines().next().unwrap_or("").to_owned(),
            Err(err) => return Answer::Error(classify(&err)),
        },
    };
    match InstanceId::new(&raw) {
        Ok(id) => Answer::Instance(id.into_string()),
        Err(_) => Answer::Error("no instance id in the answer".into()),
    }
}

/// The first [`MAX_BODY_BYTES`] of the body, as text.
async fn read_prefix(response: &mut reqwest::Response) -> Result<String, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < MAX_BODY_BYTES {
        match response.chunk().await? {
            Some(chunk) => body.extend_from_slice(&chunk),
            None => break,
        }
    }
    body.truncate(MAX_BODY_BYTES);
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn classify(err: &reqwest::Error) -> String {
    if let Some(tls) = tls_error(err) {
        tls
    } else if err.is_timeout() {
        "timeout".into()
    } else if err.is_connect() {
        "connection refused or failed".into()
    } else if err.is_body() || err.is_decode() {
        "broken body".into()
    } else {
        "request failed".into()
    }
}

/// A failed TLS handshake, named: certificate errors are what `--cacert` and
/// `--insecure` are for.
fn tls_error(err: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        // An io::Error's source() skips the error it wraps, and hyper wraps one
        // io::Error in another: look inside each layer.
        let mut layer = current;
        while let Some(inner) = layer
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            layer = inner;
        }
        if let Some(tls) = layer.downcast_ref::<rustls::Error>() {
            return Some(describe(tls));
        }
        source = current.source();
    }
    None
}
