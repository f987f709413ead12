//! Building an [`Authorizer`]: policy, key source and options, checked once.

use std::sync::Arc;

use tollgate_policy::{ClaimsRule, Family, Policy};
use tollgate_schema::{AkashValidator, FilecoinValidator};
use tollgate_verify::{Algorithm, HmacSecret, KeyResolver, Limits, Verifier};

use crate::Authorizer;
use crate::authorizer::{ClaimsValidator, KeySource};
use crate::cache::ClaimsCache;
use crate::clock::{Clock, SystemClock};

/// Bounds of the verified-claims cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    /// The most tokens kept at once (default 10 000).
    pub max_entries: usize,
    /// About the most bytes kept at once, tokens and claims together (default 32 MiB).
    pub max_bytes: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            max_entries: 10_000,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Why an [`Authorizer`] could not be built.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum BuildError {
    /// An Akash policy needs a way to find issuers' public keys.
    #[error("policy `{policy}` verifies Akash tokens but no key source was given")]
    #[diagnostic(
        code(tollgate::key_source_missing),
        help("pass `--keys FILE` or call `AuthorizerBuilder::key_resolver`")
    )]
    KeySourceMissing {
        /// The policy name.
        policy: String,
    },
    /// A Filecoin policy needs the node's HMAC secret.
    #[error("policy `{policy}` verifies Filecoin tokens but no node secret was given")]
    #[diagnostic(
        code(tollgate::secret_missing),
        help("pass `--secret FILE` or call `AuthorizerBuilder::hmac_secret`")
    )]
    SecretMissing {
        /// The policy name.
        policy: String,
    },
    /// A key source of the wrong family was given.
    #[error("policy `{policy}` verifies {family} tokens, which cannot use {given}")]
    #[diagnostic(
        code(tollgate::key_source_mismatch),
        help(
            "Akash policies take public keys (`--keys`), Filecoin policies a node secret (`--secret`)"
        )
    )]
    KeySourceMismatch {
        /// The policy name.
        policy: String,
        /// The policy's token family.
        family: &'static str,
        /// What was given instead.
        given: &'static str,
    },
    /// The policy's algorithm list is unusable.
    #[error("policy `{policy}` has an unusable algorithm list: {source}")]
    #[diagnostic(code(tollgate::algorithms))]
    Algorithms {
        /// The policy name.
        policy: String,
        /// The verifier's complaint.
        source: tollgate_verify::VerifierConfigError,
    },
    /// The embedded claims schema failed to compile.
    #[error("the claims schema failed to compile: {0}")]
    #[diagnostic(code(tollgate::schema))]
    Schema(#[from] tollgate_schema::SchemaSetupError),
}

/// Configures and builds an [`Authorizer`].
pub struct AuthorizerBuilder {
    policy: Policy,
    resolver: Option<Arc<dyn KeyResolver>>,
    secret: Option<HmacSecret>,
    provider: String,
    clock: Arc<dyn Clock>,
    limits: Limits,
    cache: Option<CacheConfig>,
}

impl AuthorizerBuilder {
    pub(crate) fn new(policy: Policy) -> Self {
        AuthorizerBuilder {
            policy,
            resolver: None,
            secret: None,
            provider: String::new(),
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
            cache: Some(CacheConfig::default()),
        }
    }

    /// Where issuers' public keys come from (Akash policies).
    #[must_use]
    pub fn key_resolver(mut self, resolver: Arc<dyn KeyResolver>) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// The node's HMAC secret (Filecoin policies).
    #[must_use]
    pub fn hmac_secret(mut self, secret: HmacSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// This provider's own `akash1…` address: granular tokens must name it. Without one, every
    /// granular token is denied with `provider_not_granted`.
    #[must_use]
    pub fn provider(mut self, address: impl Into<String>) -> Self {
        self.provider = address.into();
        self
    }

    /// The clock [`Authorizer::authorize`] reads (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Input limits for tokens (default: [`Limits::default`]).
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Bounds of the verified-claims cache (enabled by default with [`CacheConfig::default`]).
    #[must_use]
    pub fn cache(mut self, config: CacheConfig) -> Self {
        self.cache = Some(config);
        self
    }

    /// Turns the verified-claims cache off: every call verifies the signature and claims.
    #[must_use]
    pub fn without_cache(mut self) -> Self {
        self.cache = None;
        self
    }

    /// Checks the configuration and builds the authorizer.
    pub fn build(self) -> Result<Authorizer, BuildError> {
        let policy_name = self.policy.name().to_owned();
        let algorithms: Vec<Algorithm> = self
            .policy
            .algorithms()
            .iter()
            .map(|alg| verify_algorithm(*alg))
            .collect();
        let verifier = Verifier::new(&algorithms).map_err(|source| BuildError::Algorithms {
            policy: policy_name.clone(),
            source,
        })?;
        let keys = match (self.policy.family(), self.resolver, self.secret) {
            (Family::Akash, Some(resolver), None) => KeySource::Resolver(resolver),
            (Family::Akash, None, None) => {
                return Err(BuildError::KeySourceMissing {
                    policy: policy_name,
                });
            }
            (Family::Akash, _, Some(_)) => {
                return Err(BuildError::KeySourceMismatch {
                    policy: policy_name,
                    family: "Akash",
                    given: "a node secret",
                });
            }
            (Family::Filecoin, None, Some(secret)) => KeySource::Secret(secret),
            (Family::Filecoin, None, None) => {
                return Err(BuildError::SecretMissing {
                    policy: policy_name,
                });
            }
            (Family::Filecoin, Some(_), _) => {
                return Err(BuildError::KeySourceMismatch {
                    policy: policy_name,
                    family: "Filecoin",
                    given: "public keys",
                });
            }
        };
        let claims = match self.policy.claims_rule() {
            ClaimsRule::Akash(behaviour) => ClaimsValidator::Akash(AkashValidator::new(behaviour)?),
            ClaimsRule::Filecoin(behaviour) => {
                ClaimsValidator::Filecoin(FilecoinValidator::new(behaviour)?)
            }
        };
        let cache = self
            .cache
            .map(|config| ClaimsCache::new(config.max_entries, config.max_bytes));
        Ok(Authorizer {
            leeway: i64::try_from(self.policy.leeway_secs()).unwrap_or(i64::MAX),
            policy: self.policy,
            verifier,
            limits: self.limits,
            claims,
            keys,
            provider: self.provider,
            clock: self.clock,
            cache,
        })
    }
}

/// The verifier's name for a policy algorithm.
fn verify_algorithm(alg: tollgate_policy::Algorithm) -> Algorithm {
    match alg {
        tollgate_policy::Algorithm::Es256k => Algorithm::Es256k,
        tollgate_policy::Algorithm::Es256kAdr36 => Algorithm::Es256kAdr36,
        tollgate_policy::Algorithm::Hs256 => Algorithm::Hs256,
    }
}
