//! `platform`: what a hosting platform says about the instance, in its environment.

use super::{env_or_reason, Evidence};
use crate::engine::runtime::Runtime;
use crate::engine::variables;
use crate::engine::view::SystemView;

/// Each platform's per-instance variable. The first one set decides.
///
/// | platform | variable | what it names |
/// |---|---|---|
/// | Fly.io | `FLY_MACHINE_ID` | the Machine (`FLY_ALLOC_ID` on older apps) |
/// | HashiCorp Nomad | `NOMAD_ALLOC_ID` | the allocation (a UUID) |
/// | Cloud Foundry | `CF_INSTANCE_GUID` | the app instance |
/// | Heroku | `DYNO` | the dyno (`web.1`) |
/// | Render | `RENDER_INSTANCE_ID` | the instance |
/// | Railway | `RAILWAY_REPLICA_ID` | the replica |
/// | Azure App Service | `WEBSITE_INSTANCE_ID` | the worker instance |
/// | Google App Engine | `GAE_INSTANCE` | the instance |
/// | AWS Lambda | `AWS_LAMBDA_LOG_STREAM_NAME` | the execution environment |
pub(crate) const VARIABLES: [(&str, Runtime); 10] = [
    ("FLY_MACHINE_ID", Runtime::Fly),
    ("FLY_ALLOC_ID", Runtime::Fly),
    (variables::NOMAD_ALLOC_ID, Runtime::Nomad),
    ("CF_INSTANCE_GUID", Runtime::CloudFoundry),
    ("DYNO", Runtime::Heroku),
    ("RENDER_INSTANCE_ID", Runtime::Render),
    ("RAILWAY_REPLICA_ID", Runtime::Railway),
    ("WEBSITE_INSTANCE_ID", Runtime::AzureAppService),
    ("GAE_INSTANCE", Runtime::AppEngine),
    ("AWS_LAMBDA_LOG_STREAM_NAME", Runtime::AwsLambda),
];

pub(crate) fn find(view: &SystemView) -> Result<Evidence, String> {
    for (name, runtime) in VARIABLES {
        if let Some(value) = env_or_reason(view, name)? {
            return Ok(Evidence::new(value, Some(runtime), format!("${name}")));
        }
    }
    Err(format!(
        "no platform variable is set ({})",
        VARIABLES.map(|(name, _)| name).join(", ")
    ))
}
