//! The library behind the `tollgate` and `policy-check` binaries.
//!
//! The binaries only parse arguments and dispatch here; every command is a module with an
//! `Args` struct and a `run` function returning the process exit code.

pub mod policy_check;
