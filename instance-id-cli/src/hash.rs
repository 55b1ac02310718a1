//! `instance-id hash`: what `expose = hashed("ENV")` shows for an id.

use std::process::ExitCode;

use instance_id::{Expose, ExposeExt, InstanceId, SystemView};

use crate::text::excerpt;

#[derive(clap::Args)]
pub struct HashArgs {
    /// The environment variable that holds the key (the app's hashed("ENV")).
    #[arg(long, value_name = "ENV")]
    key_env: String,
    /// The instance id, as `detect` prints it.
    id: String,
}

pub fn run(args: HashArgs) -> ExitCode {
    let view = SystemView::live();
    let hashed = InstanceId::new(&args.id)
        .map_err(|rule| {
            // The argument may be anything pasted: quoted back bounded, not whole.
            format!("{} is not an instance id: {rule}", excerpt(&args.id))
        })
        .and_then(|id| {
            let key = view
                .hash_key(&args.key_env)
                .map_err(|err| err.to_string())?;
            Expose::hashed(&args.key_env)
                .render(&id, Some(key))
                .map_err(|err| err.to_string())
        });
    match hashed {
        Ok(hex) => crate::output::finish(&format!("{hex}\n"), ExitCode::SUCCESS),
        Err(err) => crate::usage(err),
    }
}
