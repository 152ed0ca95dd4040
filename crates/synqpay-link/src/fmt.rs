//! Logging: `trace!` … `error!` to `defmt` (feature `defmt`), to `log` (feature `log`), or
//! nowhere (the default). One shim for every no_std crate of the workspace, in
//! `crates/shared/fmt_macros.rs`, included here rather than linked so that every platform checks
//! it out the same way.
#![allow(unused_macros)]

include!("../../shared/fmt_macros.rs");
