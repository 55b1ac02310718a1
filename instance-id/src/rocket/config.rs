//! What `#[instance_route]` says, as a value, and what can be checked of it before
//! detection: with the grammar's rules, the same that the attribute checks at compile
//! time.

use instance_id_grammar::{self as grammar, Error as ConfigError};

use crate::engine::chain::Chain;
use crate::engine::strategy::Strategy;
use crate::engine::view::SystemView;
use crate::identity::expose::Expose;
use crate::identity::DEFAULT_HEADER;

/// What `#[instance_route]` says, as a value: the route's path, the chain, the header,
/// what is exposed, the app's version.
///
/// ```
/// use instance_id::{Expose, InstanceConfig, InstanceFairing, Strategy};
///
/// let rocket = rocket::build().attach(InstanceFairing::new(
///     InstanceConfig::new("/inst")
///         .strategy(Strategy::Container)
///         .fallback([Strategy::Kubernetes, Strategy::Process])
///         .header("X-Served-By")
///         .expose(Expose::Short)
///         .version(env!("CARGO_PKG_VERSION")),
/// ));
/// # let _ = rocket;
/// ```
#[derive(Debug, Clone)]
pub struct InstanceConfig {
    pub(crate) path: String,
    strategy: Strategy,
    /// `None`: the default fallback for `strategy` ([`Chain::with_default_fallback`]).
    fallback: Option<Vec<Strategy>>,
    pub(crate) header: Option<String>,
    pub(crate) expose: Expose,
    pub(crate) version: Option<&'static str>,
    pub(crate) view: Option<SystemView>,
}

impl InstanceConfig {
    /// The defaults for the route at `path`: `container`, then
    /// `[kubernetes, ecs, platform, process]`, header `X-Instance-Id`, the full id.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            strategy: Strategy::Container,
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

    /// Everything that can be checked before detection: the first broken rule.
    pub(crate) fn check(&self) -> Result<Chain, ConfigError> {
        grammar::route_path(&self.path)?;
        if let Some(name) = &self.header {
            grammar::header_name(name)?;
        }
        if let Expose::Hashed { key_env } = &self.expose {
            grammar::env_name(key_env)?;
        }
        match &self.fallback {
            Some(fallback) => Chain::new(self.strategy.clone(), fallback.iter().cloned()),
            None => {
                self.strategy.validate()?;
                Ok(Chain::with_default_fallback(self.strategy.clone()))
            }
        }
    }
}
