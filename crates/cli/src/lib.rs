//! The library behind the `tollgate` and `policy-check` binaries.
//!
//! The binaries only parse arguments and dispatch here; every command is a module with an
//! `Args` struct and a `run` function returning the process exit code.

pub mod authorize;
pub mod duration;
pub mod exit;
pub mod inputs;
pub mod inspect;
pub mod keys;
pub mod mint;
pub mod policy_check;
pub mod serve;
