//! `instance-id detect`: the engine on the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use crate::output;
use crate::text::safe;
use instance_id::{
    detect, Attempt, Chain, ConfigError, Detection, DetectionReport, Outcome, ResourceAttributes,
    Strategy, SystemView,
};

#[derive(clap::Args)]
pub struct DetectArgs {
    /// Read a snapshot: files under DIR as if it were / (links and .. never leave it),
    /// the environment from DIR/proc/self/environ.
    #[arg(long, value_name = "DIR", conflicts_with = "pid")]
    root: Option<PathBuf>,
    /// Detect as process PID would: its /proc/PID/{cgroup,mountinfo,environ}, its
    /// root for the rest. `eval "$(instance-id detect --pid "$(pidof app)" --format env)"`
    /// then names what the running app reports.
    #[arg(long, value_name = "PID")]
    pid: Option<u32>,
    /// The strategy tried first: container, cgroup, mountinfo, podman, kubernetes, ecs,
    /// platform, env(NAME), file(/PATH), hostname, process, machine_id, random.
    #[arg(long, value_name = "S", default_value_t = Strategy::default(), value_parser = parse_strategy)]
    strategy: Strategy,
    /// Strategies tried in order when everything before failed, comma-separated
    /// ("" for none) [default: kubernetes,ecs,platform,process, less any that would
    /// repeat --strategy or follow process or random]
    #[arg(long, value_name = "S,S…", value_parser = parse_fallback)]
    fallback: Option<Fallback>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print every attempt and why it failed; with --format otel, every attribute left
    /// out (a value longer than an id may be) and why, on stderr.
    #[arg(long)]
    explain: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The id alone (a table with --explain).
    Text,
    /// `{"id", "source", "runtime", "attempts"}`.
    Json,
    /// `INSTANCE_ID=…`, `INSTANCE_ID_SOURCE=…`, `INSTANCE_ID_RUNTIME=…`, quoted for `eval`.
    Env,
    /// The value of `OTEL_RESOURCE_ATTRIBUTES` (OpenTelemetry semantic conventions:
    /// service.instance.id is the UUID v5 of the id, as `otel-id` prints it).
    Otel,
}

/// A newtype so that clap takes the whole list as one value.
#[derive(Clone)]
struct Fallback(Vec<Strategy>);

fn parse_strategy(text: &str) -> Result<Strategy, ConfigError> {
    text.parse()
}

fn parse_fallback(text: &str) -> Result<Fallback, ConfigError> {
    Strategy::parse_list(text).map(Fallback)
}

pub fn run(args: DetectArgs) -> ExitCode {
    let chain = match args.fallback {
        Some(fallback) => Chain::new(args.strategy, fallback.0),
        None => Ok(Chain::with_default_fallback(args.strategy)),
    };
    let chain = match chain {
        Ok(chain) => chain,
        Err(err) => return crate::usage(format!("invalid chain: {err}")),
    };
    let view = match (&args.root, args.pid) {
        (Some(root), _) if !root.is_dir() => {
            return crate::usage(format!("--root {} is not a directory", root.display()))
        }
        (Some(root), _) => SystemView::snapshot(root),
        (None, Some(pid)) if !std::path::Path::new(&format!("/proc/{pid}")).is_dir() => {
            return crate::usage(format!("--pid {pid}: no such process"))
        }
        (None, Some(pid)) => SystemView::of_process(pid),
        (None, None) => SystemView::live(),
    };
    let result = detect(&chain, &view);
    let code = if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    let text = match (args.format, &result) {
        (Format::Env, Ok(detection)) => {
            let runtime = detection.runtime.map(|r| r.as_str()).unwrap_or("");
            format!(
                "INSTANCE_ID={}\nINSTANCE_ID_SOURCE={}\nINSTANCE_ID_RUNTIME={}\n",
                shell_quote(detection.id.as_str()),
                shell_quote(&detection.source),
                shell_quote(runtime)
            )
        }
        (Format::Otel, Ok(detection)) => {
            let attributes = ResourceAttributes::new(detection, &view);
            if args.explain {
                // On stderr: stdout stays the variable's value, for `export`.
                for omitted in &attributes.omitted {
                    output::warn(&omitted.to_string());
                }
            }
            format!("{}\n", attributes.to_otel_env())
        }
        (Format::Json, _) => match json(&result) {
            Ok(text) => text,
            Err(err) => {
                output::warn(&format!("cannot write JSON: {err}"));
                return ExitCode::FAILURE;
            }
        },
        (Format::Text, Ok(detection)) if args.explain => format!(
            "{}\n\n{}\n{}\n",
            safe(&detection.summary()),
            table(&detection.attempts),
            detection.id
        ),
        (Format::Text, Ok(detection)) => format!("{}\n", detection.id),
        (Format::Text | Format::Env | Format::Otel, Err(none)) => {
            output::warn(&format!(
                "no strategy found an instance id\n\n{}",
                table(&none.attempts).trim_end()
            ));
            return code;
        }
    };
    output::finish(&text, code)
}

/// `{"id", "source", "runtime", "attempts"}`, with `null`s when the chain found
/// nothing. The reasons are the system's text as it is: the encoder escapes what JSON
/// must, and a program reads it exactly.
fn json(result: &Result<Detection, instance_id::NoInstanceId>) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&DetectionReport::from(result)).map(|text| text + "\n")
}

/// One line per attempt, columns aligned: a person reads it top to bottom.
fn table(attempts: &[Attempt]) -> String {
    let width = attempts
        .iter()
        .map(|a| a.strategy.len())
        .chain(["strategy".len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("  {:<width$}  {:<11}  why\n", "strategy", "outcome");
    for attempt in attempts {
        let reason = match attempt.outcome {
            Outcome::NotReached => "",
            _ => attempt.reason.as_str(),
        };
        // Reasons quote mount tables and files as they are: escaped for the terminal.
        out.push_str(&format!(
            "  {:<width$}  {:<11}  {}\n",
            safe(&attempt.strategy),
            attempt.outcome.as_str().replace('_', " "),
            safe(reason),
        ));
    }
    out
}

/// Single quotes make every character literal to a POSIX shell; a quote inside is
/// closed, escaped and reopened.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}
