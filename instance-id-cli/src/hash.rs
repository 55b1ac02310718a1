//! `instance-id hash` (SPEC §6): what `expose = hashed("ENV")` shows for an id.

use std::process::ExitCode;

use instance_id::{validate_env_name, Expose, InstanceId, SystemView};

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
    let hashed = validate_env_name(&args.key_env)
        .and_then(|()| {
            InstanceId::new(&args.id)
                .map_err(|rule| format!("{:?} is not an instance id: {rule}", args.id))
        })
        .and_then(|id| Expose::hashed(&args.key_env).render(&id, &view));
    match hashed {
        Ok(hex) => {
            println!("{hex}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("instance-id: {err}");
            ExitCode::from(2)
        }
    }
}
