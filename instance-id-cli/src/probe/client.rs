//! The requests: hyper's HTTP/1 connection API on a tokio `TcpStream` (tokio-rustls
//! on top for https), one GET at a time, the identity from the header or else the
//! start of the body, and every failure named.
//!
//! Not reqwest's pooled client: in the default mode every request is a new
//! connection, and the pool, the connector's tower stack, the URL re-parsed into a
//! `Uri` and the extra socket calls per connection (peer and local address, six
//! socket options where one does) cost probe half its rate against wrk
//! (bench/PROBE-PROFILE.md). What
//! reqwest did that the probe relies on is done here: no proxy, no redirect, a
//! timeout over the whole exchange, Basic authentication from the URL, a cookie jar
//! per virtual user, the `Host` header.
//!
//! A plain connection for one request (http:// without `--keep-alive`) skips hyper's
//! connection machinery as well: see [`once`].

mod once;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1;
use hyper::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONNECTION, COOKIE, HOST};
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use instance_id::InstanceId;
use reqwest::cookie::{CookieStore, Jar};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::tally::Answer;
use super::tls::{describe, Trust};

/// The most of a body read for an id: the text route answers the id and a newline.
const MAX_BODY_BYTES: usize = 1024;

/// The most of a body read to keep its connection for the next request
/// (`--keep-alive`); past it the connection is closed instead.
const MAX_DRAINED_BYTES: usize = 64 * 1024;

/// What went wrong with one request, in the words the report counts it under.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("timeout")]
    Timeout,
    #[error("connection refused or failed")]
    Connect,
    /// A refused handshake, named by [`describe`].
    #[error("{0}")]
    Tls(String),
    /// A new connection that closed before the request could be written.
    #[error("connection closed before the request")]
    Unsent,
    #[error("connection closed before the answer")]
    Closed,
    #[error("connection reset")]
    Reset,
    /// What hyper's parser refused: not HTTP, or a head too large or with too many
    /// headers.
    #[error("malformed answer")]
    Malformed,
    #[error("request failed")]
    Request,
    #[error("broken body")]
    Body,
    /// An error status; the instance, when the answer named one.
    #[error("HTTP {status}")]
    Status { status: u16, id: Option<String> },
    #[error("no instance id in the answer")]
    NoId,
}

impl Failure {
    /// A request that was written and then failed without a whole answer: what
    /// `--retry` sends once more, on a new connection.
    fn retryable(&self) -> bool {
        matches!(
            self,
            Failure::Closed
                | Failure::Reset
                | Failure::Malformed
                | Failure::Request
                | Failure::Body
        )
    }

    /// The failure as the tally counts it: its kind in words, and for an error status
    /// the status and the instance the answer named.
    fn into_answer(self) -> Answer {
        let kind = self.to_string();
        let (status, id) = match self {
            Failure::Status { status, id } => (Some(status), id),
            _ => (None, None),
        };
        Answer::Error { kind, status, id }
    }
}

/// A successful answer: the instance it named, and its status.
pub struct Found {
    pub id: String,
    pub status: u16,
}

/// Why the URL cannot be probed.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("the URL has no host")]
    NoHost,
    #[error("the URL's host is not a valid TLS server name")]
    ServerName,
    #[error("the URL's path cannot be sent: {0}")]
    Path(#[from] hyper::http::uri::InvalidUri),
    #[error("the URL's host or user information cannot be sent in a header")]
    Header(#[from] hyper::header::InvalidHeaderValue),
}

/// Where every request goes and what it carries, worked out once from the URL.
pub struct Target {
    /// The host to resolve for each new connection, when it is a name: a name that
    /// resolves to several addresses (Swarm's `tasks.web`) spreads the connections.
    host: Host,
    port: u16,
    https: bool,
    server_name: ServerName<'static>,
    /// The path and query, as the request line carries them.
    path: Uri,
    /// The headers of every request, in the order they are written: `host`,
    /// `accept`, `connection: close` without `--keep-alive`, and `authorization` when
    /// the URL has user information. A cookie, when a user has one, comes after them.
    headers: Vec<(HeaderName, HeaderValue)>,
    identity: HeaderName,
    timeout: Duration,
    keep_alive: bool,
    /// The URL the cookie jars file cookies under.
    url: reqwest::Url,
    /// The request as [`once`] writes it, the blank line that ends it included: the
    /// request line and `headers`, as hyper writes them. A user's cookie goes in
    /// before the blank line.
    head: Vec<u8>,
}

enum Host {
    Ip(IpAddr),
    Name(String),
}

impl Target {
    pub fn new(
        url: &reqwest::Url,
        identity: &str,
        timeout: Duration,
        keep_alive: bool,
    ) -> Result<Self, TargetError> {
        let host = match url.host().ok_or(TargetError::NoHost)? {
            url::Host::Ipv4(ip) => Host::Ip(ip.into()),
            url::Host::Ipv6(ip) => Host::Ip(ip.into()),
            url::Host::Domain(name) => Host::Name(name.to_owned()),
        };
        let server_name = match &host {
            Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
            Host::Name(name) => {
                ServerName::try_from(name.clone()).map_err(|_| TargetError::ServerName)?
            }
        };
        let port = url.port_or_known_default().ok_or(TargetError::NoHost)?;
        let https = url.scheme() == "https";
        // `host_str` keeps an IPv6 address's brackets, as the header wants it; the
        // port only when it is not the scheme's own, as a browser sends it.
        let mut host_header = url.host_str().ok_or(TargetError::NoHost)?.to_owned();
        if let Some(port) = url.port() {
            host_header.push_str(&format!(":{port}"));
        }
        let path = Uri::try_from(&url[url::Position::BeforePath..url::Position::AfterQuery])?;
        let mut headers = vec![
            (HOST, HeaderValue::try_from(host_header)?),
            (ACCEPT, HeaderValue::from_static("*/*")),
        ];
        if !keep_alive {
            headers.push((CONNECTION, HeaderValue::from_static("close")));
        }
        if let Some(authorization) = basic_authorization(url)? {
            headers.push((AUTHORIZATION, authorization));
        }
        let head = once::head(&path, &headers);
        Ok(Self {
            host,
            port,
            https,
            server_name,
            path,
            headers,
            // The option's parser checked the name; the fallback is never taken.
            identity: HeaderName::try_from(identity)
                .unwrap_or_else(|_| HeaderName::from_static(instance_id::DEFAULT_HEADER)),
            timeout,
            keep_alive,
            url: url.clone(),
            head,
        })
    }
}

/// `Authorization: Basic …` from the URL's user information, percent-decoded as a
/// browser sends it; none when the URL has none.
fn basic_authorization(url: &reqwest::Url) -> Result<Option<HeaderValue>, TargetError> {
    use base64::Engine as _;
    if url.username().is_empty() && url.password().is_none() {
        return Ok(None);
    }
    let decode = |text: &str| percent_encoding::percent_decode_str(text).collect::<Vec<u8>>();
    let mut credentials = decode(url.username());
    credentials.push(b':');
    credentials.extend(decode(url.password().unwrap_or("")));
    let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
    let mut value = HeaderValue::try_from(format!("Basic {encoded}"))?;
    value.set_sensitive(true);
    Ok(Some(value))
}

/// One client: the TLS settings it connects with, and with `--users` its cookie jar.
pub struct Client {
    tls: Option<TlsConnector>,
    jar: Option<Jar>,
}

impl Client {
    /// With `cookies`, the client keeps its own cookie jar and TLS sessions: one
    /// virtual user.
    pub fn new(trust: &Trust, https: bool, cookies: bool) -> Self {
        Self {
            tls: https.then(|| TlsConnector::from(Arc::new(trust.config(cookies)))),
            jar: cookies.then(Jar::default),
        }
    }
}

/// A connection: the handle requests are sent through, and hyper's driver of the
/// socket. The driver is polled by the task that sends the request, not spawned as a
/// task of its own: each answer then wakes one task, not two in turn.
pub struct Kept {
    sender: http1::SendRequest<Empty<Bytes>>,
    connection: Pin<Box<dyn Future<Output = hyper::Result<()>> + Send>>,
}

/// One GET: the instance that answered, or what went wrong; and whether it was sent
/// again after a failure (`retry`). With `--keep-alive`, `kept` holds the connection to
/// send it on, and the connection it leaves for the next request.
pub async fn ask(
    target: &Target,
    client: &Client,
    kept: &mut Option<Kept>,
    retry: bool,
) -> (Answer, bool) {
    let mut retried = false;
    // A connection that failed or timed out is not put back: `exchange` took it.
    let outcome = tokio::time::timeout(
        target.timeout,
        exchange(target, client, kept, retry, &mut retried),
    )
    .await;
    let answer = match outcome {
        Ok(Ok(Found { id, status })) => Answer::Instance { id, status },
        Ok(Err(failure)) => failure.into_answer(),
        Err(_) => Failure::Timeout.into_answer(),
    };
    (answer, retried)
}

/// Sends the request: on the kept connection if there is one, else on a new one. A
/// request that a kept connection never wrote (found closed) goes on a new connection:
/// it was never sent, so it is no failure. A request written and then failed is a
/// failure of its kind, or with `retry` is sent once more on a new connection, as
/// browsers do for the keep-alive race (and `retried` says so).
async fn exchange(
    target: &Target,
    client: &Client,
    kept: &mut Option<Kept>,
    retry: bool,
    retried: &mut bool,
) -> Result<Found, Failure> {
    if !target.keep_alive && !target.https {
        return loop {
            match once::get(target, client).await {
                Err(failure) if retry && !*retried && failure.retryable() => *retried = true,
                found => break found,
            }
        };
    }
    let mut request = request(target, client);
    let mut reusing = kept.take();
    loop {
        let reused = reusing.is_some();
        let connection = match reusing.take() {
            Some(connection) => connection,
            None => open(target, client).await?,
        };
        match send_on(target, client, connection, request, reused).await {
            Err(unsent) if reused => request = unsent,
            Err(_) => return Err(Failure::Unsent),
            Ok((Err(failure), _)) if retry && !*retried && failure.retryable() => {
                *retried = true;
                request = self::request(target, client);
            }
            Ok((found, next)) => {
                *kept = next;
                return found;
            }
        }
    }
}

/// The id a request on `connection` found, and the connection when it can take the
/// next request (`--keep-alive`, the body read to its end); or the request back,
/// unsent, when the connection turned out to be closed.
async fn send_on(
    target: &Target,
    client: &Client,
    mut connection: Kept,
    request: Request<Empty<Bytes>>,
    reused: bool,
) -> Result<(Result<Found, Failure>, Option<Kept>), Request<Empty<Bytes>>> {
    let (outcome, open) = {
        let Kept {
            sender,
            connection: driver,
        } = &mut connection;
        // What arrived while the connection sat idle, taken in before the request is
        // written: a server that closed it is then seen, and the request goes on a
        // new connection instead of failing on this one.
        if reused
            && std::future::poll_fn(|cx| Poll::Ready(driver.as_mut().poll(cx).is_ready())).await
        {
            return Err(request);
        }
        let asked = async {
            if sender.ready().await.is_err() {
                return Err(request);
            }
            match sender.try_send_request(request).await {
                Ok(response) => Ok(answer(target, client, response, target.keep_alive).await),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) => Err(unsent),
                    None => Ok((Err(request_failure(failed.error())), false)),
                },
            }
        };
        let mut asked = pin!(asked);
        tokio::select! {
            biased;
            outcome = &mut asked => (outcome, true),
            // The connection ended (the server closed it, or it failed). Dropping
            // its driver hands a request it never wrote back to the sender, and
            // ends a response's body: the request's side then has its answer, its
            // error or its request back, instead of waiting for the timeout.
            _ = driver.as_mut() => {
                *driver = Box::pin(std::future::pending());
                (asked.await, false)
            }
        }
    };
    let (found, ended) = outcome?;
    let reusable = target.keep_alive && open && ended;
    Ok((found, reusable.then_some(connection)))
}

/// A new connection, its HTTP/1 handshake done.
async fn open(target: &Target, client: &Client) -> Result<Kept, Failure> {
    match connect(target, client).await? {
        Stream::Plain(tcp) => handshake(TokioIo::new(tcp)).await,
        Stream::Tls(tls) => handshake(TokioIo::new(tls)).await,
    }
}

async fn handshake<T>(io: T) -> Result<Kept, Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(io)
        .await
        .map_err(|err| request_failure(&err))?;
    Ok(Kept {
        sender,
        connection: Box::pin(connection),
    })
}

fn request(target: &Target, client: &Client) -> Request<Empty<Bytes>> {
    let mut request = Request::new(Empty::new());
    *request.uri_mut() = target.path.clone();
    let headers = request.headers_mut();
    for (name, value) in &target.headers {
        headers.insert(name.clone(), value.clone());
    }
    if let Some(cookie) = cookie(target, client) {
        headers.insert(COOKIE, cookie);
    }
    request
}

/// The `cookie` header a virtual user sends, when its jar holds any for the URL.
fn cookie(target: &Target, client: &Client) -> Option<HeaderValue> {
    client.jar.as_ref().and_then(|jar| jar.cookies(&target.url))
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

/// A new connection: TCP to the first address that accepts, then TLS for https.
async fn connect(target: &Target, client: &Client) -> Result<Stream, Failure> {
    let tcp = connect_tcp(target).await?;
    // A kept connection's next request could otherwise wait for the ACK of the last
    // (Nagle); a connection for one request writes once, and is spared the call.
    if target.keep_alive {
        let _ = tcp.set_nodelay(true);
    }
    match (&client.tls, target.https) {
        (Some(tls), true) => tls
            .connect(target.server_name.clone(), tcp)
            .await
            .map(|stream| Stream::Tls(Box::new(stream)))
            .map_err(|err| tls_failure(&err).unwrap_or(Failure::Connect)),
        _ => Ok(Stream::Plain(tcp)),
    }
}

/// TCP to the URL's address, or to the first of its name's addresses that accepts.
async fn connect_tcp(target: &Target) -> Result<TcpStream, Failure> {
    Ok(match &target.host {
        Host::Ip(ip) => TcpStream::connect(SocketAddr::new(*ip, target.port))
            .await
            .map_err(|_| Failure::Connect)?,
        Host::Name(name) => {
            let mut connected = None;
            let addresses = tokio::net::lookup_host((name.as_str(), target.port))
                .await
                .map_err(|_| Failure::Connect)?;
            for address in addresses {
                if let Ok(tcp) = TcpStream::connect(address).await {
                    connected = Some(tcp);
                    break;
                }
            }
            connected.ok_or(Failure::Connect)?
        }
    })
}

/// The id in a response: the header's, else the body's first line; and whether the
/// body was read to its end. With `drain`, it is read to its end (up to
/// [`MAX_DRAINED_BYTES`]), so that the connection can take the next request.
async fn answer(
    target: &Target,
    client: &Client,
    mut response: Response<hyper::body::Incoming>,
    drain: bool,
) -> (Result<Found, Failure>, bool) {
    if let Some(jar) = &client.jar {
        let mut set = response.headers().get_all(hyper::header::SET_COOKIE).iter();
        jar.set_cookies(&mut set, &target.url);
    }
    let status = response.status();
    let in_header = identity_header(&response, target).is_some();
    let needed = if in_header || !status.is_success() {
        0
    } else {
        MAX_BODY_BYTES
    };
    let limit = if drain { MAX_DRAINED_BYTES } else { needed };
    let mut body = Vec::new();
    let mut read = 0;
    let mut ended = false;
    while read < limit {
        match response.body_mut().frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    read += data.len();
                    if body.len() < needed {
                        let room = needed - body.len();
                        body.extend_from_slice(&data[..data.len().min(room)]);
                    }
                }
            }
            Some(Err(_)) => return (Err(Failure::Body), false),
            None => {
                ended = true;
                break;
            }
        }
    }
    let found = found(status.as_u16(), identity_header(&response, target), &body);
    (found, ended)
}

/// What an answer says, by one rule on either path: an error status is a failure,
/// counted on the instance its header names (when the name is a valid id); a success
/// names its instance in the header, else in the body's first line.
fn found(status: u16, header: Option<&str>, body: &[u8]) -> Result<Found, Failure> {
    if !(200..300).contains(&status) {
        let id = header
            .and_then(|raw| InstanceId::new(raw).ok())
            .map(InstanceId::into_string);
        return Err(Failure::Status { status, id });
    }
    let raw = match header {
        Some(value) => value,
        None => {
            let text = std::str::from_utf8(body).unwrap_or_else(|err| {
                // The valid start: an id is ASCII, and a cut through a character
                // at the limit leaves the id before it whole.
                std::str::from_utf8(&body[..err.valid_up_to()]).unwrap_or("")
            });
            text.lines().next().unwrap_or("")
        }
    };
    match InstanceId::new(raw) {
        Ok(id) => Ok(Found {
            id: id.into_string(),
            status,
        }),
        Err(_) => Err(Failure::NoId),
    }
}

/// The identity header's value, when it is text.
fn identity_header<'r>(
    response: &'r Response<hyper::body::Incoming>,
    target: &Target,
) -> Option<&'r str> {
    response
        .headers()
        .get(&target.identity)
        .and_then(|value| visible_text(value.as_bytes()))
}

/// A header's value as text, by `HeaderValue::to_str`'s rule (visible ASCII and tabs),
/// on either path: what hyper parsed, or the bytes [`once`] parsed.
fn visible_text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&byte| byte == b'\t' || (0x20..0x7f).contains(&byte))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

/// A failed exchange, named: a refused handshake, a connection closed or reset, an
/// answer that is not HTTP (or whose head is too large); else a request that failed.
fn request_failure(err: &hyper::Error) -> Failure {
    if let Some(tls) = tls_failure(err) {
        return tls;
    }
    if err.is_parse() || err.is_parse_status() {
        return Failure::Malformed;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(failure) = current
            .downcast_ref::<std::io::Error>()
            .and_then(io_failure)
        {
            return failure;
        }
        source = current.source();
    }
    if err.is_incomplete_message() || err.is_canceled() || err.is_closed() {
        return Failure::Closed;
    }
    Failure::Request
}

/// A connection that was reset or closed, by the system's error; `None` for any other
/// error.
fn io_failure(err: &std::io::Error) -> Option<Failure> {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe => Some(Failure::Reset),
        ErrorKind::UnexpectedEof | ErrorKind::ConnectionAborted => Some(Failure::Closed),
        _ => None,
    }
}

/// A failed TLS handshake, named: certificate errors are what `--cacert` and
/// `--insecure` are for.
fn tls_failure(err: &(dyn std::error::Error + 'static)) -> Option<Failure> {
    let mut source = Some(err);
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
            return Some(Failure::Tls(describe(tls)));
        }
        source = current.source();
    }
    None
}
