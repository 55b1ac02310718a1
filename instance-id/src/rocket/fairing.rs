//! The fairing: detects the identity once at ignite, mounts the identity route, and
//! names the instance on every response.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Header, Method};
use rocket::{Build, Request, Response, Rocket, Route};

use crate::rocket::catcher;
use crate::rocket::route::IdentityRoute;
use crate::{Instance, InstanceConfig, StartError, WithInstance};

/// Why a Rocket with the fairing did not launch; logged as the launch fails.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LaunchError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("instance-id is attached twice; attach one InstanceFairing")]
    AttachedTwice,
    #[error("the identity route GET {path} collides with the app's route {name} (GET {uri}); choose another path for #[instance_route]")]
    Collision {
        path: String,
        name: String,
        uri: String,
    },
    #[error("detection did not finish: {0}")]
    Interrupted(String),
}

/// The fairing: detects at ignite, mounts the identity route, manages [`Instance`],
/// counts the responses and puts the header on every one.
///
/// ```
/// use instance_id::{InstanceConfig, InstanceFairing, SystemView};
/// use rocket::local::blocking::Client;
///
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// let rocket = rocket::build()
///     .attach(InstanceFairing::new(InstanceConfig::new("/inst").view(view)));
/// let client = Client::tracked(rocket).expect("launches");
///
/// let response = client.get("/inst").dispatch();
/// assert_eq!(response.headers().get_one("X-Instance-Id"), Some("web-7d9f"));
/// assert_eq!(response.into_string().as_deref(), Some("web-7d9f\n"));
/// ```
pub struct InstanceFairing {
    config: InstanceConfig,
    /// The identity and its header, leaked once per launch so that every response
    /// reuses it without allocating.
    started: OnceLock<(Instance, Option<Header<'static>>)>,
    told_of_handler_header: AtomicBool,
}

impl InstanceFairing {
    /// The fairing for this configuration.
    pub fn new(config: InstanceConfig) -> Self {
        Self {
            config,
            started: OnceLock::new(),
            told_of_handler_header: AtomicBool::new(false),
        }
    }

    async fn ignite(&self, rocket: &Rocket<Build>) -> Result<Instance, LaunchError> {
        if rocket.state::<Instance>().is_some() {
            return Err(LaunchError::AttachedTwice);
        }
        let path = self.config.path();
        if let Some(route) = rocket
            .routes()
            .find(|r| r.method == Method::Get && r.uri.path() == path)
        {
            return Err(LaunchError::Collision {
                path: path.to_owned(),
                name: route.name.as_deref().unwrap_or("<unnamed>").to_owned(),
                uri: route.uri.to_string(),
            });
        }
        let config = self.config.clone();
        // Strategies read files and may wait on the ECS endpoint: not on the executor.
        let instance = rocket::tokio::task::spawn_blocking(move || config.start())
            .await
            .map_err(|err| LaunchError::Interrupted(err.to_string()))??;
        Ok(instance)
    }
}

/// What `#[instance_route]` expands to on a Rocket: the fairing attached.
impl WithInstance for Rocket<Build> {
    fn with_instance(self, config: InstanceConfig) -> Self {
        self.attach(InstanceFairing::new(config))
    }
}

#[rocket::async_trait]
impl Fairing for InstanceFairing {
    fn info(&self) -> Info {
        Info {
            name: "instance-id",
            kind: Kind::Ignite | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        match self.ignite(&rocket).await {
            Ok(instance) => {
                rocket::info!("{}", instance.detection().summary());
                // A fairing ignites once per Rocket; a second ignite keeps the first.
                let (instance, header) = self.started.get_or_init(|| {
                    let header = instance.header().map(|(name, value)| {
                        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
                        let value: &'static str = Box::leak(value.to_owned().into_boxed_str());
                        Header::new(name, value)
                    });
                    (instance, header)
                });
                let mut route = Route::new(
                    Method::Get,
                    instance.path(),
                    IdentityRoute(instance.clone()),
                );
                route.name = Some("instance_id".into());
                let rocket = rocket.manage(instance.clone()).mount("/", vec![route]);
                Ok(match header {
                    Some(header) => catcher::register(rocket, header),
                    None => rocket,
                })
            }
            Err(err) => {
                rocket::error!("instance-id: {err}");
                Err(rocket)
            }
        }
    }

    async fn on_response<'r>(&self, _: &'r Request<'_>, response: &mut Response<'r>) {
        let Some((instance, header)) = self.started.get() else {
            return;
        };
        // One fairing call per request, counting and naming together.
        instance.count_response();
        let Some(header) = header else {
            return;
        };
        let present = response.headers().get_one(header.name().as_str());
        if present == Some(header.value()) {
            // Set by the 400 catcher this fairing registers.
            return;
        }
        if present.is_some() {
            // The handler's own value wins, as Rocket's Shield leaves a set header be.
            if !self.told_of_handler_header.swap(true, Ordering::Relaxed) {
                rocket::warn!(
                    "instance-id: a handler set {} itself; its value is kept",
                    header.name()
                );
            }
            return;
        }
        response.set_header(header.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::strategy::Strategy;
    use crate::engine::view::SystemView;
    use crate::identity::expose::Expose;

    fn pod_view() -> SystemView {
        SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")])
    }

    async fn ignite(config: InstanceConfig, rocket: Rocket<Build>) -> Result<Instance, String> {
        InstanceFairing::new(config)
            .ignite(&rocket)
            .await
            .map_err(|err| err.to_string())
    }

    #[rocket::async_test]
    async fn a_route_at_the_path_is_named_in_the_error() {
        #[rocket::get("/inst")]
        fn mine() -> &'static str {
            "mine"
        }
        let rocket = rocket::build().mount("/", rocket::routes![mine]);
        let err = ignite(InstanceConfig::new("/inst").view(pod_view()), rocket)
            .await
            .expect_err("a collision");
        assert!(err.contains("GET /inst"), "{err}");
        assert!(err.contains("mine"), "{err}");
    }

    #[rocket::async_test]
    async fn attached_twice_fails_the_launch() {
        let config = || InstanceConfig::new("/inst").view(pod_view());
        let rocket = rocket::build()
            .attach(InstanceFairing::new(config()))
            .attach(InstanceFairing::new(config().header("X-Other")));
        let err = match rocket.ignite().await {
            Ok(_) => panic!("two fairings launched"),
            Err(err) => err,
        };
        assert!(
            matches!(err.kind(), rocket::error::ErrorKind::FailedFairings(f) if f.iter().any(|f| f.name == "instance-id")),
            "{err:?}"
        );
        // The reason, as the second fairing logs it.
        let first = rocket::build().manage(
            InstanceConfig::new("/inst")
                .view(pod_view())
                .start()
                .expect("a pod"),
        );
        let err = ignite(config(), first)
            .await
            .expect_err("an Instance is managed already");
        assert_eq!(
            err,
            "instance-id is attached twice; attach one InstanceFairing"
        );
    }

    #[rocket::async_test]
    async fn mistakes_in_a_hand_written_config_fail_the_launch() {
        for (config, expected) in [
            (InstanceConfig::new("inst"), "must be absolute"),
            (InstanceConfig::new("/inst/<id>"), "takes no parameters"),
            (
                InstanceConfig::new("/inst").header("X Id"),
                "not a valid HTTP header name",
            ),
            (
                InstanceConfig::new("/inst")
                    .strategy(Strategy::Random)
                    .fallback([Strategy::Hostname]),
                "always succeeds",
            ),
            (
                InstanceConfig::new("/inst").strategy(Strategy::env("1X")),
                "not an environment variable name",
            ),
            (
                InstanceConfig::new("/inst").expose(Expose::hashed("1KEY")),
                "not an environment variable name",
            ),
            (
                InstanceConfig::new("/inst").expose(Expose::hashed("INSTANCE_ID_TEST_NO_KEY")),
                "the hash key $INSTANCE_ID_TEST_NO_KEY is not set",
            ),
            (
                InstanceConfig::new("/inst")
                    .strategy(Strategy::env("NOPE"))
                    .fallback([]),
                "no strategy found an instance id",
            ),
        ] {
            let err = ignite(config.view(pod_view()), rocket::build())
                .await
                .expect_err("a failed launch");
            assert!(err.contains(expected), "{expected:?} not in {err:?}");
        }
    }

    #[rocket::async_test]
    async fn hashed_and_short_ids() {
        let container = "2c25c45c0be47cb4ad31295471f00ea295b4a6f5ce599b5da6ab8bfc5aec1a42";
        let short = |view: SystemView| async {
            let config = InstanceConfig::new("/inst")
                .expose(Expose::Short)
                .view(view);
            ignite(config, rocket::build())
                .await
                .expect("launches")
                .id()
                .to_owned()
        };
        assert_eq!(
            short(pod_view().with_env([("POD_NAME", container)])).await,
            "2c25c45c0be4"
        );
        let view =
            pod_view().with_env([("POD_NAME", "cart-5d8f7b6c9-abcde"), ("INSTANCE_KEY", "k")]);
        // Cut, a pod name would merge two replicas: its short form is itself.
        assert_eq!(short(view.clone()).await, "cart-5d8f7b6c9-abcde");
        let identity = ignite(
            InstanceConfig::new("/inst")
                .expose(Expose::hashed("INSTANCE_KEY"))
                .view(view),
            rocket::build(),
        )
        .await
        .expect("launches");
        assert_eq!(
            identity.id(),
            crate::identity::expose::hash_id(b"k", "cart-5d8f7b6c9-abcde")
        );
        assert_eq!(identity.detection().id.as_str(), "cart-5d8f7b6c9-abcde");
    }
}
