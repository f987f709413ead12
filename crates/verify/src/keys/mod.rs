//! secp256k1 public keys, Akash addresses, and where verification keys come from.

mod address;
mod error;
mod fallback;
mod file;
mod public;
mod resolver;

pub use address::akash_address;
pub use error::KeyError;
pub use fallback::FallbackResolver;
pub use file::KeysFileError;
pub use public::Secp256k1PublicKey;
pub use resolver::{KeyOrigin, KeyResolver, ResolveError, ResolvedKey, StaticKeys};
