//! Akash issuer public keys from the chain's account query.
