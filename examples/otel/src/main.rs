//! Exports one span over OTLP/HTTP, with a resource that names this instance as
//! `instance_id::InstanceResourceDetector` detects it.
//!
//! ```sh
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 cargo run -p instance-id-otel-example
//! cargo run -p instance-id-otel-example -- --root testdata/fixtures/docker-private-cgroupns
//! ```
//!
//! The collector is the one `OTEL_EXPORTER_OTLP_ENDPOINT` names (the exporter's
//! default, `http://localhost:4318`, without it); `--root DIR` detects on a snapshot
//! folder instead of the live system. An export that fails, once the exporter's own
//! retries are spent (within `OTEL_EXPORTER_OTLP_TIMEOUT`, 10 s by default), is
//! reported with its cause and exit 1.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use instance_id::{InstanceResourceDetector, SystemView};
use opentelemetry::trace::{Tracer, TracerProvider};
use opentelemetry_http::hyper::HyperClient;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData};
use opentelemetry_sdk::Resource;

/// Why the span could not be sent.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("usage: instance-id-otel-example [--root DIR]")]
    Usage,
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    #[error("the span was not exported: {error}{}", cause.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Export {
        /// The exporter's word, after its retries.
        error: OTelSdkError,
        /// What the last attempt met: the transport's error, or the collector's answer.
        cause: Option<String>,
    },
    #[error("cannot shut the tracer provider down: {0}")]
    Shutdown(#[from] OTelSdkError),
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("instance-id-otel-example: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Error> {
    // Paths need not be UTF-8: `args_os`, which never panics on one that is not.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let detector = match args.as_slice() {
        [] => InstanceResourceDetector::new(),
        [flag, dir] if flag == "--root" => {
            InstanceResourceDetector::new().view(SystemView::snapshot(dir))
        }
        _ => return Err(Error::Usage),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    // hyper's connections run as tasks of this runtime; the simple span processor
    // blocks the thread that ends a span (this one, outside the runtime's workers)
    // until its export has been answered, so nothing is left unsent at exit.
    let _context = runtime.enter();

    let timeout = export_timeout();
    let last_attempt = Arc::new(Mutex::new(None));
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_timeout(timeout)
        .with_http_client(Recording {
            inner: HyperClient::with_default_connector(timeout, None),
            last_attempt: Arc::clone(&last_attempt),
        })
        .build()?;
    let failure = Arc::new(Mutex::new(None));
    let exporter = Checked {
        inner: exporter,
        failure: Arc::clone(&failure),
    };
    let resource = Resource::builder()
        .with_service_name("instance-id-otel-example")
        .with_detector(Box::new(detector))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_simple_exporter(exporter)
        .build();

    provider
        .tracer("instance-id-otel-example")
        .in_span("hello", |_| {});
    provider.shutdown()?;
    match taken(&failure) {
        Some(error) => Err(Error::Export {
            error,
            cause: taken(&last_attempt),
        }),
        None => Ok(()),
    }
}

/// The exporter's timeout, read as the exporter reads it (milliseconds, the traces'
/// variable first), so that the client built here bounds each attempt by the same.
fn export_timeout() -> Duration {
    [
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
    ]
    .iter()
    .find_map(|name| std::env::var(name).ok()?.trim().parse().ok())
    .map_or(Duration::from_secs(10), Duration::from_millis)
}

/// What a slot holds, taken out. A poisoned lock still holds its value.
fn taken<T>(slot: &Mutex<Option<T>>) -> Option<T> {
    slot.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

fn put<T>(slot: &Mutex<Option<T>>, value: T) {
    *slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(value);
}

/// The exporter, whose result the simple span processor only logs: kept here, so that
/// a failed export is reported.
#[derive(Debug)]
struct Checked<E> {
    inner: E,
    failure: Arc<Mutex<Option<OTelSdkError>>>,
}

impl<E: opentelemetry_sdk::trace::SpanExporter> opentelemetry_sdk::trace::SpanExporter
    for Checked<E>
{
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let result = self.inner.export(batch).await;
        if let Err(error) = &result {
            put(&self.failure, clone_error(error));
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// `OTelSdkError` is not `Clone`; its variants are.
fn clone_error(error: &OTelSdkError) -> OTelSdkError {
    match error {
        OTelSdkError::AlreadyShutdown => OTelSdkError::AlreadyShutdown,
        OTelSdkError::Timeout(after) => OTelSdkError::Timeout(*after),
        OTelSdkError::InternalFailure(text) => OTelSdkError::InternalFailure(text.clone()),
    }
}

/// The exporter's HTTP client, keeping what each attempt met: the exporter's own
/// error names a status but says only "network error" for a refused connection, a
/// collector that never answers, or one that does not speak HTTP.
#[derive(Debug)]
struct Recording {
    inner: HyperClient,
    last_attempt: Arc<Mutex<Option<String>>>,
}

#[async_trait::async_trait]
impl HttpClient for Recording {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let uri = request.uri().to_string();
        let result = self.inner.send_bytes(request).await;
        let seen = match &result {
            Err(err) => format!("{uri}: {}", chain(err.as_ref())),
            Ok(response) if response.status().is_success() => return result,
            Ok(response) => answered(&uri, response),
        };
        put(&self.last_attempt, seen);
        result
    }
}

/// `error: its source: …`, as the transport nests them (`client error (Connect):
/// tcp connect error: Connection refused (os error 111)`).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        text.push_str(&format!(": {next}"));
        source = next.source();
    }
    text
}

/// A collector's refusal in words: its status, and where it points a redirect or when
/// it asks to be tried again. The collector's text is escaped for the terminal.
fn answered(uri: &str, response: &Response<Bytes>) -> String {
    let header = |name: &str| {
        response.headers().get(name).map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .escape_debug()
                .to_string()
        })
    };
    let mut text = format!("{uri} answered {}", response.status());
    if response.status().is_redirection() {
        text.push_str(", a redirect the exporter does not follow");
        if let Some(location) = header("location") {
            text.push_str(&format!(", to \"{location}\""));
        }
    }
    if let Some(after) = header("retry-after") {
        text.push_str(&format!(", Retry-After \"{after}\""));
    }
    text
}
