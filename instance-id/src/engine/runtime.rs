//! Where the instance runs, as far as detection can tell: a container runtime, or a
//! platform that runs the instance itself.

use std::fmt;

/// What a detection says the instance runs on (`runtime` in the identity route's
/// JSON): the [`ContainerRuntime`] that made its container, or the [`Platform`] that
/// runs it.
///
/// Inside a Kubernetes pod it is the platform, `kubernetes`, whichever container
/// runtime the node uses: the pod is what an operator looks for.
///
/// ```
/// use instance_id::{ContainerRuntime, Platform, Runtime};
///
/// assert_eq!(Runtime::from(ContainerRuntime::CriO).to_string(), "cri-o");
/// assert_eq!(Runtime::Platform(Platform::Kubernetes).to_string(), "kubernetes");
/// assert_eq!(Runtime::from(ContainerRuntime::Lxc).container(), Some(ContainerRuntime::Lxc));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(into = "&'static str"))]
#[non_exhaustive]
pub enum Runtime {
    /// A container runtime made the instance's container.
    Container(ContainerRuntime),
    /// A platform runs the instance and names it.
    Platform(Platform),
}

/// A container runtime: what makes a container and lays out its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContainerRuntime {
    /// Docker (Moby), any cgroup driver.
    Docker,
    /// Podman.
    Podman,
    /// containerd outside Kubernetes (`ctr`, nerdctl).
    Containerd,
    /// CRI-O outside Kubernetes.
    CriO,
    /// LXC, and LXD and Incus, which run their containers with LXC.
    Lxc,
    /// Cloud Foundry's Garden.
    Garden,
}

/// A platform: an orchestrator or host that runs the instance and names it itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Platform {
    /// A Kubernetes pod.
    Kubernetes,
    /// Amazon ECS, on EC2 or Fargate.
    Ecs,
    /// HashiCorp Nomad.
    Nomad,
    /// Fly.io.
    Fly,
    /// Cloud Foundry.
    CloudFoundry,
    /// Heroku.
    Heroku,
    /// Render.
    Render,
    /// Railway.
    Railway,
    /// Azure App Service.
    AzureAppService,
    /// Google App Engine.
    AppEngine,
    /// AWS Lambda.
    AwsLambda,
}

/// The names `Runtime` had when it was one flat list, kept so that code written
/// against them (`Runtime::Docker`, in expressions and patterns) still compiles.
#[allow(non_upper_case_globals)]
impl Runtime {
    /// [`ContainerRuntime::Docker`].
    pub const Docker: Runtime = Runtime::Container(ContainerRuntime::Docker);
    /// [`ContainerRuntime::Podman`].
    pub const Podman: Runtime = Runtime::Container(ContainerRuntime::Podman);
    /// [`ContainerRuntime::Containerd`].
    pub const Containerd: Runtime = Runtime::Container(ContainerRuntime::Containerd);
    /// [`ContainerRuntime::CriO`].
    pub const CriO: Runtime = Runtime::Container(ContainerRuntime::CriO);
    /// [`ContainerRuntime::Lxc`].
    pub const Lxc: Runtime = Runtime::Container(ContainerRuntime::Lxc);
    /// [`ContainerRuntime::Garden`].
    pub const Garden: Runtime = Runtime::Container(ContainerRuntime::Garden);
    /// [`Platform::Kubernetes`].
    pub const Kubernetes: Runtime = Runtime::Platform(Platform::Kubernetes);
    /// [`Platform::Ecs`].
    pub const Ecs: Runtime = Runtime::Platform(Platform::Ecs);
    /// [`Platform::Nomad`].
    pub const Nomad: Runtime = Runtime::Platform(Platform::Nomad);
    /// [`Platform::Fly`].
    pub const Fly: Runtime = Runtime::Platform(Platform::Fly);
    /// [`Platform::CloudFoundry`].
    pub const CloudFoundry: Runtime = Runtime::Platform(Platform::CloudFoundry);
    /// [`Platform::Heroku`].
    pub const Heroku: Runtime = Runtime::Platform(Platform::Heroku);
    /// [`Platform::Render`].
    pub const Render: Runtime = Runtime::Platform(Platform::Render);
    /// [`Platform::Railway`].
    pub const Railway: Runtime = Runtime::Platform(Platform::Railway);
    /// [`Platform::AzureAppService`].
    pub const AzureAppService: Runtime = Runtime::Platform(Platform::AzureAppService);
    /// [`Platform::AppEngine`].
    pub const AppEngine: Runtime = Runtime::Platform(Platform::AppEngine);
    /// [`Platform::AwsLambda`].
    pub const AwsLambda: Runtime = Runtime::Platform(Platform::AwsLambda);
}

impl Runtime {
    /// The lower-case name used in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Container(runtime) => runtime.as_str(),
            Runtime::Platform(platform) => platform.as_str(),
        }
    }

    /// The container runtime, where it is one (not inside a platform's answer).
    pub fn container(self) -> Option<ContainerRuntime> {
        match self {
            Runtime::Container(runtime) => Some(runtime),
            Runtime::Platform(_) => None,
        }
    }

    /// The platform, where it is one.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Runtime::Platform(platform) => Some(platform),
            Runtime::Container(_) => None,
        }
    }
}

impl ContainerRuntime {
    /// The lower-case name used in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerRuntime::Docker => "docker",
            ContainerRuntime::Podman => "podman",
            ContainerRuntime::Containerd => "containerd",
            ContainerRuntime::CriO => "cri-o",
            ContainerRuntime::Lxc => "lxc",
            ContainerRuntime::Garden => "garden",
        }
    }
}

impl Platform {
    /// The lower-case name used in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Kubernetes => "kubernetes",
            Platform::Ecs => "ecs",
            Platform::Nomad => "nomad",
            Platform::Fly => "fly",
            Platform::CloudFoundry => "cloudfoundry",
            Platform::Heroku => "heroku",
            Platform::Render => "render",
            Platform::Railway => "railway",
            Platform::AzureAppService => "azure-app-service",
            Platform::AppEngine => "app-engine",
            Platform::AwsLambda => "aws-lambda",
        }
    }
}

impl From<ContainerRuntime> for Runtime {
    fn from(runtime: ContainerRuntime) -> Self {
        Runtime::Container(runtime)
    }
}

impl From<Platform> for Runtime {
    fn from(platform: Platform) -> Self {
        Runtime::Platform(platform)
    }
}

impl From<Runtime> for &'static str {
    fn from(runtime: Runtime) -> Self {
        runtime.as_str()
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for ContainerRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_former_names_are_the_same_values_and_match_in_patterns() {
        assert_eq!(Runtime::Docker, Runtime::from(ContainerRuntime::Docker));
        assert_eq!(Runtime::Kubernetes.platform(), Some(Platform::Kubernetes));
        let container = |runtime: Runtime| matches!(runtime, Runtime::Podman | Runtime::Lxc);
        assert!(container(ContainerRuntime::Lxc.into()));
        assert!(!container(Platform::Nomad.into()));
        assert_eq!(Runtime::AzureAppService.as_str(), "azure-app-service");
    }
}
