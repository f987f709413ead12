//! placeholder while the core crates land
