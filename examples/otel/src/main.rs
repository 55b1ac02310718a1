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
//! folder instead of the live system.

use std::process::ExitCode;

use instance_id::{InstanceResourceDetector, SystemView};
use opentelemetry::trace::{Tracer, TracerProvider};
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
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
    #[error("cannot shut the tracer provider down: {0}")]
    Shutdown(#[from] opentelemetry_sdk::error::OTelSdkError),
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

    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()?;
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
    Ok(())
}
