//! Akash issuer public keys from the chain's account query.
//!
//! Akash tokens are signed by whoever holds a lease, so a provider cannot list its tenants'
//! keys in a file. [`ChainKeyResolver`] implements [`tollgate_verify::KeyResolver`] by asking
//! cosmos-sdk nodes `GET {node}/cosmos/auth/v1beta1/accounts/{address}`, checking that the
//! returned key hashes to the address, and caching the answer in memory and in a crash-safe
//! redb file, so decisions keep working while every node is down.
//!
//! ```no_run
//! use std::sync::Arc;
//! use tollgate_chain::{ChainConfig, ChainKeyResolver};
//! use tollgate_verify::KeyResolver;
//!
//! let resolver = ChainKeyResolver::new(
//!     ChainConfig::new(["https://api.akashnet.net"]).cache_path("/var/lib/tollgate/keys.redb"),
//! )?;
//! let resolver: Arc<dyn KeyResolver> = Arc::new(resolver);
//! # Ok::<(), tollgate_chain::ChainSetupError>(())
//! ```

mod account;
mod address;
mod config;
#[cfg(feature = "grpc")]
pub mod grpc;
mod node;
mod resolver;
mod store;

pub use address::is_akash_account_address;
pub use config::{ChainConfig, ChainSetupError, NodeUrlProblem};
pub use resolver::{ChainKeyResolver, PreloadError};
