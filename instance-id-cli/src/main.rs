//! `instance-id`: the detection engine, the hash of `expose = hashed(…)`, the
//! OpenTelemetry `service.instance.id` of an id, a probe of
//! how a balancer spreads requests, and the way back from an id to its
//! container.

mod detect;
mod hash;
mod otel_id;
mod output;
mod probe;
mod quoted;
mod resolve;
mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "instance-id", version, about = "Which copy of a service am I?")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Detect this instance's id, as the Rocket fairing does at launch.
    Detect(detect::DetectArgs),
    /// Print what `expose = hashed("ENV")` shows for ID, with the key from $ENV.
    Hash(hash::HashArgs),
    /// Print the OpenTelemetry service.instance.id (a UUID v5) that the telemetry of
    /// the instance ID carries.
    OtelId(otel_id::OtelIdArgs),
    /// Send requests to URL and show how they spread over instances.
    Probe(probe::ProbeArgs),
    /// Find the container, running or exited, that an id names, on the Docker daemon
    /// that DOCKER_HOST names (else the local socket); with --kubernetes, the pod and
    /// container on the cluster of the kubeconfig.
    Resolve(resolve::ResolveArgs),
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return quoted::report(err),
    };
    match cli.command {
        Command::Detect(args) => detect::run(args),
        Command::Hash(args) => hash::run(args),
        Command::OtelId(args) => otel_id::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Resolve(args) => resolve::run(args),
    }
}

/// A reader that stops early (`instance-id detect --explain | head -1`) ends the
/// command quietly, as it ends `ls`: the default action of SIGPIPE, which Rust's
/// runtime sets aside so that a write reports `BrokenPipe`.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first in `main`, before any other thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A usage error: the message, escaped for the terminal, and exit 2.
fn usage(message: impl std::fmt::Display) -> ExitCode {
    output::warn(&text::safe(&message.to_string()));
    ExitCode::from(2)
}

/// The async runtime of `probe` and `resolve`, or the message that says why not: one
/// worker thread per core it may run on, or `workers` when given. One is the
/// current-thread runtime, which spares the work-stealing scheduler's hand-offs.
fn async_runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = match workers {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(workers) => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(workers);
            builder
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build().map_err(|err| {
        output::warn(&format!("cannot start the async runtime: {err}"));
        ExitCode::FAILURE
    })
}
