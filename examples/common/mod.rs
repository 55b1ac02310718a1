//! What the examples share: the port they listen on, from `$PORT`.

use std::io::{Error, ErrorKind};

/// `$PORT` as a port number, `default` when it is unset; anything else is refused in
/// words rather than served on a port nobody asked for.
pub fn port(default: u16) -> std::io::Result<u16> {
    match std::env::var("PORT") {
        Ok(text) => text.parse::<u16>().map_err(|_| not_a_port(&text)),
        Err(std::env::VarError::NotPresent) => Ok(default),
        Err(std::env::VarError::NotUnicode(text)) => Err(not_a_port(&text)),
    }
}

/// Says where the app listens, on the terminal that started it: with `PORT=0` the
/// system chose the port, and this line is the only way to learn it.
pub fn announce(address: std::net::SocketAddr) {
    println!("listening on http://{address}");
}

fn not_a_port(text: &dyn std::fmt::Debug) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!("PORT={text:?} is not a port number"),
    )
}
