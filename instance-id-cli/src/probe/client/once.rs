//! One GET on a plain connection of its own: http:// without `--keep-alive`, the
//! probe's default. The request goes out in one write, the answer's head is parsed
//! by httparse (the parser under hyper), and the body is read only when the id is not
//! in a header, no further than its first [`MAX_BODY_BYTES`].
//!
//! hyper's connection API gives every connection a dispatcher, a channel for its
//! requests, a oneshot for each answer and a header map on either side. A connection
//! that carries one request pays all of that for one answer, and it was most of
//! probe's own CPU per request against wrk (bench/PROBE-PROFILE.md). Kept connections
//! and TLS stay on hyper. The failures here are named as hyper's are there, so that a
//! server's failures count the same in both modes (`tests/probe_truth.rs`).

use httparse::Status;
use hyper::header::{HeaderName, HeaderValue};
use hyper::Uri;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{
    connect_tcp, cookie, found, io_failure, visible_text, Client, CookieStore, Failure, Found,
    Target, MAX_BODY_BYTES,
};

/// As many headers as hyper reads in an answer: more is a malformed answer.
const MAX_HEADERS: usize = 100;

/// hyper's bound on an answer's head (its read buffer's default limit): a longer head
/// is a malformed answer.
const MAX_HEAD_BYTES: usize = 8192 + 4096 * 100;

/// hyper's bound on a chunked body's extensions (`;name=value` after a size), all of
/// them together: past it the body is broken.
const MAX_CHUNK_EXTENSION_BYTES: usize = 16 * 1024;

/// hyper's bound on a chunked body's trailers: past it the body is broken.
const MAX_TRAILER_BYTES: usize = 16 * 1024;

/// The request's head, written once: the request line, the target's headers in their
/// order (the names as hyper writes them, in lower case), and the blank line.
pub(super) fn head(path: &Uri, headers: &[(HeaderName, HeaderValue)]) -> Vec<u8> {
    let target = path.path_and_query().map_or("/", |path| path.as_str());
    let mut head = Vec::with_capacity(128);
    head.extend_from_slice(b"GET ");
    head.extend_from_slice(target.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        line(&mut head, name.as_str(), value);
    }
    head.extend_from_slice(b"\r\n");
    head
}

fn line(head: &mut Vec<u8>, name: &str, value: &HeaderValue) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value.as_bytes());
    head.extend_from_slice(b"\r\n");
}

/// One request on a new connection: the instance that answered, or what went wrong.
pub(super) async fn get(target: &Target, client: &Client) -> Result<Found, Failure> {
    let mut tcp = connect_tcp(target).await?;
    let written = match cookie(target, client) {
        None => tcp.write_all(&target.head).await,
        Some(cookie) => {
            // After the target's headers, as `super::request` adds it, and before the
            // blank line that ends the head.
            let end = target.head.len() - 2;
            let mut head = Vec::with_capacity(target.head.len() + cookie.len() + 12);
            head.extend_from_slice(&target.head[..end]);
            line(&mut head, hyper::header::COOKIE.as_str(), &cookie);
            head.extend_from_slice(b"\r\n");
            tcp.write_all(&head).await
        }
    };
    // As hyper names a failed write: the connection reset or closed, else the request
    // failed; each a request that `--retry` sends again.
    written.map_err(|err| io_failure(&err).unwrap_or(Failure::Request))?;
    let mut buffer = Vec::with_capacity(1024);
    let (status, framing, end) = loop {
        match parse(&buffer, target, client)? {
            Head::Told(outcome) => return outcome,
            Head::Body {
                status,
                framing,
                end,
            } => break (status, framing, end),
            Head::Informational(end) => {
                buffer.drain(..end);
            }
            Head::Partial => loop {
                if buffer.len() >= MAX_HEAD_BYTES {
                    return Err(Failure::Malformed);
                }
                let from = buffer.len();
                let read = read_more(&mut tcp, &mut buffer)
                    .await
                    .map_err(|err| io_failure(&err).unwrap_or(Failure::Request))?;
                if read == 0 {
                    return Err(Failure::Closed);
                }
                // Parsed again only once a blank line may have come, as hyper does:
                // a head sent a few bytes at a time is not parsed from its start
                // after each of them.
                if may_end_head(&buffer, from) {
                    break;
                }
            },
        }
    };
    let body = body_start(&mut tcp, buffer, end, framing).await?;
    found(status, None, &body)
}

/// How far an answer's head was parsed.
enum Head {
    /// Not all of it yet.
    Partial,
    /// A `1xx` answer of these many bytes, which hyper passes over.
    Informational(usize),
    /// The outcome, told by the head alone: an error status, or the id in its header.
    Told(Result<Found, Failure>),
    /// A success whose id is in the body, framed so, after the head's `end` bytes.
    Body {
        status: u16,
        framing: Framing,
        end: usize,
    },
}

/// How the body's end is known.
enum Framing {
    Length(u64),
    Chunked,
    /// Read until the server closes.
    Close,
}

fn parse(buffer: &[u8], target: &Target, client: &Client) -> Result<Head, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let end = match response.parse(buffer) {
        Ok(Status::Complete(end)) => end,
        Ok(Status::Partial) => return Ok(Head::Partial),
        // Not HTTP, or more headers than hyper takes.
        Err(_) => return Err(Failure::Malformed),
    };
    let status = response.code.unwrap_or(0);
    if status < 100 {
        return Err(Failure::Malformed);
    }
    if status < 200 && status != 101 {
        return Ok(Head::Informational(end));
    }
    if let Some(jar) = &client.jar {
        let cookies: Vec<HeaderValue> = response
            .headers
            .iter()
            .filter(|header| header.name.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|header| HeaderValue::from_bytes(header.value).ok())
            .collect();
        jar.set_cookies(&mut cookies.iter(), &target.url);
    }
    let framing = framing(status, response.version, response.headers)?;
    let identity = response
        .headers
        .iter()
        .find(|header| header.name.eq_ignore_ascii_case(target.identity.as_str()))
        .and_then(|header| visible_text(header.value));
    if identity.is_some() || !(200..300).contains(&status) {
        return Ok(Head::Told(found(status, identity, &[])));
    }
    Ok(Head::Body {
        status,
        framing,
        end,
    })
}

/// Whether the bytes read from `from` on may hold the blank line that ends a head
/// (httparse takes a bare LF for a line end, as hyper does).
fn may_end_head(buffer: &[u8], from: usize) -> bool {
    let start = from.saturating_sub(3);
    buffer[start..]
        .windows(2)
        .any(|pair| pair == b"\n\n" || pair == b"\n\r")
}

/// The body's framing, as hyper works it out for an answer to a GET: none for 204
/// and 304; with `transfer-encoding`, chunked when the last coding of its last line
/// is, else until the server closes (and no `transfer-encoding` in HTTP/1.0); else
/// the length, one number, repeated alike at most; else until the server closes.
fn framing(
    status: u16,
    version: Option<u8>,
    headers: &[httparse::Header<'_>],
) -> Result<Framing, Failure> {
    if status == 204 || status == 304 {
        return Ok(Framing::Length(0));
    }
    let named = |name: &'static str| {
        headers
            .iter()
            .filter(move |header| header.name.eq_ignore_ascii_case(name))
    };
    if let Some(coding) = named("transfer-encoding").next_back() {
        if version == Some(0) {
            return Err(Failure::Malformed);
        }
        let last = coding
            .value
            .rsplit(|&byte| byte == b',')
            .next()
            .unwrap_or(&[]);
        return Ok(if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
            Framing::Chunked
        } else {
            Framing::Close
        });
    }
    let mut length = None;
    for header in named("content-length") {
        for value in header.value.split(|&byte| byte == b',') {
            let value = std::str::from_utf8(value.trim_ascii())
                .ok()
                .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|text| text.parse::<u64>().ok())
                // hyper keeps the two highest values for its own markers.
                .filter(|&value| value <= u64::MAX - 2)
                .ok_or(Failure::Malformed)?;
            if length.is_some_and(|seen| seen != value) {
                return Err(Failure::Malformed);
            }
            length = Some(value);
        }
    }
    Ok(length.map_or(Framing::Close, Framing::Length))
}

/// The body's first [`MAX_BODY_BYTES`] (or all of a shorter one), read after the
/// head's `end` in `buffer`. A body cut short, or chunks that do not parse, are a
/// broken body.
async fn body_start(
    tcp: &mut TcpStream,
    mut buffer: Vec<u8>,
    end: usize,
    framing: Framing,
) -> Result<Vec<u8>, Failure> {
    let mut chunks = Chunks::new(end);
    loop {
        let have = buffer.len() - end;
        match framing {
            Framing::Length(length) => {
                let wanted = usize::try_from(length)
                    .unwrap_or(usize::MAX)
                    .min(MAX_BODY_BYTES);
                if have >= wanted {
                    return Ok(buffer[end..end + wanted].to_vec());
                }
            }
            Framing::Close => {
                if have >= MAX_BODY_BYTES {
                    return Ok(buffer[end..end + MAX_BODY_BYTES].to_vec());
                }
            }
            Framing::Chunked => {
                if chunks.decode(&buffer)? {
                    return Ok(chunks.body);
                }
            }
        }
        let read = read_more(tcp, &mut buffer)
            .await
            .map_err(|_| Failure::Body)?;
        if read == 0 {
            return match framing {
                Framing::Close => Ok(buffer[end..].to_vec()),
                Framing::Length(_) | Framing::Chunked => Err(Failure::Body),
            };
        }
    }
}

/// A chunked body's decoding, as far as the bytes read so far go: the data of its
/// chunks, up to [`MAX_BODY_BYTES`], and its end read as hyper reads it (the last
/// chunk, then its trailers up to the blank line). Every part is bounded as hyper
/// bounds it, so that the buffer stays bounded too.
struct Chunks {
    /// Where the undecoded bytes start in the buffer.
    at: usize,
    state: Chunk,
    /// The extensions' bytes so far, all chunks together.
    extensions: usize,
    body: Vec<u8>,
}

enum Chunk {
    /// At a chunk's size line.
    Size,
    /// Inside a chunk's data, with these many bytes of it left.
    Data(u64),
    /// At the line end after a chunk's data.
    Crlf,
    /// After the last chunk, at its trailers and the blank line.
    Trailers,
}

impl Chunks {
    fn new(at: usize) -> Self {
        Self {
            at,
            state: Chunk::Size,
            extensions: 0,
            body: Vec::new(),
        }
    }

    /// Decodes what `buffer` holds past the last call: whether the body's first
    /// [`MAX_BODY_BYTES`], or its end, has been read.
    fn decode(&mut self, buffer: &[u8]) -> Result<bool, Failure> {
        loop {
            let rest = &buffer[self.at..];
            match self.state {
                Chunk::Size => {
                    // A size line without a size: httparse takes it for the last
                    // chunk, hyper refuses it.
                    let digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
                    if digits == 0 {
                        return if rest.is_empty() {
                            Ok(false)
                        } else {
                            Err(Failure::Body)
                        };
                    }
                    match httparse::parse_chunk_size(rest) {
                        Ok(Status::Complete((line, size))) => {
                            self.extensions += line.saturating_sub(digits + 2);
                            if self.extensions > MAX_CHUNK_EXTENSION_BYTES {
                                return Err(Failure::Body);
                            }
                            self.at += line;
                            self.state = if size == 0 {
                                Chunk::Trailers
                            } else {
                                Chunk::Data(size)
                            };
                        }
                        Ok(Status::Partial) => {
                            let extension = rest.len().saturating_sub(digits);
                            if self.extensions + extension > MAX_CHUNK_EXTENSION_BYTES {
                                return Err(Failure::Body);
                            }
                            return Ok(false);
                        }
                        Err(_) => return Err(Failure::Body),
                    }
                }
                Chunk::Data(left) => {
                    let taken = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    let room = MAX_BODY_BYTES.saturating_sub(self.body.len());
                    self.body.extend_from_slice(&rest[..taken.min(room)]);
                    self.at += taken;
                    let left = left - taken as u64;
                    if self.body.len() >= MAX_BODY_BYTES {
                        return Ok(true);
                    }
                    if left > 0 {
                        self.state = Chunk::Data(left);
                        return Ok(false);
                    }
                    self.state = Chunk::Crlf;
                }
                Chunk::Crlf => {
                    if rest.len() < 2 {
                        return Ok(false);
                    }
                    if &rest[..2] != b"\r\n" {
                        return Err(Failure::Body);
                    }
                    self.at += 2;
                    self.state = Chunk::Size;
                }
                Chunk::Trailers => {
                    let mut trailers = [httparse::EMPTY_HEADER; MAX_HEADERS];
                    return match httparse::parse_headers(rest, &mut trailers) {
                        Ok(Status::Complete(_)) => Ok(true),
                        Ok(Status::Partial) if rest.len() <= MAX_TRAILER_BYTES => Ok(false),
                        Ok(Status::Partial) | Err(_) => Err(Failure::Body),
                    };
                }
            }
        }
    }
}

/// Reads what has arrived into `buffer`, whose room doubles when it is full: the
/// bytes read, 0 when the server has closed.
async fn read_more(tcp: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<usize> {
    if buffer.len() == buffer.capacity() {
        buffer.reserve(buffer.capacity().max(1024));
    }
    tcp.read_buf(buffer).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunks decoded from `bytes` at once: whether the body was read far enough,
    /// and its data.
    fn chunks(bytes: &[u8]) -> Result<(bool, Vec<u8>), Failure> {
        let mut chunks = Chunks::new(0);
        let done = chunks.decode(bytes)?;
        Ok((done, chunks.body))
    }

    #[test]
    fn chunks_decode_to_their_data_and_end_after_their_trailers() {
        let (done, body) = chunks(b"3\r\nweb\r\n3;x=1\r\n-a\n\r\n0\r\n\r\n").expect("decodes");
        assert!(done);
        assert_eq!(body, b"web-a\n");
        let (done, _) = chunks(b"3\r\nweb\r\n0\r\nx-trailer: 1\r\n\r\n").expect("decodes");
        assert!(done);
    }

    #[test]
    fn a_body_without_its_end_waits_for_more() {
        for partial in [
            &b"6\r\nweb"[..],
            b"3\r\nweb\r\n0\r\n",
            b"3\r\nweb\r\n0\r\nx-t: 1\r\n",
        ] {
            let (done, body) = chunks(partial).expect("decodes");
            assert!(!done, "{partial:?}");
            assert_eq!(body, b"web", "{partial:?}");
        }
    }

    #[test]
    fn the_first_bytes_are_enough() {
        let mut bytes = format!("{:x}\r\n", MAX_BODY_BYTES + 10).into_bytes();
        bytes.extend(std::iter::repeat_n(b'a', MAX_BODY_BYTES + 10));
        let (done, body) = chunks(&bytes).expect("decodes");
        assert!(done);
        assert_eq!(body.len(), MAX_BODY_BYTES);
    }

    #[test]
    fn chunks_that_do_not_parse_are_a_broken_body() {
        let long_extension = format!("3;{}\r\nweb\r\n", "a".repeat(MAX_CHUNK_EXTENSION_BYTES + 1));
        let long_trailer = format!("0\r\nx: {}", "a".repeat(MAX_TRAILER_BYTES + 1));
        for broken in [
            &b"zz\r\nweb\r\n"[..],
            b"3\r\nwebXX",
            b"\r\n\r\n",
            b"3\r\nweb\r\n\r\n",
            long_extension.as_bytes(),
            long_trailer.as_bytes(),
        ] {
            assert!(matches!(chunks(broken), Err(Failure::Body)), "{broken:?}");
        }
    }

    fn framed(headers: &[(&str, &str)]) -> Result<Framing, Failure> {
        let headers: Vec<httparse::Header<'_>> = headers
            .iter()
            .map(|(name, value)| httparse::Header {
                name,
                value: value.as_bytes(),
            })
            .collect();
        framing(200, Some(1), &headers)
    }

    #[test]
    fn framing_as_hyper_reads_it() {
        assert!(matches!(
            framed(&[("Content-Length", "12")]),
            Ok(Framing::Length(12))
        ));
        assert!(matches!(
            framed(&[("content-length", "7, 7")]),
            Ok(Framing::Length(7))
        ));
        assert!(matches!(
            framed(&[("content-length", "7, 8")]),
            Err(Failure::Malformed)
        ));
        assert!(matches!(
            framed(&[("content-length", "-1")]),
            Err(Failure::Malformed)
        ));
        assert!(matches!(
            framed(&[
                ("transfer-encoding", "gzip, chunked"),
                ("content-length", "3")
            ]),
            Ok(Framing::Chunked)
        ));
        assert!(matches!(
            framed(&[("transfer-encoding", "gzip")]),
            Ok(Framing::Close)
        ));
        // The last line counts, and a length beside a coding is not read at all.
        assert!(matches!(
            framed(&[
                ("transfer-encoding", "chunked"),
                ("transfer-encoding", "gzip")
            ]),
            Ok(Framing::Close)
        ));
        assert!(matches!(
            framed(&[("content-length", "x"), ("transfer-encoding", "chunked")]),
            Ok(Framing::Chunked)
        ));
        assert!(matches!(
            framed(&[("content-length", "18446744073709551614")]),
            Err(Failure::Malformed)
        ));
        let coded = [httparse::Header {
            name: "transfer-encoding",
            value: b"chunked",
        }];
        assert!(matches!(
            framing(200, Some(0), &coded),
            Err(Failure::Malformed)
        ));
        assert!(matches!(framed(&[]), Ok(Framing::Close)));
    }

    #[test]
    fn header_text_is_visible_ascii() {
        assert_eq!(visible_text(b"web-a"), Some("web-a"));
        assert_eq!(visible_text(b"web\x01a"), None);
        assert_eq!(visible_text("wéb".as_bytes()), None);
    }
}
