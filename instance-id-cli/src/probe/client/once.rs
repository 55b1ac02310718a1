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
use hyper::header::HeaderValue;
use hyper::Uri;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{
    connect_tcp, found, io_failure, Client, Failure, Found, Target, MAX_BODY_BYTES,
    MAX_DRAINED_BYTES,
};

/// As many headers as hyper reads in an answer: more is a malformed answer.
const MAX_HEADERS: usize = 100;

/// hyper's bound on an answer's head (its read buffer's default limit): a longer head
/// is a malformed answer.
const MAX_HEAD_BYTES: usize = 8192 + 4096 * 100;

/// The request's head as hyper writes it for [`super::request`]: the request line,
/// `host`, `accept`, `connection: close` and `authorization`, and the blank line.
pub(super) fn head(path: &Uri, host: &HeaderValue, authorization: Option<&HeaderValue>) -> Vec<u8> {
    let target = path.path_and_query().map_or("/", |path| path.as_str());
    let mut head = Vec::with_capacity(128);
    head.extend_from_slice(b"GET ");
    head.extend_from_slice(target.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    head.extend_from_slice(host.as_bytes());
    head.extend_from_slice(b"\r\naccept: */*\r\nconnection: close\r\n");
    if let Some(authorization) = authorization {
        head.extend_from_slice(b"authorization: ");
        head.extend_from_slice(authorization.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// One request on a new connection: the instance that answered, or what went wrong.
pub(super) async fn get(target: &Target, client: &Client) -> Result<Found, Failure> {
    let mut tcp = connect_tcp(target).await?;
    let cookie = client.jar.as_ref().and_then(|jar| {
        use reqwest::cookie::CookieStore as _;
        jar.cookies(&target.url)
    });
    let written = match cookie {
        None => tcp.write_all(&target.head).await,
        Some(cookie) => {
            // The cookie goes before the blank line that ends the head.
            let end = target.head.len() - 2;
            let mut head = Vec::with_capacity(target.head.len() + cookie.len() + 10);
            head.extend_from_slice(&target.head[..end]);
            head.extend_from_slice(b"cookie: ");
            head.extend_from_slice(cookie.as_bytes());
            head.extend_from_slice(b"\r\n\r\n");
            tcp.write_all(&head).await
        }
    };
    // A new connection that failed before taking the request: hyper hands such a
    // request back unsent.
    written.map_err(|_| Failure::Unsent)?;
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
            Head::Partial => {
                if buffer.len() >= MAX_HEAD_BYTES {
                    return Err(Failure::Malformed);
                }
                let read = read_more(&mut tcp, &mut buffer)
                    .await
                    .map_err(|err| io_failure(&err).unwrap_or(Failure::Request))?;
                if read == 0 {
                    return Err(Failure::Closed);
                }
            }
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
        use reqwest::cookie::CookieStore as _;
        let cookies: Vec<HeaderValue> = response
            .headers
            .iter()
            .filter(|header| header.name.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|header| HeaderValue::from_bytes(header.value).ok())
            .collect();
        jar.set_cookies(&mut cookies.iter(), &target.url);
    }
    let framing = framing(status, response.headers)?;
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

/// A header's value as text, by `HeaderValue::to_str`'s rule: visible ASCII and tabs.
fn visible_text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&byte| byte == b'\t' || (0x20..0x7f).contains(&byte))
        .then(|| std::str::from_utf8(value).ok())
        .flatten()
}

/// The body's framing, as hyper works it out for an answer to a GET: none for 204
/// and 304; chunked when the last transfer coding is; else the length, which must be
/// one number (repeated alike at most); else until the server closes.
fn framing(status: u16, headers: &[httparse::Header<'_>]) -> Result<Framing, Failure> {
    if status == 204 || status == 304 {
        return Ok(Framing::Length(0));
    }
    let mut coded = false;
    let mut length = None;
    for header in headers {
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            coded = true;
            let last = header
                .value
                .rsplit(|&byte| byte == b',')
                .next()
                .unwrap_or(&[]);
            if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                return Ok(Framing::Chunked);
            }
        } else if header.name.eq_ignore_ascii_case("content-length") {
            for value in header.value.split(|&byte| byte == b',') {
                let value = std::str::from_utf8(value.trim_ascii())
                    .ok()
                    .filter(|text| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|text| text.parse::<u64>().ok())
                    .ok_or(Failure::Malformed)?;
                if length.is_some_and(|seen| seen != value) {
                    return Err(Failure::Malformed);
                }
                length = Some(value);
            }
        }
    }
    Ok(match length {
        Some(length) if !coded => Framing::Length(length),
        _ => Framing::Close,
    })
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
    let mut body = Vec::new();
    let mut at = end;
    // Where a chunked body's decoding is.
    let mut chunk = Chunk::Size;
    loop {
        let have = buffer.len() - end;
        match framing {
            Framing::Length(length) => {
                let wanted = usize::try_from(length)
                    .unwrap_or(usize::MAX)
                    .min(MAX_BODY_BYTES);
                if have >= wanted {
                    body.extend_from_slice(&buffer[end..end + wanted]);
                    return Ok(body);
                }
            }
            Framing::Close => {
                if have >= MAX_BODY_BYTES {
                    body.extend_from_slice(&buffer[end..end + MAX_BODY_BYTES]);
                    return Ok(body);
                }
            }
            Framing::Chunked => {
                let last = decode(&buffer, &mut at, &mut chunk, &mut body)?;
                if last || body.len() >= MAX_BODY_BYTES {
                    return Ok(body);
                }
            }
        }
        // Chunks of a few bytes each could otherwise hold the whole read.
        if have >= MAX_DRAINED_BYTES {
            return Ok(body);
        }
        let read = read_more(tcp, &mut buffer)
            .await
            .map_err(|_| Failure::Body)?;
        if read == 0 {
            return match framing {
                Framing::Close => {
                    body.extend_from_slice(&buffer[end..]);
                    Ok(body)
                }
                Framing::Length(_) | Framing::Chunked => Err(Failure::Body),
            };
        }
    }
}

/// Where a chunked body's decoding is.
enum Chunk {
    /// At a chunk's size line.
    Size,
    /// Inside a chunk's data, with these many bytes of it left.
    Data(u64),
    /// At the line end after a chunk's data.
    Crlf,
}

/// Decodes the chunks in `buffer` from `at` into `body`: whether the last chunk was
/// reached. What a partial chunk leaves is decoded once more of it is read.
fn decode(
    buffer: &[u8],
    at: &mut usize,
    chunk: &mut Chunk,
    body: &mut Vec<u8>,
) -> Result<bool, Failure> {
    loop {
        let rest = &buffer[*at..];
        match *chunk {
            Chunk::Size => match httparse::parse_chunk_size(rest) {
                Ok(Status::Complete((_, 0))) => return Ok(true),
                Ok(Status::Complete((line, size))) => {
                    *at += line;
                    *chunk = Chunk::Data(size);
                }
                Ok(Status::Partial) => return Ok(false),
                Err(_) => return Err(Failure::Body),
            },
            Chunk::Data(left) => {
                let taken = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                let room = MAX_BODY_BYTES.saturating_sub(body.len());
                body.extend_from_slice(&rest[..taken.min(room)]);
                *at += taken;
                let left = left - taken as u64;
                *chunk = if left == 0 {
                    Chunk::Crlf
                } else {
                    Chunk::Data(left)
                };
                if left > 0 || body.len() >= MAX_BODY_BYTES {
                    return Ok(false);
                }
            }
            Chunk::Crlf => {
                if rest.len() < 2 {
                    return Ok(false);
                }
                if &rest[..2] != b"\r\n" {
                    return Err(Failure::Body);
                }
                *at += 2;
                *chunk = Chunk::Size;
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

    fn chunks(bytes: &[u8]) -> Result<(bool, Vec<u8>), Failure> {
        let (mut at, mut chunk, mut body) = (0, Chunk::Size, Vec::new());
        let ended = decode(bytes, &mut at, &mut chunk, &mut body)?;
        Ok((ended, body))
    }

    #[test]
    fn chunks_decode_to_their_data() {
        let (ended, body) = chunks(b"3\r\nweb\r\n3\r\n-a\n\r\n0\r\n\r\n").expect("decodes");
        assert!(ended);
        assert_eq!(body, b"web-a\n");
    }

    #[test]
    fn a_partial_chunk_waits_for_more() {
        let (ended, body) = chunks(b"6\r\nweb").expect("decodes");
        assert!(!ended);
        assert_eq!(body, b"web");
    }

    #[test]
    fn chunks_that_do_not_parse_are_a_broken_body() {
        assert!(matches!(chunks(b"zz\r\nweb\r\n"), Err(Failure::Body)));
        assert!(matches!(chunks(b"3\r\nwebXX"), Err(Failure::Body)));
    }

    fn framed(headers: &[(&str, &str)]) -> Result<Framing, Failure> {
        let headers: Vec<httparse::Header<'_>> = headers
            .iter()
            .map(|(name, value)| httparse::Header {
                name,
                value: value.as_bytes(),
            })
            .collect();
        framing(200, &headers)
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
        assert!(matches!(framed(&[]), Ok(Framing::Close)));
    }

    #[test]
    fn header_text_is_visible_ascii() {
        assert_eq!(visible_text(b"web-a"), Some("web-a"));
        assert_eq!(visible_text(b"web\x01a"), None);
        assert_eq!(visible_text("wéb".as_bytes()), None);
    }
}
