//! A provider service embedding the `Authorizer` (written with the facade).
fn main() {}
