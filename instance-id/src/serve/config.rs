//! What `#[instance_route]` says, as a value, what can be checked of it before
//! detection (with the grammar's rules, the same that the attribute checks at compile
//! time), and the start: detect once, expose, render.

use std::borrow::Cow;
use std::sync::Arc;

use instance_id_grammar::{self as grammar, Error as ConfigError, DEFAULT_HEADER};

use crate::engine::chain::Chain;
use crate::engine::detect::{detect, NoInstanceId};
use crate::engine::strategy::Strategy;
use crate::engine::view::SystemView;
use crate::identity::expose::{Expose, ExposeExt, HashKeyError};
use crate::otel::attributes::ResourceAttributes;
use crate::serve::instance::Instance;
use crate::serve::rendered::Rendered;

/// Why the identity could not be had at start-up: a Rocket's launch fails with it, an
/// Axum app stops there, and the hand-written API returns it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration breaks a rule of the grammar.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No strategy of the chain found an id.
    #[error(transparent)]
    NoId(#[from] NoInstanceId),
    /// `expose = hashed("ENV")` has no key.
    #[error(transparent)]
    HashKey(#[from] HashKeyError),
}

/// What `#[instance_route]` says, as a value: the route's path, the chain, the header,
/// what is exposed, the app's version.
///
/// ```
/// use instance_id::{Expose, InstanceConfig, Strategy, SystemView};
///
/// let config = InstanceConfig::new("/inst")
///     .strategy(Strategy::Container)
///     .fallback([Strategy::Kubernetes, Strategy::Process])
///     .header("X-Served-By")
///     .expose(Expose::Short)
///     .version(env!("CARGO_PKG_VERSION"));
///
/// // What a framework's adapter does at start-up:
/// let view = SystemView::snapshot("/nonexistent").with_env([("POD_NAME", "web-7d9f")]);
/// assert_eq!(config.view(view).start()?.id(), "web-7d9f");
/// # Ok::<(), instance_id::StartError>(())
/// ```
///
/// With Rocket it goes into an [`InstanceFairing`](crate::InstanceFairing)
/// (`rocket::build().attach(InstanceFairing::new(config))`).
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    path: String,
    strategy: Strategy,
    /// `None`: the default fallback for `strategy` ([`Chain::with_default_fallback`]).
    fallback: Option<Vec<Strategy>>,
    header: Option<String>,
    expose: Expose,
    version: Option<&'static str>,
    view: Option<SystemView>,
}

impl InstanceConfig {
    /// The defaults for the route at `path`: `container`, then
    /// `[kubernetes, ecs, platform, process]`, header `X-Instance-Id`, the full id.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            strategy: Strategy::default(),
            fallback: None,
            header: Some(DEFAULT_HEADER.to_owned()),
            expose: Expose::Full,
            version: None,
            view: None,
        }
    }

    /// The strategy tried first.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The strategies tried in order when everything before failed. Unless this is
    /// called, the fallback is [`Chain::with_default_fallback`]'s.
    pub fn fallback(mut self, fallback: impl IntoIterator<Item = Strategy>) -> Self {
        self.fallback = Some(fallback.into_iter().collect());
        self
    }

    /// The response header that carries the exposed id.
    pub fn header(mut self, name: impl Into<String>) -> Self {
        self.header = Some(name.into());
        self
    }

    /// No header on responses (`header = false`).
    pub fn no_header(mut self) -> Self {
        self.header = None;
        self
    }

    /// What is shown of the id.
    pub fn expose(mut self, expose: Expose) -> Self {
        self.expose = expose;
        self
    }

    /// The app's version for the JSON form (`env!("CARGO_PKG_VERSION")`).
    pub fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// Detect against this view instead of the live system (tests, demos).
    pub fn view(mut self, view: SystemView) -> Self {
        self.view = Some(view);
        self
    }

    /// The identity route's path, as given.
    ///
    /// ```
    /// assert_eq!(instance_id::InstanceConfig::new("/inst").path(), "/inst");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Checks the configuration, detects the identity (reading files, and asking the
    /// ECS endpoint where the chain says so: call it where blocking is allowed), and
    /// renders once what every response will carry. The frameworks' adapters call it
    /// at start-up; so may an app that serves the identity its own way.
    ///
    /// ```
    /// use instance_id::{InstanceConfig, Strategy, SystemView};
    ///
    /// let view = SystemView::snapshot("/nonexistent");
    /// let err = InstanceConfig::new("/inst")
    ///     .strategy(Strategy::env("NOPE"))
    ///     .fallback([])
    ///     .view(view)
    ///     .start()
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("no strategy found an instance id"));
    /// ```
    pub fn start(&self) -> Result<Instance, StartError> {
        let chain = self.validated_chain()?;
        let view: &SystemView = &self
            .view
            .as_ref()
            .map_or_else(|| Cow::Owned(SystemView::live()), Cow::Borrowed);
        let detection = detect(&chain, view)?;
        let key = self
            .expose
            .key_env()
            .map(|env| view.hash_key(env))
            .transpose()?;
        let exposed = self.expose.render(&detection.id, key)?;
        let resource = ResourceAttributes::new(&detection, view);
        Ok(Instance(Arc::new(Rendered::new(
            self.path.clone(),
            detection,
            resource,
            exposed,
            self.header.as_deref(),
            self.version,
        ))))
    }

    /// Every rule that can be checked before detection, and the chain they allow: the
    /// first broken rule is the error.
    fn validated_chain(&self) -> Result<Chain, ConfigError> {
        grammar::route_path(&self.path)?;
        if let Some(name) = &self.header {
            grammar::header_name(name)?;
        }
        self.expose.validate()?;
        match &self.fallback {
            Some(fallback) => Chain::new(self.strategy.clone(), fallback.iter().cloned()),
            None => {
                self.strategy.validate()?;
                Ok(Chain::with_default_fallback(self.strategy.clone()))
            }
        }
    }
}
