//! How the Axum examples serve: as `axum::serve` does, one hyper connection a task,
//! plus the header read timeout that `axum::serve` cannot set (hyper's HTTP/1 enforces
//! one only with a timer). Without it a client that sends its headers a byte a second
//! holds a connection and a task for as long as it likes. `hello_axum` and the floor
//! it is measured against, `bare_axum`, both serve through this, like with like.

use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long a client may take to send a request's headers, from its first byte (or
/// from the last response on a kept-alive connection): then the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, app: Router) -> std::io::Result<()> {
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                wait_after(err).await;
                continue;
            }
        };
        let connection = http1
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()))
            .with_upgrades();
        tokio::spawn(async move {
            // A connection's end, timed out or reset, is the client's business.
            let _ = connection.await;
        });
    }
}

/// What `axum::serve` does after a failed accept: a connection the client gave up on
/// is nothing; anything else (out of file descriptors) waits a second rather than
/// spinning.
async fn wait_after(err: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        eprintln!("accept failed: {err}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
