//! `instance-id otel-id`: the `service.instance.id` that an id's telemetry carries.

use std::process::ExitCode;

use instance_id::{service_instance_id, InstanceId};

use crate::text::excerpt;

#[derive(clap::Args)]
pub struct OtelIdArgs {
    /// The instance id, whole, as `detect` prints it (not its short or hashed form).
    id: String,
}

pub fn run(args: OtelIdArgs) -> ExitCode {
    match InstanceId::new(&args.id) {
        Ok(id) => crate::output::finish(
            &format!("{}\n", service_instance_id(&id)),
            ExitCode::SUCCESS,
        ),
        // The argument may be anything pasted: quoted back bounded, not whole.
        Err(rule) => crate::usage(format!(
            "{} is not an instance id: {rule}",
            excerpt(&args.id)
        )),
    }
}
