//! Where the instance runs, as far as detection can tell.

use std::fmt;

/// The runtime or platform a detection names (`runtime` in the identity route's JSON).
///
/// Inside a Kubernetes pod it is `kubernetes`, whichever container runtime the node
/// uses: the pod is what an operator looks for.
///
/// ```
/// assert_eq!(instance_id::Runtime::CriO.to_string(), "cri-o");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(into = "&'static str"))]
#[non_exhaustive]
pub enum Runtime {
    /// Docker (Moby), any cgroup driver.
    Docker,
    /// Podman.
    Podman,
    /// containerd outside Kubernetes.
    Containerd,
    /// CRI-O outside Kubernetes.
    CriO,
    /// A Kubernetes pod.
    Kubernetes,
    /// Amazon ECS, on EC2 or Fargate.
    Ecs,
    /// LXC.
    Lxc,
    /// Cloud Foundry's Garden.
    Garden,
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

impl Runtime {
    /// The lower-case name used in logs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Docker => "docker",
            Runtime::Podman => "podman",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Kubernetes => "kubernetes",
            Runtime::Ecs => "ecs",
            Runtime::Lxc => "lxc",
            Runtime::Garden => "garden",
            Runtime::Nomad => "nomad",
            Runtime::Fly => "fly",
            Runtime::CloudFoundry => "cloudfoundry",
            Runtime::Heroku => "heroku",
            Runtime::Render => "render",
            Runtime::Railway => "railway",
            Runtime::AzureAppService => "azure-app-service",
            Runtime::AppEngine => "app-engine",
            Runtime::AwsLambda => "aws-lambda",
        }
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
