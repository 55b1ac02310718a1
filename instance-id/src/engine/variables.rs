//! The environment variables that the engine reads by name, each spelled once here,
//! and the one table of the variables by which a platform says the process runs on it
//! ([`PLATFORM_VARIABLES`]): what each names, and what each means for the other
//! strategies.

use instance_id_grammar::StrategyName;

use crate::engine::runtime::Platform;

/// The ECS task metadata endpoint v4, which names this container.
pub(crate) const ECS_METADATA_URI_V4: &str = "ECS_CONTAINER_METADATA_URI_V4";
/// Nomad's allocation id.
pub(crate) const NOMAD_ALLOC_ID: &str = "NOMAD_ALLOC_ID";
/// Set by Kubernetes in every container of a pod.
pub(crate) const KUBERNETES_SERVICE_HOST: &str = "KUBERNETES_SERVICE_HOST";
/// What Kubernetes sets to the pod's name.
pub(crate) const HOSTNAME: &str = "HOSTNAME";
/// The downward API's usual names: the pod's name and uid, its namespace, its node.
pub(crate) const POD_NAME: &str = "POD_NAME";
pub(crate) const POD_UID: &str = "POD_UID";
pub(crate) const POD_NAMESPACE: &str = "POD_NAMESPACE";
pub(crate) const NODE_NAME: &str = "NODE_NAME";
/// The runtime's own marker (`container=podman`, `container=lxc`, systemd's convention).
pub(crate) const CONTAINER: &str = "container";

/// A variable by which a platform says the process runs on it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlatformVariable {
    pub name: &'static str,
    pub platform: Platform,
    /// Its value names this instance: the `platform` strategy takes it.
    pub names_instance: bool,
    /// The platform runs each instance beside a sandbox or pause container whose
    /// files a shape no rule knows could be: no agreement is sought there.
    pub beside_sandbox: bool,
    /// The platform runs each task beside a pause container whose namespaces it joins.
    pub pause: Option<PauseContainer>,
}

/// A platform's pause container: why the files it shares name it, and the strategy
/// that asks the platform itself instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PauseContainer {
    pub why: &'static str,
    pub asks: StrategyName,
}

/// Every platform variable the engine reads. The `platform` strategy tries the
/// instance-naming ones in this order; the first one set decides.
///
/// | platform | variable | what it names |
/// |---|---|---|
/// | Kubernetes | `KUBERNETES_SERVICE_HOST` | nothing: it says "in a pod" (`kubernetes` names the pod) |
/// | Amazon ECS | `ECS_CONTAINER_METADATA_URI_V4`, `…_URI` | nothing: the endpoint (`ecs` asks v4) |
/// | Fly.io | `FLY_MACHINE_ID` | the Machine (`FLY_ALLOC_ID` on older apps) |
/// | HashiCorp Nomad | `NOMAD_ALLOC_ID` | the allocation (a UUID) |
/// | Cloud Foundry | `CF_INSTANCE_GUID` | the app instance |
/// | Heroku | `DYNO` | the dyno (`web.1`) |
/// | Render | `RENDER_INSTANCE_ID` | the instance |
/// | Railway | `RAILWAY_REPLICA_ID` | the replica |
/// | Azure App Service | `WEBSITE_INSTANCE_ID` | the worker instance |
/// | Google App Engine | `GAE_INSTANCE` | the instance |
/// | AWS Lambda | `AWS_LAMBDA_LOG_STREAM_NAME` | the execution environment |
pub(crate) const PLATFORM_VARIABLES: [PlatformVariable; 13] = [
    beside_sandbox(KUBERNETES_SERVICE_HOST, Platform::Kubernetes, None),
    beside_sandbox(
        ECS_METADATA_URI_V4,
        Platform::Ecs,
        Some(PauseContainer {
            why: "on ECS (awsvpc tasks) those files belong to the task's pause container, and the task metadata names this container",
            asks: StrategyName::Ecs,
        }),
    ),
    // The v3 endpoint, older agents'; its presence alone says "on ECS".
    beside_sandbox("ECS_CONTAINER_METADATA_URI", Platform::Ecs, None),
    names("FLY_MACHINE_ID", Platform::Fly),
    names("FLY_ALLOC_ID", Platform::Fly),
    PlatformVariable {
        beside_sandbox: true,
        pause: Some(PauseContainer {
            why: "in a Nomad group with bridge networking those files belong to the allocation's pause container, and Nomad names the allocation",
            asks: StrategyName::Platform,
        }),
        ..names(NOMAD_ALLOC_ID, Platform::Nomad)
    },
    names("CF_INSTANCE_GUID", Platform::CloudFoundry),
    names("DYNO", Platform::Heroku),
    names("RENDER_INSTANCE_ID", Platform::Render),
    names("RAILWAY_REPLICA_ID", Platform::Railway),
    names("WEBSITE_INSTANCE_ID", Platform::AzureAppService),
    names("GAE_INSTANCE", Platform::AppEngine),
    names("AWS_LAMBDA_LOG_STREAM_NAME", Platform::AwsLambda),
];

/// A variable whose value names the instance.
const fn names(name: &'static str, platform: Platform) -> PlatformVariable {
    PlatformVariable {
        name,
        platform,
        names_instance: true,
        beside_sandbox: false,
        pause: None,
    }
}

/// A variable that says only where the process runs, on a platform with sandboxes.
const fn beside_sandbox(
    name: &'static str,
    platform: Platform,
    pause: Option<PauseContainer>,
) -> PlatformVariable {
    PlatformVariable {
        name,
        platform,
        names_instance: false,
        beside_sandbox: true,
        pause,
    }
}
